import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHookwork, isHookworkError, silentLogger, type Hookwork } from '@hookwork/core';
import { startTestReceiver, ThingHappened, thingComposer, type TestReceiver } from '@hookwork/core/testing';
import { sqliteStorage } from '@hookwork/sqlite';
import { Redis } from 'ioredis';
import { bullmqQueue } from './bullmq-queue';
import { removeBullmqQueue } from './remove-queue';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from './testing/redis-test';

const prefix = uniquePrefix('stores');

/** How many connections to the test Redis are named for `prefix` (the engine's three per app). */
async function connectionsOf(name: string): Promise<number> {
  const admin = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await admin.connect();
  try {
    return ((await admin.client('LIST')) as string).split('\n').filter((line) => new RegExp(`(?:^| )name=${name}`).test(line)).length;
  } finally {
    admin.disconnect();
  }
}

describe('apps of different webhook stores on BullMQ', () => {
  let dir: string;
  let receivers: TestReceiver[];
  const apps: Hookwork[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookwork-bullmq-stores-'));
    receivers = [await startTestReceiver(), await startTestReceiver()];
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.stop().catch(() => {});
    for (const receiver of receivers) await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await deleteKeys(prefix);
  });

  function app(file: string, queue: { prefix?: string; queueName: string }): Hookwork {
    const made = createHookwork({
      composers: [thingComposer],
      logger: silentLogger,
      settings: { ssrf: { allow: ['127.0.0.1'] } },
      storage: sqliteStorage({ file: file === ':memory:' ? file : join(dir, file) }),
      queue: bullmqQueue({ connection: TEST_REDIS_URL, prefix, checkDurability: false, ...queue }),
    });
    apps.push(made);
    return made;
  }

  /** Publishes `count` notifications on `published` and says how many each receiver got once it drained. */
  async function deliveries(published: Hookwork, count: number): Promise<number[]> {
    for (let i = 0; i < count; i++) await published.publish(new ThingHappened(String(i)));
    await published.drain({ timeoutMs: 10_000 });
    return receivers.map((receiver) => receiver.requests.length);
  }

  it('refuses to start one on a queue another store\'s app uses, which would drop that app\'s requests as of webhooks it lacks', async () => {
    const first = app('first.db', { queueName: 'shared' });
    await first.start();
    await first.webhooks.create({ url: receivers[0]!.url, events: ['thing.happened'] });
    const second = app('second.db', { queueName: 'shared' });
    const error = await second.start().then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS' as never)).toBe(true);
    expect((error as Error).message).toMatch(
      /the BullMQ queue "shared" \(prefix "hookwork-test-stores-\w+"\) at redis:\/\/.* holds the requests of apps on another webhook store \(sqlite:.*first\.db; this app's is sqlite:.*second\.db\): .*Give this app a queue of its own \(bullmqQueue\(\{ queueName \}\)\)/,
    );
    // The refused app holds no connection, and the first app's requests are all delivered (the
    // second's Worker and cleanup round used to take and drop them).
    expect(await connectionsOf(`${prefix}:shared:hookwork:`)).toBe(2);
    expect(await deliveries(first, 10)).toEqual([10, 0]);
  });

  it('starts apps of one store on one queue (two opens of the file, as two processes make, one through a link), and apps of two stores on queues of their own', async () => {
    const one = app('one.db', { queueName: 'same-store' });
    await one.start();
    symlinkSync(join(dir, 'one.db'), join(dir, 'link.db'));
    const two = app('link.db', { queueName: 'same-store' });
    await two.start();
    await one.webhooks.create({ url: receivers[0]!.url, events: ['thing.happened'] });
    expect(await deliveries(two, 4)).toEqual([4, 0]);

    // Other queue names, or other prefixes: each app's requests reach its own webhooks only.
    const [byName, byPrefix] = [app('a.db', { queueName: 'named-apart' }), app('b.db', { queueName: 'named-apart', prefix: `${prefix}-other` })];
    await byName.start();
    await byPrefix.start();
    await byName.webhooks.create({ url: receivers[1]!.url, events: ['thing.happened'] });
    await byPrefix.webhooks.create({ url: receivers[1]!.url, events: ['thing.happened'] });
    for (let i = 0; i < 3; i++) await byName.publish(new ThingHappened(`name${i}`));
    for (let i = 0; i < 3; i++) await byPrefix.publish(new ThingHappened(`prefix${i}`));
    await Promise.all([byName.drain({ timeoutMs: 10_000 }), byPrefix.drain({ timeoutMs: 10_000 })]);
    expect(receivers[1]!.requests.map((request) => JSON.parse(request.text).id as string).sort()).toEqual(['name0', 'name1', 'name2', 'prefix0', 'prefix1', 'prefix2']);
    await deleteKeys(`${prefix}-other`);
  });

  it('lets another store\'s app start once the queue was removed (empty, its apps stopped)', async () => {
    const first = app('before.db', { queueName: 'moved' });
    await first.start();
    await first.stop();
    expect(await removeBullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName: 'moved' })).toMatchObject({ removed: true });
    const second = app('after.db', { queueName: 'moved' });
    await second.start();
    await second.webhooks.create({ url: receivers[0]!.url, events: ['thing.happened'] });
    expect(await deliveries(second, 2)).toEqual([2, 0]);
  });

  it('records no store for an app on a :memory: store (each open a new database): the app starts again on its queue after a restart', async () => {
    const before = app(':memory:', { queueName: 'in-memory' });
    await before.start();
    await before.webhooks.create({ url: receivers[0]!.url, events: ['thing.happened'] });
    expect(await deliveries(before, 2)).toEqual([2, 0]);
    await before.stop();
    // The restart (a new :memory: database): it was refused as another store's app, by the random id the first start recorded.
    const after = app(':memory:', { queueName: 'in-memory' });
    await after.start();
    await after.webhooks.create({ url: receivers[1]!.url, events: ['thing.happened'] });
    expect(await deliveries(after, 3)).toEqual([2, 3]);
    const admin = new Redis(TEST_REDIS_URL);
    try {
      expect(await admin.exists(`${prefix}:in-memory:hookwork:store`)).toBe(0);
    } finally {
      admin.disconnect();
    }
  });
});
