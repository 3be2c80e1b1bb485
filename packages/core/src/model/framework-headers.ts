/** The Standard Webhooks header names hookwork signs every request with. */
export const SIGNATURE_HEADERS = Object.freeze({ id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' });

/**
 * Request headers that carry a credential whether or not the webhook marks them sensitive: the
 * delivery log and what event classes see of a webhook (`WebhookInfo`) always redact their values.
 */
export const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie']);

/**
 * The names (lower case) of a webhook's custom headers whose values are secret: those it marks
 * sensitive and every {@link CREDENTIAL_HEADERS} one it has, marked or not (a webhook stored
 * before credentials were always sensitive may hold an unmarked `Authorization`). Views redact
 * them, an edit that sends the placeholder back keeps them, and a move to another origin does not
 * carry them: the one rule every one of those reads.
 */
export function secretHeaderNames(webhook: { readonly headers: Readonly<Record<string, string>>; readonly sensitiveHeaders: readonly string[] }): Set<string> {
  const names = new Set(webhook.sensitiveHeaders.map((name) => name.toLowerCase()));
  for (const name of Object.keys(webhook.headers)) if (CREDENTIAL_HEADERS.has(name.toLowerCase())) names.add(name.toLowerCase());
  return names;
}

/**
 * Hop-by-hop and connection-control request headers (lower case): they describe one connection
 * or one message framing, which the HTTP client owns, not what a webhook sends to its receiver
 * (RFC 9110 §7.6.1 Connection, Proxy-Connection, Keep-Alive, TE, Transfer-Encoding, Upgrade;
 * §6.6.2 Trailer; §10.1.1 Expect; RFC 9112). A custom header may not set them: axios fails every
 * attempt of a request with `Trailer` ("Trailers are invalid with this transfer encoding") while
 * undici sends it, and `Upgrade`, `Keep-Alive` or `Expect: 100-continue` change how the
 * connection is used, differently per client. `connection` and `transfer-encoding` are also in
 * {@link FRAMEWORK_HEADERS}.
 */
export const CONNECTION_HEADERS: ReadonlySet<string> = new Set(['connection', 'proxy-connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect']);

/** Why a custom header named `name` cannot be sent (a {@link CONNECTION_HEADERS} one), or undefined. */
export function connectionHeaderProblem(name: string): string | undefined {
  if (!CONNECTION_HEADERS.has(name.toLowerCase())) return undefined;
  return 'is a hop-by-hop (connection-control) header, which the HTTP client sets for each connection and a webhook cannot carry to its receiver (RFC 9110 §7.6.1); remove it';
}

/**
 * Why a custom header named `name` cannot be sent because it describes the body's coding, or
 * undefined: the body is the payload JSON as signed, never compressed, so a `Content-Encoding`
 * would have every receiver that decodes by it fail the request.
 */
export function contentCodingHeaderProblem(name: string): string | undefined {
  if (name.toLowerCase() !== 'content-encoding') return undefined;
  return 'describes the body\'s coding, which hookwork sets: it sends the body uncoded, as signed, and a receiver that decodes by Content-Encoding (Express\'s json(), most frameworks) would refuse every request; remove it';
}

/**
 * Marks a test send (`app.sendTestEvent()`): its body is exactly what a real notification would
 * send — receivers validate schemas — so the mark is this header, `true`, absent on real
 * deliveries. A webhook's custom headers can't set it.
 */
export const TEST_EVENT_HEADER = 'hookwork-test';

/** The CloudEvents 1.0 HTTP binary-mode attribute headers a webhook's `format` may send. */
export const CLOUD_EVENTS_HEADERS = Object.freeze(['ce-specversion', 'ce-id', 'ce-source', 'ce-type', 'ce-time', 'ce-subject', 'ce-datacontenttype', 'ce-dataschema']);

/**
 * Every request header hookwork sets itself (lower case): a webhook's custom headers may not set
 * them, and the event and retry-count header settings may not take their names. The one list,
 * which validation, the settings and the request builder all read.
 */
export const FRAMEWORK_HEADERS: readonly string[] = Object.freeze([
  'content-type',
  'content-length',
  // hookwork sends the body as it signs it, uncoded (identity): a custom `Content-Encoding: gzip`
  // told every receiver that decodes by it (Express's json(), most frameworks) to gunzip JSON
  // text, and each attempt was a 400 ("incorrect header check") retried into a dead letter.
  'content-encoding',
  'transfer-encoding',
  'host',
  'connection',
  'user-agent',
  ...Object.values(SIGNATURE_HEADERS),
  TEST_EVENT_HEADER,
  ...CLOUD_EVENTS_HEADERS,
  'traceparent', // sent with `tracing.traceparent` (W3C Trace Context); hookwork sends no tracestate
]);
