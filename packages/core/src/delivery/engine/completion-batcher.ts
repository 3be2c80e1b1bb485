import type { DeliveryLogEntry } from '../../model/delivery-log-entry';
import { isKeyedMessageId } from '../../firing/idempotency-key';
import type { RequestQueue } from '../../ports/request-queue';

/** What became of one request given to the batcher. */
export interface Completion {
  /** The request was removed (false: this owner no longer held its lease). */
  completed: boolean;
  /** Its log entry was written — in the same write, or before it (false: the caller must log it itself). */
  logged: boolean;
}

interface Waiting {
  id: string;
  entry: DeliveryLogEntry | undefined;
  writeLog: (() => Promise<void>) | undefined;
  resolve(completion: Completion): void;
  reject(error: unknown): void;
}

/**
 * Completes delivered requests together: those that finish in the same turn of the event loop
 * are removed with one `completeMany` (one transaction in a durable store) instead of one write
 * each, which was a large share of a delivery's cost on SQLite. When the queue has
 * `completeAndLog`, their delivery log entries go in that same write: on PostgreSQL, where each
 * statement is a round trip to a server process, that took a delivery from two bookkeeping
 * statements to one per batch.
 *
 * A keyed request (`isKeyedMessageId`) must never leave the queue before the log entry that
 * remembers it: a publish made again with its `idempotencyKey` in between finds neither and
 * stores and sends it again. (A random id is never published again: its entry may come after, and
 * the caller appends it through the log's window — waiting for it would hold the request's
 * concurrency slot for that window.) So when the queue has no `completeAndLog`, or that combined
 * write fails, each keyed entry is written first (`writeLog`, through the app's log writer: one append for the batch) and the
 * batch completed after it — whether or not the store took the entries, so a log entry the store
 * refuses never keeps a delivered request queued (it is told as `logWriteFailed`). A queue
 * without `completeMany` gets a `complete` per request, as before. Each caller still learns
 * whether its own request was completed (false: the lease was lost), or gets the storage error.
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
   * Removes a delivered (or dropped) request held by this owner and appends `entry` to the
   * delivery log: in the same write when the queue can, else with `writeLog` (which writes
   * `entry` and resolves once it is written or its failure told, never rejecting) before the
   * removal; resolves with whether each was done.
   */
  completeLogging(id: string, entry: DeliveryLogEntry | undefined, writeLog?: () => Promise<void>): Promise<Completion> {
    if (entry !== undefined && !isKeyedMessageId(id)) {
      // Never published again (a random id): its entry need not come first. Left to the caller
      // (logged: false), who appends it through the log's window, unless the queue takes it with
      // the removal (one write instead of two, on PostgreSQL).
      writeLog = undefined;
      if (this.queue.logsWithCompletion?.(id) === false) entry = undefined;
    }
    if (!this.queue.completeMany) return this.completeAlone(id, writeLog);
    return new Promise<Completion>((resolve, reject) => {
      this.waiting.push({ id, entry, writeLog, resolve, reject });
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
        // Neither was written (one write, all or none): the entries first below, then the removal.
        // Said, so a store whose combined write keeps failing does not quietly cost two writes.
        this.onError(error);
      }
    }
    const combined = completed !== undefined;
    try {
      if (!combined) {
        // The entries first, then the removal (see the class): one append for the batch, as each
        // writeLog queues its entry at once and writes on the next microtask.
        const writes: Promise<void>[] = [];
        for (const w of batch) if (w.entry && w.writeLog) writes.push(w.writeLog());
        if (writes.length > 0) await Promise.all(writes);
      }
      completed ??= new Set(await this.queue.completeMany!(ids, this.owner));
      for (const w of batch) w.resolve({ completed: completed.has(w.id), logged: w.entry !== undefined && (combined || w.writeLog !== undefined) });
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }

  /** A queue without completeMany: the entry first, when there is a writer for it, then `complete`. */
  private async completeAlone(id: string, writeLog: (() => Promise<void>) | undefined): Promise<Completion> {
    if (writeLog) await writeLog();
    return { completed: await this.queue.complete(id, this.owner), logged: writeLog !== undefined };
  }
}
