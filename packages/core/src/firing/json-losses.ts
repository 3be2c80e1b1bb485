import { types } from 'node:util';
import { HookworkError, shownValue } from '../errors/hookwork-error';
import { unknownOption } from '../errors/nearest-name';
import { thrownMessage } from '../errors/thrown-message';
import { readOrRefuse } from '../model/caller-input';
import { propertyStep } from '../runtime/property-path';

/**
 * What {@link findJsonLoss} found: the first value `JSON.stringify` would send without its contents.
 *
 * @public
 */
export interface JsonLoss {
  /**
   * What the value is, how JSON.stringify sends it and the fix, in one phrase a message can hold as
   * it is: `a Map of 1 (JSON.stringify sends {}, without its entries; convert it with
   * Object.fromEntries(map))`.
   */
  readonly what: string;
  /**
   * Where it is inside the value given, as JavaScript property steps to put after its name: `''` for
   * the value itself, `.items[2].tags`, `["by culture"].en`. Core's message reads
   * `… at payload.items[2].tags`; a plugin puts its own name first (`argument 2 (entry).tags`).
   */
  readonly path: string;
}

/**
 * Options of {@link findJsonLoss}.
 *
 * @public
 */
export interface FindJsonLossOptions {
  /**
   * What to do with a function or a symbol. `'report'` (the default, what core does with a
   * payload): it is a loss, as JSON.stringify leaves it out of an object, sends `null` for it in an
   * array, and sends no text at all for it at the top. `'allow'`: it is sent as JSON sends it, as a
   * plugin does whose documented wire form takes it so (Cockpit passes an argument that is a
   * function on as `null`, as PHP's `json_encode` would).
   */
  readonly functionsAndSymbols?: 'report' | 'allow';
}

/**
 * Finds the first value `JSON.stringify` would send without its contents, and where it is: the rule
 * core applies to every payload it publishes (refused as `HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE`),
 * exported so that a plugin serialising data of its own refuses the same values in the same words.
 *
 * Reported: a `Map`, `Set`, `WeakMap` or `WeakSet`, each sent as `{}` with its entries lost; a
 * function or a symbol, left out of an object and sent as `null` in an array (and the whole text
 * undefined at the top), unless `options.functionsAndSymbols` is `'allow'`; a typed array
 * (`Uint8Array`, …), sent as an object of its items by index (`{"0":1,"1":2}`), or an `ArrayBuffer`
 * or `DataView`, sent as `{}`; a promise or other thenable (a forgotten `await`) and an `Error` (its
 * message and stack are not own enumerable fields), each sent as `{}`; an invalid `Date`
 * (`new Date('tomorrow')`), whose own `toJSON()` sends `null` where a date-time string was meant
(one given a `toJSON()` of its own is taken as that returns);
 * a `RegExp`, sent as `{}`; an instance of a class whose data is all in getters (or private fields
 * behind them), sent as `{}` — an entity a host's ORM gives, returned as it is; a revoked Proxy, on
 * which JSON.stringify throws. Each kind is told by its internal slots (`node:util` types), so a
 * value of another realm (a `vm` context; in jest, what `structuredClone()` gives) is reported as
 * this realm's is.
 *
 * Not reported: a value with its own `toJSON()` (a Node `Buffer`), taken as its author meant it and
 * not walked into; what JSON.stringify changes by its well-known rules (a Date to its ISO string,
 * `NaN` and `Infinity` to `null`, `undefined` fields left out) — docs/events.md lists those, and
 * `toPlainData()` of @hookwork/cms makes the same choices.
 *
 * It walks what JSON.stringify walks: array items, and each object's own enumerable string keys in
 * their order (getters among them are read, once more than JSON.stringify reads them); an object
 * with none of those is asked for a `RegExp` or getters on its class's prototypes. Call it after
 * `JSON.stringify(value)` has succeeded (`jsonFailure()` words what made that throw): it walks as
 * deep as JSON.stringify went without running out of call stack, and a read that throws where
 * JSON.stringify's did not (a getter or Proxy answering differently each time) is answered as a
 * loss at its path, not thrown. Cost: one walk, no copy and no list of keys made
 * (about 0.25 µs for a content payload of 20 values, against 2.3 µs for its JSON.stringify); it
 * stops at the first loss.
 *
 * @param value - the value about to be sent as JSON
 * @param options - see {@link FindJsonLossOptions}; an unknown key or value is refused
 *   (`HOOKWORK_ERR_INVALID_ARGUMENT`, naming it), not taken as the default
 * @returns the first loss in JSON.stringify's order (what it is, with the fix, and its path), or
 *   undefined when the JSON text holds everything the value holds
 * @public
 */
