/**
 * Core's messages name the fix as a library call — `list them with app.webhooks.list()` — which
 * an HTTP client cannot make. Each row swaps such a fix for the route that does the same (route
 * names as docs/admin.md writes them, under `api/v1`); the diagnosis before it is kept as core
 * wrote it. admin-api.test.ts asks every route's refusals for `app.`.
 */
const ROUTES: readonly (readonly [RegExp, string | ((...groups: string[]) => string)])[] = [
  [/list (them|webhooks) with app\.webhooks\.list\(\)/g, 'list $1 with GET webhook'],
  [/list its secrets with app\.webhooks\.get\(("(?:[^"\\]|\\.)*")\)/g, (_all, key) => `list its secrets with GET webhook/${encodeURIComponent(JSON.parse(key!) as string)}`],
  [/list dead letters with app\.deadLetters\(\)/g, 'list dead letters with GET dead-letter'],
  [/list entries with app\.logs\(\)/g, 'list entries with GET webhook/logs'],
  [/listed by app\.events\(\)/g, 'listed by GET webhook/events'],
  [/\(app\.webhooks\.revokeSecret\)/g, '(DELETE webhook/{id}/secret/{secretId})'],
];

/** `text` with the library calls it names as fixes replaced by the admin API's routes. */
export function forTheApi(text: string): string {
  let result = text;
  for (const [call, route] of ROUTES) result = typeof route === 'string' ? result.replace(call, route) : result.replace(call, (...args: string[]) => route(...args));
  return result;
}
