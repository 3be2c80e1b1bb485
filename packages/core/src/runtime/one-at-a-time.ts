/**
 * Runs the tasks given for one key one after another, in the order given; tasks of other keys
 * run beside them. A failed task does not stop the next. Each user holds its own, so two apps in
 * one process never wait on each other.
 *
 * For read-decide-write steps of one thing that callers in one process make at once: run one
 * after another, each reads what the one before wrote, so none undoes another (a store without
 * compare-and-set) and none loses a compare-and-set to its own process and has to read and
 * decide again — which, with enough callers at once, ran out of rounds and gave up (a store with
 * it). Users: `WebhookChanges` (a webhook's changes) and `WebhookHealthMonitor` (a webhook's
 * health writes and probe claims).
 */
export class OneAtATime {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` once every task given earlier for `key` has settled; resolves or rejects as it does. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    // The last task of a key removes its entry, so the map holds only keys being changed.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
