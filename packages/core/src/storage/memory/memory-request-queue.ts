import { HookworkError } from '../../errors/hookwork-error';
import type { ClaimOptions, EnqueueOptions, QueueCounts, RedeliverSelector, RequestQueue } from '../../ports/request-queue';
import type { Page, PageRequest } from '../../model/page';
import type { NewWebhookRequest, WebhookRequest } from '../../model/webhook-request';
import { cloneData } from './clone-data';

interface Rec {
  request: WebhookRequest;
  /** Enqueue order: breaks ties between equal due times. */
  seq: number;
}

const dueOf = (rec: Rec) => rec.request.dueAt.getTime();
const before = (a: Rec, b: Rec) => dueOf(a) < dueOf(b) || (dueOf(a) === dueOf(b) && a.seq < b.seq);

/**
 * The request queue in memory: for tests and apps that accept losing queued requests on exit.
 * Pending requests are kept sorted by due time, so a claim reads only the due front of the
 * queue instead of sorting the whole backlog on every call.
 */
export class MemoryRequestQueue implements RequestQueue {
  private readonly all = new Map<string, Rec>();
  /** Sorted by (dueAt, seq). */
  private pending: Rec[] = [];
  private readonly inflight = new Map<string, Rec>();
  private readonly dead = new Map<string, Rec>();
  private seq = 0;

  async enqueue(requests: readonly NewWebhookRequest[], options?: EnqueueOptions<never>): Promise<void> {
    if (options?.transaction !== undefined) {
      throw new HookworkError('HOOKWORK_ERR_ENQUEUE_FAILED', 'the in-memory queue cannot enqueue inside a host transaction; use a backend that supports it (PostgreSQL) or publish without { transaction }');
    }
    const seen = new Set<string>();
    for (const r of requests) {
      if (this.all.has(r.id) || seen.has(r.id)) throw new HookworkError('HOOKWORK_ERR_ENQUEUE_FAILED', `a request with the id ${r.id} is already queued; nothing of this batch was stored`);
      seen.add(r.id);
    }
    for (const r of requests) {
      const rec: Rec = { request: { ...cloneData(r), state: 'pending', attempts: 0 }, seq: this.seq++ };
      this.all.set(r.id, rec);
      this.insertPending(rec);
    }
  }

  async claim(options: ClaimOptions): Promise<WebhookRequest[]> {
    const now = options.now.getTime();
    const limit = Math.max(0, options.limit);
    const excluded = options.excludeWebhookKeys?.length ? new Set(options.excludeWebhookKeys) : undefined;
    const candidates: Rec[] = [];
    for (const rec of this.inflight.values()) {
      if (rec.request.leaseExpiresAt!.getTime() <= now && !excluded?.has(rec.request.webhookKey)) candidates.push(rec);
    }
    // Only the due front of the sorted pending list is read, and only until `limit` are found.
    let scanned = 0;
    let picked = 0;
    while (scanned < this.pending.length && picked < limit && dueOf(this.pending[scanned]!) <= now) {
      const rec = this.pending[scanned++]!;
      if (excluded?.has(rec.request.webhookKey)) continue;
      candidates.push(rec);
      picked++;
    }
    const chosen = candidates.sort((a, b) => (before(a, b) ? -1 : 1)).slice(0, limit);
    const chosenSet = new Set(chosen);
    this.pending.splice(0, scanned, ...this.pending.slice(0, scanned).filter((rec) => !chosenSet.has(rec)));
    const leaseExpiresAt = now + options.leaseMs;
    for (const rec of chosen) {
      Object.assign(rec.request, { state: 'inflight', leaseOwner: options.owner, leaseExpiresAt: new Date(leaseExpiresAt) });
      this.inflight.set(rec.request.id, rec);
    }
    return chosen.map((rec) => cloneData(rec.request));
  }

  async complete(id: string, owner: string): Promise<boolean> {
    if (!this.holds(id, owner)) return false;
    this.inflight.delete(id);
    this.all.delete(id);
    return true;
  }

  async completeMany(ids: readonly string[], owner: string): Promise<string[]> {
    const done: string[] = [];
    for (const id of ids) if (await this.complete(id, owner)) done.push(id);
    return done;
  }

  async reschedule(id: string, owner: string, update: { dueAt: Date; attempts: number; lastError?: string }): Promise<boolean> {
    const rec = this.holds(id, owner);
    if (!rec) return false;
    this.inflight.delete(id);
    Object.assign(rec.request, { state: 'pending', dueAt: new Date(update.dueAt.getTime()), attempts: update.attempts, lastError: update.lastError, leaseOwner: undefined, leaseExpiresAt: undefined });
    this.insertPending(rec);
    return true;
  }

