import { setMaxListeners } from 'node:events';
import type { Clock } from '../../runtime/clock';
import type { SettingsAccessor } from '../../settings/settings';
import type { RequestQueue } from '../../ports/request-queue';
import type { NewWebhookRequest, WebhookRequest } from '../../model/webhook-request';

/** What the dispatcher needs from its engine. */
export interface DispatcherDeps {
  queue: RequestQueue<unknown>;
  settings: SettingsAccessor;
  clock: Clock;
  /** The lease owner of this dispatcher. */
  owner: string;
  /** Makes one attempt and settles the request in the queue; never throws. */
  process(request: WebhookRequest, signal: AbortSignal): Promise<void>;
  /** Background failures (a claim that threw); the work is tried again later. */
  onError(task: string, error: unknown): void;
  /**
   * A claim (or handoff) at `claimedAt` returned `requests` whose attempts still run here: their
   * leases ran out under them. They keep the new lease and are not started again (see the class).
   */
  onReclaimed?(requests: readonly WebhookRequest[], claimedAt: number): void;
  /**
   * Claims ask only for what this dispatcher can start (per-webhook bounds): set when the store is
   * shared by processes and its queue declares `claimBounds`. Otherwise claimed requests may wait
   * in memory for their webhook's slots (fewer claims, nobody else to send them).
   */
  boundClaims?: boolean;
}

/** How soon a round that failed (the store threw) is tried again, ms (at most `period`). */
export const RETRY_AFTER_FAILURE_MS = 1000;

/** A claimed request waiting in memory for a slot. */
interface ReadyItem {
  request: WebhookRequest;
  /** Clock ms after which it is given back rather than started (its lease's age). */
  heldUntil: number;
}

/** One webhook's attempts running now and claimed requests waiting for its slots. */
interface WebhookLane {
  running: number;
  ready: ReadyItem[];
}

/**
 * Takes due requests from the queue and runs them within the concurrency limits: `global`
 * attempts at once in all, `perWebhook` at once for one webhook.
 *
 * - Woken at once by {@link wake} (enqueue, redeliver); otherwise sleeps until the earliest
 *   due time it knows of, and at most `period` (the safety sweep for other processes' work
 *   and expired leases).
 * - Claims in bounded batches under a lease. With a queue that takes per-webhook bounds
 *   (RequestQueue.claimBounds, the built-in stores), a claim asks only for what this process can
 *   start: at most the free global slots, and of each webhook its free slots (webhooks without
 *   one are left out), so on a store shared by processes nothing waits here, leased, that an idle
 *   process could send. With a queue without them, claimed requests of a webhook at its limit wait in
 *   memory (they are leased to this process) for that webhook's next free slot, so a busy
 *   webhook costs one claim per batch, not a claim and a release per delivery. A webhook holding
 *   at least `perWebhook` waiting requests is left out of claims, and what waits is bounded:
 *   `claimBatchSize + perWebhook` per webhook and about two batches in all (the excess is given
 *   back, largest holders first).
 * - Concurrency lanes are per webhook, not per host: webhooks of different owners on one host
 *   (an automation service, an API gateway) never share slots, so one whose receiver hangs
 *   never starves another.
 * - Only requests that could start count when deciding to claim more: whenever a global slot is
 *   free, every waiting request belongs to a webhook at its limit, so the next claim (which
 *   skips those webhooks) can only find work for other webhooks.
 * - A waiting request is given back, not started, once it has waited `period` or half the
 *   lease: its lease never runs out while it waits.
 * - A webhook held back (its verdict said so: disabled, breaker open, rate limit spent, a
 *   receiver's Retry-After) is left out of claims until its hold ends, and its waiting requests
 *   are given back, so a held webhook costs no claim, defer or attempt while it waits. The
 *   engine may end a hold early (on a store shared by processes it holds for 5 s at a time, see
 *   SHARED_HOLD_RECHECK_MS): the webhook then starts one request, and the rest wait until that one
 *   is not held again, so a still-held webhook costs one claim and one deferral per look.
 * - One attempt of a request at a time in this process: a claim (or handoff) that returns a request
 *   whose attempt still runs here — its lease lapsed meanwhile (the event loop stalled past it, or
 *   renewals failed) and this process's next claim took it again — keeps the new lease but starts
 *   nothing: the running attempt's verdict settles the request (its owner holds the lease). If the
 *   request is still leased here when that attempt ends (its verdict was not applied, or it was
 *   made due again by a redelivery before the claim), it is given back and claimed anew. A
 *   request whose attempt ended while the claim that returned it ran is given back too, not
 *   started: the claim may have read it before that attempt settled it.
 * - No ordering between requests of one webhook is promised here: a FIFO webhook's order comes
 *   from the queue's claim, which hands out one head at a time.
 */
