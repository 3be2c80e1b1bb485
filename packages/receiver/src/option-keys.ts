import { ReceiverError } from './errors/receiver-error';
import { quoted } from './errors/visible-text';
import { thrownText } from './errors/thrown-text';

/**
 * Refuses keys an options object does not know — a typo (`secret` for `secrets`, `dedup` for
 * `dedupe`) from JavaScript or through a cast would otherwise be ignored and the receiver run with
 * the default the user meant to change. Names the key, the nearest known one and all of them.
 *
 * @throws ReceiverError RECEIVER_ERR_INVALID_OPTIONS
 */
export function checkOptionKeys(where: string, options: object, known: readonly string[]): void {
  const unknown = Object.keys(options).filter((key) => !known.includes(key) && (options as Record<string, unknown>)[key] !== undefined);
  if (unknown.length === 0) return;
  // The first ten, then a count: a message naming every key of a large object grew with it.
  const about = unknown.slice(0, 10).map((key) => {
    const near = known.find((k) => k.toLowerCase() === key.toLowerCase() || k.toLowerCase().startsWith(key.toLowerCase().slice(0, 4)) || key.toLowerCase().startsWith(k.toLowerCase()));
    return `${key}${near ? ` (did you mean ${near}?)` : ''}`;
  });
  throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `${where} does not know the option${unknown.length > 1 ? 's' : ''} ${about.join(', ')}${unknown.length > about.length ? ` and ${unknown.length - about.length} more` : ''}; its options are ${known.join(', ')}`);
}

/** `a string`, `null`, `an array`, for messages that say what was given instead. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && !isPlainOptions(value)) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}` : 'an object that is not a plain one';
  }
  return /^[aeiou]/.test(typeof value) ? `an ${typeof value}` : `a ${typeof value}`;
}

/** A value as a message shows it: a string quoted and called one (`the string "5000"`), so a number given as text is not shown as the number it looks like. */
export function shown(value: unknown): string {
  return typeof value === 'string' ? `the string ${quoted(value)}` : String(value);
}

/**
 * True for a plain options object (an object literal, `JSON.parse`'s, `Object.create(null)`), not
 * a Map, Date or class instance, whose entries `Object.keys` does not see: such options were read
 * as empty, every option its default.
 */
export function isPlainOptions<T>(value: T): value is T & Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || proto === Object.prototype || (Object.getPrototypeOf(proto) === null && !Array.isArray(value));
}

/**
 * An options object read once, where an entry point takes it: its own enumerable keys copied, each
 * value read a single time (what a value holds — handlers, a store, a list of secrets — is kept as
 * given). A getter or Proxy trap that throws is RECEIVER_ERR_INVALID_OPTIONS naming it, not a bare
 * Error from inside the checks, and a getter answering differently on a second read cannot make
 * what is checked differ from what is used. What is not a plain object is returned as given, for
 * the entry point's own refusal. (@hookwork/core's readOrRefuse does this in hookwork's other
 * packages; the receiver kit depends on none of them.)
 *
 * @throws ReceiverError RECEIVER_ERR_INVALID_OPTIONS
 */
export function readOptionsOnce<T>(where: string, options: T): T {
  const unreadable = (what: string, how: string, error: unknown) =>
    new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `${where}: ${what} could not be read: ${how} threw (${thrownText(error)}); give a plain value (an object literal, not one with getters or a Proxy)`);
  let plain: boolean;
  let keys: string[];
  try {
    plain = isPlainOptions(options);
  } catch (error) {
    throw unreadable('the options', 'its getPrototypeOf trap', error);
  }
  if (!plain) return options;
  try {
    keys = Object.keys(options as object);
  } catch (error) {
    throw unreadable('the options', 'listing its keys', error);
  }
  const copy: Record<string, unknown> = Object.getPrototypeOf(options) === null ? Object.create(null) : {};
  for (const key of keys) {
    let value: unknown;
    try {
      value = (options as Record<string, unknown>)[key];
    } catch (error) {
      throw unreadable(key, 'its getter', error);
    }
    // defineProperty: a key named __proto__ stays a key (for checkOptionKeys to refuse), not a prototype.
    Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return copy as T;
}
