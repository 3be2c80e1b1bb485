/** The Standard Webhooks header names hookwork signs every request with. */
export const SIGNATURE_HEADERS = Object.freeze({ id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' });

/**
 * Request headers that carry a credential whether or not the webhook marks them sensitive: the
 * delivery log and what event classes see of a webhook (`WebhookInfo`) always redact their values.
 */
export const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie']);

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
  'transfer-encoding',
  'host',
  'connection',
  'user-agent',
  ...Object.values(SIGNATURE_HEADERS),
  TEST_EVENT_HEADER,
  ...CLOUD_EVENTS_HEADERS,
  'traceparent', // sent with `tracing.traceparent` (W3C Trace Context); hookwork sends no tracestate
]);
