import { isEntityTag, isHookworkError, shownList, webhookEtag, type WebhookChangedDetails, type WebhookPrecondition, type WebhookView } from '@hookwork/core';
import type { SwaggerTransform } from '@fastify/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_ERRORS } from './admin-errors';
import { problemDetailsSchema } from './problem-details';

/** Sets the ETag of the webhook an answer holds. */
export function withEtag<T extends WebhookView>(reply: FastifyReply, view: T): T {
  reply.header('etag', webhookEtag(view));
  return view;
}

/** The `ETag` header of an answer that holds one webhook, as the OpenAPI document lists it. */
export const etagResponseHeader = {
  etag: { type: 'string', description: 'The strong entity tag of the webhook as this answer holds it; send it back in If-Match to change the webhook only if it is still in this state.' },
} as const;

/** The 412 answer of a change made under a stale If-Match, for the OpenAPI document and the serializer. */
export const preconditionFailedResponse = {
  412: {
    description: 'HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED: the webhook was changed since the If-Match tag was read, or is in a state If-None-Match names (* names any); nothing was changed. ETag holds its current tag.',
    headers: etagResponseHeader,
    content: { 'application/problem+json': { schema: problemDetailsSchema } },
  },
} as const;

/** The 304 of a read whose If-None-Match names the webhook's current tag, for the OpenAPI document. */
export const notModifiedResponse = {
  304: { description: 'Not Modified: If-None-Match holds the webhook\'s current ETag (or *); no body. ETag holds the tag.', headers: etagResponseHeader, type: 'null' },
} as const;

/** The 412 of a read whose If-Match does not name the webhook's current tag, for the OpenAPI document and the serializer. */
export const readPreconditionFailedResponse = {
  412: {
    description: 'HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED: If-Match does not name the webhook\'s current tag (it was changed since it was read). ETag holds its current tag.',
    headers: etagResponseHeader,
    content: { 'application/problem+json': { schema: problemDetailsSchema } },
  },
} as const;

const readConditionHeaders = {
  type: 'object',
  properties: {
    'If-None-Match': {
      type: 'string',
      description: 'The ETag the webhook was read with (compared weakly; or *): while it is still in that state, the answer is 304 Not Modified with no body. Optional.',
    },
    'If-Match': {
      type: 'string',
      description: 'The ETag the webhook was read with (compared strongly; or *): when it is in another state, the answer is 412 with its current ETag. Optional.',
    },
  },
} as const;

/** The read's `swaggerTransform`: lists its optional If-None-Match and If-Match headers in the OpenAPI document only (see {@link documentIfMatch}). */
export const documentReadConditions: SwaggerTransform = ({ schema, url }) => ({ schema: { ...schema, headers: readConditionHeaders }, url });

const ifMatchHeader = {
  type: 'object',
  properties: {
    'If-Match': {
      type: 'string',
      description: 'The ETag the webhook was read with (or *): the change is made only if the webhook is still in that state, else 412 with nothing changed. Optional: without it the change is made as asked (last writer wins).',
    },
    'If-None-Match': {
      type: 'string',
      description: 'ETags (compared weakly) of states the change must not be made over, else 412 with nothing changed; * is a 412 for every webhook there is, as this route never creates one. Optional.',
    },
  },
} as const;

/**
 * A conditional route's `swaggerTransform` (route config): lists the optional If-Match and
 * If-None-Match headers in the OpenAPI document only. The route's own schema, which Fastify
 * validates requests with, is left as it is, so a request without them — or with any value — is
 * taken as before.
 */
export const documentIfMatch: SwaggerTransform = ({ schema, url }) => ({ schema: { ...schema, headers: ifMatchHeader }, url });

/**
 * The entity tags of an If-Match field value (`*`, or a list of quoted tags); weak ones never match
 * (§13.1.1: strong comparison). A quoted string holding what an entity tag may not (a space, a
 * control character: RFC 9110 §8.8.3's `etagc`) is no tag: it matches nothing (a 412), as it could
 * name no state of a webhook.
 */
