import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  HookworkError,
  type DeadLetterListQuery,
  type DeliveryHandler,
  type DeliveryVerdict,
  type EngineEnqueueOptions,
  type EnqueueResult,
  type NewWebhookRequest,
  type ListPosition,
  type PositionedPage,
  type QueueCounts,
  type QueueCountsQuery,
  type QueueEngine,
  type QueueEngineCapabilities,
  type QueueEngineContext,
  type RedeliverSelector,
  type Settlement,
  type WebhookRequest,
} from '@hookwork/core';
import type { Redis } from 'ioredis';
import { DELAY_TIME_5, DelayedError, FlowProducer, isNotConnectionError, Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import { BULLMQ_ERRORS } from './bullmq-errors';
import { finishedWithin } from './finished-within';
import { requestOfHash, requestOfJob, toJob, type RequestJobData } from './job-request';
import { isConnectionError, isOutOfMemory, OUT_OF_MEMORY, redisFailure, type RedisClients } from './redis-connection';
import { QueueClaim } from './queue-claim';
import { WebhookLanes } from './webhook-lanes';

type SettledListener = (request: WebhookRequest, verdict: DeliveryVerdict) => void;

/**
 * The ids of `requests` an add stored, given those `held` before it (the ids the script found, or
 * for one request how many of its keys EXISTS found): the first of each id not held. The read
 * having failed (the add succeeded: the connection answered; `held` is 0 then) counts every one stored.
 */
function storedIds(requests: readonly NewWebhookRequest[], held: number | string[]): string[] {
  // A count: EXISTS of one request's keys (any found: not stored), or 0 from a read that failed.
  if (typeof held === 'number') {
    if (held > 0) return [];
    if (requests.length === 1) return [requests[0]!.id];
    held = [];
  }
  const skipped = new Set(held);
  const stored: string[] = [];
  for (const { id } of requests) {
    if (skipped.has(id)) continue;
    // A repeat later in the batch: BullMQ finds the first one stored.
    skipped.add(id);
    stored.push(id);
  }
  return stored;
}

/** A reply of EXEC for one command: its error, or its result. */
type ExecReply = [Error | null, unknown];

/**
 * Makes `flows.addBulk()` fail when Redis refused a job inside its transaction. BullMQ's addBulk
 * reads each job's reply of the EXEC and skips the ones that are errors: a batch none of whose jobs
 * was stored resolved as if all were, and publish() said so. A refusal inside EXEC stores nothing
 * of that command (a script that fails does not run); Redis does not roll back the others. One is
 * NOSCRIPT: after a `SCRIPT FLUSH` (an operator's, a managed service's) ioredis sends BullMQ's adds
 * as EVALSHA, which Redis no longer knows, and inside a transaction it does not notice and send
 * EVAL as it does for a single command — every batch publish was lost until the connection was made
 * again. The client's scripts are loaded again (`SCRIPT LOAD`) and the batch sent once more (its
 * jobs already stored are skipped by id). Any other refusal (or a second NOSCRIPT) is thrown:
 * publish() fails with HOOKWORK_ERR_ENQUEUE_FAILED when no job was stored, and with
 * HOOKWORK_ERR_ENQUEUE_UNCERTAIN when some were.
 */
function failOnRefusedEntries(flows: FlowProducer, client: Redis): void {
  const backend = (flows as unknown as { backend?: { addFlow?: (entries: unknown[]) => Promise<ExecReply[]> } }).backend;
  const addFlow = backend?.addFlow?.bind(backend);
  if (!backend || !addFlow) throw new Error('@hookwork/bullmq: this BullMQ has no FlowProducer backend.addFlow (BullMQ 6 has); use the BullMQ version @hookwork/bullmq depends on');
  const refusal = (replies: ExecReply[]) => replies.find(([error]) => error)?.[0];
  backend.addFlow = async (entries) => {
    let replies = await addFlow(entries);
    let refused = refusal(replies);
    if (refused && /NOSCRIPT/.test(refused.message)) {
      const scripts = Object.values((client as unknown as { scriptsSet?: Record<string, { lua: string }> }).scriptsSet ?? {});
      await Promise.all(scripts.map((script) => client.script('LOAD', script.lua)));
      replies = await addFlow(entries);
      refused = refusal(replies);
    }
    if (!refused) return replies;
    // None stored: a refused command (HOOKWORK_ERR_ENQUEUE_FAILED). Some: not a ReplyError, so
    // the publish is HOOKWORK_ERR_ENQUEUE_UNCERTAIN, and publishing again with its key adds the rest.
    const failed = replies.filter(([error]) => error).length;
    if (failed === replies.length) throw refused;
    throw new Error(`Redis refused ${failed} of the batch's ${replies.length} jobs inside its transaction and stored the others (${refused.message})`, { cause: refused });
  };
}

/** What a held check that failed counts as held: nothing (one function, not a closure per enqueue). */
const NOTHING_HELD = (): number => 0;

/** Attempts BullMQ may make of a job: never the limit, since core decides when a request is dead. */
const UNLIMITED_ATTEMPTS = 2 ** 31 - 1;
/** Stalls BullMQ tolerates before failing a job itself: never, for the same reason (a stalled job is given back, as a lapsed lease is). */
const UNLIMITED_STALLS = 2 ** 31 - 1;
/** The shortest time a job turned away by a full lane stays in Redis, ms. */
const MIN_BOUNCE_MS = 25;
/**
 * How long Redis remembers the id of a request published with an idempotency key once its job is
 * gone (delivered, dropped, or dead and deleted), ms: a publish made again within it stores
 * nothing. A BullMQ deduplication key per such job (`<prefix>:<queue>:de:<id>`, about 150
 * bytes), not the job kept, whose body may be large; set at the add, and again as the job goes
 * when that is later (see IDEMPOTENCY_RENEWED_AFTER_MS, hookworkDeleteDeadBefore, discard).
 */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * How old a keyed request may be when its job is finished (delivered or dropped) before its
 * deduplication key is set again for the whole {@link IDEMPOTENCY_WINDOW_MS}, ms. The key is set
 * when the job is added, so it lasts a window from then: a request delivered after a day of
 * retries or deferrals was forgotten at once. One finished within a minute of its creation keeps
 * its key for the window less that minute at most, at no extra write (most deliveries).
 */
const IDEMPOTENCY_RENEWED_AFTER_MS = 60_000;

/** How long a stop waits, past stopTimeout and the jobs' abort, before it cuts the connections. */
const CUT_AFTER_MS = 1_000;

/** A retry verdict thrown to BullMQ: its message becomes the job's failedReason (lastError), its due time the backoff. */
class RetryAt extends Error {
  override readonly name = 'RetryAt';
  constructor(readonly dueAt: number, message: string) {
    super(message);
  }
}

/** A settlement waiting for BullMQ to apply its verdict. */
interface Pending {
  request: WebhookRequest;
  settlement: Settlement;
  done: boolean;
}

/**
 * One processing of a job in this process. A job whose lease lapsed while its attempt ran (the
 * process starved of CPU past its lock, a blocked event loop) is given back by BullMQ's stalled-job
 * check and may be taken again by this same process while that attempt still runs.
 */
interface Run {
  /** The lock token it holds the job under. */
  token: string | undefined;
  /** The attempt delivered the request (or dropped it): another processing of its job must not send it again. */
  sent: boolean;
  /** The processor returned (the run is kept until BullMQ is done with the job and its verdict checked). */
  over: boolean;
  /** Made only when a later processing of the same job waits for this one. */
  ended?: Promise<void>;
  end?: () => void;
  /**
   * BullMQ could not renew its lock: `checking` while Redis is asked why, then `gone` (the job is no
   * longer in Redis) or `lapsed` (it is, under another lock or none). Set once: said once.
   */
  lockLost?: 'checking' | 'gone' | 'lapsed';
}

/** How long a request delivered here whose job BullMQ would not complete (its lease had lapsed) is remembered, ms. */
const SENT_MEMORY_MS = 10 * 60 * 1000;
/** At most this many such requests are remembered (each an id and a time). */
const SENT_MEMORY_MAX = 10_000;

/** What the engine's Worker reports back. */
interface WorkerHooks {
  applied(job: Job): void;
  /** Undefined when there is nothing to look up (most jobs): no promise made and awaited per job. */
  finished(job: Job, token: string): Promise<void> | undefined;
}

/**
 * BullMQ's Worker, told when a job's verdict has been applied: BullMQ moves a job to completed
 * or failed after the processor returns, and emits `completed` / `failed` only once that
 * worked; a job whose move failed (its lock was lost to another process) emits neither.
 */
class HookworkWorker extends Worker<RequestJobData, void, string> {
  /** The lock tokens of the processings running here, by job id (two only after a lapsed lease). */
  private readonly tokens = new Map<string, string | string[]>();
  /** Aborted by close(): ends the pause after a failed Redis call (see {@link checkConnectionError}). */
  private readonly closeSignal = new AbortController();

  constructor(name: string, processor: (job: Job<RequestJobData>, token?: string) => Promise<void>, options: ConstructorParameters<typeof Worker<RequestJobData, void, string>>[2], private readonly hooks: WorkerHooks) {
    super(name, processor, options);
    this.on('completed', (job) => hooks.applied(job));
    this.on('failed', (job) => job && hooks.applied(job));
  }

  override async processJob(job: Job<RequestJobData, void, string>, token: string, fetchNextCallback?: () => boolean) {
    const id = job.id!;
    const others = this.tokens.get(id);
    this.tokens.set(id, others === undefined ? token : [...(typeof others === 'string' ? [others] : others), token]);
    try {
      return await super.processJob(job, token, fetchNextCallback);
    } finally {
      this.untrack(id, token);
      const checking = this.hooks.finished(job, token);
      if (checking) await checking;
    }
  }

  /**
   * BullMQ's, with the pause after a failed Redis call ended by close(). BullMQ waits 5 s after a
   * failed call of its loops (the stalled-job check's, a fetch) on a timer its close() leaves
   * running: a stop just after Redis refused one (full, or gone) kept the process alive up to 5 s
   * past `app.stop()`.
   */
  protected override async checkConnectionError<T>(fn: () => Promise<T>, delayInMs = DELAY_TIME_5): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      if (isNotConnectionError(error as Error)) this.emit('error', error as Error);
      if (!this.closing && delayInMs) await sleep(delayInMs, undefined, { signal: this.closeSignal.signal }).catch(() => undefined);
      return undefined;
    }
  }

  override close(force?: boolean): Promise<void> {
    this.closeSignal.abort();
    return super.close(force);
  }

  /**
   * Sets the Worker's concurrency. BullMQ reads it before each fetch, but a Worker whose every
   * slot is taken waits for one of its jobs to end before it looks again: with a stuck webhook's
   * attempts holding all of them (until its `timeout`), a raised `global` fetched nothing, and
   * other webhooks' jobs waited behind the stuck one's though slots were free. A raise wakes the
   * Worker's loop as BullMQ's own resume() does (a settled promise in the queue it waits on), so
   * it fetches up to the new concurrency at once.
   */
  setConcurrency(concurrency: number): void {
    const raised = concurrency > this.concurrency;
    this.concurrency = concurrency;
    if (raised) (this as unknown as { mainLoopQueue?: { add(work: Promise<unknown>): void } | null }).mainLoopQueue?.add(Promise.resolve());
  }

  /**
   * BullMQ renews locks by job id: a processing that ends stops the renewal of the job's lock
   * whatever token holds it. When a processing whose lease had lapsed ends while the one that took
   * the job again runs, that one's lock is tracked again — else it lapsed in turn, and the job was
   * given back and sent once more, again and again.
   */
  private untrack(id: string, token: string): void {
    const tokens = this.tokens.get(id);
    if (tokens === undefined || typeof tokens === 'string') {
      this.tokens.delete(id);
      return;
    }
    const left = tokens.filter((t) => t !== token);
    this.tokens.set(id, left.length === 1 ? left[0]! : left);
    this.lockManager.trackJob(id, left[left.length - 1]!, Date.now());
  }
}

