import { statusClassOf, type DeliveryLog, type DeliveryLogListQuery, type DeliveryLogPage, type StatusClass } from '../../ports/delivery-log';
import { positionSequence } from '../../model/list-cursor';
import type { DeliveryLogEntry } from '../../model/delivery-log-entry';
import { cloneData, copyLogEntry } from './clone-data';

/**
 * The delivery log in memory, holding at most `maxEntries` entries: past that, each append
 * drops the entries appended earliest (a ring, not an error), so a long-running process on the
 * in-memory backend does not grow without end while `keepLogsForDays` (30 by default) has not
 * yet passed.
 */
export class MemoryDeliveryLog implements DeliveryLog {
  /**
   * The entries (copies) by key, in append order: a Map iterates in insertion order, and an entry
   * written again is deleted first (the ring drops the earliest from the front).
   */
  private readonly byKey = new Map<string, DeliveryLogEntry>();
  /** Each entry's append sequence number, by key: the listing's tie-breaker, and a position's. */
  private readonly seqOf = new Map<string, number>();
  private seq = 0;
  /** How many entries each request id has: the queue asks whether an idempotent publish's id was seen (see {@link hasRequest}). */
  private readonly perRequest = new Map<string, number>();
  constructor(private readonly maxEntries = Infinity) {}

  async append(entries: readonly DeliveryLogEntry[]): Promise<void> {
    this.add(entries);
  }

  /** {@link append} at once, for the queue's completeAndLog (one step with the requests' removal). */
  add(entries: readonly DeliveryLogEntry[]): void {
    for (const entry of entries) {
      // Deleted first: an entry written again under its key moves to the newest end (a Map keeps a key's first place).
      this.remove(entry.key);
      this.byKey.set(entry.key, copyLogEntry(entry));
      this.seqOf.set(entry.key, ++this.seq);
      this.perRequest.set(entry.requestId, (this.perRequest.get(entry.requestId) ?? 0) + 1);
    }
    // A Map iterates in insertion order: its first keys are the earliest appended.
    if (this.byKey.size > this.maxEntries) {
      const keys = this.byKey.keys();
      for (let excess = this.byKey.size - this.maxEntries; excess > 0; excess--) this.remove(keys.next().value as string);
    }
  }

  /** Whether the log holds an entry of this request (as the SQL stores look their log up for a keyed publish's ids). */
  hasRequest(requestId: string): boolean {
    return this.perRequest.has(requestId);
  }

  private remove(key: string): void {
    const entry = this.byKey.get(key);
    if (!entry) return;
    this.byKey.delete(key);
    this.seqOf.delete(key);
    const left = this.perRequest.get(entry.requestId)! - 1;
    if (left > 0) this.perRequest.set(entry.requestId, left);
    else this.perRequest.delete(entry.requestId);
  }

  readonly pagesByPosition = true;

  async list(query: DeliveryLogListQuery = {}): Promise<DeliveryLogPage> {
    const outcomes = query.outcomes && new Set(query.outcomes);
    const classes = query.statusClasses && new Set<StatusClass | undefined>(query.statusClasses);
    const after = query.afterPosition && { at: query.afterPosition.at, seq: Number(positionSequence('logs', query.afterPosition.tie)) };
    const matching: { entry: DeliveryLogEntry; at: number; seq: number }[] = [];
    let total = 0;
    for (const entry of this.byKey.values()) {
      if (query.webhookKey !== undefined && entry.webhookKey !== query.webhookKey) continue;
      if (query.eventAlias !== undefined && entry.eventAlias !== query.eventAlias) continue;
      if (query.requestId !== undefined && entry.requestId !== query.requestId) continue;
      if (outcomes && !outcomes.has(entry.outcome)) continue;
      if (classes && !classes.has(statusClassOf(entry.statusCode))) continue;
      total++;
      const at = entry.date.getTime();
      const seq = this.seqOf.get(entry.key)!;
      if (after && (at > after.at || (at === after.at && seq >= after.seq))) continue;
      matching.push({ entry, at, seq });
    }
    // Newest first; among entries of one date, the later appended first.
    matching.sort((a, b) => b.at - a.at || b.seq - a.seq);
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 50;
    const page = matching.slice(offset, offset + limit);
    const last = page[page.length - 1];
    const items = page.map(({ entry }) => cloneData(entry));
    return last && offset + limit < matching.length ? { items, total, nextPosition: { at: last.at, tie: String(last.seq) } } : { items, total };
  }

  async get(key: string): Promise<DeliveryLogEntry | undefined> {
    const entry = this.byKey.get(key);
    return entry && cloneData(entry);
  }

  async deleteOlderThan(before: Date, limit: number): Promise<number> {
    const cut = before.getTime();
    const old: DeliveryLogEntry[] = [];
    for (const entry of this.byKey.values()) if (entry.date.getTime() < cut) old.push(entry);
    // Oldest first (earlier appended first among entries of one date: a stable sort of append
    // order), so a bounded cleanup makes steady progress from the back of the log.
    const doomed = old.sort((a, b) => a.date.getTime() - b.date.getTime()).slice(0, Math.max(0, limit));
    for (const entry of doomed) this.remove(entry.key);
    return doomed.length;
  }
}
