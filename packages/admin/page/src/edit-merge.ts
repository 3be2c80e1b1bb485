import type { WebhookView } from './api';

/** What a view holds for a sensitive header's value (core's REDACTED); sent back, it keeps the stored value, sensitive. */
const REDACTED = '[redacted]';

/** A custom header as the editor holds it. */
export interface HeaderRow {
  name: string;
  value: string;
  sensitive: boolean;
  /**
   * The value is a sensitive one stored on the server, which the page never gets: `value` is the
   * placeholder. It can stay sensitive as it is, but cannot become a plain value without being typed.
   */
  hidden: boolean;
}

/**
 * The editor's fields as the operator sees them, one value per control (events in the order
 * stored or ticked, which a save keeps; numbers as typed): what a webhook fills the form with, and what a refused save's three-way merge compares.
 */
export interface FormFields {
  url: string;
  name: string;
  description: string;
  events: string[];
  contentTypes: string;
  headers: HeaderRow[];
  enabled: boolean;
  perSecond: string;
  burst: string;
  order: 'any' | 'skip' | 'block';
  failureThreshold: string;
  coolDownSeconds: string;
}

/** A field of the form, by its key in FormFields. */
export type FieldName = keyof FormFields;

/** The form's fields in its order, with the label each has on the form. */
export const FIELD_LABELS: ReadonlyArray<readonly [FieldName, string]> = [
  ['url', 'URL'],
  ['name', 'Name'],
  ['description', 'Description'],
  ['events', 'Events'],
  ['contentTypes', 'Content types'],
  ['headers', 'Custom headers'],
  ['perSecond', 'Rate limit'],
  ['burst', 'Burst'],
  ['order', 'Order'],
  ['failureThreshold', 'Breaker opens after'],
  ['coolDownSeconds', 'Breaker probes after'],
  ['enabled', 'Enabled'],
];

/** The form as filled from `webhook`. */
export function formOf(webhook: WebhookView): FormFields {
  return {
    url: webhook.url,
    name: webhook.name ?? '',
    description: webhook.description ?? '',
    events: [...webhook.events],
    contentTypes: webhook.contentTypeKeys.join('\n'),
    headers: Object.entries(webhook.headers).map(([name, value]) => {
      const sensitive = webhook.sensitiveHeaders.includes(name.toLowerCase());
      return { name, value, sensitive, hidden: sensitive && value === REDACTED };
    }),
    enabled: webhook.enabled,
    perSecond: webhook.rateLimit ? String(webhook.rateLimit.perSecond) : '',
    burst: webhook.rateLimit ? String(webhook.rateLimit.burst) : '',
    order: webhook.fifo ? webhook.fifo.onDeadLetter : 'any',
    failureThreshold: webhook.breaker?.failureThreshold !== undefined ? String(webhook.breaker.failureThreshold) : '',
    coolDownSeconds: webhook.breaker?.coolDown !== undefined ? String(webhook.breaker.coolDown / 1000) : '',
  };
}

/** How one field came out of the merge: as typed here, as stored now, or for the operator to choose. */
export type FieldOutcome = 'mine' | 'theirs' | 'conflict';

/** One field that differs between what the form started from, what was typed and what is stored now. */
export interface FieldChange {
  field: FieldName;
  /** The field's label on the form. */
  label: string;
  outcome: FieldOutcome;
}

/** Whether two values of a field are one: events are a set, compared whatever their order. */
const same = (field: FieldName, a: FormFields, b: FormFields) =>
  field === 'events' ? JSON.stringify([...a.events].sort()) === JSON.stringify([...b.events].sort()) : JSON.stringify(a[field]) === JSON.stringify(b[field]);

/**
 * A three-way merge of the form (GitLab's "someone edited this while you were editing", field by
 * field): a field only typed here keeps what was typed, one only changed elsewhere takes the stored
 * value, and one changed both ways (to different values) is a conflict, left as typed until the
 * operator chooses. Pure: the fields in, the merged form and each field that differs out.
 */
export function mergeFields(base: FormFields, mine: FormFields, theirs: FormFields): { merged: FormFields; changes: FieldChange[] } {
  const merged = { ...mine };
  const changes: FieldChange[] = [];
  for (const [field, label] of FIELD_LABELS) {
    const typed = !same(field, base, mine);
    const stored = !same(field, base, theirs);
    if (!typed && !stored) continue;
    if (stored && !typed) (merged as Record<FieldName, unknown>)[field] = theirs[field];
    const outcome: FieldOutcome = typed && stored && !same(field, mine, theirs) ? 'conflict' : typed ? 'mine' : 'theirs';
    changes.push({ field, label, outcome });
  }
  return { merged, changes };
}

/** The words of each delivery order, as the editor's Order field offers them and the merge table shows them. */
export const ORDER_WORDS = { any: 'Any order', skip: 'Publish order (FIFO), skipping a dead one', block: 'Publish order (FIFO), a dead one blocks the rest' } as const;

/** A field's value in words, for the side-by-side view of a merge: a sensitive header's value is never shown. */
export function fieldText(fields: FormFields, field: FieldName): string {
  const value = fields[field];
  switch (field) {
    case 'events':
      return [...fields.events].sort().join(', ') || '(none)';
    case 'headers':
      return fields.headers.map((h) => `${h.name}: ${h.sensitive ? '(sensitive)' : h.value}`).join('\n') || '(none)';
    case 'enabled':
      return fields.enabled ? 'Yes' : 'No';
    case 'order':
      return ORDER_WORDS[fields.order];
    case 'perSecond':
    case 'burst':
    case 'failureThreshold':
    case 'coolDownSeconds':
      return value === '' ? "(the app's setting)" : String(value);
    default:
      return value === '' ? '(empty)' : String(value);
  }
}