function parseIfMatch(value: string): '*' | string[] {
  if (value.trim() === '*') return '*';
  return (value.match(/(W\/)?"[^"]*"/g) ?? []).filter((tag) => !tag.startsWith('W/') && isEntityTag(tag));
}

/**
 * The entity tags of an If-None-Match field value, `*` or the opaque tags (`W/` dropped: RFC 9110
 * §13.1.2 compares them weakly). What is not an entity tag names no state, so it matches nothing.
 */
function parseIfNoneMatch(value: string): '*' | string[] {
  if (value.trim() === '*') return '*';
  return (value.match(/(W\/)?"[^"]*"/g) ?? []).filter((tag) => isEntityTag(tag)).map((tag) => tag.replace(/^W\//, ''));
}

/**
 * Refuses a precondition field that holds nothing — empty, blanks, or only commas (`If-Match: ,,,`):
 * 400 HOOKWORK_ERR_ADMIN_INVALID_REQUEST naming the header, nothing changed. RFC 9110 §13.1.1
 * has If-Match (and §13.1.2 If-None-Match) be `*` or a list of entity tags, and a recipient ignores
 * empty list elements (§5.6.1), so such a field names no state at all. Taken as no header, it made
 * the write unconditionally; taken as a list of no tags, it was a 412 for a webhook nobody changed.
 * Either way the client's check did not happen as meant: what it sent is the fault, so it is named.
 */
function refuseEmptyPrecondition(name: 'If-Match' | 'If-None-Match', text: string): void {
  if (!text.split(',').every((element) => element.trim() === '')) return;
  throw ADMIN_ERRORS.create(
    'HOOKWORK_ERR_ADMIN_INVALID_REQUEST',
    `the request was refused, nothing was changed: the ${name} header is ${text.trim() === '' ? 'empty' : `${JSON.stringify(text)}, a list of no entity tags`}; ${
      name === 'If-Match'
        ? 'send the ETag the webhook was read with (quotes included), "*" for any state, or no If-Match at all for an unconditional change'
        : 'send "*" or the ETags of the states the change must not be made over (quotes included), or no If-None-Match at all'
    }`,
    { details: [{ in: 'header', field: name, problem: `holds no entity tag: send ${name === 'If-Match' ? 'an ETag, *, or no If-Match' : '*, ETags, or no If-None-Match'}` }] },
  );
}

/** The elements of a precondition field's list, blanks dropped, split at the commas outside quotes (an entity tag may hold one). */
function listElements(text: string): string[] {
  const elements: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    if (char === ',' && !quoted) {
      elements.push(current.trim());
      current = '';
    } else current += char;
  }
  elements.push(current.trim());
  return elements.filter((element) => element !== '');
}

/** An element written as an entity tag is: `"…"` or `W/"…"` (whether what it holds can be a tag is judged apart, by isEntityTag). */
const QUOTED = /^(?:W\/)?"[^"]*"$/;

/**
 * Refuses a precondition field that is not `*` or a list of entity tags (RFC 9110 §13.1.1,
 * §13.1.2): empty (see refuseEmptyPrecondition), an element that is not in quotes — most often an
 * ETag sent without its quotes, `If-Match: 3q2…` — or anything after a tag (`"3q2…";`), or `*` in a
 * list with tags. A 400 HOOKWORK_ERR_ADMIN_INVALID_REQUEST naming the header and the element,
 * nothing changed. Such an element matched nothing: a change was a 412 saying the webhook had
 * changed since it was read — "it is now" the very tag the client had sent unquoted — so a client
 * that read it again and sent it the same way was refused for ever; and a `*` beside tags was
 * dropped, so the list asked for one state where the client had said any.
 */
function refuseMalformedPrecondition(name: 'If-Match' | 'If-None-Match', text: string): void {
  refuseEmptyPrecondition(name, text);
  const elements = listElements(text);
  const wrong = elements.find((element) => (element === '*' ? elements.length > 1 : !QUOTED.test(element)));
  if (wrong === undefined) return;
  const problem =
    wrong === '*'
      ? 'holds * among entity tags: * stands alone, for any state, or the ETags are sent without it'
      : `holds ${JSON.stringify(wrong)}, which is no entity tag: an ETag is sent as the ETag header gave it, in double quotes${/^[^"]+$/.test(wrong) ? ` (${JSON.stringify(`"${wrong}"`)})` : ''}, each one apart from the next by a comma`;
  throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_INVALID_REQUEST', `the request was refused, nothing was changed: the ${name} header ${problem}`, { details: [{ in: 'header', field: name, problem }] });
}

/**
 * A read of one webhook (`GET`/`HEAD webhook/{id}`) under the request's If-Match and If-None-Match,
 * evaluated as RFC 9110 §13.2.2 orders them: an If-Match that names neither `*` nor the webhook's
 * current tag (strong comparison) is a 412 HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED with the current
 * `ETag`; an If-None-Match that is `*` or names the current tag (weak comparison) is a **304 Not
 * Modified** with the `ETag` and no body, so a client polling a webhook with the tag it holds learns
 * it is unchanged without reading it again. Both were ignored: every read was a 200 with the whole
 * webhook, and a client that checked its copy with If-None-Match took that 200 for a change. An
 * empty field is the 400 it is on a change. Answers `view` with its tag when the read goes ahead,
 * `undefined` when the 304 was sent.
 */
