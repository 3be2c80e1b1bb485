/**
 * Every code the receiver kit raises, with the HTTP status a receiver answers with it and a
 * one-line summary. docs/errors.md has a section per code (a test keeps them in step).
 *
 * The statuses are the contract with the sender's retry policy: 401 and 400 say "this request
 * is wrong" (hookwork retries 4xx unless `retryClientErrors` is off; it can't help, but it does
 * no harm either), 413 says "too large", 415 "sent in a form this receiver can't read", and 500 says "try again later" — a handler failure, a
 * dedupe store's fault or a receiver wired up wrongly, all things a retry after a fix can cure; 503
 * (with Retry-After) says "unavailable: not before then" — a memory dedupe store full of ids it must
 * keep, or a dedupe store whose backend (Redis, PostgreSQL) is down or busy.
 * One code is no refusal: RECEIVER_ERR_UNHANDLED_EVENT (200) tells `onError` of an event that was
 * answered 200 `unhandled`, so that an event the receiver drops is never dropped silently.
 */
export const RECEIVER_ERROR_CODES = Object.freeze({
  RECEIVER_ERR_MISSING_HEADER: { status: 401, summary: 'a Standard Webhooks header (webhook-id, webhook-timestamp, webhook-signature) is missing' },
  RECEIVER_ERR_INVALID_TIMESTAMP: { status: 401, summary: 'webhook-timestamp is not a whole number of seconds' },
  RECEIVER_ERR_STALE_TIMESTAMP: { status: 401, summary: 'webhook-timestamp is more than 5 minutes from the receiver clock' },
  RECEIVER_ERR_BAD_SIGNATURE: { status: 401, summary: 'no signature in webhook-signature matches any configured secret' },
  RECEIVER_ERR_NO_EVENT_ALIAS: { status: 400, summary: 'no event header (hookwork-event, umb-webhook-event), CloudEvent type or Standard Webhooks envelope ("type", "timestamp", "data") names the event' },
  RECEIVER_ERR_INVALID_HEADER: { status: 400, summary: 'a header the kit reads is malformed: sent more than once with different values (or two event headers disagree), a retry count that is no whole number from 0, hookwork-test neither true nor false, a webhook-id or event alias too long or not printable ASCII, an unsigned request\'s webhook-timestamp that is no Unix seconds, or a binary-mode CloudEvent\'s ce-* headers (a bad percent escape, a required one missing, a ce-time that is no timestamp, over 16 KiB together)' },
  RECEIVER_ERR_INVALID_JSON: { status: 400, summary: 'the body is not JSON, or a structured CloudEvent envelope lacks a required attribute or has a time or subject of another form' },
  RECEIVER_ERR_METHOD_NOT_ALLOWED: { status: 405, summary: 'a request other than POST reached an adapter: webhooks arrive as POST requests' },
  RECEIVER_ERR_BODY_TOO_LARGE: { status: 413, summary: 'the body (or what it decodes to) is larger than the adapter accepts' },
  RECEIVER_ERR_UNSUPPORTED_ENCODING: { status: 415, summary: 'the body is content-encoded in a coding the receiver does not decode (or in more than two, or one twice), or reached receiver.verify()/handle() still encoded' },
  RECEIVER_ERR_UNSUPPORTED_CLOUDEVENT: { status: 415, summary: 'a CloudEvent in a form the kit does not read: a batch, data_base64, no data, or a specversion other than 1.0' },
  RECEIVER_ERR_BAD_ENCODING: { status: 400, summary: 'the body does not decode as its content-encoding header says, and does not verify as given either' },
  RECEIVER_ERR_BODY_NOT_RAW: { status: 500, summary: 'the body reached the receiver already parsed, not as the raw bytes that were signed' },
  RECEIVER_ERR_HEADERS_SHAPE: { status: 500, summary: 'the request headers reached the receiver in a shape it does not read (none, a string, the request itself)' },
  RECEIVER_ERR_HANDLER_FAILED: { status: 500, summary: "the event's handler threw" },
  RECEIVER_ERR_DEDUPE_STORE: { status: 500, summary: 'the dedupe store failed to claim the webhook-id: a fault of the store (it threw an error that is no outage, or resolved to no claim)' },
  RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE: { status: 503, summary: "the dedupe store's backend is unavailable for now (connection refused, reset or timed out, the server shutting down, busy or out of connections): answered 503 with Retry-After" },
  RECEIVER_ERR_DEDUPE_STORE_FULL: { status: 503, summary: 'the memory dedupe store is full of ids it must not forget yet (being handled, or still replayable): answered 503 with Retry-After' },
  RECEIVER_ERR_INVALID_OPTIONS: { status: 500, summary: 'createReceiver() or an adapter was given options it cannot work with' },
  RECEIVER_ERR_INVALID_CLI_ARGUMENT: { status: 400, summary: 'hookwork-types (or the receiver example) was given a command line it cannot run: an unknown option, a missing value, no or two catalogue files, a file that is not a hookwork catalogue, a --name that is no type name, or json-schema-to-typescript missing; exit code 2, nothing written' },
  RECEIVER_ERR_OUTPUT_FILE: { status: 500, summary: 'hookwork-types could not write its --out file (a missing directory, no permission, a directory)' },
  RECEIVER_ERR_UNHANDLED_EVENT: { status: 200, summary: 'no handler (and no unhandled) for the alias: answered 200 unhandled, told to onError so that no event is dropped silently' },
  RECEIVER_ERR_INTERNAL: { status: 500, summary: 'an unexpected failure inside the receiver itself (a bug, a broken dependency), not the request or the handler' },
} as const);

/** A code of {@link RECEIVER_ERROR_CODES}. */
export type ReceiverErrorCode = keyof typeof RECEIVER_ERROR_CODES;
