import {
  createdWebhookSchema,
  deliveryLogEntrySchema,
  pageSchema,
  rotatedSecretSchema,
  testEventResultSchema,
  webhookEventDescriptorSchema,
  webhookHealthSchema,
  webhookViewSchema,
  type WebhookHealth,
  type DeliveryOutcome,
  type StatusClass,
  type WebhookInput,
  type WebhookPatch,
} from '@hookwork/core';
import type { FastifyInstance } from 'fastify';
import {
  createWebhookBody,
  deliveryKeyParams,
  logFilters,
  cursorPagingQuery,
  pagingQuery,
  patchWebhookBody,
  query,
  replaceWebhookBody,
  rotateSecretBody,
  secretParams,
  testEventBody,
  webhookIdParams,
} from '../api-schemas';
import { durationAdvice, HookworkError, isHookworkError, parseDuration, shownValue } from '@hookwork/core';
import { ADMIN_ERRORS } from '../admin-errors';
import { bodiesQuery, listedLogEntrySchema, withBodies } from '../log-preview';
import { RESERVED_WEBHOOK_KEYS, routeMeantByKey } from '../route-suggestions';
import { conditionally, documentIfMatch, documentReadConditions, etagResponseHeader, notModifiedResponse, preconditionFailedResponse, readConditionally, readPreconditionFailedResponse, withEtag } from '../webhook-preconditions';
import { cursorPage, ok, problemResponses, type Audited, type RouteContext } from './route-context';

type Paging = { skip: number; take: number };
type CursorPaging = { skip?: number; take: number; after?: string };
type LogQuery = CursorPaging & { outcome?: DeliveryOutcome[]; statusClass?: StatusClass[]; eventAlias?: string; requestId?: string; webhookKey?: string; bodies?: 'full' | 'preview' };
type IdParams = { id: string };

const tags = ['Webhook'];
const notFound = (key: string) => {
  const meant = routeMeantByKey(key);
  return new HookworkError('HOOKWORK_ERR_WEBHOOK_NOT_FOUND', `no webhook has the key ${shownValue(key)}; ${meant ? `did you mean the route ${meant}? ` : ''}list the webhooks with GET webhook`);
};

/**
 * What PUT sets a field it is not given to: the field's value on a webhook created without it.
 * Every field of the patch is here, so a PUT never keeps what the request left out.
 */
const REPLACED_DEFAULTS = { name: '', description: '', contentTypeKeys: [], headers: {}, enabled: true, format: { type: 'json' }, rateLimit: null, breaker: null, fifo: false } satisfies Required<Omit<WebhookPatch, 'url' | 'events'>>;

/** Field names only: a header value may be a secret, so the audit trail never holds values. */
const changedFields = (body: object) => ({ fields: Object.keys(body).sort() });

/**
 * Umbraco's webhook routes (`webhook`, `webhook/{id}`, `webhook/events`, `webhook/logs`,
 * `webhook/{id}/logs`: list with skip/take, get, create → 201 with Location, update, delete, the
 * event catalogue in collection order, logs) and what Umbraco lacks: PATCH (enable/disable and
 * other partial edits), delivery detail, test sends, secret rotation and revocation.
 */