export function findJsonLoss(value: unknown, options?: FindJsonLossOptions): JsonLoss | undefined {
  const found = lossAt(value, options === undefined || reportsFunctionsAndSymbols(options), 0);
  if (!found) return undefined;
  const [what, path] = found;
  return { what, path: path.reverse().join('') };
}

const FIND_JSON_LOSS_OPTIONS = ['functionsAndSymbols'] as const;

/** Reads findJsonLoss()'s options once; a value it does not know is refused, not taken as 'report'. */
function reportsFunctionsAndSymbols(given: FindJsonLossOptions): boolean {
  const plain = plainChoice(given);
  if (plain !== undefined) return plain;
  const refuse = (problem: string) => new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `findJsonLoss(value, options): ${problem}`);
  if (given === null || typeof given !== 'object') throw refuse(`options must be an object such as { functionsAndSymbols: 'allow' }, or left out (got ${shownValue(given)})`);
  const options = readOrRefuse(given, (path, problem) => refuse(`options${path ? `.${path}` : ''} ${problem}`), 1);
  const unknown = unknownOption(options, FIND_JSON_LOSS_OPTIONS);
  if (unknown) throw refuse(unknown.text);
  const choice = options.functionsAndSymbols;
  if (choice === undefined || choice === 'report') return true;
  if (choice === 'allow') return false;
  throw refuse(`options.functionsAndSymbols must be 'report' or 'allow' (got ${shownValue(choice)}); leave it out for 'report'`);
}

/**
 * The choice of the common form — an object literal holding `functionsAndSymbols` as a data
 * property, 'report' or 'allow', and nothing else (what a plugin passes on every call) — read
 * without readOrRefuse's copy, which cost about three times the walk of a small value; undefined
 * for any other form, which the full check reads and refuses as it must.
 */
function plainChoice(given: unknown): boolean | undefined {
  if (given === null || typeof given !== 'object' || types.isProxy(given) || Object.getPrototypeOf(given) !== Object.prototype) return undefined;
  const own = Object.getOwnPropertyDescriptor(given, 'functionsAndSymbols');
  if (own === undefined || !('value' in own)) return undefined;
  for (const key in given) if (key !== 'functionsAndSymbols') return undefined;
  return own.value === 'allow' ? false : own.value === 'report' ? true : undefined;
}

/** [what was found, the path to it, innermost step first]. */
type Found = [string, string[]];

/** A value to walk into: an array's items or an object's listed keys (nothing of it is lost itself). */
const WALK = Symbol('walk');

/**
 * Levels walked by recursion; deeper, the walk goes on with a list of its own. JSON.stringify's
 * native frames are smaller than this function's: a payload it took 3,000 levels deep made the
 * recursive walk overflow the stack, a raw RangeError out of publish().
 */
const RECURSION_LEVELS = 64;

/** Levels the list walk goes before it calls the value too deep (a getter answering a new object at each read never ends). */
const MAX_LEVELS = 1_000_000;

/** Undefined when nothing is lost. A function or symbol is passed (as JSON sends it) unless reportFunctionsAndSymbols. */
function lossAt(value: unknown, reportFunctionsAndSymbols: boolean, depth: number): Found | undefined {
  const own = lossOf(value, reportFunctionsAndSymbols);
  if (own !== WALK) return own === undefined ? undefined : [own, []];
  if (depth >= RECURSION_LEVELS) return lossBeyond(value as object, reportFunctionsAndSymbols);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      let item: unknown;
      try {
        item = value[i];
      } catch (cause) {
        return [readAgainThrew(cause), [`[${i}]`]];
      }
      const found = lossAt(item, reportFunctionsAndSymbols, depth + 1);
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
    let item: unknown;
    try {
      item = record[key];
    } catch (cause) {
      return [readAgainThrew(cause), [propertyStep(key)]];
    }
    const found = lossAt(item, reportFunctionsAndSymbols, depth + 1);
    if (found) return (found[1].push(propertyStep(key)), found);
  }
  if (!listed) {
    const hidden = dataOutOfReach(value as object);
    if (hidden) return [hidden, []];
  }
  return undefined;
}

