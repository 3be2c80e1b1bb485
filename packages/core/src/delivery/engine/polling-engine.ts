import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { PositionedPage } from '../../model/page';
import type { NewWebhookRequest, WebhookRequest } from '../../model/webhook-request';
import type { DeliveryLogEntry } from '../../model/delivery-log-entry';
import type {
  DeadLetterListQuery,
  DeliveryHandler,
  DeliveryVerdict,
  EngineEnqueueOptions,
  LeaseLapse,
  QueueCountsQuery,
  QueueEngine,
  QueueEngineCapabilities,
  QueueEngineContext,
  QueueEngineProvider,
} from '../../ports/queue-engine';
import type { EnqueueClaim, EnqueueClaimedResult, EnqueueResult, QueueCounts, RedeliverSelector, RequestQueue } from '../../ports/request-queue';
import { isHookworkError } from '../../errors/hookwork-error';
import { CompletionBatcher } from './completion-batcher';
import { Dispatcher } from './dispatcher';
import { LapsedLeaseLog, type LapsedLease } from './lapsed-lease-log';

/**
 * On a store shared by processes, the longest this engine stops taking a held webhook's requests
 * before it looks again, ms. What ended the hold may have happened in another process (an
 * operator moved the webhook to another URL, or enabled it again, from a back-office instance):
 * that process forgets the shared health and ends its own hold, and this one learns of it only by
 * trying one request of the webhook (the dispatcher starts one, not one per slot), which is held
 * again while the health still says so.
 */
export const SHARED_HOLD_RECHECK_MS = 5_000;

type SettledListener = (request: WebhookRequest, verdict: DeliveryVerdict) => void;

/**
 * The built-in queue engine: a {@link Dispatcher} polling a storage backend's
 * {@link RequestQueue} (memory, SQLite, PostgreSQL). It claims due requests under a lease,
 * runs core's handler within the concurrency limits, applies each verdict to the queue
 * (completions of one event-loop turn in one write), renews the leases of running attempts
 * when the queue can, and wakes when another process sharing the store enqueues (`watch`).
 */
export class PollingQueueEngine<TTransaction = never> implements QueueEngine<TTransaction> {
  readonly name: string;
  readonly capabilities: QueueEngineCapabilities;
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly completions: CompletionBatcher;
  private readonly listeners = new Set<SettledListener>();
  private dispatcher: Dispatcher | undefined;
  private unwatch: (() => void) | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private readonly lapses: LapsedLeaseLog;
  /**
   * The requests of the attempts running now, by id, as they were claimed (their `leaseExpiresAt`:
   * the lease's first end): what `active` counts and the renewals renew.
   */
  private readonly running = new Map<string, WebhookRequest>();
  /** Where this engine moved the lease of a running attempt since its claim (renewed, claimed again), clock ms. */
  private readonly leaseEnds = new Map<string, number>();
  /** Running attempts whose lease another process took (told once): not renewed again. */
  private readonly lost = new Set<string>();
  /** Running attempts whose lapsed lease was told: a claim racing the renewal that told it does not tell it again. */
  private readonly told = new Set<string>();
  /** Wakes to skip: enqueues since the last turn whose requests were all handed to the dispatcher. */
  private coveredWakes = 0;
  private coveredReset: NodeJS.Immediate | undefined;

