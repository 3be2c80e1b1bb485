import type { PostgresListener } from './postgres-listener';

/** The longest a cached answer is used, ms: the bound on staleness should a LISTEN connection die unnoticed. */
export const LISTENED_CACHE_TTL_MS = 5_000;

/** The most answers one cache keeps; past it the oldest goes. */
const MAX_ENTRIES = 10_000;

/**
 * Answers read from the schema, kept in memory only while the store's LISTEN connection is up.
 * Every write to what they read notifies on commit (`payload` on the schema's channel); every
 * cache drops all it holds when such a notification arrives, when the connection is lost or comes
 * back (a notification without payload), after {@link LISTENED_CACHE_TTL_MS} at most, and when
 * this process writes ({@link clear}, {@link forget}). A read keeps its answer only when nothing
 * could have changed meanwhile unseen: no drop here, and the LISTEN connection up all along.
 * Without a listener nothing is kept.
 */
export class ListenedCache<V> {
  /** key → the answer and when it was read (performance.now()). */
  private readonly entries = new Map<string, { value: V; at: number }>();
  private generation = 0;
  private unlisten: (() => void) | undefined;

  constructor(
    private readonly listener: PostgresListener | undefined,
    private readonly payload: string,
  ) {}

  /** The answer for `key` from memory, or from `load` (kept when it may be, and `keep` accepts it). */
  async read(key: string, load: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    const { listener } = this;
    if (listener && !this.unlisten) this.unlisten = listener.subscribe((payload) => (payload === this.payload || payload === undefined ? this.clear() : undefined));
    const cached = this.entries.get(key);
    if (cached && listener?.listening && performance.now() - cached.at < LISTENED_CACHE_TTL_MS) return cached.value;
    const generation = this.generation;
    const epoch = listener?.epoch;
    const at = performance.now();
    const value = await load();
    if (listener?.listening && listener.epoch === epoch && this.generation === generation && keep(value)) {
      this.entries.set(key, { value, at });
      if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    }
    return value;
  }

  /** Drops every answer, and any read in flight keeps none. */
  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  /** Drops the answer for `key`, and any read in flight keeps none. */
  forget(key: string): void {
    this.generation++;
    this.entries.delete(key);
  }

  /** Stops listening and drops everything (the store calls it on close). */
  close(): void {
    this.unlisten?.();
    this.unlisten = undefined;
    this.clear();
  }
}