export function registerWebhookRoutes(fastify: FastifyInstance, context: RouteContext): void {
  const { audit } = context;

  fastify.get<{ Querystring: CursorPaging }>('/webhook', {
    schema: {
      operationId: 'listWebhooks',
      summary: 'Lists webhooks in creation order, paged by skip/take (Umbraco\'s) or by after, the next of the page before (stable when webhooks are created or deleted between pages).',
      tags,
      querystring: query(cursorPagingQuery),
      response: ok(pageSchema(webhookViewSchema)),
    },
    handler: (request) => context.management().webhooks.list(cursorPage(request.query)),
  });

  fastify.get<{ Querystring: Paging }>('/webhook/events', {
    schema: {
      operationId: 'listWebhookEvents',
      summary: 'The composed event catalogue, in collection order (what a webhook can subscribe to).',
      tags,
      querystring: query(pagingQuery),
      response: ok(pageSchema(webhookEventDescriptorSchema)),
    },
    handler: (request) => {
      const events = context.management().events();
      const { skip, take } = request.query;
      return { items: events.slice(skip, skip + take), total: events.length };
    },
  });

  fastify.get('/webhook/catalogue', {
    schema: {
      operationId: 'getWebhookCatalogue',
      summary: 'The composed events as an OpenAPI 3.1 document with a webhooks entry per event: headers and payload schemas, for receiver teams and hookwork-types.',
      tags,
      querystring: query({}),
      response: ok({ type: 'object', additionalProperties: true, required: ['openapi', 'info', 'webhooks'], properties: { openapi: { type: 'string' }, info: { type: 'object', additionalProperties: true }, webhooks: { type: 'object', additionalProperties: true } } }),
    },
    handler: () => context.management().catalogueDocument(),
  });

  fastify.get<{ Querystring: LogQuery }>('/webhook/logs', {
    schema: {
      operationId: 'listDeliveryLogs',
      summary: "Every webhook's delivery log, newest first, paged and filtered (Umbraco answers a bare list here; this is a page with its total).",
      tags,
      querystring: query({ ...cursorPagingQuery, ...logFilters, webhookKey: webhookIdParams.properties.id, ...bodiesQuery }),
      response: ok(pageSchema(listedLogEntrySchema)),
    },
    handler: async (request) => {
      const { skip, take, after, outcome, statusClass, eventAlias, requestId, webhookKey, bodies } = request.query;
      const page = await context.management().logs({ ...cursorPage({ skip, take, after }), ...(outcome ? { outcomes: outcome } : {}), ...(statusClass ? { statusClasses: statusClass } : {}), ...(eventAlias ? { eventAlias } : {}), ...(requestId ? { requestId } : {}), ...(webhookKey ? { webhookKey } : {}) });
      return withBodies(page, bodies);
    },
  });

  fastify.get<{ Querystring: CursorPaging }>('/webhook/health', {
    schema: {
      operationId: 'listWebhookHealth',
      summary: "The health of the webhooks on one page of GET webhook (same order and paging, skip/take or after): each one's circuit breaker, failing streak and a receiver's pause.",
      tags: ['Health'],
      querystring: query(cursorPagingQuery),
      response: ok(pageSchema(webhookHealthSchema)),
    },
    handler: async (request) => {
      const management = context.management();
      const webhooks = await management.webhooks.list(cursorPage(request.query));
      const items = await Promise.all(webhooks.items.map((w) => management.health(w.key).catch((error: unknown) => (isHookworkError(error) && error.code === 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND' ? undefined : Promise.reject(error)))));
      // A webhook deleted between the two reads is left out; the next page goes on after the webhooks listed.
      return { items: items.filter((h): h is WebhookHealth => h !== undefined), total: webhooks.total, ...(webhooks.next !== undefined ? { next: webhooks.next } : {}) };
    },
  });

  fastify.get<{ Params: IdParams; Querystring: object }>('/webhook/:id/health', {
    schema: {
      operationId: 'getWebhookHealth',
      summary: "One webhook's health: its circuit breaker (closed, open, half-open), failing streak and a receiver's pause (Retry-After), as every process sharing the store sees them.",
      tags: ['Health'],
      params: webhookIdParams,
      querystring: query({}),
      response: ok(webhookHealthSchema),
    },
    handler: (request) => context.management().health(request.params.id),
  });

  fastify.get<{ Params: { key: string }; Querystring: object }>('/webhook/logs/:key', {
    schema: {
      operationId: 'getDelivery',
      summary: 'One delivery attempt in full: request headers and body, response headers and body, error (sensitive values redacted).',
      tags,
      params: deliveryKeyParams,
      querystring: query({}),
      response: ok(deliveryLogEntrySchema),
    },
    handler: (request) => context.management().delivery(request.params.key),
  });

  fastify.get<{ Params: IdParams; Querystring: object }>('/webhook/:id', {
    config: { swaggerTransform: documentReadConditions },
    schema: {
      operationId: 'getWebhook',
      summary: 'One webhook (sensitive header values redacted, secrets by hint only). With If-None-Match holding its current ETag: 304 Not Modified, no body.',
      tags,
      params: webhookIdParams,
      querystring: query({}),
      response: { ...ok(webhookViewSchema, 'OK', etagResponseHeader), ...notModifiedResponse, ...readPreconditionFailedResponse },
    },
    handler: async (request, reply) => {
      const webhook = await context.management().webhooks.get(request.params.id);
      if (!webhook) throw notFound(request.params.id);
      return readConditionally(request, reply, webhook) ?? reply;
    },
  });

  fastify.post<{ Body: WebhookInput; Querystring: object }, Audited>('/webhook', {
    config: { audit: { action: 'webhook.create' } },
    schema: {
      operationId: 'createWebhook',
      summary: 'Creates a webhook: 201 with its Location. With "secret": true the answer holds the generated secret — shown this once.',
      tags,
      querystring: query({}),
      body: createWebhookBody,
      response: { 201: { description: 'Created', headers: { location: { type: 'string', description: 'The new webhook\'s URL.' }, ...etagResponseHeader }, content: { 'application/json': { schema: createdWebhookSchema } } }, ...problemResponses },
    },
    handler: async (request, reply) => {
      const { key } = request.body;
      if (key === '.' || key === '..') {
        throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_INVALID_REQUEST', `the request was refused, nothing was changed: the key ${shownValue(key)} is a URL dot-segment, which every client resolves away (webhook/${key} becomes ${key === '.' ? 'webhook/' : 'the API root'}), so no route could reach the webhook; choose another key, or leave it out for a UUID`, {
          details: [{ field: 'key', problem: 'is . or .., which a URL path cannot carry' }],
        });
      }
      if (key !== undefined && RESERVED_WEBHOOK_KEYS.includes(key.toLowerCase())) {
        throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_INVALID_REQUEST', `the request was refused, nothing was changed: the key ${shownValue(key)} is the name of a route (GET webhook/${key}); choose another key, or leave it out for a UUID`, {
          details: [{ field: 'key', problem: `is a route name (${RESERVED_WEBHOOK_KEYS.join(', ')} are reserved)` }],
        });
      }
      const created = await context.management().webhooks.create(request.body);
      audit.note(request, { target: created.key, details: { ...changedFields(request.body), secretGenerated: created.secret !== undefined } });
      reply.code(201).header('location', `${request.url.replace(/\?.*$/, '').replace(/\/$/, '')}/${encodeURIComponent(created.key)}`);
      const { secret: _secret, ...view } = created;
      withEtag(reply, view);
      return created;
    },
  });

  fastify.put<{ Params: IdParams; Body: WebhookPatch; Querystring: object }, Audited>('/webhook/:id', {
    config: { audit: { action: 'webhook.replace' }, swaggerTransform: documentIfMatch },
    schema: {
      operationId: 'replaceWebhook',
      summary: "Replaces a webhook's definition (Umbraco's update): what is left out is reset — no name, description, content types or headers; enabled; the JSON format; the app's rate limit and breaker, no FIFO.",
      tags,
      params: webhookIdParams,
      querystring: query({}),
      body: replaceWebhookBody,
      response: { ...ok(webhookViewSchema, 'OK', etagResponseHeader), ...preconditionFailedResponse },
    },
    handler: async (request, reply) => {
      const { body } = request;
      audit.note(request, { details: changedFields(body) });
      const { id } = request.params;
      return withEtag(reply, await conditionally(request, reply, id, (precondition) => context.management().webhooks.update(id, { ...REPLACED_DEFAULTS, ...body }, precondition)));
    },
  });

  fastify.patch<{ Params: IdParams; Body: WebhookPatch; Querystring: object }, Audited>('/webhook/:id', {
    config: { audit: { action: 'webhook.update' }, swaggerTransform: documentIfMatch },
    schema: {
      operationId: 'updateWebhook',
      summary: 'Changes some fields of a webhook; the others stay. Enable or disable with { "enabled": true | false }.',
      tags,
      params: webhookIdParams,
      querystring: query({}),
      body: patchWebhookBody,
      response: { ...ok(webhookViewSchema, 'OK', etagResponseHeader), ...preconditionFailedResponse },
    },
    handler: async (request, reply) => {
      audit.note(request, { details: { ...changedFields(request.body), ...(request.body.enabled !== undefined ? { enabled: request.body.enabled } : {}) } });
      const { id } = request.params;
      return withEtag(reply, await conditionally(request, reply, id, (precondition) => context.management().webhooks.update(id, request.body, precondition)));
    },
  });

  fastify.delete<{ Params: IdParams; Querystring: object }, Audited>('/webhook/:id', {
    config: { audit: { action: 'webhook.delete' }, swaggerTransform: documentIfMatch },
    schema: {
      operationId: 'deleteWebhook',
      summary: 'Deletes a webhook (200 with no body, as Umbraco). Its queued requests are dropped, and logged, when delivery meets them.',
      tags,
      params: webhookIdParams,
      querystring: query({}),
      response: { 200: { description: 'Deleted', type: 'null' }, ...preconditionFailedResponse, ...problemResponses },
    },
    handler: async (request, reply) => {
      const { id } = request.params;
      if (!(await conditionally(request, reply, id, (precondition) => context.management().webhooks.delete(id, precondition)))) throw notFound(id);
      return reply.code(200).send();
    },
  });

  fastify.get<{ Params: IdParams; Querystring: LogQuery }>('/webhook/:id/logs', {
    schema: {
      operationId: 'listWebhookDeliveryLogs',
      summary: "One webhook's delivery log, newest first, paged and filtered (readable after the webhook is deleted, until cleaned up).",
      tags,
      params: webhookIdParams,
      querystring: query({ ...cursorPagingQuery, ...logFilters, ...bodiesQuery }),
      response: ok(pageSchema(listedLogEntrySchema)),
    },
    handler: async (request) => {
      const { skip, take, after, outcome, statusClass, eventAlias, requestId, bodies } = request.query;
      const page = await context.management().logs({ webhookKey: request.params.id, ...cursorPage({ skip, take, after }), ...(outcome ? { outcomes: outcome } : {}), ...(statusClass ? { statusClasses: statusClass } : {}), ...(eventAlias ? { eventAlias } : {}), ...(requestId ? { requestId } : {}) });
      return withBodies(page, bodies);
    },
  });

  fastify.post<{ Params: IdParams; Body: { alias?: string } | undefined; Querystring: object }, Audited>('/webhook/:id/test', {
    config: { audit: { action: 'webhook.test' } },
    schema: {
      operationId: 'sendTestEvent',
      summary: "Sends one example request now (not queued, not retried) and answers with the receiver's answer: status, headers, body, duration, or why none came.",
      tags,
      params: webhookIdParams,
      querystring: query({}),
      body: testEventBody,
      response: ok(testEventResultSchema),
    },
    handler: async (request) => {
      const result = await context.management().sendTestEvent(request.params.id, request.body?.alias !== undefined ? { alias: request.body.alias } : {});
      audit.note(request, { details: { requestId: result.requestId, ...(result.statusCode !== undefined ? { statusCode: result.statusCode } : {}), ...(result.errorKind ? { errorKind: result.errorKind } : {}) } });
      return result;
    },
  });

  fastify.post<{ Params: IdParams; Body: { gracePeriod?: number | string; gracePeriodMs?: number } | undefined; Querystring: object }, Audited>('/webhook/:id/secret/rotate', {
    config: { audit: { action: 'webhook.secret.rotate' }, swaggerTransform: documentIfMatch },
    schema: {
      operationId: 'rotateWebhookSecret',
      summary: 'Generates a new signing secret (or the first one) and answers with it — shown this once. The current secrets go on signing through the grace period.',
      tags,
      params: webhookIdParams,
      querystring: query({}),
      body: rotateSecretBody,
      response: { ...ok(rotatedSecretSchema, 'OK', etagResponseHeader), ...preconditionFailedResponse },
    },
    handler: async (request, reply) => {
      const { id } = request.params;
      refuseBadGracePeriod(request.body);
      const options = { ...(request.body?.gracePeriodMs !== undefined ? { gracePeriodMs: request.body.gracePeriodMs } : {}), ...(request.body?.gracePeriod !== undefined ? { gracePeriod: request.body.gracePeriod } : {}) };
      const rotated = await conditionally(request, reply, id, (precondition) => context.management().webhooks.rotateSecret(id, { ...options, ...precondition }));
      audit.note(request, { details: { secretId: rotated.secretId } });
      // The webhook as it now is, and its tag: the next change's If-Match needs no GET first.
      withEtag(reply, rotated.webhook);
      return rotated;
    },
  });

  fastify.delete<{ Params: { id: string; secretId: string }; Querystring: object }, Audited>('/webhook/:id/secret/:secretId', {
    config: { audit: { action: 'webhook.secret.revoke' }, swaggerTransform: documentIfMatch },
    schema: {
      operationId: 'revokeWebhookSecret',
      summary: 'Removes one signing secret at once (e.g. a leaked one); answers with the webhook.',
      tags,
      params: secretParams,
      querystring: query({}),
      response: { ...ok(webhookViewSchema, 'OK', etagResponseHeader), ...preconditionFailedResponse },
    },
    handler: async (request, reply) => {
      audit.note(request, { details: { secretId: request.params.secretId } });
      const { id, secretId } = request.params;
      return withEtag(reply, await conditionally(request, reply, id, (precondition) => context.management().webhooks.revokeSecret(id, secretId, precondition)));
    },
  });
}

