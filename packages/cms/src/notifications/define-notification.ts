import { HookworkError, setOwn, shownValue, valueKind } from '@hookwork/core';

/**
 * A kind of value a notification's data field holds (checked when the notification is created):
 * - `array`, `object`, `string`, `boolean`: what the name says;
 * - `integer`: a whole number (Umbraco's `int`, such as a version id);
 * - `date`: a `Date` or a date string sent as it is (Umbraco's `DateTime`);
 * - `id`: Umbraco's numeric database id (`int`) or a key string (a GUID in Umbraco);
 * - `<kind>[]`: an array whose every item is of that kind (`id[]`: Umbraco's `int[]` member ids, or keys).
 */
export type NotificationValueKind = 'array' | 'object' | 'string' | 'boolean' | 'integer' | 'date' | 'id' | 'string[]' | 'id[]';

/**
 * What a field of a notification's data must be. A plain kind is required; a kind ending in `?` may
 * also be absent or null (`'integer?'`: Umbraco's `int` the host may leave out).
 */
export type NotificationFieldKind = NotificationValueKind | `${NotificationValueKind}?`;

/**
 * A CMS notification class: `new ContentPublishedNotification({ publishedEntities })`. Every
 * notification takes ONE data object whose fields become its read-only properties
 * (`notification.publishedEntities`), so a host fires any event with plain objects.
 */
export interface CmsNotificationClass<TData extends object> {
  /**
   * Makes a notification from its one data object; a field of the wrong kind is refused
   * (HOOKWORK_ERR_INVALID_NOTIFICATION naming the field and the kind it must be).
   */
  new (data: TData): Readonly<TData>;
  /** The instances' prototype (so `instanceof` and the notification bus's class lookup work). */
  readonly prototype: Readonly<TData>;
}

/**
 * What a refused value is: its kind, and the value itself where that helps (`a number 42`,
 * `an array ([1,2])`). undefined and null are said once: `${typeof value} ${shownValue(value)}`
 * wrote "undefined undefined" for `new ContentPublishedNotification()`. A function is named, never
 * shown (its source is its text).
 */
const describe = (value: unknown): string => {
  if (value === undefined || value === null) return String(value);
  if (Array.isArray(value)) return `an array (${shownValue(value)})`;
  if (value instanceof Date) return 'a Date';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'})`;
  return `${valueKind(value)} ${shownValue(value)}`;
};

const KIND_TEXT: Readonly<Record<NotificationValueKind, string>> = {
  array: 'an array',
  object: 'an object',
  string: 'a string',
  boolean: 'true or false',
  integer: "a whole number (Umbraco's int)",
  date: 'a Date or a date string',
  id: "Umbraco's numeric id (a whole number) or a key (a string)",
  'string[]': 'an array of strings',
  'id[]': "an array of Umbraco's numeric ids (whole numbers) or keys (strings)",
};

function matches(kind: NotificationValueKind, value: unknown): boolean {
  switch (kind) {
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
    case 'integer':
      return Number.isInteger(value);
    case 'date':
      return (value instanceof Date && !Number.isNaN(value.getTime())) || typeof value === 'string';
    case 'id':
      return Number.isInteger(value) || typeof value === 'string';
    case 'string[]':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    case 'id[]':
      return Array.isArray(value) && value.every((item) => Number.isInteger(item) || typeof item === 'string');
    default:
      return typeof value === kind;
  }
}

/** The first item of an array that is not of the item kind, for the message. */
function badItem(kind: NotificationValueKind, value: unknown): string {
  if (!Array.isArray(value) || !kind.endsWith('[]')) return '';
  const itemKind = kind.slice(0, -2) as NotificationValueKind;
  const index = value.findIndex((item) => !matches(itemKind, item));
  return index < 0 ? '' : ` (item ${index} is ${describe(value[index])})`;
}

/**
 * Makes a notification class named `name` (its own class, so the bus routes it apart from every
 * other) whose constructor checks the listed fields: a wrong shape is a coded error when the
 * host creates the notification, naming the field and what it must be, not a crash inside a
 * webhook event later or a body of another type than Umbraco's.
 */
export function defineNotification<TData extends object>(
  name: string,
  fields: { readonly [K in keyof TData]?: NotificationFieldKind },
  /** A check the kinds cannot say (a nested field's form): returns what is wrong, naming the field, or undefined. */
  refine?: (data: TData) => string | undefined,
): CmsNotificationClass<TData> {
  const checks = Object.entries(fields) as [string, NotificationFieldKind][];
  const required = checks.filter(([, kind]) => !kind.endsWith('?')).map(([field]) => field);
  const type = class {
    constructor(data: TData) {
      if (data === null || typeof data !== 'object' || Array.isArray(data)) {
        throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `new ${name}(data) takes one data object (${required.length > 0 ? required.join(', ') : 'no required field'}); got ${data === undefined ? `no argument: pass new ${name}({ ${required.length > 0 ? required.map((field) => `${field}: …`).join(', ') : '…'} })` : describe(data)}`);
      }
      for (const [field, spec] of checks) {
        const optional = spec.endsWith('?');
        const kind = (optional ? spec.slice(0, -1) : spec) as NotificationValueKind;
        const value = (data as Record<string, unknown>)[field];
        if (optional && (value === undefined || value === null)) continue;
        if (!matches(kind, value)) {
          throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `new ${name}(data): data.${field} must be ${KIND_TEXT[kind]}${optional ? ', null or absent' : ''}; got ${describe(value)}${badItem(kind, value)}`);
        }
      }
      const problem = refine?.(data);
      if (problem !== undefined) throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `new ${name}(data): ${problem}`);
      // Not Object.assign: an own "__proto__" key (JSON.parse makes them) set the notification's
      // prototype, so it was no longer an instance of its class and publish() routed it nowhere.
      for (const key of Object.keys(data as object)) setOwn(this as unknown as Record<string, unknown>, key, (data as Record<string, unknown>)[key]);
    }
  };
  Object.defineProperty(type, 'name', { value: name });
  return type as unknown as CmsNotificationClass<TData>;
}
