/**
 * Core's messages name the fix as a library call — `list them with app.webhooks.list()` — which
 * an HTTP client cannot make. Each row swaps such a fix for the route that does the same (route
 * names as docs/admin.md writes them, under `api/v1`); the diagnosis before it is kept as core
 * wrote it; a call no row names is replaced by a pointer to the OpenAPI document, so no library
 * call reaches an HTTP client. api-wording.test.ts walks core's refusals through it.
 */
const ROUTES: readonly (readonly [RegExp, string | ((...groups: string[]) => string)])[] = [
  [/list (them|webhooks) with app\.webhooks\.list\(\)/g, 'list $1 with GET webhook'],
  [/list its secrets with app\.webhooks\.get\(("(?:[^"\\]|\\.)*")\)/g, (_all, key) => `list its secrets with GET webhook/${encodeURIComponent(JSON.parse(key!) as string)}`],
  [/list dead letters with app\.deadLetters\(\)/g, 'list dead letters with GET dead-letter'],
  [/list entries with app\.logs\(\)/g, 'list entries with GET webhook/logs'],
  [/listed by app\.events\(\)/g, 'listed by GET webhook/events'],
  // An alias no composed event handles: composing it is the host's code, no route's.
  [/ \(builder\.webhookEvents\(\)\.add\(…\) or the package's add…\(\) method\)/g, " (in the host's code, where the app is created)"],
  [/, so pass composers to createHookwork\(\) \(e\.g\. \{ composers: \[cmsComposer\(\)\] \} for the CMS events, or one calling builder\.webhookEvents\(\)\.add\(MyWebhookEvent\)\)/g, ", which the host's code passes where it creates the app (cmsComposer for the CMS events)"],
  [/\(app\.webhooks\.revokeSecret\)/g, '(DELETE webhook/{id}/secret/{secretId})'],
  // The fixes of core's key rules (KEY_KINDS): what names each kind of key.
  [/as app\.webhooks\.list\(\) shows it/g, 'as GET webhook shows it'],
  [/as app\.deadLetters\(\) or app\.logs\(\) shows it/g, 'as GET dead-letter or GET webhook/logs shows it'],
  [/as app\.logs\(\) shows it/g, 'as GET webhook/logs shows it'],
  [/as app\.events\(\) lists it/g, 'as GET webhook/events lists it'],
  [/as app\.webhooks\.get\(key\) lists it in secrets/g, 'as GET webhook/{id} lists it in secrets'],
  // A refusal of core's that starts with the call it was made to (`logs() was given query.requestId …`).
  [/\b(?:webhooks\.)?[a-zA-Z]+\(\) was given (?:query\.|options\.|selector\.)?/g, 'the request gave '],
  [/\b(?:webhooks\.)?[a-zA-Z]+\(\)( ?):/g, 'the request:'],
  // A test send's alias, which the HTTP client sends as a body field, not as an options object.
  [/pass one of its events as \{ alias \} (\([^)]*\)) or omit it for the first/g, 'send one of its events as alias in the body $1, or leave alias out for the first'],
  [/as webhookEtag\(\) and an ETag header give them/g, 'as an ETag header gives them'],
  [/as webhookEtag\(\) gives it/g, 'as an ETag header gives it'],
  // Whatever call is left: a route an HTTP client can use is what the OpenAPI document lists.
  // app.start() and app.stop() stay: a 503 names them as the host's to make, not the client's.
  [/\bapp\.(?!start\(|stop\()[\w.]+\((?:[^()]|\([^()]*\))*\)/g, 'the route that does it (api/v1/openapi.json lists them)'],
];

/** `text` with the library calls it names as fixes replaced by the admin API's routes. */
export function forTheApi(text: string): string {
  let result = text;
  for (const [call, route] of ROUTES) result = typeof route === 'string' ? result.replace(call, route) : result.replace(call, (...args: string[]) => route(...args));
  return result;
}

/**
 * Core's titles (its codes' summaries, the same for every occurrence) that name the library call
 * a client made, for the codes an admin route answers, in the terms of the route and its fields.
 * Core's other titles name no call a client makes; those of publish() and start() are never
 * answered here (no route calls them), and start() and stop() in a 503's are the host's to make.
 */
const API_TITLES: Readonly<Partial<Record<string, string>>> = {
  HOOKWORK_ERR_ALIAS_NOT_SUBSCRIBED: 'A test send (POST webhook/{id}/test) was asked for an event alias (the body\'s alias) the webhook does not subscribe to.',
  HOOKWORK_ERR_INVALID_CURSOR: 'A listing that pages by cursor (GET webhook, GET webhook/logs, GET webhook/{id}/logs, GET dead-letter) was given an `after` that is no `next` cursor of that listing: changed, cut short, made up, or of another listing.',
  HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR: 'POST dead-letter/redeliver was given a body without ids, a webhook key, a time or all, one that combines them as no selector does (ids with webhookKey or deadSince, all with anything), or values of the wrong type.',
  HOOKWORK_ERR_INVALID_ARGUMENT: 'A request was given a value of the wrong kind or out of range (a grace period past 30 days, gracePeriod with gracePeriodMs), or a key that cannot name anything stored (empty, or holding U+0000 or a lone surrogate).',
};

/** The title of a core code's problem as the admin API answers it: core's summary, or its wording for an HTTP client. */
export function titleForTheApi(code: string, summary: string): string {
  return API_TITLES[code] ?? summary;
}
