import { readOrRefuse } from '../model/caller-input';
import { createHash } from 'node:crypto';
import { isPlainObject, objectKind } from '../model/plain-object';
import { HookworkError, shownValue } from '../errors/hookwork-error';
import { unknownOption } from '../errors/nearest-name';
import type { WebhookView } from '../model/webhook';

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
 * The entity tag of one state of a webhook (RFC 9110 §8.8.3): a strong tag, quoted, the digest of
 * its view (`"3q2-…"`, 29 characters). Every change to a webhook changes its `updatedAt`, so it
 * changes the tag — a sensitive header's value too, though the view shows it redacted. An API that
 * answers with a webhook sends this as its `ETag`, and passes what comes back in `If-Match` to
 * {@link WebhookPrecondition.ifMatch}; the admin API does. What `create()` answers (a view and the
 * generated secret) has the tag of the webhook as stored: the secret is left out of the digest.
 * So are `unknownEvents` and `urlBlocked`, which each app derives from the events it composed and its
 * settings: two instances on one store with different plugins (a rolling deploy) give one state of a
 * webhook one tag.
 */
export function webhookEtag(view: WebhookView): string {
  // What create() answers is a view with the generated secret, shown once, beside it (CreatedWebhook):
  // its tag is the stored state's, so a change sent over the creation's answer is made (and the
  // secret's digest is nowhere in a header). unknownEvents and urlBlocked are this process's reading of the state.
  const { secret: _shownOnce, unknownEvents: _derived, urlBlocked: _derivedToo, ...state } = view as WebhookView & { secret?: unknown };
  return `"${createHash('sha256').update(canonicalJson(state)).digest('base64url').slice(0, 27)}"`;
}

/**
 * A condition on the webhook as it is stored, given to `app.webhooks.update`, `delete`,
 * `rotateSecret` and `revokeSecret`. It is checked inside the same atomic step as the change —
 * against every other writer of the store, other processes on the same database included — so
 * two callers that read the same state and both change it under that state's tag never both
 * succeed: one is made, the other is refused with HOOKWORK_ERR_WEBHOOK_CHANGED and nothing stored.
 * (With a store of your own that lacks `WebhookRepository.modify` / `deleteIf`, only within this
 * app: see docs/storage.md.)
 */
export interface WebhookPrecondition {
  /**
   * Entity tags of states of the webhook ({@link webhookEtag}, e.g. the `ETag` of an earlier
   * answer, quotes included): the change is made only if the webhook's current tag is one of
   * them. Compared strongly (RFC 9110 §8.8.3.2): a weak tag (`W/"…"`) never matches, nor does an
   * empty list. `"*"` matches the webhook in any state. When none matches: HOOKWORK_ERR_WEBHOOK_CHANGED
   * (412), whose `details` ({@link WebhookChangedDetails}) hold the webhook as it is now and its
   * tag. A webhook that does not exist is HOOKWORK_ERR_WEBHOOK_NOT_FOUND (`delete` resolves false),
   * whatever the tags. `"*"` stands alone (RFC 9110 §13.1.1: `*` or tags, never both): a list
   * holding it among other entries is HOOKWORK_ERR_INVALID_ARGUMENT.
   */
  ifMatch?: string | readonly string[];
}

/** The `details` of HOOKWORK_ERR_WEBHOOK_CHANGED: the webhook as it is stored now, for a caller to show or to retry from. */
export interface WebhookChangedDetails {
  /** The webhook's key. */
  key: string;
  /** Its current entity tag ({@link webhookEtag} of `current`): the tag to send with a change made over this state. */
  etag: string;
  /** The webhook as it is stored now (a view: secrets by hint, sensitive values redacted). */
  current: WebhookView;
}

/** A checked {@link WebhookPrecondition}: `*`, or the tags one of which must be the current one. */
export type ParsedPrecondition = { readonly any: true } | { readonly any: false; readonly tags: readonly string[] };

/** An entity tag as RFC 9110 §8.8.3 writes it: optionally `W/`, then `"`, etagc characters, `"`. */
const ENTITY_TAG = /^(?:W\/)?"[\x21\x23-\x7e\x80-\xff]*"$/;

/**
 * Whether `value` is an entity tag as RFC 9110 §8.8.3 writes it (`"…"` or weak `W/"…"`, with
 * etagc characters only: no space, no control character, no `"` inside): the tags `ifMatch`
 * accepts. For an HTTP layer that reads `If-Match` and passes its tags on.
 */
export const isEntityTag = (value: string): boolean => ENTITY_TAG.test(value);
const PRECONDITION_OPTIONS = ['ifMatch'] as const;

/**
 * Checks a precondition given to `call` at the boundary: HOOKWORK_ERR_INVALID_ARGUMENT for one of
 * the wrong kind — which would otherwise never match, or always — before anything is read.
 * `undefined` when there is none. `known` lists the other options `call` takes (for the message
 * about an unknown one).
 */
export function parsePrecondition(call: string, options: unknown, known: readonly string[] = []): ParsedPrecondition | undefined {
  if (options === undefined) return undefined;
  // Read once: a getter or Proxy trap that throws is refused coded, by name, before anything changes.
  options = readOrRefuse(options, (path, problem) => new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `${call}: options${path ? `.${path}` : ''} ${problem}`), 2);
  if (!isPlainObject(options)) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `${call}: options must be an object such as { ifMatch: etag }; got ${options !== null && typeof options === 'object' ? objectKind(options) : shownValue(options)}`);
  }
  const unknown = unknownOption(options, [...known, ...PRECONDITION_OPTIONS]);
  if (unknown) throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `${call}: ${unknown.text}`);
  const { ifMatch } = options as { ifMatch?: unknown };
  if (ifMatch === undefined) return undefined;
  const tags = typeof ifMatch === 'string' ? [ifMatch] : ifMatch;
  if (!Array.isArray(tags)) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `${call}: ifMatch must be an entity tag (the ETag a webhook was read with, quotes included, as webhookEtag() gives it), a list of them, or "*"; got ${shownValue(ifMatch)}`);
  }
  for (const tag of tags as unknown[]) {
    if (tag === '*') continue;
    if (typeof tag !== 'string' || !ENTITY_TAG.test(tag)) {
      const hint = typeof tag === 'string' && /^[^"]+$/.test(tag) ? ` (quoted, as an ETag is: ${JSON.stringify(`"${tag}"`)})` : '';
      throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `${call}: ifMatch must hold entity tags as webhookEtag() and an ETag header give them, quotes included${hint}, or "*"; got ${shownValue(tag)}`);
    }
  }
  if (!(tags as string[]).includes('*')) return { any: false, tags: [...(tags as string[])] };
  // RFC 9110 §13.1.1: If-Match is "*" or a list of tags, never both. A list that names states and
  // also holds "*" was read as "*", so a list gathered from several reads (one of them a "*")
  // changed the webhook whatever its state — the opposite of what the tags asked.
  if ((tags as string[]).length > 1) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `${call}: ifMatch holds "*" among other entries (${shownValue(tags)}); "*" stands alone, matching the webhook in any state: pass ifMatch: "*" for an unconditional change, or the entity tags alone for a conditional one`);
  }
  return { any: true };
}

/** Whether a webhook whose current tag is `etag` meets the precondition (strong comparison: a weak tag never equals a strong one). */
export const preconditionHolds = (precondition: ParsedPrecondition, etag: () => string): boolean => precondition.any || precondition.tags.includes(etag());
