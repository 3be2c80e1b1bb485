import { randomUUID } from 'node:crypto';
import { ReceiverError } from '../errors/receiver-error';
import { checkOptionKeys, isPlainOptions, kindOf, shown, readOptionsOnce } from '../option-keys';
import type { DedupeClaim, DedupeCompleteOptions, DedupeStore } from './dedupe-store';

/** Options of {@link memoryDedupeStore}. */
export interface MemoryDedupeStoreOptions {
  /**
   * Most ids remembered at once (default {@link DEFAULT_MEMORY_DEDUPE_MAX_ENTRIES}) — a hard
   * limit, so the store's memory is bounded whoever sends (ids are at most 256 characters: the
   * receiver refuses longer ones). When full, it forgets first the ids whose retention ran out,
   * then the least recently written processed ids that no request can replay any more (their signed
   * timestamp is past the tolerance, or their request was unsigned): such an id that comes back is
   * a sender's retry or redelivery, processed again (at least once). It never forgets an id being
   * handled, nor a processed one whose signed request still verifies (a captured copy replayed
   * would be processed again): when all `maxEntries` are such ids, a new claim fails with
   * RECEIVER_ERR_DEDUPE_STORE_FULL, answered 503 with Retry-After, and the sender retries later.
   * So size it above the requests of 10 minutes (the longest a signed request verifies), and above
   * those of `retainMs` if retries and redeliveries must be recognised that long.
   */
  maxEntries?: number;
  /** The clock, ms since the epoch (tests). Default: `Date.now`. */
  now?: () => number;
}

/**
 * The default `maxEntries` of {@link memoryDedupeStore}: 100,000 ids — 23 MB of heap with
 * 31-character ids, 53 MB with 256-character ones (the longest the receiver takes), measured on
 * Node 20. It refuses new ids (503) only above about 160 signed requests a second sustained (ids
 * are kept up to 10 minutes while they verify; about 330 a second from a sender whose clock agrees
 * with the receiver's), and recognises a retry for the default 24 hours up to about one request a
 * second.
 */
export const DEFAULT_MEMORY_DEDUPE_MAX_ENTRIES = 100_000;

interface Entry {
  state: 'processing' | 'done';
  token: string;
  /** When the id is forgotten: the lease's end, or the retention's. */
  expiresAt: number;
  /** Before this, the id is not forgotten for room: a running claim's lease, a signed request's verifiable time. */
  keepUntil: number;
}

/**
 * The default {@link DedupeStore}: a map in this process bounded by `maxEntries`, with no timers
 * (expired entries are dropped as they are met, and all at once when the map is full). Right for
 * one process; it forgets on restart and is not shared between workers — use a Redis or SQL store
 * for that (see docs/receiver.md).
 */
export function memoryDedupeStore(options: MemoryDedupeStoreOptions = {}): DedupeStore {
  options = readOptionsOnce('memoryDedupeStore()', options);
  if (!isPlainOptions(options)) throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `memoryDedupeStore() takes options such as { maxEntries: 100000 }; got ${kindOf(options)}`);
  checkOptionKeys('memoryDedupeStore()', options, ['maxEntries', 'now']);
  if (options.now !== undefined && typeof options.now !== 'function') throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `memoryDedupeStore() was given now as ${kindOf(options.now)}; give a function returning ms since the epoch, or leave it out`);
  const maxEntries = options.maxEntries ?? DEFAULT_MEMORY_DEDUPE_MAX_ENTRIES;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `memoryDedupeStore() was given maxEntries ${shown(maxEntries)}; use a whole number from 1`);
  }
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order, and every write re-inserts: the first entries are the
  // least recently written, which is what is evicted first.
  const entries = new Map<string, Entry>();
  // Room is made a batch at a time, so the scan that finds it (the whole map) runs once per
  // `batch` claims, not at every claim of a full store.
  const batch = Math.max(1, Math.floor(maxEntries / 100));
  // When a scan found nothing it may forget: no scan again before the first kept entry's time
  // runs out (or a complete() leaves an id that may go sooner), so a full store refuses at once.
  let fullUntil = 0;

  const live = (id: string, at: number): Entry | undefined => {
    const entry = entries.get(id);
    if (entry && entry.expiresAt <= at) {
      entries.delete(id);
      return undefined;
    }
    return entry;
  };
  /** Room for one more id: expired entries go, then the oldest written that may be forgotten; kept ones stay. */
  const makeRoom = (at: number): boolean => {
    if (entries.size < maxEntries) return true;
    if (at < fullUntil) return false;
    for (const [oldId, old] of entries) if (old.expiresAt <= at) entries.delete(oldId);
    if (entries.size < maxEntries) return true;
    let nextFree = Number.POSITIVE_INFINITY;
    for (const [oldId, old] of entries) {
      if (old.keepUntil > at) {
        nextFree = Math.min(nextFree, old.keepUntil);
        continue;
      }
      entries.delete(oldId);
      if (entries.size <= maxEntries - batch) return true;
    }
    if (entries.size < maxEntries) return true;
    fullUntil = nextFree;
    return false;
  };

  return {
    async claim(id: string, leaseMs: number): Promise<DedupeClaim> {
      const at = now();
      const entry = live(id, at);
      if (entry) return { status: entry.state === 'done' ? 'done' : 'in-progress' };
      if (!makeRoom(at)) {
        throw new ReceiverError(
          'RECEIVER_ERR_DEDUPE_STORE_FULL',
          `memoryDedupeStore holds ${maxEntries} ids (its maxEntries) it must not forget yet — ids being handled right now, and processed ids whose signed requests still verify (a copy replayed would be processed again) — so ${id.length > 60 ? `${id.slice(0, 60)}…` : id} can't be claimed; answered 503 with Retry-After, and the sender retries later. Raise maxEntries above the requests of 10 minutes, or use a shared store (Redis, SQL: docs/receiver.md)`,
        );
      }
      const token = randomUUID();
      entries.set(id, { state: 'processing', token, expiresAt: at + leaseMs, keepUntil: at + leaseMs });
      return { status: 'claimed', token };
    },
    async complete(id: string, token: string, retainMs: number, keep?: DedupeCompleteOptions): Promise<void> {
      // Even past its lease, a claim nobody took over is still this worker's: the work is done.
      if (token === '' || entries.get(id)?.token !== token) return;
      const at = now();
      const verifiableUntil = keep?.verifiableUntil ?? Number.NEGATIVE_INFINITY;
      entries.delete(id);
      // No token on a processed id: no complete() or release() ends it (and each of 100,000 ids is 70 bytes less).
      entries.set(id, { state: 'done', token: '', expiresAt: Math.max(at + retainMs, verifiableUntil), keepUntil: verifiableUntil });
      // Room comes sooner only if this id may be forgotten sooner: a full store that completes a
      // signed claim stays full, and must not scan the whole map again at the next claim.
      fullUntil = Math.min(fullUntil, verifiableUntil);
    },
    async release(id: string, token: string): Promise<void> {
      if (token === '' || entries.get(id)?.token !== token) return;
      // One entry fewer: the next claim finds room without a scan.
      entries.delete(id);
    },
  };
}
