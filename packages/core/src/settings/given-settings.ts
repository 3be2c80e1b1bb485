import { isPlainObject } from '../model/plain-object';

/** The part of a JSON Schema {@link givenSettings} reads: an object's known keys and theirs. */
export interface SettingsSchemaNode {
  readonly properties?: Readonly<Record<string, unknown>>;
}

/**
 * A copy of settings input with every known key whose value is `undefined` left out, at every
 * depth: `{ maximumRetries: undefined }` means "not given", as `{ breaker: { coolDown: undefined } }`
 * does for a webhook. ajv skips an undefined property, so without this it passed validation and then
 * replaced the default in the merge (maximumRetries undefined retried a 500 without end).
 *
 * A key `schema` does not know is kept whatever its value, so validation refuses it by name:
 * dropped, `{ bogus: undefined }` (a misspelt key fed from an unset variable) was accepted without
 * a word. Without a schema every undefined key is left out.
 *
 * Objects and arrays are copied, never kept: the caller's `ssrf.allow` array stayed the app's,
 * and a push after validation reached delivery unchecked. Array entries are kept as given (an
 * `undefined` entry of `retrySchedule` is refused by validation, not dropped). Anything that is
 * not a plain object or an array is returned as it is, for validation to judge.
 */
export function givenSettings<T>(value: T, schema?: SettingsSchemaNode): T {
  if (Array.isArray(value)) return value.map((entry: unknown) => givenSettings(entry)) as T;
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const known = schema?.properties && Object.hasOwn(schema.properties, key) ? (schema.properties[key] as SettingsSchemaNode) : undefined;
    if (inner === undefined && (schema === undefined || known !== undefined)) continue;
    // defineProperty: a key named __proto__ stays a key (and is refused as unknown), not a prototype.
    Object.defineProperty(copy, key, { value: givenSettings(inner, known), enumerable: true, writable: true, configurable: true });
  }
  return copy as T;
}

/** Freezes settings and every object and array in them, so no holder can change what delivery reads. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