  constructor(
    private readonly queue: RequestQueue<TTransaction>,
    private readonly context: Omit<QueueEngineContext, 'storage' | 'storageBackend'>,
    options: { name: string; transactionalEnqueue: boolean; shared: boolean; fifo: boolean },
  ) {
    this.name = `polling(${options.name})`;
    this.capabilities = Object.freeze({ transactionalEnqueue: options.transactionalEnqueue, leaseRenewal: typeof queue.renew === 'function', shared: options.shared, fifo: options.fifo });
    this.pagesDeadByPosition = queue.pagesDeadByPosition === true;
    if (queue.oldestPendingCreatedAt) this.oldestPendingCreatedAt = () => queue.oldestPendingCreatedAt!();
    if (queue.bringForward) this.bringForward = (webhookKey) => this.broughtForward(webhookKey);
    if (queue.discard) this.discard = (webhookKey, publishedUpTo, limit) => queue.discard!(webhookKey, publishedUpTo, limit);
    if (queue.discardAndLog) this.discardAndLog = (webhookKey, publishedUpTo, limit, entryOf) => queue.discardAndLog!(webhookKey, publishedUpTo, limit, entryOf);
    if (queue.queuedWebhookKeys) this.queuedWebhookKeys = () => queue.queuedWebhookKeys!();
    this.lapses = new LapsedLeaseLog(context.logger, () => context.settings.current.leaseDuration);
    this.completions = new CompletionBatcher(queue, this.owner, (error) =>
      context.onError(
        'completing delivered requests with their log entries in one write',
        error,
        'written apart instead: a keyed request’s entry before its removal, the others’ after',
      ),
    );
  }

  async enqueue(requests: readonly NewWebhookRequest[], options?: EngineEnqueueOptions<TTransaction>): Promise<EnqueueResult | void> {
    const dispatcher = this.dispatcher;
    // Other publishes under way will enqueue in a moment: the store may share one commit with them.
    const shareCommit = (this.context.publishesInFlight?.() ?? 1) > 1;
    const reserved = dispatcher && this.queue.enqueueClaimed && options?.transaction === undefined ? dispatcher.reserveHandoff(requests) : [];
    if (reserved.length === 0) {
      try {
        return await this.queue.enqueue(requests, shareCommit ? { ...options, shareCommit } : options);
      } catch (error) {
        // Stored perhaps, and no wake-up sent for it (the caller wakes after success): look now.
        if (isHookworkError(error, 'HOOKWORK_ERR_ENQUEUE_UNCERTAIN')) dispatcher?.wake();
        throw error;
      }
    }
    // Requests this process can start at once are stored leased to it and handed to the
    // dispatcher: no claim round (a write transaction, a turn of the event loop) per publish.
    const now = this.context.clock.now();
    let leased: WebhookRequest[] = [];
    let result: EnqueueClaimedResult | WebhookRequest[] | undefined;
    let handedOff = false;
    // Once, with what the store holds leased to this process: as soon as it is visible (the store
    // may still be making it durable: the attempt need not wait for the disk), else at the end.
    const handOff = (claimed: WebhookRequest[]) => {
      if (handedOff) return;
      handedOff = true;
      dispatcher!.handOff(reserved, claimed, now);
    };
    const claim: EnqueueClaim = { owner: this.owner, leaseMs: this.context.settings.current.leaseDuration, now, ids: reserved.map((r) => r.id), shareCommit, onVisible: handOff };
    if (options?.idempotent) claim.idempotent = true;
    try {
      result = await this.queue.enqueueClaimed!(requests, claim);
      leased = Array.isArray(result) ? result : result.claimed;
    } catch (error) {
      // Stored perhaps, some leased to this process, which never got them: look now for the others,
      // and again once that lease lapses, rather than at the next sweep.
      if (isHookworkError(error, 'HOOKWORK_ERR_ENQUEUE_UNCERTAIN')) {
        dispatcher!.wake();
        dispatcher!.noteDueAt(new Date(now.getTime() + claim.leaseMs));
      }
      throw error;
    } finally {
      handOff(leased);
    }
    // A bare array (a store written before EnqueueClaimedResult) says nothing of what was skipped.
    const stored = Array.isArray(result) ? undefined : result;
    if (leased.length < requests.length) {
      dispatcher!.wake();
      return stored;
    }
    // Nothing was left for a claim to find: the wake() the caller makes next need not claim.
    this.coveredWakes++;
    this.coveredReset ??= setImmediate(() => {
      this.coveredWakes = 0;
      this.coveredReset = undefined;
    });
    return stored;
  }

