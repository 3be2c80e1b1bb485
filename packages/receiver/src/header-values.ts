import { ReceiverError } from './errors/receiver-error';
import { shortValue } from './headers';
import { EXPONENT_FORM } from './verification/timestamp-header';

// What a value the kit reads from a header must look like — the webhook-id, the event alias, the
// retry count — and the coded refusal (400 RECEIVER_ERR_INVALID_HEADER) of one that does not.
// A value is never guessed at: read anyway, a malformed one became `undefined` (a retry count of
// -1), or an alias no handler has (answered 200 unhandled and dropped).

/**
 * The most characters an event alias may have, from whichever source it comes (an event header,
 * a CloudEvent's type, a Standard Webhooks envelope's `type`): aliases are short (hookwork's are
 * at most 200 characters, Umbraco's and Standard Webhooks senders' a few dozen), and the alias is
 * what a receiver logs and tells `onError` of.
 */
export const MAX_EVENT_ALIAS_LENGTH = 256;

/** A character as a message names it: `U+00E9`. */
export function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why a header value holds a character outside printable ASCII, or undefined. Node (and fetch's
 * `Headers`) read each byte of a header as one Latin-1 character, so a sender's UTF-8 arrives
 * garbled (`é` as `Ã©`): compared as it arrived, it matches nothing the sender meant.
 */
export function notPrintableAscii(value: string): string | undefined {
  const at = /[^\x20-\x7e]/.exec(value);
  if (!at) return undefined;
  const char = at[0];
  if (char.charCodeAt(0) < 0x20 || char === '\x7f') return `holds a control character (${codePoint(char)} at character ${at.index + 1}: ${shortValue(value)}), and header values are printable ASCII`;
  return `holds a character outside ASCII (${codePoint(char)} at character ${at.index + 1}: ${shortValue(value)}), and header values are printable ASCII — a sender's UTF-8 is read byte by byte as Latin-1, so it arrives garbled`;
}

/**
 * Why a header value is one value repeated and joined with bare commas (`A,A`), or undefined.
 * Node and fetch join a repeated header with ", ", which the kit reads by its own rule; AWS API
 * Gateway (HTTP APIs) and Lambda function URLs join them with "," alone, which reads as one value
 * that is no id, alias or count the sender meant.
 */
export function joinedRepeat(value: string): string | undefined {
  const copies = value.split(',');
  if (copies.length < 2 || copies.some((copy) => copy.trim() !== copies[0]!.trim())) return undefined;
  return `is ${shortValue(value)}: the header sent ${copies.length} times and joined with commas (a proxy that adds it again; AWS API Gateway HTTP APIs and Lambda function URLs join a repeated header so); the request must carry it once`;
}

/**
 * The webhook-id as the kit takes it, checked: printable ASCII, at most `max` characters. Checked
 * before the signature, as the id goes into the dedupe store, the answer and every message.
 *
 * @throws ReceiverError RECEIVER_ERR_INVALID_HEADER naming the header (`webhook-id` or `svix-id`).
 */
export function checkWebhookId(name: string, id: string, max: number): void {
  if (id.length > max) {
    throw new ReceiverError(
      'RECEIVER_ERR_INVALID_HEADER',
      `the ${name} is ${id.length} characters (${shortValue(id)}), more than the ${max} the receiver takes: Standard Webhooks ids are short (hookwork's are 36 characters), and the receiver keeps each one in its dedupe store; the sender must send a short id`,
    );
  }
  const repeated = joinedRepeat(id);
  if (repeated) throw new ReceiverError('RECEIVER_ERR_INVALID_HEADER', `the ${name} ${repeated}`);
  const problem = notPrintableAscii(id);
  if (problem) throw new ReceiverError('RECEIVER_ERR_INVALID_HEADER', `the ${name} header ${problem}; Standard Webhooks ids are ASCII (hookwork's are msg_ and hex digits): the sender must send such an id`);
}

/**
 * The event alias, checked whatever it came from: at most {@link MAX_EVENT_ALIAS_LENGTH}
 * characters, no control character, and — read from a header as sent (`from` is a header name
 * other than `ce-type`, whose value is percent-decoded first) — printable ASCII.
 *
 * @throws ReceiverError RECEIVER_ERR_INVALID_HEADER naming where the alias came from.
 */
export function checkAlias(alias: string, from: string, id: string | undefined): void {
  const where = from === 'type' ? "the body's type" : from === 'ce-type' ? 'the ce-type header' : `the ${from} header`;
  const of = id === undefined ? '' : ` of ${id}`;
  if (alias.length > MAX_EVENT_ALIAS_LENGTH) {
    throw new ReceiverError(
      'RECEIVER_ERR_INVALID_HEADER',
      `the event alias in ${where}${of} is ${alias.length} characters (${shortValue(alias)}), more than the ${MAX_EVENT_ALIAS_LENGTH} the receiver takes: aliases are short (hookwork's are at most 200 characters); the sender must name the event with a short alias`,
    );
  }
  const raw = from !== 'type' && from !== 'ce-type';
  const repeated = raw ? joinedRepeat(alias) : undefined;
  if (repeated) throw new ReceiverError('RECEIVER_ERR_INVALID_HEADER', `the ${from} header${of} ${repeated}`);
  const control = /[\p{Cc}]/u.exec(alias);
  const problem = raw ? notPrintableAscii(alias) : control ? `holds a control character (${codePoint(control[0])} at character ${control.index + 1}: ${shortValue(alias)})` : undefined;
  if (problem) {
    throw new ReceiverError('RECEIVER_ERR_INVALID_HEADER', `the event alias in ${where}${of} ${problem}; an alias is a name such as Umbraco.ContentPublish, and no handler is registered under a garbled one: the sender must send it as such`);
  }
}

/**
 * The retry count a retry-count header gives: plain decimal digits (0 on the first attempt; a
 * leading zero is read, as a count is no signed text), up to `Number.MAX_SAFE_INTEGER`. Anything
 * else — a sign (`-1`), a fraction, an exponent, a word, a number too large to count exactly — is
 * refused rather than read as `undefined`, which a handler can't tell from a sender that sends no
 * count.
 *
 * @throws ReceiverError RECEIVER_ERR_INVALID_HEADER naming the header, the value and its form.
 */
export function readRetryCount(header: { name: string; value: string } | undefined, id: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const { name, value } = header;
  if (/^\d+$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  const repeated = joinedRepeat(value);
  if (repeated) throw new ReceiverError('RECEIVER_ERR_INVALID_HEADER', `the ${name} header of ${id ?? 'the request'} ${repeated}`);
  const form = /^-\d+$/.test(value)
    ? 'a negative number'
    : /^\+\d+$/.test(value)
      ? 'a number with a plus sign'
      : EXPONENT_FORM.test(value)
        ? 'a number in exponent form'
        : /^[+-]?(\d*\.\d+|\d+\.)$/.test(value)
          ? 'a fraction'
          : /^\d+$/.test(value)
            ? `a number of ${value.length} digits, past the largest a count is read exactly to (${Number.MAX_SAFE_INTEGER})`
            : 'not a number';
  throw new ReceiverError(
    'RECEIVER_ERR_INVALID_HEADER',
    `the ${name} header of ${id ?? 'the request'} is ${shortValue(value)}, ${form}: it counts the retries before this attempt (0 on the first), sent as plain digits; the sender (or a proxy that rewrites it) must send a whole number from 0, or no such header`,
  );
}
