/// <reference types="jest" />
import { stat } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { Hookwork } from '../composition/hookwork-app';
import type { Logger } from '../observability/logger';
import type { Clock } from '../runtime/clock';
import type { HookworkSettingsInput } from '../settings/settings';
import { startTestReceiver } from './test-receiver';
import { ThingHappened } from './thing-event';

/**
 * The settings {@link expectOneAttemptAfterLapsedLease} needs of the app it is given: a lease the
 * check can outlast by stalling the event loop (renewed every 200 ms, lapsed after 600 ms), room for
 * the same webhook's request to be claimed again (`perWebhook` above 1), and an attempt timeout
 * longer than the held answer.
 */
export const LAPSED_LEASE_SETTINGS: Readonly<HookworkSettingsInput & { leaseDuration: number }> = Object.freeze({
  ssrf: { allow: ['127.0.0.1'] },
  leaseDuration: 600,
  timeout: 20_000,
  stopTimeout: 2_000,
  period: '00:01:00',
  concurrency: { global: 8, perWebhook: 4 },
});

/** Blocks this thread for `ms` (as a long synchronous task, a GC pause or a paused VM would). */
function stallEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Checks on a backend (storage with the built-in polling engine, or another engine) that an
 * attempt whose lease lapsed while it ran in this process is never started a second time by this
 * process while it runs: the receiver holds the first attempt's answer, the event loop stalls past
 * the lease (no renewal can run), and right after the stall the dispatcher is woken, so its next
 * claim finds the request's lease expired before any renewal does. The receiver must not see the
 * `webhook-id` again while the first attempt is open, and once it is answered the request is
 * delivered once: one log entry, gone from the queue. The operator is told once: one warning
 * naming the request, its webhook, how long its lease had run out and `leaseDuration`, and one
 * step of `hookwork_leases_lapsed_total` (`reclaimed`, or `renewed_late` when a renewal met the
 * lapse first), none `lost`.
 *
 * `startApp` starts the app on the backend with `thingComposer`, at least
 * {@link LAPSED_LEASE_SETTINGS}, and the `logger` it is given; the app is the caller's to stop.
 */