/** Job ids read per script call by {@link BullmqQueueEngine.queuedWebhookKeys} and {@link BullmqQueueEngine.discard}. */
const KEYS_SLICE = 1000;

/** Options of {@link BullmqQueueEngine} (see bullmqQueue()). */
export interface BullmqEngineOptions {
  queueName: string;
  prefix: string;
  /** How long stop() waits for Redis to confirm what it gives back, ms. */
  stopGraceMs?: number;
  /** The app's store's `id` (Storage.id): recorded with the queue, and a queue of another store's refused (see QueueClaim). */
  storeId?: string;
  /** The store's `formerIds` (Storage.formerIds): one of them recorded is replaced by `storeId`, not refused. */
  formerStoreIds?: readonly string[];
  /** The opened store (Storage): one without an id is claimed while its apps run. Undefined (an engine opened without a store): nothing claimed or checked. */
  store?: object;
}

/**
 * hookwork's queue engine on Redis with BullMQ: each request is a job whose id is its
 * `webhook-id` and whose name is its webhook's key. BullMQ owns fetching, locks (extended while
 * an attempt runs), delays and stalled-job recovery; core decides every verdict, which the
 * engine applies with BullMQ's own moves:
 * - delivered / drop: the job completes and is removed;
 * - retry: the processor throws, BullMQ counts the attempt (`attemptsMade`), keeps the failure
 *   as `failedReason` and delays the job by a backoff strategy that returns core's due time;
 * - dead: an UnrecoverableError moves it to the failed set, the dead letters;
 * - defer: `moveToDelayed` without counting an attempt; release: `moveToWait`.
 * Per-webhook limits are kept by {@link WebhookLanes}.
 */
export class BullmqQueueEngine implements QueueEngine<never> {
  readonly name = 'bullmq';
  readonly capabilities: QueueEngineCapabilities = Object.freeze({ transactionalEnqueue: false, leaseRenewal: true, shared: true });
  private readonly queue: Queue<RequestJobData, void, string>;
  private readonly flows: FlowProducer;
  private readonly lanes: WebhookLanes;
  private readonly listeners = new Set<SettledListener>();
  /**
   * Verdicts handed to BullMQ and not yet confirmed, by job. A Map, not a WeakMap: every entry
   * is taken out when BullMQ is done with its job (HookworkWorker.processJob's finally), and a
   * WeakMap's set and delete cost more per job (and make each garbage collection trace it).
   */
  private readonly pending = new Map<Job, Pending>();
  private worker: HookworkWorker | undefined;
  private handler: DeliveryHandler | undefined;
  /** Aborts running attempts (stop() after its timeout). */
  private abort = new AbortController();
  /** Takes jobs waiting for a lane out (stop() at once). */
  private leaving = new AbortController();
  private stopping = false;
  private stopped: Promise<void> | undefined;
  /** Processor calls not yet finished (running, waiting for a slot, or being settled). */
  private inProcess = 0;
  private lastErrors = new Map<string, number>();
  /** The processings running here, by job id: see {@link Run}. */
  private readonly runs = new Map<string, Run>();
  /** Requests delivered (or dropped) here whose job BullMQ would not complete, by id, with when. */
  private readonly sentUnapplied = new Map<string, number>();
  /** Whether {@link ready} resolved: before, a failure is start()'s error, not a background one to log as well. */
  private isReady = false;
  /** Which webhook store's apps use the queue (refuses another store's app at start). */
  private readonly claim: QueueClaim;
  /** The enqueues of this process under way, by the ids they add (see {@link enqueueInTurn}). */
  private readonly adding = new Map<string, Promise<EnqueueResult>>();
  /**
   * Settlements core is still finishing after BullMQ applied their verdict (a dead letter's webhook
   * read again, and the request dropped if it was deleted): stop() waits for them (see {@link settle}).
   */
  private readonly settling = new Set<Promise<void>>();

