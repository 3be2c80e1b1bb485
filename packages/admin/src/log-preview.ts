import { deliveryLogEntrySchema, type DeliveryLogEntry, type Page } from '@hookwork/core';

/**
 * How many characters of each body a delivery-log listing asked with `bodies=preview` keeps. A
 * stored body may be 64 KiB (request) and 64 KiB (response): a page of 1,000 such entries was a
 * 131 MB answer, about 0.5 GB more held while it was built (measured on SQLite and PostgreSQL);
 * cut to this, a few MB (headers stay whole). What a list shows of a body — what the receiver said, the first
 * lines of the payload — is in its first kilobyte; `GET webhook/logs/{key}` answers one entry whole.
 */
export const BODY_PREVIEW_CHARS = 1024;

/** The `bodies` query parameter of the two delivery-log listings. */
export const bodiesQuery = {
  bodies: {
    type: 'string',
    enum: ['full', 'preview'],
    description: `\`full\` (the default): each entry's request and response body whole. \`preview\`: each body cut to its first ${BODY_PREVIEW_CHARS} characters, and an entry whose body was cut says its whole length in \`requestBodyLength\` / \`responseBodyLength\`; \`GET webhook/logs/{key}\` answers that entry whole. A list that shows no bodies, or only their start, asks for \`preview\`.`,
  },
} as const;

const cutLength = { type: 'integer', minimum: 0 } as const;

/** A delivery-log entry as a listing answers it: core's, with the whole lengths of the bodies `bodies=preview` cut. */
export const listedLogEntrySchema = {
  ...deliveryLogEntrySchema,
  properties: {
    ...deliveryLogEntrySchema.properties,
    requestBodyLength: { ...cutLength, description: `Only when \`bodies=preview\` cut \`requestBody\`: its whole length in characters (\`GET webhook/logs/{key}\` answers it whole).` },
    responseBodyLength: { ...cutLength, description: `Only when \`bodies=preview\` cut \`responseBody\`: its whole length in characters (\`GET webhook/logs/{key}\` answers it whole).` },
  },
} as const;

/** `body`'s first {@link BODY_PREVIEW_CHARS} characters, never ending inside a surrogate pair (half an emoji is no character). */
function cut(body: string): string {
  let end = BODY_PREVIEW_CHARS;
  const last = body.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return body.slice(0, end);
}

/** One entry with each body over {@link BODY_PREVIEW_CHARS} cut, its whole length beside it. */
function previewed(entry: DeliveryLogEntry): DeliveryLogEntry & { requestBodyLength?: number; responseBodyLength?: number } {
  const request = entry.requestBody.length > BODY_PREVIEW_CHARS;
  const response = entry.responseBody.length > BODY_PREVIEW_CHARS;
  if (!request && !response) return entry;
  return {
    ...entry,
    ...(request ? { requestBody: cut(entry.requestBody), requestBodyLength: entry.requestBody.length } : {}),
    ...(response ? { responseBody: cut(entry.responseBody), responseBodyLength: entry.responseBody.length } : {}),
  };
}

/** A page of the delivery log as `bodies` asks: whole (the default, as before), or each body cut to a preview. */
export function withBodies<P extends Page<DeliveryLogEntry>>(page: P, bodies: 'full' | 'preview' | undefined): P {
  return bodies === 'preview' ? { ...page, items: page.items.map(previewed) } : page;
}
