import type { CloudEventsWebhookFormat } from '../model/webhook';

/** The CloudEvents version hookwork sends. */
export const CLOUD_EVENTS_SPEC_VERSION = '1.0';

/** The media type of a structured-mode CloudEvent in the JSON event format. */
export const CLOUD_EVENTS_CONTENT_TYPE = 'application/cloudevents+json';

/** The `ce-*` headers of binary mode that hookwork sets; a webhook's custom headers may not. */
export { CLOUD_EVENTS_HEADERS } from '../model/framework-headers';

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

/** The string or number at an RFC 6901 JSON Pointer in a JSON text; undefined for anything else. */
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
  if (typeof value === 'string' && value !== '') return value;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}
