import { randomUUID } from 'node:crypto';
import { ReceiverError } from '../errors/receiver-error';
import { checkOptionKeys, isPlainOptions, kindOf, shown } from '../option-keys';
import { REPLAY_WINDOW_MS } from '../verification/signature-verifier';
import type { DedupeClaim, DedupeStore } from './dedupe-store';

/** Options of {@link memoryDedupeStore}. */
export interface MemoryDedupeStoreOptions {
  /**
   * Most ids remembered at once (default 10,000). When full, the oldest processed entries are
   * forgotten first — a forgotten id that is redelivered is processed again, so size this above
   * the number of requests you receive within `retainMs`. Two kinds of id are never forgotten
   * for room, so the store may hold more than `maxEntries` while they last:
   * - ids being handled right now (until they end);
   * - ids processed within the last 10 minutes, the time a signed request stays verifiable (its
   *   timestamp may be up to `TIMESTAMP_TOLERANCE_SECONDS` ahead of this clock and verifies until
   *   as long past it): forgetting one would let a captured copy of its request be replayed and
   *   processed again. At R requests per second that is up to R × 600 ids.
   */
  maxEntries?: number;
  /** The clock, ms since the epoch (tests). Default: `Date.now`. */
  now?: () => number;
}

interface Entry {
  state: 'processing' | 'done';
  token: string;
  /** When the entry was written, ms since the epoch. */
  writtenAt: number;
  expiresAt: number;
}

/**
 * The default {@link DedupeStore}: a bounded map in this process, with no timers (expired
 * entries are dropped as they are met). Right for one process; it forgets on restart and is not
 * shared between workers — use a Redis or SQL store for that (see docs/receiver.md).
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
  // least recently written, which is what expires and what is evicted first.
  const entries = new Map<string, Entry>();

  const live = (id: string, at: number): Entry | undefined => {
    const entry = entries.get(id);
    if (entry && entry.expiresAt <= at) {
      entries.delete(id);
      return undefined;
    }
    return entry;
  };
  const write = (id: string, entry: Entry, at: number) => {
    entries.delete(id);
    entries.set(id, entry);
    for (const [oldId, old] of entries) {
      const expired = old.expiresAt <= at;
      if (entries.size <= maxEntries && !expired) break;
      if (!expired) {
        // A live claim is a handler running now: forgetting it would let a retry of its id run
        // beside it, and its completion find nothing to mark done. So the map may hold more than
        // maxEntries by the number of handlers running at once.
        if (old.state === 'processing') continue;
        // Entries are in the order written: this one and every one after it were processed
        // within the replay window, where a forgotten id could be replayed. Keep them all.
        if (old.writtenAt > at - REPLAY_WINDOW_MS) break;
      }
      entries.delete(oldId);
    }
  };

  return {
    async claim(id: string, leaseMs: number): Promise<DedupeClaim> {
      const at = now();
      const entry = live(id, at);
      if (entry) return { status: entry.state === 'done' ? 'done' : 'in-progress' };
      const token = randomUUID();
      write(id, { state: 'processing', token, writtenAt: at, expiresAt: at + leaseMs }, at);
      return { status: 'claimed', token };
    },
    async complete(id: string, token: string, retainMs: number): Promise<void> {
      // Even past its lease, a claim nobody took over is still this worker's: the work is done.
      if (entries.get(id)?.token !== token) return;
      const at = now();
      write(id, { state: 'done', token, writtenAt: at, expiresAt: at + retainMs }, at);
    },
    async release(id: string, token: string): Promise<void> {
      if (entries.get(id)?.token === token) entries.delete(id);
    },
  };
}
