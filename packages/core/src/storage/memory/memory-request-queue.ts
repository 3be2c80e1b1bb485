import { HookworkError } from '../../errors/hookwork-error';
import { claimBoundCounter, type ClaimOptions, type DeadLetterListQuery, type EnqueueClaim, type EnqueueClaimedResult, type EnqueueOptions, type EnqueueResult, type QueueCounts, type RedeliverSelector, type RequestQueue } from '../../ports/request-queue';
import type { PositionedPage } from '../../model/page';
import { positionSequence } from '../../model/list-cursor';
import type { DeliveryLogEntry } from '../../model/delivery-log-entry';
import type { MemoryDeliveryLog } from './memory-delivery-log';
import { leasedRequest, queuedRequest, type NewWebhookRequest, type WebhookRequest } from '../../model/webhook-request';
import { copyRequest } from './clone-data';
import { SortedList } from './sorted-list';

interface Rec {
  request: WebhookRequest;
  /** Enqueue order: breaks ties between equal due times. */
  seq: number;
  /** In the sorted pending list (a FIFO request is listed only while it heads its line). */
  listed?: boolean;
}

/** One webhook's FIFO requests that hold the line: pending, in flight, or dead with `block`; in enqueue order. */
interface Line {
  recs: Rec[];
  /** Those of `recs` in flight. */
  inflight: Set<Rec>;
}

/**
 * How many requests of the due front a claim that excludes webhooks reads past before it looks for
 * the others' requests webhook by webhook.
 */
const FRONT_READ = 128;

const dueOf = (rec: Rec) => rec.request.dueAt.getTime();
const deadAtOf = (rec: Rec) => rec.request.deadAt!.getTime();
/** Dead-letter order: time of death, then enqueue order. */
const diedBefore = (a: Rec, b: Rec) => deadAtOf(a) < deadAtOf(b) || (deadAtOf(a) === deadAtOf(b) && a.seq < b.seq);
const before = (a: Rec, b: Rec) => dueOf(a) < dueOf(b) || (dueOf(a) === dueOf(b) && a.seq < b.seq);

/**
 * The request queue in memory: for tests and apps that accept losing queued requests on exit.
 * Pending requests are kept sorted by due time, so a claim reads only the due front of the
 * queue instead of sorting the whole backlog on every call. A FIFO webhook's requests wait in
 * its line, and only the head of the line is in the sorted list, so a FIFO backlog costs a claim
 * nothing to skip.
 */
export class MemoryRequestQueue implements RequestQueue {
  /** Claims honour ClaimOptions.perWebhookLimit and webhookLimits. */
  readonly claimBounds = true;
  private readonly all = new Map<string, Rec>();
  /** The listed requests sorted by (dueAt, seq); claims take from its front (see {@link SortedList}). */
  private readonly pending = new SortedList<Rec>(before);
  /**
   * The requests of each webhook in the sorted pending list, in the same order. A claim that
   * excludes the webhooks at their limit reads the list only while others have requests in it,
   * and only until it has found them: it read past the excluded webhooks' whole backlog at every
   * such claim (4,850 requests a claim, 3 % of a delivery's CPU, in the bench's one-webhook run).
   * Past {@link FRONT_READ} requests read in vain it takes the others' requests from here instead:
   * behind a backlog of 100,000 every claim of another webhook's request read all of it (2.3 ms).
   */
  private readonly listedByWebhook = new Map<string, SortedList<Rec>>();
  private readonly inflight = new Map<string, Rec>();
  private readonly dead = new Map<string, Rec>();
  /**
   * The dead letters sorted by (deadAt, seq): retention takes the oldest from the front and a
   * listing pages from the back. Each call of either sorted every dead letter
   * (a retention round over 100,000 took 410 ms, growing with the square of their number; a page
   * of the listing 8.8 ms).
   */
  private readonly deadSorted = new SortedList<Rec>(diedBefore);
  private readonly lines = new Map<string, Line>();
  private seq = 0;
  /**
   * No lease in flight expires before this (a lower bound, ms): a claim skips its walk over
   * every request in flight while it is ahead — that walk was most of a claim's cost with a
   * few hundred requests leased and waiting in the dispatcher's lanes.
   */
  private earliestLease = Infinity;

