import type { CursorPageRequest, Management } from '@hookwork/core';
import { ADMIN_ERRORS } from '../admin-errors';
import type { FastifyRequest } from 'fastify';
import { problemDetailsSchema } from '../problem-details';
import type { AuditConfig, AuditTrail } from '../audit';
import type { AdminAuthMethod, AdminPrincipal } from '../auth';

/** What the admin routes work with. */
export interface RouteContext {
  /** The app's management service; until `start()` resolves HOOKWORK_ERR_APP_NOT_STARTED, after `stop()` _STOPPED (answered 503, see managementOf()). */
  management(): Management;
  audit: AuditTrail;
  /** Who made the request (set by the authentication hook). */
  principal(request: FastifyRequest): AdminPrincipal | undefined;
  /** How they were let in: a bearer token, or the host's own `authenticate`. */
  via(request: FastifyRequest): AdminAuthMethod | undefined;
}

/** The route config of a write: what the audit trail records it as. */
export type Audited = { audit: AuditConfig };

/** The error answers every API route may give, for the OpenAPI document and the serializer. */
export const problemResponses = {
  '4XX': { description: 'Problem details (RFC 9457) with hookwork\'s error code.', content: { 'application/problem+json': { schema: problemDetailsSchema } } },
  '5XX': { description: 'Problem details (RFC 9457) with hookwork\'s error code.', content: { 'application/problem+json': { schema: problemDetailsSchema } } },
} as const;

/** A 200 answer of `schema`, with the response `headers` it carries, for the OpenAPI document. */
export const ok = (schema: object, description = 'OK', headers?: object) => ({ 200: { description, ...(headers ? { headers } : {}), content: { 'application/json': { schema } } }, ...problemResponses });

/**
 * The page of a listing core pages by cursor (webhooks, delivery log, dead letters) in core's
 * terms: `skip` → `offset`, `take` → `limit`, `after` as it is. `skip` with `after` is a 400
 * HOOKWORK_ERR_ADMIN_INVALID_REQUEST naming both: a page starts after a cursor or at an offset,
 * and nothing is read.
 */
export function cursorPage(query: { skip?: number; take: number; after?: string }): CursorPageRequest {
  if (query.skip !== undefined && query.after !== undefined) {
    throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_INVALID_REQUEST', 'the request was refused: query skip and after were both given; a page starts after a cursor or at an offset: pass after alone (the next of the page before), or skip without after', {
      details: [{ in: 'query', field: 'skip', problem: 'is given with after' }, { in: 'query', field: 'after', problem: 'is given with skip' }],
    });
  }
  return { limit: query.take, ...(query.skip !== undefined ? { offset: query.skip } : {}), ...(query.after !== undefined ? { after: query.after } : {}) };
}