  async deadLetter(id: string, owner: string, update: { attempts: number; lastError?: string; now: Date }): Promise<boolean> {
    const rec = this.holds(id, owner);
    if (!rec) return false;
    this.inflight.delete(id);
    Object.assign(rec.request, { state: 'dead', attempts: update.attempts, lastError: update.lastError, deadAt: new Date(update.now.getTime()), leaseOwner: undefined, leaseExpiresAt: undefined });
    this.dead.set(id, rec);
    return true;
  }

  async renew(owner: string, ids: readonly string[], leaseMs: number, now: Date): Promise<string[]> {
    const renewed: string[] = [];
    for (const id of ids) {
      const rec = this.holds(id, owner);
      if (!rec) continue;
      rec.request.leaseExpiresAt = new Date(now.getTime() + leaseMs);
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
      this.insertPending(rec);
      released++;
    }
    return released;
  }

  async redeliver(selector: RedeliverSelector, now: Date): Promise<string[]> {
    const only = selector.ids && new Set(selector.ids);
    const redelivered: string[] = [];
    for (const rec of [...this.dead.values()]) {
      const r = rec.request;
      if (only && !only.has(r.id)) continue;
      if (selector.webhookKey !== undefined && r.webhookKey !== selector.webhookKey) continue;
      if (selector.deadSince && r.deadAt!.getTime() < selector.deadSince.getTime()) continue;
      this.dead.delete(r.id);
      Object.assign(r, { state: 'pending', dueAt: new Date(now.getTime()), attempts: 0, deadAt: undefined });
      this.insertPending(rec);
      redelivered.push(r.id);
    }
    return redelivered;
  }

  async listDead(query: { webhookKey?: string } & PageRequest = {}): Promise<Page<WebhookRequest>> {
    const offset = query.offset ?? 0;
    const matching = [...this.dead.values()]
      .filter((rec) => query.webhookKey === undefined || rec.request.webhookKey === query.webhookKey)
      .sort((a, b) => b.request.deadAt!.getTime() - a.request.deadAt!.getTime() || b.seq - a.seq);
    return {
      items: matching.slice(offset, query.limit === undefined ? undefined : offset + query.limit).map((rec) => cloneData(rec.request)),
      total: matching.length,
    };
  }

  async get(id: string): Promise<WebhookRequest | undefined> {
    const rec = this.all.get(id);
    return rec && cloneData(rec.request);
  }

  async counts(query: { webhookKey?: string } = {}): Promise<QueueCounts> {
    const key = query.webhookKey;
    if (key === undefined) return { pending: this.pending.length, inFlight: this.inflight.size, dead: this.dead.size };
    const count = (recs: Iterable<Rec>) => {
      let n = 0;
      for (const rec of recs) if (rec.request.webhookKey === key) n++;
      return n;
    };
    return { pending: count(this.pending), inFlight: count(this.inflight.values()), dead: count(this.dead.values()) };
  }

  async nextDueAt(): Promise<Date | undefined> {
    let next = this.pending.length > 0 ? dueOf(this.pending[0]!) : undefined;
    for (const rec of this.inflight.values()) {
      const at = rec.request.leaseExpiresAt!.getTime();
      if (next === undefined || at < next) next = at;
    }
    return next === undefined ? undefined : new Date(next);
  }

  async deleteDeadOlderThan(before: Date, limit: number): Promise<number> {
    const cut = before.getTime();
    const doomed = [...this.dead.values()]
      .filter((rec) => rec.request.deadAt!.getTime() < cut)
      .sort((a, b) => a.request.deadAt!.getTime() - b.request.deadAt!.getTime() || a.seq - b.seq)
      .slice(0, Math.max(0, limit));
    for (const rec of doomed) {
      this.dead.delete(rec.request.id);
      this.all.delete(rec.request.id);
    }
    return doomed.length;
  }

  private holds(id: string, owner: string): Rec | undefined {
    const rec = this.inflight.get(id);
    return rec && rec.request.leaseOwner === owner ? rec : undefined;
  }

  /** Binary insertion; new requests (due now, latest seq) usually land at the end in O(1). */
  private insertPending(rec: Rec): void {
    const list = this.pending;
    if (list.length === 0 || !before(rec, list[list.length - 1]!)) {
      list.push(rec);
      return;
    }
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(list[mid]!, rec)) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, rec);
  }
}
