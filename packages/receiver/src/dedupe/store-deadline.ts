/**
 * A dedupe store call given at most `ms` to settle: `{ settled: true, value }` when it resolved in
 * time, `{ settled: false, late }` when the time ran out first — `late` is the call itself, still
 * running, for the caller to tidy up after (a late claim must be released: nobody will complete it).
 * Rejects, in time, as the call does (a synchronous throw too).
 *
 * The store's client keeps no request open on the receiver's account: a Redis paused with
 * `CLIENT PAUSE`, a PostgreSQL statement waiting on a row lock, a SQLite driver waiting out its
 * busy timeout on another thread would otherwise hold the sender's request until the *sender*
 * times out — and a sender that times out retries into the same wait. A synchronous store
 * (better-sqlite3) blocks the event loop itself, which no timer can cut short: give it a
 * `busy_timeout` below the bound.
 *
 * The timer is cleared when the call settles, so a receiver leaves no timer behind.
 */
export function withinDeadline<T>(call: () => T | PromiseLike<T>, ms: number): Promise<{ settled: true; value: T } | { settled: false; late: Promise<T> }> {
  let result: T | PromiseLike<T>;
  try {
    result = call();
  } catch (error) {
    return Promise.reject(error);
  }
  // A synchronous store (better-sqlite3) has answered already: no timer to set.
  if (typeof (result as PromiseLike<T> | null | undefined)?.then !== 'function') return Promise.resolve({ settled: true, value: result as T });
  const pending = Promise.resolve(result);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<{ settled: false; late: Promise<T> }>((resolve) => {
    timer = setTimeout(() => resolve({ settled: false, late: pending }), ms);
  });
  return Promise.race([pending.then((value) => ({ settled: true as const, value })), expired]).finally(() => clearTimeout(timer));
}
