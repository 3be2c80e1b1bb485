import { thrownMessage } from '../errors/thrown-message';
import { isPlainObject } from './plain-object';

/** A part of a caller's input that could not be read: a getter or a Proxy trap threw. */
export interface UnreadableInput {
  /** Dotted path to it (`url`, `headers.X-Tenant`, `events[0]`); empty for the input itself. */
  path: string;
  /** What went wrong, for a refusal: `could not be read: its getter threw (…); give a plain value`. */
  problem: string;
}

/** The result of {@link readCallerInput}: the copy, or the first part that could not be read. */
export type CallerInputRead<T> = { ok: true; value: T } | { ok: false; unreadable: UnreadableInput };

/**
 * Reads a caller's input once, where an API first takes it: plain objects and arrays are copied
 * (to `maxDepth`; deeper ones are kept as given), every own enumerable property read a single
 * time. A getter, or a Proxy trap, that throws is not let through as a bare Error from deep inside
 * validation (`{ get url() { throw … } }` escaped `webhooks.create()` uncoded): it is reported by
 * path, for the API's own coded refusal, before anything is checked or stored. A getter that
 * answers differently each time is read once, so what is checked is what is used. Values that are
 * not plain objects or arrays (a Map, a Date, a class instance) are kept as they are, for the
 * API's checks to refuse by kind; their prototype is looked up here, so a Proxy around one whose
 * `getPrototypeOf` trap throws is reported as well.
 */
export function readCallerInput<T>(value: T, maxDepth = 8): CallerInputRead<T> {
  try {
    return { ok: true, value: copy(value, '', maxDepth) as T };
  } catch (error) {
    if (error instanceof Unreadable) return { ok: false, unreadable: { path: error.path, problem: error.problem } };
    throw error;
  }
}

/**
 * The caller's input read once, or `refusal(path, problem)` thrown when a getter or Proxy trap of it
 * threw: one way for every API that takes a caller's object — core's, and a plugin's — to refuse it
 * with its own code before anything is read from it, and to check and use the same values.
 *
 * Plain objects and arrays are copied to `maxDepth` levels, every own enumerable property read a
 * single time; deeper ones, and what is not a plain object or array (a Map, a class instance, a
 * function), are kept as given, for the API's own checks. A throwing getter or trap is reported by
 * its dotted path (`url`, `headers.X-Tenant`, `[1]` for an array's second item; empty for the input
 * itself) and a problem that reads on from it: `could not be read: its getter threw (…); give a
 * plain value (…)`.
 *
 * ```ts
 * const options = readOrRefuse(given, (path, problem) =>
 *   MY_ERRORS.create('ACME_ERR_INVALID_OPTIONS', `myPlugin(options): ${path || 'options'} ${problem}`), 1);
 * ```
 *
 * @param given - the caller's input, as passed.
 * @param refusal - makes the error to throw (the API's own code) from the path and the problem.
 * @param maxDepth - how many levels are copied (default 3); 1 reads an options object's keys and
 *   keeps what they hold — the caller's own objects, a transaction, a service — as given.
 * @returns the copy, to check and use in place of `given`.
 */
export function readOrRefuse<T>(given: T, refusal: (path: string, problem: string) => Error, maxDepth = 3): T {
  const read = readCallerInput(given, maxDepth);
  if (!read.ok) throw refusal(read.unreadable.path, read.unreadable.problem);
  return read.value;
}

class Unreadable extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(problem);
  }
}

function attempt<R>(path: string, what: string, read: () => R): R {
  try {
    return read();
  } catch (error) {
    throw new Unreadable(path, `could not be read: ${what} threw (${thrownMessage(error, { named: false })}); give a plain value (an object literal, not one with getters or a Proxy)`);
  }
}

function copy(value: unknown, path: string, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  const isArray = attempt(path, 'a Proxy trap', () => Array.isArray(value));
  const plain = isArray || attempt(path, 'its getPrototypeOf trap', () => isPlainObject(value));
  if (!plain || depth <= 0) return value;
  const at = (key: string): string => (isArray ? `${path}[${key}]` : path ? `${path}.${key}` : key);
  if (isArray) {
    const list = value as unknown[];
    const length = attempt(path, 'its length', () => list.length);
    const result: unknown[] = [];
    for (let index = 0; index < length; index++) result.push(copy(attempt(at(String(index)), 'its getter', () => list[index]), at(String(index)), depth - 1));
    return result;
  }
  const keys = attempt(path, 'listing its keys', () => Object.keys(value));
  const result: Record<string, unknown> = attempt(path, 'its getPrototypeOf trap', () => Object.getPrototypeOf(value)) === null ? Object.create(null) : {};
  for (const key of keys) {
    const inner = attempt(at(key), 'its getter', () => (value as Record<string, unknown>)[key]);
    // defineProperty: a key named __proto__ stays a key (for validation to refuse), not a prototype.
    Object.defineProperty(result, key, { value: copy(inner, at(key), depth - 1), enumerable: true, writable: true, configurable: true });
  }
  return result;
}
