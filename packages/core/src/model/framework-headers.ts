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
 * Request headers (lower case) that describe the body itself — its coding or a checksum of it —
 * which hookwork makes anew for every request (the payload JSON, uncoded, as signed). A custom
 * one is a fixed value that matches no body hookwork sends, so a receiver that reads it refuses
 * every request; a webhook's custom headers may not set them, a stored one is not sent, and the
 * event and retry-count header settings may not take their names (they are in
 * {@link FRAMEWORK_HEADERS}). A before-send hook, which sees the final body, may add one.
 *
 * - `content-encoding` (RFC 9110 §8.4): receivers that decode by it (Express's `json()`, most
 *   frameworks) answered 400 "incorrect header check" for gzip JSON text.
 * - `content-digest`, `repr-digest` (RFC 9530), `digest` (RFC 3230, obsoleted by RFC 9530):
 *   a hash of the body; a receiver that validates it (ActivityPub servers such as Mastodon for
 *   `Digest`; RFC 9421 message-signature verifiers, which cover `content-digest`) refuses a
 *   mismatch.
 * - `content-md5` (RFC 1864; dropped from HTTP by RFC 7231 Appendix B, still checked by object
 *   stores: S3 answers 400 BadDigest, Azure Storage 400 Md5Mismatch).
 *
 * Not here: `content-range`, which RFC 9110 §14.4 has a server ignore in a request whose method
 * defines no use of it (hookwork always POSTs; only a PUT's may be a partial update, §14.5);
 * `content-language`, `content-location` and `content-disposition`, which describe the
 * representation's audience or place, not its bytes; `want-content-digest` and
 * `want-repr-digest`, which ask for a digest of the response.
 */
export const BODY_HEADERS: ReadonlySet<string> = new Set(['content-encoding', 'content-digest', 'repr-digest', 'digest', 'content-md5']);

/**
 * Why a custom header named `name` cannot be sent because it describes the body (a
 * {@link BODY_HEADERS} one), or undefined.
 */
export function bodyHeaderProblem(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (!BODY_HEADERS.has(lower)) return undefined;
  if (lower === 'content-encoding') return 'describes the body\'s coding, which hookwork sets: it sends the body uncoded, as signed, and a receiver that decodes by Content-Encoding (Express\'s json(), most frameworks) would refuse every request; remove it';
  const rfc = lower === 'content-md5' ? 'RFC 1864' : lower === 'digest' ? 'RFC 3230' : 'RFC 9530';
  return `is a checksum of the body (${rfc}), which hookwork makes anew for every request and signs: a fixed value matches no body it sends, and a receiver that checks it would refuse every request; remove it (a before-send hook, which sees the body, may compute one)`;
}

/**
 * The most bytes a webhook's custom headers may hold in all, names and values counted (4 KiB).
 * A request whose headers pass a receiver's limit is refused before any code of its owner runs
 * — Node's http server answers 431 past 16 KiB in all (`maxHeaderSize`), Tomcat
 * (`maxHttpHeaderSize`) and Jetty (`requestHeaderSize`) 400/431 past 8 KiB in all, request line
 * included; nginx (`large_client_header_buffers`) and Apache (`LimitRequestFieldSize`) past
 * 8 KiB a line — and every attempt of every request was refused so, retried into a dead letter.
 * Half the strictest common total (8 KiB) is the webhook's; the other half is left for the
 * request line (a URL of up to 2,048 characters), each header's `: ` and line end, and
 * hookwork's own headers (the user agent, of up to 1,000, the event, retry-count, `webhook-*`
 * headers with a signature per secret, the CloudEvents attributes, `traceparent` and `tracestate`, Host,
 * Content-Type, Content-Length). A webhook stored with more before the cap is kept, read and
 * sent as it is (the start names it); an update that gives headers must bring them under it.
 */
export const MAX_CUSTOM_HEADER_BYTES = 4096;

/** The bytes one custom header holds, name and value (see {@link MAX_CUSTOM_HEADER_BYTES}). */
function headerBytes(name: string, value: string): number {
  return Buffer.byteLength(name) + Buffer.byteLength(value);
}

/** The bytes a webhook's custom headers hold in all, names and values (see {@link MAX_CUSTOM_HEADER_BYTES}). */
export function customHeaderBytes(headers: Readonly<Record<string, string>>): number {
  let total = 0;
  for (const name of Object.keys(headers)) total += headerBytes(name, headers[name]!);
  return total;
}

/**
 * Why custom `headers` cannot be stored (more than {@link MAX_CUSTOM_HEADER_BYTES} in all), naming
 * the largest, or undefined when they can.
 */
export function customHeaderTotalProblem(headers: Readonly<Record<string, string>>): string | undefined {
  const sizes = Object.keys(headers).map((name): [string, number] => [name, headerBytes(name, headers[name]!)]);
  const total = sizes.reduce((sum, [, bytes]) => sum + bytes, 0);
  if (total <= MAX_CUSTOM_HEADER_BYTES) return undefined;
  const largest = sizes.sort((a, b) => b[1] - a[1]).slice(0, 3).map(([name, bytes]) => `${name} ${bytes.toLocaleString('en-US')}`);
  return `hold ${total.toLocaleString('en-US')} bytes in all (names and values), more than the ${MAX_CUSTOM_HEADER_BYTES.toLocaleString('en-US')} a webhook's custom headers may hold: receivers refuse a request whose headers pass their limit (Node 16 KiB in all, Tomcat and Jetty 8 KiB, nginx and Apache 8 KiB a line; 431 or 400) before their code runs, on every attempt, and hookwork's own headers need the rest. Shorten or remove some (the largest, in bytes: ${largest.join(', ')})`;
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
 * Every request header hookwork sets itself, or that describes the body it makes
 * ({@link BODY_HEADERS}), lower case: a webhook's custom headers may not set them (a stored one is
 * not sent), and the event and retry-count header settings may not take their names. The one
 * list, which validation, the settings and the request builder all read.
 */
export const FRAMEWORK_HEADERS: readonly string[] = Object.freeze([
  'content-type',
  'content-length',
  // hookwork makes the body and sends it as it signs it, uncoded (identity): a custom
  // `Content-Encoding: gzip` told every receiver that decodes by it (Express's json(), most
  // frameworks) to gunzip JSON text, and each attempt was a 400 ("incorrect header check")
  // retried into a dead letter; a custom digest of the body never matches it.
  ...BODY_HEADERS,
  'transfer-encoding',
  'host',
  'connection',
  'user-agent',
  ...Object.values(SIGNATURE_HEADERS),
  TEST_EVENT_HEADER,
  ...CLOUD_EVENTS_HEADERS,
  'traceparent', // sent with `tracing.traceparent` (W3C Trace Context)
  'tracestate', // sent with it when the attempt's span has one: a custom one would pair with another trace's traceparent
]);

/** {@link FRAMEWORK_HEADERS} as a set: what the request builder leaves out of a webhook's custom headers, and the start names when one is stored. */
export const FRAMEWORK_HEADER_SET: ReadonlySet<string> = new Set(FRAMEWORK_HEADERS);
