import { DELIVERY_OUTCOMES, STATUS_CLASSES, STORABLE_TEXT_PATTERN, WEBHOOK_KEY_PATTERN, webhookInputSchema } from '@hookwork/core';

/**
 * The request schemas of the admin API, built from core's (webhookInputSchema,
 * WEBHOOK_KEY_PATTERN, DELIVERY_OUTCOMES, STATUS_CLASSES) so the HTTP boundary refuses exactly what the library
 * refuses. Every query string and body is closed: an unknown parameter or field is a 400 naming
 * it, not silently ignored (a typo such as `?tkae=5` must not list 100 items). A free-text field
 * carries core's STORABLE_TEXT_PATTERN so the OpenAPI document says so; the validator refuses
 * such text in every string of every route anyway (see adminCompilers).
 */

/** Umbraco's paging: `skip` items, then at most `take` (default 100, as Umbraco; at most 1000, core's largest page). */
export const pagingQuery = {
  // At most 2^53 − 1: past it a number is not exact, and a store refuses it as an offset.
  skip: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0, description: 'Items to skip (Umbraco\'s name; core\'s `offset`).' },
  take: { type: 'integer', minimum: 1, maximum: 1000, default: 100, description: 'At most this many items (Umbraco\'s name; core\'s `limit`).' },
} as const;

/**
 * The paging of the listings core pages by cursor (`webhook` and `webhook/health` in creation
 * order; `webhook/logs`, `webhook/{id}/logs`, `dead-letter` newest first): Umbraco's `skip`/`take`,
 * and `after`, the `next` cursor of the page before — stable under writes where `skip` is not.
 * `skip` has no default here, so a request that gives it with `after` is told.
 */
export const cursorPagingQuery = {
  skip: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Items to skip (Umbraco\'s name; core\'s `offset`), 0 when left out. Counted from the listing\'s first item (the oldest webhook, the newest log entry or dead letter) at each request, so what is written or deleted between two requests moves the next page: an item listed twice, another never. Not with `after`.' },
  take: pagingQuery.take,
  after: { type: 'string', minLength: 1, maxLength: 1024, description: 'The `next` of the page before: this page holds the items strictly after its last item, in the same order, whatever was written or deleted meanwhile. Not with `skip`; a cursor of another listing, or changed, is a 400 HOOKWORK_ERR_INVALID_CURSOR.' },
} as const;

/** A query string with only the given parameters. */
export const query = <P extends Record<string, object>>(properties: P) => ({ type: 'object', additionalProperties: false, properties }) as const;

/** The `{id}` of a webhook route: a webhook key. */
export const webhookIdParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200, pattern: WEBHOOK_KEY_PATTERN, description: 'The webhook key.' } },
} as const;

/** An id that is not a webhook key (a log entry key, a request id, a secret id). */
/**
 * The longest key or id a path takes: a webhook key's (core's webhookInputSchema) and every other
 * id's. A Fastify must route path values this long (`maxParamLength`) to reach every webhook.
 */
export const LONGEST_PATH_KEY = webhookInputSchema.properties.key.maxLength;

const opaqueId = { type: 'string', minLength: 1, maxLength: LONGEST_PATH_KEY, pattern: '^[A-Za-z0-9._:-]+$' } as const;

/** `{key}` of a delivery log entry. */
export const deliveryKeyParams = { type: 'object', additionalProperties: false, required: ['key'], properties: { key: { ...opaqueId, description: 'The log entry key.' } } } as const;

/** `{id}` of a dead-lettered request (its webhook-id). */
export const requestIdParams = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { ...opaqueId, description: 'The request id (webhook-id).' } } } as const;

/** `{id}` and `{secretId}` of a webhook's secret. */
export const secretParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'secretId'],
  properties: { ...webhookIdParams.properties, secretId: { ...opaqueId, description: 'The secret id (from the webhook\'s `secrets`).' } },
} as const;

/** The log filters besides paging. */
export const logFilters = {
  outcome: { type: 'array', items: { type: 'string', enum: [...DELIVERY_OUTCOMES] }, maxItems: DELIVERY_OUTCOMES.length, description: 'Only these outcomes (repeat the parameter for several).' },
  statusClass: {
    type: 'array',
    items: { type: 'string', enum: [...STATUS_CLASSES] },
    maxItems: STATUS_CLASSES.length,
    description: 'Only these HTTP status classes (repeat the parameter for several: `statusClass=4xx&statusClass=5xx`); `none` is an attempt that got no response (connection error, timeout, not sent).',
  },
  eventAlias: { type: 'string', minLength: 1, maxLength: 200, pattern: STORABLE_TEXT_PATTERN, description: 'Only this event alias, as it fired.' },
  requestId: { type: 'string', minLength: 1, maxLength: 200, pattern: STORABLE_TEXT_PATTERN, description: 'Only the attempts of this request (its webhook-id).' },
} as const;

