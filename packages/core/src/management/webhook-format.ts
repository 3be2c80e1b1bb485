import type { WebhookFormat } from '../model/webhook';

/** A URI-reference (RFC 3986): its characters only, no spaces. */
export const URI_REFERENCE = "^[A-Za-z0-9\\-._~:/?#\\[\\]@!$&'()*+,;=%]+$";
/** An RFC 6901 JSON Pointer: empty, or `/`-separated tokens with `~0` and `~1` escapes. */
export const JSON_POINTER = '^(/([^~/\\uD800-\\uDFFF]|~[01])*)*$';

/** A CloudEvents subject: no control characters and no lone surrogate (it goes out as ce-subject too). */
export const SUBJECT_TEXT = '^[^\\u0000-\\u001f\\u007f\\uD800-\\uDFFF]*$';

/** JSON Schema of a webhook's `format` (the checks one schema can't say are in {@link formatProblems}). */
export const webhookFormatSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { enum: ['json', 'cloudevents'] },
    mode: { enum: ['structured', 'binary'] },
    source: { type: 'string', minLength: 1, maxLength: 2048, pattern: URI_REFERENCE },
    // A lone surrogate is stored and sent (ce-subject) as U+FFFD: refused, as in every other stored text.
    subject: { type: 'string', minLength: 1, maxLength: 2048, pattern: SUBJECT_TEXT },
    subjectFrom: { type: 'string', maxLength: 500, pattern: JSON_POINTER },
  },
} as const;

/** What is wrong with a format the schema accepted: a missing or extra field for its type. */
export function formatProblems(format: WebhookFormat): { field: string; problem: string }[] {
  const fields = format as unknown as Record<string, unknown>;
  if (format.type === 'json') {
    return ['mode', 'source', 'subject', 'subjectFrom'].filter((f) => fields[f] !== undefined).map((f) => ({ field: `format.${f}`, problem: "is a CloudEvents field; use { type: 'cloudevents', … } or leave it out" }));
  }
  const problems: { field: string; problem: string }[] = [];
  if (format.mode === undefined) problems.push({ field: 'format.mode', problem: "is required for CloudEvents: 'structured' (application/cloudevents+json) or 'binary' (ce-* headers)" });
  if (format.source === undefined) problems.push({ field: 'format.source', problem: 'is required for CloudEvents: a URI-reference naming your app, e.g. https://cms.example.com or /sites/main' });
  if (format.subject !== undefined && format.subjectFrom !== undefined) problems.push({ field: 'format.subjectFrom', problem: 'goes without subject: give a fixed subject or a JSON Pointer into the payload, not both' });
  return problems;
}

/** The format as stored: only the fields of its type, in a fixed order. */
export function normalizeFormat(format: WebhookFormat): WebhookFormat {
  if (format.type === 'json') return { type: 'json' };
  return {
    type: 'cloudevents',
    mode: format.mode,
    source: format.source,
    ...(format.subject !== undefined ? { subject: format.subject } : {}),
    ...(format.subjectFrom !== undefined ? { subjectFrom: format.subjectFrom } : {}),
  };
}