  /**
   * {@link completeMany} and the entries appended to the store's delivery log in one step, nothing
   * of another call in between: a delivered request is gone from the queue only once the log
   * remembers it, so an idempotent publish made again at that moment is skipped (with the entry
   * written apart, a turn later, it was stored and sent again). Only with a log to write to.
   */
  readonly completeAndLog?: (ids: readonly string[], owner: string, entries: readonly DeliveryLogEntry[]) => Promise<string[]>;

  constructor(
    /**
     * The store's delivery log: whether it remembers a request of this id that the queue no
     * longer holds (it has an entry of it), asked for idempotent enqueues only; and where
     * {@link completeAndLog} appends. Without it, nothing is remembered.
     */
    private readonly log?: Pick<MemoryDeliveryLog, 'hasRequest' | 'add'>,
  ) {
    if (log) {
      this.completeAndLog = async (ids, owner, entries) => {
        // The entries first: if the log refuses them, nothing is removed (all or none).
        log.add(entries);
        return this.completeNow(ids, owner);
      };
      this.discardAndLog = async (webhookKey, publishedUpTo, limit, entryOf) => this.discardNow(webhookKey, publishedUpTo, limit, entryOf);
    }
  }

  async enqueue(requests: readonly NewWebhookRequest[], options?: EnqueueOptions<never>): Promise<EnqueueResult> {
    if (options?.transaction !== undefined) {
      throw new HookworkError('HOOKWORK_ERR_INVALID_TRANSACTION', 'the in-memory queue cannot enqueue inside a host transaction; use a backend that supports it (PostgreSQL) or publish without { transaction }');
    }
    return this.store(requests, undefined, options?.idempotent === true);
  }

  async enqueueClaimed(requests: readonly NewWebhookRequest[], claim: EnqueueClaim): Promise<EnqueueClaimedResult> {
    return this.store(requests, claim, claim.idempotent === true);
  }

  /**
   * Stores a batch, skipping an id already held (or repeated in the batch) and, when `idempotent`,
   * one the store remembers; those of `claim.ids` in flight under its lease. Returns the ids stored
   * and copies of the claimed (none of the skipped).
   */
  private store(requests: readonly NewWebhookRequest[], claim: EnqueueClaim | undefined, idempotent: boolean): EnqueueClaimedResult {
    const claimIds = claim && new Set(claim.ids);
    const claimed: WebhookRequest[] = [];
    const stored: string[] = [];
    for (const r of requests) {
      // Checked as each is stored: a repeat later in the batch finds the first one held.
      if (this.all.has(r.id) || (idempotent && this.log?.hasRequest(r.id) === true)) continue;
      stored.push(r.id);
      if (claimIds?.has(r.id) && !r.fifo) {
        // Stored leased, and handed out as a copy of its own: each made by leasedRequest().
        const expires = claim!.now.getTime() + claim!.leaseMs;
        this.earliestLease = Math.min(this.earliestLease, expires);
        const rec: Rec = { request: leasedRequest(r, claim!.owner, expires), seq: this.seq++ };
        this.all.set(r.id, rec);
        this.inflight.set(r.id, rec);
        claimed.push(leasedRequest(r, claim!.owner, expires));
        continue;
      }
      const rec: Rec = { request: queuedRequest(r, 'pending', 0), seq: this.seq++ };
      this.all.set(r.id, rec);
      if (rec.request.fifo) {
        const line = this.line(rec.request.webhookKey);
        line.recs.push(rec);
        if (line.recs.length > 1) continue;
      }
      this.insertPending(rec);
    }
    return { stored, claimed };
  }