/**
 * The walk past RECURSION_LEVELS: the same rules over a list of the objects being walked, so a
 * payload as deep as JSON.stringify could go costs no call stack. Keys are listed here (Object.keys,
 * as JSON.stringify lists them); a cycle, which only a getter answering differently on a second
 * read can make after JSON.stringify succeeded, is named rather than walked for ever.
 */
function lossBeyond(root: object, reportFunctionsAndSymbols: boolean): Found | undefined {
  const frames: { holder: object; keys: string[] | undefined; length: number; next: number }[] = [];
  const open = new Set<object>();
  const pathHere = (): string[] => {
    const steps: string[] = [];
    for (let i = frames.length - 1; i >= 0; i--) {
      const { keys, next } = frames[i]!;
      steps.push(keys === undefined ? `[${next - 1}]` : propertyStep(keys[next - 1]!));
    }
    return steps;
  };
  let value: unknown = root;
  for (;;) {
    const own = frames.length === 0 ? WALK : lossOf(value, reportFunctionsAndSymbols);
    if (typeof own === 'string') return [own, pathHere()];
    if (own === WALK) {
      const holder = value as object;
      if (open.has(holder)) return ['a circular reference (it holds itself once read again; JSON cannot hold a cycle: send each object once, or an id where it repeats)', pathHere()];
      if (frames.length >= MAX_LEVELS) return [`a value nested more than ${MAX_LEVELS} levels deep (flatten it, or send ids and let the receiver fetch the rest)`, pathHere()];
      let keys: string[] | undefined;
      try {
        keys = Array.isArray(holder) ? undefined : Object.keys(holder);
      } catch (cause) {
        return [readAgainThrew(cause), pathHere()];
      }
      if (keys !== undefined && keys.length === 0) {
        const hidden = dataOutOfReach(holder);
        if (hidden) return [hidden, pathHere()];
      }
      frames.push({ holder, keys, length: keys === undefined ? (holder as unknown[]).length : keys.length, next: 0 });
      open.add(holder);
    }
    // The next value in JSON.stringify's order: the next item of the innermost object not done.
    for (;;) {
      const top = frames[frames.length - 1];
      if (top === undefined) return undefined;
      if (top.next < top.length) {
        const i = top.next++;
        try {
          value = top.keys === undefined ? (top.holder as unknown[])[i] : (top.holder as Record<string, unknown>)[top.keys[i]!];
        } catch (cause) {
          return [readAgainThrew(cause), pathHere()];
        }
        break;
      }
      frames.pop();
      open.delete(top.holder);
    }
  }
}

/** What a second read threw: JSON.stringify read the same place without an error. */
function readAgainThrew(cause: unknown): string {
  return `a value that threw when read again (${thrownMessage(cause, { named: true })}) (JSON.stringify read it, a second read threw: a getter or Proxy that answers differently at each read; send plain data, read once)`;
}

/**
 * What is lost of the value itself: a phrase, undefined (nothing), or WALK for an array or object
 * whose contents are to be looked at. Reads of the value that throw (a getter or Proxy trap that
 * answered JSON.stringify and fails now) are told as such, not thrown raw.
 */
function lossOf(value: unknown, reportFunctionsAndSymbols: boolean): string | undefined | typeof WALK {
  try {
    return ownLoss(value, reportFunctionsAndSymbols);
  } catch (cause) {
    return isRevokedProxy(value) ? REVOKED_PROXY : readAgainThrew(cause);
  }
}

const REVOKED_PROXY = 'a revoked Proxy (JSON.stringify throws on it, and nothing of it can be read; send the data it stood for, read before it was revoked)';

