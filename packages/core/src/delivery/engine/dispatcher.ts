import { setMaxListeners } from 'node:events';
import type { Clock } from '../../runtime/clock';
import type { SettingsAccessor } from '../../settings/settings';
import type { RequestQueue } from '../../ports/request-queue';
import type { WebhookRequest } from '../../model/webhook-request';
import type { Webhook } from '../../model/webhook';

/** A claimed request with its webhook (undefined when the webhook was deleted). */
export interface DispatchItem {
  request: WebhookRequest;
  webhook: Webhook | undefined;
}

/** What the dispatcher needs from the engine. */
export interface DispatcherDeps {
  queue: RequestQueue;
  settings: SettingsAccessor;
  clock: Clock;
  /** The lease owner of this dispatcher. */
  owner: string;
  /** The stored webhooks of these keys (secrets included). */
  loadWebhooks(keys: readonly string[]): Promise<Map<string, Webhook | undefined>>;
  /** Makes one attempt and settles the request in the queue; never throws. */
  process(item: DispatchItem, signal: AbortSignal): Promise<void>;
  /** Background failures (a claim that threw); the work is tried again later. */
  onError(task: string, error: unknown): void;
}

/** The endpoint of a URL for the per-endpoint limit: scheme://host:port. */
export function endpointOf(url: string): string {
  try {
    const u = new URL(url);
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    return `${u.protocol}//${u.hostname.toLowerCase()}:${port}`;
  } catch {
    return url;
  }
}

/** A claimed request waiting in memory for a slot. */
interface ReadyItem extends DispatchItem {
  /** Clock ms after which it is given back rather than started (its lease and webhook snapshot age). */
  heldUntil: number;
}

/** One endpoint's attempts running now and claimed requests waiting for its slots. */
interface EndpointLane {
  running: number;
  ready: ReadyItem[];
}

/** The lane of requests whose webhook was deleted: dropping them sends nothing, so it has no limit. */
const NO_ENDPOINT = '';

/**
 * Takes due requests from the queue and runs them within the concurrency limits.
 *
 * - Woken at once by {@link wake} (enqueue, redeliver); otherwise sleeps until the earliest
 *   due time it knows of, and at most `period` (the safety sweep for other processes' work
 *   and expired leases).
 * - Claims in bounded batches under a lease. Claimed requests of an endpoint at its limit wait
 *   in memory (they are leased to this process) for that endpoint's next free slot, so a busy
 *   endpoint costs one claim per batch, not a claim and a release per delivery. An endpoint
 *   holding at least `perEndpoint` waiting requests is left out of claims (by its webhook keys),
 *   and what waits is bounded: `claimBatchSize + perEndpoint` per endpoint and about two batches
 *   in all (the excess is given back, largest holders first).
 * - Only requests that could start count when deciding to claim more: whenever a global slot is
 *   free, every waiting request belongs to an endpoint at its limit, so the next claim (which
 *   skips those endpoints) can only find work for other endpoints. One slow receiver never stops
 *   the others from being claimed and served.
 * - A waiting request is given back, not started, once it has waited `period` or half the lease:
 *   its lease never runs out while it waits, and a webhook deleted or disabled meanwhile is seen
 *   (the request is claimed again with the webhook read afresh) within one period.
 * - No ordering between requests of one endpoint is promised.
 */
export class Dispatcher {
  private readonly lanes = new Map<string, EndpointLane>();
  /** Requests waiting in all lanes. */
  private readyCount = 0;
  /** The earliest `heldUntil` among waiting requests (a lower bound: Infinity when none wait). */
  private earliestHeldUntil = Infinity;
  private readonly active = new Set<Promise<void>>();
  private readonly endpointOfKey = new Map<string, string>();
  /** Endpoints left out of the last claim: when one of them has room again, claiming may find work. */
  private excludedEndpoints = new Set<string>();
  private running = false;
  private stopped = true;
  private pumpQueued = false;
  private again = false;
  private mayHaveMore = true;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private abort = new AbortController();
  private readonly settleListeners = new Set<() => void>();

  constructor(private readonly deps: DispatcherDeps) {}

  /** Attempts running now. */
  get inFlight(): number {
    return this.active.size;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.abort = new AbortController();
    // Every running attempt listens to this one signal (stop() aborts them all).
    setMaxListeners(0, this.abort.signal);
    this.wake();
  }

  /** There may be due work now (an enqueue, a redelivery, a settings change). */
  wake(): void {
    if (this.stopped) return;
    this.mayHaveMore = true;
    this.schedulePump();
  }

  /** A request became due at `at` (a reschedule): sleep no longer than that. */
  noteDueAt(at: Date): void {
    if (this.stopped) return;
    this.armTimer(at.getTime() - this.deps.clock.now().getTime());
  }

  /** Calls `listener` each time an attempt settles, until the returned function is called. */
  onSettled(listener: () => void): () => void {
    this.settleListeners.add(listener);
    return () => this.settleListeners.delete(listener);
  }

