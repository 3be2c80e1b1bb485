import { WEBHOOK_KEY_PATTERN, webhookInputSchema } from './webhook-input-schema';

/**
 * JSON Schemas (draft 2020-12 compatible, as OpenAPI 3.1 uses) of what the management service
 * returns, as JSON carries it: dates are ISO 8601 strings (`format: date-time`). An HTTP API
 * validates and serialises its answers with them and documents them in OpenAPI, so what it
 * sends and what the library returns cannot drift apart (a test checks every service result
 * against them). Every object is closed (`additionalProperties: false`): a field added to a
 * model must be added here too, or an API that serialises by schema leaves it out — which is
 * what keeps a secret added to a model from leaking through an API by accident.
 */

import type { DeliveryErrorKind } from '../model/delivery-log-entry';
import type { StatusClass } from '../ports/delivery-log';
import { webhookFormatSchema } from './webhook-format';

const dateTime = { type: 'string', format: 'date-time' } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
const stringList = { type: 'array', items: { type: 'string' } } as const;

/** The outcomes a delivery log entry can have (see DeliveryOutcome). */
export const DELIVERY_OUTCOMES = Object.freeze(['delivered', 'retrying', 'dead', 'released', 'dropped', 'test'] as const);

/**
 * The HTTP status classes the delivery log can be filtered by (see StatusClass), in the order a
 * filter offers them. One key per class, so a class added to StatusClass does not compile until
 * it is here.
 */
export const STATUS_CLASSES: readonly StatusClass[] = Object.freeze(Object.keys({ '1xx': true, '2xx': true, '3xx': true, '4xx': true, '5xx': true, none: true } satisfies Record<StatusClass, true>) as StatusClass[]);

/**
 * One key per DeliveryErrorKind, so leaving a kind out does not compile: an API that validates
 * its answers against these schemas answers 500 for a log entry of a kind missing here (as it
 * did for `invalid`).
 */
const ERROR_KINDS: Readonly<Record<DeliveryErrorKind, true>> = { timeout: true, refused: true, reset: true, dns: true, ssrf: true, tls: true, aborted: true, invalid: true, other: true };

/** The error kinds of an attempt that got no response (see DeliveryErrorKind). */
export const DELIVERY_ERROR_KINDS: readonly DeliveryErrorKind[] = Object.freeze(Object.keys(ERROR_KINDS) as DeliveryErrorKind[]);

/** JSON Schema of a {@link WebhookSecretView}: an id and a hint, never the secret. */
export const webhookSecretViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'hint', 'createdAt'],
  properties: {
    id: { type: 'string' },
    hint: { type: 'string', description: 'The last four characters of the secret, to tell secrets apart.' },
    createdAt: dateTime,
    expiresAt: { ...dateTime, description: 'When it stops signing (set while a rotation is in its grace period).' },
  },
} as const;

/** JSON Schema of a {@link WebhookView}: sensitive header values read "[redacted]". */
export const webhookViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'url', 'events', 'contentTypeKeys', 'headers', 'sensitiveHeaders', 'enabled', 'format', 'secrets', 'createdAt', 'updatedAt', 'unknownEvents'],
  properties: {
    key: { type: 'string', pattern: WEBHOOK_KEY_PATTERN },
    name: { type: 'string' },
    description: { type: 'string' },
    url: { type: 'string' },
    events: stringList,
    contentTypeKeys: stringList,
    headers: { ...stringMap, description: 'Custom headers; a sensitive one reads "[redacted]".' },
    sensitiveHeaders: { ...stringList, description: 'Names (lower case) of the headers whose values are redacted.' },
    enabled: { type: 'boolean' },
    format: webhookFormatSchema,
    secrets: { type: 'array', items: webhookSecretViewSchema },
    rateLimit: webhookInputSchema.properties.rateLimit,
    // Shown in ms: the input's TimeSpan strings are read as ms when stored.
    breaker: {
      ...webhookInputSchema.properties.breaker,
      properties: {
        ...webhookInputSchema.properties.breaker.properties,
        window: { type: 'integer', minimum: 1, description: 'ms' },
        coolDown: { type: 'integer', minimum: 1, description: 'ms' },
      },
    },
    fifo: { type: 'object', additionalProperties: false, required: ['onDeadLetter'], properties: { onDeadLetter: { type: 'string', enum: ['skip', 'block'] } } },
    createdAt: dateTime,
    updatedAt: dateTime,
    unknownEvents: { ...stringList, description: 'Aliases no composed event handles (e.g. after a plugin was removed).' },
    urlBlocked: { type: 'string', description: "Present when delivery will refuse the URL under the app's ssrf settings (an internal address such as 127.0.0.1 or 169.254.169.254, or localhost): why, and the setting that allows it." },
  },
} as const;

