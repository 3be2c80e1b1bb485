import { ReceiverError } from './errors/receiver-error';
import { parseJsonBody } from './json-body';
import type { CloudEventAttributes } from './event-types';
import { setOwn, shortValue } from './headers';
import { codePoint, notPrintableAscii } from './header-values';
import { kindOf } from './option-keys';

/** The media type of a structured-mode CloudEvent (JSON event format). */
const STRUCTURED = /^application\/cloudevents\+json\s*(;|$)/i;

/** The media type of a batch of CloudEvents (JSON batch format), which the kit does not read. */
const BATCHED = /^application\/cloudevents-batch\+json\s*(;|$)/i;

/**
 * The most characters the `ce-*` headers of a binary-mode CloudEvent may have together, names and
 * values: 16 KiB, what a structured envelope's attributes may add to its body
 * (`CLOUD_EVENTS_MAX_ENVELOPE_BYTES` in `@hookwork/core`). A Node server takes 16 KiB of headers
 * in all, but the kit also runs behind fetch servers and proxies that take more, and hands the
 * attributes to handlers and their logs: a larger one is refused, not carried.
 */
export const MAX_CLOUD_EVENT_HEADER_CHARACTERS = 16 * 1024;

/** The attributes CloudEvents 1.0 requires of every event (`ce-*` headers in binary mode). */
const REQUIRED = ['specversion', 'id', 'source', 'type'] as const;

/** The CloudEvents version the kit reads (hookwork sends it). */
const SPEC_VERSION = '1.0';

/** An RFC 3339 timestamp, as CloudEvents' `time` is written (`2026-11-22T08:30:00.000Z`). */
const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

const invalidHeader = (message: string) => new ReceiverError('RECEIVER_ERR_INVALID_HEADER', message);

/**
 * A `ce-*` header's value, percent-decoded as the CloudEvents HTTP binding encodes it (space, `"`,
 * `%` and everything outside printable ASCII as `%XX` of its UTF-8 bytes). Read leniently where
 * that is unambiguous (a literal space or `"`); refused where it is not — a `%` that starts no
 * escape (`com.example%ZZ`, a lone `%`: was the `%` meant, or an escape cut short?), escapes that
 * decode to no UTF-8 text, a raw byte outside printable ASCII (read as Latin-1, garbled) — and for
 * a control character once decoded, which no CloudEvents string holds. Handed over undecoded, such
 * a `ce-type` matched no handler, and the event was answered 200 unhandled and dropped.
 *
 * @throws ReceiverError RECEIVER_ERR_INVALID_HEADER naming the header, what is wrong and the fix.
 */
export function decodeAttribute(header: string, value: string, id: string | undefined): string {
  const of = `the ${header} header of ${id ?? 'the request'}`;
  const raw = notPrintableAscii(value);
  if (raw) throw invalidHeader(`${of} ${raw}; the CloudEvents HTTP binding sends other characters percent-encoded (their UTF-8 bytes as %XX, as encodeURIComponent does): the sender must encode them so`);
  const escape = /%(?![0-9A-Fa-f]{2})/.exec(value);
  if (escape) {
    throw invalidHeader(
      `${of} holds a bad percent escape, ${shortValue(value.slice(escape.index, escape.index + 3))} at character ${escape.index + 1} (${shortValue(value)}): the CloudEvents HTTP binding percent-encodes its values, where "%" starts an escape of two hex digits; the sender must encode a literal "%" as %25 (and other characters as encodeURIComponent does)`,
    );
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    throw invalidHeader(`${of} holds percent escapes that decode to no UTF-8 text (${shortValue(value)}): the CloudEvents HTTP binding encodes the UTF-8 bytes of each character as %XX; the sender must encode the text as UTF-8 (encodeURIComponent does)`);
  }
  const control = /\p{Cc}/u.exec(decoded);
  if (control) {
    throw invalidHeader(`${of} decodes to text with a control character (${codePoint(control[0])} at character ${control.index + 1}: ${shortValue(decoded)}), which no CloudEvents attribute holds (CloudEvents 1.0, type String); the sender must send the attribute without it`);
  }
  return decoded;
}

/**
 * The CloudEvent a request carries, per the CloudEvents 1.0 HTTP binding: structured mode
 * (`content-type: application/cloudevents+json`, the attributes and `data` in the JSON body) or
 * binary mode (`ce-specversion` and the other attributes as percent-encoded `ce-*` headers, the
 * body is the data). Undefined for a request that is neither. `data` is parsed JSON (structured
 * `data`, or the binary body): handlers are typed with a JSON payload, which is what hookwork
 * sends. A CloudEvent that carries no such data — `data_base64` (binary data, which hookwork never
 * sends), no data at all, a batch — is refused rather than handed over as an `undefined` payload
 * its handler was never typed for, and answered 200.
 *
 * @throws ReceiverError RECEIVER_ERR_INVALID_HEADER for binary-mode `ce-*` headers that are not a
 *   whole CloudEvent ({@link binaryAttributes}: a required one missing, a bad percent escape, a
 *   `ce-time` that is no timestamp, more than {@link MAX_CLOUD_EVENT_HEADER_CHARACTERS} characters
 *   together); RECEIVER_ERR_INVALID_JSON for a body that is not JSON, or a structured envelope
 *   without a string `type`, `id`, `source` or `specversion`, or with a `time` or `subject` of
 *   another form; RECEIVER_ERR_UNSUPPORTED_CLOUDEVENT for a batch
 *   (`application/cloudevents-batch+json`), `data_base64`, no data or a specversion other than 1.0.
 */
