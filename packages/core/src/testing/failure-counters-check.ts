/// <reference types="jest" />
import type { Hookwork } from '../composition/hookwork-app';
import type { HookworkSettingsInput } from '../settings/settings';
import { startTestReceiver } from './test-receiver';
import { ThingHappened } from './thing-event';

/**
 * The settings {@link expectFailureCounters} needs of the apps it starts: the receiver on
 * loopback allowed, and a failed attempt retried only after a minute, so a request that failed
 * once stays pending (for a deletion to drop) and is not attempted again within the check.
 */
export const FAILURE_COUNTERS_SETTINGS: Readonly<HookworkSettingsInput> = Object.freeze({
  ssrf: { allow: ['127.0.0.1'] },
  period: 500,
  timeout: 5000,
  stopTimeout: 2000,
  retrySchedule: [60_000],
  retryJitter: 0,
});

/** Faults a backend's store can be made to suffer for {@link expectFailureCounters}, each a real refusal by the store (a trigger, a permission). */
export interface StoreFaults {
  /** From now on the store refuses to write delivery log entries. */
  refuseLogWrites(): Promise<void>;
  /** From now on the store refuses to write webhook health (its breaker and failing streak). */
  refuseHealthWrites(): Promise<void>;
}

/** The value of the sample `series` (a name with its labels, as exposed) in an app's Prometheus exposition; NaN when absent. */
async function sampleOf(app: Hookwork<unknown>, series: string): Promise<number> {
  const line = (await app.metrics.scrape()).text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

/** Waits, bounded but not timed, until `done()` resolves true. */
async function until(what: string, done: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Checks on a backend (storage and queue engine) that the failures an operator alerts on move
 * their counters in the app's scraped exposition, each from 0 (a test of each counter's wiring
 * from the lifecycle event the backend emits):
 * - `hookwork_requests_dropped_total{reason="webhook_deleted"}`: a webhook deleted with a request
 *   pending (failed once, waiting for its retry) drops it;
 * - `hookwork_requests_dropped_total{reason="webhook_recreated"}`: a request in flight while its
 *   webhook is deleted and another created under its key is dropped by delivery (the engine
 *   applies the drop verdict), not sent to the new webhook;
 * - `hookwork_background_errors_total`: the store refuses the health write of a failed attempt;
 * - `hookwork_delivery_log_write_failures_total`: the store refuses a delivered request's log
 *   entry (delivery goes on: the receiver got it, and the request leaves the queue).
 *
 * `startApp` starts a new app on a new, empty store at each call, composed with `thingComposer`
 * and at least {@link FAILURE_COUNTERS_SETTINGS}, and gives its {@link StoreFaults}; the apps
 * are the caller's to stop.
 */
export async function expectFailureCounters<TTransaction>(startApp: () => Promise<{ app: Hookwork<TTransaction>; faults: StoreFaults }>): Promise<void> {
  let failing = true;
  let held: (() => void)[] | undefined;
  const receiver = await startTestReceiver((_request, res) => {
    const answer = () => void res.writeHead(failing ? 503 : 204).end();
    if (held) held.push(answer);
    else answer();
  });
  try {
    // Dropped: the deletion removes the pending request, logged as dropped.
    {
      const { app } = await startApp();
      expect(await sampleOf(app, 'hookwork_requests_dropped_total{reason="webhook_deleted"}')).toBe(0);
      const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await app.publish(new ThingHappened('to a webhook deleted before its retry'));
      await until('the request failed once and waits for its retry', async () => {
        const counts = await app.management.queueCounts();
        return receiver.requests.length === 1 && counts.pending === 1 && counts.inFlight === 0;
      });
      expect(await app.webhooks.delete(webhook.key)).toBe(true);
      expect((await app.management.queueCounts()).pending).toBe(0);
      expect(await sampleOf(app, 'hookwork_requests_dropped_total{reason="webhook_deleted"}')).toBe(1);
      expect(await sampleOf(app, 'hookwork_requests_dropped_total{reason="webhook_recreated"}')).toBe(0);
      expect(await sampleOf(app, 'hookwork_requests_dropped_total{reason="other"}')).toBe(0);
    }

    // Dropped by delivery: in flight while its webhook is deleted and another created under its
    // key, its 503 decides nothing, and it is dropped when met again rather than sent to the new one.
    {
      receiver.requests.length = 0;
      const { app } = await startApp();
      held = [];
      await app.webhooks.create({ key: 'recreated', url: receiver.url, events: ['thing.happened'] });
      await app.publish(new ThingHappened('in flight across its webhook\'s deletion'));
      await receiver.waitFor(1, 15_000);
      expect(await app.webhooks.delete('recreated')).toBe(true);
      await app.webhooks.create({ key: 'recreated', url: receiver.url, events: ['thing.happened'] });
      const dropped = new Promise((resolve) => app.lifecycle.on('requestDropped', resolve));
      for (const answer of held.splice(0)) answer();
      held = undefined;
      expect(await dropped).toMatchObject({ webhookKey: 'recreated' });
      expect(await sampleOf(app, 'hookwork_requests_dropped_total{reason="webhook_recreated"}')).toBe(1);
      expect(await sampleOf(app, 'hookwork_requests_dropped_total{reason="webhook_deleted"}')).toBe(0);
      expect(receiver.requests).toHaveLength(1);
    }

    // A background error: the failed attempt's health write is refused; the attempt is not (it is retried as ever).
    {
      receiver.requests.length = 0;
      const { app, faults } = await startApp();
      expect(await sampleOf(app, 'hookwork_background_errors_total')).toBe(0);
      const told: string[] = [];
      app.lifecycle.on('backgroundError', (info) => void told.push(info.task));
      await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await faults.refuseHealthWrites();
      await app.publish(new ThingHappened('whose health cannot be recorded'));
      await until('the health write was refused', async () => told.some((task) => /health/.test(task)));
      expect(await sampleOf(app, 'hookwork_background_errors_total')).toBe(told.length);
      expect(told.length).toBeGreaterThanOrEqual(1);
    }

    // A delivery log write refused: the request is delivered all the same, and its entry counted as lost.
    {
      failing = false;
      receiver.requests.length = 0;
      const { app, faults } = await startApp();
      expect(await sampleOf(app, 'hookwork_delivery_log_write_failures_total')).toBe(0);
      const lost: string[] = [];
      app.lifecycle.on('logWriteFailed', (info) => void lost.push(info.requestId));
      const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await faults.refuseLogWrites();
      await app.publish(new ThingHappened('whose log entry is refused'));
      await app.drain({ timeoutMs: 15_000 });
      await until('the log write was refused', async () => lost.length > 0);
      expect(receiver.requests).toHaveLength(1);
      expect((await app.management.queueCounts()).pending).toBe(0);
      expect((await app.logs(webhook.key)).items).toEqual([]);
      expect(await sampleOf(app, 'hookwork_delivery_log_write_failures_total')).toBe(1);
    }
  } finally {
    await receiver.close();
  }
}
