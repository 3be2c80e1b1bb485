import { createHash } from 'node:crypto';
import type { WebhookView } from '@hookwork/core';
import type { SwaggerTransform } from '@fastify/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_ERRORS } from './admin-errors';
import { problemDetailsSchema } from './problem-details';

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

/** The `ETag` header of an answer that holds one webhook, as the OpenAPI document lists it. */
export const etagResponseHeader = {
  etag: { type: 'string', description: 'The strong entity tag of the webhook as this answer holds it; send it back in If-Match to change the webhook only if it is still in this state.' },
} as const;

/** The 412 answer of a change made under a stale If-Match, for the OpenAPI document and the serializer. */
export const preconditionFailedResponse = {
  412: {
    description: 'HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED: the webhook was changed since the If-Match tag was read; nothing was changed. ETag holds its current tag.',
    headers: etagResponseHeader,
    content: { 'application/problem+json': { schema: problemDetailsSchema } },
  },
} as const;

const ifMatchHeader = {
  type: 'object',
  properties: {
    'If-Match': {
      type: 'string',
      description: 'The ETag the webhook was read with (or *): the change is made only if the webhook is still in that state, else 412 with nothing changed. Optional: without it the change is made as asked (last writer wins).',
    },
  },
} as const;

/**
 * A conditional route's `swaggerTransform` (route config): lists the optional If-Match header in
 * the OpenAPI document only. The route's own schema, which Fastify validates requests with, is
 * left as it is, so a request without If-Match — or with any value — is taken as before.
 */
export const documentIfMatch: SwaggerTransform = ({ schema, url }) => ({ schema: { ...schema, headers: ifMatchHeader }, url });

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
