import { ReceiverError } from './errors/receiver-error';
import { isPlainOptions, kindOf } from './option-keys';
import { quoted, visibleText } from './errors/visible-text';

/**
 * Header names on the wire. The Standard Webhooks three are fixed by the specification; the event
 * and retry-count headers come in hookwork's style and in Umbraco's (hookwork sends Umbraco's with
 * `settings.headers.style: 'umbraco'`, and Umbraco itself always does). All lower case, as Node
 * delivers them.
 */
export const WEBHOOK_HEADERS = Object.freeze({
  /** Standard Webhooks: the message id, the same on every retry and redelivery. */
  id: 'webhook-id',
  /** Standard Webhooks: Unix seconds at this attempt (signed). */
  timestamp: 'webhook-timestamp',
  /** Standard Webhooks: space-separated `v1,<base64>` signatures, one per active secret. */
  signature: 'webhook-signature',
  /** The event alias, hookwork's name. */
  hookworkEvent: 'hookwork-event',
  /** The event alias, Umbraco's name (`Umb-Webhook-Event`). */
  umbracoEvent: 'umb-webhook-event',
  /** Retries before this attempt (0 on the first), hookwork's name. */
  hookworkRetryCount: 'hookwork-retry-count',
  /** Retries before this attempt, Umbraco's name (`Umb-Webhook-RetryCount`). */
  umbracoRetryCount: 'umb-webhook-retrycount',
  /** `true` on a test send (`app.sendTestEvent()`); absent on real deliveries. */
  test: 'hookwork-test',
} as const);

/**
 * Headers as the kit accepts them: Node's `IncomingHttpHeaders` (Express and Fastify pass these),
 * a fetch `Headers` object, a `Map`, a list of `[name, value]` pairs, Node's flat `rawHeaders`
 * list (`[name, value, name, value, …]`), or any record — names in any case. A name given more than
 * once is read as its values joined with ", ", as Node joins a repeated header.
 */
export type HeadersInput =
  | Headers
  | ReadonlyMap<string, string | readonly string[]>
  | readonly (readonly [string, string | readonly string[]])[]
  | readonly string[]
  | Readonly<Record<string, string | readonly string[] | number | undefined>>;

/** Header names the kit reads an event's alias and retry count from, tried in order. */
export interface HeaderNames {
  /** Default: `['hookwork-event', 'umb-webhook-event']`. */
  event: readonly string[];
  /** Default: `['hookwork-retry-count', 'umb-webhook-retrycount']`. */
  retryCount: readonly string[];
}

/** The default {@link HeaderNames}: hookwork's first, then Umbraco's. */
export const DEFAULT_HEADER_NAMES: HeaderNames = Object.freeze({
  event: Object.freeze([WEBHOOK_HEADERS.hookworkEvent, WEBHOOK_HEADERS.umbracoEvent]),
  retryCount: Object.freeze([WEBHOOK_HEADERS.hookworkRetryCount, WEBHOOK_HEADERS.umbracoRetryCount]),
});

/**
 * The most characters a `webhook-id` may have. Standard Webhooks ids are short (hookwork's are
 * `msg_` and 32 hex digits, Svix's `msg_` and 27 characters); the receiver keeps each id it sees in
 * its dedupe store, so a longer one is refused at the door rather than stored.
 */
export const MAX_WEBHOOK_ID_LENGTH = 256;

/**
 * Lower-cases header names and joins repeated values with ", " (as Node does for most
 * headers), so lookups need not care where the headers came from: a record (Node's
 * `req.headers`), a fetch `Headers`, a `Map`, `[name, value]` pairs or Node's flat `rawHeaders`.
 *
 * @throws ReceiverError RECEIVER_ERR_HEADERS_SHAPE for anything else (no headers at all, a string,
 *   the request object itself), naming what was given and the fix.
 */
