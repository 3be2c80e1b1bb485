/**
 * Lets the event loop turn between enqueues that never wait for I/O.
 *
 * A store whose enqueue completes without I/O — SQLite through better-sqlite3, the memory
 * queue — resolves every `await app.publish()` in a microtask, so a host importing content in a
 * loop held the event loop until the loop ended: no delivery, no timer, no incoming request (0
 * deliveries after 158 publishes, issue 9). Once `budgetMs` has passed since the first enqueue
 * after the last turn of the event loop, the next enqueue waits for a turn (`setImmediate`): I/O
 * callbacks, timers and the dispatcher run, then publishing goes on. A store that does I/O
 * (PostgreSQL, Redis) turns the loop on every publish and never waits here.
 *
 * The cost when nothing waits is a clock read per enqueue and one `setImmediate` per turn of the
 * event loop (to notice the turn), against the tens of µs an enqueue costs.
 */
export class EventLoopBudget {
  /** `performance.now()` at the first enqueue since the event loop last turned; -1 once it turned. */
  private since = -1;
  private readonly turned = () => {
    this.since = -1;
  };

  /** @param budgetMs how long enqueues may run without a turn of the event loop. */
  constructor(private readonly budgetMs = 5) {}

  /**
   * Call after each enqueue: `undefined` while within the budget (nothing to await), else a
   * promise that resolves after a turn of the event loop.
   */
  spend(): Promise<void> | undefined {
    const now = performance.now();
    if (this.since < 0) {
      this.since = now;
      setImmediate(this.turned);
      return undefined;
    }
    if (now - this.since < this.budgetMs) return undefined;
    return new Promise((resolve) => setImmediate(resolve));
  }
}
