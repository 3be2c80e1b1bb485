import type { AttemptInfo, Hookwork, OperatorEvent } from '@hookwork/core';

/**
 * Why a run stopped waiting with requests unsettled: its webhook holds them. An open circuit
 * breaker (or a disabled webhook) defers every request without using an attempt, so none of them
 * settles until the endpoint answers a probe (every `breaker.coolDown`, 30 s) or the webhook is
 * enabled again — waiting out the run's timeout only ended in "not settled… is the receiver
 * answering?".
 */
export interface RunHeld {
  /** What holds them: the breaker opening, or hookwork disabling the webhook (a 410 Gone). */
  event: Extract<OperatorEvent, { type: 'breaker.opened' | 'webhook.disabled' }>;
  /** The webhook's last failed attempt before the run stopped (its status, or the error). */
  lastFailure?: AttemptInfo;
}

/**
 * What one run is waiting for: the requests it enqueued for its own webhook, and those an earlier
 * run left held under that webhook when this run took it over (`carried`), until each is settled
 * (delivered, dead-lettered or dropped).
 *
 * The run does not use `app.drain()`, which waits for the whole queue: a run killed earlier
 * (SIGKILL, a crash) leaves its requests in flight under their lease, and drain() would wait
 * for those leases to expire (a minute by default) before this run could finish.
 */
export interface RunTracker {
  /** Requests of this run's webhook enqueued so far. */
  readonly enqueued: number;
  /** Requests an earlier run left queued under the webhook, which this run took over. */
  readonly carried: number;
  /** How many of the enqueued and carried requests are settled. */
  readonly settled: number;
  /**
   * Resolves when every enqueued request is settled and the delivery log holds all of this
   * run's attempts — or, when the webhook's breaker opens or the webhook is disabled, as soon as
   * none of its requests is in flight any more, with what holds the rest ({@link RunHeld}).
   * Rejects with {@link RunTimeoutError} after `timeoutMs`, naming what is still pending, and
   * with the signal's reason when it aborts.
   */
  whenSettled(options: { timeoutMs: number; signal?: AbortSignal }): Promise<RunHeld | undefined>;
}

/** The run did not settle in time; the message says how many requests and which. */
export class RunTimeoutError extends Error {
  override readonly name = 'RunTimeoutError';
}

/** What a run took over from an earlier one: its queued requests, and its delivery log entries. */
export interface TakenOver {
  /** Requests queued (pending or in flight) under the webhook when the run began. */
  carried: number;
  /** Entries in the webhook's delivery log when the run began (the run's own come after them). */
  logged: number;
}

/** Starts tracking `webhookKey`'s requests; call it before publishing. */
export function trackRun(app: Hookwork, webhookKey: string, { carried, logged }: TakenOver = { carried: 0, logged: 0 }): RunTracker {
  const enqueued = new Set<string>();
  const settled = new Set<string>();
  // Every attempt (and every drop) writes one log entry; the log is complete when it has them all.
  let attempts = 0;
  let changed: () => void = () => {};
  const mine = (info: { webhookKey: string }) => info.webhookKey === webhookKey;

  app.lifecycle.on('enqueued', (requests) => {
    for (const r of requests) if (mine(r)) enqueued.add(r.requestId);
  });
  const settle = (info: { requestId: string; webhookKey: string }) => {
    if (!mine(info)) return;
    settled.add(info.requestId);
    changed();
  };
  const attempted = (info: { webhookKey: string }) => {
    if (mine(info)) attempts++;
  };
  app.lifecycle.on('attemptSucceeded', (a) => (attempted(a), settle(a)));
  let lastFailure: AttemptInfo | undefined;
  app.lifecycle.on('attemptFailed', (a) => {
    if (!mine(a)) return;
    attempted(a);
    lastFailure = a;
  });
  let held: RunHeld['event'] | undefined;
  app.lifecycle.on('operatorEvent', (event) => {
    if ((event.type === 'breaker.opened' || event.type === 'webhook.disabled') && mine(event.data)) {
      held ??= event;
      changed();
    }
  });
  app.lifecycle.on('deadLettered', settle);
  app.lifecycle.on('requestDropped', (r) => (attempted(r), settle(r)));

  const pending = () => [...enqueued].filter((id) => !settled.has(id));
  // Every request of the webhook that settles and that this run did not enqueue is a carried one.
  const carriedLeft = () => Math.max(0, carried - [...settled].filter((id) => !enqueued.has(id)).length);

  return {
    get enqueued() {
      return enqueued.size;
    },
    carried,
    get settled() {
      return enqueued.size - pending().length + carried - carriedLeft();
    },
    async whenSettled({ timeoutMs, signal }) {
      const started = Date.now();
      const deadline = started + timeoutMs;
      const timeout = (what: string, afterMs = timeoutMs) => {
        const left = pending();
        const seconds = Math.round(afterMs / 1000);
        const earlier = carriedLeft() > 0 ? `${carriedLeft()} of the ${carried} taken over from an earlier run` : '';
        return new RunTimeoutError(
          left.length > 0 || earlier
            ? `${left.length > 0 ? `${left.length} of ${enqueued.size} requests` : ''}${left.length > 0 && earlier ? ' and ' : ''}${earlier} of webhook ${webhookKey} were not settled within ${seconds} s${left.length > 0 ? ` (${left.slice(0, 5).join(', ')}${left.length > 5 ? ', …' : ''})` : ''}; is the receiver answering?`
            : `the delivery log did not show all ${what} within ${seconds} s`,
        );
      };
      // Wakes on each settle, and at least every 250 ms for the deadline and the abort signal.
      const pause = (ms: number) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(done, ms);
          const onAbort = () => done();
          signal?.addEventListener('abort', onAbort, { once: true });
          changed = done;
          function done() {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            changed = () => {};
            resolve();
          }
        });

      while (pending().length > 0 || carriedLeft() > 0) {
        signal?.throwIfAborted();
        // Held: the attempts under way when it happened end (within the attempt timeout); after
        // them, nothing of this webhook is claimed until a probe or until it is enabled again.
        if (held && (await app.queueCounts({ webhookKey })).inFlight === 0) break;
        const left = deadline - Date.now();
        if (left <= 0) throw timeout('requests');
        await pause(Math.min(left, 250));
      }
      // The log writer batches entries and writes them a moment after the attempt settles.
      const logDeadline = Date.now() + 10_000;
      while ((await app.logs(webhookKey, { limit: 1 })).total < logged + attempts) {
        signal?.throwIfAborted();
        if (Date.now() >= logDeadline) throw timeout(`${attempts} attempts`, 10_000);
        await pause(20);
      }
      return (pending().length > 0 || carriedLeft() > 0) && held ? { event: held, ...(lastFailure ? { lastFailure } : {}) } : undefined;
    },
  };
}