  async claim(options: ClaimOptions): Promise<WebhookRequest[]> {
    const now = options.now.getTime();
    const limit = Math.max(0, options.limit);
    const excluded = options.excludeWebhookKeys?.length ? new Set(options.excludeWebhookKeys) : undefined;
    // Per-webhook bounds: `fits` counts what this claim takes of each webhook and refuses past its bound.
    const fits = claimBoundCounter(options);
    const candidates: Rec[] = [];
    if (now >= this.earliestLease) {
      let earliest = Infinity;
      for (const rec of this.inflight.values()) {
        const expires = rec.request.leaseExpiresAt!.getTime();
        if (expires > now) {
          earliest = Math.min(earliest, expires);
          continue;
        }
        // An expired lease (taken now or not: excluded, behind its FIFO line, past the limit) makes the next claim look again.
        earliest = now;
        if (!excluded?.has(rec.request.webhookKey) && this.mayGo(rec, now) && (!fits || fits(rec.request.webhookKey))) candidates.push(rec);
      }
      this.earliestLease = earliest;
    }
    // Only the due front of the sorted pending list is read, and only until `limit` are found
    // or no listed request is left outside the excluded webhooks.
    const list = this.pending.items;
    const start = this.pending.head;
    let end = start;
    let picked = 0;
    const wanted = Math.min(limit, excluded ? this.listedOutside(excluded) : Infinity);
    const expired = candidates.length;
    let aside = false;
    while (end < list.length && picked < wanted && dueOf(list[end]!) <= now) {
      if ((excluded || fits) && end - start - picked >= FRONT_READ) {
        aside = true;
        break;
      }
      const rec = list[end++]!;
      if (excluded?.has(rec.request.webhookKey) || !this.mayGo(rec, now) || (fits && !fits(rec.request.webhookKey))) continue;
      candidates.push(rec);
      picked++;
    }
    if (aside) {
      // The front is the excluded webhooks' backlog: the others' requests are taken where they
      // are, webhook by webhook, and the front is left as it was.
      candidates.length = expired;
      end = start;
      // The bounds count again from the expired leases taken.
      const boundFits = fits && claimBoundCounter(options);
      if (boundFits) for (let i = 0; i < expired; i++) boundFits(candidates[i]!.request.webhookKey);
      for (const [key, listed] of this.listedByWebhook) {
        if (excluded?.has(key)) continue;
        let taken = 0;
        for (let i = listed.head; i < listed.items.length && taken < limit && dueOf(listed.items[i]!) <= now; i++) {
          const rec = listed.items[i]!;
          if (!this.mayGo(rec, now)) continue;
          if (boundFits && !boundFits(key)) break;
          candidates.push(rec);
          taken++;
        }
      }
    }
    const chosen = candidates.sort((a, b) => (before(a, b) ? -1 : 1)).slice(0, limit);
    if (aside) for (const rec of chosen) this.removePending(rec);
    if (end > start) {
      // Those read but not chosen stay at the front, in order, just before the unread rest.
      const chosenSet = new Set(chosen);
      let write = end;
      for (let i = end - 1; i >= start; i--) if (!chosenSet.has(list[i]!)) list[--write] = list[i]!;
      this.pending.head = write;
      this.pending.compact();
    }
    const leaseExpiresAt = now + options.leaseMs;
    if (chosen.length > 0) this.earliestLease = Math.min(this.earliestLease, leaseExpiresAt);
    for (const rec of chosen) {
      if (rec.listed) this.unlisted(rec);
      rec.request.state = 'inflight';
      rec.request.leaseOwner = options.owner;
      rec.request.leaseExpiresAt = new Date(leaseExpiresAt);
      this.inflight.set(rec.request.id, rec);
      if (rec.request.fifo) this.line(rec.request.webhookKey).inflight.add(rec);
    }
    return chosen.map((rec) => copyRequest(rec.request));
  }

