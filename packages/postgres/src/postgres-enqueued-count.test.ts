import { createHookwork, keyedMessageId, type Composer, type Hookwork, type HookworkSettingsInput } from '@hookwork/core';
import { expectKeyedPublishOfTwoBatchesKeepsBoth, expectPublishAgainAfterDropNotSent, expectPublishAgainBeforeLogEntryNotSentAgain, expectPublishResultCounts, expectRepeatedPublishEnqueuedOnce, startTestReceiver, type TestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import type { PostgresTransaction } from './index';
import { withTestSchema } from './testing/test-schema';

const settings: HookworkSettingsInput = { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, retrySchedule: [300], retryJitter: 0, period: 1000, timeout: 5000, stopTimeout: 2000 };

const t = withTestSchema('enqcount', { hostPoolSize: 2 });
let receiver: TestReceiver;

async function startApp(composers: readonly Composer[] = [thingComposer]): Promise<Hookwork<PostgresTransaction>> {
  const app = t.stopAfterTest(createHookwork({ composers: [...composers], settings, storage: t.storage() }));
  await app.start();
  return app;
}

/** The value of `hookwork_requests_enqueued_total` in an app's exposition. */
async function enqueuedTotal(app: Hookwork<PostgresTransaction>): Promise<number> {
  return Number(/^hookwork_requests_enqueued_total (\S+)$/m.exec((await app.metrics.scrape()).text)?.[1]);
}

/** Publishes in a committed transaction of the host's own pool; resolves with publish()'s counts. */
async function publishInTransaction(app: Hookwork<PostgresTransaction>, id: string, idempotencyKey: string): Promise<{ enqueued: number; alreadyEnqueued: number }> {
  const client = await t.host.connect();
  try {
    await client.query('BEGIN');
    const { enqueued, alreadyEnqueued } = await app.publish(new ThingHappened(id), { transaction: client, idempotencyKey });
    await client.query('COMMIT');
    return { enqueued, alreadyEnqueued };
  } finally {
    client.release();
  }
}

/** Waits (bounded, not timed) until `done()` holds: what the store hears of a commit arrives on its LISTEN connection. */
async function until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('gave up waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeEach(async () => {
  receiver = await startTestReceiver();
});
afterEach(async () => {
  await receiver.close();
});