/** Array.isArray() calls no trap: it throws for a revoked Proxy only. */
function isRevokedProxy(value: unknown): boolean {
  if (!types.isProxy(value)) return false;
  try {
    Array.isArray(value);
    return false;
  } catch {
    return true;
  }
}

/** lossOf()'s rules, which may throw where a read of the value does. */
function ownLoss(value: unknown, reportFunctionsAndSymbols: boolean): string | undefined | typeof WALK {
  if (!reportFunctionsAndSymbols && (typeof value === 'function' || typeof value === 'symbol')) return undefined;
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''} (JSON.stringify leaves it out, or sends null in a list; send the data it would give instead)`;
  if (typeof value === 'symbol') return `a symbol, ${String(value)} (JSON.stringify leaves it out, or sends null in a list; send a string instead)`;
  if (typeof value !== 'object' || value === null) return undefined;
  // Kinds by their internal slots (node:util types), not instanceof: a value from another realm (a vm
  // context; in jest, what structuredClone() or Node's own modules make) is no instance of this
  // realm's Map or Error, and a cross-realm Error or invalid Date was sent without a word.
  const proto = Object.getPrototypeOf(value) as unknown;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    // Date's own toJSON() sends null for an invalid date, a value lost without a word (a receiver that
    // reads the date-time `describePayload()` promised gets null). Date's own only: a class or value
    // giving its own (`isNaN(this) ? 'unknown' : …`) is taken as meant.
    if (isInvalidDate(value, proto, toJSON)) return 'an invalid Date (JSON.stringify sends null; check the value it was made from, or send null yourself when there is no date)';
    // Its own toJSON() says what is sent (a Map subclass may have one): taken as meant, not walked into.
    return undefined;
  }
  // A forgotten await put a promise where the data was; an Error keeps its message and stack in fields JSON does not list.
  if (typeof (value as { then?: unknown }).then === 'function') return 'a promise (JSON.stringify sends {}; await it first and send what it resolves to)';
  // This realm's plain objects and arrays, most of every payload, are none of the kinds below: one
  // prototype read instead of a dozen kind checks.
  if (proto === Object.prototype || proto === Array.prototype) return WALK;
  return kindLoss(value);
}

/** ownLoss() past this realm's plain objects and arrays: the kinds JSON.stringify sends without their contents, else WALK. */
function kindLoss(value: object): string | typeof WALK {
  if (types.isNativeError(value)) {
    const name = (value as Error).name;
    return `an Error${name && name !== 'Error' ? ` (${String(name)})` : ''} (JSON.stringify sends {} without its message; send error.message, or an object such as { name, message })`;
  }
  if (types.isMap(value)) return `a Map of ${mapSize.call(value)} (JSON.stringify sends {}, without its entries; convert it with Object.fromEntries(map))`;
  if (types.isSet(value)) return `a Set of ${setSize.call(value)} (JSON.stringify sends {}, without its entries; convert it with [...set])`;
  if (types.isWeakMap(value) || types.isWeakSet(value)) return `a ${types.isWeakMap(value) ? 'WeakMap' : 'WeakSet'} (JSON.stringify sends {}; it cannot be listed, so send what it holds another way)`;
  if (types.isPromise(value)) return 'a promise (JSON.stringify sends {}; await it first and send what it resolves to)';
  if (ArrayBuffer.isView(value)) {
    if (types.isDataView(value)) return `a DataView of ${value.byteLength} bytes (JSON.stringify sends {}; send its bytes as base64 text: Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64'))`;
    const kind = value.constructor?.name || 'typed array';
    return `${withArticle(kind)} of ${(value as unknown as { length: number }).length} (JSON.stringify sends an object of its items by index, {"0":…,"1":…}; convert it with Array.from(array), or bytes to base64 text with Buffer.from(array).toString('base64'))`;
  }
  if (types.isAnyArrayBuffer(value)) {
    return `an ${types.isSharedArrayBuffer(value) ? 'SharedArrayBuffer' : 'ArrayBuffer'} of ${(value as ArrayBuffer).byteLength} bytes (JSON.stringify sends {}; send its bytes as base64 text: Buffer.from(buffer).toString('base64'))`;
  }
  return WALK;
}

