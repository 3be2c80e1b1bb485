import { ReceiverError } from './errors/receiver-error';
import { parseJsonBody } from './json-body';
import type { CloudEventAttributes } from './event-types';
import { setOwn, shortValue } from './headers';

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

const decode = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

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
 * @throws ReceiverError RECEIVER_ERR_INVALID_HEADER for `ce-*` headers of more than
 *   {@link MAX_CLOUD_EVENT_HEADER_CHARACTERS} characters together; RECEIVER_ERR_INVALID_JSON for a body that is not JSON, or a structured
 *   envelope without a string `type`; RECEIVER_ERR_UNSUPPORTED_CLOUDEVENT for a batch
 *   (`application/cloudevents-batch+json`), `data_base64` or no data.
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
  const structured = STRUCTURED.test(headers['content-type'] ?? '');
  if (!structured && !headers['ce-specversion']) return undefined;
  if (!structured) checkAttributeSize(headers, id);
  if (!structured && body.length === 0 && headers['ce-type']) {
    throw new ReceiverError('RECEIVER_ERR_UNSUPPORTED_CLOUDEVENT', `${what} is a binary-mode CloudEvent (${shortValue(decode(headers['ce-type']))}) with no data (an empty body); the kit hands handlers the data as their payload: have the sender send the event with JSON data`);
  }
  const parsed = parseJsonBody(body, `${what} (a CloudEvent)`);
  if (structured) {
    const envelope = parsed as Record<string, unknown> | null;
    if (!envelope || typeof envelope !== 'object' || Array.isArray(envelope) || typeof envelope.type !== 'string' || envelope.type === '') {
      throw new ReceiverError('RECEIVER_ERR_INVALID_JSON', `${what} is sent as application/cloudevents+json but is not a CloudEvent with a type`);
    }
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
  const attributes: Record<string, string> = {};
  // setOwn: a `ce-__proto__` header is an attribute like any other, not the object's prototype (assignment dropped it).
  for (const [name, value] of Object.entries(headers)) if (name.startsWith('ce-')) setOwn(attributes, name.slice(3), decode(value));
  if (!attributes.type) return undefined;
  if (headers['content-type']) attributes.datacontenttype ??= headers['content-type'];
  return { attributes: attributes as unknown as CloudEventAttributes, data: parsed, from: 'ce-type' };
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
