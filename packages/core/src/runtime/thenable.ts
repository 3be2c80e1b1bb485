/**
 * True for what `await` waits for (a promise or any object or function with a `then` method).
 * Anything else a hot path can take as it is, without `await`, which costs a promise and a turn
 * of the microtask queue even for a plain value.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
