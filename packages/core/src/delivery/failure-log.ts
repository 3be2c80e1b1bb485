import { LogWindows } from '../observability/log-windows';
import type { Logger } from '../observability/logger';
import { redactedUrl, redactUrlsIn } from '../observability/redacted-url';
import { formatDuration } from '../settings/time-span';

/** How long the failures of one webhook are summed up after the one logged in full, ms. */
export const FAILURE_LOG_WINDOW_MS = 60_000;

/** A failed attempt as the failure log tells of it. */
export interface LoggedFailure {
  webhookKey: string;
  /** The webhook's URL (shown as scheme, host and port only). */
  url: string;
  requestId: string;
  eventAlias: string;
  /** Attempts before this one (0 on the first). */
  retryCount: number;
  /** What failed, in words (`HTTP 500`, `timeout: …`): URLs in it are shown without path or query. */
  failure: string;
  statusCode?: number;
  errorKind?: string;
}

type Kind = 'retrying' | 'dead';

/** The failures of one webhook and kind counted since the one logged in full. */
interface Window {
  kind: Kind;
  /** How many were counted, not logged, since. */
  more: number;
  /** The last of them. */
  last?: LoggedFailure;
}

/**
 * Tells the app's logger of failed delivery attempts: at `info` those that will be retried, at
 * `warn` requests dead-lettered (retries exhausted, or a failure that is not retried). A receiver
 * that fails with thousands of requests queued must not write thousands of lines: per webhook and
 * kind, the first failure is logged in full, and the others within {@link FAILURE_LOG_WINDOW_MS}
 * are counted and logged as one line when the window ends (or the app stops), naming the last.
 * So a failing webhook writes at most two lines of each kind a minute. URLs are shown as
 * `scheme://host:port/…` (a webhook's path or query is often its secret); header values and
 * bodies are never logged. One per app.
 */
export class DeliveryFailureLog {
  private readonly windows: LogWindows<string, Window>;

  constructor(
    private readonly logger: Logger,
    private readonly windowMs = FAILURE_LOG_WINDOW_MS,
  ) {
    this.windows = new LogWindows(windowMs, (_key, window) => this.summarize(window));
  }

  /** An attempt failed and its request will be tried again at `nextDueAt`. */
  retrying(failure: LoggedFailure, nextDueAt: Date): void {
    if (this.counted('retrying', failure)) return;
    this.logger.info(
      `webhook ${failure.webhookKey} (${redactedUrl(failure.url)}): attempt ${failure.retryCount + 1} of request ${failure.requestId} (${failure.eventAlias}) failed: ${redactUrlsIn(failure.failure)}; it is retried at ${nextDueAt.toISOString()}`,
      { ...meta(failure), nextDueAt },
    );
  }

  /** A request was dead-lettered after `attempts` attempts. */
  deadLettered(failure: LoggedFailure, attempts: number, why: 'retries exhausted' | 'not retryable'): void {
    if (this.counted('dead', failure)) return;
    this.logger.warn(
      `webhook ${failure.webhookKey} (${redactedUrl(failure.url)}): request ${failure.requestId} (${failure.eventAlias}) was dead-lettered after ${attempts} attempt${attempts === 1 ? '' : 's'} (${why}): ${redactUrlsIn(failure.failure)}; it is kept: app.redeliver({ ids: ['${failure.requestId}'] }) sends it again`,
      { ...meta(failure), attempts },
    );
  }

  /** Logs what the open windows counted and closes them (the app stops). */
  flush(): void {
    this.windows.flush();
  }

  /** Counts `failure` into its webhook's open window; false when none was open (one is opened: log it in full). */
  private counted(kind: Kind, failure: LoggedFailure): boolean {
    const open = this.windows.counting(`${kind} ${failure.webhookKey}`, () => ({ kind, more: 0 }));
    if (!open) return false;
    open.more++;
    open.last = failure;
    return true;
  }

  private summarize(window: Window): void {
    const last = window.last;
    if (!last) return;
    const within = formatDuration(this.windowMs);
    const where = `webhook ${last.webhookKey} (${redactedUrl(last.url)})`;
    const lastOne = `the last: request ${last.requestId}, ${redactUrlsIn(last.failure)}`;
    if (window.kind === 'retrying') {
      this.logger.info(`${where}: ${window.more} more failed attempt${window.more === 1 ? '' : 's'} within ${within}, each retried (${lastOne})`, { webhookKey: last.webhookKey, failedAttempts: window.more });
    } else {
      this.logger.warn(`${where}: ${window.more} more request${window.more === 1 ? ' was' : 's were'} dead-lettered within ${within} (${lastOne}); list them with app.deadLetters({ webhookKey: '${last.webhookKey}' })`, { webhookKey: last.webhookKey, deadLettered: window.more });
    }
  }
}

function meta(failure: LoggedFailure): Record<string, unknown> {
  return {
    webhookKey: failure.webhookKey,
    requestId: failure.requestId,
    eventAlias: failure.eventAlias,
    retryCount: failure.retryCount,
    ...(failure.statusCode !== undefined ? { statusCode: failure.statusCode } : {}),
    ...(failure.errorKind !== undefined ? { errorKind: failure.errorKind } : {}),
  };
}
