import type { DeliveryLogEntry } from '../model/delivery-log-entry';
import type { CursorPageRequest, ListPosition, PositionedPage } from '../model/page';
import type { NewWebhookRequest, WebhookRequest } from '../model/webhook-request';
import { createToken } from '../runtime/tokens';

/** Options of {@link RequestQueue.enqueue}. */
export interface EnqueueOptions<TTransaction = unknown> {
  /**
   * The host's own open transaction (backend-specific: a pg client, …). A backend that supports
   * it enqueues inside it, so the requests commit or roll back with the host's change (a
   * transactional outbox). A backend that does not must refuse a transaction rather than ignore
   * it (HOOKWORK_ERR_INVALID_TRANSACTION).
   */
  transaction?: TTransaction;
  /**
   * A hint: other publishes of this process are under way and will enqueue in a moment. A store
   * with group commit may then hold this enqueue for a commit shared with theirs (it still
   * resolves only once committed); without it, it commits at once. Stores may ignore it.
   */
  shareCommit?: boolean;
  /**
   * The requests' ids were derived from an idempotency key (publish()'s `idempotencyKey`), so an
   * id seen before is this same request published again: besides an id it holds now (which every
   * enqueue skips), the store skips an id it still remembers from before — one with an entry in
   * its delivery log (delivered, dropped, or dead and deleted since). Unkeyed ids are made afresh
   * and never were, so stores look only when this is set.
   */
  idempotent?: boolean;
}

/**
 * What an enqueue stored: the ids of the batch's requests it stored, each once. A request skipped
 * (its id held already, remembered by an idempotent enqueue, or repeated in the batch) is not
 * among them; of an id the batch repeats, the first request is the stored one. Core counts only
 * these as enqueued (the `enqueued` lifecycle event, `hookwork_requests_enqueued_total`, what
 * `drain()` waits for) — in a host transaction once it commits ({@link EnqueueResult.committed}). An enqueue resolving with nothing (`void`, as a store written before this
 * result did) is taken as "every request of the batch stored".
 */
export interface EnqueueResult {
  /** The ids stored, in any order; none that was skipped. */
  readonly stored: readonly string[];
  /**
   * For an enqueue in a host transaction (`options.transaction`), when the store can tell how it
   * ends: settles `true` once the transaction commits — the stored requests are durable then —
   * and `false` once it is rolled back (nothing was stored), or when the store can no longer tell.
   * It must not reject. Core emits the `enqueued` lifecycle event, and so counts
   * `hookwork_requests_enqueued_total`, only once it settles `true`; without it, at once (the
   * enqueue's own commit made them durable). `drain()` tracks the stored ids at once either way:
   * one rolled back is gone from the store, and drain() forgets it.
   */
  readonly committed?: PromiseLike<boolean>;
}

/** What {@link RequestQueue.enqueueClaimed} stored: the {@link EnqueueResult}, and the requests stored claimed. */
export interface EnqueueClaimedResult extends EnqueueResult {
  /** The requests stored in flight under the claim's lease, as a claim returns them (none that was skipped). */
  readonly claimed: WebhookRequest[];
}

/**
 * The requests of `requests` an enqueue stored, by its `result`: all of them when it said nothing
 * (`void`: a store that does not report) or stored as many as were given — the array itself then,
 * so an enqueue that skipped nothing costs no copy.
 */
export function storedRequests<T extends { readonly id: string }>(requests: readonly T[], result: EnqueueResult | void): readonly T[] {
  if (!result || result.stored.length >= requests.length) return requests;
  const left = new Set(result.stored);
  // The first of a repeated id is the stored one: deleted from the set as it is taken.
  return requests.filter((r) => left.delete(r.id));
}

