import type { Clock } from '../runtime/clock';
import type { Logger } from '../observability/logger';
import type { DeliveryLog } from './delivery-log';
import type { RequestQueue } from './request-queue';
import type { WebhookHealthStore } from './webhook-health-store';
import type { WebhookRepository } from './webhook-repository';

/**
 * An opened store: the three ports, and how to close them.
 * @typeParam TTransaction the host transaction its queue enqueues in (`never`: none).
 */
export interface Storage<TTransaction = never> {
  /** The webhook definitions. */
  readonly webhooks: WebhookRepository;
  /** The durable request queue. */
  readonly queue: RequestQueue<TTransaction>;
  /** The delivery log. */
  readonly deliveryLog: DeliveryLog;
  /**
   * Optional: the webhooks' health (circuit breakers, failing streaks, rate limits), kept in the
   * store so every process sharing it agrees. Without it the app keeps health in memory, per
   * process (and says so at start when the store is shared).
   */
  readonly health?: WebhookHealthStore;
  /**
   * Optional: names this store's data — the same in every process that opens it and at every
   * open, another for another store's. The SQL backends keep a random id in the store itself,
   * made with its schema (`sqlite:<uuid>`, `postgres:<uuid>`), so it goes with the data when it is
   * moved, restored or reached by another path or host name — and with a copy, which must be given
   * one of its own to run as a second store (docs/storage.md). A queue engine that keeps requests outside
   * the store (BullMQ, in Redis) records it with its queue and refuses to start on a queue whose
   * requests belong to another store's webhooks: each app would drop the other's requests as
   * those of deleted webhooks. A store whose data is new at every open (the memory store, SQLite's
   * `:memory:`) has none — an id recorded for good would refuse the app's own restart —: such an
   * engine claims the queue for the opened store only while its apps run (BullMQ: a key with a TTL,
   * renewed, deleted at stop), so a second app on a store of its own is still refused.
   */
  readonly id?: string;
  /**
   * Optional: the ids earlier versions of the backend gave this same data where it is now (the SQL
   * backends' ids derived from the file's path, or from the server, database and schema). A queue
   * engine that finds one of them recorded with its queue records `id` in its place instead of
   * refusing the app, so an upgrade does not refuse the store's own apps.
   */
  readonly formerIds?: readonly string[];
  /** Closes the store (connections, file handles); the app calls it at `stop()`. */
  close(): Promise<void>;
}

/** What a backend gets when the app opens it. */
export interface StorageContext {
  /** The app's logger. */
  logger: Logger;
  /** The app's clock. */
  clock: Clock;
  /**
   * Optional to call: reports work the store does in the background, on no call of the app's,
   * that failed — a lost connection it listens on, a checkpoint off the main thread. The app logs
   * it (an error line) and emits it as the `backgroundError` lifecycle event, counted in
   * `hookwork_background_errors_total`, as it does its own background failures.
   *
   * - `task`: what failed, as an operator reads it in the log line and the event ("listening for
   *   notifications on PostgreSQL …"); name the store (its file, server or schema).
   * - `error`: the failure as thrown (its `message` goes in the line).
   * - `instead`: what the store does in its place (a fallback taken at once, a retry of its own),
   *   which ends the line instead of "it will be tried again". Give it whenever the store, not
   *   the app, handles what follows.
   *
   * Report a failure once when it starts, not at every retry of a run of them. The app always
   * gives it; it is absent (`undefined`) when a store is opened outside an app (by hand, by a
   * tool, or by a caller written before it existed), so call it as `context.backgroundError?.(…)`
   * and log the failure yourself without it. Must not throw.
   */
  backgroundError?: (task: string, error: unknown, instead?: string) => void;
}

/**
 * What a storage backend can do. The app checks them at `start()` and refuses a setting or an
 * option the backend cannot honour (HOOKWORK_ERR_CAPABILITY_MISSING) instead of failing later.
 */
export interface StorageCapabilities {
  /** `enqueue({ transaction })` joins the host's open transaction (the transactional outbox). */
  readonly transactionalEnqueue: boolean;
  /** `RequestQueue.renew` exists: attempts may outlive `leaseDuration`. */
  readonly leaseRenewal: boolean;
  /** Several processes may open the same store at once (a file, a database server). */
  readonly shared: boolean;
  /** `RequestQueue.watch` wakes this process when another one enqueues. */
  readonly crossProcessWake: boolean;
  /**
   * `RequestQueue.claim` honours requests' `fifo` (one head per webhook at a time, in enqueue
   * order), so webhooks may opt into FIFO delivery. Absent means false: `start()` refuses a FIFO
   * webhook (HOOKWORK_ERR_CAPABILITY_MISSING) and creating one is refused.
   */
  readonly fifo?: boolean;
  /** `Storage.health` exists: breaker, failing-streak and rate-limit state is shared by the store's processes. Absent means false. */
  readonly webhookHealth?: boolean;
  /**
   * What it stores is lost when the process exits (the in-memory backend). The app says so at
   * `start()`: an info line, or a warning when the queue engine keeps its requests elsewhere
   * (BullMQ in Redis), where they outlive the webhooks and the log. Absent means false.
   */
  readonly volatile?: boolean;
}

/**
 * A storage backend, passed as `createHookwork({ storage })`: in-memory (the default), SQLite
 * (`@hookwork/sqlite`), PostgreSQL (`@hookwork/postgres`). `open` fails with a coded error
 * (HOOKWORK_ERR_STORAGE_*) at start, not later.
 *
 * @typeParam TTransaction the host transaction `publish(…, { transaction })` takes with this
 * backend (e.g. a pg `PoolClient`); `never` for backends without a transactional enqueue, so
 * passing one does not compile.
 */
export interface StorageBackend<TTransaction = never> {
  /** For messages ("memory", "sqlite"). */
  readonly name: string;
  /** What it can do; `start()` refuses settings and webhooks it cannot honour. */
  readonly capabilities: StorageCapabilities;
  /** Opens the store at `start()`; fails with a coded error (HOOKWORK_ERR_STORAGE_*) when it cannot. */
  open(context: StorageContext): Promise<Storage<TTransaction>>;
}

