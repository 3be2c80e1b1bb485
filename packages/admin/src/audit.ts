import { printableField, type AuditRecord, type Hookwork, type Logger } from '@hookwork/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdminPrincipal } from './auth';

/** What a write route tells the audit trail: its action, and how to name its target. */
export interface AuditConfig {
  /** e.g. `webhook.create`. */
  action: string;
}

/**
 * The audit trail of the admin API: every write (a POST, PUT, PATCH or DELETE) a route answers,
 * whether it succeeded or was refused, becomes one {@link AuditRecord} (a request the host's
 * router refuses before any route, see adminFrameworkErrors, has no route and so no record) — emitted as the app's `audit`
 * lifecycle event and written to the logger (info when it succeeded, warn otherwise). Handlers
 * add the target and details (field names, counts; never a header value or a secret).
 */
export class AuditTrail {
  private readonly pending = new WeakMap<FastifyRequest, { target?: string; details?: Record<string, unknown> }>();

  constructor(
    private readonly app: Pick<Hookwork<never>, 'lifecycle'>,
    private readonly logger: Logger,
  ) {}

  /** Notes what a handler did, for the record written when its answer is sent. */
  note(request: FastifyRequest, note: { target?: string; details?: Record<string, unknown> }): void {
    const current = this.pending.get(request) ?? {};
    this.pending.set(request, { ...current, ...note, details: { ...current.details, ...note.details } });
  }

  /** Writes the record of one answered write. */
  record(request: FastifyRequest, reply: FastifyReply, config: AuditConfig, principal: AdminPrincipal | undefined, code: string | undefined): void {
    const noted = this.pending.get(request) ?? {};
    const params = request.params as Record<string, string> | undefined;
    // A path value reaches here unchecked when the request was refused before validation (a 401):
    // `webhook/x%0A[hookwork] info …` must not write a forged second line into the log.
    const fromPath = params?.id ?? params?.key;
    const target = noted.target ?? (fromPath === undefined ? undefined : printableField(fromPath));
    const status = reply.statusCode;
    const record: AuditRecord = {
      action: config.action,
      ...(principal ? { principal: principal.id } : {}),
      ...(target !== undefined ? { target } : {}),
      outcome: status < 400 ? 'succeeded' : status < 500 ? 'refused' : 'failed',
      status,
      ...(code ? { code } : {}),
      ...(noted.details && Object.keys(noted.details).length > 0 ? { details: noted.details } : {}),
      at: new Date(),
    };
    const line = `admin: ${record.action}${target !== undefined ? ` ${target}` : ''} by ${record.principal !== undefined ? printableField(record.principal) : 'an unauthenticated caller'}: ${record.outcome} (${status}${code ? ` ${code}` : ''})`;
    if (record.outcome === 'succeeded') this.logger.info(line, { audit: record });
    else this.logger.warn(line, { audit: record });
    // A listener that throws is logged by the app's lifecycle, and the others are called all the same.
    this.app.lifecycle.emit('audit', record);
  }
}
