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
  private seq = 0;

  constructor(private readonly maxEntries = Infinity) {}

  async append(entries: readonly DeliveryLogEntry[]): Promise<void> {
    for (const entry of entries) {
      // Deleted first: an entry written again under its key moves to the newest end (a Map keeps a key's first place).
      this.byKey.delete(entry.key);
      this.byKey.set(entry.key, { entry: copyLogEntry(entry), seq: this.seq++ });
    }
    // A Map iterates in insertion order: its first keys are the earliest appended.
    if (this.byKey.size > this.maxEntries) {
      const keys = this.byKey.keys();
      for (let excess = this.byKey.size - this.maxEntries; excess > 0; excess--) this.byKey.delete(keys.next().value as string);
    }
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
    for (const s of doomed) this.byKey.delete(s.entry.key);
    return doomed.length;
  }
}
