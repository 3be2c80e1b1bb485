import type { DeliveryLogEntry } from '../model/delivery-log-entry';
import type { PositionedPage } from '../model/page';
import type { NewWebhookRequest, WebhookRequest } from '../model/webhook-request';
import type { Clock } from '../runtime/clock';
import { createToken } from '../runtime/tokens';
import type { LeaseLapse } from '../observability/lease-lapse';
import type { Logger } from '../observability/logger';
import type { SettingsAccessor } from '../settings/settings';
import type { Storage, StorageCapabilities } from './storage-backend';
import type { DeadLetterListQuery, EnqueueResult, QueueCounts, RedeliverSelector } from './request-queue';

export type { LeaseLapse };

/**
 * What an engine must do with a request after the delivery handler looked at it. Core decides
 * (one retry policy for every engine); the engine only applies the decision to its store.
 *
 * - `delivered`: a 2xx arrived; remove the request.
 * - `retry`: the attempt failed; keep it, due at `dueAt`, with `attempts` made so far.
 * - `defer`: not attempted (its webhook is disabled, its breaker open, its rate spent); keep
 *   it, due at `dueAt`, attempts unchanged — a deferral never uses up an attempt.
 * - `dead`: retries exhausted or not retryable; move it to the dead letters with `attempts`
 *   attempts made, kept for redelivery until the retention period.
 * - `drop`: its webhook was deleted; remove it without sending.
 * - `release`: the attempt was aborted (the app is stopping); give it back as it was.
 */
export type DeliveryVerdict =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly dueAt: Date; readonly attempts: number; readonly lastError: string }
  | {
      readonly kind: 'defer';
      readonly dueAt: Date;
      readonly reason: string;
      /**
       * True when the reason holds every request of the webhook until `dueAt` (it is disabled,
       * its circuit breaker is open, its rate limit is spent, its receiver asked to wait): an
       * engine may stop taking that webhook's requests until then instead of deferring each.
       */
      readonly holdsWebhook?: boolean;
    }
  | { readonly kind: 'dead'; readonly attempts: number; readonly lastError: string }
  | { readonly kind: 'drop'; readonly reason: string }
  | { readonly kind: 'release' };

/** The decision on one request and what core does once the engine applied it. */
export interface Settlement {
  /** What the engine must do with the request: delivered, retry at a time, dead, drop or release. */
  readonly verdict: DeliveryVerdict;
  /**
   * The delivery log entry of the attempt, when one was made. An engine whose store can write it
   * in the same write that applies the verdict (the built-in engine, with a queue that has
   * `completeAndLog`, for a delivered request) may do so, and then says so to {@link settled};
   * otherwise core writes it once the verdict is applied.
   */
  readonly logEntry?: DeliveryLogEntry;
  /**
   * With {@link logEntry}: writes it now, before the engine applies the verdict, and resolves once
   * the store has it (or its failure was told as `logWriteFailed`); never rejects. For an engine
   * whose store cannot write the entry in the verdict's own write: a delivered (or dropped)
   * request then leaves the queue only after the entry that remembers it is written, so a publish
   * made again with its `idempotencyKey` in between is skipped, not stored and sent again. Then
   * say `logged` to {@link settled}.
   */
  readonly writeLog?: () => Promise<void>;
  /**
   * The engine calls this once after applying {@link verdict}: `applied` is false when the
   * request was no longer this engine's to change (its lease expired and another process took
   * it); `logged` is true when the engine wrote {@link logEntry} itself (or had {@link writeLog}
   * write it). Core then writes the
   * delivery log entry (unless logged) and emits the lifecycle events, so a listener of
   * `deadLettered` finds the request among the dead letters.
   *
   * It may return a promise (for a dead letter: core reads the webhook again, and drops the
   * request if a deletion committed meanwhile); it never rejects. The engine awaits it before it
   * tells {@link QueueEngine.onSettled}'s listeners, so `drain()` waits for it too, and before
   * its {@link QueueEngine.stop} resolves.
   */
  settled(applied: boolean, logged?: boolean): void | Promise<void>;
}

/**
 * Core's side of delivery, which an engine calls for each request it takes: loads the webhook,
 * makes the signed attempt and returns the {@link Settlement}. It throws only when it could not
 * decide (the store holding the webhooks failed): the engine then leaves the request to be
 * taken again later (its lease expires), and it does not count as an attempt.
 */
export interface DeliveryHandler {
  /** Makes the attempt for `request` (aborted through `signal` at stop) and returns the decision. */
  handle(request: WebhookRequest, signal: AbortSignal): Promise<Settlement>;
}

/** What an engine can do; `start()` refuses settings an engine cannot honour. */
export interface QueueEngineCapabilities {
  /** `enqueue({ transaction })` enqueues inside the host's open transaction (the transactional outbox). */
  readonly transactionalEnqueue: boolean;
  /** The claim on a request is renewed while its attempt runs, so an attempt may outlive `leaseDuration`. */
  readonly leaseRenewal: boolean;
  /** Several processes may share the queue; each request is held by one at a time. */
  readonly shared: boolean;
  /**
   * Requests with `fifo` go out one at a time per webhook, in enqueue order (see
   * RequestQueue.claim). Absent means false: `start()` refuses a FIFO webhook.
   */
  readonly fifo?: boolean;
}

