/**
 * Runs the tasks given for one key one after another, in the order given; tasks of other keys
 * run beside them. `WebhookChanges` uses it for a store without `modify`: a webhook's change
 * reads the stored webhook, changes it and writes it whole, and two such changes of one webhook
 * made at once (two admin tabs, a double click) would both read the same webhook, the second write
 * silently undoing the first — a disable answered 200 that never happened, a rotated secret shown
 * once and never stored. Waiting for the previous change of that key makes each read see the last
 * write. A failed task does not stop the next.
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
