import { statusClassOf, type DeliveryLog, type DeliveryLogPage, type DeliveryLogQuery, type StatusClass } from '../../ports/delivery-log';
import type { DeliveryLogEntry } from '../../model/delivery-log-entry';
import { cloneData, copyLogEntry } from './clone-data';

interface Stored {
  entry: DeliveryLogEntry;
  /** Append order: breaks ties between equal dates. */
  seq: number;
}

const newestFirst = (a: Stored, b: Stored) => b.entry.date.getTime() - a.entry.date.getTime() || b.seq - a.seq;

/**
 * The delivery log in memory, holding at most `maxEntries` entries: past that, each append
 * drops the entries appended earliest (a ring, not an error), so a long-running process on the
 * in-memory backend does not grow without end while `keepLogsForDays` (30 by default) has not
 * yet passed.
 */
export class MemoryDeliveryLog implements DeliveryLog {
  private readonly byKey = new Map<string, Stored>();
  /** How many entries each request id has: the queue asks whether an idempotent publish's id was seen (see {@link hasRequest}). */
  private readonly perRequest = new Map<string, number>();
  private seq = 0;

  constructor(private readonly maxEntries = Infinity) {}

  async append(entries: readonly DeliveryLogEntry[]): Promise<void> {
    for (const entry of entries) {
      // Deleted first: an entry written again under its key moves to the newest end (a Map keeps a key's first place).
      this.remove(entry.key);
      this.byKey.set(entry.key, { entry: copyLogEntry(entry), seq: this.seq++ });
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
    const stored = this.byKey.get(key);
    if (!stored) return;
    this.byKey.delete(key);
    const left = this.perRequest.get(stored.entry.requestId)! - 1;
    if (left > 0) this.perRequest.set(stored.entry.requestId, left);
    else this.perRequest.delete(stored.entry.requestId);
  }

  async list(query: DeliveryLogQuery = {}): Promise<DeliveryLogPage> {
    const outcomes = query.outcomes && new Set(query.outcomes);
    const classes = query.statusClasses && new Set<StatusClass | undefined>(query.statusClasses);
    const matching: Stored[] = [];
    for (const stored of this.byKey.values()) {
      const { entry } = stored;
      if (query.webhookKey !== undefined && entry.webhookKey !== query.webhookKey) continue;
      if (query.eventAlias !== undefined && entry.eventAlias !== query.eventAlias) continue;
      if (query.requestId !== undefined && entry.requestId !== query.requestId) continue;
      if (outcomes && !outcomes.has(entry.outcome)) continue;
      if (classes && !classes.has(statusClassOf(entry.statusCode))) continue;
      matching.push(stored);
    }
    matching.sort(newestFirst);
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 50;
    return { items: matching.slice(offset, offset + limit).map((s) => cloneData(s.entry)), total: matching.length };
  }

  async get(key: string): Promise<DeliveryLogEntry | undefined> {
    const stored = this.byKey.get(key);
    return stored && cloneData(stored.entry);
  }

  async deleteOlderThan(before: Date, limit: number): Promise<number> {
    const cut = before.getTime();
    const old: Stored[] = [];
    for (const s of this.byKey.values()) if (s.entry.date.getTime() < cut) old.push(s);
    // Oldest first, so a bounded cleanup makes steady progress from the back of the log.
    const doomed = old.sort((a, b) => a.entry.date.getTime() - b.entry.date.getTime() || a.seq - b.seq).slice(0, Math.max(0, limit));
    for (const s of doomed) this.remove(s.entry.key);
    return doomed.length;
  }
}
