import type { Clock } from '../runtime/clock';
import type { SettingsAccessor } from '../settings/settings';
import type { DeliveryLog } from '../ports/delivery-log';
import type { QueueEngine } from '../ports/queue-engine';

const DAY = 24 * 60 * 60 * 1000;

/** How many rows one delete removes; between batches the event loop (and other writers) get a turn. */
export const CLEANUP_BATCH_SIZE = 1000;

/** What one cleanup round deleted. */
export interface CleanupResult {
  /** Delivery log entries deleted. */
  logEntries: number;
  /** Dead letters deleted. */
  deadLetters: number;
  /**
   * Requests of webhooks that no longer exist, pending ones and dead letters, removed from the
   * queue, each logged as `dropped`: what a deletion cut short left behind (its process killed
   * between the webhook's removal and its requests'). Counted apart from `deadLetters`, which
   * counts retention alone.
   */
  droppedRequests: number;
}

/** The steps of a cleanup round, as a failure's `backgroundError` task names them. */
type CleanupStep = 'dropping the queued requests of deleted webhooks' | 'deleting old delivery log entries' | 'deleting old dead letters';

/**
 * Deletes delivery log entries older than `keepLogsForDays` and dead letters older than
 * `keepDeadLettersForDays`, in batches, so nothing is kept for ever; first, at each round, the
 * queued requests of webhooks that no longer exist (a deletion cut short, see `orphans`). Reads the settings at each
 * round, so a change applies at the next one; does nothing while `enableLoggingCleanup` is false.
 */
export class LogCleanup {
  private timer: NodeJS.Timeout | undefined;
  private schedule: { stopped: boolean } | undefined;
  private running: Promise<CleanupResult> | undefined;
  /** Set by stop(): a round in progress ends after the batch it is deleting. */
  private halted = false;
  /** What the round in progress is doing, for the task a failure names. */
  private step: CleanupStep = 'dropping the queued requests of deleted webhooks';

  constructor(
    private readonly log: Pick<DeliveryLog, 'deleteOlderThan'>,
    private readonly queue: Pick<QueueEngine<unknown>, 'deleteDeadOlderThan'>,
    private readonly settings: SettingsAccessor,
    private readonly clock: Clock,
    /** Told a round's failure, with the task that failed as `backgroundError` names it (`log cleanup: deleting old dead letters`). */
    private readonly onError: (error: unknown, task: string) => void,
    /** Removes the queued requests of webhooks that no longer exist (see WebhookService.discardOrphaned), at each round. */
    private readonly orphans?: { discardOrphaned(halted: () => boolean): Promise<number> },
  ) {}

  /** Runs a round soon after start, then every `intervalMs`, until {@link LogCleanup.stop}. */
  start(intervalMs: number, firstDelayMs = 1000): void {
    this.stop();
    this.halted = false;
    // Each start has its own schedule: a round still running when stop() (or a new start()) came
    // must not arm the next one when it ends — an hourly timer nobody clears keeps Node alive.
    const schedule = { stopped: false };
    this.schedule = schedule;
    const tick = (delay: number) => {
      if (schedule.stopped) return;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.run().then(
          () => tick(intervalMs),
          (error) => {
            this.onError(error, `log cleanup: ${this.step}`);
            tick(intervalMs);
          },
        );
      }, delay);
    };
    tick(firstDelayMs);
  }

  /**
   * Ends the schedule: no round starts after this, and one in progress ends after the batch it is
   * deleting (see {@link LogCleanup.idle}) — a round over a large backlog takes a batch per
   * thousand rows, and app.stop() waits for the round it is in; what is left goes at the next round
   * (of the next app on the store).
   */
  stop(): void {
    this.halted = true;
    if (this.schedule) this.schedule.stopped = true;
    this.schedule = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One round now (rounds never overlap); resolves with what was deleted. */
  run(): Promise<CleanupResult> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Waits for a round in progress. */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async round(): Promise<CleanupResult> {
    const result: CleanupResult = { logEntries: 0, deadLetters: 0, droppedRequests: 0 };
    // Not retention: queue bookkeeping a deletion cut short left undone, whatever enableLoggingCleanup says.
    // Its failure is told and the round goes on. Counted: those dead letters leave the listing too,
    // and a round that answered 0 for them told an operator nothing had gone.
    this.step = 'dropping the queued requests of deleted webhooks';
    if (this.orphans) result.droppedRequests = await this.orphans.discardOrphaned(() => this.halted).catch((error: unknown) => (this.onError(error, `log cleanup: ${this.step}`), 0));
    const settings = this.settings.current;
    if (!settings.enableLoggingCleanup) return result;
    const now = this.clock.now().getTime();
    const logsBefore = new Date(now - settings.keepLogsForDays * DAY);
    const deadBefore = new Date(now - settings.keepDeadLettersForDays * DAY);
    this.step = 'deleting old delivery log entries';
    for (let n = CLEANUP_BATCH_SIZE; n === CLEANUP_BATCH_SIZE && !this.halted; ) {
      n = await this.log.deleteOlderThan(logsBefore, CLEANUP_BATCH_SIZE);
      result.logEntries += n;
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.step = 'deleting old dead letters';
    for (let n = CLEANUP_BATCH_SIZE; n === CLEANUP_BATCH_SIZE && !this.halted; ) {
      n = await this.queue.deleteDeadOlderThan(deadBefore, CLEANUP_BATCH_SIZE);
      result.deadLetters += n;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return result;
  }
}
