import type { Hookwork } from '../../composition/hookwork-app';
import type { OperatorEvent } from '../../observability/operator-events';
import type { StorageBackend } from '../../ports/storage-backend';
import type { Clock } from '../../runtime/clock';
import { memoryStorage } from '../../storage/memory/memory-storage';
import { startTestReceiver, type ReceivedRequest, type TestReceiver } from '../../testing/test-receiver';
import { nextLifecycle, startTestApp, ThingHappened } from '../../test-support/test-app';

const DAY = 86_400_000;
const idOf = (r: ReceivedRequest) => (JSON.parse(r.text) as { id: string }).id;

describe('auto-disable, Retry-After and the rate limit', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;
  const arrivals: { path: string; id: string; at: number; retryCount: string }[] = [];

  beforeEach(async () => {
    arrivals.length = 0;
    receiver = await startTestReceiver();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver.close();
  });

  const record = (request: ReceivedRequest) => arrivals.push({ path: request.path, id: idOf(request), at: Date.now(), retryCount: String(request.headers['hookwork-retry-count']) });

  it('disables a webhook failing without one success for autoDisable.after, keeps its requests, and re-enabling delivers them', async () => {
    // The clock runs with the wall clock, plus days the test skips ahead.
    let skipped = 0;
    const clock: Clock = { now: () => new Date(Date.now() + skipped) };
    app = await startTestApp({ clock, settings: { breaker: { enabled: false }, retrySchedule: [20], maximumRetries: 100, autoDisable: { after: '5.00:00:00' } } });
    const events: OperatorEvent[] = [];
    app.lifecycle.on('operatorEvent', (e) => events.push(e));
    let healthy = false;
    receiver.handler = (request, res) => {
      record(request);
      res.statusCode = healthy ? 204 : 500;
      res.end();
    };
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const firstFailure = nextLifecycle(app, 'attemptFailed');
    await app.publish(new ThingHappened('kept-1'));
    await app.publish(new ThingHappened('kept-2'));
    await receiver.waitFor(4);
    const failingSince = (await app.health(webhook.key)).failingSince!;
    expect(failingSince.getTime()).toBeLessThanOrEqual(Date.now());
    await firstFailure;
    expect((await app.webhooks.get(webhook.key))!.enabled).toBe(true);

    // Four days and a bit: still failing, still enabled.
    skipped += 4 * DAY;
    const soon = receiver.requests.length + 2;
    await receiver.waitFor(soon);
    expect((await app.webhooks.get(webhook.key))!.enabled).toBe(true);

    // Past five days without a success: the next failure disables it, once.
    const disabled = nextLifecycle(app, 'webhookDisabled');
    skipped += DAY;
    expect(await disabled).toEqual({ webhookKey: webhook.key, reason: 'failing', message: expect.stringContaining('autoDisable.after: 5 days'), failingSince });
    expect((await app.webhooks.get(webhook.key))!.enabled).toBe(false);
    expect(events.filter((e) => e.type === 'webhook.disabled')).toEqual([
      { type: 'webhook.disabled', timestamp: expect.any(Date), data: { webhookKey: webhook.key, url: webhook.url, reason: 'failing', message: expect.stringContaining('autoDisable.after: 5 days'), failingSince } },
    ]);

    // Its requests are kept, not sent, and not dead.
    const sentWhenDisabled = receiver.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    // At most the attempts already out when it was disabled (two requests) arrive after it.
    expect(receiver.requests.length).toBeLessThanOrEqual(sentWhenDisabled + 2);
    const settled = receiver.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.requests.length).toBe(settled);
    expect(await app.queueCounts({ webhookKey: webhook.key })).toEqual({ pending: 2, inFlight: 0, dead: 0 });

    // Enabled again, with a receiver that works: both go out; the health starts afresh.
    healthy = true;
    await app.webhooks.update(webhook.key, { enabled: true });
    expect(await app.health(webhook.key)).toEqual({ webhookKey: webhook.key, breaker: 'closed', consecutiveFailures: 0 });
    await app.drain({ webhookKey: webhook.key, timeoutMs: 10_000 });
    const delivered = (await app.logs(webhook.key, { limit: 1000 })).items.filter((e) => e.outcome === 'delivered').map((e) => JSON.parse(e.requestBody).id);
    expect(delivered.sort()).toEqual(['kept-1', 'kept-2']);
    expect(events.filter((e) => e.type === 'webhook.disabled')).toHaveLength(1);
  });

  it('a success within autoDisable.after starts the clock again', async () => {
    let skipped = 0;
    const clock: Clock = { now: () => new Date(Date.now() + skipped) };
    app = await startTestApp({ clock, settings: { breaker: { enabled: false }, retrySchedule: [20], maximumRetries: 100, autoDisable: { after: DAY } } });
    let answer = 500;
    receiver.handler = (_request, res) => {
      res.statusCode = answer;
      res.end();
    };
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('a'));
    await receiver.waitFor(2);
    skipped += DAY * 0.75;
    answer = 200;
    await app.drain();
    expect((await app.health(webhook.key)).failingSince).toBeUndefined();
    answer = 500;
    await app.publish(new ThingHappened('b'));
    await receiver.waitFor(receiver.requests.length + 2);
    const restarted = (await app.health(webhook.key)).failingSince!;
    // A day after the first failure, but only half a day after the streak began again: still enabled.
    skipped += DAY / 2;
    await receiver.waitFor(receiver.requests.length + 2);
    expect((await app.webhooks.get(webhook.key))!.enabled).toBe(true);
    expect((await app.health(webhook.key)).failingSince).toEqual(restarted);
  });

  it('a 429 with Retry-After holds that webhook alone until then, without using the held requests\' attempts', async () => {
    app = await startTestApp({ settings: { retrySchedule: [20], concurrency: { global: 8, perWebhook: 1 } } });
    let throttled = false;
    receiver.handler = (request, res) => {
      record(request);
      if (request.path === '/slow' && !throttled) {
        throttled = true;
        res.writeHead(429, { 'retry-after': '2' }).end();
        return;
      }
      res.end();
    };
    const slow = await app.webhooks.create({ url: `${receiver.origin}/slow`, events: ['thing.happened'] });
    await app.webhooks.create({ url: `${receiver.origin}/fast`, events: ['thing.happened'] });
    const deferred = nextLifecycle(app, 'requestDeferred', (r) => r.webhookKey === slow.key);
    for (let i = 0; i < 3; i++) await app.publish(new ThingHappened(`t${i}`));
    expect(await deferred).toMatchObject({ reason: 'receiver asked to wait (Retry-After)' });
    await app.drain({ timeoutMs: 15_000 });

    const slowArrivals = arrivals.filter((a) => a.path === '/slow');
    const fastArrivals = arrivals.filter((a) => a.path === '/fast');
    expect(slowArrivals).toHaveLength(4);
    expect(fastArrivals.map((a) => a.id).sort()).toEqual(['t0', 't1', 't2']);
    const throttledAt = slowArrivals[0]!.at;
    // Nothing more reached /slow for the 2 s it asked for; /fast went on meanwhile.
    for (const a of slowArrivals.slice(1)) expect(a.at - throttledAt).toBeGreaterThanOrEqual(2000 - 50);
    expect(Math.max(...fastArrivals.map((a) => a.at))).toBeLessThan(slowArrivals[1]!.at);
    // The requests held meanwhile were sent as first attempts: holding them used no attempt.
    expect(slowArrivals.map((a) => a.retryCount).sort()).toEqual(['0', '0', '0', '1']);
  });

  it('a webhook moved to another URL is not held by what the old receiver said: its pause ends, and an attempt still out there adds none', async () => {
    app = await startTestApp({ settings: { concurrency: { global: 4, perWebhook: 4 } } });
    // The old receiver is being shut down: it asks for an hour's pause (maxRetryAfter's 1 h), slowly.
    const held = new Map<string, () => void>();
    receiver.handler = (request, res) => void held.set(idOf(request), () => res.writeHead(429, { 'retry-after': '3600' }).end());
    const moved = await startTestReceiver();
    try {
      const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await app.publish(new ThingHappened('a'));
      await app.publish(new ThingHappened('b'));
      await receiver.waitFor(2);
      const paused = nextLifecycle(app, 'attemptFailed', (info) => info.statusCode === 429);
      held.get('a')!();
      await paused;
      expect((await app.management.health(webhook.key))?.pausedUntil).toBeDefined();
      // Pointed at the new receiver: the pause of the old one ends with it.
      await app.webhooks.update(webhook.key, { url: moved.url });
      // The attempt still at the old receiver answers after the move.
      const late = nextLifecycle(app, 'attemptFailed', (info) => info.statusCode === 429);
      held.get('b')!();
      await late;
      await app.publish(new ThingHappened('c'));
      // a, whose retry waited for the old receiver's pause, was brought forward by the move.
      expect((await moved.waitFor(2, 5000)).map(idOf).sort()).toEqual(['a', 'c']);
      expect((await app.management.health(webhook.key))?.pausedUntil).toBeUndefined();
    } finally {
      await moved.close();
    }
  });

  it('an attempt at the old URL whose health write comes after the move (it read the old URL just before) leaves the new receiver unpaused', async () => {
    // The store answers the late attempt's "is it still at this URL?" with the old URL, and the
    // move (and its forgetting of the health) lands before that attempt writes what it learnt.
    let beforeAnswer: (() => Promise<unknown>) | undefined;
    const memory = memoryStorage();
    const storage: StorageBackend = {
      ...memory,
      async open(context) {
        const opened = await memory.open(context);
        const get = opened.webhooks.get.bind(opened.webhooks);
        opened.webhooks.get = async (key) => {
          const found = await get(key);
          const run = beforeAnswer;
          beforeAnswer = undefined;
          await run?.();
          return found;
        };
        return opened;
      },
    };
    app = await startTestApp({ storage, settings: { concurrency: { global: 4, perWebhook: 4 } } });
    let answer: (() => void) | undefined;
    receiver.handler = (_request, res) => void (answer = () => res.writeHead(429, { 'retry-after': '3600' }).end());
    const moved = await startTestReceiver();
    try {
      const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await app.publish(new ThingHappened('a'));
      await receiver.waitFor(1);
      let movedNow = false;
      beforeAnswer = async () => {
        await app!.webhooks.update(webhook.key, { url: moved.url });
        movedNow = true;
      };
      const late = nextLifecycle(app, 'attemptFailed', (info) => info.statusCode === 429);
      answer!();
      await late;
      await app.drain({ requestIds: [] });
      expect(movedNow).toBe(true);
      expect((await app.management.health(webhook.key))?.pausedUntil).toBeUndefined();
      await app.publish(new ThingHappened('c'));
      expect((await moved.waitFor(1, 5000)).map(idOf)).toEqual(['c']);
    } finally {
      await moved.close();
    }
  });

  it('a webhook moved away from a receiver that asked for an hour\'s pause takes new requests at once in the process that was holding it, and sends what the pause deferred to the new receiver at once', async () => {
    app = await startTestApp({ settings: { concurrency: { global: 4, perWebhook: 4 } } });
    receiver.handler = (_request, res) => void res.writeHead(429, { 'retry-after': '3600' }).end();
    const moved = await startTestReceiver();
    try {
      const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      const paused = nextLifecycle(app, 'attemptFailed', (info) => info.statusCode === 429);
      await app.publish(new ThingHappened('a'));
      await paused;
      // Published during the pause: deferred to its end, and the engine holds the webhook until then.
      const deferred = nextLifecycle(app, 'requestDeferred');
      await app.publish(new ThingHappened('b'));
      await deferred;
      await app.webhooks.update(webhook.key, { url: moved.url });
      await app.publish(new ThingHappened('c'));
      // a (its retry due at the pause's end) and b (deferred to it) waited up to an hour for it.
      expect((await moved.waitFor(3, 5000)).map(idOf).sort()).toEqual(['a', 'b', 'c']);
      expect(receiver.requests.map(idOf)).toEqual(['a']);
    } finally {
      await moved.close();
    }
  });

  it.each<[string, { throttled: number; breaker?: { failureThreshold: number; coolDown: number } }]>([
    ['a receiver\'s hour-long Retry-After pause', { throttled: 429 }],
    ['an open breaker\'s hour-long cool-down', { throttled: 503, breaker: { failureThreshold: 1, coolDown: 3_600_000 } }],
  ])('a webhook disabled and enabled again sends at once what %s held, new requests too', async (_title, { throttled, breaker }) => {
    app = await startTestApp({ settings: { concurrency: { global: 4, perWebhook: 4 }, retrySchedule: [20], ...(breaker ? { breaker } : {}) } });
    let healthy = false;
    const delivered: string[] = [];
    receiver.handler = (request, res) => {
      if (healthy) {
        delivered.push(idOf(request));
        return void res.end();
      }
      res.writeHead(throttled, throttled === 429 ? { 'retry-after': '3600' } : {}).end();
    };
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const failed = nextLifecycle(app, 'attemptFailed');
    await app.publish(new ThingHappened('a'));
    await failed;
    // Published while the health holds the webhook: deferred an hour.
    const deferred = nextLifecycle(app, 'requestDeferred', (info) => info.webhookKey === webhook.key);
    await app.publish(new ThingHappened('b'));
    await deferred;
    healthy = true;
    await app.webhooks.update(webhook.key, { enabled: false });
    await app.webhooks.update(webhook.key, { enabled: true });
    expect(await app.health(webhook.key)).toEqual({ webhookKey: webhook.key, breaker: 'closed', consecutiveFailures: 0 });
    await app.publish(new ThingHappened('c'));
    // Without the release they waited an hour, and drain() timed out.
    await app.drain({ webhookKey: webhook.key, timeoutMs: 5_000 });
    expect(delivered.sort()).toEqual(['a', 'b', 'c']);
  });

  it('a URL change whose bringing forward of the deferred requests fails is made all the same, and the failure is a background error', async () => {
    const memory = memoryStorage();
    const storage: StorageBackend = {
      ...memory,
      async open(context) {
        const opened = await memory.open(context);
        opened.queue.bringForward = async () => {
          throw new Error('the store is away');
        };
        return opened;
      },
    };
    app = await startTestApp({ storage, settings: { concurrency: { global: 4, perWebhook: 4 } } });
    receiver.handler = (_request, res) => void res.writeHead(429, { 'retry-after': '3600' }).end();
    const moved = await startTestReceiver();
    try {
      const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      const paused = nextLifecycle(app, 'attemptFailed', (info) => info.statusCode === 429);
      await app.publish(new ThingHappened('a'));
      await paused;
      const failed = nextLifecycle(app, 'backgroundError');
      expect((await app.webhooks.update(webhook.key, { url: moved.url })).url).toBe(moved.url);
      const { task, error } = await failed;
      expect(task).toBe(`bringing forward the deferred requests of webhook ${webhook.key}, moved to another URL`);
      expect((error as Error).message).toBe('the store is away');
      expect((await app.webhooks.get(webhook.key))!.url).toBe(moved.url);
      // New requests go to the new receiver; a waits for its old due time.
      await app.publish(new ThingHappened('c'));
      expect((await moved.waitFor(1, 5000)).map(idOf)).toEqual(['c']);
    } finally {
      await moved.close();
    }
  });

  it('a webhook\'s rate limit spaces its requests (one process), and the burst goes at once', async () => {
    app = await startTestApp();
    receiver.handler = (request, res) => {
      record(request);
      res.end();
    };
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], rateLimit: { perSecond: 10, burst: 3 } });
    for (let i = 0; i < 13; i++) await app.publish(new ThingHappened(`r${i}`));
    await app.drain({ timeoutMs: 15_000 });
    const times = arrivals.map((a) => a.at).sort((x, y) => x - y);
    expect(times).toHaveLength(13);
    // 3 at once, then 10 at 10 per second: the last no sooner than ~1 s after the first.
    expect(times[12]! - times[0]!).toBeGreaterThanOrEqual(1000 - 100);
  });
});
