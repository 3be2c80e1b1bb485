/**
 * True for a plain object — an object literal, `JSON.parse`'s, `Object.create(null)` — and not
 * for a Map, Date, RegExp, array, Buffer or class instance. A JSON Schema `type: 'object'` (ajv)
 * and `typeof v === 'object'` take all of those, and `Object.entries` then reads nothing from a
 * Map: `headers: new Map([...])` was stored as `{}`, wiping the stored headers, secret ones too.
 * An object made in another realm (a `vm` context) counts: its prototype is that realm's
 * `Object.prototype`, whose own prototype is null.
 */
export function isPlainObject<T>(value: T): value is T & Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || proto === Object.prototype || (Object.getPrototypeOf(proto) === null && !Array.isArray(value));
}

/** What a non-plain object is, for a message: `a Map`, `a Date`, `an array`, `an instance of Foo`. */
export function objectKind(value: object): string {
  if (Array.isArray(value)) return 'an array';
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  const tag = typeof name === 'string' && name !== '' ? name : Object.prototype.toString.call(value).slice(8, -1);
  return ['Map', 'Set', 'Date', 'RegExp', 'Buffer', 'Promise', 'Error', 'URL', 'WeakMap', 'WeakSet', 'Uint8Array', 'ArrayBuffer'].includes(tag) ? `a${/^[AEIOU]/.test(tag) ? 'n' : ''} ${tag}` : `an instance of ${tag}`;
}

/** An object that is not plain, found in an input where only plain objects (and arrays) belong. */
export interface NonPlainObject {
  /** Dotted path to it (`headers`, `format.data`); empty for the input itself. */
  path: string;
  /** What it is (`a Map`, `a Date`, `an instance of Foo`). */
  kind: string;
}

/**
 * Every object in a JSON-like input (objects within objects and arrays, to `maxDepth`) that is
 * not a plain object or an array: such an input is refused where it is given, before a schema
 * reads it as an empty object. Functions and primitives are left to the schema.
 */
export function nonPlainObjects(value: unknown, path = '', maxDepth = 8): NonPlainObject[] {
  if (value === null || typeof value !== 'object') return [];
  if (!Array.isArray(value) && !isPlainObject(value)) return [{ path, kind: objectKind(value) }];
  if (maxDepth <= 0) return [];
  const found: NonPlainObject[] = [];
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((item, index) => [`[${index}]`, item]) : Object.entries(value);
  for (const [key, item] of entries) {
    if (item === null || typeof item !== 'object') continue;
    const at = key.startsWith('[') ? `${path}${key}` : path ? `${path}.${key}` : key;
    found.push(...nonPlainObjects(item, at, maxDepth - 1));
  }
  return found;
}
