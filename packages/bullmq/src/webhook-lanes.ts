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
  /** Takes the job out of the waiting room: it goes back to Redis (`'evicted'`). */
  evict: () => void;
}

/** One webhook's attempts running now and jobs waiting in this process for its slots. */
interface Lane {
  running: number;
  /** Oldest first: a slot goes to the first, eviction takes the last. */
  waiting: Waiter[];
  /** Jobs sent back to Redis since the lane was last free: each is sent back a little further. */
  bounced: number;
  /** The average attempt of this webhook, ms (exponentially weighted). */
  averageMs: number;
}

/** What a waiting job's promise from {@link WebhookLanes.enter} resolves with. */
export type WaitOutcome = ReleaseSlot | 'aborted' | 'evicted';

/**
 * Per-webhook concurrency inside one process. BullMQ's Worker runs up to `concurrency` jobs of
 * one queue with no notion of groups (per-group limits are BullMQ Pro's), so the engine's
 * processor asks the lanes before each attempt:
 * - a webhook below `perWebhook`, with a global slot free, starts at once;
 * - otherwise the job waits in this process for a slot, in a waiting room shared by all
 *   webhooks that holds `global` jobs; freed global slots go to waiting webhooks in turn (round
 *   robin), so one webhook's backlog never holds another's back;
 * - the room is shared max-min fair: while it has space any webhook's job waits (one busy
 *   webhook may fill it); when it is full, an arriving job takes the place of the newest waiting
 *   job of the webhook with the most waiting, if that webhook has more than the arriving job's
 *   would have (the job taken out resolves `'evicted'`), and is itself turned away otherwise
 *   ({@link enter} returns undefined). A job turned away or evicted goes back to Redis, and
 *   {@link bounceDelay} says for how long: the waiting room's turn at the webhook's own pace.
 *
 * Why the room holds `global`: the Worker's concurrency is `2 × global` (with `perWebhook` below
 * `global`) and at most `global` attempts run, so `global` waiting is the most that leaves the
 * Worker a fetch whenever a running slot is free — running + waiting < `2 × global` whenever
 * running < `global` — and a job of another webhook that could start is always fetched. A larger
 * room would let one stuck webhook (its `perWebhook` attempts hanging) fill the Worker with its
 * waiting jobs while the other slots stay idle; a per-webhook room of `perWebhook` (before
 * 2026-12-03) sent one busy webhook's jobs back to Redis while the room stood mostly empty.
 * With `perWebhook` ≥ `global` the Worker runs `global` alone: every job it fetches starts at once.
 */
export class WebhookLanes {
  private readonly lanes = new Map<string, Lane>();
  private running = 0;
  private waiting = 0;

  /** The limits {@link reconcile} last applied. */
  private reconciled: LaneLimits;

  constructor(private readonly limits: () => LaneLimits) {
    this.reconciled = { ...limits() };
  }

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
   * undefined when the waiting room would not take the job and it should go back to Redis.
   * A waiting job's promise resolves with `'aborted'` when `signal` aborts, and with `'evicted'`
   * when a job of a webhook with fewer waiting took its place: it goes back to Redis too.
   */
  enter(key: string, signal: AbortSignal): ReleaseSlot | Promise<WaitOutcome> | undefined {
    const { global, perWebhook } = this.limits();
    const lane = this.lane(key);
    if (lane.running < perWebhook && this.running < global && lane.waiting.length === 0) {
      lane.bounced = 0;
      return this.start(key, lane);
    }
    if (signal.aborted || (this.waiting >= global && !this.evictFor(lane))) {
      if (lane.running === 0 && lane.waiting.length === 0) this.lanes.delete(key);
      return undefined;
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        start: (release) => {
          signal.removeEventListener('abort', onAbort);
          resolve(release);
        },
        evict: () => {
          signal.removeEventListener('abort', onAbort);
          resolve('evicted');
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
    });
  }

  /**
   * Whether a job of `key` published now should go to Redis delayed rather than to the wait list:
   * the webhook already has `perWebhook` jobs waiting in this process (its share of the room, as
   * a stuck webhook has), and a job of it fetched now would be turned away by {@link enter} (the
   * room is full and no webhook holds more than one waiting job more than `key` does). Webhooks
   * with fewer waiting — every one of them when the load is spread — publish to the wait list,
   * whatever the room holds.
   */
  isFull(key: string): boolean {
    const { global, perWebhook } = this.limits();
    const lane = this.lanes.get(key);
    if (!lane || lane.waiting.length < perWebhook || this.waiting < global) return false;
    return !this.largerThan(lane.waiting.length);
  }

  /**
   * The limits may have changed (`updateSettings`): starts the waiting jobs that may start now
   * (a raised `perWebhook` or `global`), then, while the room holds more than `global`, sends back
   * the newest waiting job of the webhook with the most waiting (it resolves `'evicted'`), so a
   * lowered `global` never leaves the Worker with no fetch while running slots are free.
   */
  reconcile(): void {
    const { global, perWebhook } = this.limits();
    // Called at every wake (each publish): nothing to do unless a limit changed.
    if (global === this.reconciled.global && perWebhook === this.reconciled.perWebhook) return;
    this.reconciled = { global, perWebhook };
    this.startWaiting();
    while (this.waiting > global && this.evictNewest(this.largerThan(-2)));
  }

  /**
   * The room is full: takes the newest waiting job of the webhook with the most waiting out
   * (it goes back to Redis), if that webhook has more than `lane` would have with one more.
   */
  private evictFor(lane: Lane): boolean {
    return this.evictNewest(this.largerThan(lane.waiting.length));
  }

  /** Takes the newest waiting job of `largest` out of the room (it resolves `'evicted'`); false when there is none. */
  private evictNewest(largest: { key: string; lane: Lane } | undefined): boolean {
    if (!largest) return false;
    largest.lane.waiting.pop()!.evict();
    this.waiting--;
    if (largest.lane.running === 0 && largest.lane.waiting.length === 0) this.lanes.delete(largest.key);
    return true;
  }

  /**
   * The webhook with the most waiting jobs if it has more than `waiting + 1` (so taking one of
   * its jobs for another webhook's leaves it no fewer than that one's); of equals, the one whose
   * turn for a freed slot is furthest (the last in the round robin's order).
   */
  private largerThan(waiting: number): { key: string; lane: Lane } | undefined {
    let largest: { key: string; lane: Lane } | undefined;
    let most = waiting + 1;
    for (const [key, lane] of this.lanes) {
      if (lane.waiting.length > most || (largest && lane.waiting.length === most)) {
        largest = { key, lane };
        most = lane.waiting.length;
      }
    }
    return largest;
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
