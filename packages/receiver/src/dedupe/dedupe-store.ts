/**
 * The answer to "may I process this webhook-id?":
 * - `claimed`: yes — nobody processed it and nobody is processing it. Keep `token`: it proves
 *   the claim is yours to `complete` or `release`.
 * - `in-progress`: another worker holds an unexpired claim; the receiver answers 503 so the
 *   sender tries again later, when the claim is completed or released.
 * - `done`: it was processed; the receiver answers 200 without running the handler.
 */
export type DedupeClaim = { status: 'claimed'; token: string } | { status: 'in-progress' } | { status: 'done' };

/** What the receiver tells a store's `complete()` beside the retention. */
export interface DedupeCompleteOptions {
  /**
   * For a signed request: when it stops verifying, ms since the epoch (its `webhook-timestamp` plus
   * the 5-minute tolerance). Until then a captured copy replayed would verify, so the id must not
   * be forgotten — a store bounded by size refuses new claims rather than forget it. Absent for an
   * unsigned request, which anyone can send again at any time anyway. The `retainMs` the receiver
   * gives never runs out before it (counted from `complete()`'s call), so a store with expiry times
   * may ignore it.
   */
  verifiableUntil?: number;
}

/**
 * Where the receiver remembers which `webhook-id`s it processed, so a retry or redelivery of a
 * request it already handled is acknowledged and not handled twice. The default is
 * {@link memoryDedupeStore} (one process); back it with Redis or SQL when several workers or
 * restarts must agree (docs/receiver.md shows both, tested in examples/receiver).
 *
 * The contract (`describeDedupeStoreContract` in `@hookwork/receiver/testing` checks it):
 * - `claim` is **atomic**: of two concurrent claims of one id, at most one gets `claimed` (a
 *   Redis `SET NX`, an SQL `INSERT … ON CONFLICT`). A claim lasts `leaseMs`; when it expires
 *   without being completed (the worker died mid-handler) the id can be claimed again.
 * - `complete(id, token, retainMs, { verifiableUntil })` marks it processed: claims answer `done`
 *   for `retainMs`. `verifiableUntil` (a signed request's) is when a captured copy of the request
 *   stops verifying: a store that forgets ids for room (as {@link memoryDedupeStore} does) must not
 *   forget this one before then — it refuses new claims instead.
 * - `release(id, token)` forgets the claim (the handler failed), so the sender's retry is
 *   processed.
 * - `complete` and `release` with a token that no longer holds the claim (the lease expired and
 *   another worker claimed it) change nothing: a worker can only end its own claim. (Completing
 *   a claim whose lease ran out but that nobody took over may mark it done, or change nothing.)
 * - Durations are milliseconds. A method that fails rejects. A `claim` that rejects because the
 *   backend is unavailable (connection refused, reset or timed out; the server shutting down or out
 *   of connections; SQLite busy — or a `ReceiverError` with RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE
 *   the store throws itself) is answered 503 with Retry-After, so the sender backs off; any other
 *   rejection is a fault of the store, answered 500 RECEIVER_ERR_DEDUPE_STORE — as is a `claim`
 *   that resolves to anything but a {@link DedupeClaim} (`true`, `'claimed'`, a claim without its
 *   token), rather than handle the request with no claim to complete.
 * - The receiver waits for each method at most its `dedupe.timeoutMs` (5 s by default). A `claim`
 *   that takes longer is answered 503 RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE, and a claim it then
 *   resolves to is released (the request is never handled): a store must let `release` end a claim
 *   whose request was answered before the claim was made. A synchronous method can't be cut short.
 */
export interface DedupeStore {
  /** Claims `id` for `leaseMs`, atomically. */
  claim(id: string, leaseMs: number): Promise<DedupeClaim>;
  /** Marks the claim `token` of `id` processed, remembered for `retainMs` (and never forgotten for room before `verifiableUntil`). */
  complete(id: string, token: string, retainMs: number, options?: DedupeCompleteOptions): Promise<void>;
  /** Drops the claim `token` of `id`, so the id can be claimed again at once. */
  release(id: string, token: string): Promise<void>;
}