  /**
   * Stops claiming, waits for running attempts up to `timeoutMs` (then aborts them), and gives
   * every claim back to the queue so another process need not wait for the leases.
   */
  async stop(timeoutMs: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimer();
    // The waiting requests' claims go back with the release of everything this owner holds.
    this.takeAllReady();
    if (this.active.size > 0) {
      let timeout: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => (timeout = setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.allSettled([...this.active]), expired]);
      clearTimeout(timeout);
      if (this.active.size > 0) {
        this.abort.abort(new Error('the app is stopping (stopTimeout reached)'));
        await Promise.allSettled([...this.active]);
      }
    }
    while (this.running) await new Promise((resolve) => setImmediate(resolve));
    this.takeAllReady();
    try {
      await this.deps.queue.release(this.deps.owner);
    } catch (error) {
      this.deps.onError('release', error);
    }
  }

  private schedulePump(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      do {
        this.again = false;
        await this.round();
      } while (this.again && !this.stopped);
    } catch (error) {
      this.deps.onError('dispatch', error);
      this.armTimer(this.deps.settings.current.period);
    } finally {
      this.running = false;
    }
  }

  /** Starts what the limits allow, claiming more while there may be more. */
  private async round(): Promise<void> {
    const settings = this.deps.settings.current;
    if (!settings.enabled) {
      // Kept in the queue, untouched: claims go back and nothing is sent until enabled again.
      await this.giveBack(this.takeAllReady());
      this.armTimer(settings.period);
      return;
    }
    const batch = settings.claimBatchSize;
    for (;;) {
      await this.startReady();
      if (this.stopped) return;
      // A free global slot means nothing waiting could start (startReady would have started
      // it): whatever waits belongs to endpoints at their limit, which the claim skips.
      if (settings.concurrency.global - this.active.size <= 0) break;
      const exclude = this.fullEndpoints(settings.concurrency.perEndpoint);
      // An endpoint the last claim skipped has room again: its requests may be claimable now.
      if (!this.mayHaveMore) for (const endpoint of this.excludedEndpoints) if (!exclude.endpoints.has(endpoint)) this.mayHaveMore = true;
      if (!this.mayHaveMore) break;
      const now = this.deps.clock.now();
      const claimed = await this.deps.queue.claim({
        owner: this.deps.owner,
        limit: batch,
        leaseMs: settings.leaseDuration,
        now,
        excludeWebhookKeys: exclude.keys,
      });
      this.excludedEndpoints = exclude.endpoints;
      if (this.stopped) {
        await this.giveBack(claimed.map((request) => ({ request })));
        return;
      }
      if (claimed.length < batch) this.mayHaveMore = false;
      if (claimed.length === 0) break;
      const heldUntil = now.getTime() + Math.min(settings.leaseDuration / 2, settings.period);
      const webhooks = await this.deps.loadWebhooks(distinctKeys(claimed));
      for (const request of claimed) {
        const webhook = webhooks.get(request.webhookKey);
        const endpoint = webhook ? endpointOf(webhook.url) : NO_ENDPOINT;
        if (webhook) this.endpointOfKey.set(webhook.key, endpoint);
        this.lane(endpoint).ready.push({ request, webhook, heldUntil });
      }
      this.readyCount += claimed.length;
      this.earliestHeldUntil = Math.min(this.earliestHeldUntil, heldUntil);
    }
    if (this.readyCount > 0) {
      // Waiting requests go back when they have waited too long, even if nothing settles.
      this.armTimer(this.earliestHeldUntil - this.deps.clock.now().getTime());
    } else if (!this.mayHaveMore && this.timerAt === Infinity) {
      const next = await this.deps.queue.nextDueAt();
      const wait = next ? next.getTime() - this.deps.clock.now().getTime() : Infinity;
      this.armTimer(Math.min(wait, settings.period));
    }
  }

  /**
   * Gives back requests that waited too long and those beyond the bounds on what waits, then
   * starts waiting requests within the limits, one endpoint after another in turn.
   */
  private async startReady(): Promise<void> {
    const settings = this.deps.settings.current;
    const { global, perEndpoint } = settings.concurrency;
    const back: ReadyItem[] = [];
    if (this.readyCount > 0 && this.deps.clock.now().getTime() >= this.earliestHeldUntil) this.takeStale(back);
    for (const [endpoint, lane] of this.lanes) {
      if (this.readyCount === 0 || this.active.size >= global) break;
      if (lane.ready.length === 0 || (endpoint !== NO_ENDPOINT && lane.running >= perEndpoint)) continue;
      const item = lane.ready.shift()!;
      this.readyCount--;
      lane.running++;
      this.run(item, endpoint, lane);
      // To the back of the line (this loop meets it again): endpoints take free slots in turn.
      this.lanes.delete(endpoint);
      this.lanes.set(endpoint, lane);
    }
    if (this.readyCount > 0) this.takeExcess(settings.claimBatchSize, perEndpoint, back);
    if (back.length === 0) return;
    // Back in the queue, so claimable again: renewed if their lanes have room, else left for later.
    this.mayHaveMore = true;
    await this.giveBack(back);
  }

  private run(item: ReadyItem, endpoint: string, lane: EndpointLane): void {
    const attempt = this.deps.process(item, this.abort.signal).finally(() => {
      this.active.delete(attempt);
      lane.running--;
      if (lane.running === 0 && lane.ready.length === 0 && this.lanes.get(endpoint) === lane) this.lanes.delete(endpoint);
      for (const listener of this.settleListeners) listener();
      if (!this.stopped && (this.mayHaveMore || this.readyCount > 0 || this.excludedEndpoints.size > 0)) this.schedulePump();
    });
    this.active.add(attempt);
  }

  /** An endpoint at its limit with a full round of requests waiting: claims skip it. */
  private isFull(lane: EndpointLane, perEndpoint: number): boolean {
    return lane.running >= perEndpoint && lane.ready.length >= perEndpoint;
  }

  private fullEndpoints(perEndpoint: number): { keys: string[]; endpoints: Set<string> } {
    const endpoints = new Set<string>();
    for (const [endpoint, lane] of this.lanes) if (endpoint !== NO_ENDPOINT && this.isFull(lane, perEndpoint)) endpoints.add(endpoint);
    const keys: string[] = [];
    if (endpoints.size > 0) for (const [key, endpoint] of this.endpointOfKey) if (endpoints.has(endpoint)) keys.push(key);
    return { keys, endpoints };
  }

  private lane(endpoint: string): EndpointLane {
    let lane = this.lanes.get(endpoint);
    if (!lane) {
      lane = { running: 0, ready: [] };
      this.lanes.set(endpoint, lane);
    }
    return lane;
  }

  /** Moves requests that waited past their `heldUntil` to `back`. */
  private takeStale(back: ReadyItem[]): void {
    const now = this.deps.clock.now().getTime();
    let earliest = Infinity;
    for (const [endpoint, lane] of this.lanes) {
      if (lane.ready.length === 0) continue;
      const keep: ReadyItem[] = [];
      for (const item of lane.ready) {
        if (item.heldUntil <= now) back.push(item);
        else {
          keep.push(item);
          earliest = Math.min(earliest, item.heldUntil);
        }
      }
      const taken = lane.ready.length - keep.length;
      lane.ready = keep;
      if (taken > 0) this.noteTaken(endpoint, lane, taken);
    }
    this.earliestHeldUntil = earliest;
  }

  /**
   * Moves to `back` what exceeds the bounds on waiting requests: `batch + perEndpoint` per
   * endpoint, and about two batches in all, shared fairly (never below `perEndpoint` each).
   */
  private takeExcess(batch: number, perEndpoint: number, back: ReadyItem[]): void {
    const total = 2 * batch;
    let share = batch + perEndpoint;
    if (this.readyCount > total) {
      let holding = 0;
      for (const lane of this.lanes.values()) if (lane.ready.length > 0) holding++;
      share = Math.min(share, Math.max(perEndpoint, Math.floor(total / holding)));
    }
    for (const [endpoint, lane] of this.lanes) {
      if (lane.ready.length <= share) continue;
      // The newest claimed go back: the oldest have waited longest.
      const excess = lane.ready.splice(share);
      for (const item of excess) back.push(item);
      this.noteTaken(endpoint, lane, excess.length);
    }
  }

  /** Bookkeeping after `count` waiting requests of `lane` were taken out to be given back. */
  private noteTaken(endpoint: string, lane: EndpointLane, count: number): void {
    this.readyCount -= count;
    if (lane.running === 0 && lane.ready.length === 0) this.lanes.delete(endpoint);
  }

  /** Empties every lane's waiting requests (their claims are to be given back). */
  private takeAllReady(): ReadyItem[] {
    const all: ReadyItem[] = [];
    for (const [endpoint, lane] of this.lanes) {
      all.push(...lane.ready);
      lane.ready = [];
      if (lane.running === 0) this.lanes.delete(endpoint);
    }
    this.readyCount = 0;
    this.earliestHeldUntil = Infinity;
    this.excludedEndpoints.clear();
    return all;
  }

  private async giveBack(items: readonly { request: WebhookRequest }[]): Promise<void> {
    if (items.length === 0) return;
    try {
      await this.deps.queue.release(this.deps.owner, items.map((i) => i.request.id));
    } catch (error) {
      // The leases expire and the requests are claimed again then.
      this.deps.onError('release', error);
    }
  }

  private armTimer(delayMs: number): void {
    if (this.stopped) return;
    const wait = Math.max(0, Math.min(delayMs, this.deps.settings.current.period, 2 ** 31 - 1));
    const at = Date.now() + wait;
    if (this.timer && this.timerAt <= at) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.wake();
    }, wait);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }
}

function distinctKeys(requests: readonly WebhookRequest[]): string[] {
  const keys = new Set<string>();
  for (const r of requests) keys.add(r.webhookKey);
  return [...keys];
}
