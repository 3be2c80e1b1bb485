/**
 * The admin API keeps Umbraco's management API names (`webhook` in the singular, the catalogue at
 * `webhook/events`, the log at `webhook/logs`). Users coming from other webhook servers guess
 * `webhooks`, `events`, `logs`, `deliveries`… A 404 for such a guess names the route meant.
 * Keys are the first path segment after the API path (or after the prefix, when `api/v1` was
 * left out); values the route under the API path.
 */
const GUESSES: Readonly<Record<string, string>> = {
  webhooks: 'webhook',
  endpoints: 'webhook',
  endpoint: 'webhook',
  subscriptions: 'webhook',
  events: 'webhook/events',
  'event-types': 'webhook/events',
  catalogue: 'webhook/catalogue',
  catalog: 'webhook/catalogue',
  logs: 'webhook/logs',
  log: 'webhook/logs',
  deliveries: 'webhook/logs',
  delivery: 'webhook/logs',
  attempts: 'webhook/logs',
  messages: 'webhook/logs',
  health: 'webhook/health',
  'dead-letters': 'dead-letter',
  deadletters: 'dead-letter',
  'dead-letter-queue': 'dead-letter',
  dlq: 'dead-letter',
  redeliver: 'dead-letter/redeliver',
  counts: 'queue/counts',
  queue: 'queue/counts',
  whoami: 'session',
  me: 'session',
};

/** Second segments guessed under `webhook/{id}/…`. */
const WEBHOOK_SUB_GUESSES: Readonly<Record<string, string>> = {
  deliveries: 'logs',
  attempts: 'logs',
  log: 'logs',
  'send-test': 'test',
  'test-event': 'test',
  rotate: 'secret/rotate',
  'rotate-secret': 'secret/rotate',
  secrets: 'secret/rotate',
};

/**
 * What a 404 on the admin plugin should suggest for `method path`, as a sentence ("did you mean
 * GET /admin/api/v1/webhook/events (Umbraco's name)?"), or undefined when nothing close is known.
 */
export function suggestRoute(method: string, path: string, prefix: string, apiPath: string): string | undefined {
  if (!path.startsWith(`${prefix}/`) && path !== prefix) return undefined;
  const rest = path.slice(prefix.length);
  if (/^\/metrics\/?$/.test(rest.replace(new RegExp(`^${escapeRegExp(apiPath)}`), ''))) {
    return rest === '/metrics' ? undefined : `did you mean GET ${prefix}/metrics (the Prometheus metrics are beside the API, not in it)?`;
  }
  const inApi = rest.startsWith(`${apiPath}/`);
  const segments = (inApi ? rest.slice(apiPath.length) : rest.replace(/^\/(api\/)?(v\d+\/)?/, '/')).split('/').filter(Boolean);
  const [first, second, third] = segments;
  if (!first) return undefined;
  const say = (route: string, why = '') => `did you mean ${method} ${prefix}${apiPath}/${route}${why}?`;
  if (first === 'webhook' && second && third && Object.hasOwn(WEBHOOK_SUB_GUESSES, third)) return say(`webhook/${second}/${WEBHOOK_SUB_GUESSES[third]}`);
  if (first === 'webhooks' && second && Object.hasOwn(GUESSES, second)) return say(GUESSES[second]!, " (Umbraco's names: webhook in the singular)");
  if (first === 'webhooks') return say(['webhook', ...segments.slice(1)].join('/'), " (Umbraco's name: webhook in the singular)");
  if (Object.hasOwn(GUESSES, first)) return say([GUESSES[first], ...segments.slice(1)].join('/'), GUESSES[first]!.startsWith('webhook/') ? " (Umbraco's name)" : '');
  // The right route without the API path in front of it (`/admin/webhook` for `/admin/api/v1/webhook`).
  if (!inApi && KNOWN_FIRST.has(first)) return say(segments.join('/'), ` (the API is under ${prefix}${apiPath})`);
  return undefined;
}

const KNOWN_FIRST = new Set(['webhook', 'dead-letter', 'queue', 'cleanup', 'session', 'openapi.json']);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Words used as `{id}` in `webhook/{id}` that were meant as a route (`webhook/deliveries` for `webhook/logs`). */
export function routeMeantByKey(key: string): string | undefined {
  const lower = key.toLowerCase();
  const route = Object.hasOwn(GUESSES, lower) ? GUESSES[lower] : undefined;
  return route?.startsWith('webhook/') ? route : undefined;
}

/**
 * Keys a webhook may not take through the admin API: `GET webhook/{id}` with them reaches the
 * route of that name instead (Umbraco's keys are GUIDs, so it never meets this).
 */
export const RESERVED_WEBHOOK_KEYS: readonly string[] = Object.freeze(['events', 'logs', 'catalogue', 'health']);
