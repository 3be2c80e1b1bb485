import { createHash } from 'node:crypto';
import type { WebhookView } from '@hookwork/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_ERRORS } from './admin-errors';

/** JSON with every object's keys in order, so one state of a webhook has one text however it was read. */
function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The entity tag of one state of a webhook (RFC 9110 §8.8.3): a strong tag, the digest of its
 * view. Every change to a webhook changes its `updatedAt`, so it changes the tag — a sensitive
 * header's value too, though the view shows it redacted.
 */
export const webhookEtag = (view: WebhookView): string => `"${createHash('sha256').update(canonicalJson(view)).digest('base64url').slice(0, 27)}"`;

/** Sets the ETag of the webhook an answer holds. */
export function withEtag<T extends WebhookView>(reply: FastifyReply, view: T): T {
  reply.header('etag', webhookEtag(view));
  return view;
}

/** The entity tags of an If-Match field value (`*`, or a list of quoted tags); weak ones never match (§13.1.1: strong comparison). */
function parseIfMatch(value: string): '*' | string[] {
  if (value.trim() === '*') return '*';
  return value.match(/(W\/)?"[^"]*"/g)?.filter((tag) => !tag.startsWith('W/')) ?? [];
}

/**
 * Runs a change of one webhook under the request's If-Match (RFC 9110 §13.1.1): without one, as
 * asked; with one, only when the webhook's current tag is among those given — else 412
 * HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED, nothing changed, with the current tag in `ETag`. A
 * webhook that does not exist is the route's own 404 (the precondition is ignored, §13.2.1).
 *
 * The read and the change run under one lock per key in this plugin, so two conditional writes
 * in this process never both pass on the same tag; admin servers in other processes sharing the
 * store are not under it.
 */
export class WebhookPreconditions {
  private readonly locks = new Map<string, Promise<unknown>>();

  async change<T>(request: FastifyRequest, reply: FastifyReply, key: string, read: () => Promise<WebhookView | undefined>, write: () => Promise<T>): Promise<T> {
    const header = request.headers['if-match'];
    if (header === undefined) return write();
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(async () => {
      const current = await read();
      if (current) {
        const tags = parseIfMatch(Array.isArray(header) ? header.join(',') : header);
        const tag = webhookEtag(current);
        if (tags !== '*' && !tags.includes(tag)) {
          reply.header('etag', tag);
          throw ADMIN_ERRORS.create(
            'HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED',
            `webhook ${JSON.stringify(key)} was changed since it was read (If-Match ${tags.length > 0 ? tags.join(', ') : `${JSON.stringify(header)}, which holds no strong tag`}; it is now ${tag}); nothing was changed. Read it again with GET webhook/${key}, apply the change to what it holds now, and send it with the new ETag`,
          );
        }
      }
      return write();
    });
    this.locks.set(key, run);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === run) this.locks.delete(key);
    }
  }
}