export class Dispatcher {
  private readonly lanes = new Map<string, WebhookLane>();
  /** Requests waiting in all lanes. */
  private readyCount = 0;
  /** The earliest `heldUntil` among waiting requests (a lower bound: Infinity when none wait). */
  private earliestHeldUntil = Infinity;
  /** Attempts running now, by request id. */
  private readonly active = new Map<string, Promise<void>>();
  /** Running attempts whose request a claim returned again (its lease had lapsed): given back when they end. */
  private readonly reclaimed = new Set<string>();
  /** A claim is under way: attempts ending meanwhile are noted in {@link endedDuringClaim}. */
  private claiming = false;
  /** Requests whose attempts ended while the current claim ran: its answer may predate their settlement. */
  private readonly endedDuringClaim = new Set<string>();
  /** Claimed requests {@link notRunning} set aside to be given back, not started (emptied by its caller). */
  private readonly setAside: WebhookRequest[] = [];
  /** Webhooks left out of the last claim: when one of them has room again, claiming may find work. */
  private excluded = new Set<string>();
  /** Webhooks held back, until when (clock ms). */
  private readonly holds = new Map<string, number>();
  /** Held webhooks whose hold ends only to look whether it still stands (see hold()'s `lookAgain`). */
  private readonly lookingAgain = new Set<string>();
  /** Webhooks whose look-again hold ended: one request at a time until one is not held again. */
  private readonly trying = new Set<string>();
  private running = false;
  private stopped = true;
  private pumpQueued = false;
  private again = false;
  private mayHaveMore = true;
  /** Counts wake-ups: a claim that began before one cannot say the store has nothing more. */
  private wakes = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private abort = new AbortController();
  /** Slots promised by {@link reserveHandoff} to requests being enqueued, by webhook. */
  private readonly promised = new Map<string, number>();
  private promisedCount = 0;
  /** The last claim took a full batch: the store holds more due requests than were taken (a backlog). */
  private backlog = true;

  /** Claims take per-webhook bounds (see DispatcherDeps.boundClaims): they ask only for what can start. */
  private readonly bounded: boolean;

  constructor(private readonly deps: DispatcherDeps) {
    this.bounded = deps.boundClaims === true && deps.queue.claimBounds === true;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // Until a claim says otherwise, the store may hold a backlog from before this start.
    this.backlog = true;
    this.abort = new AbortController();
    // Every running attempt listens to this one signal (stop() aborts them all).
    setMaxListeners(0, this.abort.signal);
    this.wake();
  }

  /** There may be due work now (an enqueue, a redelivery, a settings change). */
  wake(): void {
    if (this.stopped) return;
    this.mayHaveMore = true;
    this.wakes++;
    this.schedulePump();
  }

  /** A request became due at `at` (a reschedule): sleep no longer than that. */
  noteDueAt(at: Date): void {
    if (this.stopped) return;
    this.armTimer(at.getTime() - this.deps.clock.now().getTime());
  }

  /**
   * Takes no request of `webhookKey` until `until`; those waiting in memory are given back at the
   * next round. With `lookAgain`, `until` is not the hold's end but when to look whether it still
   * stands (the engine shortened it: what held it may end in another process): then the webhook
   * starts one request, and the rest only once that one was not held again.
   */
  hold(webhookKey: string, until: Date, lookAgain = false): void {
    if (this.stopped) return;
    const at = until.getTime();
    if (at <= this.deps.clock.now().getTime()) return;
    const held = Math.max(this.holds.get(webhookKey) ?? 0, at);
    this.holds.set(webhookKey, held);
    if (lookAgain && held === at) this.lookingAgain.add(webhookKey);
    else this.lookingAgain.delete(webhookKey);
    this.armTimer(at - this.deps.clock.now().getTime());
    this.schedulePump();
  }

