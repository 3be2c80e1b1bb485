import { isEntityTag, isHookworkError, shownList, webhookEtag, type WebhookChangedDetails, type WebhookPrecondition, type WebhookView } from '@hookwork/core';
import type { SwaggerTransform } from '@fastify/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_ERRORS } from './admin-errors';
import { problemDetailsSchema } from './problem-details';

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

/**
 * The entity tags of an If-Match field value (`*`, or a list of quoted tags); weak ones never match
 * (§13.1.1: strong comparison). A quoted string holding what an entity tag may not (a space, a
 * control character: RFC 9110 §8.8.3's `etagc`) is no tag: it matches nothing (a 412), as it could
 * name no state of a webhook.
 */
function parseIfMatch(value: string): '*' | string[] {
  if (value.trim() === '*') return '*';
  return (value.match(/(W\/)?"[^"]*"/g) ?? []).filter((tag) => !tag.startsWith('W/') && isEntityTag(tag));
}

/**
 * Refuses an If-Match field that holds nothing — empty, blanks, or only commas (`If-Match: ,,,`):
 * 400 HOOKWORK_ERR_ADMIN_INVALID_REQUEST naming the header, nothing changed. RFC 9110 §13.1.1
 * has If-Match be `*` or a list of entity tags, and a recipient ignores empty list elements
 * (§5.6.1), so such a field names no state at all. Taken as no header, it made the write
 * unconditionally; taken as a list of no tags, it was a 412 for a webhook nobody changed. Either
 * way the client's check did not happen as meant: what it sent is the fault, so it is named.
 */
function refuseEmptyIfMatch(text: string): void {
  if (!text.split(',').every((element) => element.trim() === '')) return;
  throw ADMIN_ERRORS.create(
    'HOOKWORK_ERR_ADMIN_INVALID_REQUEST',
    `the request was refused, nothing was changed: the If-Match header is ${text.trim() === '' ? 'empty' : `${JSON.stringify(text)}, a list of no entity tags`}; send the ETag the webhook was read with (quotes included), "*" for any state, or no If-Match at all for an unconditional change`,
    { details: [{ in: 'header', field: 'If-Match', problem: 'holds no entity tag: send an ETag, *, or no If-Match' }] },
  );
}

/**
 * Makes a change of one webhook under the request's If-Match (RFC 9110 §13.1.1): `change` is given
 * the precondition for `app.webhooks` (none without the header). Core checks it on the webhook as
 * stored, in one step with the write — against every writer of the store, admin servers in other
 * processes included — so of two changes sent with the same tag one is made and the other is a 412
 * HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED, nothing changed, with the current tag in `ETag`. A webhook
 * that does not exist is the route's own 404 (the precondition is ignored, §13.2.1).
 */
export async function conditionally<T>(request: FastifyRequest, reply: FastifyReply, key: string, change: (precondition: WebhookPrecondition | undefined) => Promise<T>): Promise<T> {
  const header = request.headers['if-match'];
  if (header === undefined) return change(undefined);
  const text = Array.isArray(header) ? header.join(',') : header;
  refuseEmptyIfMatch(text);
  const tags = parseIfMatch(text);
  try {
    return await change({ ifMatch: tags });
  } catch (error) {
    if (!isHookworkError(error, 'HOOKWORK_ERR_WEBHOOK_CHANGED')) throw error;
    const { etag } = error.details as WebhookChangedDetails;
    reply.header('etag', etag);
    throw ADMIN_ERRORS.create(
      'HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED',
      `webhook ${JSON.stringify(key)} was changed since it was read (If-Match ${tags === '*' ? '*' : tags.length > 0 ? shownList(tags, { show: (tag) => tag }) : `${JSON.stringify(text)}, which holds no strong tag`}; it is now ${etag}); nothing was changed. Read it again with GET webhook/${key}, apply the change to what it holds now, and send it with the new ETag`,
      { cause: error },
    );
  }
}