export async function expectOneAttemptAfterLapsedLease<TTransaction>(startApp: (logger: Logger) => Promise<Hookwork<TTransaction>>): Promise<void> {
  const held: ServerResponse[] = [];
  const open = new Set<string>();
  const twiceAtOnce: string[] = [];
  let firstArrived!: () => void;
  const arrived = new Promise<void>((resolve) => (firstArrived = resolve));
  const receiver = await startTestReceiver((request, res) => {
    const id = String(request.headers['webhook-id']);
    if (open.has(id)) twiceAtOnce.push(id);
    open.add(id);
    res.on('close', () => open.delete(id));
    // Every attempt is held until the check answers them all: a second attempt stays open too.
    held.push(res);
    firstArrived();
  });
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (message) => warnings.push(message), error() {} };
  try {
    const app = await startApp(logger);
    const lease = app.settings.leaseDuration;
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('held'));
    await arrived;
    const id = String(receiver.requests[0]!.headers['webhook-id']);
    // Past the rounds that started the attempt (a durable store's claim may still be answering).
    await new Promise((resolve) => setTimeout(resolve, 200));
    // From an I/O callback (the poll phase), so the wake-up's round runs before the timers that
    // would renew the lease: the stall outlasts the lease, and the next claim finds it lapsed.
    await new Promise<void>((resolve) =>
      stat(__filename, () => {
        stallEventLoop(lease + 600);
        app.updateSettings({});
        resolve();
      }),
    );
    // A second attempt, if one is started, arrives within this wait (it is held like the first).
    await receiver.waitFor(2, 3_000).catch(() => undefined);
    expect(twiceAtOnce).toEqual([]);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([id]);
    for (const res of held.splice(0)) res.end('ok');
    await app.drain({ all: true, timeoutMs: 15_000 });
    const entries = await app.logs({ webhookKey: webhook.key, requestId: id });
    expect(entries.items.map((e) => e.outcome)).toEqual(['delivered']);
    expect(await app.queueCounts({ webhookKey: webhook.key })).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([id]);
    await app.stop();
    const lapsed = warnings.filter((w) => w.includes('lease'));
    expect(lapsed).toHaveLength(1);
    expect(lapsed[0]).toContain(`request ${id} (webhook ${webhook.key})`);
    expect(lapsed[0]).toMatch(/ran out|renewed/);
    expect(lapsed[0]).toMatch(/ (\d+ ms|[\d.]+ s) (before|after)/);
    expect(lapsed[0]).toContain('raise leaseDuration');
    const { text } = await app.metrics.scrape();
    const count = (how: string) => Number(new RegExp(`^hookwork_leases_lapsed_total\\{how="${how}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    expect(count('reclaimed') + count('renewed_late')).toBe(1);
    expect(count('lost')).toBe(0);
  } finally {
    for (const res of held.splice(0)) res.end('ok');
    await receiver.close();
  }
}

/**
 * Checks on a store shared by processes (two apps on it stand for two processes) what the app
 * whose running attempt lost its lease says and does: its attempt is held, its lease runs out,
 * the other app claims the request and delivers it, and some renewals of the first app's leases
 * later that attempt is answered 400 (not retried: a dead verdict). The first app tells the lost
 * lease once — one warning naming the request and its webhook, not one per renewal — and its
 * verdict is not applied: the request stays delivered (gone from the queue), and nothing
 * announces a dead letter (no `deadLettered` event, no dead-letter line); the attempt is in the
 * delivery log. `hookwork_leases_lapsed_total{how="lost"}` steps once.
 *
 * How the lease runs out (`lapse`): `'stall'` blocks the event loop (both apps') past the lease
 * and wakes the other app first — for a store whose claims answer within the turn (SQLite): with
 * one whose claims wait for I/O the first app's renewal may reach it first, and the other then
 * finds nothing to take. `'clock'` gives the other app a clock ahead by twice the lease (the
 * clocks of two machines disagreeing): it takes the lease however fresh, whatever the store.
 *
 * `startApp` starts an app on the one store with `thingComposer`, at least
 * {@link LAPSED_LEASE_SETTINGS} and `retryClientErrors: false`, the `logger` and (when given) the
 * `clock` it is handed, and a way to see the other's enqueues and claims soon (SQLite's
 * `watchIntervalMs`); it is called twice, and the apps are the caller's to stop.
 */
export async function expectLostLeaseToldOnce<TTransaction>(lapse: 'stall' | 'clock', startApp: (logger: Logger, clock?: Clock) => Promise<Hookwork<TTransaction>>): Promise<void> {
  const held: ServerResponse[] = [];
  // The first attempt (the first app's) is held; the other app's is answered at once.
  const receiver = await startTestReceiver((_request, res, index) => {
    if (index === 0) held.push(res);
    else res.end('ok');
  });
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (message) => warnings.push(message), error() {} };
  const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
  try {
    const app = await startApp(logger);
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const deadLettered: string[] = [];
    app.lifecycle.on('deadLettered', (info) => deadLettered.push(info.requestId));
    await app.publish(new ThingHappened('held'));
    await receiver.waitFor(1, 10_000);
    const id = String(receiver.requests[0]!.headers['webhook-id']);
    // Started once the first app's attempt runs: a clock ahead would take the request at once.
    const ahead = 2 * app.settings.leaseDuration;
    const other = await startApp(quiet, lapse === 'clock' ? { now: () => new Date(Date.now() + ahead) } : undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (lapse === 'stall') {
      // Both apps' event loop stalls past the lease; the other app claims first, as a second
      // process whose loop was not stalled would.
      await new Promise<void>((resolve) =>
        stat(__filename, () => {
          stallEventLoop(app.settings.leaseDuration + 600);
          other.updateSettings({});
          resolve();
        }),
      );
    } else {
      other.updateSettings({});
    }
    // The other app's attempt is answered at once: then nothing is left in the store.
    await receiver.waitFor(2, 10_000);
    await other.drain({ all: true, timeoutMs: 15_000 });
    // Renewals of the first app's leases go on every third of the lease: several of them now.
    await new Promise((resolve) => setTimeout(resolve, 3 * app.settings.leaseDuration));
    const failed = new Promise<void>((resolve) => app.lifecycle.on('attemptFailed', (info) => info.requestId === id && resolve()));
    for (const res of held.splice(0)) res.writeHead(400).end('no');
    await failed;
    await app.stop();
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([id, id]);
    expect(await other.queueCounts({ webhookKey: webhook.key })).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    expect(deadLettered).toEqual([]);
    expect(warnings.filter((w) => w.includes('dead-lettered'))).toEqual([]);
    const lapsed = warnings.filter((w) => w.includes('lease'));
    expect(lapsed).toHaveLength(1);
    expect(lapsed[0]).toContain(`request ${id} (webhook ${webhook.key})`);
    expect(lapsed[0]).toContain('taken by another process');
    expect(lapsed[0]).toContain(lapse === 'stall' ? 'the event loop was blocked' : 'clocks of the processes sharing the store disagree');
    expect(lapsed[0]).toContain('raise leaseDuration');
    const outcomes = (await other.logs({ webhookKey: webhook.key, requestId: id })).items.map((e) => e.outcome).sort();
    expect(outcomes).toEqual(['dead', 'delivered']);
    const { text } = await app.metrics.scrape();
    expect(text).toMatch(/^hookwork_leases_lapsed_total\{how="lost"\} 1$/m);
  } finally {
    for (const res of held.splice(0)) res.end('ok');
    await receiver.close();
  }
}
