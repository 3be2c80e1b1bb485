/** Something in flight that an outer abort signal stops. */
export interface Stoppable {
  stop(reason: unknown): void;
}

/**
 * The attempts in flight per outer abort signal, with one `abort` listener per signal rather than
 * one added and removed per attempt: the engine hands every attempt the same signal (stop() aborts
 * them all), and an EventTarget listener per attempt cost about 1 % of a delivery's CPU.
 */
export class StopSignals<T extends Stoppable> {
  private readonly inFlight = new WeakMap<AbortSignal, Set<T>>();

  /** Stops `item` when `signal` aborts (at once if it has); {@link delete} it when it is done. */
  add(signal: AbortSignal, item: T): void {
    if (signal.aborted) return item.stop(signal.reason ?? new Error('aborted'));
    let items = this.inFlight.get(signal);
    if (!items) {
      const following = new Set<T>();
      items = following;
      this.inFlight.set(signal, following);
      signal.addEventListener('abort', () => {
        for (const each of following) each.stop(signal.reason ?? new Error('aborted'));
        following.clear();
      }, { once: true });
    }
    items.add(item);
  }

  /** Forgets `item` (it finished). */
  delete(signal: AbortSignal, item: T): void {
    this.inFlight.get(signal)?.delete(item);
  }
}