  /**
   * Ends the hold of `webhookKey` now, whatever its end (its health was forgotten: its URL changed,
   * it was enabled again, deleted or created again): its requests are claimed again from the next
   * round. Requests already deferred in the store keep their due times.
   */
  endHold(webhookKey: string): void {
    this.lookingAgain.delete(webhookKey);
    this.trying.delete(webhookKey);
    if (this.stopped || !this.holds.delete(webhookKey)) return;
    this.mayHaveMore = true;
    this.schedulePump();
  }

  /**
   * Of requests about to be enqueued in this process, those this dispatcher can start at once:
   * the engine stores them already leased to it (`enqueueClaimed`) and hands them over with
   * {@link handOff}, so a publish costs no claim round (a write transaction and a turn of the event
   * loop in a durable store). Only the free slots: per webhook its limit less its attempts running,
   * waiting and promised, and in all the global limit less the same — the rest is stored pending,
   * for whichever process claims it first (on a store shared by processes an idle one may send it
   * while this one's slots are busy). Not while the last claim found a backlog (a full batch: older
   * requests go first); never a FIFO request (its order comes from the queue's claim), one not yet
   * due, or one of a webhook held back or left out of the last claim. The slots stay promised
   * until {@link handOff}.
   */
  reserveHandoff(requests: readonly NewWebhookRequest[]): NewWebhookRequest[] {
    if (this.stopped || this.backlog) return [];
    const settings = this.deps.settings.current;
    const { global, perWebhook } = settings.concurrency;
    let room = global - this.active.size - this.readyCount - this.promisedCount;
    if (!settings.enabled || room <= 0) return [];
    const now = this.deps.clock.now().getTime();
    const chosen: NewWebhookRequest[] = [];
    for (const request of requests) {
      if (room <= 0) break;
      const key = request.webhookKey;
      if (request.fifo || request.dueAt.getTime() > now || this.holds.has(key) || this.excluded.has(key)) continue;
      const promised = this.promised.get(key) ?? 0;
      if (this.taken(key) + promised >= this.limitOf(key, perWebhook)) continue;
      this.promised.set(key, promised + 1);
      this.promisedCount++;
      room--;
      chosen.push(request);
    }
    return chosen;
  }

  /**
   * Ends the promise of {@link reserveHandoff} for `reserved`; `leased` (those the store now
   * holds leased to this dispatcher: none when the enqueue failed) wait in their lanes like
   * claimed requests and start at the next round.
   */
  handOff(reserved: readonly NewWebhookRequest[], leased: readonly WebhookRequest[], now: Date): void {
    for (const request of reserved) {
      const left = (this.promised.get(request.webhookKey) ?? 1) - 1;
      if (left > 0) this.promised.set(request.webhookKey, left);
      else this.promised.delete(request.webhookKey);
      this.promisedCount--;
    }
    if (leased.length === 0) return;
    // New ids as a rule (the store skips those it holds): checked all the same, as a claim's are.
    const fresh = this.notRunning(leased, now.getTime());
    const back = this.setAside.splice(0);
    if (this.stopped) {
      void this.giveBack([...fresh, ...back].map((request) => ({ request, heldUntil: 0 })));
      return;
    }
    if (back.length > 0) void this.giveBack(back.map((request) => ({ request, heldUntil: 0 })));
    if (fresh.length === 0) return;
    const settings = this.deps.settings.current;
    const heldUntil = now.getTime() + Math.min(settings.leaseDuration / 2, settings.period);
    for (const request of fresh) this.lane(request.webhookKey).ready.push({ request, heldUntil });
    this.readyCount += fresh.length;
    this.earliestHeldUntil = Math.min(this.earliestHeldUntil, heldUntil);
    this.schedulePump();
  }

