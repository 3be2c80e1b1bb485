/** JSON data: what payload converters return, so serialisation can never fail on them. */
export type PlainData = null | boolean | number | string | PlainData[] | { [key: string]: PlainData };

/** Deeper values are cut: a payload is a summary, not an object graph. */
export const MAX_PLAIN_DEPTH = 32;

const CUT = Symbol('cut');

/**
 * Copies a host value into plain JSON data. Self-references — the crash of Umbraco issue #20272,
 * where an entity graph with a cycle broke webhook serialisation — are cut instead of followed:
 * a value already on the path from the root is left out of an object (and is null in an array).
 * Dates become ISO strings, BigInts strings, non-finite numbers null; functions and symbols are
 * left out; Maps become objects and Sets arrays; `toJSON()` is honoured. `ancestors` are the
 * objects the value hangs off (the entity whose field it is): references back to them are cut too.
 */
export function toPlainData(value: unknown, ancestors: readonly object[] = []): PlainData {
  const result = copy(value, [...ancestors], 0);
  return result === CUT ? null : result;
}

function copy(value: unknown, path: object[], depth: number): PlainData | typeof CUT {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return CUT;
  }
  if (value === null) return null;
  const object = value as object;
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? null : object.toISOString();
  if (path.includes(object) || depth >= MAX_PLAIN_DEPTH) return CUT;
  const inner = [...path, object];
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    // A toJSON that returns its own object (or throws) must not loop or crash the payload.
    let replaced: unknown;
    try {
      replaced = toJSON.call(object);
    } catch {
      return CUT;
    }
    if (replaced !== object) return copy(replaced, inner, depth + 1);
  }
  if (Array.isArray(object) || object instanceof Set) {
    return [...(object as Iterable<unknown>)].map((item) => {
      const copied = copy(item, inner, depth + 1);
      return copied === CUT ? null : copied;
    });
  }
  const entries: Iterable<[unknown, unknown]> = object instanceof Map ? object.entries() : Object.entries(object);
  const result: { [key: string]: PlainData } = {};
  for (const [key, item] of entries) {
    if (typeof key !== 'string') continue;
    const copied = copy(item, inner, depth + 1);
    if (copied === CUT) continue;
    // An own "__proto__" key (JSON.parse makes them, e.g. in a property value) stays a key:
    // assigning it would set the copy's prototype and leave the key out of the payload.
    if (key === '__proto__') Object.defineProperty(result, key, { value: copied, enumerable: true, writable: true, configurable: true });
    else result[key] = copied;
  }
  return result;
}
