import type { LifecycleReporter } from '../observability/lifecycle-events';
import type { Logger } from '../observability/logger';
import type { DeliveryLog } from '../ports/delivery-log';
import type { DeliveryLogEntry } from '../model/delivery-log-entry';

/**
 * Writes delivery log entries in batches: entries written in the same turn of the event loop
 * (or within the store's {@link DeliveryLog.appendWindowMs}) go to the store in one `append`, so
 * logging does not put a store round trip on every attempt.
 * A failed write never reaches the caller (delivery state must not depend on the log — Umbraco's
 * column truncation made it re-send for ever): it is reported as `logWriteFailed`.
 */
export class DeliveryLogWriter {
  private buffer: DeliveryLogEntry[] = [];
  /** The write to come: at the next turn, or when the store's window ends (then a timeout). */
  private scheduled: { immediate: NodeJS.Immediate } | { timeout: NodeJS.Timeout } | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** The flush writeNow's entries of this synchronous run wait for (see writeNow). */
  private soon: Promise<void> | undefined;

  constructor(
    private readonly log: Pick<DeliveryLog, 'append' | 'appendWindowMs'>,
    private readonly reporter: LifecycleReporter,
    private readonly logger: Logger,
    /** Entries per append at most. */
    private readonly maxBatch = 500,
  ) {}

  /** Queues an entry; it is written soon (see {@link flush}). */
  write(entry: DeliveryLogEntry): void {
    this.buffer.push(entry);
    if (this.buffer.length >= this.maxBatch) return this.startWrite();
    if (this.scheduled) return;
    const windowMs = this.log.appendWindowMs ?? 0;
    this.scheduled = windowMs > 0 ? { timeout: setTimeout(() => this.startWrite(), windowMs) } : { immediate: setImmediate(() => this.startWrite()) };
  }

  /**
   * Queues an entry and resolves once it is written (or reported as failed), never rejecting:
   * for an entry that must be in the store before something else is done. Entries given in the
   * same synchronous run share one append (it starts on the next microtask).
   */
  writeNow(entry: DeliveryLogEntry): Promise<void> {
    this.buffer.push(entry);
    if (this.buffer.length >= this.maxBatch) this.startWrite();
    return (this.soon ??= Promise.resolve().then(() => {
      this.soon = undefined;
      return this.flush();
    }));
  }

  /** Resolves when every entry queued so far is written (or reported as failed). */
  flush(): Promise<void> {
    this.startWrite();
    return this.writing;
  }

  private startWrite(): void {
    if (this.scheduled) {
      if ('timeout' in this.scheduled) clearTimeout(this.scheduled.timeout);
      else clearImmediate(this.scheduled.immediate);
    }
    this.scheduled = undefined;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    // Appends are chained so entries reach the store in the order they were written.
    this.writing = this.writing.then(() => this.append(batch));
  }

  private async append(batch: DeliveryLogEntry[]): Promise<void> {
    try {
      await this.log.append(batch);
    } catch (error) {
      this.logger.error(`could not write ${batch.length} delivery log entr${batch.length === 1 ? 'y' : 'ies'}; delivery went on unaffected: ${(error as Error)?.message ?? error}`, { error });
      // The reporter keeps a throwing listener from turning a log failure into a delivery failure.
      for (const entry of batch) this.reporter.emit('logWriteFailed', { requestId: entry.requestId, error });
    }
  }
}
