import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHookwork, isHookworkError, keyedMessageId, type Composer, type Hookwork, type HookworkSettingsInput, type Logger, type QueueEngine } from '@hookwork/core';
import type { EventEmitter } from 'node:events';
import { expectKeyedPublishOfTwoBatchesKeepsBoth, expectPublishAgainBeforeLogEntryNotSentAgain, expectPublishResultCounts, expectRepeatedPublishEnqueuedOnce, startSilentServer, startTestReceiver, stopDuringStart, type ReceivedRequest, type TestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { sqliteStorage } from '@hookwork/sqlite';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { bullmqQueue } from './bullmq-queue';
import { startPrivateRedis, within, type PrivateRedis } from './testing/private-redis';
import { deleteKeys, killConnections, reconnected, standaloneEngineContext, TEST_REDIS_URL, uniquePrefix } from './testing/redis-test';

const prefix = uniquePrefix('app');
let queues = 0;
const webhookIdOf = (request: ReceivedRequest) => String(request.headers['webhook-id']);
/** `hookwork_leases_lapsed_total` of a scrape, by `how`. */
const leasesLapsed = (text: string) =>
  Object.fromEntries(['reclaimed', 'renewed_late', 'lost'].map((how) => [how, Number(new RegExp(`^hookwork_leases_lapsed_total\\{how="${how}"\\} (\\d+)$`, 'm').exec(text)?.[1])]));

/**
 * Holds the receiver's answers from now on; the function returned answers those held (204) and
 * every later request at once.
 */
function holdAnswers(receiver: TestReceiver): () => void {
  const held: Array<() => void> = [];
  let hold = true;
  receiver.handler = (_request, res) => {
    if (hold) held.push(() => res.writeHead(204).end());
    else res.writeHead(204).end();
  };
  return () => {
    hold = false;
    for (const answer of held.splice(0)) answer();
  };
}

/** Settings for quick tests: short retries and leases, the receiver on loopback allowed. */
const SETTINGS: HookworkSettingsInput = {
  ssrf: { allow: ['127.0.0.1'] },
  retrySchedule: [100, 200],
  retryJitter: 0,
  maximumRetries: 2,
  leaseDuration: 2000,
  period: 500,
  timeout: 5000,
  stopTimeout: 1000,
};

describe('an app on SQLite with the BullMQ queue', () => {
  let dir: string;
  let receiver: TestReceiver;
  const apps: Hookwork[] = [];
  const servers: PrivateRedis[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookwork-bullmq-app-'));
    receiver = await startTestReceiver();
  });
  afterEach(async () => {
    // Every step runs, each bounded and naming what it waited on: a stop that hung used to keep
    // the private redis-servers running (and the test process from exiting).
    const stopped = await Promise.allSettled(apps.splice(0).map((app) => within(app.stop(), 20_000, () => 'app.stop()')));
    const removed = await Promise.allSettled(servers.splice(0).map((server) => server.remove()));
    await within(receiver.close(), 10_000, () => 'the test receiver\'s close()');
    rmSync(dir, { recursive: true, force: true });
    const failures = [...stopped, ...removed].filter((outcome) => outcome.status === 'rejected');
    if (failures.length > 0) throw new AggregateError(failures.map((failure) => failure.reason), failures.map((failure) => String(failure.reason)).join('; '));
  });
  afterAll(async () => {
    await deleteKeys(prefix);
  });

  /** The queue engine each app opened, for tests that play a part of BullMQ's own. */
  const engines = new WeakMap<Hookwork, QueueEngine<never>>();

  async function startApp(connection = TEST_REDIS_URL, settings: HookworkSettingsInput = {}, queueName = `app${++queues}`, logger?: Logger, composers: readonly Composer[] = [thingComposer]): Promise<Hookwork> {
    const provider = bullmqQueue({ connection, prefix, queueName, checkDurability: false });
    const app: Hookwork = createHookwork({
      composers: [...composers],
      ...(logger ? { logger } : {}),
      storage: sqliteStorage({ file: join(dir, 'hookwork.db') }),
      queue: { name: provider.name, open: async (context) => {
        const engine = await provider.open(context);
        engines.set(app, engine);
        return engine;
      } },
      settings: { ...SETTINGS, ...settings },
    });
    apps.push(app);
    await app.start();
    return app;
  }

  it('delivers signed requests, retries as core decides (Retry-After too), dead-letters and redelivers, logging in SQLite', async () => {
    const app = await startApp();
    const { key, secret } = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], secret: true });
    const failures = new Map<string, number>();
    const arrivedAt = new Map<string, number[]>();
    receiver.handler = (request, res) => {
      const body = JSON.parse(request.text) as { id: string };
      arrivedAt.set(body.id, [...(arrivedAt.get(body.id) ?? []), Date.now()]);
      const seen = (failures.get(body.id) ?? 0) + 1;
      failures.set(body.id, seen);
      if (body.id === 'flaky' && seen === 1) return void res.writeHead(503, { 'retry-after': '1' }).end();
      if (body.id === 'broken') return void res.writeHead(500).end();
      res.writeHead(204).end();
    };
    const started = Date.now();
    await app.publish(new ThingHappened('fine'));
    await app.publish(new ThingHappened('flaky'));
    await app.publish(new ThingHappened('broken'));
    await app.drain({ timeoutMs: 20_000 });

    // Signatures verify with the standardwebhooks package; the retry-count header counts up.
    for (const request of receiver.requests) expect(() => new Webhook(secret!).verify(request.text, request.headers as Record<string, string>)).not.toThrow();
    const flaky = receiver.requests.filter((r) => JSON.parse(r.text).id === 'flaky');
    expect(flaky.map((r) => r.headers['hookwork-retry-count'])).toEqual(['0', '1']);
    expect(new Set(flaky.map(webhookIdOf)).size).toBe(1);
    // Retry-After: 1 outweighs the 100 ms schedule.
    const [firstTry, secondTry] = arrivedAt.get('flaky')!;
    expect(secondTry! - firstTry!).toBeGreaterThanOrEqual(950);
    expect(receiver.requests.filter((r) => JSON.parse(r.text).id === 'broken')).toHaveLength(3);

    const dead = await app.deadLetters({ webhookKey: key });
    expect(dead.total).toBe(1);
    expect(dead.items[0]).toMatchObject({ state: 'dead', attempts: 3, lastError: 'HTTP 500', webhookKey: key });
    expect(dead.items[0]!.deadAt!.getTime()).toBeGreaterThanOrEqual(started);
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 1 });
    // BullMQ cannot tell the oldest pending request's age: no sample, where it read 0 ("nothing waits") however long requests waited.
    expect((await app.metrics.scrape()).text).not.toMatch(/^hookwork_queue_oldest_pending_age_seconds /m);
    const log = await app.logs(key, { limit: 100 });
    expect(log.items.map((e) => e.outcome).sort()).toEqual(['dead', 'delivered', 'delivered', 'retrying', 'retrying', 'retrying']);

    receiver.handler = (_request, res) => void res.writeHead(204).end();
    expect(await app.redeliver({ webhookKey: key })).toEqual({ redelivered: 1, skipped: 0 });
    await app.drain({ timeoutMs: 10_000 });
    expect(await app.queueCounts({ webhookKey: key })).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    const last = receiver.requests.at(-1)!;
    expect(JSON.parse(last.text).id).toBe('broken');
    expect(last.headers['hookwork-retry-count']).toBe('0');
  });

  // An attempt cut off by stop() was reported as a failed, retrying one (attemptFailed,
  // hookwork_attempts_total{outcome="retrying"}) though it counted for nothing.
  it('counts a publish made again with its idempotencyKey as enqueued once (lifecycle event, metric), and drain() does not wait for what it skipped', async () => {
    // Each app on the one queue and file, as another process.
    const queueName = `app${++queues}`;
    await expectRepeatedPublishEnqueuedOnce(() => startApp(TEST_REDIS_URL, {}, queueName), receiver);
  });

  it('enqueues in Redis with an idempotencyKey what it does without one when an event enqueues twice in one publish; the repeat stores none', async () => {
    await expectKeyedPublishOfTwoBatchesKeepsBoth((composers) => startApp(TEST_REDIS_URL, {}, `app${++queues}`, undefined, composers), receiver);
  });

  it('answers publish() with what it enqueued in Redis: 0 when the notification matched nothing, N for one notification to N webhooks', async () => {
    await expectPublishResultCounts(() => startApp(TEST_REDIS_URL, {}, `app${++queues}`), receiver);
  });

  it('skips a publish made again right after its request was delivered, before the delivery log entry is written, instead of sending it again', async () => {
    await expectPublishAgainBeforeLogEntryNotSentAgain(sqliteStorage({ file: join(dir, 'log-gap.db') }), bullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName: `app${++queues}`, checkDurability: false }));
  });

  it('remembers a keyed request its webhook’s deletion removed: a publish made again, the webhook created again under its key, is skipped as on the SQL stores', async () => {
    const app = await startApp();
    const enqueued: string[] = [];
    app.lifecycle.on('enqueued', (requests) => enqueued.push(...requests.map((r) => r.requestId)));
    // Its first attempt is answered 503, Retry-After a minute: a delayed job the deletion removes.
    receiver.handler = (_request, res) => void res.writeHead(503, { 'retry-after': '60' }).end();
    await app.webhooks.create({ key: 'replaced', url: receiver.url, events: ['thing.happened'] });
    const id = keyedMessageId('order-9:paid', 'replaced', 'thing.happened', 0);
    const failed = new Promise<void>((resolve) => app.lifecycle.on('attemptFailed', (info) => info.requestId === id && resolve()));
    await app.publish(new ThingHappened('order-9'), { idempotencyKey: 'order-9:paid' });
    await failed;
    await app.webhooks.delete('replaced');
    receiver.handler = (_request, res) => void res.writeHead(204).end();
    await app.webhooks.create({ key: 'replaced', url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('order-9'), { idempotencyKey: 'order-9:paid' });
    await app.drain({ all: true, timeoutMs: 10_000 });
    // A request stored again is sent to the new webhook within this wait.
    await receiver.waitFor(2, 1_000).catch(() => undefined);
    expect(receiver.requests.map(webhookIdOf)).toEqual([id]);
    expect(enqueued).toEqual([id]);
    expect((await app.logs({ webhookKey: 'replaced' })).items.map((e) => [e.requestId, e.outcome])).toEqual([
      [id, 'dropped'],
      [id, 'retrying'],
    ]);
  });

  it('counts only the requests a batch stored when BullMQ skips some of it (FlowProducer.addBulk)', async () => {
    const app = await startApp();
    const enqueued: string[] = [];
    app.lifecycle.on('enqueued', (requests) => enqueued.push(...requests.map((r) => r.requestId)));
    const a = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('order-7'), { idempotencyKey: 'order-7:paid' });
    // A second webhook: the same publish made again is a batch of two jobs, the first held (or remembered) already.
    const b = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('order-7'), { idempotencyKey: 'order-7:paid' });
    await app.drain({ timeoutMs: 10_000 });
    await app.publish(new ThingHappened('order-7'), { idempotencyKey: 'order-7:paid' });
    await app.drain({ timeoutMs: 10_000 });
    expect(enqueued.sort()).toEqual([keyedMessageId('order-7:paid', a.key, 'thing.happened', 0), keyedMessageId('order-7:paid', b.key, 'thing.happened', 0)].sort());
    expect((await app.metrics.scrape()).text).toMatch(/^hookwork_requests_enqueued_total 2$/m);
    expect(receiver.requests).toHaveLength(2);
  });

  it('reports an attempt cut off by stop() as released, not failed; the next process sends it with its retry count unchanged', async () => {
    const queueName = `released${++queues}`;
    const first = await startApp(TEST_REDIS_URL, { stopTimeout: 300 }, queueName);
    const seen: string[] = [];
    first.lifecycle.on('attemptFailed', (info) => seen.push(`failed ${info.outcome}`));
    first.lifecycle.on('attemptReleased', (info) => seen.push(`released ${info.outcome} ${info.errorKind}`));
    receiver.handler = () => {}; // never answers
    const { key } = await first.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await first.publish(new ThingHappened('cut-off'));
    await receiver.waitFor(1);
    await first.stop();
    expect(seen).toEqual(['released released aborted']);
    const text = (await first.metrics.scrape()).text;
    expect(text).toContain('hookwork_attempts_total{outcome="released",status_class="none"} 1');
    expect(text).not.toMatch(/^hookwork_attempts_total\{outcome="retrying"/m);

    receiver.handler = (_request, res) => void res.writeHead(204).end();
    const second = await startApp(TEST_REDIS_URL, {}, queueName);
    await receiver.waitFor(2);
    await second.drain({ timeoutMs: 10_000 });
    expect(receiver.requests.map((r) => r.headers['hookwork-retry-count'])).toEqual(['0', '0']);
    // The log entry is written after the verdict is applied: drain() may end first.
    const outcomes = async () => (await second.logs(key, { limit: 10 })).items.map((e) => e.outcome);
    for (let i = 0; i < 100 && (await outcomes()).length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await outcomes()).toEqual(['delivered', 'released']);
  });

  it('refuses request ids BullMQ cannot use as job ids, storing nothing of the batch', async () => {
    const engine = await bullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName: `ids${++queues}`, checkDurability: false }).open(standaloneEngineContext());
    try {
      const request = { webhookKey: 'w', eventAlias: 'e', body: '{}', createdAt: new Date(), dueAt: new Date() };
      for (const id of ['12345', 'a:b']) {
        const error = await engine.enqueue([{ ...request, id: 'msg_fine' }, { ...request, id }]).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isHookworkError(error, 'HOOKWORK_ERR_ENQUEUE_FAILED')).toBe(true);
        expect((error as Error).message).toContain(JSON.stringify(id));
      }
      expect(await engine.get('msg_fine')).toBeUndefined();
    } finally {
      await engine.close?.();
    }
  });

  it('with perWebhook at or above global, holds no more jobs in flight than it runs: the rest stay in Redis for any process', async () => {
    const app = await startApp(TEST_REDIS_URL, { concurrency: { global: 2, perWebhook: 2 } });
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const held: Array<() => void> = [];
    receiver.handler = (_request, res) => {
      held.push(() => res.writeHead(204).end());
    };
    for (let i = 0; i < 6; i++) await app.publish(new ThingHappened(`n${i}`));
    await receiver.waitFor(2);
    // Time for the Worker to fetch whatever it would (a waiting room of 2 more, before).
    for (let i = 0; i < 10; i++) {
      expect(await app.queueCounts()).toEqual({ pending: 4, inFlight: 2, dead: 0 });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    receiver.handler = (_request, res) => {
      res.writeHead(204).end();
    };
    for (const answer of held.splice(0)) answer();
    await app.drain({ timeoutMs: 10_000 });
    expect(new Set(receiver.requests.map((r) => JSON.parse(r.text).id)).size).toBe(6);
  });

  it('a webhook whose waiting room is full gets its new jobs delayed at enqueue, never put ahead of other webhooks\' jobs in the wait list', async () => {
    const queueName = `stuck${++queues}`;
    // A long period, so that the delays of jobs sent back (and of the probe) reach past this test.
    const app = await startApp(TEST_REDIS_URL, { concurrency: { global: 4, perWebhook: 1 }, period: 60_000 }, queueName);
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const held: Array<() => void> = [];
    receiver.handler = (_request, res) => void held.push(() => res.writeHead(204).end());
    const enqueued: string[] = [];
    app.lifecycle.on('enqueued', (requests) => void enqueued.push(...requests.map((r) => r.requestId)));
    const queue = new Queue(queueName, { connection: { url: TEST_REDIS_URL }, prefix });
    try {
      for (let i = 0; i < 20; i++) await app.publish(new ThingHappened(`stuck${i}`));
      await receiver.waitFor(1);
      // One attempt held at the receiver and four jobs (global) in the process's waiting room; the
      // Worker sends a job back only when that room is full, so a delayed job says it is (and stays
      // so while held).
      for (let i = 0; i < 500 && (await queue.getJobCounts('delayed')).delayed === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect((await queue.getJobCounts('delayed')).delayed).toBeGreaterThan(0);

      await app.publish(new ThingHappened('probe'));
      const probe = enqueued.at(-1)!;
      const job = await queue.getJob(probe);
      // Added delayed (its options, as stored when it was added, carry the delay; a job the Worker
      // sends back keeps the options it was added with), so it never sat in the wait list for the
      // Worker to page past. Before, it was added to the wait list and sent back once fetched.
      expect(job!.opts.delay ?? 0).toBeGreaterThan(0);
    } finally {
      await queue.close();
    }
    receiver.handler = (_request, res) => void res.writeHead(204).end();
    for (const answer of held.splice(0)) answer();
  });

  it.each([
    ['moved to another URL', { url: true }],
    ['disabled and enabled again', { url: false }],
  ])('a webhook %s sends at once the jobs a receiver\'s hour-long Retry-After pause delayed, not an hour later', async (_title, { url }) => {
    const app = await startApp(TEST_REDIS_URL, { concurrency: { global: 4, perWebhook: 4 } });
    let healthy = false;
    const delivered: string[] = [];
    receiver.handler = (request, res) => {
      if (!healthy) return void res.writeHead(429, { 'retry-after': '3600' }).end();
      delivered.push((JSON.parse(request.text) as { id: string }).id);
      res.end();
    };
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const failed = new Promise<void>((resolve) => app.lifecycle.once('attemptFailed', () => resolve()));
    await app.publish(new ThingHappened('a'));
    await failed;
    // Published during the pause: a delayed job, due in an hour.
    const deferred = new Promise<void>((resolve) => app.lifecycle.once('requestDeferred', () => resolve()));
    await app.publish(new ThingHappened('b'));
    await deferred;
    healthy = true;
    if (url) await app.webhooks.update(webhook.key, { url: `${receiver.url}?moved` });
    else {
      await app.webhooks.update(webhook.key, { enabled: false });
      await app.webhooks.update(webhook.key, { enabled: true });
    }
    await app.drain({ webhookKey: webhook.key, timeoutMs: 10_000 });
    expect(delivered.sort()).toEqual(['a', 'b']);
  });

  it('start() fails with HOOKWORK_ERR_REDIS_UNAVAILABLE when Redis cannot be reached, naming it', async () => {
    const server = await startPrivateRedis();
    await server.remove();
    const error = await startApp(server.url).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHookworkError(error, 'HOOKWORK_ERR_REDIS_UNAVAILABLE' as never)).toBe(true);
    expect((error as Error).message).toContain(`127.0.0.1:${server.port}`);
  });

  // BullMQ's NOPERM was logged uncoded, with the whole Lua script it ran (about 10 KB a line),
  // and "it will be tried again" — an ACL never heals by itself.
  it('an ACL narrowed under a running app is reported coded, naming the key pattern to allow, without BullMQ\'s script', async () => {
    const server = await startPrivateRedis();
    const admin = new Redis(server.url);
    try {
      await admin.call('ACL', 'SETUSER', 'hw', 'on', '>pw', '~*', '&*', '+@all');
      const app = await startApp(`redis://hw:pw@127.0.0.1:${server.port}`);
      const errors: unknown[] = [];
      app.lifecycle.on('backgroundError', ({ error }) => void errors.push(error));
      await admin.call('ACL', 'SETUSER', 'hw', 'resetkeys', '~other:*');
      for (let i = 0; i < 300 && errors.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(errors[0]).toMatchObject({ code: 'HOOKWORK_ERR_REDIS_UNAVAILABLE', message: expect.stringContaining(`ACL SETUSER <user> ~${prefix}:*`) });
      expect((errors[0] as Error).message).toMatch(/NOPERM/);
      expect((errors[0] as Error).message.length).toBeLessThan(1000);
      await admin.call('ACL', 'SETUSER', 'hw', 'resetkeys', '~*');
      await app.stop();
    } finally {
      admin.disconnect();
      await server.remove();
    }
  }, 45_000);

  it('stop() during a start() whose Redis does not answer ends within stopTimeout; the start closes what it opened and ends on its own', async () => {
    // A host that takes connections and never answers: the connect waits its whole timeout (12 s).
    const silent = await startSilentServer();
    try {
      const app = createHookwork({
        composers: [thingComposer],
        storage: sqliteStorage({ file: join(dir, 'hookwork.db') }),
        queue: bullmqQueue({ connection: `redis://127.0.0.1:${silent.port}`, prefix, queueName: `silent${++queues}`, checkDurability: false }),
        settings: { ...SETTINGS, stopTimeout: 200 },
      });
      const { stateAfterStop, startError, order } = await stopDuringStart(app, silent);
      expect(stateAfterStop).toBe('stopped');
      expect(startError).toMatchObject({ code: 'HOOKWORK_ERR_REDIS_UNAVAILABLE' });
      expect(order).toEqual(['stop ended', 'start ended']);
      expect(app.state).toBe('stopped');
      // The SQLite store it had opened is closed: another app opens the file and starts.
      await startApp();
    } finally {
      await silent.close();
    }
  }, 40_000);

  it('connections killed with CLIENT KILL heal without a restart: publishing fails with a coded error meanwhile, delivery resumes', async () => {
    const queueName = `killed${++queues}`;
    const app = await startApp(TEST_REDIS_URL, {}, queueName);
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const answerHeld = holdAnswers(receiver);
    for (let i = 0; i < 6; i++) await app.publish(new ThingHappened(`before${i}`));
    await receiver.waitFor(6);
    // Every connection of this app: the producer, the worker and its blocking fetch.
    expect(await killConnections([`${prefix}:${queueName}:`, `${prefix}:${Buffer.from(queueName).toString('base64')}`])).toBe(3);
    // Publishing right away fails with the coded error, or works once reconnected; never anything else.
    const failures: unknown[] = [];
    let published = 0;
    for (let i = 0; published < 6 && i < 500; i++) {
      try {
        await app.publish(new ThingHappened(`after${published}`));
        published++;
      } catch (error) {
        failures.push(error);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    expect(published).toBe(6);
    for (const failure of failures) {
      // Nothing sent (not reconnected yet), or sent on a socket the kill had closed under it.
      expect([isHookworkError(failure) && failure.code]).toEqual([expect.stringMatching(/^HOOKWORK_ERR_ENQUEUE_(FAILED|UNCERTAIN)$/)]);
      expect((failure as Error).cause).toBeDefined();
    }
    answerHeld();
    await app.drain({ timeoutMs: 20_000 });
    const ids = new Set(receiver.requests.map((r) => JSON.parse(r.text).id as string));
    for (let i = 0; i < 6; i++) {
      expect(ids).toContain(`before${i}`);
      expect(ids).toContain(`after${i}`);
    }
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });

  it('a job whose lease lapsed while its attempt ran, given back by BullMQ and taken again by the same process, is completed without being sent again', async () => {
    const queueName = `lapsed${++queues}`;
    // The held attempt must not time out (a failure, then a retry) before the job is taken again.
    const app = await startApp(TEST_REDIS_URL, { timeout: 60_000 }, queueName);
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const answerHeld = holdAnswers(receiver);
    await app.publish(new ThingHappened('lapsed'));
    await receiver.waitFor(1);
    const id = webhookIdOf(receiver.requests[0]!);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const lock = `${prefix}:${queueName}:${id}:lock`;
      const first = await redis.get(lock);
      expect(first).not.toBeNull();
      // The lease lapses, as when the process is starved of CPU past its lock: BullMQ's stalled-job
      // check gives the job back, and this process, idle, takes it again under a new lock.
      await redis.del(lock);
      for (const deadline = Date.now() + 30_000; ; await new Promise((resolve) => setTimeout(resolve, 50))) {
        const now = await redis.get(lock);
        if (now !== null && now !== first) break;
        if (Date.now() > deadline) throw new Error(`job ${id} was not taken again within 30 s`);
      }
    } finally {
      redis.disconnect();
    }
    answerHeld();
    await app.drain({ timeoutMs: 20_000 });
    // Before: the second processing sent it again (and, its lock no longer renewed once the first
    // ended, lapsed in turn and sent it again).
    expect(receiver.requests.map(webhookIdOf)).toEqual([id]);
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  }, 60_000);

  /**
   * An app on `queueName` whose one attempt the receiver holds open: `lockLines()`, what it logged
   * of lost locks; `lockLost()` resolves once it logged one; `answerHeld()` answers the attempt.
   */
  async function startHeldAttempt(queueName: string) {
    const lines: { level: string; message: string }[] = [];
    const record = (level: string) => (message: string) => void lines.push({ level, message });
    const logger: Logger = { debug() {}, info() {}, warn: record('warn'), error: record('error') };
    const app = await startApp(TEST_REDIS_URL, { timeout: 60_000 }, queueName, logger);
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const answerHeld = holdAnswers(receiver);
    await app.publish(new ThingHappened('held'));
    await receiver.waitFor(1);
    const id = webhookIdOf(receiver.requests[0]!);
    const lockLines = () => lines.filter((line) => /were lost before they finished|has lost its data|could not renew lock/.test(line.message));
    const lockLost = async () => {
      for (const deadline = Date.now() + 20_000; lockLines().length === 0; ) {
        if (Date.now() > deadline) throw new Error(`the lost lock was not logged: ${JSON.stringify(lines)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    return { app, id, lockLines, lockLost, answerHeld };
  }

  it('a running attempt whose lock another process holds is warned about once, as a lapsed lease (not as lost data), for all of BullMQ\'s renewals that fail', async () => {
    const queueName = `taken${++queues}`;
    const { app, id, lockLines, lockLost, answerHeld } = await startHeldAttempt(queueName);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      // Another process's lock, for 5 s: each renewal of this one fails until it expires, and
      // BullMQ's stalled-job check then gives the job back (this process completes it unsent).
      await redis.set(`${prefix}:${queueName}:${id}:lock`, 'another-process', 'PX', 5000);
      await lockLost();
      // More renewals fail meanwhile (about every half lease: 2 s in SETTINGS).
      await new Promise((resolve) => setTimeout(resolve, 2 * 2000));
    } finally {
      redis.disconnect();
    }
    answerHeld();
    await app.drain({ timeoutMs: 20_000 });
    expect(lockLines()).toEqual([{ level: 'warn', message: expect.stringMatching(new RegExp(`^the locks of 1 running attempt\\(s\\) were lost before they finished \\(${id}\\); another process may send them again — was this process paused .* for longer than leaseDuration \\(2000 ms\\)\\?$`)) }]);
    expect(receiver.requests.map(webhookIdOf)).toEqual([id]);
    expect(leasesLapsed((await app.metrics.scrape()).text)).toEqual({ reclaimed: 0, renewed_late: 0, lost: 1 });
  }, 60_000);

  it('a lock renewal BullMQ reports failed after the job was taken again here (a stale token) says nothing while the attempt running here holds the lock', async () => {
    const queueName = `stale${++queues}`;
    const { app, id, lockLines, lockLost, answerHeld } = await startHeldAttempt(queueName);
    // BullMQ's lock manager reads a job's token when it sends a renewal; the job given back and
    // taken again here meanwhile, the answer names the earlier token's failure under the job id
    // while the attempt running now holds the lock. Played here as BullMQ emits it, for the held
    // attempt (whose lock is its own) and for a job with no attempt here.
    const worker = (engines.get(app) as unknown as { worker: EventEmitter }).worker;
    worker.emit('lockRenewalFailed', [id]);
    worker.emit('lockRenewalFailed', ['msg_not_running_here']);
    // What Redis shows of the job is read before anything is said: both reads are answered by then.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(lockLines()).toEqual([]);
    // The lock then taken by another process is still said, once.
    const redis = new Redis(TEST_REDIS_URL);
    try {
      await redis.set(`${prefix}:${queueName}:${id}:lock`, 'another-process', 'PX', 3000);
      await lockLost();
    } finally {
      redis.disconnect();
    }
    answerHeld();
    await app.drain({ timeoutMs: 20_000 });
    expect(lockLines()).toEqual([{ level: 'warn', message: expect.stringMatching(new RegExp(`^the locks of 1 running attempt\\(s\\) were lost before they finished \\(${id}\\)`)) }]);
    expect(receiver.requests.map(webhookIdOf)).toEqual([id]);
    expect(leasesLapsed((await app.metrics.scrape()).text)).toEqual({ reclaimed: 0, renewed_late: 0, lost: 1 });
  }, 60_000);

  it('a lock that expires under a running attempt (the event loop stalled past the lease) is warned about once and counted as a lost lease (BullMQ counts every lock it could not renew as lost)', async () => {
    const { app, id, lockLines, lockLost, answerHeld } = await startHeldAttempt(`expired${++queues}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // No renewal runs while the thread is blocked: the lock's PX runs out in Redis, and the next
    // renewal finds it gone (as a paused VM or a starved CPU would leave it).
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, app.settings.leaseDuration + 1500);
    await lockLost();
    answerHeld();
    // The whole queue: the job taken again completes unsent after this process's attempt settled.
    await app.drain({ all: true, timeoutMs: 20_000 });
    expect(lockLines()).toEqual([{ level: 'warn', message: expect.stringMatching(new RegExp(`^the locks of 1 running attempt\\(s\\) were lost before they finished \\(${id}\\)`)) }]);
    // Taken again by this process's Worker while its attempt ran, it waited for that attempt: sent once.
    expect(receiver.requests.map(webhookIdOf)).toEqual([id]);
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    expect(leasesLapsed((await app.metrics.scrape()).text)).toEqual({ reclaimed: 0, renewed_late: 0, lost: 1 });
  }, 60_000);

  it('publishing with idempotency keys while CLIENT KILL cuts the connections: each failure says whether anything was stored, and retrying with the key stores each notification once, under its one webhook-id', async () => {
    const queueName = `kill-keyed${++queues}`;
    const app = await startApp(TEST_REDIS_URL, {}, queueName);
    const { key: webhookKey } = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    // The producer's connection, which publishes: the worker's kept, so that no completion is lost.
    const names = [`${prefix}:${queueName}:hookwork:producer`];
    // Delivery is at least once: on a loaded machine the worker's leases (2 s here) lapse and BullMQ
    // gives jobs back (92 arrivals beyond 400 once, each job added once). So what is counted is how
    // often: an arrival beyond one per notification that no lapsed lease explains is a request
    // stored twice. BullMQ's own event stream, read from its start.
    const events = new QueueEvents(queueName, { connection: { url: TEST_REDIS_URL }, prefix, lastEventId: '0-0' });
    let added = 0;
    let stalled = 0;
    events.on('added', () => added++);
    events.on('stalled', () => stalled++);
    await events.waitUntilReady();
    const codes = new Map<string, number>();
    let stop = false;
    /** Publishes notification n with key k-n until it is taken, as a host following the error's advice would. */
    const publish = async (n: number) => {
      for (let tries = 0; ; tries++) {
        try {
          return await app.publish(new ThingHappened(`n${n}`), { idempotencyKey: `k-${n}` });
        } catch (error) {
          if (!isHookworkError(error) || !/^HOOKWORK_ERR_ENQUEUE_(FAILED|UNCERTAIN)$/.test(error.code) || tries > 2_000) throw error;
          codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
          expect(error.message).not.toMatch(/maxRetriesPerRequest|max retries/);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
    };
    // Eight publishers at once, while the producer's connection is killed every 100 ms.
    const killing = (async () => {
      for (let kills = 0; !stop && kills < 100; kills++) {
        // Killed first, then every 100 ms: on a quiet machine the 400 publishes take about as long.
        await killConnections(names);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const count = 400;
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < count) await publish(next++);
      }),
    );
    stop = true;
    await killing;
    // Not a run the kills missed: the retries above were made.
    expect([...codes.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    await reconnected(app, 20_000);
    await app.drain({ all: true, timeoutMs: 60_000 });
    const byBody = new Map<string, Set<string>>();
    for (const request of receiver.requests) {
      const id = (JSON.parse(request.text) as { id: string }).id;
      byBody.set(id, (byBody.get(id) ?? new Set()).add(webhookIdOf(request)));
    }
    for (const deadline = Date.now() + 20_000; added < count && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    await events.close();
    // Each notification stored once, delivered, all under its one webhook-id.
    expect(added).toBe(count);
    expect(byBody.size).toBe(count);
    for (let n = 0; n < count; n++) expect([...byBody.get(`n${n}`)!]).toEqual([keyedMessageId(`k-${n}`, webhookKey, 'thing.happened', 0)]);
    // Sent again only where a lease lapsed (none on a quiet machine).
    expect(receiver.requests.length - count).toBeLessThanOrEqual(stalled);
  }, 120_000);

  it('Redis briefly down: publish fails with HOOKWORK_ERR_ENQUEUE_FAILED and its cause, delivery resumes by itself', async () => {
    const server = await startPrivateRedis({ appendonly: 'yes', appendfsync: 'always' });
    servers.push(server);
    const app = await startApp(server.url);
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('first'));
    await app.drain({ timeoutMs: 10_000 });
    await server.kill('SIGTERM');
    const error = await app.publish(new ThingHappened('while-down')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHookworkError(error, 'HOOKWORK_ERR_ENQUEUE_FAILED')).toBe(true);
    expect((error as Error).message).toContain(`127.0.0.1:${server.port}`);
    expect((error as Error).cause).toBeInstanceOf(Error);
    await server.restart();
    // The app reconnects by itself: publishing works again within a few seconds, then delivery.
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await app.publish(new ThingHappened('after'));
        break;
      } catch (e) {
        if (!isHookworkError(e, 'HOOKWORK_ERR_ENQUEUE_FAILED') || Date.now() > deadline) throw e;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    await app.drain({ timeoutMs: 20_000 });
    expect(receiver.requests.map((r) => JSON.parse(r.text).id)).toEqual(['first', 'after']);
  });

  it('a Redis restarted without its data (no persistence) mid-delivery: no lane stays taken, new requests are delivered', async () => {
    // svix/svix-webhooks#1844: Svix's worker stopped for good once a restarted Redis had lost its queue.
    const server = await startPrivateRedis();
    servers.push(server);
    const app = await startApp(server.url, { concurrency: { global: 2, perWebhook: 2 } });
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const answerHeld = holdAnswers(receiver);
    await app.publish(new ThingHappened('lost-1'));
    await app.publish(new ThingHappened('lost-2'));
    await receiver.waitFor(2);
    await server.kill('SIGKILL');
    await server.restart();
    // The attempts in flight end after the restart: their jobs are gone from Redis.
    answerHeld();
    await reconnected(app);
    for (let i = 0; i < 6; i++) await app.publish(new ThingHappened(`after-${i}`));
    await app.drain({ all: true, timeoutMs: 20_000 });
    const after = receiver.requests.map((r) => JSON.parse(r.text).id as string).filter((id) => id.startsWith('after-'));
    expect(after.sort()).toEqual(Array.from({ length: 6 }, (_, i) => `after-${i}`));
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });

  it('an operator\'s FLUSHDB mid-delivery, a webhook\'s lane full with a job waiting in it: nothing stays taken, each attempt that ends without its job is logged once and not sent again, new requests are delivered', async () => {
    const server = await startPrivateRedis();
    servers.push(server);
    const errors: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn() {}, error: (message, data) => void errors.push(`${message} ${String((data as Error | undefined)?.message ?? '')}`) };
    // One attempt at a time for the webhook, two more jobs waiting in this process for it (the
    // lanes' waiting room holds global jobs).
    const app = await startApp(server.url, { concurrency: { global: 2, perWebhook: 1 } }, undefined, logger);
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const answerHeld = holdAnswers(receiver);
    for (let i = 0; i < 4; i++) await app.publish(new ThingHappened(`lost-${i}`));
    await receiver.waitFor(1);
    // lost-0 running, lost-1 and lost-2 waiting in the lane (all active in Redis), lost-3 sent back to wait.
    for (const deadline = Date.now() + 10_000; (await app.queueCounts()).inFlight < 3; ) {
      if (Date.now() > deadline) throw new Error(`the lane did not fill: ${JSON.stringify(await app.queueCounts())}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const operator = new Redis(server.url);
    try {
      await operator.flushdb();
    } finally {
      operator.disconnect();
    }
    answerHeld();
    for (let i = 0; i < 6; i++) await app.publish(new ThingHappened(`after-${i}`));
    await app.drain({ all: true, timeoutMs: 20_000 });
    const ids = receiver.requests.map((r) => JSON.parse(r.text).id as string);
    expect(ids.filter((id) => id.startsWith('after-')).sort()).toEqual(Array.from({ length: 6 }, (_, i) => `after-${i}`));
    // The running attempt and the ones that waited for its slot ended with their jobs gone: sent once each.
    expect(ids.filter((id) => id.startsWith('lost-')).sort()).toEqual(['lost-0', 'lost-1', 'lost-2']);
    // Each job found gone is said once, coded: by its lost lock when a renewal came first, or when
    // BullMQ fails its completion (and then the retry it makes of that).
    const lost = receiver.requests.filter((r) => JSON.parse(r.text).id.startsWith('lost-')).map(webhookIdOf);
    const saying = errors.filter((line) => /HOOKWORK_ERR_REDIS_UNAVAILABLE: (a job was gone from Redis|Redis at \S+ has lost its data)/.test(line));
    for (const id of lost) expect([id, saying.filter((line) => line.includes(id)).length]).toEqual([id, 1]);
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });

  it('Redis losing its data under attempts held open through many lock renewals (FLUSHDB, then a restart without persistence): one line per loss says what happened and what to do, not a warning per job at every renewal', async () => {
    const server = await startPrivateRedis();
    servers.push(server);
    const lines: { level: string; message: string }[] = [];
    const record = (level: string) => (message: string) => void lines.push({ level, message });
    const logger: Logger = { debug() {}, info() {}, warn: record('warn'), error: record('error') };
    const app = await startApp(server.url, { concurrency: { global: 2, perWebhook: 2 } }, undefined, logger);
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    for (const loss of ['FLUSHDB', 'restart'] as const) {
      const answerHeld = holdAnswers(receiver);
      const before = receiver.requests.length;
      await app.publish(new ThingHappened(`${loss}-1`));
      await app.publish(new ThingHappened(`${loss}-2`));
      await receiver.waitFor(before + 2);
      const ids = receiver.requests.slice(before).map(webhookIdOf);
      if (loss === 'FLUSHDB') {
        const operator = new Redis(server.url);
        try {
          await operator.flushdb();
        } finally {
          operator.disconnect();
        }
      } else {
        await server.kill('SIGKILL');
        await server.restart();
      }
      const about = () => lines.filter((line) => ids.some((id) => line.message.includes(id)));
      for (const deadline = Date.now() + 20_000; about().length === 0; ) {
        if (Date.now() > deadline) throw new Error(`nothing was logged about the lost jobs after the ${loss}: ${JSON.stringify(lines)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // Held open through more of BullMQ's lock renewals (it tries each job about every half lease: 2 s in SETTINGS), then ended.
      await new Promise((resolve) => setTimeout(resolve, 2 * 2000));
      answerHeld();
      await app.drain({ all: true, timeoutMs: 20_000 });
      expect(about()).toEqual([{ level: 'error', message: expect.stringMatching(/^HOOKWORK_ERR_REDIS_UNAVAILABLE: Redis at redis:\/\/127\.0\.0\.1:\d+ has lost its data: the jobs of 2 attempt\(s\) running here are gone from it .*restarted without persistence, or the queue's keys were flushed .*publish again what must still be sent.*"When Redis has lost its data anyway"/) }]);
      for (const id of ids) expect(about()[0]!.message).toContain(id);
    }
    // Neither BullMQ's error per job and renewal nor a guess that the process was paused.
    expect(lines.filter((line) => /could not renew lock|were lost before they finished/.test(line.message))).toEqual([]);
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });

  it('appendonly yes with appendfsync always: Redis SIGKILLed and restarted mid-delivery loses nothing', async () => {
    const server = await startPrivateRedis({ appendonly: 'yes', appendfsync: 'always' });
    servers.push(server);
    const app = await startApp(server.url, { concurrency: { global: 4, perWebhook: 4 } });
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const answerHeld = holdAnswers(receiver);
    const count = 40;
    for (let i = 0; i < count; i++) await app.publish(new ThingHappened(`n${i}`));
    await receiver.waitFor(4);
    const inFlightAtKill = new Set(receiver.requests.map(webhookIdOf));
    await server.kill('SIGKILL');
    // The held attempts end while Redis is down; their completions wait for it.
    answerHeld();
    await server.restart();
    await reconnected(app);
    await app.drain({ all: true, timeoutMs: 30_000 });
    const arrivals = new Map<string, number>();
    for (const request of receiver.requests) arrivals.set(JSON.parse(request.text).id, (arrivals.get(JSON.parse(request.text).id) ?? 0) + 1);
    expect([...arrivals.keys()].sort()).toEqual(Array.from({ length: count }, (_, i) => `n${i}`).sort());
    // Only what was in flight when Redis died may arrive twice.
    const twice = receiver.requests.filter((r, i, all) => all.findIndex((o) => webhookIdOf(o) === webhookIdOf(r)) !== i).map(webhookIdOf);
    for (const id of twice) expect(inFlightAtKill).toContain(id);
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });
});
