import { isPlainObject, objectKind, readOrRefuse, shownList } from '@hookwork/core';
import { ADMIN_ERRORS } from './admin-errors';

/**
 * How a misspelt or misplaced option is answered: a fix to name instead of a bare "unknown
 * option". Keys are what users write by habit from other servers (or from the plugin's options
 * when calling the standalone server); values say what to write.
 */
export type OptionHints = Readonly<Record<string, string>>;

/** One option's check: undefined when it is acceptable, else what it must be (the fix). */
export type OptionCheck = (value: unknown) => string | undefined;

/** The options an entry point takes, each with its check. */
export type OptionSpec = Readonly<Record<string, OptionCheck>>;

const invalid = (where: string, detail: string) => ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_INVALID_OPTIONS', `${where}: ${detail}`);

/**
 * Refuses options that are not an object, keys the entry point does not take (naming the
 * nearest it does take, or the hint for that key), and values of the wrong kind — before
 * anything is registered or listens. A misspelt option silently ignored is how a server ends up
 * with a generated token instead of the one configured, so nothing is ignored.
 *
 * The options are read once (core's readOrRefuse; what each holds — the app, a logger, TLS
 * options — is kept as given): a getter or Proxy trap that throws is refused naming it, and the
 * caller goes on with the copy returned, so what is checked is what is used.
 *
 * @returns the options as read, to use in place of those given.
 * @throws HookworkError HOOKWORK_ERR_ADMIN_INVALID_OPTIONS naming the option and the fix.
 */
export function checkOptions<T>(where: string, given: T, spec: OptionSpec, hints: OptionHints = {}): T {
  if (given === undefined) return given;
  const options = readOrRefuse(given, (path, problem) => invalid(where, `${path || 'options'} ${problem}`), 1);
  if (!isPlainObject(options)) {
    throw invalid(where, `options must be an object such as { port: 3300 }; got ${describe(options)}`);
  }
  const known = Object.keys(spec);
  for (const [key, value] of Object.entries(options)) {
    // Own keys only: `constructor`, `hasOwnProperty` or `__proto__` found Object's own functions.
    const check = Object.hasOwn(spec, key) ? spec[key] : undefined;
    if (!check) {
      const hint = Object.hasOwn(hints, key) ? hints[key] : undefined;
      const near = nearest(key, known);
      const fix = hint ?? (near ? `did you mean ${near}?` : `the options are ${known.join(', ')}`);
      throw invalid(where, `${key} is not an option (${fix})`);
    }
    if (value === undefined) continue;
    const problem = check(value);
    if (problem) throw invalid(where, `${key} ${problem}; got ${describe(value)}`);
  }
  return options;
}

/** Checks for {@link OptionSpec}: each says what a value must be when it is not. */
export const is = {
  boolean: (value: unknown) => (typeof value === 'boolean' ? undefined : 'must be true or false'),
  string: (value: unknown) => (typeof value === 'string' && value.length > 0 ? undefined : 'must be a non-empty string'),
  function: (value: unknown) => (typeof value === 'function' ? undefined : 'must be a function'),
  anything: () => undefined,
} satisfies Record<string, OptionCheck>;

/** A short, safe description of a value for a message (never a long string or an object's content: it may be a secret). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'undefined') return String(value);
  if (typeof value === 'function') return 'a function';
  if (!isPlainObject(value)) return objectKind(value as object);
  return `an object with ${Object.keys(value as object).length ? `keys ${shownList(Object.keys(value as object), { show: (key) => key })}` : 'no keys'}`;
}

/** The known key closest to `key` (case-insensitive edit distance ≤ 2, or one contains the other), if any. */
export function nearest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const other = name.toLowerCase();
    const distance = other === lower ? 0 : lower.length >= 3 && (other.includes(lower) || lower.includes(other)) ? 1 : editDistance(lower, other);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
