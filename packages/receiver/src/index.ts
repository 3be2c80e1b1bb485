/**
 * @hookwork/receiver — the receiving side of webhooks sent by hookwork (or Umbraco, or any
 * Standard Webhooks sender): verify signatures with the `standardwebhooks` package, read the
 * event alias in either header style, deduplicate by `webhook-id`, dispatch typed events, and
 * answer with the status the sender's retry policy expects. It does not depend on
 * @hookwork/core. Express and Fastify adapters are in `@hookwork/receiver/express` and
 * `@hookwork/receiver/fastify`; the node:http adapter is here.
 */
export { RECEIVER_ERROR_CODES, type ReceiverErrorCode } from './errors/receiver-error-codes';
export { isReceiverError, ReceiverError } from './errors/receiver-error';
export { WEBHOOK_HEADERS, DEFAULT_HEADER_NAMES, MAX_WEBHOOK_ID_LENGTH, type HeadersInput, type HeaderNames } from './headers';
export { MAX_CLOUD_EVENT_HEADER_CHARACTERS } from './cloud-event';
export { MAX_EVENT_ALIAS_LENGTH } from './header-values';
export {
  type CloudEventAttributes,
  type EventOfAlias,
  type ReceivedEvent,
  type WebhookEventShape,
  type WebhookHandler,
  type WebhookHandlers,
  type WebhookMetadata,
} from './event-types';
export { TIMESTAMP_TOLERANCE_SECONDS } from './verification/signature-verifier';
export { type DedupeClaim, type DedupeCompleteOptions, type DedupeStore } from './dedupe/dedupe-store';
export { DEFAULT_MEMORY_DEDUPE_MAX_ENTRIES, memoryDedupeStore, type MemoryDedupeStoreOptions } from './dedupe/memory-dedupe-store';
export {
  type AnyReceiver,
  createReceiver,
  DEFAULT_DEDUPE_TIMEOUT_MS,
  DEFAULT_RETRY_AFTER_SECONDS,
  type DedupeOptions,
  type HandleOption,
  type HandlersOption,
  type RawWebhookRequest,
  type Receiver,
  type ReceiverAnswer,
  type ReceiverHandlerOptions,
  type ReceiverOptionsBase,
  type ReceiverOutcome,
  type SecretsOption,
  type SignedReceiverOptions,
  type TestSendMode,
  type UnsignedOption,
  type UnsignedReceiverOptions,
} from './receiver';
export { DEFAULT_MAX_BODY_BYTES, readRawBody } from './adapters/raw-body';
export { createNodeHandler } from './adapters/node-http';
export { createFetchHandler } from './adapters/fetch';
export { writeAnswer, type AdapterOptions } from './adapters/adapter-support';