  async complete(id: string, owner: string): Promise<boolean> {
    return this.completeOne(id, owner);
  }

  async completeMany(ids: readonly string[], owner: string): Promise<string[]> {
    return this.completeNow(ids, owner);
  }

  /** Removes those of `ids` that `owner` holds, at once (no turn in between); returns their ids. */
  private completeNow(ids: readonly string[], owner: string): string[] {
    const done: string[] = [];
    for (const id of ids) if (this.completeOne(id, owner)) done.push(id);
    return done;
  }

  private completeOne(id: string, owner: string): boolean {
    const rec = this.holds(id, owner);
    if (!rec) return false;
    this.inflight.delete(id);
    this.all.delete(id);
    this.leaveLine(rec);
    return true;
  }

  async reschedule(id: string, owner: string, update: { dueAt: Date; attempts: number; lastError?: string }): Promise<boolean> {
    const rec = this.holds(id, owner);
    if (!rec) return false;
    this.inflight.delete(id);
    Object.assign(rec.request, { state: 'pending', dueAt: new Date(update.dueAt.getTime()), attempts: update.attempts, lastError: update.lastError, leaseOwner: undefined, leaseExpiresAt: undefined });
    this.park(rec);
    return true;
  }

  async deadLetter(id: string, owner: string, update: { attempts: number; lastError?: string; now: Date }): Promise<boolean> {
    const rec = this.holds(id, owner);
    if (!rec) return false;
    this.inflight.delete(id);
    Object.assign(rec.request, { state: 'dead', attempts: update.attempts, lastError: update.lastError, deadAt: new Date(update.now.getTime()), leaseOwner: undefined, leaseExpiresAt: undefined });
    this.dead.set(id, rec);
    this.deadSorted.insert(rec);
    if (rec.request.fifo === 'block') this.lines.get(rec.request.webhookKey)?.inflight.delete(rec);
    else this.leaveLine(rec);
    return true;
  }

  async renew(owner: string, ids: readonly string[], leaseMs: number, now: Date): Promise<string[]> {
    const renewed: string[] = [];
    for (const id of ids) {
      const rec = this.holds(id, owner);
      if (!rec) continue;
      rec.request.leaseExpiresAt = new Date(now.getTime() + leaseMs);
      this.earliestLease = Math.min(this.earliestLease, now.getTime() + leaseMs);
      renewed.push(id);
    }
    return renewed;
  }

  async release(owner: string, ids?: readonly string[]): Promise<number> {
    const only = ids && new Set(ids);
    let released = 0;
    for (const rec of [...this.inflight.values()]) {
      if (rec.request.leaseOwner !== owner || (only && !only.has(rec.request.id))) continue;
      this.inflight.delete(rec.request.id);
      Object.assign(rec.request, { state: 'pending', leaseOwner: undefined, leaseExpiresAt: undefined });
      this.park(rec);
      released++;
    }
    return released;
  }

  async redeliver(selector: RedeliverSelector, now: Date): Promise<string[]> {
    const only = selector.ids && new Set(selector.ids);
    const ofWebhooks = selector.webhookKeys && new Set(selector.webhookKeys);
    const redelivered: string[] = [];
    for (const rec of [...this.dead.values()]) {
      const r = rec.request;
      if (only && !only.has(r.id)) continue;
      if (ofWebhooks && !ofWebhooks.has(r.webhookKey)) continue;
      if (selector.webhookKey !== undefined && r.webhookKey !== selector.webhookKey) continue;
      if (selector.deadSince && r.deadAt!.getTime() < selector.deadSince.getTime()) continue;
      if (selector.deadUntil && r.deadAt!.getTime() > selector.deadUntil.getTime()) continue;
      this.dead.delete(r.id);
      this.deadSorted.remove(rec);
      Object.assign(r, { state: 'pending', dueAt: new Date(now.getTime()), attempts: 0, deadAt: undefined });
      if (r.fifo) this.rejoinLine(rec);
      else this.insertPending(rec);
      redelivered.push(r.id);
    }
    return redelivered;
  }