export function readCloudEvent(headers: Readonly<Record<string, string>>, body: Buffer, id: string | undefined): { attributes: CloudEventAttributes; data: unknown; from: string } | undefined {
  const what = `the body of ${id ?? 'the request'}`;
  if (BATCHED.test(headers['content-type'] ?? '')) {
    // Without this, a batch reads as a body with no "type" and the message would say it is no CloudEvent.
    throw new ReceiverError(
      'RECEIVER_ERR_UNSUPPORTED_CLOUDEVENT',
      `${what} is a batch of CloudEvents (application/cloudevents-batch+json), which the kit does not read: have the sender send one event per request, in structured or binary mode`,
    );
  }
  if (!STRUCTURED.test(headers['content-type'] ?? '')) {
    const attributes = binaryAttributes(headers, id);
    if (!attributes) return undefined;
    if (body.length === 0) {
      throw new ReceiverError('RECEIVER_ERR_UNSUPPORTED_CLOUDEVENT', `${what} is a binary-mode CloudEvent (${shortValue(attributes.type)}) with no data (an empty body); the kit hands handlers the data as their payload: have the sender send the event with JSON data`);
    }
    const data = parseJsonBody(body, `${what} (a CloudEvent)`);
    if (headers['content-type']) attributes.datacontenttype ??= headers['content-type'];
    return { attributes: attributes as unknown as CloudEventAttributes, data, from: 'ce-type' };
  }
  const envelope = parseJsonBody(body, `${what} (a CloudEvent)`) as Record<string, unknown> | null;
  if (!envelope || typeof envelope !== 'object' || Array.isArray(envelope) || typeof envelope.type !== 'string' || envelope.type === '') {
    throw new ReceiverError('RECEIVER_ERR_INVALID_JSON', `${what} is sent as application/cloudevents+json but is not a CloudEvent with a type`);
  }
  checkEnvelope(envelope as typeof envelope & { type: string }, what);
  if (Object.prototype.hasOwnProperty.call(envelope, 'data_base64')) {
    throw new ReceiverError(
      'RECEIVER_ERR_UNSUPPORTED_CLOUDEVENT',
      `${what} is a CloudEvent (${shortValue(envelope.type)}) with data_base64 — binary data — and the kit hands handlers JSON data as their payload; have the sender send the data as JSON ("data"), or read the request with receiver.verify() and decode event.rawBody yourself`,
    );
  }
  if (!Object.prototype.hasOwnProperty.call(envelope, 'data')) {
    throw new ReceiverError('RECEIVER_ERR_UNSUPPORTED_CLOUDEVENT', `${what} is a CloudEvent (${shortValue(envelope.type)}) with no data; the kit hands handlers the data as their payload: have the sender send the event with JSON data`);
  }
  const { data, ...attributes } = envelope;
  return { attributes: attributes as unknown as CloudEventAttributes, data, from: 'type' };
}

/**
 * Checks a structured-mode envelope's attributes by the rules binary mode's headers follow
 * ({@link binaryAttributes}): `specversion` 1.0, `id` and `source` non-empty strings, `time` (when
 * present) an RFC 3339 timestamp, `subject` (when present) a string — what handlers are typed with
 * ({@link CloudEventAttributes}).
 *
 * @throws ReceiverError RECEIVER_ERR_INVALID_JSON naming the attribute; RECEIVER_ERR_UNSUPPORTED_CLOUDEVENT
 *   for a `specversion` other than 1.0.
 */
function checkEnvelope(envelope: Record<string, unknown> & { type: string }, what: string): void {
  const invalid = (message: string) => new ReceiverError('RECEIVER_ERR_INVALID_JSON', `${what} is a CloudEvent (${shortValue(envelope.type)}) ${message}`);
  const missing = REQUIRED.filter((name) => typeof envelope[name] !== 'string' || envelope[name] === '');
  if (missing.length > 0) {
    throw invalid(`without ${missing.map((name) => `"${name}"`).join(', ')} as ${missing.length > 1 ? 'non-empty strings' : 'a non-empty string'}, which CloudEvents 1.0 requires of every event: the sender must send ${missing.length > 1 ? 'them' : 'it'} (hookwork does)`);
  }
  if (envelope.specversion !== SPEC_VERSION) {
    throw new ReceiverError('RECEIVER_ERR_UNSUPPORTED_CLOUDEVENT', `${what} is a CloudEvent of specversion ${shortValue(envelope.specversion as string)}, and the kit reads CloudEvents ${SPEC_VERSION} (the version hookwork sends): have the sender send ${SPEC_VERSION}`);
  }
  if (envelope.time !== undefined && (typeof envelope.time !== 'string' || !isRfc3339(envelope.time))) {
    throw invalid(`whose "time" is ${typeof envelope.time === 'string' ? shortValue(envelope.time) : kindOf(envelope.time)}, not an RFC 3339 timestamp (2026-11-22T08:30:00Z), which CloudEvents' time is: the sender must write it so (new Date().toISOString()), or leave it out`);
  }
  if (envelope.subject !== undefined && typeof envelope.subject !== 'string') {
    throw invalid(`whose "subject" is ${kindOf(envelope.subject)}, and CloudEvents' subject is a string: the sender must send it as one, or leave it out`);
  }
}

