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
  return ['Map', 'Set', 'Date', 'RegExp', 'Buffer', 'Promise', 'Error', 'URL', 'WeakMap', 'WeakSet', 'Uint8Array', 'ArrayBuffer'].includes(tag) ? `a${/^[AEIO]/.test(tag) ? 'n' : ''} ${tag}` : `an instance of ${tag}`;
}

/**
 * The kind of any value, for a refusal that must not show the value itself (it may be a password):
 * `undefined`, `null`, `an array`, `an object` (a plain one), {@link objectKind}'s words for
 * other objects (`a Map`, `an instance of Foo`), else `a string`, `a number`, `a bigint`, ….
 */
export function valueKind(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === 'object') return isPlainObject(value) ? 'an object' : objectKind(value);
  return `a ${typeof value}`;
}

/** An object that is not plain, found in an input where only plain objects (and arrays) belong. */
export interface NonPlainObject {
  /** Dotted path to it (`headers`, `format.data`); empty for the input itself. */
  path: string;
  /** What it is (`a Map`, `a Date`, `an instance of Foo`). */
  kind: string;
  /**
   * The JSON types the input's schema takes there (`['string']` for a URL field, `['array']` for
   * a list), when a schema was given and names them; undefined when it does not say.
   */
  expected?: readonly string[];
}

/** The part of a JSON Schema {@link nonPlainObjects} reads to tell what belongs at a path. */
export interface PlainObjectSchema {
  /** The JSON type or types taken here (`'string'`, `['object', 'null']`). */
  type?: string | readonly string[];
  /** The schemas of an object's named keys. */
  properties?: Readonly<Record<string, unknown>>;
  /** The schema of an object's other keys (a header value under `headers`). */
  additionalProperties?: unknown;
  /** The schema of an array's items. */
  items?: unknown;
  /** Alternatives, any of which is taken (each one's types count). */
  anyOf?: readonly unknown[];
  /** Alternatives, exactly one of which is taken (each one's types count). */
  oneOf?: readonly unknown[];
}

/** The schemas that apply to `key` within the values `schemas` describe (`[n]` for an item). */
function childSchemas(schemas: readonly PlainObjectSchema[], key: string): PlainObjectSchema[] {
  const children: unknown[] = [];
  for (const schema of schemas) {
    if (key.startsWith('[')) children.push(schema.items);
    else children.push(schema.properties && Object.hasOwn(schema.properties, key) ? schema.properties[key] : schema.additionalProperties);
  }
  return alternatives(children);
}

/** `schemas` with each anyOf/oneOf opened into its branches; booleans and absent ones dropped. */
function alternatives(schemas: readonly unknown[]): PlainObjectSchema[] {
  const open: PlainObjectSchema[] = [];
  for (const schema of schemas) {
    if (schema === null || typeof schema !== 'object') continue;
    const node = schema as PlainObjectSchema;
    const branches = [...(node.anyOf ?? []), ...(node.oneOf ?? [])];
    if (branches.length > 0) open.push(...alternatives(branches));
    else open.push(node);
  }
  return open;
}

/** The JSON types `schemas` name (none when one of them names no type: anything goes there). */
function typesOf(schemas: readonly PlainObjectSchema[]): string[] | undefined {
  const types = new Set<string>();
  for (const { type } of schemas) {
    if (type === undefined) return undefined;
    for (const t of typeof type === 'string' ? [type] : type) types.add(t === 'integer' ? 'number' : t);
  }
  types.delete('null');
  return types.size > 0 ? [...types] : undefined;
}

/**
 * Every object in a JSON-like input (objects within objects and arrays, to `maxDepth`) that is
 * not a plain object or an array: such an input is refused where it is given, before a schema
 * reads it as an empty object. Functions and primitives are left to the schema. With the input's
 * `schema`, each one found says what belongs there (`expected`), so the refusal can name the
 * fix: a URL object where the URL's text belongs, a Set where an array does.
 */
export function nonPlainObjects(value: unknown, path = '', maxDepth = 8, schema?: PlainObjectSchema): NonPlainObject[] {
  return walk(value, path, maxDepth, schema ? alternatives([schema]) : []);
}

function walk(value: unknown, path: string, maxDepth: number, schemas: readonly PlainObjectSchema[]): NonPlainObject[] {
  if (value === null || typeof value !== 'object') return [];
  if (!Array.isArray(value) && !isPlainObject(value)) {
    const expected = typesOf(schemas);
    return [{ path, kind: objectKind(value), ...(expected ? { expected } : {}) }];
  }
  if (maxDepth <= 0) return [];
  const found: NonPlainObject[] = [];
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((item, index) => [`[${index}]`, item]) : Object.entries(value);
  for (const [key, item] of entries) {
    if (item === null || typeof item !== 'object') continue;
    const at = key.startsWith('[') ? `${path}${key}` : path ? `${path}.${key}` : key;
    found.push(...walk(item, at, maxDepth - 1, childSchemas(schemas, key)));
  }
  return found;
}

const TYPE_NAMES: Readonly<Record<string, string>> = { string: 'a string', number: 'a number', boolean: 'a boolean', array: 'an array', object: 'a plain object' };

/**
 * What is wrong with a {@link NonPlainObject} and how to fix it, for a refusal: `is a URL, not a
 * string; give its text (url.href)`, `is a Set, not an array; give an array ([...set] makes one)`,
 * or, where an object belongs (or the schema does not say), `is a Map, not a plain object; give an
 * object literal such as {objectExample}` — the one fix the message gave everywhere, which was
 * wrong for a URL given as `url` or a Set given as `events` or `ssrf.allow`.
 */
export function nonPlainProblem(found: NonPlainObject, objectExample = '{ … }'): string {
  const { kind, expected } = found;
  if (kind === 'a URL' && expected?.includes('string')) return `is a URL object, not a string; give its text (url.href)`;
  if (expected === undefined || expected.includes('object')) {
    return `is ${kind}, not a plain object; give an object literal such as ${objectExample}${kind === 'a Map' ? ' (Object.fromEntries(map) turns a Map into one)' : ''}`;
  }
  const wanted = expected.map((t) => TYPE_NAMES[t] ?? t).join(' or ');
  if (expected.includes('array')) return `is ${kind}, not an array; give ${wanted}${kind === 'a Set' || kind === 'a Map' ? ` ([...${kind === 'a Set' ? 'set' : 'map.values()'}] makes one)` : ''}`;
  return `is ${kind}, not ${wanted}; give ${wanted}`;
}