  async bringForward(webhookKey: string, now: Date): Promise<number> {
    const at = now.getTime();
    // The listed ones (each moved in both sorted lists: re-inserted at its new place), and a FIFO
    // line's requests behind its head (listed only once they head it).
    const listed = this.listedByWebhook.get(webhookKey);
    const recs = new Set<Rec>(listed ? listed.items.slice(listed.head) : []);
    for (const rec of this.lines.get(webhookKey)?.recs ?? []) recs.add(rec);
    let moved = 0;
    for (const rec of recs) {
      if (rec.request.state !== 'pending' || dueOf(rec) <= at) continue;
      // Out of the sorted lists before its due time changes: they find it by it.
      const wasListed = rec.listed === true;
      if (wasListed) this.removePending(rec);
      rec.request.dueAt = new Date(at);
      if (wasListed) this.insertPending(rec);
      moved++;
    }
    return moved;
  }

  async discard(webhookKey: string, publishedUpTo: Date, limit: number): Promise<WebhookRequest[]> {
    return this.discardNow(webhookKey, publishedUpTo, limit);
  }

  /**
   * {@link discard} and each removed request's `dropped` entry added to the store's delivery log
   * in one step (see RequestQueue.discardAndLog). Only with a log to write to.
   */
  readonly discardAndLog?: (webhookKey: string, publishedUpTo: Date, limit: number, entryOf: (request: WebhookRequest) => DeliveryLogEntry) => Promise<WebhookRequest[]>;

  /** Removes them at once (no turn in between); `entryOf`: their entries are added to the log first. */
  private discardNow(webhookKey: string, publishedUpTo: Date, limit: number, entryOf?: (request: WebhookRequest) => DeliveryLogEntry): WebhookRequest[] {
    const cut = publishedUpTo.getTime();
    const mine: Rec[] = [];
    // A scan of every request: a deletion is rare, and no index by webhook holds the dead ones.
    for (const rec of this.all.values()) {
      const { request } = rec;
      if (request.webhookKey === webhookKey && request.state !== 'inflight' && request.createdAt.getTime() <= cut) mine.push(rec);
    }
    mine.sort((a, b) => a.seq - b.seq);
    const removed = mine.slice(0, Math.max(0, Math.floor(limit)));
    // The entries first: if the log refuses them, nothing is removed (all or none).
    if (entryOf && removed.length > 0) this.log!.add(removed.map((rec) => entryOf(copyRequest(rec.request))));
    for (const rec of removed) {
      if (rec.request.state === 'dead') {
        this.dead.delete(rec.request.id);
        this.deadSorted.remove(rec);
      } else this.removePending(rec);
      this.all.delete(rec.request.id);
      this.leaveLine(rec);
    }
    return removed.map((rec) => copyRequest(rec.request));
  }

  async queuedWebhookKeys(): Promise<string[]> {
    const keys = new Set<string>();
    for (const { request } of this.all.values()) if (request.state !== 'inflight') keys.add(request.webhookKey);
    return [...keys];
  }

  readonly pagesDeadByPosition = true;