/** JSON Schema of a {@link CreatedWebhook}: the view and, when one was generated, the secret shown this once. */
export const createdWebhookSchema = {
  ...webhookViewSchema,
  properties: {
    ...webhookViewSchema.properties,
    secret: { type: 'string', pattern: '^whsec_', description: 'The generated signing secret in clear: shown this once, never again.' },
  },
} as const;

/** JSON Schema of what rotateSecret() returns ({@link RotatedSecret}): the new secret, shown this once, and the webhook as it now is. */
export const rotatedSecretSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['secretId', 'secret', 'webhook'],
  properties: {
    secretId: { type: 'string' },
    secret: { type: 'string', pattern: '^whsec_', description: 'The new signing secret in clear: shown this once, never again.' },
    webhook: { ...webhookViewSchema, description: 'The webhook as stored after the rotation (secrets by hint only); its ETag is the answer\'s.' },
  },
} as const;

/** JSON Schema of a {@link WebhookEventDescriptor} (one composed event of the catalogue). */
export const webhookEventDescriptorSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['alias', 'eventName', 'eventType', 'synonyms', 'patterns'],
  properties: {
    alias: { type: 'string' },
    eventName: { type: 'string' },
    eventType: { type: 'string', description: 'Content, Media, Member, Element or Other (Umbraco\'s WebhookEventTypes), or a plugin\'s own.' },
    synonyms: stringList,
    patterns: stringList,
  },
} as const;

/** JSON Schema of a {@link DeliveryLogEntry}: one attempt, request and response (secrets and sensitive headers redacted). */
export const deliveryLogEntrySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'webhookKey', 'requestId', 'url', 'eventAlias', 'retryCount', 'date', 'requestHeaders', 'requestBody', 'responseHeaders', 'responseBody', 'durationMs', 'outcome'],
  properties: {
    key: { type: 'string' },
    webhookKey: { type: 'string' },
    requestId: { type: 'string', description: 'The request\'s webhook-id.' },
    url: { type: 'string' },
    eventAlias: { type: 'string' },
    retryCount: { type: 'integer', minimum: 0, description: 'The retry-count header of this attempt (0 on the first).' },
    date: { ...dateTime, description: 'When the attempt started.' },
    statusCode: { type: 'integer', description: 'The HTTP status, when a response arrived.' },
    requestHeaders: stringMap,
    requestBody: { type: 'string' },
    responseHeaders: stringMap,
    responseBody: { type: 'string', description: 'Cut at maxResponseBodyBytes.' },
    errorKind: { type: 'string', enum: [...DELIVERY_ERROR_KINDS] },
    errorMessage: { type: 'string' },
    durationMs: { type: 'number', minimum: 0 },
    outcome: { type: 'string', enum: [...DELIVERY_OUTCOMES] },
  },
} as const;

