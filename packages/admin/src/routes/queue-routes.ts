import { cleanupResultSchema, HookworkError, isHookworkError, messageWithoutCode, pageSchema, queueCountsSchema, shownValue, webhookRequestSchema, type RedeliverSelector } from '@hookwork/core';
import type { FastifyInstance } from 'fastify';
import { cursorPagingQuery, deadSinceSchema, deadUntilSchema, query, redeliverBody, redeliveredSchema, requestIdParams, sessionSchema, webhookIdParams } from '../api-schemas';
import { cursorPage, ok, type Audited, type RouteContext } from './route-context';

type RedeliverBody = { ids?: string[]; webhookKey?: string; deadSince?: string; deadUntil?: string; all?: true };

/**
 * What Umbraco lacks: dead letters and their redelivery (one, a webhook's, everything dead
 * since a time, all), queue counts, a retention round on demand, and who the caller is.
 */
export function registerQueueRoutes(fastify: FastifyInstance, context: RouteContext): void {
  const { audit } = context;

  fastify.get<{ Querystring: { skip?: number; take: number; after?: string; webhookKey?: string; deadSince?: string; deadUntil?: string } }>('/dead-letter', {
    schema: {
      operationId: 'listDeadLetters',
      summary:
        'Dead-lettered requests (retries exhausted), newest dead first, of every webhook or one; with deadSince, only those dead since then, with deadUntil only those dead until then (the total is what redeliver with the same bounds puts back; the first item\'s deadAt is the deadUntil that bounds a redelivery to this count).',
      tags: ['Dead letter'],
      querystring: query({ ...cursorPagingQuery, webhookKey: webhookIdParams.properties.id, deadSince: deadSinceSchema, deadUntil: deadUntilSchema }),
      response: ok(pageSchema(webhookRequestSchema)),
    },
    handler: (request) => {
      const { webhookKey, deadSince, deadUntil, ...paging } = request.query;
      return context.management().deadLetters({ ...cursorPage(paging), ...(webhookKey ? { webhookKey } : {}), ...(deadSince ? { deadSince: new Date(deadSince) } : {}), ...(deadUntil ? { deadUntil: new Date(deadUntil) } : {}) });
    },
  });

  fastify.post<{ Body: RedeliverBody; Querystring: object }, Audited>('/dead-letter/redeliver', {
    config: { audit: { action: 'deadLetters.redeliver' } },
    schema: {
      operationId: 'redeliverDeadLetters',
      summary:
        'Puts dead letters back in the queue, due now, retry count reset: { ids }, a webhook\'s { webhookKey, deadSince? }, everything dead { deadSince } a time, or { all: true }; each but ids bounded by deadUntil (dead at or before it), so a redelivery confirmed after a count puts back none that died after it. Dead letters of a deleted webhook are left as they are and counted as skipped.',
      tags: ['Dead letter'],
      querystring: query({}),
      body: redeliverBody,
      response: ok(redeliveredSchema),
    },
    handler: async (request) => {
      const { ids, webhookKey, deadSince, deadUntil, all } = request.body;
      const selector: RedeliverSelector = {
        ...(ids ? { ids } : {}),
        ...(webhookKey ? { webhookKey } : {}),
        ...(deadSince ? { deadSince: new Date(deadSince) } : {}),
        ...(deadUntil ? { deadUntil: new Date(deadUntil) } : {}),
        ...(all ? { all } : {}),
      };
      const result = await context.management().redeliver(selector);
      audit.note(request, { ...(webhookKey ? { target: webhookKey } : {}), details: { selector: { ...request.body, ...(ids ? { ids: ids.length } : {}) }, ...result } });
      return result;
    },
  });

  fastify.post<{ Params: { id: string }; Querystring: object }, Audited>('/dead-letter/:id/redeliver', {
    config: { audit: { action: 'deadLetters.redeliver' } },
    schema: {
      operationId: 'redeliverDeadLetter',
      summary:
        'Puts one dead letter back in the queue, due now (404 HOOKWORK_ERR_REQUEST_NOT_FOUND when no queued or dead request has the id; 409 HOOKWORK_ERR_REQUEST_NOT_DEAD when it is still in the queue, not dead — redelivered already; 409 HOOKWORK_ERR_DEAD_LETTER_WEBHOOK_DELETED when its webhook was deleted: it is left as it is, or was removed with the webhook). A 200 always has redelivered: 1.',
      tags: ['Dead letter'],
      params: requestIdParams,
      querystring: query({}),
      response: ok(redeliveredSchema),
    },
    handler: async (request) => {
      const { id } = request.params;
      const result = await context.management().redeliver({ ids: [id] }).catch((error: unknown) => {
        throw notFoundInPath(error, id);
      });
      audit.note(request, { details: { ...result } });
      return result;
    },
  });

  fastify.get<{ Querystring: { webhookKey?: string } }>('/queue/counts', {
    schema: {
      operationId: 'getQueueCounts',
      summary: 'Requests by state — pending (incl. waiting to retry), in flight, dead — of every webhook or one.',
      tags: ['Queue'],
      querystring: query({ webhookKey: webhookIdParams.properties.id }),
      response: ok(queueCountsSchema),
    },
    handler: (request) => context.management().queueCounts(request.query.webhookKey ? { webhookKey: request.query.webhookKey } : {}),
  });

  fastify.post<{ Querystring: object }, Audited>('/cleanup', {
    config: { audit: { action: 'cleanup.run' } },
    schema: {
      operationId: 'runCleanup',
      summary: 'Runs a retention round now (it also runs hourly): deletes log entries and dead letters past their days.',
      tags: ['Queue'],
      querystring: query({}),
      response: ok(cleanupResultSchema),
    },
    handler: async (request) => {
      const result = await context.management().runCleanup();
      audit.note(request, { details: { ...result } });
      return result;
    },
  });

  fastify.get<{ Querystring: object }>('/session', {
    schema: { operationId: 'getSession', summary: "Who the admin API authenticated this request as, and how: a bearer token, or the host's own sign-in.", tags: ['Session'], querystring: query({}), response: ok(sessionSchema) },
    handler: (request) => {
      const principal = context.principal(request)!;
      return { principal: { id: principal.id, ...(principal.name !== undefined ? { name: principal.name } : {}) }, via: context.via(request)! };
    },
  });
}

/**
 * Core names the selector's `ids` when none of them is a request; this route's input is the
 * path's `id`, so its 404 names that, where a client sent it.
 */
function notFoundInPath(error: unknown, id: string): unknown {
  if (!isHookworkError(error, 'HOOKWORK_ERR_REQUEST_NOT_FOUND')) return error;
  return new HookworkError(error.code, messageWithoutCode(error), {
    cause: error,
    details: [{ in: 'path', field: 'id', problem: `is ${shownValue(id)}, which no queued or dead-lettered request has (a dead letter past keepDeadLettersForDays is cleaned up); list dead letters with app.deadLetters()` }],
  });
}