  start(handler: DeliveryHandler): void {
    if (this.dispatcher) return;
    const { settings, clock, onError } = this.context;
    this.dispatcher = new Dispatcher({
      queue: this.queue as RequestQueue<unknown>,
      settings,
      clock,
      owner: this.owner,
      process: (request, signal) => this.process(handler, request, signal),
      onError,
      onReclaimed: (requests, claimedAt) => this.reclaimed(requests, claimedAt),
      // Other processes may claim from this store: take only what this one can start.
      boundClaims: this.capabilities.shared,
    });
    this.dispatcher.start();
    // Another process sharing the store (a second app on one SQLite file) enqueued: look now.
    this.unwatch = this.queue.watch?.(() => this.wake());
    if (this.queue.renew) this.scheduleRenewal();
  }

  /** Ends the dispatcher's hold of `webhookKey` (see QueueEngine.endHold). */
  endHold(webhookKey: string): void {
    this.dispatcher?.endHold(webhookKey);
  }

  /**
   * Makes the webhook's requests due later due now in the store (see RequestQueue.bringForward),
   * and has the dispatcher look at once: the store's earliest due time it noted may be the
   * deferred requests' old one.
   */
  readonly bringForward?: (webhookKey: string) => Promise<number>;

  /** Removes the pending and dead requests of a deleted webhook (see RequestQueue.discard). */
  readonly discard?: (webhookKey: string, publishedUpTo: Date, limit: number) => Promise<WebhookRequest[]>;

  /** {@link discard} with their `dropped` entries in the same write (see RequestQueue.discardAndLog). */
  readonly discardAndLog?: (webhookKey: string, publishedUpTo: Date, limit: number, entryOf: (request: WebhookRequest) => DeliveryLogEntry) => Promise<WebhookRequest[]>;

  /** The keys of the webhooks with pending or dead requests (see RequestQueue.queuedWebhookKeys). */
  readonly queuedWebhookKeys?: () => Promise<string[]>;

  private async broughtForward(webhookKey: string): Promise<number> {
    const moved = await this.queue.bringForward!(webhookKey, this.context.clock.now());
    if (moved > 0) this.dispatcher?.wake();
    return moved;
  }

  wake(): void {
    // A wake right after an enqueue whose requests were all handed over (publish wakes the engine
    // after every enqueue) would only make the dispatcher claim and find nothing. Counted, and
    // forgotten at the next turn: a wake from elsewhere taken in its place is made good by the
    // publish's own wake that follows.
    if (this.coveredWakes > 0) {
      this.coveredWakes--;
      return;
    }
    this.dispatcher?.wake();
  }

  async stop(timeoutMs: number): Promise<void> {
    this.unwatch?.();
    this.unwatch = undefined;
    if (this.renewTimer) clearTimeout(this.renewTimer);
    this.renewTimer = undefined;
    await this.dispatcher?.stop(timeoutMs);
    this.lapses.flush();
  }

  get active(): number {
    return this.running.size;
  }

