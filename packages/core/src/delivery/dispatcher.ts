import { setMaxListeners } from 'node:events';
import type { Clock } from '../runtime/clock';
import type { SettingsAccessor } from '../settings/settings';
import type { RequestQueue, WebhookRequest } from '../storage/request-queue';
import type { Webhook } from '../webhooks/webhook';

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

/**
 * Takes due requests from the queue and runs them within the concurrency limits.
 *
 * - Woken at once by {@link wake} (enqueue, redeliver); otherwise sleeps until the earliest
 *   due time it knows of, and at most `period` (the safety sweep for other processes' work
 *   and expired leases).
 * - Claims in bounded batches under a lease and keeps at most one batch ready in memory, so a
 *   large backlog is never loaded whole, and the store is not asked once per finished attempt.
 * - A global limit and a per-endpoint limit (scheme://host:port): requests of an endpoint at its
 *   limit are given back to the queue and left out of the next claims (by their webhook keys),
 *   so one slow receiver cannot hold the slots other receivers need.
 * - No ordering between requests of one endpoint is promised.
 */
export class Dispatcher {
  private ready: (DispatchItem & { endpoint: string })[] = [];
  private readonly active = new Set<Promise<void>>();
  private readonly perEndpoint = new Map<string, number>();
  private readonly endpointOfKey = new Map<string, string>();
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
    this.ready = [];
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
      await this.giveBack(this.ready.splice(0));
      this.armTimer(settings.period);
      return;
    }
    const batch = settings.claimBatchSize;
    for (;;) {
      await this.startReady();
      if (this.stopped) return;
      const room = settings.concurrency.global - this.active.size;
      if (!this.mayHaveMore || this.ready.length >= Math.max(1, batch >> 1) || room <= 0) break;
      const limit = Math.max(batch - this.ready.length, 1);
      const claimed = await this.deps.queue.claim({
        owner: this.deps.owner,
        limit,
        leaseMs: settings.leaseDuration,
        now: this.deps.clock.now(),
        excludeWebhookKeys: this.saturatedKeys(),
      });
      if (this.stopped) {
        await this.giveBack(claimed.map((request) => ({ request })));
        return;
      }
      if (claimed.length < limit) this.mayHaveMore = false;
      if (claimed.length === 0) break;
      const webhooks = await this.deps.loadWebhooks([...new Set(claimed.map((r) => r.webhookKey))]);
      for (const request of claimed) {
        const webhook = webhooks.get(request.webhookKey);
        const endpoint = webhook ? endpointOf(webhook.url) : '';
        if (webhook) this.endpointOfKey.set(webhook.key, endpoint);
        this.ready.push({ request, webhook, endpoint });
      }
    }
    if (!this.mayHaveMore && this.ready.length === 0 && this.timerAt === Infinity) {
      const next = await this.deps.queue.nextDueAt();
      const wait = next ? next.getTime() - this.deps.clock.now().getTime() : Infinity;
      this.armTimer(Math.min(wait, settings.period));
    }
  }

  /** Starts ready requests within the limits; those of endpoints at their limit go back to the queue. */
  private async startReady(): Promise<void> {
    const { global, perEndpoint } = this.deps.settings.current.concurrency;
    const keep: typeof this.ready = [];
    const back: typeof this.ready = [];
    for (const item of this.ready) {
      if (this.active.size >= global) {
        keep.push(item);
        continue;
      }
      if (item.webhook) {
        const running = this.perEndpoint.get(item.endpoint) ?? 0;
        if (running >= perEndpoint) {
          back.push(item);
          continue;
        }
        this.perEndpoint.set(item.endpoint, running + 1);
      }
      this.run(item);
    }
    this.ready = keep;
    await this.giveBack(back);
  }

  private run(item: DispatchItem & { endpoint: string }): void {
    const attempt = this.deps.process(item, this.abort.signal).finally(() => {
      this.active.delete(attempt);
      if (item.webhook) {
        const running = (this.perEndpoint.get(item.endpoint) ?? 1) - 1;
        if (running <= 0) this.perEndpoint.delete(item.endpoint);
        else this.perEndpoint.set(item.endpoint, running);
        // Requests of this endpoint were left out of claims while it was at its limit.
        if (running === this.deps.settings.current.concurrency.perEndpoint - 1) this.mayHaveMore = true;
      }
      for (const listener of this.settleListeners) listener();
      if (!this.stopped && (this.mayHaveMore || this.ready.length > 0)) this.schedulePump();
    });
    this.active.add(attempt);
  }

  private saturatedKeys(): string[] {
    const limit = this.deps.settings.current.concurrency.perEndpoint;
    const keys: string[] = [];
    for (const [key, endpoint] of this.endpointOfKey) if ((this.perEndpoint.get(endpoint) ?? 0) >= limit) keys.push(key);
    return keys;
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
