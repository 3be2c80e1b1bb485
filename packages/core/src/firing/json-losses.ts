import { propertyStep } from '../runtime/property-path';

/**
 * A value `JSON.stringify` would send without its contents, found in a payload it has already
 * serialised (so the value has no cycles): a `Map`, `Set`, `WeakMap` or `WeakSet`, each sent as
 * `{}` with its entries lost; a function or a symbol, left out of an object and sent as `null` in
 * an array (and the whole body undefined at the top); a typed array (`Uint8Array`, …), sent as an
 * object of its items by index (`{"0":1,"1":2}`), or an `ArrayBuffer` or `DataView`, sent as `{}`;
 * a promise or other thenable (a forgotten `await`) and an `Error` (its message and stack are not
 * own enumerable fields), each sent as `{}`; an invalid `Date` (`new Date('tomorrow')`), whose own
 * `toJSON()` sends `null` where the catalogue promises a date-time string; a `RegExp`, sent as `{}`;
 * an instance of a class whose data is all in getters (or private fields behind them), sent as `{}`
 * — an entity a host's ORM gives, returned as it is.
 * Values with their own `toJSON()` (a Node `Buffer`) are taken as their authors meant them and not walked into. What JSON.stringify changes by its well-known rules (a Date to its ISO
 * string, `NaN` and `Infinity` to `null`, `undefined` fields left out) is not reported:
 * docs/events.md lists those, and `toPlainData()` of @hookwork/cms makes the same choices.
 *
 * @returns where the first such value is (`payload.items[2].tags`), what it is and the fix;
 *   undefined when the JSON text holds everything the payload holds.
 */
export function findJsonLoss(payload: unknown): string | undefined {
  const found = lossAt(payload);
  if (!found) return undefined;
  const [what, path] = found;
  return `${what} at payload${path.reverse().join('')}`;
}

/** [what was found, the path to it, innermost step first]; undefined when nothing is lost. */
function lossAt(value: unknown): [string, string[]] | undefined {
  if (typeof value === 'function') return [`a function${value.name ? ` (${value.name})` : ''} (JSON.stringify leaves it out, or sends null in a list; send the data it would give instead)`, []];
  if (typeof value === 'symbol') return [`a symbol, ${String(value)} (JSON.stringify leaves it out, or sends null in a list; send a string instead)`, []];
  if (typeof value !== 'object' || value === null) return undefined;
  // Before the toJSON() below: Date's own sends null for an invalid date, a value lost without a word
  // (a receiver that reads the date-time `describePayload()` promised gets null).
  if (value instanceof Date && Number.isNaN(value.getTime())) return ['an invalid Date (JSON.stringify sends null; check the value it was made from, or send null yourself when there is no date)', []];
  // Its own toJSON() says what is sent (a Map subclass may have one): taken as meant, not walked into.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
  // A forgotten await put a promise where the data was; an Error keeps its message and stack in fields JSON does not list.
  if (typeof (value as { then?: unknown }).then === 'function') return ['a promise (JSON.stringify sends {}; await it first and send what it resolves to)', []];
  if (value instanceof Error) return [`an Error${value.name && value.name !== 'Error' ? ` (${value.name})` : ''} (JSON.stringify sends {} without its message; send error.message, or an object such as { name, message })`, []];
  if (value instanceof Map) return [`a Map of ${value.size} (JSON.stringify sends {}, without its entries; convert it with Object.fromEntries(map))`, []];
  if (value instanceof Set) return [`a Set of ${value.size} (JSON.stringify sends {}, without its entries; convert it with [...set])`, []];
  if (value instanceof WeakMap || value instanceof WeakSet) return [`a ${value instanceof WeakMap ? 'WeakMap' : 'WeakSet'} (JSON.stringify sends {}; it cannot be listed, so send what it holds another way)`, []];
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView) return [`a DataView of ${value.byteLength} bytes (JSON.stringify sends {}; send its bytes as base64 text: Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64'))`, []];
    const kind = value.constructor?.name || 'typed array';
    return [`a ${kind} of ${(value as unknown as { length: number }).length} (JSON.stringify sends an object of its items by index, {"0":…,"1":…}; convert it with Array.from(array), or bytes to base64 text with Buffer.from(array).toString('base64'))`, []];
  }
  if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer)) {
    return [`an ${value.constructor.name} of ${value.byteLength} bytes (JSON.stringify sends {}; send its bytes as base64 text: Buffer.from(buffer).toString('base64'))`, []];
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = lossAt(value[i]);
      if (found) return (found[1].push(`[${i}]`), found);
    }
    return undefined;
  }
  const record = value as Record<string, unknown>;
  // The keys JSON.stringify lists (Object.keys()'), in their order, without making a list of them
  // at every object of every payload published (about 100 bytes per object).
  let listed = false;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    listed = true;
    const found = lossAt(record[key]);
    if (found) return (found[1].push(propertyStep(key)), found);
  }
  if (!listed) {
    const hidden = dataOutOfReach(value);
    if (hidden) return [hidden, []];
  }
  return undefined;
}

/**
 * What JSON.stringify sends as `{}` from an object it lists no key of, though it holds data: a
 * `RegExp`, or an instance of a class whose data is in getters on its prototype (`get id() { return
 * this.#id; }`). Only asked of an object with no own listed key, so a class instance with fields of
 * its own (what JSON sends, getters left out as JavaScript leaves them) is never walked up.
 */
function dataOutOfReach(value: object): string | undefined {
  if (value instanceof RegExp) return `a RegExp, ${String(value)} (JSON.stringify sends {}; send its text, String(regexp) or regexp.source)`;
  const getters: string[] = [];
  for (let proto = Object.getPrototypeOf(value) as object | null; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
      if (descriptor.get !== undefined && !getters.includes(name)) getters.push(name);
    }
  }
  if (getters.length === 0) return undefined;
  const kind = (value.constructor as { name?: unknown } | undefined)?.name;
  const shown = getters.slice(0, 3);
  return `${typeof kind === 'string' && kind !== '' ? `${/^[AEIOU]/.test(kind) ? 'an' : 'a'} ${kind}` : 'an object'} whose data is in getters (${shown.join(', ')}${getters.length > 3 ? ', …' : ''}) (JSON.stringify sends {}; return a plain object, e.g. { ${shown.map((name) => `${name}: value.${name}`).join(', ')} }, or give the class a toJSON())`;
}
