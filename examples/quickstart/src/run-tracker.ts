import type { Hookwork } from '@hookwork/core';

/**
 * What one run is waiting for: the requests it enqueued for its own webhook, until each is
 * settled (delivered, dead-lettered or dropped).
 *
 * The run does not use `app.drain()`, which waits for the whole queue: a run killed earlier
 * (SIGKILL, a crash) leaves its requests in flight under their lease, and drain() would wait
 * for those leases to expire (a minute by default) before this run could finish.
 */
export interface RunTracker {
  /** Requests of this run's webhook enqueued so far. */
  readonly enqueued: number;
  /** How many of them are settled. */
  readonly settled: number;
  /**
   * Resolves when every enqueued request is settled and the delivery log holds all of this
   * run's attempts. Rejects with {@link RunTimeoutError} after `timeoutMs`, naming what is still
   * pending, and with the signal's reason when it aborts.
   */
  whenSettled(options: { timeoutMs: number; signal?: AbortSignal }): Promise<void>;
}

/** The run did not settle in time; the message says how many requests and which. */
export class RunTimeoutError extends Error {
  override readonly name = 'RunTimeoutError';
}

/** Starts tracking `webhookKey`'s requests; call it before publishing. */
export function trackRun(app: Hookwork, webhookKey: string): RunTracker {
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
  app.lifecycle.on('attemptFailed', attempted);
  app.lifecycle.on('deadLettered', settle);
  app.lifecycle.on('requestDropped', (r) => (attempted(r), settle(r)));

  const pending = () => [...enqueued].filter((id) => !settled.has(id));

  return {
    get enqueued() {
      return enqueued.size;
    },
    get settled() {
      return [...enqueued].filter((id) => settled.has(id)).length;
    },
    async whenSettled({ timeoutMs, signal }) {
      const started = Date.now();
      const deadline = started + timeoutMs;
      const timeout = (what: string, afterMs = timeoutMs) => {
        const left = pending();
        const seconds = Math.round(afterMs / 1000);
        return new RunTimeoutError(
          left.length > 0
            ? `${left.length} of ${enqueued.size} requests of webhook ${webhookKey} were not settled within ${seconds} s (${left.slice(0, 5).join(', ')}${left.length > 5 ? ', …' : ''}); is the receiver answering?`
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

      while (pending().length > 0) {
        signal?.throwIfAborted();
        const left = deadline - Date.now();
        if (left <= 0) throw timeout('requests');
        await pause(Math.min(left, 250));
      }
      // The log writer batches entries and writes them a moment after the attempt settles.
      const logDeadline = Date.now() + 10_000;
      while ((await app.logs(webhookKey, { limit: 1 })).total < attempts) {
        signal?.throwIfAborted();
        if (Date.now() >= logDeadline) throw timeout(`${attempts} attempts`, 10_000);
        await pause(20);
      }
    },
  };
}