/** Options of {@link QueueEngine.enqueue}. */
export interface EngineEnqueueOptions<TTransaction> {
  /** The host's open transaction; only for engines with `transactionalEnqueue`. */
  transaction?: TTransaction;
  /**
   * The requests' ids were derived from publish()'s `idempotencyKey`: an id seen before is the same
   * request published again, and the engine skips an id it still remembers though it no longer
   * holds it (see RequestQueue's `EnqueueOptions.idempotent`; BullMQ keeps a marker for 24 hours).
   */
  idempotent?: boolean;
}

export type { DeadLetterListQuery, DeadLetterQuery } from './request-queue';

/** Options of {@link QueueEngine.counts}. */
export interface QueueCountsQuery {
  /** Only this webhook's requests. */
  webhookKey?: string;
}

/**
 * How requests get from the queue to the attempt: a push-style port. The engine owns fetching,
 * locks, delays and concurrency, and calls core's {@link DeliveryHandler} for each request; core
 * owns the retry policy, signing, the delivery log and lifecycle events, once for every engine.
 * The built-in engine polls a {@link RequestQueue} (memory, SQLite, PostgreSQL); an engine that
 * brings its own scheduler (BullMQ on Redis) implements this port directly.
 *
 * @typeParam TTransaction what `enqueue({ transaction })` takes (`never` when it takes none).
 */
export interface QueueEngine<TTransaction = never> {
  /** For messages, e.g. "polling(sqlite)" or "bullmq". */
  readonly name: string;
  /** What it can do; `start()` refuses settings it cannot honour. */
  readonly capabilities: QueueEngineCapabilities;
  /**
   * Stores requests durably, all or none, due at their `dueAt`; resolves once they are
   * durable. A request whose id the engine holds already (pending, in flight or dead), or that the
   * batch repeats, is skipped and the stored one left as it is; the others are stored. Fails with
   * HOOKWORK_ERR_ENQUEUE_FAILED when the store failed and stored nothing of the batch,
   * HOOKWORK_ERR_ENQUEUE_UNCERTAIN when it may have stored it (the connection was lost after the
   * batch was sent: say so, never guess "nothing"), and
   * HOOKWORK_ERR_INVALID_TRANSACTION for a transaction it cannot use — with no requests too:
   * `publish(…, { transaction })` enqueues none first to have the transaction checked even when
   * nothing fires.
   *
   * Resolves with the ids it stored ({@link EnqueueResult}): core counts only those as enqueued
   * (the `enqueued` lifecycle event, `hookwork_requests_enqueued_total`, `drain()`'s own
   * requests). An engine resolving with nothing (`void`, as one written before this result) is
   * taken to have stored every request given.
   */
  enqueue(requests: readonly NewWebhookRequest[], options?: EngineEnqueueOptions<TTransaction>): Promise<EnqueueResult | void>;
  /** Starts taking due requests and calling `handler` for each, within the concurrency settings. */
  start(handler: DeliveryHandler): void | Promise<void>;
  /** Work may be due now (an enqueue or redelivery in this process): look without waiting. */
  wake(): void;
  /**
   * Optional: the webhook's health was forgotten (its URL changed, it was enabled again, deleted or
   * created again), so a hold this engine keeps on taking its requests (after a verdict with
   * `holdsWebhook`) ends now instead of at the old `dueAt`. Requests already deferred keep their
   * due times. An engine that keeps no such hold leaves it out.
   */
  endHold?(webhookKey: string): void;
  /**
   * Optional: makes the webhook's requests waiting for a later due time (deferred by a receiver's
   * Retry-After pause, retries on their backoff) due now, and starts taking them; in-flight ones
   * are untouched and a FIFO line keeps its order. Resolves to how many were brought forward. Core
   * calls it when a webhook's URL changes or it is enabled again (after its health is forgotten),
   * so what the forgotten health deferred (a receiver's pause, an open breaker) goes at once; a failure is reported as a `backgroundError` and the
   * update stands. An engine that lacks it leaves those requests due when they were.
   */
  bringForward?(webhookKey: string): Promise<number>;
  /**
   * Optional: removes up to `limit` pending or dead requests of `webhookKey` published at or before
   * `publishedUpTo`, oldest first (in enqueue order where the engine keeps one, else by
   * `createdAt`), and returns them as they were; a request in flight is left to its attempt (see
   * RequestQueue.discard). Every built-in engine has it. Core calls it when the webhook is
   * deleted, and when one is created under a key given (what a deletion cut short left of the
   * key's earlier webhook), and writes a `dropped` log entry for each. An engine that lacks it leaves them to be
   * dropped when delivery meets them.
   */
  discard?(webhookKey: string, publishedUpTo: Date, limit: number): Promise<WebhookRequest[]>;
  /**
   * Optional: {@link discard} with each removed request's `dropped` entry, `entryOf(request)`,
   * written in the removal's write (see RequestQueue.discardAndLog); core then logs nothing more
   * for them. The built-in engine has it when its queue has.
   */
  discardAndLog?(webhookKey: string, publishedUpTo: Date, limit: number, entryOf: (request: WebhookRequest) => DeliveryLogEntry): Promise<WebhookRequest[]>;
  /**
   * Optional: the keys of the webhooks that have pending or dead requests, each once (see
   * RequestQueue.queuedWebhookKeys). With {@link discard}, core's cleanup round removes those of
   * keys no webhook has, which a deletion cut short left behind. The built-in engine has it when
   * its queue has.
   */
  queuedWebhookKeys?(): Promise<string[]>;
  /**
   * Stops taking requests, waits up to `timeoutMs` for running handlers, then aborts them
   * (their verdict is `release`), and gives what it holds back so another process need not wait.
   * Resolves only once every settlement it started is done, a promise returned by
   * {@link Settlement.settled} included: the app removes its listeners and closes its store next.
   */
  stop(timeoutMs: number): Promise<void>;
  /** Handlers running in this process now. */
  readonly active: number;
  /** Calls `listener` after each settled request, until the returned function is called. */
  onSettled(listener: (request: WebhookRequest, verdict: DeliveryVerdict) => void): () => void;
  /** A request (pending, in flight or dead), or undefined. */
  get(id: string): Promise<WebhookRequest | undefined>;
  /** Requests by state. */
  counts(query?: QueueCountsQuery): Promise<QueueCounts>;
  /** Optional: when the oldest pending request was created (the oldest-pending-age metric). */
  oldestPendingCreatedAt?(): Promise<Date | undefined>;
  /**
   * Dead letters, newest dead first; with {@link pagesDeadByPosition}, `nextPosition` when more
   * follow, taken back as `afterPosition` (as a request queue's `listDead`).
   */
  listDead(query?: DeadLetterListQuery): Promise<PositionedPage<WebhookRequest>>;
  /** Optional: true when {@link listDead} pages by position (`afterPosition`, `nextPosition`); absent: core pages it by offset. */
  readonly pagesDeadByPosition?: boolean;
  /** Puts dead letters back, due now, retry count reset; returns their ids. */
  redeliver(selector: RedeliverSelector, now: Date): Promise<string[]>;
  /** Deletes up to `limit` dead letters dead before `before`; returns how many (retention). */
  deleteDeadOlderThan(before: Date, limit: number): Promise<number>;
  /** Releases what the engine holds (connections, timers); after {@link stop}. */
  close?(): Promise<void>;
}