export function normalizeHeaders(input: HeadersInput | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  const put = (name: unknown, value: unknown) => {
    if (value === undefined || value === null) return;
    const text = Array.isArray(value) ? value.map(String).join(', ') : String(value);
    const key = String(name).toLowerCase();
    setOwn(result, key, Object.prototype.hasOwnProperty.call(result, key) ? `${result[key]}, ${text}` : text);
  };
  const given = input as unknown;
  if (given === null || typeof given !== 'object') throw headersShape(given === undefined ? 'no headers' : `headers as ${kindOf(given)}`);
  if (Array.isArray(given)) {
    if (given.every((entry) => Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string')) for (const [name, value] of given as [string, unknown][]) put(name, value);
    else if (given.length % 2 === 0 && given.every((entry) => typeof entry === 'string')) for (let i = 0; i < given.length; i += 2) put(given[i], given[i + 1]);
    else throw headersShape('headers as an array that is neither [name, value] pairs nor a flat [name, value, name, value, …] list');
    return result;
  }
  // The request (node:http's, or a fetch Request) given for its headers: its own fields are no headers.
  if (typeof (given as { pipe?: unknown }).pipe === 'function' || typeof (given as { arrayBuffer?: unknown }).arrayBuffer === 'function') throw headersShape('the request itself as its headers');
  // A fetch Headers (of any realm) or a Map: both iterate [name, value] entries.
  if (typeof (given as { entries?: unknown }).entries === 'function' && typeof (given as { get?: unknown }).get === 'function') {
    for (const [name, value] of (given as { entries(): Iterable<[unknown, unknown]> }).entries()) put(name, value);
    return result;
  }
  if (!isPlainOptions(given)) throw headersShape(`headers as ${kindOf(given)}`);
  for (const [name, value] of Object.entries(given)) put(name, value);
  return result;
}

/** Sets an own property, even one named `__proto__` (which assignment would take as the prototype). */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

function headersShape(what: string): ReceiverError {
  return new ReceiverError(
    'RECEIVER_ERR_HEADERS_SHAPE',
    `the receiver was given ${what}; pass the request's headers as Node's req.headers (a record), a fetch Headers object, a Map, [name, value] pairs or req.rawHeaders — e.g. { headers: req.headers, body: await readRawBody(req) } — or use an adapter`,
  );
}

/**
 * The value of a header the kit reads as one value — an id, a timestamp, an event alias, a retry
 * count, `hookwork-test`, `content-type`, a CloudEvents attribute — sent once, or repeated (a proxy
 * that adds it again: the copies arrive joined with ", ", as Node and fetch join them). Copies that
 * agree are that value (an empty copy is none); copies that differ can't be told apart and are
 * refused: reading either would be a guess (the first of two aliases, a real event read as a test
 * or a test as real). Undefined when the header is absent or empty.
 *
 * @throws ReceiverError RECEIVER_ERR_INVALID_HEADER naming the header and its copies.
 */
export function singleValue(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  // A comma with no space after it is part of one value: copies are joined with ", ".
  if (!/,(\s|$)|^,/.test(text)) return text === '' ? undefined : text;
  const copies = text.split(/,(?=\s|$)|^,/).map((copy) => copy.trim()).filter((copy) => copy !== '');
  const distinct = [...new Set(copies)];
  if (distinct.length <= 1) return distinct[0];
  throw new ReceiverError(
    'RECEIVER_ERR_INVALID_HEADER',
    `the ${name} header arrived ${copies.length} times with different values (${distinct.map(shortValue).join(', ')}), and either could be the one meant: a proxy or middleware adds it again? The request must carry it once, or its copies with one value`,
  );
}

/** A header value as a message shows it: quoted, and cut at 60 characters (an id may be long). */
export function shortValue(value: string): string {
  return quoted(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/** Headers the kit reads as one value each, beside the configured event and retry-count names and every `ce-*` one. */
const SINGLE_VALUED: readonly string[] = ['webhook-id', 'svix-id', 'webhook-timestamp', 'svix-timestamp', 'content-type', 'hookwork-test'];

const TIMESTAMPS: ReadonlySet<string> = new Set(['webhook-timestamp', 'svix-timestamp']);

/**
 * The names {@link readHeaders} reads as one value: the standard ones and `alsoOne` (the configured
 * event and retry-count names). Made once per receiver, not per request.
 */
export function singleValuedHeaders(alsoOne: readonly string[] = []): ReadonlySet<string> {
  return new Set([...SINGLE_VALUED, ...alsoOne.map((name) => name.toLowerCase())]);
}

/**
 * The headers with every one the kit reads as one value ({@link singleValue}) collapsed to that
 * value, the others as given (a signature header and `content-encoding` are lists). `one` names
 * them ({@link singleValuedHeaders}); every `ce-*` one is read so too. The one place the rule is
 * applied, so every header the kit reads follows it, through every adapter and `receiver.verify()`.
 *
 * @throws ReceiverError RECEIVER_ERR_INVALID_HEADER for copies of one header that differ.
 */
export function readHeaders(headers: Readonly<Record<string, string>>, one: ReadonlySet<string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    let read = value;
    if (one.has(name) || name.startsWith('ce-')) {
      try {
        read = singleValue(name, value) ?? '';
      } catch (error) {
        // Copies of a timestamp that differ are left to the timestamp's own reader, which refuses
        // every such text and tells a repeat from a date written out (`Sun, 01 Dec 2024 …`).
        if (!TIMESTAMPS.has(name)) throw error;
      }
    }
    setOwn(result, name, read);
  }
  return result;
}

/**
 * The first of `names` that is present and not empty, with its value. Several present with
 * different values (`hookwork-event` and `umb-webhook-event` naming two events) can't be told
 * apart, and are refused, as copies of one header that differ are.
 *
 * @throws ReceiverError RECEIVER_ERR_INVALID_HEADER
 */
export function firstHeader(headers: Readonly<Record<string, string>>, names: readonly string[]): { name: string; value: string } | undefined {
  let first: { name: string; value: string } | undefined;
  for (const name of names) {
    const value = headers[name.toLowerCase()]?.trim();
    if (!value) continue;
    if (!first) first = { name: name.toLowerCase(), value };
    else if (value !== first.value) {
      throw new ReceiverError(
        'RECEIVER_ERR_INVALID_HEADER',
        `the request carries ${first.name}: ${shortValue(first.value)} and ${name.toLowerCase()}: ${shortValue(value)}, which disagree; the sender (or a custom header of its webhook) must send one of them, or both with one value`,
      );
    }
  }
  return first;
}

/**
 * Why a header value is wrong when it holds one value repeated: a header sent more than once
 * reaches the kit as its values joined with ", " (as Node joins them), which no signature covers —
 * said so, rather than blaming the clock or the secret.
 */
export function sentRepeatedly(value: string): string {
  return `the header was sent ${value.split(',').length} times (a proxy or middleware that adds it again?) and the kit reads them joined; the request must carry it once`;
}

/**
 * The codings a `content-encoding` header lists, lower case, in the order they were applied,
 * without `identity` (which is none).
 */
export function contentCodings(header: string | readonly string[] | undefined): string[] {
  const text = Array.isArray(header) ? header.join(',') : (header as string | undefined) ?? '';
  return text
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
}

/**
 * A `content-encoding` header's codings as a message shows them: each escaped where a reader can't
 * see it and cut at 20 characters, at most 5 of them (then how many) — a header of one long
 * made-up coding, or of hundreds, is echoed to the sender and the log no longer than that.
 */
export function shownCodings(codings: readonly string[]): string {
  const shown = codings.slice(0, 5).map((coding) => visibleText(coding.length > 20 ? `${coding.slice(0, 20)}…` : coding));
  return codings.length > 5 ? `${shown.join(', ')}, … (${codings.length} codings)` : shown.join(', ');
}

/**
 * A Standard Webhooks header: `webhook-<name>`, else Svix's `svix-<name>` — Svix (and the services
 * it sends for) names the same three headers so unless a customer pays for the unbranded ones, and
 * its own library reads either. Undefined when neither is present and non-empty.
 */
export function standardHeader(headers: Readonly<Record<string, string>>, name: 'id' | 'timestamp' | 'signature'): string | undefined {
  return headers[`webhook-${name}`] || headers[`svix-${name}`] || undefined;
}