/** Map's and Set's size getters, which read any realm's Map or Set by its internal slot (a Proxy's trap or a class's own size is not asked). */
const mapSize = Object.getOwnPropertyDescriptor(Map.prototype, 'size')!.get!;
const setSize = Object.getOwnPropertyDescriptor(Set.prototype, 'size')!.get!;

/**
 * Whether value is an invalid Date whose toJSON is Date's own, of any realm. This realm's Dates (the
 * common case, a date in every other payload) are told by their prototype and getTime(), which
 * throws for an object made from Date.prototype without being a Date; types.isDate(), a call into
 * Node's C++, only for the rest.
 */
function isInvalidDate(value: object, proto: unknown, toJSON: unknown): boolean {
  if (proto === Date.prototype) {
    try {
      return Number.isNaN(Date.prototype.getTime.call(value)) && toJSON === Date.prototype.toJSON;
    } catch {
      return false;
    }
  }
  return types.isDate(value) && Number.isNaN(Date.prototype.getTime.call(value)) && isDatesOwnToJson(toJSON);
}

/**
 * Whether a Date's toJSON is Date.prototype.toJSON of this realm or another (a built-in named
 * toJSON: a class's or value's own is source text, a bound one is named `bound …`), so an invalid
 * Date given its own toJSON() is taken as meant in any realm.
 */
function isDatesOwnToJson(toJSON: unknown): boolean {
  if (toJSON === Date.prototype.toJSON) return true;
  return typeof toJSON === 'function' && toJSON.name === 'toJSON' && /^function toJSON\(\) \{ \[native code\] \}$/.test(Function.prototype.toString.call(toJSON));
}

/**
 * What JSON.stringify sends as `{}` from an object it lists no key of, though it holds data: a
 * `RegExp`, or an instance of a class whose data is in getters on its prototype (`get id() { return
 * this.#id; }`). Only asked of an object with no own listed key, so a class instance with fields of
 * its own (what JSON sends, getters left out as JavaScript leaves them) is never walked up.
 */
function dataOutOfReach(value: object): string | undefined {
  if (types.isRegExp(value)) return `a RegExp, ${String(value)} (JSON.stringify sends {}; send its text, String(regexp) or regexp.source)`;
  const getters: string[] = [];
  for (let proto = Object.getPrototypeOf(value) as object | null; proto !== null && !isObjectPrototype(proto); proto = Object.getPrototypeOf(proto) as object | null) {
    for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
      if (descriptor.get !== undefined && !getters.includes(name)) getters.push(name);
    }
  }
  if (getters.length === 0) return undefined;
  const kind = (value.constructor as { name?: unknown } | undefined)?.name;
  const shown = getters.slice(0, 3);
  return `${typeof kind === 'string' && kind !== '' ? withArticle(kind) : 'an object'} whose data is in getters (${shown.join(', ')}${getters.length > 3 ? ', …' : ''}) (JSON.stringify sends {}; return a plain object, e.g. { ${shown.map((name) => `${name}: value.${name}`).join(', ')} }, or give the class a toJSON())`;
}

/**
 * Object.prototype of this realm or of another (a vm context, jest's sandbox, where an object from
 * Node's own modules or structuredClone() comes from the outer realm): the end of a class's chain,
 * whose __proto__ accessor is no data of the value's. An empty object from another realm was
 * refused as one "whose data is in getters (__proto__)".
 */
function isObjectPrototype(proto: object): boolean {
  return proto === Object.prototype || (Object.getPrototypeOf(proto) === null && typeof Object.getOwnPropertyDescriptor(proto, '__proto__')?.get === 'function');
}

/**
 * A class name with its article, as it is read aloud: `an Int8Array`, `an Entry`, but `a Uint8Array`
 * and `a URLSearchParams` (a U said "you"); the messages said `a Int8Array` and `an URLSearchParams`.
 */
function withArticle(name: string): string {
  return `${/^[AEIO]/i.test(name) ? 'an' : 'a'} ${name}`;
}
