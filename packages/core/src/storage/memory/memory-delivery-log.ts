import type { DeliveryLog, DeliveryLogPage } from '../../ports/delivery-log';
import type { DeliveryLogEntry } from '../../model/delivery-log-entry';
import { cloneData } from './clone-data';

interface Stored {
  entry: DeliveryLogEntry;
  /** Append order: breaks ties between equal dates. */
  seq: number;
}

/** The delivery log in memory, kept per webhook. */
export class MemoryDeliveryLog implements DeliveryLog {
  private readonly byWebhook = new Map<string, Stored[]>();
  private seq = 0;

  async append(entries: readonly DeliveryLogEntry[]): Promise<void> {
    for (const entry of entries) {
      let list = this.byWebhook.get(entry.webhookKey);
      if (!list) this.byWebhook.set(entry.webhookKey, (list = []));
      list.push({ entry: cloneData(entry), seq: this.seq++ });
    }
  }

  async list(webhookKey: string, page: { limit?: number; offset?: number } = {}): Promise<DeliveryLogPage> {
    const matching = [...(this.byWebhook.get(webhookKey) ?? [])].sort((a, b) => b.entry.date.getTime() - a.entry.date.getTime() || b.seq - a.seq);
    const offset = page.offset ?? 0;
    const limit = page.limit ?? 50;
    return { items: matching.slice(offset, offset + limit).map((s) => cloneData(s.entry)), total: matching.length };
  }

  async deleteOlderThan(before: Date, limit: number): Promise<number> {
    const cut = before.getTime();
    const old: Stored[] = [];
    for (const list of this.byWebhook.values()) for (const s of list) if (s.entry.date.getTime() < cut) old.push(s);
    // Oldest first, so a bounded cleanup makes steady progress from the back of the log.
    const doomed = new Set(old.sort((a, b) => a.entry.date.getTime() - b.entry.date.getTime() || a.seq - b.seq).slice(0, Math.max(0, limit)));
    if (doomed.size === 0) return 0;
    for (const [key, list] of this.byWebhook) {
      const kept = list.filter((s) => !doomed.has(s));
      if (kept.length === 0) this.byWebhook.delete(key);
      else if (kept.length !== list.length) this.byWebhook.set(key, kept);
    }
    return doomed.size;
  }
}