  /** Newest dead first, ties by enqueue order (later first); a position's tie is the request's enqueue sequence number. */
  async listDead(query: DeadLetterListQuery = {}): Promise<PositionedPage<WebhookRequest>> {
    const offset = Math.max(0, query.offset ?? 0);
    const limit = query.limit === undefined ? Infinity : Math.max(0, query.limit);
    const since = query.deadSince?.getTime() ?? -Infinity;
    const until = query.deadUntil?.getTime() ?? Infinity;
    const after = query.afterPosition && { at: query.afterPosition.at, seq: Number(positionSequence('deadLetters', query.afterPosition.tie)) };
    // Ascending (deadAt, seq): the listing reads it from the back, so "after the position" is "before it" here.
    const below = (rec: Rec) => deadAtOf(rec) <= until && (!after || deadAtOf(rec) < after.at || (deadAtOf(rec) === after.at && rec.seq < after.seq));
    // The matching dead letters are sorted[lo, hi), ascending.
    let sorted: Rec[];
    let lo: number;
    let hi: number;
    let total: number;
    if (query.webhookKey === undefined) {
      // Newest first: from the back of the sorted list, down to the first dead before `since`.
      sorted = this.deadSorted.items;
      lo = this.firstIndex(this.deadSorted.head, (rec) => deadAtOf(rec) < since);
      // Both prefixes of the ascending list: dead at or before `until`, and below the position.
      const end = query.deadUntil ? this.firstIndex(lo, (rec) => deadAtOf(rec) <= until) : sorted.length;
      hi = after ? this.firstIndex(lo, below) : end;
      total = end - lo;
    } else {
      // One webhook's, read from the map: the webhook's are few among many.
      const of: Rec[] = [];
      for (const rec of this.dead.values()) if (rec.request.webhookKey === query.webhookKey && deadAtOf(rec) >= since && deadAtOf(rec) <= until) of.push(rec);
      total = of.length;
      sorted = of.filter(below).sort((a, b) => (diedBefore(a, b) ? -1 : 1));
      lo = 0;
      hi = sorted.length;
    }
    const items: WebhookRequest[] = [];
    let at = hi - 1 - offset;
    for (; at >= lo && items.length < limit; at--) items.push(copyRequest(sorted[at]!.request));
    const last = sorted[at + 1]!;
    return at >= lo && items.length > 0 ? { items, total, nextPosition: { at: deadAtOf(last), tie: String(last.seq) } } : { items, total };
  }

