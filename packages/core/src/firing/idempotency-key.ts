import { createHash } from 'node:crypto';
import { HookworkError, shownValue } from '../errors/hookwork-error';

/** The longest idempotency key publish() takes, in characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** Visible ASCII, no space: what fits in a header, a log line or a URL path segment as it is. */
const KEY_CHARACTERS = /^[\x21-\x7e]+$/;

/**
 * Refuses an idempotency key publish() cannot use: anything but a string of 1 to
 * {@link MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters (HOOKWORK_ERR_INVALID_ARGUMENT).
 * A key is compared byte for byte, so a key with spaces or other scripts in it would look alike
 * in a log and still differ; a UUID, an outbox row id or `order-42:paid` fits.
 */
export function checkIdempotencyKey(key: unknown): asserts key is string {
  const fail = (problem: string) =>
    new HookworkError(
      'HOOKWORK_ERR_INVALID_ARGUMENT',
      `publish(notification, { idempotencyKey }) ${problem}; give a key of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters (letters, digits, punctuation, no spaces) that names this publish, e.g. the id of the change it reports; nothing was published`,
    );
  if (typeof key !== 'string') throw fail(`takes a string key; got ${shownValue(key)}`);
  if (key.length === 0) throw fail('was given an empty key');
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) throw fail(`was given a key of ${key.length} characters, over ${MAX_IDEMPOTENCY_KEY_LENGTH}`);
  if (!KEY_CHARACTERS.test(key)) {
    const bad = [...key].find((ch) => !KEY_CHARACTERS.test(ch))!;
    throw fail(`was given a key with ${bad === ' ' ? 'a space' : `the character U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`} in it`);
  }
}

/** Domain separation: another use of SHA-256 over the same fields can never make these ids. */
const DOMAIN = 'hookwork idempotency v1';

/**
 * The `webhook-id` of a request published with an idempotency key: `msg_` and 32 hex digits in a
 * UUID version 8 layout (RFC 9562: version 8, the RFC variant), the other 122 bits from
 * SHA-256 over the key, the webhook's key, the alias that fired and the request's position among
 * that publish's requests for the same webhook and alias (0 unless an event sends one request per
 * entity). The same publish made again therefore makes the same ids, so a store that already holds
 * one skips it and a receiver sees the same `webhook-id` it may have seen. Unlike
 * newMessageId()'s, these ids are not ordered by time (nothing of the clock may go in).
 */
export function keyedMessageId(idempotencyKey: string, webhookKey: string, alias: string, position: number): string {
  // As a JSON array: no two lists of fields are the same text, whatever characters they hold.
  const hex = createHash('sha256').update(JSON.stringify([DOMAIN, idempotencyKey, webhookKey, alias, position])).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `msg_${hex.slice(0, 12)}8${hex.slice(13, 16)}${variant}${hex.slice(17, 32)}`;
}

/** '8', the version digit {@link keyedMessageId} writes after `msg_` and 12 hex digits. */
const KEYED_VERSION = '8'.charCodeAt(0);

/**
 * Whether `id` has the form of a {@link keyedMessageId} (`msg_`, 32 hex digits, version 8 at the
 * 13th): an id a publish made again with its `idempotencyKey` makes again. newMessageId()'s ids
 * (version 7) are never made twice, so a store need not remember those once delivered at once —
 * SQLite gathers their log entries for 30 ms, and writes a keyed request's entry with its
 * completion (RequestQueue's `logsWithCompletion`). Reads four characters; never throws.
 */
export function isKeyedMessageId(id: string): boolean {
  return id.length === 36 && id.charCodeAt(16) === KEYED_VERSION && id.startsWith('msg_');
}