export function readConditionally(request: FastifyRequest, reply: FastifyReply, view: WebhookView): WebhookView | undefined {
  const etag = webhookEtag(view);
  reply.header('etag', etag);
  const ifMatchText = fieldText(request.headers['if-match']);
  const ifNoneMatchText = fieldText(request.headers['if-none-match']);
  if (ifMatchText !== undefined) {
    refuseMalformedPrecondition('If-Match', ifMatchText);
    const tags = parseIfMatch(ifMatchText);
    if (tags !== '*' && !tags.includes(etag)) {
      throw ADMIN_ERRORS.create(
        'HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED',
        `webhook ${JSON.stringify(view.key)} is not in the state If-Match names (${tags.length > 0 ? shownList(tags, { show: (tag) => tag }) : `${JSON.stringify(ifMatchText)}, which holds no strong tag`}; it is now ${etag}): it was changed since it was read. Read it without If-Match to get it as it is now, with its ETag`,
      );
    }
  }
  if (ifNoneMatchText !== undefined) {
    refuseMalformedPrecondition('If-None-Match', ifNoneMatchText);
    const noneMatch = parseIfNoneMatch(ifNoneMatchText);
    if (noneMatch === '*' || noneMatch.includes(etag)) {
      void reply.code(304).send();
      return undefined;
    }
  }
  return view;
}

const fieldText = (header: string | string[] | undefined) => (header === undefined ? undefined : Array.isArray(header) ? header.join(',') : header);

/**
 * Makes a change of one webhook under the request's If-Match and If-None-Match (RFC 9110 §13.1.1,
 * §13.1.2): `change` is given the precondition for `app.webhooks` (none without either header).
 * Core checks it on the webhook as stored, in one step with the write — against every writer of
 * the store, admin servers in other processes included — so of two changes sent with the same tag
 * one is made and the other is a 412 HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED, nothing changed,
 * with the current tag in `ETag`. A webhook that does not exist is the route's own 404 (the
 * precondition is ignored, §13.2.1).
 *
 * If-None-Match is evaluated too, as an origin server that gives entity tags must (§13.1.2): the
 * change is made only if the webhook is in none of the states it names — for `*`, only if there
 * is none, and these routes never create one, so it is a 412 for every webhook there is. It was
 * ignored: a client that sent `PUT webhook/{id}` with `If-None-Match: *` to write only where
 * nothing stood replaced a colleague's webhook, resetting every field it did not give.
 */
export async function conditionally<T>(request: FastifyRequest, reply: FastifyReply, key: string, change: (precondition: WebhookPrecondition | undefined) => Promise<T>): Promise<T> {
  const ifMatchText = fieldText(request.headers['if-match']);
  const ifNoneMatchText = fieldText(request.headers['if-none-match']);
  if (ifMatchText === undefined && ifNoneMatchText === undefined) return change(undefined);
  if (ifMatchText !== undefined) refuseMalformedPrecondition('If-Match', ifMatchText);
  if (ifNoneMatchText !== undefined) refuseMalformedPrecondition('If-None-Match', ifNoneMatchText);
  const tags = ifMatchText === undefined ? undefined : parseIfMatch(ifMatchText);
  // A change under a stale tag, or made over the state read here and changed meanwhile.
  const stale = (etag: string, cause: unknown) => {
    reply.header('etag', etag);
    const given = tags === undefined ? '' : `If-Match ${tags === '*' ? '*' : tags.length > 0 ? shownList(tags, { show: (tag) => tag }) : `${JSON.stringify(ifMatchText)}, which holds no strong tag`}; `;
    return ADMIN_ERRORS.create(
      'HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED',
      `webhook ${JSON.stringify(key)} was changed since it was read (${given}it is now ${etag}); nothing was changed. Read it again with GET webhook/${key}, apply the change to what it holds now, and send it with the new ETag`,
      { cause },
    );
  };
  try {
    if (ifNoneMatchText === undefined) return await change({ ifMatch: tags! });
    // The webhook's tag now: a change under no tag at all is refused by core with it, changing
    // nothing (a 404 or a refused body is answered as it would be without the header).
    let current: string;
    try {
      return await change({ ifMatch: [] });
    } catch (error) {
      if (!isHookworkError(error, 'HOOKWORK_ERR_WEBHOOK_CHANGED')) throw error;
      current = (error.details as WebhookChangedDetails).etag;
    }
    // If-Match first (§13.2.2), then If-None-Match.
    if (tags !== undefined && tags !== '*' && !tags.includes(current)) throw stale(current, undefined);
    const noneMatch = parseIfNoneMatch(ifNoneMatchText);
    if (noneMatch === '*' || noneMatch.includes(current)) {
      reply.header('etag', current);
      throw ADMIN_ERRORS.create(
        'HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED',
        `webhook ${JSON.stringify(key)} ${noneMatch === '*' ? 'exists' : `is in a state If-None-Match names (${current})`}, and If-None-Match ${noneMatch === '*' ? '* makes the change only where there is none' : 'makes the change only over another state'}; nothing was changed. These routes change a webhook that exists and never create one (create with POST webhook): to change it only as you read it, send If-Match with its ETag`,
      );
    }
    // Made over the state just read, in one step with the write: a change meanwhile is a 412.
    return await change({ ifMatch: [current] });
  } catch (error) {
    if (!isHookworkError(error, 'HOOKWORK_ERR_WEBHOOK_CHANGED')) throw error;
    throw stale((error.details as WebhookChangedDetails).etag, error);
  }
}