/**
 * The attributes of a binary-mode CloudEvent, decoded and checked, or undefined for a request that
 * carries none of the required ones. One that carries some is a CloudEvent and must be whole:
 * without `ce-specversion` (a proxy that dropped it) its `ce-type` was ignored and the event
 * dispatched by another header, without `ce-type` it had no alias of its own.
 *
 * @throws ReceiverError RECEIVER_ERR_INVALID_HEADER for a required attribute missing or empty, a
 *   `ce-*` value that does not decode ({@link decodeAttribute}), a `ce-time` that is no RFC 3339
 *   timestamp, or `ce-*` headers over {@link MAX_CLOUD_EVENT_HEADER_CHARACTERS};
 *   RECEIVER_ERR_UNSUPPORTED_CLOUDEVENT for a `ce-specversion` other than 1.0.
 */
function binaryAttributes(headers: Readonly<Record<string, string>>, id: string | undefined): Record<string, string> | undefined {
  if (!REQUIRED.some((name) => headers[`ce-${name}`])) return undefined;
  checkAttributeSize(headers, id);
  const missing = REQUIRED.filter((name) => !headers[`ce-${name}`]).map((name) => `ce-${name}`);
  if (missing.length > 0) {
    throw invalidHeader(
      `${id ?? 'the request'} is a binary-mode CloudEvent without ${missing.length > 1 ? `the ${missing.join(', ')} headers` : `a ${missing[0]} header`} (or with ${missing.length > 1 ? 'them' : 'it'} empty), and CloudEvents 1.0 requires ce-specversion, ce-id, ce-source and ce-type of every event: the sender (or a proxy that drops headers) must send them all (hookwork does)`,
    );
  }
  const attributes: Record<string, string> = {};
  // setOwn: a `ce-__proto__` header is an attribute like any other, not the object's prototype (assignment dropped it).
  // An empty header is none, as everywhere in the kit.
  for (const [name, value] of Object.entries(headers)) if (name.startsWith('ce-') && value !== '') setOwn(attributes, name.slice(3), decodeAttribute(name, value, id));
  if (attributes.specversion !== SPEC_VERSION) {
    throw new ReceiverError(
      'RECEIVER_ERR_UNSUPPORTED_CLOUDEVENT',
      `${id ?? 'the request'} is a binary-mode CloudEvent of ce-specversion ${shortValue(attributes.specversion)}, and the kit reads CloudEvents ${SPEC_VERSION} (the version hookwork sends): have the sender send ${SPEC_VERSION}`,
    );
  }
  const time = attributes.time;
  if (time !== undefined && !isRfc3339(time)) {
    throw invalidHeader(`the ce-time header of ${id ?? 'the request'} is ${shortValue(time)}, not an RFC 3339 timestamp (2026-11-22T08:30:00Z), which CloudEvents' time is: the sender must write it so (new Date().toISOString()), or leave it out`);
  }
  return attributes;
}

/** Whether `text` is an RFC 3339 timestamp of a real date and time. */
function isRfc3339(text: string): boolean {
  return RFC_3339.test(text) && !Number.isNaN(Date.parse(text));
}

/** Refuses `ce-*` headers longer than {@link MAX_CLOUD_EVENT_HEADER_CHARACTERS} together, naming the longest. */
function checkAttributeSize(headers: Readonly<Record<string, string>>, id: string | undefined): void {
  let size = 0;
  let longest: [string, string] | undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('ce-')) continue;
    size += name.length + value.length;
    if (!longest || value.length > longest[1].length) longest = [name, value];
  }
  if (size > MAX_CLOUD_EVENT_HEADER_CHARACTERS) {
    const [name, value] = longest!;
    throw new ReceiverError(
      'RECEIVER_ERR_INVALID_HEADER',
      `the ce-* headers of ${id ?? 'the request'} are ${size} characters, more than the ${MAX_CLOUD_EVENT_HEADER_CHARACTERS} the receiver takes (${name} alone is ${value.length}: ${shortValue(value)}); a CloudEvent's attributes are short (hookwork sends a subject of at most 2048 characters): the sender must send shorter attributes, or the event in structured mode`,
    );
  }
}
