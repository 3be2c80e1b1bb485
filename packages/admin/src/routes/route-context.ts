import type { Management } from '@hookwork/core';
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

/** `Page<T>` in Umbraco's paging terms: `skip`/`take` map to core's `offset`/`limit`. */
export const page = (query: { skip: number; take: number }) => ({ offset: query.skip, limit: query.take });
