/** The limits a lane reads each time it decides (settings may change at run time). */
export interface LaneLimits {
  /** Attempts at once in this process. */
  global: number;
  /** Attempts at once per webhook in this process. */
  perWebhook: number;
}

/** Gives a slot back; call it once when the attempt is over. */
export type ReleaseSlot = () => void;

interface Waiter {
  start: (release: ReleaseSlot) => void;
}

/** One webhook's attempts running now and jobs waiting in this process for its slots. */
interface Lane {
  running: number;
  waiting: Waiter[];
  /** Jobs sent back to Redis since the lane was last free: each is sent back a little further. */
  bounced: number;
  /** The average attempt of this webhook, ms (exponentially weighted). */
  averageMs: number;
}

/**
 * Per-webhook concurrency inside one process. BullMQ's Worker runs up to `concurrency` jobs of
 * one queue with no notion of groups (per-group limits are BullMQ Pro's), so the engine's
 * processor asks the lanes before each attempt:
 * - a webhook below `perWebhook`, with a global slot free, starts at once;
 * - otherwise the job waits in this process, `perWebhook` jobs per webhook at most, for a slot;
 *   freed global slots go to waiting webhooks in turn (round robin), so one webhook's backlog
 *   never holds another's back;
 * - beyond that the job is sent back to Redis ({@link enter} returns undefined) and
 *   {@link bounceDelay} says for how long: the waiting room's turn at the webhook's own pace.
 * The Worker's concurrency is `global` running plus `global` waiting, so a stuck webhook holds
 * at most `2 × perWebhook` of it and the Worker always fetches jobs of other webhooks. With
 * `perWebhook` ≥ `global` it is `global` alone: every job it fetches starts at once.
 */
export class WebhookLanes {
  private readonly lanes = new Map<string, Lane>();
  private running = 0;
  private waiting = 0;

  constructor(private readonly limits: () => LaneLimits) {}

  /** Attempts running now. */
  get runningCount(): number {
    return this.running;
  }

  /** Jobs waiting in this process for a slot. */
  get waitingCount(): number {
    return this.waiting;
  }

  /**
   * A slot for an attempt of webhook `key`: at once, or once one is free (the promise), or
   * undefined when the webhook's waiting room is full and the job should go back to Redis.
   * `signal` aborting takes a waiting job out: its promise resolves with `'aborted'`.
   */
  enter(key: string, signal: AbortSignal): ReleaseSlot | Promise<ReleaseSlot | 'aborted'> | undefined {
    const { global, perWebhook } = this.limits();
    const lane = this.lane(key);
    if (lane.running < perWebhook && this.running < global && lane.waiting.length === 0) {
      lane.bounced = 0;
      return this.start(key, lane);
    }
    if (lane.waiting.length >= perWebhook || signal.aborted) {
      if (lane.running === 0 && lane.waiting.length === 0) this.lanes.delete(key);
      return undefined;
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        start: (release) => {
          signal.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      const onAbort = () => {
        const at = lane.waiting.indexOf(waiter);
        if (at < 0) return;
        lane.waiting.splice(at, 1);
        this.waiting--;
        if (lane.running === 0 && lane.waiting.length === 0) this.lanes.delete(key);
        resolve('aborted');
      };
      signal.addEventListener('abort', onAbort, { once: true });
      lane.waiting.push(waiter);
      this.waiting++;
      // The limits may have been raised since the last slot was freed.
      this.startWaiting();
    });
  }

  /** Whether a job of `key` fetched now would be turned away by {@link enter}: its waiting room in this process is full. */
  isFull(key: string): boolean {
    const lane = this.lanes.get(key);
    return lane !== undefined && lane.waiting.length >= this.limits().perWebhook;
  }

  /**
   * How long a job of `key` turned away by {@link enter} stays in Redis, ms: the time the
   * webhook takes for the jobs ahead of it (a round of `perWebhook` per average attempt),
   * growing with each job turned away, from `minMs` to `maxMs`, with ±20 % jitter so they do
   * not all come back at once.
   */
  bounceDelay(key: string, minMs: number, maxMs: number): number {
    const { perWebhook } = this.limits();
    const lane = this.lanes.get(key);
    const bounced = lane ? ++lane.bounced : 1;
    const rounds = 1 + Math.ceil(bounced / Math.max(1, perWebhook));
    // Before a first attempt of the webhook ended, its pace is taken to be minMs.
    const base = Math.min(maxMs, Math.max(minMs, rounds * (lane?.averageMs || minMs)));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private start(key: string, lane: Lane): ReleaseSlot {
    lane.running++;
    this.running++;
    const started = Date.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      lane.running--;
      this.running--;
      const took = Date.now() - started;
      lane.averageMs = lane.averageMs === 0 ? took : lane.averageMs * 0.8 + took * 0.2;
      if (lane.running === 0 && lane.waiting.length === 0) this.lanes.delete(key);
      this.startWaiting();
    };
  }

  /** Starts waiting jobs while slots are free, one webhook after another in turn. */
  private startWaiting(): void {
    const { global, perWebhook } = this.limits();
    let started = true;
    while (started && this.running < global && this.waiting > 0) {
      started = false;
      for (const [key, lane] of this.lanes) {
        if (this.running >= global) break;
        if (lane.waiting.length === 0 || lane.running >= perWebhook) continue;
        const waiter = lane.waiting.shift()!;
        this.waiting--;
        // To the back of the line: webhooks take freed slots in turn.
        this.lanes.delete(key);
        this.lanes.set(key, lane);
        waiter.start(this.start(key, lane));
        started = true;
        break;
      }
    }
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { running: 0, waiting: [], bounced: 0, averageMs: 0 };
      this.lanes.set(key, lane);
    }
    return lane;
  }
}
