import { LogWindows } from '../../observability/log-windows';
import type { Logger } from '../../observability/logger';
import type { LeaseLapse } from '../../ports/queue-engine';
import { formatDuration } from '../../settings/time-span';

/** How long the lapsed leases of one kind are counted after the one logged in full, ms. */
export const LAPSED_LEASE_LOG_WINDOW_MS = 60_000;

/** A running attempt's request whose lease ran out. */
export interface LapsedLease {
  requestId: string;
  webhookKey: string;
  /** How long the lease had run out when this process saw it, ms; undefined when it cannot tell. */
  lapsedMs?: number;
}

/** What one window counted, not logged, since the line logged in full. */
interface Window {
  more: number;
  byHow: Map<LeaseLapse, number>;
  longest: number;
  last?: LapsedLease;
}

/**
 * Tells the app's logger, at `warn`, of running attempts whose lease ran out before they ended.
 * That happens only when the event loop stalled or the store answered late for longer than
 * `leaseDuration` (renewals run every third of it), and then another process sharing the store
 * may send the request a second time: the operator should know, and what to change.
 *
 * One stall meets every attempt running then, so lines are not per request: what one claim or
 * renewal meets is one line (naming the first request, its webhook, how long its lease had run
 * out, and how many others), and within {@link LAPSED_LEASE_LOG_WINDOW_MS} after it the others
 * are counted and told in one line when the window ends (or the app stops). Leases lost to another
 * process (`lost`: that one may send the request again) have a window of their own, so they are
 * never folded into a line about leases that merely lapsed. So a process whose loop keeps
 * stalling writes at most two lines of each kind a minute. One per engine.
 */
export class LapsedLeaseLog {
  private readonly windows: LogWindows<'lapsed' | 'lost', Window>;

  constructor(
    private readonly logger: Logger,
    private readonly leaseDuration: () => number,
    private readonly windowMs = LAPSED_LEASE_LOG_WINDOW_MS,
  ) {
    this.windows = new LogWindows(windowMs, (kind, window) => this.summarize(kind, window));
  }

  /**
   * Leases of running attempts that ran out, met at once by one claim or renewal (`how`);
   * `settling` when `lost` was met by the attempt's verdict (it was not applied), not a renewal.
   */
  lapsed(how: LeaseLapse, leases: readonly LapsedLease[], settling = false): void {
    if (leases.length === 0) return;
    const open = this.windows.counting(how === 'lost' ? 'lost' : 'lapsed', () => ({ more: 0, byHow: new Map(), longest: 0 }));
    if (open) {
      open.more += leases.length;
      open.byHow.set(how, (open.byHow.get(how) ?? 0) + leases.length);
      for (const lease of leases) open.longest = Math.max(open.longest, lease.lapsedMs ?? 0);
      open.last = leases[leases.length - 1];
      return;
    }
    this.logger.warn(this.line(how, leases, settling), {
      lease: how,
      requestId: leases[0]!.requestId,
      webhookKey: leases[0]!.webhookKey,
      ...(leases[0]!.lapsedMs !== undefined ? { lapsedMs: leases[0]!.lapsedMs } : {}),
      requests: leases.length,
      leaseDuration: this.leaseDuration(),
    });
  }

  /** Logs what the open windows counted and closes them (the app stops). */
  flush(): void {
    this.windows.flush();
  }

  private line(how: LeaseLapse, leases: readonly LapsedLease[], settling: boolean): string {
    const first = leases[0]!;
    const others = leases.length - 1;
    const webhooks = new Set(leases.map((l) => l.webhookKey)).size;
    const also = others === 0 ? '' : ` (and ${others} other request${others === 1 ? '' : 's'}${webhooks > 1 ? ` of ${webhooks} webhooks` : ''})`;
    const lapsed = first.lapsedMs === undefined ? undefined : shown(first.lapsedMs);
    const fix = `likely the event loop was blocked (a long synchronous task, a GC pause, a paused VM) or the store answered late, for longer than leaseDuration (${formatDuration(this.leaseDuration())}): find what blocks it, or raise leaseDuration`;
    const request = `request ${first.requestId} (webhook ${first.webhookKey})`;
    switch (how) {
      case 'reclaimed':
        return `the lease of ${request}${also} ran out${lapsed ? ` ${lapsed} before` : ', and'} this process claimed it again while its attempt was still running here; it was not sent again (the running attempt settles it), but another process sharing the store may have sent it meanwhile — ${fix}`;
      case 'renewed_late':
        return `the lease of ${request}${also} was renewed${lapsed ? ` ${lapsed}` : ''} after it had run out, while its attempt was running; another process sharing the store may have claimed and sent it meanwhile — ${fix}`;
      case 'lost': {
        const when = settling ? 'its attempt ended after its lease had been taken by another process' : 'its lease was taken by another process while its attempt was still running here';
        const verdict = settling ? 'was not applied' : 'will not be applied unless this process holds the lease again when it ends';
        // By this process's clock the lease had not run out: the other process's clock is ahead.
        const skew = `likely the clocks of the processes sharing the store disagree by more than leaseDuration (${formatDuration(this.leaseDuration())}): keep them in step (NTP), or raise leaseDuration`;
        return `${request}${also}: ${when}${lapsed ? ` (it had run out ${lapsed} before)` : " (by this process's clock it had not run out)"}; that process may send it again (receivers deduplicate by webhook-id), and this attempt's verdict ${verdict}: the process holding the lease settles the request — ${lapsed ? fix : skew}`;
      }
    }
  }

  private summarize(kind: 'lapsed' | 'lost', window: Window): void {
    const last = window.last;
    if (!last) return;
    const within = formatDuration(this.windowMs);
    const lastOne = `the last: request ${last.requestId} of webhook ${last.webhookKey}`;
    const longest = window.longest > 0 ? `, the longest run out for ${shown(window.longest)}` : '';
    const meta = { more: window.more, ...Object.fromEntries(window.byHow), leaseDuration: this.leaseDuration() };
    if (kind === 'lost') {
      this.logger.warn(`${window.more} more lease${window.more === 1 ? ' of a running attempt was' : 's of running attempts were'} taken by another process within ${within} (${lastOne}${longest}); the processes holding those leases may send the requests again, and settle them — leaseDuration is ${formatDuration(this.leaseDuration())}`, meta);
      return;
    }
    const parts = [['reclaimed', 'claimed again here'], ['renewed_late', 'renewed late']] as const;
    const split = parts.flatMap(([how, words]) => (window.byHow.has(how) ? [`${window.byHow.get(how)} ${words}`] : [])).join(', ');
    this.logger.warn(`${window.more} more lease${window.more === 1 ? ' of a running attempt' : 's of running attempts'} ran out within ${within} (${split}; ${lastOne}${longest}); another process sharing the store may have sent them meanwhile — leaseDuration is ${formatDuration(this.leaseDuration())}`, meta);
  }
}

/** A lapse in words, whole milliseconds below a second. */
function shown(ms: number): string {
  return formatDuration(ms < 1000 ? Math.round(ms) : ms);
}