  constructor(
    private readonly redis: RedisClients,
    private readonly context: Omit<QueueEngineContext, 'storage' | 'storageBackend'>,
    private readonly options: BullmqEngineOptions,
  ) {
    const { queueName, prefix } = options;
    this.queue = new Queue<RequestJobData, void, string>(queueName, { connection: redis.producer, prefix });
    this.flows = new FlowProducer({ connection: redis.producer, prefix });
    failOnRefusedEntries(this.flows, redis.producer);
    const onError = (error: Error) => this.reportError('redis connection', error);
    this.queue.on('error', onError);
    this.flows.on('error', onError);
    redis.producer.on('error', (error: Error) => {
      if (!isConnectionError(error)) onError(error);
    });
    redis.worker.on('error', (error: Error) => {
      if (!isConnectionError(error)) onError(error);
    });
    this.lanes = new WebhookLanes(() => context.settings.current.concurrency);
    this.claim = new QueueClaim(redis, options, (error) => context.onError('bullmq queue', error));
  }

  /**
   * Resolves once BullMQ's Queue and FlowProducer have read the server's version (their first
   * command, sent when they are made), then starts reporting lost connections. BullMQ keeps the
   * outcome of that first command for good: a Queue whose version check was cut off by a lost
   * connection rejects every later call with that error, even once Redis is back. So the
   * engine is not handed out before this resolved; when it rejects (HOOKWORK_ERR_REDIS_UNAVAILABLE,
   * the cause attached; also when the producer is not back within its command deadline), close
   * the engine.
   */
  async ready(): Promise<void> {
    const deadlineMs = this.redis.producer.options.commandTimeout ?? 5000;
    try {
      if (!(await finishedWithin(Promise.all([this.queue.waitUntilReady(), this.flows.waitUntilReady()]), deadlineMs))) throw new Error(`Redis did not answer within ${deadlineMs} ms`);
      // An ACL can allow every command and still deny the queue's keys (~other:*): BullMQ's
      // scripts then fail with NOPERM at every fetch, for ever. A script deleting a key of the
      // queue's that never exists needs what they need (scripting, writing the queue's keys).
      await this.redis.producer.eval("return redis.call('del', KEYS[1])", 1, `${this.options.prefix}:${this.options.queueName}:hookwork:acl-probe`);
    } catch (error) {
      const message = String((error as Error)?.message ?? error);
      throw BULLMQ_ERRORS.create(
        'HOOKWORK_ERR_REDIS_UNAVAILABLE',
        `the BullMQ queue could not start on ${this.redis.where} (${message})${
          isConnectionError(error)
            ? '; the connection was lost while it started — start the app again once Redis answers'
            : /NOPERM/.test(message)
              ? `; the Redis user's ACL denies a command or key BullMQ needs: allow it (ACL SETUSER <user> +<command>; BullMQ runs INFO, scripts and the commands of its scripts on the queue's keys, e.g. +@all ~${this.options.prefix}:*)`
              : ''
        }`,
        { cause: error },
      );
    }
    // Last: a claim taken is renewed until close() releases it.
    await this.claim.take();
    this.isReady = true;
    // The clients' own errors: a lost connection once per outage, anything else as it comes.
    this.redis.report({ lost: (error) => this.context.onError('redis connection', error), back: (message) => this.context.logger.warn(message) });
  }

  enqueue(requests: readonly NewWebhookRequest[], options?: EngineEnqueueOptions<never>): Promise<EnqueueResult> {
    if (options?.transaction !== undefined) {
      return Promise.reject(
        new HookworkError('HOOKWORK_ERR_INVALID_TRANSACTION', 'the bullmq queue cannot enqueue inside a host transaction (Redis is not the host\'s database); publish after the transaction commits, or use a PostgreSQL queue for a transactional outbox'),
      );
    }
    if (requests.length === 0) return Promise.resolve({ stored: [] });
    const unusable = requests.find((r) => typeof r.id !== 'string' || r.id === '' || r.id.includes(':') || String(parseInt(r.id, 10)) === r.id);
    if (unusable) {
      return Promise.reject(
        new HookworkError('HOOKWORK_ERR_ENQUEUE_FAILED', `request id ${JSON.stringify(unusable.id)} cannot be a BullMQ job id (BullMQ refuses integers and ":"); nothing of the batch was stored — use ids such as core's msg_… (newMessageId())`),
      );
    }
    return this.enqueueInTurn(requests, options?.idempotent === true);
  }

  /**
   * {@link enqueueJobs}, after every enqueue of this process still adding one of the same ids. The
   * ids held are read before the add, not in its transaction, and BullMQ sends an add only after
   * turns of its own: two enqueues of one id at the same moment (a keyed publish and its retry, two
   * requests reporting one change) read before either add ran, and both counted it stored — the
   * `enqueued` event, `hookwork_requests_enqueued_total` and `drain()` twice for one job. In turn,
   * the second reads after the first added, and skips it, as every other engine does. Ids no other
   * enqueue is adding (every unkeyed publish's) wait for nothing.
   */
  private enqueueInTurn(requests: readonly NewWebhookRequest[], idempotent: boolean): Promise<EnqueueResult> {
    let earlier: Promise<EnqueueResult>[] | undefined;
    for (const { id } of requests) {
      const other = this.adding.get(id);
      if (other !== undefined && !(earlier ??= []).includes(other)) earlier.push(other);
    }
    const run = earlier === undefined ? this.enqueueJobs(requests, idempotent) : Promise.allSettled(earlier).then(() => this.enqueueJobs(requests, idempotent));
    for (const { id } of requests) this.adding.set(id, run);
    const forget = () => {
      for (const { id } of requests) if (this.adding.get(id) === run) this.adding.delete(id);
    };
    run.then(forget, forget);
    return run;
  }

  /**
   * One MULTI/EXEC for the batch (FlowProducer.addBulk): Redis runs it as one, uninterrupted, and
   * a connection lost before EXEC stores nothing. A job id already in the queue is skipped, so a
   * batch published again stores only what is missing; with `idempotent` each job also leaves a
   * deduplication key for {@link IDEMPOTENCY_WINDOW_MS}, so one delivered (its job removed) is
   * skipped too.
   *
   * A failure says what is known: HOOKWORK_ERR_ENQUEUE_FAILED when nothing was sent (the producer
   * is not connected) or Redis refused the batch whole; HOOKWORK_ERR_ENQUEUE_UNCERTAIN when the
   * connection was lost, or no answer came, after it was sent: Redis runs the EXEC it read, so
   * the jobs may be stored — and were, 13 times in a reviewer's run of 2,220 such failures.
   *
   * Resolves with the ids stored. BullMQ's add answers a skipped job with its id as it answers a
   * new one, so the ids held (a job, or its deduplication key) are read on the producer
   * connection just before the add (EXISTS of its two keys for one request, a script for a
   * batch) — in the same round trip, Redis running the two in that order — and those are the
   * skipped ones, with a repeat within the batch. Not in the add's
   * transaction: two processes adding one id at the same moment may both count it as stored
   * (Redis stores it once).
   */
  private async enqueueJobs(requests: readonly NewWebhookRequest[], idempotent: boolean): Promise<EnqueueResult> {
    const now = Date.now();
    const base = this.queue.keys['']!;
    // Sent before the add (ioredis writes a connection's commands in call order); awaited after it.
    // One request (a publish to one webhook, the usual case) is asked for with a plain EXISTS of
    // its two keys, as the script asks for each id: no script call, id list or Set (about 1.2 KiB
    // less allocated per publish, and Redis runs no Lua for it: docs/performance-log.md, 2026-12-03).
    const id = requests.length === 1 ? requests[0]!.id : undefined;
    // Made never to reject, here: a failed add would leave its rejection unhandled (the add's
    // failure is reported), and a read that failed after an add that worked counts nothing held.
    if (id !== undefined) this.redis.holdProducer(2);
    const held: Promise<number | string[]> = (id !== undefined ? this.redis.producer.exists(base + id, `${base}de:${id}`) : this.redis.producer.hookworkHeldIds(base, ...requests.map((r) => r.id))).then(undefined, NOTHING_HELD);
    try {
      // One job needs no transaction: a single script is atomic, and cheaper than a MULTI.
      if (requests.length === 1) {
        const { name, data, opts } = this.jobOf(requests[0]!, now, idempotent);
        await this.queue.add(name, data, opts);
      } else {
        await this.flows.addBulk(
          requests.map((request) => {
            const { name, data, opts } = this.jobOf(request, now, idempotent);
            return { name, queueName: this.options.queueName, data, opts };
          }),
        );
      }
    } catch (error) {
      const failure = redisFailure(error, this.redis.producer.options.commandTimeout);
      if (!failure.sent) {
        throw new HookworkError('HOOKWORK_ERR_ENQUEUE_FAILED', `could not enqueue ${requests.length} request(s) in Redis at ${this.redis.where}: ${failure.text}; nothing of them was stored — publish again once Redis ${isOutOfMemory(error) ? 'has room' : 'answers'}`, { cause: error });
      }
      throw new HookworkError(
        'HOOKWORK_ERR_ENQUEUE_UNCERTAIN',
        `the ${requests.length} request(s) were sent to Redis at ${this.redis.where}, but ${failure.text}: Redis runs what it read, so they may or may not be stored`,
        { cause: error },
      );
    }
    return { stored: storedIds(requests, await held) };
  }

  /** The BullMQ job of `request`: its name, data and options. */
  private jobOf(request: NewWebhookRequest, now: number, idempotent: boolean): { name: string; data: RequestJobData; opts: JobsOptions } {
    const job = toJob(request, now);
    // A job the lanes' waiting room in this process would turn away now, of a webhook that already
    // has its `perWebhook` share waiting (stuck or slow, with a backlog) is added delayed as the
    // Worker would send it back, not put in the wait list: there it sat ahead of other webhooks'
    // jobs, which the Worker reached only after fetching and sending back every one of the stuck
    // webhook's (two round trips each).
    const delay = job.delay === 0 && this.worker !== undefined && !this.stopping && this.lanes.isFull(request.webhookKey) ? this.lanes.bounceDelay(request.webhookKey, MIN_BOUNCE_MS, this.context.settings.current.period) : job.delay;
    // Optional fields set, not spread in: a conditional spread copies on V8's slow path, at every publish.
    const opts: JobsOptions = { jobId: request.id, timestamp: job.timestamp, attempts: UNLIMITED_ATTEMPTS, backoff: { type: 'hookwork' }, removeOnComplete: true, removeOnFail: false };
    if (delay > 0) opts.delay = delay;
    if (idempotent) opts.deduplication = { id: request.id, ttl: IDEMPOTENCY_WINDOW_MS };
    return { name: job.name, data: job.data, opts };
  }

  async start(handler: DeliveryHandler): Promise<void> {
    if (this.worker || this.stopping) return;
    this.handler = handler;
    this.abort = new AbortController();
    this.leaving = new AbortController();
    setMaxListeners(0, this.abort.signal);
    setMaxListeners(0, this.leaving.signal);
    const settings = this.context.settings.current;
    this.worker = new HookworkWorker(
      this.options.queueName,
      (job, token) => this.process(job, token),
      {
        connection: this.redis.worker,
        prefix: this.options.prefix,
        concurrency: this.workerConcurrency(),
        lockDuration: settings.leaseDuration,
        // A crashed process's jobs come back within a lease and this interval.
        stalledInterval: Math.max(1000, Math.min(30_000, Math.floor(settings.leaseDuration / 2))),
        maxStalledCount: UNLIMITED_STALLS,
        // Each job carries its removal options; the Worker's apply to jobs of the builds that
        // kept them here only (44be74d to 8e094dc), which would otherwise stay in the completed
        // set for ever. (Count 0: removed as it completes; a failed job is kept by default.)
        removeOnComplete: { count: 0 },
        // After a lost connection BullMQ retries its fetches and moves this often.
        runRetryDelay: 1000,
        autorun: false,
        settings: { backoffStrategy: (_attempts, _type, error) => (error instanceof RetryAt ? Math.max(1, error.dueAt - Date.now()) : this.context.settings.current.period) },
      },
      { applied: (job) => this.applied(job), finished: (job, token) => this.finished(job, token) },
    );
    this.worker.on('error', (error) => this.reportError('bullmq worker', error));
    this.worker.on('lockRenewalFailed', (ids: string[]) => this.locksLost(ids));
    if (!this.context.settings.current.enabled) await this.worker.pause(true);
    void this.worker.run().catch((error: unknown) => this.reportError('bullmq worker', error));
  }

  /**
   * Running attempts plus as many waiting for a lane, the lanes' shared waiting room of `global`
   * (see {@link WebhookLanes}: the largest room that still leaves a fetch for every free running
   * slot) — when a lane can be full before the process is: with `perWebhook` at or above `global` one webhook may take
   * every slot on any engine, a waiting room shelters nothing, and jobs that wait in it only
   * lengthen BullMQ's active list (each completion's LREM scans it) and hold locks another
   * process could use. Then the Worker runs `global`, as a plain BullMQ worker would.
   */
  private workerConcurrency(): number {
    const { global, perWebhook } = this.context.settings.current.concurrency;
    return perWebhook >= global ? global : 2 * global;
  }

  wake(): void {
    const worker = this.worker;
    if (!worker || this.stopping) return;
    // Settings may have changed: BullMQ reads its concurrency on every fetch (a raise wakes it).
    worker.setConcurrency(this.workerConcurrency());
    // A lowered global must shrink the waiting room, a raised limit start waiting jobs.
    this.lanes.reconcile();
    const enabled = this.context.settings.current.enabled;
    if (!enabled && !worker.isPaused()) void worker.pause(true).catch((error: unknown) => this.reportError('pausing the worker', error));
    else if (enabled && worker.isPaused()) void worker.resume();
  }

  /**
   * Stops fetching, waits up to `timeoutMs` for running attempts, then aborts them: each aborted
   * or waiting job goes back to the wait list (`moveToWait`) at once, so another process takes
   * it without waiting for a lock to expire.
   */
  stop(timeoutMs: number): Promise<void> {
    this.stopped ??= this.stopWorker(timeoutMs);
    return this.stopped;
  }

  private async stopWorker(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    this.stopping = true;
    this.leaving.abort();
    this.redis.stopReporting();
    const worker = this.worker;
    if (!worker) return;
    const closed = worker.close();
    // A blocking connection that is reconnecting holds only the next fetch; left alone, the
    // Worker's graceful QUIT would wait behind it for as long as Redis is away.
    this.redis.cutUnconnected();
    if (!(await finishedWithin(closed, timeoutMs))) {
      this.abort.abort(new Error('the app is stopping (stopTimeout reached)'));
      // The jobs are told to stop; what still holds the close is Redis not answering (a
      // connection lost since): cut the connections rather than wait for it.
      if (!(await finishedWithin(closed, CUT_AFTER_MS))) this.redis.disconnect();
    }
    await closed;
    // BullMQ is done with every job once the Worker closed, but core may still be finishing a
    // settlement (a dead letter's webhook read again from the store, the request dropped from Redis
    // if it was deleted): resolved before it, stop() let it run on after the app had stopped — its
    // `deadLettered` event went to listeners removed by then, its drop to closed connections. Such
    // a settlement never rejects; one whose store does not answer holds the stop no longer than
    // what is left of stopTimeout (at least CUT_AFTER_MS), as a running attempt does: its dead
    // letter stays written in Redis either way.
    if (this.settling.size > 0) await finishedWithin(Promise.all(this.settling), Math.max(CUT_AFTER_MS, deadline - performance.now()));
  }

  get active(): number {
    return this.inProcess;
  }

  onSettled(listener: SettledListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async get(id: string): Promise<WebhookRequest | undefined> {
    return this.redis.run(`reading request ${id}`, () => this.read(id));
  }

  private async read(id: string): Promise<WebhookRequest | undefined> {
    const keys = this.queue.keys;
    const jobKey = `${keys['']}${id}`;
    const found = await this.redis.producer.hookworkGetRequest(jobKey, `${jobKey}:lock`, keys.failed!, keys.completed!, keys.delayed!, keys.active!, id);
    if (!found) return undefined;
    const [hash, state, score, lockToken, lockTtl] = found;
    return requestOfHash(id, hash, state, score, lockToken, lockTtl, Date.now());
  }

  async counts(query: QueueCountsQuery = {}): Promise<QueueCounts> {
    return this.redis.run('counting requests', async () => {
      const keys = this.queue.keys;
      if (query.webhookKey !== undefined) {
        const [pending, inFlight, dead] = await this.redis.producer.hookworkWebhookCounts(keys.wait!, keys.paused!, keys.prioritized!, keys.delayed!, keys.active!, keys.failed!, keys['']!, query.webhookKey);
        return { pending, inFlight, dead };
      }
      const counts = await this.queue.getJobCounts('wait', 'prioritized', 'delayed', 'active', 'failed');
      return {
        pending: (counts.wait ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0),
        inFlight: counts.active ?? 0,
        dead: counts.failed ?? 0,
      };
    });
  }

  /** Pages by (finishedOn, id): a position's tie is the dead letter's id, as the failed set orders one score's members. */
  readonly pagesDeadByPosition = true;

  async listDead(query: DeadLetterListQuery = {}): Promise<PositionedPage<WebhookRequest>> {
    return this.redis.run('listing dead letters', async () => {
      const limit = query.limit ?? 100;
      // One past the page says whether more follow.
      const { total, ids, scores } = await this.deadIds(query.webhookKey, { since: query.deadSince, until: query.deadUntil }, query.offset ?? 0, limit + 1, query.afterPosition);
      const more = ids.length > limit;
      if (more) ids.length = limit;
      const items = await Promise.all(ids.map((id) => this.read(id)));
      const page = { items: items.filter((r): r is WebhookRequest => r?.state === 'dead'), total };
      // The place of the last listed by the script, read or not (one redelivered since is still a place in the walk).
      return more && ids.length > 0 ? { ...page, nextPosition: { at: Number(scores[ids.length - 1]), tie: ids[ids.length - 1]! } } : page;
    });
  }

  private async deadIds(webhookKey: string | undefined, { since, until }: { since?: Date | undefined; until?: Date | undefined }, offset: number, limit: number, after?: ListPosition): Promise<{ total: number; ids: string[]; scores: string[] }> {
    const keys = this.queue.keys;
    const [total, ...pairs] = await this.redis.producer.hookworkDeadIds(keys.failed!, keys['']!, webhookKey ?? '', since ? String(since.getTime()) : '-inf', offset, limit, after ? String(after.at) : '', after?.tie ?? '', until ? String(until.getTime()) : '');
    const ids: string[] = [];
    const scores: string[] = [];
    for (let i = 0; i < pairs.length; i += 2) {
      ids.push(pairs[i]!);
      scores.push(pairs[i + 1]!);
    }
    return { total, ids, scores };
  }

  async redeliver(selector: RedeliverSelector, _now: Date): Promise<string[]> {
    return this.redis.run('redelivering dead letters', async () => {
      const candidates = selector.ids ? [...new Set(selector.ids)] : (await this.deadIds(selector.webhookKey, { since: selector.deadSince, until: selector.deadUntil }, 0, -1)).ids;
      const ofWebhooks = selector.webhookKeys && new Set(selector.webhookKeys);
      const redelivered: string[] = [];
      for (let i = 0; i < candidates.length; i += 100) {
        const chunk = candidates.slice(i, i + 100);
        await Promise.all(
          chunk.map(async (id) => {
            // Read first: an id naming one of BullMQ's own keys (`wait`, `<id>:lock`) is no request,
            // where getJob() would fail reading a list or a string as a job hash.
            const request = await this.read(id);
            if (request?.state !== 'dead' || (ofWebhooks && !ofWebhooks.has(request.webhookKey))) return;
            const job = await this.queue.getJob(id);
            if (!job || !(await job.isFailed())) return;
            // Back to wait, due now, attempts reset (BullMQ's retry of a failed job).
            if (await this.retryDead(job)) redelivered.push(id);
          }),
        );
      }
      // In the order they were asked for (or dead, newest first).
      return candidates.filter((id) => redelivered.includes(id));
    });
  }

  /**
   * Moves a failed job back to wait; false when another redelivery (a second operator's, a second
   * tab's) or the retention cleanup took it between the read and the move. BullMQ refuses the move
   * then ("not in the failed state", "missing key"), which is no failure of Redis: the other
   * redelivery counts it, as the SQL stores' single UPDATE counts it once.
   */
  private async retryDead(job: Job<RequestJobData>): Promise<boolean> {
    try {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return true;
    } catch (error) {
      if ((await this.read(job.id!))?.state !== 'dead') return false;
      throw error;
    }
  }

  /**
   * Promotes the webhook's delayed jobs due later than now (deferred by a receiver's Retry-After
   * pause, retries on their backoff, jobs bounced off a full lane) to wait, due now; returns how
   * many. BullMQ keeps no index of a webhook's jobs: this reads the whole delayed set in one
   * script (O(n) in Redis, about 1 µs a job), then promotes each of the webhook's (`Job.promote()`),
   * fine for a URL change, not for a hot path. A job that left the delayed set meanwhile (taken,
   * deleted) is skipped.
   */
  async bringForward(webhookKey: string): Promise<number> {
    return this.redis.run(`bringing forward the requests of webhook ${webhookKey}`, async () => {
      const keys = this.queue.keys;
      const above = `(${Date.now() * 0x1000 + 0xfff}`;
      const ids = await this.redis.producer.hookworkDelayedIds(keys.delayed!, keys['']!, webhookKey, above);
      let promoted = 0;
      for (let i = 0; i < ids.length; i += 100) {
        await Promise.all(
          ids.slice(i, i + 100).map(async (id) => {
            const job = await this.queue.getJob(id);
            if (!job) return;
            try {
              await job.promote();
              promoted++;
            } catch (error) {
              // BullMQ refuses a job no longer delayed ("is not in the delayed state"): no failure.
              if (await job.isDelayed()) throw error;
            }
          }),
        );
      }
      return promoted;
    });
  }

  /**
   * Removes up to `limit` pending and dead jobs of `webhookKey` created at or before
   * `publishedUpTo` (a deleted webhook's), oldest first, and returns their requests as they were.
   * Scripts read the waiting, delayed and dead jobs {@link KEYS_SLICE} ids per call (about 2 ms of
   * Redis each), so Redis is never held for the whole queue, which a deletion, and each keyed
   * creation, reads once per call; BullMQ's own removeJob deletes each job chosen (leaving a keyed
   * one's deduplication key to its window), and refuses a job a worker took meanwhile (locked):
   * that one is left to delivery, which drops it.
   *
   * A job moving between states during the read (a delayed one coming due, a dead letter
   * redelivered), or whose state loses jobs ahead of it meanwhile, may be read twice (it counts
   * once) or missed. One missed is never sent to a webhook created again under the key: delivery
   * drops a request published before its webhook (predatesWebhook) or of a webhook gone, and one
   * dying of an attempt begun before the deletion is dropped then (dropIfDeleted). What is left of
   * a key no webhook has goes at the cleanup round; a dead letter missed under a key created again
   * stays listed there until its retention. Held atomically instead, Redis answered nobody for
   * about 3 µs a job (half a second for 200,000).
   */
  async discard(webhookKey: string, publishedUpTo: Date, limit: number): Promise<WebhookRequest[]> {
    if (limit <= 0) return [];
    return this.redis.run(`removing the queued requests of deleted webhook ${webhookKey}`, async () => {
      const keys = this.queue.keys;
      const ids = await this.oldestQueued(webhookKey, String(publishedUpTo.getTime()), Math.floor(limit));
      const removed: (WebhookRequest | undefined)[] = [];
      for (let i = 0; i < ids.length; i += 100) {
        const chunk = ids.slice(i, i + 100);
        removed.push(
          ...(await Promise.all(
            chunk.map(async (id) => {
              const request = await this.read(id);
              if (!request || request.state === 'inflight') return undefined;
              // A keyed request dropped is remembered for the window from now, as one delivered is
              // (and as the SQL stores' `dropped` log entry remembers it), so a publish made again
              // — its webhook created again under the key — is skipped, not stored and sent to the
              // new webhook: its deduplication key is set again (the one set at the add may have
              // run out, the job kept a day), and the job forgets its deduplication id, since
              // BullMQ's removeJob deletes the key of a job that names one.
              const jobKey = `${keys['']!}${id}`;
              const deid = await this.redis.producer.hget(jobKey, 'deid');
              if (deid) await this.redis.producer.multi().set(`${keys['']!}de:${deid}`, id, 'PX', IDEMPOTENCY_WINDOW_MS).hdel(jobKey, 'deid').exec();
              return (await this.queue.remove(id)) === 1 ? request : undefined;
            }),
          )),
        );
      }
      return removed.filter((request): request is WebhookRequest => request !== undefined);
    });
  }

  /**
   * The ids of up to `limit` of `webhookKey`'s waiting, delayed and dead jobs created at or before
   * `upTo` (ms), oldest first (by creation, then id), read {@link KEYS_SLICE} ids per script call.
   * Only the `limit` oldest found so far are kept between slices.
   */
  private async oldestQueued(webhookKey: string, upTo: string, limit: number): Promise<string[]> {
    const keys = this.queue.keys;
    let found: { created: number; id: string }[] = [];
    const keep = () => {
      found.sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      // A job read twice (moved between states during the read) is one.
      found = found.filter((job, i) => i === 0 || job.id !== found[i - 1]!.id).slice(0, limit);
    };
    for await (const matches of this.queuedSlices((key, kind, first, last) => this.redis.producer.hookworkDiscardIdsIn(key, keys['']!, kind, first, last, webhookKey, upTo))) {
      for (let i = 0; i < matches.length; i += 2) found.push({ created: Number(matches[i]), id: String(matches[i + 1]) });
      if (found.length > 2 * limit + KEYS_SLICE) keep();
    }
    keep();
    return found.map((job) => job.id);
  }

  /**
   * What `readSlice` answers for each slice of {@link KEYS_SLICE} ids of each state of pending (not
   * in flight) and dead jobs, in turn — one script call each, so Redis is never held for the whole
   * queue. A slice script answers how many ids it read, then what it found; a slice short of
   * KEYS_SLICE ends its state.
   */
  private async *queuedSlices<T>(readSlice: (key: string, kind: 'list' | 'zset', first: number, last: number) => Promise<[number, ...T[]]>): AsyncGenerator<T[]> {
    const keys = this.queue.keys;
    const states: [string, 'list' | 'zset'][] = [
      [keys.wait!, 'list'],
      [keys.paused!, 'list'],
      [keys.prioritized!, 'zset'],
      [keys.delayed!, 'zset'],
      [keys.failed!, 'zset'],
    ];
    for (const [key, kind] of states) {
      for (let first = 0; ; first += KEYS_SLICE) {
        const [read, ...found] = await readSlice(key, kind, first, first + KEYS_SLICE - 1);
        yield found;
        if (read < KEYS_SLICE) break;
      }
    }
  }

  /**
   * The keys of the webhooks with pending or dead jobs, each once, for core's cleanup round, which
   * removes those of webhooks that no longer exist (what a deletion cut short left behind). Reads
   * the name of every waiting, delayed and dead job, {@link KEYS_SLICE} ids per script call (about
   * a millisecond of Redis each), so Redis is never held for the whole queue. A job moving between
   * states meanwhile may be read twice or missed: the next round finds a key missed.
   */
  async queuedWebhookKeys(): Promise<string[]> {
    return this.redis.run('listing the webhooks with queued requests', async () => {
      const keys = this.queue.keys;
      const found = new Set<string>();
      for await (const names of this.queuedSlices((key, kind, first, last) => this.redis.producer.hookworkWebhookKeysIn(key, keys['']!, kind, first, last))) {
        for (const name of names) found.add(name);
      }
      return [...found];
    });
  }

  async deleteDeadOlderThan(before: Date, limit: number): Promise<number> {
    if (limit <= 0) return 0;
    const keys = this.queue.keys;
    // One script: a dead letter redelivered while the cleanup runs is either deleted before it
    // was put back (and the redelivery finds nothing) or put back and kept, never deleted pending.
    return this.redis.run('deleting old dead letters', () => this.redis.producer.hookworkDeleteDeadBefore(keys.failed!, keys['']!, String(before.getTime()), Math.floor(limit), IDEMPOTENCY_WINDOW_MS));
  }

  async close(): Promise<void> {
    // Each part is closed whatever the one before it did: a stop that rejected (BullMQ's
    // worker.close()) must not leave the queue's claim renewed, and its connections open, for as
    // long as the process lives. The first failure is the one close() rejects with.
    let failure: { error: unknown } | undefined;
    for (const part of [() => this.stop(0), () => this.claim.release(), () => this.flows.close(), () => this.queue.close(), () => this.redis.close()]) {
      try {
        await part();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }

  /**
   * One job: wait for a lane, let core decide, hand the verdict to BullMQ. A job given back by
   * BullMQ after its lease lapsed, whose request an attempt of this process delivered (still running
   * when the job was taken again, or ended with a completion BullMQ refused), is completed without
   * being sent again: at-least-once stays, but one process does not send a request it delivered.
   * One async function, not a tracking one awaiting another: a promise and a suspended frame less
   * per job. The run is over (its `finally`) only once BullMQ's move of a job given back is done.
   */
  private async process(job: Job<RequestJobData>, token: string | undefined): Promise<void> {
    this.inProcess++;
    const id = job.id!;
    const earlier = this.runs.get(id);
    const run: Run = { token, sent: false, over: false };
    this.runs.set(id, run);
    try {
      if (earlier && !earlier.over) await (earlier.ended ??= new Promise<void>((resolve) => (earlier.end = resolve)));
      if (earlier?.sent || this.sentUnapplied.delete(id)) {
        run.sent = true;
        return;
      }
      const request = requestOfJob(job, token);
      if (this.stopping) return await this.giveBack(job, token);
      if (!this.context.settings.current.enabled) return await this.holdWhileDisabled(job, token);
      const entered = this.lanes.enter(request.webhookKey, this.leaving.signal);
      // The waiting room did not take the job, or a job of a webhook with fewer waiting took its place.
      if (entered === undefined) return await this.sendBack(job, token, request.webhookKey);
      const release = typeof entered === 'function' ? entered : await entered;
      if (release === 'aborted') return await this.giveBack(job, token);
      if (release === 'evicted') return await this.sendBack(job, token, request.webhookKey);
      let settlement: Settlement;
      try {
        settlement = await this.handler!.handle(request, this.abort.signal);
      } catch (error) {
        // Core could not decide (its store failed): try again later; it is not an attempt.
        release();
        this.context.onError('delivering a request', error);
        await this.tryMove(() => job.moveToDelayed(Date.now() + this.context.settings.current.period, token));
        throw new DelayedError();
      }
      release();
      const { verdict } = settlement;
      const pending: Pending = { request, settlement, done: false };
      switch (verdict.kind) {
        case 'delivered':
        case 'drop':
          run.sent = true;
          // Before BullMQ removes the job: the key is there throughout.
          if (job.deduplicationId !== undefined && Date.now() - request.createdAt.getTime() > IDEMPOTENCY_RENEWED_AFTER_MS) await this.rememberKeyed(id);
          this.pending.set(job, pending);
          return;
        case 'retry':
          if (verdict.attempts <= request.attempts) {
            // An attempt core does not count (it went to a URL the webhook no longer has): BullMQ's
            // retry would count it (attemptsMade), and the retry count the receiver sees with it.
            this.settle(pending, await this.tryMove(() => job.moveToDelayed(verdict.dueAt.getTime(), token)));
            throw new DelayedError();
          }
          this.pending.set(job, pending);
          throw new RetryAt(verdict.dueAt.getTime(), verdict.lastError);
        case 'dead':
          this.pending.set(job, pending);
          throw new UnrecoverableError(verdict.lastError);
        case 'defer':
          this.settle(pending, await this.tryMove(() => job.moveToDelayed(verdict.dueAt.getTime(), token)));
          throw new DelayedError();
        case 'release':
          this.settle(pending, await this.tryMove(() => job.moveToWait(token)));
          throw new DelayedError();
      }
    } finally {
      run.over = true;
      run.end?.();
      this.inProcess--;
    }
  }

  /**
   * Sets a keyed request's deduplication key for a whole {@link IDEMPOTENCY_WINDOW_MS} from now,
   * its job about to be removed (see {@link IDEMPOTENCY_RENEWED_AFTER_MS}). A failure is told and
   * the job finished all the same: remembering it never keeps a delivered request queued.
   */
  private async rememberKeyed(id: string): Promise<void> {
    try {
      await this.redis.producer.set(`${this.queue.keys['']!}de:${id}`, id, 'PX', IDEMPOTENCY_WINDOW_MS);
    } catch (error) {
      this.reportError('remembering a delivered keyed request for the idempotency window', error);
    }
  }

  /**
   * `enabled: false` sends nothing, and pausing the Worker does not stop a job it is already
   * fetching (a retry fell due while it paused, and went out). Such a job goes back untouched, no
   * attempt used: to the wait list once the Worker is paused (it is taken at once when delivery
   * is enabled again, here or by another process), else one `period` later, so a Worker whose
   * pause failed does not fetch and return it in a loop.
   */
  private async holdWhileDisabled(job: Job<RequestJobData>, token: string | undefined): Promise<never> {
    if (this.worker?.isPaused()) return this.giveBack(job, token);
    await this.tryMove(() => job.moveToDelayed(Date.now() + this.context.settings.current.period, token));
    throw new DelayedError();
  }

  /**
   * Sends a job the lanes' waiting room turned away (or evicted) back to Redis for a while, at its
   * webhook's pace ({@link WebhookLanes.bounceDelay}); no attempt is used.
   */
  private async sendBack(job: Job<RequestJobData>, token: string | undefined, webhookKey: string): Promise<never> {
    const delay = this.lanes.bounceDelay(webhookKey, MIN_BOUNCE_MS, this.context.settings.current.period);
    await this.tryMove(() => job.moveToDelayed(Date.now() + delay, token));
    throw new DelayedError();
  }

  /** Gives a job this process will not attempt back to the wait list, as it was. */
  private async giveBack(job: Job<RequestJobData>, token: string | undefined): Promise<never> {
    await this.tryMove(() => job.moveToWait(token));
    throw new DelayedError();
  }

  private async tryMove(move: () => Promise<unknown>): Promise<boolean> {
    try {
      await move();
      return true;
    } catch (error) {
      // The lock was lost (another process took the job) or Redis failed; the job's lock expires either way.
      this.reportError('moving a job', error);
      return false;
    }
  }

  /** BullMQ applied the verdict of `job` (it emitted completed or failed). */
  private applied(job: Job): void {
    const pending = this.pending.get(job);
    if (!pending) return;
    this.pending.delete(job);
    this.settle(pending, true);
  }

  /**
   * BullMQ is done with `job`. A verdict it did not confirm is looked up: it may have been
   * applied before the reply was lost with the connection; otherwise it was not (the lock was
   * lost to another process, which settles the request itself).
   */
  private finished(job: Job, token: string): Promise<void> | undefined {
    const pending = this.pending.get(job);
    if (!pending) {
      this.forgetRun(job.id!, token);
      return undefined;
    }
    this.pending.delete(job);
    // The run is kept until the check has remembered what it sent: a job given back and taken
    // again meanwhile finds this run (sent) rather than nothing, and does not send again.
    return this.checkApplied(job, pending).finally(() => this.forgetRun(job.id!, token));
  }

  private forgetRun(id: string, token: string): void {
    if (this.runs.get(id)?.token === token) this.runs.delete(id);
  }

  private async checkApplied(job: Job, pending: Pending): Promise<void> {
    let applied = false;
    let known = false;
    const verdict = pending.settlement.verdict;
    try {
      const now = await this.read(job.id!);
      known = true;
      if (verdict.kind === 'delivered' || verdict.kind === 'drop') applied = now === undefined;
      else if (verdict.kind === 'retry') applied = now?.state === 'pending' && now.attempts === verdict.attempts;
      else if (verdict.kind === 'dead') applied = now?.state === 'dead' && now.attempts === verdict.attempts;
    } catch (error) {
      this.reportError('checking a settled request', error);
    }
    // Still in Redis, or not known (the read failed): its lease lapsed before the completion, and
    // BullMQ gives the job back; remembering one that was completed after all costs an entry.
    if (!applied && (verdict.kind === 'delivered' || verdict.kind === 'drop')) this.rememberSent(job.id!);
    // Core announces a retry or dead letter only when applied: one not known to have failed is
    // announced as before (a dead letter's alert is not lost to a failed read).
    this.settle(pending, applied || !known);
  }

  /** Remembers a request delivered here whose job BullMQ did not complete (see {@link process}). */
  private rememberSent(id: string): void {
    const now = Date.now();
    for (const [old, at] of this.sentUnapplied) {
      if (at > now - SENT_MEMORY_MS && this.sentUnapplied.size < SENT_MEMORY_MAX) break;
      this.sentUnapplied.delete(old);
    }
    this.sentUnapplied.set(id, now);
  }

  private settle(pending: Pending, applied: boolean): void {
    if (pending.done) return;
    pending.done = true;
    // A dead letter's settlement reads its webhook again (and may drop it) before it counts as settled.
    const after = pending.settlement.settled(applied);
    if (!after) {
      this.tell(pending);
      return;
    }
    // Kept until done, so stop() waits for it (see stopWorker).
    const told = after.then(() => this.tell(pending)).catch((error: unknown) => this.reportError('telling a settled request', error));
    this.settling.add(told);
    void told.then(() => this.settling.delete(told));
  }

  /** Tells onSettled's listeners of a request whose settlement is done. */
  private tell(pending: Pending): void {
    for (const listener of this.listeners) listener(pending.request, pending.settlement.verdict);
  }

  /**
   * BullMQ could not renew the locks of `ids`, attempts running here. Its lock manager tries again
   * at every renewal tick (each quarter of leaseDuration) for as long as each attempt runs, and
   * each time emits this and an `error` per job ("could not renew lock for job …"): a Redis that
   * lost its data logged the same warning over and over, for every job that was running, blaming
   * a paused process. Said here once per processing of a job, with why, read from Redis: the job
   * gone (the data lost: one line for all the jobs the loss took) or still there (the lease
   * lapsed: another process may send it again).
   *
   * A report can be stale: BullMQ reads a job's token when it sends the renewal, and a job given
   * back may be taken again here while that renewal is on its way. A report for a job with no
   * attempt running here, or whose lock Redis shows held by the attempt running now, says
   * nothing (it had named the earlier processing twice, once as lost and once more as lost).
   */
  private locksLost(ids: readonly string[]): void {
    const fresh = ids.filter((id) => {
      const run = this.runs.get(id);
      if (!run || run.lockLost) return false;
      run.lockLost = 'checking';
      return true;
    });
    if (fresh.length > 0) void this.explainLostLocks(fresh, false);
  }

  /**
   * Says why the locks of `ids` were lost (`knownGone`: their jobs are known to be gone from
   * Redis, a move of one found no key). A loss takes every job of the queue, and BullMQ renews each
   * job's lock at its own time: the other attempts running here are looked up at once, so that one
   * line names all the jobs a loss took.
   */
  private async explainLostLocks(ids: string[], knownGone: boolean): Promise<void> {
    // The producer fails fast: a Redis that cannot answer leaves the cause unknown, not the line unsaid.
    const found = knownGone ? ids.map(() => undefined) : await Promise.all(ids.map((id) => this.read(id))).catch(() => undefined);
    const gone = found ? ids.filter((_, i) => found[i] === undefined) : [];
    const lapsed = found ? ids.filter((id, i) => found[i] !== undefined && !this.holdsLock(id, found[i]!)) : ids;
    if (gone.length > 0) {
      // Only attempts still running: a job whose processor returned may be completed, and so gone rightly.
      const others = [...this.runs].filter(([, run]) => run.lockLost === undefined && !run.over).map(([id, run]) => ((run.lockLost = 'checking'), id));
      const seen = await Promise.all(others.map((id) => this.read(id))).catch(() => undefined);
      others.forEach((id, i) => {
        if (seen && seen[i] === undefined) gone.push(id);
        else this.markLockLost(id, undefined);
      });
    }
    for (const id of gone) this.markLockLost(id, 'gone');
    for (const id of lapsed) this.markLockLost(id, 'lapsed');
    const named = (list: string[]) => `${list.slice(0, 5).join(', ')}${list.length > 5 ? ` and ${list.length - 5} more` : ''}`;
    if (gone.length > 0) {
      const error = BULLMQ_ERRORS.create(
        'HOOKWORK_ERR_REDIS_UNAVAILABLE',
        `Redis at ${this.redis.where} has lost its data: the job${gone.length === 1 ? '' : 's'} of ${gone.length} attempt(s) running here ${gone.length === 1 ? 'is' : 'are'} gone from it (${named(gone)}) — it restarted without persistence, or the queue's keys were flushed (FLUSHDB, FLUSHALL), evicted or deleted. The attempts finish and are in the delivery log; nothing more is sent for them. Requests that were pending or dead in Redis are gone too: publish again what must still be sent (an idempotencyKey no longer holds a repeat back), and give Redis persistence and maxmemory-policy noeviction (docs/bullmq.md, "When Redis has lost its data anyway")`,
      );
      this.context.logger.error(error.message, { error });
    }
    if (lapsed.length > 0) {
      // Counted as the polling engine counts a lease another process took under a running
      // attempt: this attempt's verdict is not applied, and another processing may send it again.
      this.context.leaseLapsed?.('lost', lapsed.length);
      this.context.logger.warn(
        `the locks of ${lapsed.length} running attempt(s) were lost before they finished (${named(lapsed)}); another process may send them again — was this process paused (a blocked event loop, a starved CPU) for longer than leaseDuration (${this.context.settings.current.leaseDuration} ms)?`,
      );
    }
  }

  /** The attempt running here holds `request`'s lock after all (a stale report): it is not marked lost, and may be reported later. */
  private holdsLock(id: string, request: WebhookRequest): boolean {
    const run = this.runs.get(id);
    if (run === undefined || run.token === undefined || request.leaseOwner !== run.token) return false;
    if (run.lockLost === 'checking') run.lockLost = undefined;
    return true;
  }

  private markLockLost(id: string, why: 'gone' | 'lapsed' | undefined): void {
    const run = this.runs.get(id);
    if (run) run.lockLost = why;
  }

  /** Reports background failures, the same message at most once every 5 s (a Redis outage repeats them). */
  private reportError(task: string, error: unknown): void {
    if (!this.isReady) return;
    // BullMQ's connections fail with ours: one report per outage (see RedisClients).
    if (this.redis.connectionError(error)) return;
    const message = (error as Error)?.message ?? String(error);
    // Emitted by BullMQ's lock manager with each lockRenewalFailed, which locksLost() explains.
    if (message.startsWith('could not renew lock for job ')) return;
    // A job gone from Redis fails each of BullMQ's moves of it in turn (its completion, then the
    // retry BullMQ makes of that failure, or a move of ours): said once per job, with the others
    // the loss took (explainLostLocks), or not at all when its lost lock said so already.
    const gone = /^Missing key for job (\S+?)\./.exec(message);
    const run = gone ? this.runs.get(gone[1]!) : undefined;
    if (run) {
      if (run.lockLost === 'gone' || run.lockLost === 'checking') return;
      run.lockLost = 'checking';
      void this.explainLostLocks([gone![1]!], true);
      return;
    }
    const key = gone ? `gone:${gone[1]}` : `${task}:${message}`;
    const now = Date.now();
    if ((this.lastErrors.get(key) ?? 0) > now - 5000) return;
    if (this.lastErrors.size > 100) this.lastErrors.clear();
    this.lastErrors.set(key, now);
    this.context.onError(task, this.explained(error));
  }

  /**
   * What BullMQ's background errors mean, coded, for the two an operator cannot read as given: a
   * refused command (NOPERM: an ACL that does not cover the queue's keys — it never heals by
   * itself, whatever "tried again" says) and a job gone from Redis (a restart without persistence,
   * an eviction). BullMQ's error carries the whole Lua script it ran (about 10 KB a line in the
   * log): only the first line of its message is kept.
   */
  private explained(error: unknown): unknown {
    const message = String((error as Error)?.message ?? error);
    const first = message.split('\n')[0]!.slice(0, 300);
    if (/NOPERM/.test(message)) {
      return BULLMQ_ERRORS.create(
        'HOOKWORK_ERR_REDIS_UNAVAILABLE',
        `Redis at ${this.redis.where} refused a command of the BullMQ queue (${first}): the user's ACL must allow BullMQ's commands and scripts on the queue's keys (ACL SETUSER <user> ~${this.options.prefix}:* +@all, or the commands BullMQ runs); nothing is fetched or settled until it does`,
      );
    }
    if (isOutOfMemory(error)) {
      return BULLMQ_ERRORS.create('HOOKWORK_ERR_REDIS_UNAVAILABLE', `Redis at ${this.redis.where} refused a move of the BullMQ queue (${first}): ${OUT_OF_MEMORY}; attempts made meanwhile are in the delivery log, and their jobs are settled or sent again once Redis has room`);
    }
    if (/Missing key for job/.test(message)) {
      return BULLMQ_ERRORS.create(
        'HOOKWORK_ERR_REDIS_UNAVAILABLE',
        `a job was gone from Redis at ${this.redis.where} when it was to be settled or sent back (${first}): Redis restarted without persistence, or evicted or deleted the queue's keys; an attempt made of it is in the delivery log, and nothing more is sent for it (docs/bullmq.md, durability)`,
      );
    }
    return error;
  }
}