  /** The first index from `from` on where `lies` no longer holds, in the dead letters sorted ascending. */
  private firstIndex(from: number, lies: (rec: Rec) => boolean): number {
    const list = this.deadSorted.items;
    let lo = from;
    for (let hi = list.length; lo < hi; ) {
      const mid = (lo + hi) >>> 1;
      if (lies(list[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  async get(id: string): Promise<WebhookRequest | undefined> {
    const rec = this.all.get(id);
    return rec && copyRequest(rec.request);
  }

  async counts(query: { webhookKey?: string } = {}): Promise<QueueCounts> {
    const key = query.webhookKey;
    // FIFO requests behind their line's head are pending without being listed: count from `all`.
    if (key === undefined) return { pending: this.all.size - this.inflight.size - this.dead.size, inFlight: this.inflight.size, dead: this.dead.size };
    const counts = { pending: 0, inFlight: 0, dead: 0 };
    for (const rec of this.all.values()) {
      if (rec.request.webhookKey !== key) continue;
      const state = rec.request.state;
      counts[state === 'inflight' ? 'inFlight' : state]++;
    }
    return counts;
  }

  async oldestPendingCreatedAt(): Promise<Date | undefined> {
    let oldest: number | undefined;
    for (const rec of this.all.values()) {
      if (rec.request.state !== 'pending') continue;
      const at = rec.request.createdAt.getTime();
      if (oldest === undefined || at < oldest) oldest = at;
    }
    return oldest === undefined ? undefined : new Date(oldest);
  }

  async nextDueAt(): Promise<Date | undefined> {
    const front = this.pending.first();
    let next = front && dueOf(front);
    for (const rec of this.inflight.values()) {
      const at = rec.request.leaseExpiresAt!.getTime();
      if (next === undefined || at < next) next = at;
    }
    return next === undefined ? undefined : new Date(next);
  }

  async deleteDeadOlderThan(before: Date, limit: number): Promise<number> {
    const cut = before.getTime();
    const dead = this.deadSorted;
    let deleted = 0;
    // The oldest first, from the front of the sorted list.
    for (let rec = dead.first(); deleted < limit && rec !== undefined && deadAtOf(rec) < cut; rec = dead.first()) {
      dead.head++;
      this.dead.delete(rec.request.id);
      this.all.delete(rec.request.id);
      // A dead `block` head that retention removes lets its line go on.
      if (rec.request.fifo === 'block') this.leaveLine(rec);
      deleted++;
    }
    dead.compact();
    return deleted;
  }

  private holds(id: string, owner: string): Rec | undefined {
    const rec = this.inflight.get(id);
    return rec && rec.request.leaseOwner === owner ? rec : undefined;
  }

  /** Lists `rec` in the sorted pending list and its webhook's. */
  private insertPending(rec: Rec): void {
    rec.listed = true;
    const key = rec.request.webhookKey;
    let listed = this.listedByWebhook.get(key);
    if (!listed) this.listedByWebhook.set(key, (listed = new SortedList<Rec>(before)));
    listed.insert(rec);
    this.pending.insert(rec);
  }

  private removePending(rec: Rec): void {
    if (!rec.listed) return;
    this.pending.remove(rec);
    this.unlisted(rec);
  }

  /** `rec` left the sorted pending list: out of its webhook's too. */
  private unlisted(rec: Rec): void {
    rec.listed = false;
    const key = rec.request.webhookKey;
    const listed = this.listedByWebhook.get(key)!;
    listed.remove(rec);
    if (listed.size === 0) this.listedByWebhook.delete(key);
  }

  /** How many listed requests belong to webhooks outside `excluded`. */
  private listedOutside(excluded: ReadonlySet<string>): number {
    let outside = this.pending.size;
    for (const key of excluded) outside -= this.listedByWebhook.get(key)?.size ?? 0;
    return outside;
  }

  private line(webhookKey: string): Line {
    let line = this.lines.get(webhookKey);
    if (!line) this.lines.set(webhookKey, (line = { recs: [], inflight: new Set() }));
    return line;
  }

  /** A FIFO request may be claimed only as its line's head while no other of the line is out under a live lease. */
  private mayGo(rec: Rec, now: number): boolean {
    if (!rec.request.fifo) return true;
    const line = this.lines.get(rec.request.webhookKey);
    if (!line || line.recs[0] !== rec) return false;
    for (const other of line.inflight) if (other !== rec && other.request.leaseExpiresAt!.getTime() > now) return false;
    return true;
  }

  /** A request became pending: listed, unless it is a FIFO request behind its line's head. */
  private park(rec: Rec): void {
    if (rec.request.fifo) {
      const line = this.line(rec.request.webhookKey);
      line.inflight.delete(rec);
      if (line.recs[0] !== rec) return;
    }
    this.insertPending(rec);
  }

  /** A FIFO request left its line (delivered, dead with `skip`, deleted): the next one heads it. */
  private leaveLine(rec: Rec): void {
    if (!rec.request.fifo) return;
    const line = this.lines.get(rec.request.webhookKey);
    if (!line) return;
    line.inflight.delete(rec);
    const at = line.recs.indexOf(rec);
    if (at < 0) return;
    line.recs.splice(at, 1);
    if (line.recs.length === 0) {
      this.lines.delete(rec.request.webhookKey);
      return;
    }
    const head = line.recs[0]!;
    if (at === 0 && head.request.state === 'pending' && !head.listed) this.insertPending(head);
  }

  /** A redelivered FIFO request takes its place in the line again (by enqueue order), ahead of later ones. */
  private rejoinLine(rec: Rec): void {
    const line = this.line(rec.request.webhookKey);
    if (!line.recs.includes(rec)) {
      let at = line.recs.length;
      while (at > 0 && line.recs[at - 1]!.seq > rec.seq) at--;
      line.recs.splice(at, 0, rec);
    }
    if (line.recs[0] !== rec) return;
    const previous = line.recs[1];
    if (previous) this.removePending(previous);
    this.insertPending(rec);
  }
}

