/**
 * @hookwork/receiver — the receiving side of webhooks sent by hookwork (or Umbraco, or any
 * Standard Webhooks sender): verify signatures with the `standardwebhooks` package, read the
 * event alias in either header style, deduplicate by `webhook-id`, dispatch typed events, and
 * answer with the status the sender's retry policy expects. It does not depend on
 * @hookwork/core. Express and Fastify adapters are in `@hookwork/receiver/express` and
 * `@hookwork/receiver/fastify`; the node:http adapter is here.
 */
export * from './errors/receiver-error-codes';
export * from './errors/receiver-error';
export { WEBHOOK_HEADERS, DEFAULT_HEADER_NAMES, type HeadersInput, type HeaderNames } from './headers';
export * from './event-types';
export { TIMESTAMP_TOLERANCE_SECONDS } from './verification/signature-verifier';
export * from './dedupe/dedupe-store';
export * from './dedupe/memory-dedupe-store';
export * from './receiver';
export * from './adapters/raw-body';
export * from './adapters/node-http';
export { writeAnswer, type AdapterOptions } from './adapters/adapter-support';