/** What an engine gets when the app opens it. */
export interface QueueEngineContext {
  /** The app's opened storage; the built-in engine polls its `queue`. */
  storage: Storage<unknown>;
  /** The storage backend's name and what it can do. */
  storageBackend: { readonly name: string; readonly capabilities: StorageCapabilities };
  /** The app's settings (read `current` each time: they may change at run time). */
  settings: SettingsAccessor;
  /** The app's clock: due times and leases are judged by it. */
  clock: Clock;
  /** The app's logger. */
  logger: Logger;
  /**
   * Background failures (a claim that threw): reported on the app's lifecycle and logger, with
   * "it will be tried again". `instead`, for a failure nothing tries again: what the engine did
   * at once in its place (a fallback), which the log line says instead.
   */
  onError(task: string, error: unknown, instead?: string): void;
  /**
   * Optional: how many `publish()` calls of the app are under way now (the caller's included).
   * More than one means other publishes will enqueue in a moment, so a store with group commit may
   * hold an enqueue for the turn's shared commit; a lone publisher commits at once.
   */
  publishesInFlight?(): number;
  /**
   * Optional: the engine met `count` attempts running in this process whose lease (or lock) ran
   * out before they ended, and how it learnt it (see {@link LeaseLapse}); counted in
   * `hookwork_leases_lapsed_total`. The engine logs them itself.
   */
  leaseLapsed?(how: LeaseLapse, count: number): void;
}

/**
 * A queue engine as `createHookwork({ queue })` takes it: opened at `start()`, after storage.
 * @typeParam TTransaction what `publish(…, { transaction })` takes with this engine.
 */
export interface QueueEngineProvider<TTransaction = never> {
  /** For messages before it is opened ("bullmq"). */
  readonly name: string;
  /**
   * Opens the engine at `start()`; fails with a coded error (e.g. HOOKWORK_ERR_REDIS_UNAVAILABLE)
   * when it cannot.
   */
  open(context: QueueEngineContext): Promise<QueueEngine<TTransaction>>;
}

/** Injection token of the app's {@link QueueEngine} (opened at start). */
export const QueueEngineToken = createToken<QueueEngine<unknown>>('hookwork.QueueEngine');
