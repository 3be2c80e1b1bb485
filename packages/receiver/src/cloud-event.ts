import { ReceiverError } from './errors/receiver-error';
import { parseJsonBody } from './json-body';
import type { CloudEventAttributes } from './event-types';
import { shortValue } from './headers';

/** The media type of a structured-mode CloudEvent (JSON event format). */
const STRUCTURED = /^application\/cloudevents\+json\s*(;|$)/i;

/** The media type of a batch of CloudEvents (JSON batch format), which the kit does not read. */
const BATCHED = /^application\/cloudevents-batch\+json\s*(;|$)/i;

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
 * @throws ReceiverError RECEIVER_ERR_INVALID_JSON for a body that is not JSON, or a structured
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
  for (const [name, value] of Object.entries(headers)) if (name.startsWith('ce-')) attributes[name.slice(3)] = decode(value);
  if (!attributes.type) return undefined;
  if (headers['content-type']) attributes.datacontenttype ??= headers['content-type'];
  return { attributes: attributes as unknown as CloudEventAttributes, data: parsed, from: 'ce-type' };
}