/** JSON Schema of a stored {@link WebhookRequest} (as dead letters are listed). */
export const webhookRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'webhookKey', 'eventAlias', 'body', 'createdAt', 'dueAt', 'state', 'attempts'],
  properties: {
    id: { type: 'string', description: 'The Standard Webhooks webhook-id, stable across retries.' },
    webhookKey: { type: 'string' },
    eventAlias: { type: 'string' },
    body: { type: 'string', description: 'The JSON body exactly as it is signed and sent.' },
    createdAt: dateTime,
    dueAt: dateTime,
    state: { type: 'string', enum: ['pending', 'inflight', 'dead'] },
    attempts: { type: 'integer', minimum: 0 },
    lastError: { type: 'string' },
    leaseOwner: { type: 'string' },
    leaseExpiresAt: dateTime,
    deadAt: dateTime,
    fifo: { type: 'string', enum: ['skip', 'block'], description: 'Delivered in publish order; what it does to its line once dead-lettered.' },
    traceparent: { type: 'string', description: 'The W3C traceparent of the span that enqueued it.' },
    tracestate: { type: 'string', description: 'The W3C tracestate of the span that enqueued it (vendors\' state), when it had one.' },
  },
} as const;

/** JSON Schema of a {@link WebhookHealth}: a webhook's circuit breaker, failing streak and a receiver's pause. */
export const webhookHealthSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['webhookKey', 'breaker', 'consecutiveFailures'],
  properties: {
    webhookKey: { type: 'string' },
    breaker: { type: 'string', enum: ['closed', 'open', 'half-open'] },
    openedAt: dateTime,
    probeAt: { ...dateTime, description: 'Open: when the next probe may go. Half-open: when the probe out now lapses.' },
    consecutiveFailures: { type: 'integer', minimum: 0 },
    failingSince: { ...dateTime, description: 'The first failure since the last success.' },
    pausedUntil: { ...dateTime, description: 'The receiver asked (Retry-After) that nothing be sent before this.' },
  },
} as const;

/** JSON Schema of {@link QueueCounts}. */
export const queueCountsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['pending', 'inFlight', 'dead'],
  properties: {
    pending: { type: 'integer', minimum: 0, description: 'Waiting, or waiting to retry.' },
    inFlight: { type: 'integer', minimum: 0 },
    dead: { type: 'integer', minimum: 0 },
  },
} as const;

/** JSON Schema of a {@link TestEventResult}: the receiver's answer to a test send. */
export const testEventResultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ok', 'headers', 'body', 'durationMs', 'requestId', 'payload'],
  properties: {
    ok: { type: 'boolean', description: 'True when the receiver answered 2xx.' },
    statusCode: { type: 'integer' },
    headers: { ...stringMap, description: 'The response headers (lower-case names).' },
    body: { type: 'string', description: 'The response body as text, cut at maxResponseBodyBytes.' },
    durationMs: { type: 'number', minimum: 0 },
    errorKind: { type: 'string' },
    errorMessage: { type: 'string' },
    requestId: { type: 'string' },
    payload: { type: 'string', enum: ['example', 'generic'] },
    exampleError: { type: 'string' },
  },
} as const;

/** JSON Schema of a {@link CleanupResult}. */
export const cleanupResultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['logEntries', 'deadLetters', 'droppedRequests'],
  properties: {
    logEntries: { type: 'integer', minimum: 0, description: 'Log entries deleted.' },
    deadLetters: { type: 'integer', minimum: 0, description: 'Dead letters deleted.' },
    droppedRequests: { type: 'integer', minimum: 0, description: "Requests of deleted webhooks (pending ones and dead letters) a deletion cut short left queued, removed and logged as `dropped`." },
  },
} as const;

/** JSON Schema of a {@link Page} of `items`. */
export function pageSchema<T extends object>(items: T) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['items', 'total'],
    properties: {
      items: { type: 'array', items },
      total: { type: 'integer', minimum: 0, description: 'Items in the whole listing, not only this page.' },
      next: { type: 'string', minLength: 1, maxLength: 1024, pattern: '^[A-Za-z0-9_-]+$', description: 'An opaque cursor when more items follow (webhooks, delivery log, dead letters); pass it as `after` for the next page, which holds the items strictly after this one whatever was written or deleted meanwhile. Absent on the last page.' },
    },
  } as const;
}
