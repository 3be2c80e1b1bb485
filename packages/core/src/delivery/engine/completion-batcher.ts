import type { DeliveryLogEntry } from '../../model/delivery-log-entry';
import type { RequestQueue } from '../../ports/request-queue';

/** What became of one request given to the batcher. */
export interface Completion {
  /** The request was removed (false: this owner no longer held its lease). */
  completed: boolean;
  /** Its log entry was written in the same write (false: the caller must log it itself). */
  logged: boolean;
}

interface Waiting {
  id: string;
  entry: DeliveryLogEntry | undefined;
  resolve(completion: Completion): void;
  reject(error: unknown): void;
}

/**
 * Completes delivered requests together: those that finish in the same turn of the event loop
 * are removed with one `completeMany` (one transaction in a durable store) instead of one write
 * each, which was a large share of a delivery's cost on SQLite. When the queue has
 * `completeAndLog`, their delivery log entries go in that same write: on PostgreSQL, where each
 * statement is a round trip to a server process, that took a delivery from two bookkeeping
 * statements to one per batch. If that combined write fails, the batch is completed alone and
 * its entries are left to the caller to log (so a log entry the store refuses never keeps a
 * delivered request queued). A queue without `completeMany` gets a `complete` per request, as
 * before. Each caller still learns whether its own request was completed (false: the lease was
 * lost), or gets the storage error.
 */
export class CompletionBatcher {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(
    private readonly queue: RequestQueue,
    private readonly owner: string,
    /** Told when the combined write fails (the batch then falls back to two writes): never silent. */
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** Removes a delivered (or dropped) request held by this owner; resolves with whether it was. */
  async complete(id: string): Promise<boolean> {
    return (await this.completeLogging(id, undefined)).completed;
  }

  /**
   * Removes a delivered request held by this owner and, when the queue can in the same write,
   * appends `entry` to the delivery log; resolves with whether each was done.
   */
  completeLogging(id: string, entry: DeliveryLogEntry | undefined): Promise<Completion> {
    if (!this.queue.completeMany) return this.queue.complete(id, this.owner).then((completed) => ({ completed, logged: false }));
    // An entry the queue would rather have appended apart is left to the caller (logged: false).
    if (entry !== undefined && this.queue.logsWithCompletion?.(id) === false) entry = undefined;
    return new Promise<Completion>((resolve, reject) => {
      this.waiting.push({ id, entry, resolve, reject });
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
    const ids = batch.map((w) => w.id);
    const entries = batch.flatMap((w) => (w.entry ? [w.entry] : []));
    let completed: Set<string> | undefined;
    if (entries.length > 0 && this.queue.completeAndLog) {
      try {
        completed = new Set(await this.queue.completeAndLog(ids, this.owner, entries));
      } catch (error) {
        // Neither was written (one write, all or none): complete alone below; the callers log.
        // Said, so a store whose combined write keeps failing does not quietly cost two writes.
        this.onError(error);
      }
    }
    const logged = completed !== undefined;
    try {
      completed ??= new Set(await this.queue.completeMany!(ids, this.owner));
      for (const w of batch) w.resolve({ completed: completed.has(w.id), logged: logged && w.entry !== undefined });
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