  onSettled(listener: SettledListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(id: string): Promise<WebhookRequest | undefined> {
    return this.queue.get(id);
  }

  counts(query?: QueueCountsQuery): Promise<QueueCounts> {
    return this.queue.counts(query);
  }

  /** Offered only when the queue offers it: an engine that has it is trusted to tell "none pending" (undefined). */
  readonly oldestPendingCreatedAt?: () => Promise<Date | undefined>;

  /** The queue's: pages by position when the queue does. */
  readonly pagesDeadByPosition: boolean;

  listDead(query?: DeadLetterListQuery): Promise<PositionedPage<WebhookRequest>> {
    return this.queue.listDead(query);
  }

  async redeliver(selector: RedeliverSelector, now: Date): Promise<string[]> {
    const ids = await this.queue.redeliver(selector, now);
    if (ids.length > 0) this.wake();
    return ids;
  }

  deleteDeadOlderThan(before: Date, limit: number): Promise<number> {
    return this.queue.deleteDeadOlderThan(before, limit);
  }

  /** One claimed request: core decides, the queue is written, core logs. Never throws. */
  private async process(handler: DeliveryHandler, request: WebhookRequest, signal: AbortSignal): Promise<void> {
    const { id } = request;
    this.running.set(id, request);
    try {
      const settlement = await handler.handle(request, signal);
      let applied: boolean;
      if (settlement.verdict.kind === 'delivered' || settlement.verdict.kind === 'drop') {
        // The request's removal and its log entry in one write when the queue can, else the entry first.
        const { completed, logged } = await this.completions.completeLogging(id, settlement.logEntry, settlement.writeLog);
        applied = this.settledInLine(request, completed);
        const after = settlement.settled(applied, logged);
        if (after) await after;
      } else {
        applied = await this.apply(request, settlement.verdict);
        // A dead letter's: core reads its webhook again before the request counts as settled.
        const after = settlement.settled(applied);
        if (after) await after;
      }
      // Not applied: the lease is no longer this process's (another one took it once it ran out).
      // Told here unless a renewal already told it.
      if (!applied && settlement.verdict.kind !== 'release' && !this.lost.has(id)) {
        this.lapsed('lost', [this.lapse(request, this.context.clock.now().getTime())], true);
      }
      for (const listener of this.listeners) listener(request, settlement.verdict);
    } catch (error) {
      // A storage failure: the lease expires and the request is claimed again.
      this.context.onError('delivering a request', error);
    } finally {
      this.running.delete(id);
      if (this.leaseEnds.size > 0) this.leaseEnds.delete(id);
      if (this.lost.size > 0) this.lost.delete(id);
      if (this.told.size > 0) this.told.delete(id);
    }
  }

  /**
   * This process's claim took back requests whose attempts run here (their leases ran out under
   * them): the dispatcher keeps the new lease and starts nothing; the operator is told.
   */
  private reclaimed(requests: readonly WebhookRequest[], claimedAt: number): void {
    const leases: LapsedLease[] = [];
    for (const request of requests) {
      const { id } = request;
      if (!this.running.has(id)) continue;
      const lease = this.lapse(request, claimedAt);
      // Already told by a renewal that ran while this claim did (an asynchronous store), and moved
      // the lease's end past the claim: the same lapse.
      if (lease.lapsedMs !== undefined || !this.told.has(id)) leases.push(lease);
      // The lease is this process's again (also one another process had taken, then given up).
      this.lost.delete(id);
      const end = request.leaseExpiresAt?.getTime();
      if (end !== undefined) this.leaseEnds.set(id, Math.max(end, this.leaseEnds.get(id) ?? end));
    }
    this.lapsed('reclaimed', leases);
  }

  /** A running attempt's request, and how long its lease had run out at `at` (as far as this engine knows where it ended). */
  private lapse(request: WebhookRequest, at: number): LapsedLease {
    const end = this.leaseEnds.get(request.id) ?? this.running.get(request.id)?.leaseExpiresAt?.getTime();
    const lease: LapsedLease = { requestId: request.id, webhookKey: request.webhookKey };
    if (end !== undefined && at > end) lease.lapsedMs = at - end;
    return lease;
  }

  private lapsed(how: LeaseLapse, leases: readonly LapsedLease[], settling = false): void {
    if (leases.length === 0) return;
    for (const lease of leases) this.told.add(lease.requestId);
    this.lapses.lapsed(how, leases, settling);
    this.context.leaseLapsed?.(how, leases.length);
  }

  private async apply(request: WebhookRequest, verdict: DeliveryVerdict): Promise<boolean> {
    const { id } = request;
    switch (verdict.kind) {
      case 'delivered':
      case 'drop':
        // Not reached from process(), which completes these with their entries: kept for a verdict without one.
        return this.settledInLine(request, await this.completions.complete(id));
      case 'retry': {
        const applied = await this.queue.reschedule(id, this.owner, { dueAt: verdict.dueAt, attempts: verdict.attempts, lastError: verdict.lastError });
        this.dispatcher?.noteDueAt(verdict.dueAt);
        return applied;
      }
      case 'defer': {
        const applied = await this.queue.reschedule(id, this.owner, { dueAt: verdict.dueAt, attempts: request.attempts, lastError: verdict.reason });
        if (verdict.holdsWebhook) {
          // Until dueAt, or on a shared store for SHARED_HOLD_RECHECK_MS at most, then look again.
          const lookAt = this.capabilities.shared ? this.context.clock.now().getTime() + SHARED_HOLD_RECHECK_MS : Infinity;
          const lookAgain = verdict.dueAt.getTime() > lookAt;
          this.dispatcher?.hold(request.webhookKey, lookAgain ? new Date(lookAt) : verdict.dueAt, lookAgain);
        }
        this.dispatcher?.noteDueAt(verdict.dueAt);
        return applied;
      }
      case 'dead':
        return this.settledInLine(request, await this.queue.deadLetter(id, this.owner, { attempts: verdict.attempts, lastError: verdict.lastError, now: this.context.clock.now() }));
      case 'release':
        // Stopped mid-attempt: it does not count; stop() gives every claim back anyway.
        return (await this.queue.release(this.owner, [id])) > 0;
    }
  }

  /** A FIFO request left the head of its line: the next one is claimable now, so look at once. */
  private settledInLine(request: WebhookRequest, applied: boolean): boolean {
    if (applied && request.fifo) this.wake();
    return applied;
  }

  /**
   * Renews the leases of running attempts every third of the lease, so an attempt slower than
   * `leaseDuration` is never claimed by another process while it runs.
   */
  private scheduleRenewal(): void {
    const every = Math.max(50, Math.floor(this.context.settings.current.leaseDuration / 3));
    this.renewTimer = setTimeout(() => {
      void this.renew().finally(() => {
        if (this.renewTimer) this.scheduleRenewal();
      });
    }, every);
    this.renewTimer.unref?.();
  }

  /**
   * Renews the leases of the running attempts. A lease renewed after it had run out (the event loop
   * or the store was late past the lease) is told as `renewed_late`; one another process took
   * (the renewal does not find it this process's) as `lost`, once: it is not renewed again, and
   * the attempt's verdict will not be applied.
   */
  private async renew(): Promise<void> {
    const ids = [...this.running.keys()].filter((id) => !this.lost.has(id));
    if (ids.length === 0) return;
    try {
      const leaseMs = this.context.settings.current.leaseDuration;
      const now = this.context.clock.now();
      const at = now.getTime();
      const renewed = await this.queue.renew!(this.owner, ids, leaseMs, now);
      let late: LapsedLease[] | undefined;
      for (const id of renewed) {
        const request = this.running.get(id);
        // Ended while the renewal ran: nothing to note.
        if (!request) continue;
        const lease = this.lapse(request, at);
        if (lease.lapsedMs !== undefined) (late ??= []).push(lease);
        this.leaseEnds.set(id, at + leaseMs);
      }
      if (late) this.lapsed('renewed_late', late);
      if (renewed.length < ids.length) {
        // An attempt that ended while the renewal ran was completed (its row is gone), not lost:
        // with an asynchronous store the two race on every renewal. A turn of the event loop lets
        // the completion's answer, sent before the renewal's, be seen first.
        await new Promise((resolve) => setImmediate(resolve));
        const taken = new Set(renewed);
        const lost: LapsedLease[] = [];
        for (const id of ids) {
          const request = this.running.get(id);
          if (!request || taken.has(id) || this.lost.has(id)) continue;
          this.lost.add(id);
          lost.push(this.lapse(request, at));
        }
        if (lost.length > 0) this.lapsed('lost', lost);
      }
    } catch (error) {
      this.context.onError('renewing leases', error);
    }
  }
}

/**
 * The built-in queue engine over the storage backend's request queue: the default of
 * `createHookwork()`. Pass it explicitly only to make the choice visible.
 */
export function pollingQueue<TTransaction = never>(): QueueEngineProvider<TTransaction> {
  return {
    name: 'polling',
    async open(context) {
      const { storage, storageBackend, ...rest } = context;
      const { transactionalEnqueue, shared, fifo } = storageBackend.capabilities;
      return new PollingQueueEngine(storage.queue as RequestQueue<TTransaction>, rest, { name: storageBackend.name, transactionalEnqueue, shared, fifo: fifo === true });
    },
  };
}
