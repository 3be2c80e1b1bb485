import 'reflect-metadata';
import { join } from 'node:path';
import { createHookwork, type Hookwork, type HookworkOptions, type LifecycleEvents } from '@hookwork/core';
import { startTestReceiver, thingComposer, ThingHappened, type ReceivedRequest, type TestReceiver } from '@hookwork/core/testing';
import { bullmqQueue } from '@hookwork/bullmq';
import { postgresStorage } from '@hookwork/postgres';
import { sqliteStorage } from '@hookwork/sqlite';
import { scratchBackends } from './scratch-backends';

/**
 * A webhook moved away from a receiver that asked for an hour's pause (`429 Retry-After: 3600`):
 * what the pause deferred goes to the new URL at once, on every store and engine — SQLite and
 * PostgreSQL with the built-in engine, PostgreSQL with BullMQ. Each backend's schema, file or key
 * prefix is this file's own, removed after.
 */
const { pgUrl: PG_URL, redisUrl: REDIS_URL, schema, prefix, dir } = scratchBackends('forward');
const idOf = (r: ReceivedRequest) => (JSON.parse(r.text) as { id: string }).id;

/** Resolves with the next `event` that `filter` accepts. */
function next<E extends keyof LifecycleEvents>(app: Hookwork, event: E, filter: (info: Parameters<LifecycleEvents[E]>[0]) => boolean = () => true): Promise<void> {
  return new Promise((resolve) => {
    const listener = ((info: Parameters<LifecycleEvents[E]>[0]) => {
      if (!filter(info)) return;
      app.lifecycle.off(event, listener as never);
      resolve();
    }) as LifecycleEvents[E];
    app.lifecycle.on(event, listener as never);
  });
}

/** Quick retries and looks, a short timeout; the receivers on 127.0.0.1 let through. */
const SETTINGS = { ssrf: { allow: ['127.0.0.1'] }, retrySchedule: [50, 100], retryJitter: 0, period: 200, timeout: 2000, stopTimeout: 2000, concurrency: { global: 4, perWebhook: 4 } };

const backends: [string, () => Pick<HookworkOptions, 'storage' | 'queue'>][] = [
  ['SQLite', () => ({ storage: sqliteStorage({ file: join(dir(), 'hookwork.db') }) })],
  ['PostgreSQL', () => ({ storage: postgresStorage({ connectionString: PG_URL, schema: `${schema}_polling` }) })],
  ['PostgreSQL with BullMQ', () => ({ storage: postgresStorage({ connectionString: PG_URL, schema: `${schema}_bullmq` }), queue: bullmqQueue({ connection: REDIS_URL, queueName: 'forward', prefix, checkDurability: false }) })],
];

describe.each(backends)('a webhook moved to another URL, on %s', (_name, backend) => {
  let old: TestReceiver;
  let moved: TestReceiver;
  let app: Hookwork | undefined;

  beforeEach(async () => {
    old = await startTestReceiver((_request, res) => void res.writeHead(429, { 'retry-after': '3600' }).end());
    moved = await startTestReceiver();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await old.close();
    await moved.close();
  });

  it('sends what the old receiver\'s hour-long pause deferred to the new receiver at once', async () => {
    app = createHookwork({
      composers: [thingComposer],
      ...backend(),
      settings: SETTINGS,
    });
    await app.start();
    const webhook = await app.webhooks.create({ url: old.url, events: ['thing.happened'] });
    const paused = next(app, 'attemptFailed', (info) => info.statusCode === 429);
    await app.publish(new ThingHappened('a'));
    await paused;
    // Published during the pause: deferred to its end.
    const deferred = next(app, 'requestDeferred');
    await app.publish(new ThingHappened('b'));
    await deferred;
    await app.webhooks.update(webhook.key, { url: moved.url });
    await app.publish(new ThingHappened('c'));
    // a (its retry due at the pause's end) and b (deferred to it) waited up to an hour for it.
    expect((await moved.waitFor(3, 8000)).map(idOf).sort()).toEqual(['a', 'b', 'c']);
    expect(old.requests.map(idOf)).toEqual(['a']);
  });

  it('does not count the failure of an attempt still out at the old URL: the request goes to the new receiver at once, with the retry count it had', async () => {
    // The old receiver answers 500, and slowly: the webhook is moved while the attempt runs.
    let answerOld: (() => void) | undefined;
    old.handler = (_request, res) => {
      answerOld = () => void res.writeHead(500).end();
    };
    app = createHookwork({
      composers: [thingComposer],
      ...backend(),
      settings: { ...SETTINGS, retrySchedule: [60_000], timeout: 5000 },
    });
    await app.start();
    const webhook = await app.webhooks.create({ url: old.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('a'));
    await old.waitFor(1);
    await app.webhooks.update(webhook.key, { url: moved.url });
    answerOld!();
    // Not after the old receiver's backoff (a minute), and as its first attempt.
    const [resent] = await moved.waitFor(1, 8000);
    expect([idOf(resent!), resent!.headers['hookwork-retry-count']]).toEqual(['a', '0']);
  });

  it('ends the pause in another instance too: moved from a back-office instance that delivers nothing, the delivering one sends to the new receiver', async () => {
    // Two instances on one store: `app` delivers; `office` only edits webhooks (delivery off).
    app = createHookwork({ composers: [thingComposer], ...backend(), settings: SETTINGS });
    const office = createHookwork({ composers: [thingComposer], ...backend(), settings: { ...SETTINGS, enabled: false } });
    await app.start();
    await office.start();
    try {
      const webhook = await office.webhooks.create({ url: old.url, events: ['thing.happened'] });
      const paused = next(app, 'attemptFailed', (info) => info.statusCode === 429);
      await app.publish(new ThingHappened('a'));
      await paused;
      // Published during the pause: deferred to its end, and the delivering instance stops taking
      // the webhook's requests.
      const deferred = next(app, 'requestDeferred');
      await app.publish(new ThingHappened('b'));
      await deferred;
      await office.webhooks.update(webhook.key, { url: moved.url });
      await app.publish(new ThingHappened('c'));
      // It learns of the move from the store, not from a call of its own: its copy of the webhook
      // may send to the old URL for up to a second, and such an attempt's 429 must not defer the
      // request by the old receiver's hour either.
      expect((await moved.waitFor(3, 20_000)).map(idOf).sort()).toEqual(['a', 'b', 'c']);
    } finally {
      await office.stop();
    }
  }, 40_000);
});