const { key: _key, secret: _secret, ...editable } = webhookInputSchema.properties;

/** POST /webhook: core's webhookInputSchema as it is. */
export const createWebhookBody = webhookInputSchema;

/**
 * PUT /webhook/{id}: the whole definition, as Umbraco's UpdateWebhookRequestModel (url and
 * events required; what is left out is reset: no content types, no headers, enabled, no name,
 * the JSON format, no rate limit, breaker or FIFO of its own).
 */
export const replaceWebhookBody = { type: 'object', additionalProperties: false, required: ['url', 'events'], properties: editable } as const;

/** PATCH /webhook/{id}: only the fields given change (enable/disable is `{ "enabled": false }`). */
export const patchWebhookBody = { type: 'object', additionalProperties: false, minProperties: 1, properties: editable } as const;

/** POST /webhook/{id}/test. */
export const testEventBody = {
  type: 'object',
  additionalProperties: false,
  properties: { alias: { type: 'string', minLength: 1, maxLength: 200, pattern: STORABLE_TEXT_PATTERN, description: 'One of the webhook\'s events (default: its first).' } },
} as const;

/** POST /webhook/{id}/secret/rotate. */
export const rotateSecretBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    gracePeriodMs: { type: 'integer', minimum: 0, maximum: 30 * 24 * 3600 * 1000, description: 'How long the current secrets go on signing, ms (default: the secretRotationGracePeriod setting).' },
    gracePeriod: { type: ['integer', 'string'], minimum: 0, maximum: 30 * 24 * 3600 * 1000, maxLength: 40, description: 'gracePeriodMs as every hookwork duration takes it: ms, or a TimeSpan string such as "01:00:00" (not with gracePeriodMs).' },
  },
} as const;

/** `deadSince` of a dead-letter listing or redelivery: an RFC 3339 date-time. */
export const deadSinceSchema = { type: 'string', format: 'date-time', description: 'Only what was dead-lettered at or after this time.' } as const;

/** `deadUntil` of a dead-letter listing or redelivery: an RFC 3339 date-time, the upper bound of what a count confirmed. */
export const deadUntilSchema = {
  type: 'string',
  format: 'date-time',
  description: 'Only what was dead-lettered at or before this time. Give the newest deadAt of the count a user confirmed, so dead letters arriving after it are not redelivered with it.',
} as const;

/** POST /dead-letter/redeliver: which dead letters to put back (core's RedeliverSelector, dates as ISO strings). */
export const redeliverBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  description:
    'Exactly one of: { ids }, { webhookKey, deadSince?, deadUntil? }, { deadSince, deadUntil? }, { all: true, deadUntil? } (ids with another field, all with another than deadUntil, or a deadUntil before deadSince: 400 HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR). deadUntil bounds the selection to what was dead at or before it: send the newest deadAt of the count the user confirmed. An id that names no queued or dead request: 404, nothing redelivered.',
  properties: {
    ids: { type: 'array', minItems: 1, maxItems: 1000, items: opaqueId, description: 'Request ids (webhook-id).' },
    webhookKey: { type: 'string', minLength: 1, maxLength: 200, pattern: WEBHOOK_KEY_PATTERN },
    deadSince: deadSinceSchema,
    deadUntil: deadUntilSchema,
    all: { const: true, description: 'Every dead letter (must be said explicitly).' },
  },
} as const;

/** What a redelivery answers. */
export const redeliveredSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['redelivered', 'skipped'],
  properties: {
    redelivered: { type: 'integer', minimum: 0, description: 'How many dead letters were put back in the queue, due now.' },
    skipped: { type: 'integer', minimum: 0, description: 'How many dead letters asked for were left as they are: their webhook was deleted, so delivering them would only drop them (deleting a webhook drops its dead letters; these are ones whose attempt was out at that moment). A webhook created again with the same key never receives them.' },
  },
} as const;

/** Who the API authenticated (GET /session), and how. */
export const sessionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['principal', 'via'],
  properties: {
    via: { type: 'string', enum: ['token', 'host'], description: "How the request was let in: `token`, a bearer token of auth.token; `host`, the host's own auth.authenticate (its session). The page signs a token out by forgetting it, a host's session only through the host's sign-out (auth.signOutUrl)." },
    principal: {
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      properties: { id: { type: 'string' }, name: { type: 'string' } },
    },
  },
} as const;