  /**
   * Stops claiming, waits for running attempts up to `timeoutMs` (then aborts them), and gives
   * every claim back to the queue so another process need not wait for the leases.
   */
  async stop(timeoutMs: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimer();
    this.holds.clear();
    this.lookingAgain.clear();
    this.trying.clear();
    // The waiting requests' claims go back with the release of everything this owner holds.
    this.takeAllReady();
    if (this.active.size > 0) {
      let timeout: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => (timeout = setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.allSettled([...this.active.values()]), expired]);
      clearTimeout(timeout);
      if (this.active.size > 0) {
        this.abort.abort(new Error('the app is stopping (stopTimeout reached)'));
        await Promise.allSettled([...this.active.values()]);
      }
    }
    while (this.running) await new Promise((resolve) => setImmediate(resolve));
    this.takeAllReady();
    this.reclaimed.clear();
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
      // Looked at again soon, not a whole period later: a store that failed once (a dropped
      // connection) usually answers the next call, and an idle round after that asks nextDueAt.
      this.armTimer(Math.min(this.deps.settings.current.period, RETRY_AFTER_FAILURE_MS));
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
    const { global, perWebhook } = settings.concurrency;
    for (;;) {
      await this.startReady();
      if (this.stopped) return;
      // A free global slot means nothing waiting could start (startReady would have started
      // it): whatever waits belongs to webhooks at their limit, which the claim skips.
      if (global - this.active.size <= 0) break;
      // With per-webhook bounds, a claim asks only for what can start: the free global slots, and
      // of each webhook its free slots (a webhook with none is left out).
      const bounds = this.bounded ? this.claimBounds(perWebhook) : undefined;
      const full = bounds ? bounds.full : this.fullWebhooks(perWebhook);
      for (const key of this.holds.keys()) full.add(key);
      // A webhook the last claim skipped (or took all it could of) has room again: its requests may be claimable now.
      if (!this.mayHaveMore) for (const key of this.excluded) if (!full.has(key)) this.mayHaveMore = true;
      if (!this.mayHaveMore) break;
      const limit = bounds ? Math.min(batch, global - this.active.size - this.readyCount - this.promisedCount) : batch;
      if (limit <= 0) break;
      const now = this.deps.clock.now();
      const wakesBefore = this.wakes;
      let claimed: WebhookRequest[];
      this.claiming = true;
      try {
        claimed = await this.deps.queue.claim({
          owner: this.deps.owner,
          limit,
          leaseMs: settings.leaseDuration,
          now,
          excludeWebhookKeys: [...full],
          ...(bounds ? { perWebhookLimit: perWebhook, webhookLimits: bounds.limits } : {}),
        });
      } finally {
        this.claiming = false;
      }
      // Requests whose attempts run (or ran, during the claim) here are not started again.
      const fresh = this.notRunning(claimed, now.getTime());
      const back = this.setAside.splice(0);
      this.endedDuringClaim.clear();
      this.excluded = full;
      this.backlog = claimed.length >= limit;
      // Webhooks the claim took all it could of: the store may hold more of theirs, so look again
      // as soon as one of them has room (as for a webhook left out), and hand none of their newly
      // published requests over meanwhile (older ones may wait in the store).
      if (bounds) this.noteCapped(claimed, perWebhook, bounds.limits);
      if (this.stopped) {
        await this.giveBack([...fresh, ...back].map((request) => ({ request, heldUntil: 0 })));
        return;
      }
      if (back.length > 0) {
        // Claimable again at the next claim (this round's, when more may be due: a full batch).
        this.mayHaveMore = true;
        await this.giveBack(back.map((request) => ({ request, heldUntil: 0 })));
      }
      // A short batch says the store had no more when the claim read it — unless a wake-up came
      // while it ran (another process's commit, seen by a claim that had already begun): then
      // there may be more, and the next round must claim again.
      // (A bounded claim's short batch says the same: the store looks past a webhook at its bound.)
      if (claimed.length < limit && this.wakes === wakesBefore) this.mayHaveMore = false;
      if (claimed.length === 0) break;
      if (fresh.length === 0) continue;
      const heldUntil = now.getTime() + Math.min(settings.leaseDuration / 2, settings.period);
      for (const request of fresh) this.lane(request.webhookKey).ready.push({ request, heldUntil });
      this.readyCount += fresh.length;
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
   * starts waiting requests within the limits, one webhook after another in turn.
   */
  private async startReady(): Promise<void> {
    const settings = this.deps.settings.current;
    const { global, perWebhook } = settings.concurrency;
    const back: ReadyItem[] = [];
    const now = this.deps.clock.now().getTime();
    if (this.readyCount > 0 && now >= this.earliestHeldUntil) this.takeStale(back);
    if (this.holds.size > 0) this.takeHeld(now, back);
    for (const [key, lane] of this.lanes) {
      if (this.readyCount === 0 || this.active.size >= global) break;
      if (lane.ready.length === 0 || lane.running >= (this.trying.has(key) ? 1 : perWebhook)) continue;
      const item = lane.ready.shift()!;
      this.readyCount--;
      lane.running++;
      this.run(item, key, lane);
      // To the back of the line (this loop meets it again): webhooks take free slots in turn.
      this.lanes.delete(key);
      this.lanes.set(key, lane);
    }
    if (this.readyCount > 0) this.takeExcess(settings.claimBatchSize, perWebhook, back);
    if (back.length === 0) return;
    // Back in the queue, so claimable again: renewed if their lanes have room, else left for later.
    this.mayHaveMore = true;
    await this.giveBack(back);
  }

  private run(item: ReadyItem, key: string, lane: WebhookLane): void {
    const id = item.request.id;
    const attempt = this.deps.process(item.request, this.abort.signal).finally(() => {
      this.active.delete(id);
      if (this.claiming) this.endedDuringClaim.add(id);
      // Claimed again while it ran: the lease that claim took is this attempt's, and its verdict
      // settled the request under it. Should the request still be leased here (the verdict was not
      // applied, or a redelivery made it due before the claim), it goes back to be claimed anew.
      if (this.reclaimed.size > 0 && this.reclaimed.delete(id) && !this.stopped) {
        void this.giveBack([item]).then(() => this.wake());
      }
      lane.running--;
      // The one request tried after a look-again hold: held again (its verdict held the webhook
      // before this) or not, the webhook's other requests are no longer kept to one at a time.
      this.trying.delete(key);
      if (lane.running === 0 && lane.ready.length === 0 && this.lanes.get(key) === lane) this.lanes.delete(key);
      if (!this.stopped && (this.mayHaveMore || this.readyCount > 0 || this.excluded.size > 0)) this.schedulePump();
    });
    this.active.set(id, attempt);
  }

  /**
   * Splits requests a claim or handoff returned into those to wait in their lanes (`fresh`) and
   * those never to start: a request whose attempt runs here is kept leased (noted in
   * {@link reclaimed}: the attempt settles it), one whose attempt ended while the claim ran goes
   * `back` (the claim may have read it before the attempt settled it), and one already waiting in
   * its lane is left to that copy (possible only when a wait outlasted its lease: `claimedAt` at or
   * past the earliest `heldUntil`). Returns `requests` itself, allocating nothing, when none is set
   * apart (every delivery but these rare ones); those to give back go to {@link setAside}.
   */
  private notRunning(requests: readonly WebhookRequest[], claimedAt: number): readonly WebhookRequest[] {
    const waitedTooLong = this.readyCount > 0 && claimedAt >= this.earliestHeldUntil;
    if (this.active.size === 0 && this.endedDuringClaim.size === 0 && !waitedTooLong) return requests;
    let fresh: WebhookRequest[] | undefined;
    let running: WebhookRequest[] | undefined;
    for (let i = 0; i < requests.length; i++) {
      const request = requests[i]!;
      const { id } = request;
      let start = false;
      if (this.active.has(id)) {
        this.reclaimed.add(id);
        (running ??= []).push(request);
      } else if (this.endedDuringClaim.has(id)) this.setAside.push(request);
      else start = !waitedTooLong || !this.lanes.get(request.webhookKey)?.ready.some((item) => item.request.id === id);
      if (!start) fresh ??= requests.slice(0, i);
      else fresh?.push(request);
    }
    if (running) this.deps.onReclaimed?.(running, claimedAt);
    return fresh ?? requests;
  }

  /** Ends holds that are over, and moves the waiting requests of held webhooks to `back`; wakes at the earliest hold's end. */
  private takeHeld(now: number, back: ReadyItem[]): void {
    let earliest = Infinity;
    for (const [key, until] of this.holds) {
      if (until <= now) {
        this.holds.delete(key);
        if (this.lookingAgain.delete(key)) this.trying.add(key);
        this.mayHaveMore = true;
        continue;
      }
      earliest = Math.min(earliest, until);
      const lane = this.lanes.get(key);
      if (!lane || lane.ready.length === 0) continue;
      const taken = lane.ready.length;
      back.push(...lane.ready);
      lane.ready = [];
      this.noteTaken(key, lane, taken);
    }
    if (earliest !== Infinity) this.armTimer(earliest - now);
  }

  /** Attempts of `key` running or waiting here. */
  private taken(key: string): number {
    const lane = this.lanes.get(key);
    return lane ? lane.running + lane.ready.length : 0;
  }

  /** How many attempts of `key` may run at once: one while a look-again hold is tried (see hold()). */
  private limitOf(key: string, perWebhook: number): number {
    return this.trying.has(key) ? 1 : perWebhook;
  }

  /**
   * The per-webhook bounds of a claim (a queue with claimBounds): webhooks without a free slot
   * (running, waiting and promised at their limit) are left out, and those with some taken get
   * their free slots; the others get `perWebhook`.
   */
  private claimBounds(perWebhook: number): { full: Set<string>; limits: Map<string, number> } {
    const full = new Set<string>();
    const limits = new Map<string, number>();
    const bound = (key: string) => {
      if (full.has(key) || limits.has(key)) return;
      const taken = this.taken(key) + (this.promised.get(key) ?? 0);
      const limit = this.limitOf(key, perWebhook);
      if (taken >= limit) full.add(key);
      else if (taken > 0 || limit !== perWebhook) limits.set(key, limit - taken);
    };
    for (const key of this.lanes.keys()) bound(key);
    for (const key of this.promised.keys()) bound(key);
    for (const key of this.trying) bound(key);
    return { full, limits };
  }

  /** Adds to {@link excluded} the webhooks of which a bounded claim took as many as their bound. */
  private noteCapped(claimed: readonly WebhookRequest[], perWebhook: number, limits: ReadonlyMap<string, number>): void {
    const counts = new Map<string, number>();
    for (const request of claimed) counts.set(request.webhookKey, (counts.get(request.webhookKey) ?? 0) + 1);
    for (const [key, count] of counts) if (count >= (limits.get(key) ?? perWebhook)) this.excluded.add(key);
  }

  /** Webhooks at their limit with a full round of requests waiting: claims skip them. */
  private fullWebhooks(perWebhook: number): Set<string> {
    const full = new Set<string>();
    for (const [key, lane] of this.lanes) if (lane.running >= perWebhook && lane.ready.length >= perWebhook) full.add(key);
    return full;
  }

  private lane(key: string): WebhookLane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { running: 0, ready: [] };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  /** Moves requests that waited past their `heldUntil` to `back`. */
  private takeStale(back: ReadyItem[]): void {
    const now = this.deps.clock.now().getTime();
    let earliest = Infinity;
    for (const [key, lane] of this.lanes) {
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
      if (taken > 0) this.noteTaken(key, lane, taken);
    }
    this.earliestHeldUntil = earliest;
  }

  /**
   * Moves to `back` what exceeds the bounds on waiting requests: `batch + perWebhook` per
   * webhook, and about two batches in all, shared fairly (never below `perWebhook` each).
   */
  private takeExcess(batch: number, perWebhook: number, back: ReadyItem[]): void {
    const total = 2 * batch;
    let share = batch + perWebhook;
    if (this.readyCount > total) {
      let holding = 0;
      for (const lane of this.lanes.values()) if (lane.ready.length > 0) holding++;
      share = Math.min(share, Math.max(perWebhook, Math.floor(total / holding)));
    }
    for (const [key, lane] of this.lanes) {
      if (lane.ready.length <= share) continue;
      // The newest claimed go back: the oldest have waited longest.
      const excess = lane.ready.splice(share);
      for (const item of excess) back.push(item);
      this.noteTaken(key, lane, excess.length);
    }
  }

  /** Bookkeeping after `count` waiting requests of `lane` were taken out to be given back. */
  private noteTaken(key: string, lane: WebhookLane, count: number): void {
    this.readyCount -= count;
    if (lane.running === 0 && lane.ready.length === 0) this.lanes.delete(key);
  }

  /** Empties every lane's waiting requests (their claims are to be given back). */
  private takeAllReady(): ReadyItem[] {
    const all: ReadyItem[] = [];
    for (const [key, lane] of this.lanes) {
      all.push(...lane.ready);
      lane.ready = [];
      if (lane.running === 0) this.lanes.delete(key);
    }
    this.readyCount = 0;
    this.earliestHeldUntil = Infinity;
    this.excluded.clear();
    return all;
  }

  private async giveBack(items: readonly ReadyItem[]): Promise<void> {
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