/** The longest grace period a rotation takes (core's bound), in ms. */
const MAX_GRACE_PERIOD_MS = 30 * 24 * 3600 * 1000;

/**
 * Refuses a rotation's `gracePeriod` the schema lets through (a string is any duration's text)
 * but no duration reader takes — bare digits, a word, past 30 days — or given with `gracePeriodMs`:
 * a 400 HOOKWORK_ERR_ADMIN_INVALID_REQUEST naming the body field, as `breaker.window` is named. Core
 * refused them as HOOKWORK_ERR_INVALID_ARGUMENT ("the request: gracePeriod …") without the field
 * in `errors`, so a form could not put the message beside its input.
 */
function refuseBadGracePeriod(body: { gracePeriod?: number | string; gracePeriodMs?: number } | undefined): void {
  const given = body?.gracePeriod;
  let problem: string | undefined;
  if (given !== undefined && body?.gracePeriodMs !== undefined) problem = 'goes without gracePeriodMs: give one of them';
  else if (typeof given === 'string') {
    const ms = parseDuration(given);
    if (ms === undefined) problem = durationAdvice(given);
    else if (ms > MAX_GRACE_PERIOD_MS) problem = `must be at most 30 days ("30.00:00:00", ${MAX_GRACE_PERIOD_MS} ms)`;
  }
  if (problem === undefined) return;
  const detail = `${problem} (got ${shownValue(given)})`;
  throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_INVALID_REQUEST', `the request was refused, nothing was changed: body gracePeriod ${detail}`, { details: [{ in: 'body', field: 'gracePeriod', problem: detail }] });
}
