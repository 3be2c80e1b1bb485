import { maskCredentials } from '@hookwork/core';

/** How deep into an error's cause, its fields' objects and lists a copy goes; deeper is left out. */
const MAX_DEPTH = 4;

/**
 * `error` as the admin logs a failure it answered 500: a copy whose message, stack and every other
 * string in it — own fields, its `cause`, an AggregateError's `errors`, the plain objects and lists
 * they hold — have their credentials masked by core's `maskCredentials()` (`redis://***@host`,
 * `Bearer ***`). A host's `authenticate` hook that fails quotes what it was connecting to
 * (`connect to redis://session:hunter2@10.0.0.5 failed`), an HTTP client's error its request's
 * headers, and a logger writes all of it: its message, its stack (which repeats the message) and
 * its fields. The copy keeps the error's class (its prototype) and code; an object of another class
 * in it (a socket, a client request holding the headers it wrote) is named, not copied; one met
 * twice is `[Circular]`. The error itself is left as it is.
 */
export function loggedError(error: unknown): unknown {
  return masked(error, 0, new WeakSet());
}

function masked(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return maskCredentials(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (depth > MAX_DEPTH) return '[not shown: nested too deep]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => masked(item, depth + 1, seen));
  if (value instanceof Date) return value;
  if (value instanceof URL) return maskCredentials(value.href);
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (!(value instanceof Error) && prototype !== Object.prototype && prototype !== null) return `[${value.constructor?.name || 'object'}]`;
  const copy = Object.create(prototype) as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(value)) {
    let field: unknown;
    let enumerable: boolean;
    try {
      enumerable = Object.getOwnPropertyDescriptor(value, key)?.enumerable ?? true;
      field = (value as Record<string, unknown>)[key];
    } catch {
      continue; // A getter that throws is left out, as a logger would fail on it.
    }
    Object.defineProperty(copy, key, { value: masked(field, depth + 1, seen), enumerable, writable: true, configurable: true });
  }
  return copy;
}