/** Options of {@link RequestQueue.claim}. */
export interface ClaimOptions {
  /** Identifies the claiming dispatcher (process); stored as the lease owner. */
  owner: string;
  /** At most this many requests. */
  limit: number;
  /** The lease: after `now + leaseMs`, another dispatcher may claim the request again. */
  leaseMs: number;
  /** The time the claim is made at (the app's clock): due requests are those with `dueAt <= now`. */
  now: Date;
  /** Skip requests of these webhooks (e.g. endpoints already at their concurrency limit). */
  excludeWebhookKeys?: readonly string[];
  /**
   * At most this many requests of any one webhook not in {@link webhookLimits} (the claimer's
   * per-webhook concurrency limit), so a claimer never takes more of a webhook than it can start
   * while other processes sharing the store could send them. Honoured only by a queue declaring
   * {@link RequestQueue.claimBounds}; without it, no bound per webhook. A whole number ≥ 1.
   */
  perWebhookLimit?: number;
  /**
   * At most this many requests of these webhooks (the claimer's free slots for webhooks it has
   * attempts running or waiting for), in place of {@link perWebhookLimit}. A webhook with no room
   * is excluded instead ({@link excludeWebhookKeys}). Honoured only with {@link RequestQueue.claimBounds}.
   */
  webhookLimits?: ReadonlyMap<string, number>;
}

/** The lease of {@link RequestQueue.enqueueClaimed}: which of the new requests are stored already claimed, and by whom. */
export interface EnqueueClaim {
  /** The claiming dispatcher (process), stored as the lease owner. */
  owner: string;
  /** The lease runs until `now + leaseMs`, as a claim's does. */
  leaseMs: number;
  /** The time the lease starts from (the enqueue's). */
  now: Date;
  /** Ids of requests of the batch to store in flight under this lease; none of them has `fifo`. */
  ids: readonly string[];
  /** As {@link EnqueueOptions.shareCommit}. */
  shareCommit?: boolean;
  /** As {@link EnqueueOptions.idempotent}. */
  idempotent?: boolean;
  /**
   * Called (at most once, before the returned promise settles) with the requests stored claimed
   * as soon as they are committed and visible, when the store confirms durability in a later step
   * (PostgreSQL: a commit that does not wait for the WAL flush, then one that does): the engine
   * may start them at once, while the enqueue still waits to be durable. A store that commits
   * durably in one step need not call it; the engine then starts them when the promise resolves.
   */
  onVisible?(claimed: WebhookRequest[]): void;
}

/** Counts by state. */
export interface QueueCounts {
  /** Requests waiting (or waiting to retry). */
  pending: number;
  /** Requests claimed by a dispatcher now. */
  inFlight: number;
  /** Dead letters. */
  dead: number;
}

/**
 * Which dead-lettered requests {@link RequestQueue.redeliver} puts back: those of `ids`; or a
 * webhook's (`webhookKey`); or every webhook's dead since a time (`deadSince` alone); or every
 * dead letter (`all: true`). `deadSince` narrows a `webhookKey` selection too, `deadUntil` any
 * but `ids`, and nothing else combines: `app.redeliver()` refuses `ids` with `webhookKey`,
 * `deadSince` or `deadUntil`, and `all` with `ids`, `webhookKey` or `deadSince`
 * (HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR). A queue must honour `deadUntil`: it is what keeps a
 * confirmed redelivery to what was counted.
 */
export interface RedeliverSelector {
  /** These requests (by `webhook-id`). */
  ids?: readonly string[];
  /** Every dead letter of this webhook. */
  webhookKey?: string;
  /** Only requests dead-lettered at or after this time. */
  deadSince?: Date;
  /**
   * Only requests dead-lettered at or before this time: an upper bound, so that a redelivery
   * confirmed after a count (an admin page's "Redeliver all (12)") puts back no dead letter that
   * arrived after the count. Narrows `webhookKey`, `deadSince` and `all`; never given with `ids`.
   */
  deadUntil?: Date;
  /** Every dead letter (must be said explicitly). */
  all?: boolean;
  /**
   * Only dead letters of these webhooks, whatever else selects them. Management passes the
   * webhooks that exist, so the dead letters of a deleted webhook stay where they are (a queue
   * put them back only for the delivery to drop them); `app.redeliver()` does not take it.
   */
  webhookKeys?: readonly string[];
}

/**
 * Which dead letters `deadLetters()` returns; a page by `offset` or by `after` (the `next`
 * cursor of the page before: stable however dead letters come and go between pages).
 */
export interface DeadLetterQuery extends CursorPageRequest {
  /** Only this webhook's dead letters. */
  webhookKey?: string;
  /**
   * Only requests dead-lettered at or after this time (as {@link RedeliverSelector.deadSince}),
   * so `total` counts exactly what a redelivery with the same `deadSince` puts back.
   */
  deadSince?: Date;
  /**
   * Only requests dead-lettered at or before this time (as {@link RedeliverSelector.deadUntil}), so
   * `total` counts what a redelivery with the same bounds puts back.
   */
  deadUntil?: Date;
}

