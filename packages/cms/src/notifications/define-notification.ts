import { HookworkError } from '@hookwork/core';

/** What a field of a notification's data must be; checked when the notification is created. */
export type NotificationFieldKind = 'array' | 'object' | 'string' | 'boolean';

/**
 * A CMS notification class: `new ContentPublishedNotification({ publishedEntities })`. Every
 * notification takes ONE data object whose fields become its read-only properties
 * (`notification.publishedEntities`), so a host fires any event with plain objects.
 */
export interface CmsNotificationClass<TData extends object> {
  /**
   * Makes a notification from its one data object; fields of the wrong kind are refused
   * (HOOKWORK_ERR_INVALID_NOTIFICATION).
   */
  new (data: TData): Readonly<TData>;
  /** The instances' prototype (so `instanceof` and the notification bus's class lookup work). */
  readonly prototype: Readonly<TData>;
}

const describe = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);

function matches(kind: NotificationFieldKind, value: unknown): boolean {
  switch (kind) {
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    default:
      return typeof value === kind;
  }
}

/**
 * Makes a notification class named `name` (its own class, so the bus routes it apart from every
 * other) whose constructor checks the required fields: a wrong shape is a coded error when the
 * host creates the notification, not a crash inside a webhook event later.
 */
export function defineNotification<TData extends object>(name: string, required: { readonly [K in keyof TData]?: NotificationFieldKind }): CmsNotificationClass<TData> {
  const checks = Object.entries(required) as [string, NotificationFieldKind][];
  const type = class {
    constructor(data: TData) {
      if (data === null || typeof data !== 'object') {
        throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `new ${name}(data) takes one data object (${checks.map(([k]) => k).join(', ')}); got ${describe(data)}`);
      }
      for (const [field, kind] of checks) {
        const value = (data as Record<string, unknown>)[field];
        if (!matches(kind, value)) {
          throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `new ${name}(data): data.${field} must be ${kind === 'array' ? 'an array' : `a ${kind}`}; got ${describe(value)}`);
        }
      }
      Object.assign(this, data);
    }
  };
  Object.defineProperty(type, 'name', { value: name });
  return type as unknown as CmsNotificationClass<TData>;
}
