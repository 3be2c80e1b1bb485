import type { RequestQueue } from '../../ports/request-queue';

interface Waiting {
  id: string;
  resolve(completed: boolean): void;
  reject(error: unknown): void;
}

/**
 * Completes delivered requests together: those that finish in the same turn of the event loop
 * are removed with one `completeMany` (one transaction in a durable store) instead of one write
 * each, which was a large share of a delivery's cost on SQLite. A queue without `completeMany`
 * gets a `complete` per request, as before. Each caller still learns whether its own request
 * was completed (false: the lease was lost), or gets the storage error.
 */
export class CompletionBatcher {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(
    private readonly queue: RequestQueue,
    private readonly owner: string,
  ) {}

  /** Removes a delivered (or dropped) request held by this owner; resolves with whether it was. */
  complete(id: string): Promise<boolean> {
    if (!this.queue.completeMany) return this.queue.complete(id, this.owner);
    return new Promise<boolean>((resolve, reject) => {
      this.waiting.push({ id, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // After the I/O of this turn: every response that arrived in it joins the same write.
      setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.waiting;
    this.waiting = [];
    try {
      const completed = new Set(await this.queue.completeMany!(batch.map((w) => w.id), this.owner));
      for (const w of batch) w.resolve(completed.has(w.id));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