/**
 * What a store's or engine's `listDead()` is asked: {@link DeadLetterQuery} without the caller's
 * cursor and, when one was given, `afterPosition`, the place core read from it — list the dead
 * letters strictly after it, newest dead first (dead earlier, or at its time and earlier in the
 * store's tie-breaker); never given with `offset`. Named apart from `after`, so a store written
 * before it (`listDead(query: DeadLetterQuery)`) still fits the port.
 */
export interface DeadLetterListQuery extends Omit<DeadLetterQuery, 'after'> {
  /** List the dead letters strictly after this place (a `nextPosition` this store answered). */
  afterPosition?: ListPosition;
}

/**
 * The durable queue of webhook requests. It assumes no SQL: a backend may own its own timers
 * and leases. Operations that take `owner` change a request only while that owner holds its
 * lease and return false otherwise (the lease expired and another dispatcher took it).
 */
export interface RequestQueue<TTransaction = never> {
  /**
   * Stores requests as `pending`, all or none. A request whose id the queue holds already (pending,
   * in flight or dead), or that the batch repeats, is skipped and the stored one left as it is —
   * the others are stored — so a batch published again stores only what is missing (see
   * {@link EnqueueOptions.idempotent} for ids it no longer holds). Given no requests it stores
   * nothing but still checks `options.transaction` (HOOKWORK_ERR_INVALID_TRANSACTION for one it
   * cannot use). A failure is HOOKWORK_ERR_ENQUEUE_FAILED when nothing of the batch was stored,
   * and HOOKWORK_ERR_ENQUEUE_UNCERTAIN when the store may have stored it without saying so (a
   * connection lost after the statement or commit was sent).
   *
   * Resolves with the ids it stored ({@link EnqueueResult}), so that what core counts as enqueued
   * is what was stored: a skipped request fires no `enqueued` lifecycle event and no
   * `hookwork_requests_enqueued_total`. A store that resolves with nothing (`void`) is taken to have
   * stored every request given — as a store written before this result is — so it should report
   * once it can skip (every store can: ids are skipped by contract).
   */
  enqueue(requests: readonly NewWebhookRequest[], options?: EnqueueOptions<TTransaction>): Promise<EnqueueResult | void>;
  /**
   * Claims up to `limit` requests that are due (`pending` with `dueAt <= now`, or `inflight`
   * whose lease expired), oldest due first, and marks them `inflight` under `owner`'s lease.
   * Never hands one request to two claimers at the same time.
   *
   * A backend declaring `fifo` claims a request that has `fifo` only as the head of its
   * webhook's line: the earliest enqueued of that webhook's `fifo` requests that is pending or in
   * flight (or dead with `fifo: 'block'`), and only while no other `fifo` request of that webhook
   * is in flight under a live lease. So one of a webhook's FIFO requests is out at a time, in
   * enqueue order, across every process; requests without `fifo` are not affected.
   */
  claim(options: ClaimOptions): Promise<WebhookRequest[]>;
  /**
   * Whether {@link claim} honours the per-webhook bounds of {@link ClaimOptions.perWebhookLimit} and
   * {@link ClaimOptions.webhookLimits}: it never returns more requests of one webhook than its bound,
   * and it looks past a webhook at its bound, so it returns fewer than `limit` only when no other
   * due request is claimable within the bounds (as an unbounded claim's short batch says the store
   * has no more; expired leases and FIFO heads may be found at the next claim). The built-in stores
   * declare it. A queue that does not (a third-party one written before it) still works: the
   * dispatcher then keeps the requests it cannot start yet in memory, leased, and gives back what
   * exceeds its bounds — on a store shared by processes, others could have sent those meanwhile.
   */
  readonly claimBounds?: boolean;
  /**
   * Optional: {@link enqueue}, all or none, storing the requests of `claim.ids` already in flight
   * under `claim.owner`'s lease — as if a claim had taken them in the same write — and the others
   * pending. Returns the claimed ones as a claim would: a request skipped as already held (or
   * remembered) is not among them — with the ids stored ({@link EnqueueClaimedResult}), or as a
   * bare array, which is then taken as "every request of the batch stored" (see {@link enqueue}). The engine uses it to hand requests
   * published in this process straight to its dispatcher when it has free slots and knows of no
   * due backlog, saving a claim (a write transaction in a durable store) per publish.
   */
  enqueueClaimed?(requests: readonly NewWebhookRequest[], claim: EnqueueClaim): Promise<EnqueueClaimedResult | WebhookRequest[]>;
  /** Removes a delivered (or dropped) request. */
  complete(id: string, owner: string): Promise<boolean>;
  /**
   * Optional: {@link complete} for many requests in one write (one transaction in a durable
   * store), which the engine uses to settle many deliveries at once. Removes those of `ids`
   * that `owner` holds and returns their ids. Without it, the engine calls `complete` for each.
   */
  completeMany?(ids: readonly string[], owner: string): Promise<string[]>;
  /**
   * Optional: {@link completeMany} and an append of `entries` to the delivery log of the same
   * store, in one write (one statement or transaction), all or none: a delivered request's
   * removal and its log entry then cost one round trip instead of two. The entries are stored
   * whether or not each completion applied (an attempt was made either way). When it fails the
   * engine completes with {@link completeMany} alone and logs through `DeliveryLog.append`, so a
   * log entry the store refuses never keeps a delivered request queued.
   */
  completeAndLog?(ids: readonly string[], owner: string, entries: readonly DeliveryLogEntry[]): Promise<string[]>;
  /**
   * Optional, with {@link completeAndLog}: whether the log entry of a delivered request with a
   * random id goes with its completion (true) or is appended apart, through `DeliveryLog.append`
   * and its `appendWindowMs` (false). Core asks only for those: a keyed request's id
   * (`isKeyedMessageId`) is published again, and an idempotent enqueue skips an id the log
   * remembers, so its entry always goes with (or before) its removal. Without it, every entry goes
   * with its completion. SQLite answers false, keeping its 30 ms gathering of log rows for the
   * random ids.
   */
  logsWithCompletion?(requestId: string): boolean;
  /** Puts a request back as `pending`, due at `dueAt`, with the attempts made so far. */
  reschedule(id: string, owner: string, update: { dueAt: Date; attempts: number; lastError?: string }): Promise<boolean>;
  /** Moves a request to the dead letters, kept for redelivery until the retention period. */
  deadLetter(id: string, owner: string, update: { attempts: number; lastError?: string; now: Date }): Promise<boolean>;
  /**
   * Optional: extends the leases `owner` holds on `ids` to `now + leaseMs` while their attempts
   * run, so an attempt slower than the lease is never taken by another process meanwhile.
   * Returns the ids whose lease was renewed (the others were lost). A backend that lacks it
   * declares `leaseRenewal: false`, and the app refuses a `timeout` that could outlive the lease.
   */
  renew?(owner: string, ids: readonly string[], leaseMs: number, now: Date): Promise<string[]>;
  /** Gives claims back (on stop) so another dispatcher need not wait for the lease; returns how many. */
  release(owner: string, ids?: readonly string[]): Promise<number>;
  /** Puts dead-lettered requests back as `pending`, due `now`, `attempts` reset to 0; returns their ids. */
  redeliver(selector: RedeliverSelector, now: Date): Promise<string[]>;
  /**
   * Optional: makes the pending requests of `webhookKey` due later than `now` due at `now` (a
   * receiver's Retry-After pause, retries waiting on their backoff); in-flight requests and dead
   * letters are untouched, and a FIFO line keeps its order (its requests become due; the line
   * still hands out one head at a time). Returns how many were brought forward. Core calls it when
   * a webhook's URL changes or it is enabled again (its health forgotten), so requests deferred by
   * that health go at once; a
   * store shared by processes wakes their dispatchers as an enqueue does. A backend that lacks it
   * leaves them due when they were.
   */
  bringForward?(webhookKey: string, now: Date): Promise<number>;
  /**
   * Optional: removes up to `limit` requests of `webhookKey` published at or before
   * `publishedUpTo` (`createdAt`) that are pending or dead — not those in flight, whose attempt
   * settles them — and returns them, oldest enqueued first. A FIFO line they headed goes on with
   * the next request. Core calls it, in batches until fewer than `limit` come back, when the
   * webhook is deleted, so a webhook created again under the key neither lists, counts nor is
   * blocked by (a FIFO `block` dead letter) the deleted one's requests. A backend that lacks it
   * leaves them to be dropped when delivery meets them, and its dead letters listed under the key.
   */
  discard?(webhookKey: string, publishedUpTo: Date, limit: number): Promise<WebhookRequest[]>;
  /**
   * Optional: {@link discard}, writing `entryOf(request)` to the store's delivery log for each
   * request it removes, in the same write. Core then logs nothing more for them. The `dropped`
   * entry is what remembers a removed request's id: written apart, after the removal, a publish
   * made again with its `idempotencyKey` in between — the webhook created again under the key by
   * another process — was stored and sent to the new webhook. Without it, core discards and logs
   * apart.
   */
  discardAndLog?(webhookKey: string, publishedUpTo: Date, limit: number, entryOf: (request: WebhookRequest) => DeliveryLogEntry): Promise<WebhookRequest[]>;
  /**
   * Optional: the keys of the webhooks that have pending or dead requests, each once, in any
   * order. Core's hourly cleanup round (and the first, a second after `start()`) discards, with
   * {@link discard}, the pending and dead requests of each key no webhook has any more: those a
   * deletion cut short left (its process killed, or the store failing, between the webhook's
   * removal and its requests'). Without it they stay until delivery meets the pending ones and
   * `keepDeadLettersForDays` the dead ones, listed and counted meanwhile.
   */
  queuedWebhookKeys?(): Promise<string[]>;
  /**
   * Dead-lettered requests, newest dead first, with how many there are in all. A queue with
   * {@link pagesDeadByPosition} answers `nextPosition` when more follow and takes it back as `afterPosition`.
   */
  listDead(query?: DeadLetterListQuery): Promise<PositionedPage<WebhookRequest>>;
  /**
   * Optional: true when {@link listDead} takes `afterPosition` and answers `nextPosition` (a {@link ListPosition}:
   * the dead letter's `deadAt` in ms and the queue's tie-breaker, e.g. its sequence number). Every
   * queue hookwork ships does. Absent: core pages its dead letters by offset behind its cursors
   * (unstable when dead letters come and go between pages) and never passes `afterPosition`.
   */
  readonly pagesDeadByPosition?: boolean;
  /** A request (pending, in flight or dead) by id, or undefined. */
  get(id: string): Promise<WebhookRequest | undefined>;
  /** Requests by state, of every webhook or of one. */
  counts(query?: { webhookKey?: string }): Promise<QueueCounts>;
  /** The earliest time a request becomes claimable (a pending due time or an inflight lease expiry). */
  nextDueAt(): Promise<Date | undefined>;
  /**
   * Optional: when the oldest pending request (by `createdAt`) was created, or undefined when
   * none is pending; for the oldest-pending-age metric (read at each scrape, not on a hot path).
   */
  oldestPendingCreatedAt?(): Promise<Date | undefined>;
  /** Deletes up to `limit` dead letters dead before `before`; returns how many. */
  deleteDeadOlderThan(before: Date, limit: number): Promise<number>;
  /**
   * Optional: calls `listener` when another process enqueues (e.g. PostgreSQL LISTEN/NOTIFY),
   * so the dispatcher wakes at once. Returns an unsubscribe function.
   */
  watch?(listener: () => void): () => void;
}

/**
 * The per-webhook bounds of a claim ({@link ClaimOptions.perWebhookLimit},
 * {@link ClaimOptions.webhookLimits}) as a counter, for a queue that declares
 * {@link RequestQueue.claimBounds}: `fits(webhookKey)` says whether one more request of the webhook
 * stays within its bound, and counts it when it does (call it in claim order, for the requests the
 * claim takes). Undefined when the claim sets no bound.
 */
export function claimBoundCounter(options: ClaimOptions): ((key: string) => boolean) | undefined {
  const { perWebhookLimit, webhookLimits } = options;
  if (perWebhookLimit === undefined && (webhookLimits === undefined || webhookLimits.size === 0)) return undefined;
  const taken = new Map<string, number>();
  return (key) => {
    const bound = webhookLimits?.get(key) ?? perWebhookLimit ?? Infinity;
    const count = taken.get(key) ?? 0;
    if (count >= bound) return false;
    taken.set(key, count + 1);
    return true;
  };
}

/** Injection token of the app's {@link RequestQueue}. */
export const RequestQueueToken = createToken<RequestQueue>('hookwork.RequestQueue');
