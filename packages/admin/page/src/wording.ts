import type { Problem } from './api';

/**
 * A clause that names a route or a library call as its fix (`list the webhooks with GET webhook`,
 * `the composed events are listed by GET webhook/events`, `api/v1/openapi.json lists them`): words
 * for a program calling the API, which tell a back-office user nothing they can do on this page.
 */
const ROUTE_TALK = /\b(?:GET|HEAD|POST|PUT|PATCH|DELETE) (?:\/|api\/|webhook|dead-letter|queue|cleanup|session|metrics)|api\/v1\/openapi\.json|\bapp\.[a-z]\w*\.?\w*\(/;

/**
 * `text` without the `CODE: ` an API detail starts with (core's messageWithoutCode(), which the
 * page, holding core's types only, cannot import): hookwork's codes and a plugin's (`ACME_ERR_…`).
 */
const withoutCode = (text: string) => text.replace(/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_ERR_[A-Z0-9_]+: /, '');

/**
 * `text` without the clauses (between semicolons) that name a route or a library call, and
 * without its leading `HOOKWORK_ERR_…:` code; the text as it was when nothing else would be left.
 */
export function withoutRouteTalk(text: string): string {
  const plain = withoutCode(text);
  const kept = plain.split(/;\s+/).filter((clause) => !ROUTE_TALK.test(clause));
  if (kept.length === 0) return plain;
  const joined = kept.join('; ');
  return /[.!?)]$/.test(joined) ? joined : `${joined}.`;
}

/**
 * What a refusal means on this page, for the codes a back-office user meets in its views: the
 * API's words name routes and codes, which are a program's, not theirs. Keyed by hookwork's codes.
 */
const IN_WORDS: Readonly<Record<string, { title: string; detail: string }>> = {
  HOOKWORK_ERR_WEBHOOK_NOT_FOUND: {
    title: 'This webhook does not exist',
    detail: 'It was deleted (here, in another tab or by someone else), or the link is wrong. Nothing was changed.',
  },
  HOOKWORK_ERR_REQUEST_NOT_FOUND: {
    title: 'This request is no longer in the queue',
    detail: 'It was delivered or dropped since, or cleaned up after the days dead letters are kept. Nothing was sent; its attempts stay in the deliveries until they are cleaned up too.',
  },
  HOOKWORK_ERR_REQUEST_NOT_DEAD: {
    title: 'Not redelivered: it is already back in the queue',
    detail: 'It was put back earlier (from another tab, or by a redelivery of many) and waits for its next attempt, or is being sent now. Nothing was changed; its next attempt shows in the deliveries.',
  },
  HOOKWORK_ERR_DEAD_LETTER_WEBHOOK_DELETED: {
    title: 'Not redelivered: its webhook was deleted',
    detail: 'Sent again, it would only be dropped. Nothing was changed: it was removed with its webhook, or, while still listed, stays among the dead letters until the retention cleanup; its body is in its delivery.',
  },
  HOOKWORK_ERR_DELIVERY_NOT_FOUND: {
    title: 'This delivery is no longer in the log',
    detail: "Log entries are deleted after the days the app keeps them (keepLogsForDays), or the link is wrong.",
  },
  HOOKWORK_ERR_ADMIN_BODY_TOO_LARGE: {
    title: 'Not sent: this is more than the server takes in one request',
    detail: 'Nothing was changed, and what you typed is still here. Shorten the longest entries (a long list of content types, long header values), then try again.',
  },
  HOOKWORK_ERR_ADMIN_INTERNAL: {
    title: 'The server failed on this request',
    detail: 'Its log has the cause: tell whoever runs it. What you typed here is kept; Refresh shows whether a change was made before it failed.',
  },
  HOOKWORK_ERR_APP_NOT_STARTED: {
    title: 'The app behind this page is still starting',
    detail: 'Try again in a few seconds. What you typed here is kept.',
  },
  HOOKWORK_ERR_APP_STOPPED: {
    title: 'The app behind this page has stopped',
    detail: 'Nothing can be read or changed until it runs again: ask whoever runs it. What you typed here is kept.',
  },
};

/** The codes of input refused for its content: the API's title names a schema, which is a program's word. */
const REFUSED_INPUT = new Set(['HOOKWORK_ERR_ADMIN_INVALID_REQUEST', 'HOOKWORK_ERR_INVALID_WEBHOOK']);

/**
 * Whether this page has its own words for the refusal ({@link inWords}): they say all a
 * back-office user can act on, so the fields the API names (a request's `ids`, a path's `id`,
 * a `webhookKey` — words for a program) are not listed under them.
 */
export const hasOwnWords = (problem: Problem): boolean => Object.hasOwn(IN_WORDS, problem.code) || problem.code === 'HOOKWORK_ERR_INVALID_CURSOR';

/**
 * A list's position in the address (`after`) that the API refused: what is wrong with it, in the
 * API's own words for the field (`does not decode to a cursor (changed or cut short)`, `is a cursor
 * of the dead letters, not of the delivery log`), and what to do — the API's fix names parameters.
 */
function badPosition(problem: Problem): { title: string; detail: string } {
  const why = problem.errors?.find((e) => e.field === 'after')?.detail;
  return {
    title: 'This page of the list cannot be shown',
    detail: `The page's position in the address (after=…) ${why ? withoutRouteTalk(why).replace(/\.$/, '') : 'is not one this list made: changed, cut short, or of another list'}. Nothing was read: start again from the first page.`,
  };
}

/** A refusal in this page's words: the known codes said for people, any other without its code and route talk. */
export function inWords(problem: Problem): { title: string; detail: string } {
  if (problem.code === 'HOOKWORK_ERR_INVALID_CURSOR') return badPosition(problem);
  if (hasOwnWords(problem)) return IN_WORDS[problem.code]!;
  if (problem.code === 'HOOKWORK_ERR_ADMIN_REQUEST_REFUSED') {
    // A refusal of the host's (its authenticate throwing its framework's 403) or of a plugin's:
    // the API's title explains the code to a program (file Ranges, static files); its detail
    // carries the status and the host's own words.
    const detail = withoutRouteTalk(problem.detail).replace(/^the request was refused with /, 'The server answered ');
    return problem.status === 403
      ? {
          title: 'Not allowed: the application this page belongs to refused this request',
          detail: `${detail} Your account may not manage webhooks (any more): ask whoever runs the application for access. What you typed here is kept.`,
        }
      : { title: `Refused: the server answered ${problem.status}`, detail };
  }
  if (REFUSED_INPUT.has(problem.code)) {
    const detail = withoutRouteTalk(withoutCode(problem.detail).replace(/^(?:the request was refused, nothing was changed|webhook refused, nothing was stored): /, '').replace(/(^|; )(?:body|query|path) (?=[\w.(])/g, '$1'));
    return { title: 'Refused: nothing was changed', detail };
  }
  return { title: problem.title, detail: withoutRouteTalk(problem.detail) };
}