describe('what a PostgreSQL enqueue counts as enqueued', () => {
  it('a publish made again with its idempotencyKey counts once (lifecycle event, metric), and drain() does not wait for what it skipped', async () => {
    // Each app opens the one schema, as another process does.
    await expectRepeatedPublishEnqueuedOnce(startApp as () => Promise<Hookwork<never>>, receiver);
  });

  it('with an idempotencyKey enqueues what it does without one when an event enqueues twice in one publish; the repeat stores none', async () => {
    await expectKeyedPublishOfTwoBatchesKeepsBoth(startApp as (composers: readonly Composer[]) => Promise<Hookwork<never>>, receiver);
  });

  it('publish() answers what it enqueued: 0 when the notification matched nothing, N for one notification to N webhooks', async () => {
    await expectPublishResultCounts(startApp as () => Promise<Hookwork<never>>, receiver);
  });

  it('in the host transaction: publish() answers what the commit makes durable — sent once committed, nothing when rolled back', async () => {
    const app = await startApp();
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const client = await t.host.connect();
    try {
      await client.query('BEGIN');
      expect(await app.publish(new ThingHappened('rolled-back'), { transaction: client })).toEqual({ events: 1, failures: [], enqueued: 2, alreadyEnqueued: 0 });
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      expect(await app.publish(new ThingHappened('committed'), { transaction: client })).toEqual({ events: 1, failures: [], enqueued: 2, alreadyEnqueued: 0 });
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await app.drain({ timeoutMs: 10_000 });
    expect(receiver.requests.map((r) => JSON.parse(r.text).id)).toEqual(['committed', 'committed']);
  });

  it('in the host transaction: the enqueued event and hookwork_requests_enqueued_total count a publish when its transaction commits, never one rolled back', async () => {
    const app = await startApp();
    const enqueued: string[] = [];
    app.lifecycle.on('enqueued', (requests) => enqueued.push(...requests.map((r) => r.requestId)));
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const client = await t.host.connect();
    let committed: string[];
    try {
      await client.query('BEGIN');
      await app.publish(new ThingHappened('rolled-back'), { transaction: client, idempotencyKey: 'rolled-back' });
      // Stored in an open transaction: not durable yet, so not counted yet.
      expect(enqueued).toEqual([]);
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await app.publish(new ThingHappened('committed'), { transaction: client, idempotencyKey: 'committed' });
      expect(enqueued).toEqual([]);
      await client.query('COMMIT');
      committed = (await app.webhooks.list()).items.map((w) => keyedMessageId('committed', w.key, 'thing.happened', 0)).sort();
    } finally {
      client.release();
    }
    await app.drain({ timeoutMs: 10_000 });
    // The commit is heard on the schema's channel; bounded, not timed.
    await until(() => enqueued.length >= 2);
    expect(enqueued.sort()).toEqual(committed);
    expect(await enqueuedTotal(app)).toBe(2);
    // stop() looks at the rolled-back transaction one last time (a running app looks every second): still not counted.
    await app.stop();
    expect(enqueued.sort()).toEqual(committed);
    expect(await enqueuedTotal(app)).toBe(2);
    expect(receiver.requests.map((r) => JSON.parse(r.text).id)).toEqual(['committed', 'committed']);
  });

  it('a publish made again right after its request was delivered, before the delivery log entry could be written apart, is skipped', async () => {
    await expectPublishAgainBeforeLogEntryNotSentAgain(t.storage());
  });

  it.each(['fails', 'absent'] as const)('a publish made again right after delivery is skipped when the queue’s completeAndLog %s (the entry is written before the removal)', async (completeAndLog) => {
    await expectPublishAgainBeforeLogEntryNotSentAgain(t.storage(), undefined, { completeAndLog });
  });

  it('a publish made again right after delivery dropped its request (its webhook replaced) is skipped, not sent to the new webhook', async () => {
    await expectPublishAgainAfterDropNotSent(t.storage());
  });

  it('a publish made again right after the webhook’s deletion removed its request (the webhook created again under its key) is skipped', async () => {
    await expectPublishAgainAfterDropNotSent(t.storage(), 'deletion');
  });

  it('in the host transaction: a batch partly stored counts only what it stored, one wholly skipped nothing', async () => {
    const app = await startApp();
    const enqueued: string[] = [];
    app.lifecycle.on('enqueued', (requests) => enqueued.push(...requests.map((r) => r.requestId)));
    const a = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    expect(await publishInTransaction(app, 'order-7', 'order-7:paid')).toEqual({ enqueued: 1, alreadyEnqueued: 0 });
    // A second webhook: the same publish made again is a batch of two, the first held already.
    const b = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    expect(await publishInTransaction(app, 'order-7', 'order-7:paid')).toEqual({ enqueued: 1, alreadyEnqueued: 1 });
    expect(await publishInTransaction(app, 'order-7', 'order-7:paid')).toEqual({ enqueued: 0, alreadyEnqueued: 2 });
    await app.drain({ timeoutMs: 10_000 });
    await until(() => enqueued.length >= 2);
    expect(enqueued.sort()).toEqual([keyedMessageId('order-7:paid', a.key, 'thing.happened', 0), keyedMessageId('order-7:paid', b.key, 'thing.happened', 0)].sort());
    expect(await enqueuedTotal(app)).toBe(2);
    expect(receiver.requests).toHaveLength(2);
  });

  it('one key published twice in one host transaction, the second time to one more webhook: each request counted and sent once, and the transaction commits', async () => {
    const app = await startApp();
    const enqueued: string[] = [];
    app.lifecycle.on('enqueued', (requests) => enqueued.push(...requests.map((r) => r.requestId)));
    const a = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const client = await t.host.connect();
    try {
      await client.query('BEGIN');
      expect(await app.publish(new ThingHappened('order-9'), { transaction: client, idempotencyKey: 'order-9:paid' })).toMatchObject({ enqueued: 1, alreadyEnqueued: 0 });
      expect(await app.publish(new ThingHappened('order-9'), { transaction: client, idempotencyKey: 'order-9:paid' })).toMatchObject({ enqueued: 0, alreadyEnqueued: 1 });
      // The transaction's own row of the first publish is skipped; hookwork's pool cannot see it.
      const b = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      expect(await app.publish(new ThingHappened('order-9'), { transaction: client, idempotencyKey: 'order-9:paid' })).toMatchObject({ enqueued: 1, alreadyEnqueued: 1 });
      expect((await client.query('COMMIT')).command).toBe('COMMIT');
      // Counted as enqueued once the commit made them durable (heard on the schema's channel).
      await until(() => enqueued.length >= 2);
      expect(enqueued.sort()).toEqual([keyedMessageId('order-9:paid', a.key, 'thing.happened', 0), keyedMessageId('order-9:paid', b.key, 'thing.happened', 0)].sort());
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
    await app.drain({ timeoutMs: 10_000 });
    expect(await enqueuedTotal(app)).toBe(2);
    expect(receiver.requests).toHaveLength(2);
  });
});
