/**
 * Header names on the wire. The Standard Webhooks three are fixed by the specification; the event
 * and retry-count headers come in hookwork's style and in Umbraco's (hookwork sends Umbraco's with
 * `settings.headers.style: 'umbraco'`, and Umbraco itself always does). All lower case, as Node
 * delivers them.
 */
export const WEBHOOK_HEADERS = Object.freeze({
  /** Standard Webhooks: the message id, the same on every retry and redelivery. */
  id: 'webhook-id',
  /** Standard Webhooks: Unix seconds at this attempt (signed). */
  timestamp: 'webhook-timestamp',
  /** Standard Webhooks: space-separated `v1,<base64>` signatures, one per active secret. */
  signature: 'webhook-signature',
  /** The event alias, hookwork's name. */
  hookworkEvent: 'hookwork-event',
  /** The event alias, Umbraco's name (`Umb-Webhook-Event`). */
  umbracoEvent: 'umb-webhook-event',
  /** Retries before this attempt (0 on the first), hookwork's name. */
  hookworkRetryCount: 'hookwork-retry-count',
  /** Retries before this attempt, Umbraco's name (`Umb-Webhook-RetryCount`). */
  umbracoRetryCount: 'umb-webhook-retrycount',
  /** `true` on a test send (`app.sendTestEvent()`); absent on real deliveries. */
  test: 'hookwork-test',
} as const);

/**
 * Headers as the kit accepts them: Node's `IncomingHttpHeaders` (Express and Fastify pass these),
 * a fetch `Headers` object, or any record — names in any case.
 */
export type HeadersInput = Headers | Readonly<Record<string, string | readonly string[] | number | undefined>>;

/** Header names the kit reads an event's alias and retry count from, tried in order. */
export interface HeaderNames {
  /** Default: `['hookwork-event', 'umb-webhook-event']`. */
  event: readonly string[];
  /** Default: `['hookwork-retry-count', 'umb-webhook-retrycount']`. */
  retryCount: readonly string[];
}

/** The default {@link HeaderNames}: hookwork's first, then Umbraco's. */
export const DEFAULT_HEADER_NAMES: HeaderNames = Object.freeze({
  event: Object.freeze([WEBHOOK_HEADERS.hookworkEvent, WEBHOOK_HEADERS.umbracoEvent]),
  retryCount: Object.freeze([WEBHOOK_HEADERS.hookworkRetryCount, WEBHOOK_HEADERS.umbracoRetryCount]),
});

/**
 * Lower-cases header names and joins repeated values with ", " (as Node does for most
 * headers), so lookups need not care where the headers came from.
 */
export function normalizeHeaders(input: HeadersInput): Record<string, string> {
  const result: Record<string, string> = {};
  const put = (name: string, value: unknown) => {
    if (value === undefined || value === null) return;
    result[name.toLowerCase()] = Array.isArray(value) ? value.map(String).join(', ') : String(value);
  };
  if (typeof Headers !== 'undefined' && input instanceof Headers) input.forEach((value, name) => put(name, value));
  else for (const [name, value] of Object.entries(input)) put(name, value);
  return result;
}

/** The first of `names` that is present and not empty, with its value. */
export function firstHeader(headers: Readonly<Record<string, string>>, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = headers[name.toLowerCase()]?.trim();
    if (value) return { name: name.toLowerCase(), value };
  }
  return undefined;
}

/**
 * Why a header value is wrong when it holds one value repeated: a header sent more than once
 * reaches the kit as its values joined with ", " (as Node joins them), which no signature covers —
 * said so, rather than blaming the clock or the secret.
 */
export function sentRepeatedly(value: string): string {
  return `the header was sent ${value.split(',').length} times (a proxy or middleware that adds it again?) and the kit reads them joined; the request must carry it once`;
}

/**
 * The codings a `content-encoding` header lists, lower case, in the order they were applied,
 * without `identity` (which is none).
 */
export function contentCodings(header: string | readonly string[] | undefined): string[] {
  const text = Array.isArray(header) ? header.join(',') : (header as string | undefined) ?? '';
  return text
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
}

/**
 * A Standard Webhooks header: `webhook-<name>`, else Svix's `svix-<name>` — Svix (and the services
 * it sends for) names the same three headers so unless a customer pays for the unbranded ones, and
 * its own library reads either. Undefined when neither is present and non-empty.
 */
export function standardHeader(headers: Readonly<Record<string, string>>, name: 'id' | 'timestamp' | 'signature'): string | undefined {
  return headers[`webhook-${name}`] || headers[`svix-${name}`] || undefined;
}
