import { randomUUID } from 'node:crypto';
import { ReceiverError } from '../errors/receiver-error';
import { checkOptionKeys, isPlainOptions, kindOf, shown } from '../option-keys';
import type { DedupeClaim, DedupeStore } from './dedupe-store';

/** Options of {@link memoryDedupeStore}. */
export interface MemoryDedupeStoreOptions {
  /**
   * Most ids remembered at once (default 10,000) — a hard limit, so the store's memory is bounded
   * whoever sends (ids are at most 256 characters: the receiver refuses longer ones). When full,
   * the least recently written processed ids are forgotten first, and a forgotten id that comes
   * back is processed again; so size it above the number of requests you receive within
   * `retainMs`, and at least above those within 10 minutes: a signed request stays verifiable
   * that long, and a captured copy of one whose id was forgotten for room could be replayed and
   * processed again (only verified requests claim ids, so it takes the sender's own traffic, not
   * an attacker's, to push an id out). Ids being handled right now are never forgotten for room:
   * when all `maxEntries` are, a new claim fails (the receiver answers 500
   * RECEIVER_ERR_DEDUPE_STORE, and the sender retries).
   */
  maxEntries?: number;
  /** The clock, ms since the epoch (tests). Default: `Date.now`. */
  now?: () => number;
}

interface Entry {
  state: 'processing' | 'done';
  token: string;
  expiresAt: number;
}

/**
 * The default {@link DedupeStore}: a map in this process bounded by `maxEntries`, with no timers
 * (expired entries are dropped as they are met). Right for one process; it forgets on restart and
 * is not shared between workers — use a Redis or SQL store for that (see docs/receiver.md).
 */
export function memoryDedupeStore(options: MemoryDedupeStoreOptions = {}): DedupeStore {
  if (!isPlainOptions(options)) throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `memoryDedupeStore() takes options such as { maxEntries: 10000 }; got ${kindOf(options)}`);
  checkOptionKeys('memoryDedupeStore()', options, ['maxEntries', 'now']);
  if (options.now !== undefined && typeof options.now !== 'function') throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `memoryDedupeStore() was given now as ${kindOf(options.now)}; give a function returning ms since the epoch, or leave it out`);
  const maxEntries = options.maxEntries ?? 10_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `memoryDedupeStore() was given maxEntries ${shown(maxEntries)}; use a whole number from 1`);
  }
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order, and every write re-inserts: the first entries are the
  // least recently written, which is what is evicted first.
  const entries = new Map<string, Entry>();

  const live = (id: string, at: number): Entry | undefined => {
    const entry = entries.get(id);
    if (entry && entry.expiresAt <= at) {
      entries.delete(id);
      return undefined;
    }
    return entry;
  };
  /** Room for one more id: expired and processed entries go, oldest first; running claims stay. */
  const makeRoom = (at: number): boolean => {
    if (entries.size < maxEntries) return true;
    for (const [oldId, old] of entries) {
      // A live claim is a handler running now: forgetting it would let a retry of its id run
      // beside it, and its completion find nothing to mark done.
      if (old.state === 'processing' && old.expiresAt > at) continue;
      entries.delete(oldId);
      if (entries.size < maxEntries) return true;
    }
    return false;
  };

  return {
    async claim(id: string, leaseMs: number): Promise<DedupeClaim> {
      const at = now();
      const entry = live(id, at);
      if (entry) return { status: entry.state === 'done' ? 'done' : 'in-progress' };
      if (!makeRoom(at)) {
        throw new ReceiverError(
          'RECEIVER_ERR_DEDUPE_STORE',
          `memoryDedupeStore holds ${maxEntries} ids (its maxEntries), each being handled right now, so ${id.length > 60 ? `${id.slice(0, 60)}…` : id} can't be claimed; the sender will retry — raise maxEntries above the number of handlers that run at once`,
        );
      }
      const token = randomUUID();
      entries.set(id, { state: 'processing', token, expiresAt: at + leaseMs });
      return { status: 'claimed', token };
    },
    async complete(id: string, token: string, retainMs: number): Promise<void> {
      // Even past its lease, a claim nobody took over is still this worker's: the work is done.
      if (entries.get(id)?.token !== token) return;
      entries.delete(id);
      entries.set(id, { state: 'done', token, expiresAt: now() + retainMs });
    },
    async release(id: string, token: string): Promise<void> {
      if (entries.get(id)?.token === token) entries.delete(id);
    },
  };
}
