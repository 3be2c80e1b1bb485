import type { PublishResult } from '@hookwork/core';
import type { CockpitHost } from '@hookwork/plugin-cockpit';

/** A collection entry as Cockpit keeps it: its fields plus `_id`. */
export interface Entry {
  _id: string;
  [field: string]: unknown;
}

/**
 * The host's own content store — a stand-in for Cockpit's collections module, kept in memory.
 * It fires Cockpit's events where Cockpit's `modules/Collections/bootstrap.php` does, with the
 * same positional arguments, so Cockpit webhooks work unchanged.
 */
export class CollectionsStore {
  private readonly collections = new Map<string, Map<string, Entry>>();
  private nextId = 1;

  constructor(private readonly cockpit: CockpitHost) {}

  /**
   * Saves an entry (new when it has no `_id`) and fires `collections.save.after` with
   * `[name, entry, isUpdate]`; hookwork also fires `collections.save.after.<name>` by itself.
   * Resolves once the webhook requests are durably queued. The entry is stored only when the
   * trigger went through: a refused trigger (it throws) or one whose event failed (it resolves
   * with `failures`, e.g. a body over maxPayloadBytes) leaves the store unchanged, as a host's
   * transaction would roll back.
   */
  async save(name: string, data: Omit<Entry, '_id'> & { _id?: string }): Promise<Entry> {
    const entries = this.collection(name);
    const isUpdate = data._id !== undefined && entries.has(data._id);
    // Ids are a counter rather than random so the example's output is the same at every run.
    const entry: Entry = { ...data, _id: data._id ?? `${name}-${this.nextId++}` };
    sent(await this.cockpit.trigger('collections.save.after', name, entry, isUpdate));
    entries.set(entry._id, entry);
    return entry;
  }

  /**
   * Removes the entries matching `criteria` (field equality) and fires `collections.remove.after`
   * with `[name, result]`, Cockpit's storage result: here, how many entries were removed.
   */
  async remove(name: string, criteria: Partial<Entry>): Promise<number> {
    const entries = this.collection(name);
    const matching = [...entries.values()].filter((entry) => Object.entries(criteria).every(([field, value]) => entry[field] === value));
    sent(await this.cockpit.trigger('collections.remove.after', name, matching.length));
    for (const entry of matching) entries.delete(entry._id);
    return matching.length;
  }

  /** The entries of a collection, in save order. */
  find(name: string): Entry[] {
    return [...this.collection(name).values()];
  }

  private collection(name: string): Map<string, Entry> {
    let entries = this.collections.get(name);
    if (!entries) this.collections.set(name, (entries = new Map()));
    return entries;
  }
}

/**
 * Throws when a trigger resolved with failures: an event whose requests could not be made (its
 * payload over maxPayloadBytes, a replacement class that threw) enqueued nothing for its
 * webhooks, and trigger() reports that in its result rather than by rejecting.
 */
function sent(result: PublishResult): void {
  if (result.failures.length === 0) return;
  const reasons = result.failures.map(({ eventAlias, error }) => `${eventAlias}: ${(error.cause as Error | undefined)?.message ?? error.message}`);
  throw new Error(`the webhooks got nothing, so the change was not made: ${reasons.join('; ')}`);
}
