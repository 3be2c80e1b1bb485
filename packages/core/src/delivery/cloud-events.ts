import type { CloudEventsWebhookFormat } from '../model/webhook';

/** The CloudEvents version hookwork sends. */
export const CLOUD_EVENTS_SPEC_VERSION = '1.0';

/** The media type of a structured-mode CloudEvent in the JSON event format. */
export const CLOUD_EVENTS_CONTENT_TYPE = 'application/cloudevents+json';

/** The `ce-*` headers of binary mode that hookwork sets; a webhook's custom headers may not. */
export { CLOUD_EVENTS_HEADERS } from '../model/framework-headers';

/**
 * The longest subject hookwork sends, in characters: a fixed `subject` may be no longer (the
 * webhook schema's limit), and one read from the payload by `subjectFrom` that is longer is left
 * out, as one that is not there is. Without the cap a subject read from the payload had no bound:
 * a structured body could be twice `maxPayloadBytes`, and in binary mode the `ce-subject` header
 * alone could pass the 16 KiB a Node server takes for all headers.
 */
export const MAX_CLOUD_EVENTS_SUBJECT_LENGTH = 2048;

/**
 * The most bytes a structured-mode CloudEvent envelope adds to the payload it wraps: its
 * attributes — `id` (`msg_` + 32 hex digits), `source` (up to 2048 URI characters), `type` (an
 * alias of up to 200 characters, each at most 6 bytes as JSON), `time`, `subject` (up to
 * {@link MAX_CLOUD_EVENTS_SUBJECT_LENGTH} characters, each at most 6 bytes as JSON) — and the
 * braces and names around them: 15,718 bytes at most, rounded up. So a body on the wire is at most
 * `maxPayloadBytes` + this in any format (binary mode and plain JSON send the payload as it is);
 * `@hookwork/receiver`'s default `maxBodyBytes` is the default `maxPayloadBytes` plus this.
 */
export const CLOUD_EVENTS_MAX_ENVELOPE_BYTES = 16 * 1024;

/** What one CloudEvent is made from. */
export interface CloudEventInput {
  format: CloudEventsWebhookFormat;
  /** The `webhook-id`. */
  id: string;
  /** The alias that fired. */
  type: string;
  /** When the event was published (the request's `createdAt`). */
  time: Date | string;
  /** The payload JSON exactly as stored. */
  body: string;
}

/**
 * The body and the headers (beside hookwork's own) of one request in CloudEvents 1.0 over HTTP:
 * binary mode keeps the stored body byte for byte and adds `ce-*` headers (values
 * percent-encoded as the HTTP binding requires); structured mode wraps the stored body, unparsed,
 * as `data` of a JSON event, so the payload bytes are the stored ones either way.
 */
export function toCloudEvent(input: CloudEventInput): { contentType: string; headers: Record<string, string>; body: string } {
  const { format } = input;
  const attributes: [string, string][] = [
    ['specversion', CLOUD_EVENTS_SPEC_VERSION],
    ['id', input.id],
    ['source', format.source],
    ['type', input.type],
    ['time', new Date(input.time).toISOString()],
  ];
  const subject = format.subject ?? (format.subjectFrom !== undefined ? subjectAt(input.body, format.subjectFrom) : undefined);
  if (subject !== undefined) attributes.push(['subject', subject]);
  if (format.mode === 'binary') {
    return { contentType: 'application/json', headers: Object.fromEntries(attributes.map(([name, value]) => [`ce-${name}`, percentEncode(value)])), body: input.body };
  }
  const head = attributes.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`).join(',');
  return { contentType: `${CLOUD_EVENTS_CONTENT_TYPE}; charset=utf-8`, headers: {}, body: `{${head},"datacontenttype":"application/json","data":${input.body}}` };
}

/**
 * The HTTP binding's encoding of a header value: space, `"`, `%` and everything outside printable
 * ASCII as `%XX` of its UTF-8 bytes.
 */
export function percentEncode(value: string): string {
  let result = '';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code > 0x20 && code < 0x7f && char !== '"' && char !== '%') result += char;
    else for (const byte of Buffer.from(char, 'utf8')) result += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return result;
}

/**
 * The string or number at an RFC 6901 JSON Pointer in a JSON text; undefined for anything else,
 * and for a string longer than {@link MAX_CLOUD_EVENTS_SUBJECT_LENGTH}.
 */
export function subjectAt(json: string, pointer: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (pointer !== '') {
    for (const token of pointer.slice(1).split('/')) {
      const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
      if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
      value = (value as Record<string, unknown>)[key];
    }
  }
  if (typeof value === 'string' && value !== '') return value.length <= MAX_CLOUD_EVENTS_SUBJECT_LENGTH ? value : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}
