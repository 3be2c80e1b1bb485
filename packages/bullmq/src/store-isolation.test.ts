import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHookwork, isHookworkError, silentLogger, type Hookwork } from '@hookwork/core';
import { startTestReceiver, ThingHappened, thingComposer, type TestReceiver } from '@hookwork/core/testing';
import Database from 'better-sqlite3';
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
      /the BullMQ queue "shared" \(prefix "hookwork-test-stores-\w+"\) at redis:\/\/.* holds the requests of apps on another webhook store \(sqlite:[0-9a-f-]{36}; this app's is sqlite:[0-9a-f-]{36}, as its store's line at start says\): .*Give this app a queue of its own \(bullmqQueue\(\{ queueName \}\)\)/,
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

  /** The value recorded for `queueName`'s store, and the id kept in the SQLite `file` (under the test's dir). */
  async function recorded(queueName: string, file?: string): Promise<{ key: string | null; id?: string }> {
    const admin = new Redis(TEST_REDIS_URL);
    try {
      const key = await admin.get(`${prefix}:${queueName}:hookwork:store`);
      if (file === undefined) return { key };
      const db = new Database(join(dir, file), { readonly: true });
      try {
        return { key, id: `sqlite:${db.prepare('SELECT store_id FROM hookwork_schema').pluck().get() as string}` };
      } finally {
        db.close();
      }
    } finally {
      admin.disconnect();
    }
  }

  it('starts an app whose SQLite file was moved and renamed on its queue again (its path was the id: it was refused by its own queue)', async () => {
    const before = app('before.db', { queueName: 'moved-file' });
    await before.start();
    await before.webhooks.create({ url: receivers[0]!.url, events: ['thing.happened'] });
    await before.stop();
    mkdirSync(join(dir, 'elsewhere'));
    renameSync(join(dir, 'before.db'), join(dir, 'elsewhere', 'after.db'));
    const after = app('elsewhere/after.db', { queueName: 'moved-file' });
    await after.start();
    expect(await deliveries(after, 3)).toEqual([3, 0]);
    const { key, id } = await recorded('moved-file', 'elsewhere/after.db');
    expect(key).toBe(id);
  });

  it('takes over a queue an earlier build recorded by the file\'s path for a store of the schema before (9), which then keeps its queue wherever the file goes', async () => {
    // A store as builds of schema 9 left it (no store_id), and the id they recorded with the queue.
    const seed = app('old.db', { queueName: 'upgraded' });
    await seed.start();
    await seed.webhooks.create({ url: receivers[0]!.url, events: ['thing.happened'] });
    await seed.stop();
    const db = new Database(join(dir, 'old.db'));
    db.exec('BEGIN IMMEDIATE; ALTER TABLE hookwork_schema DROP COLUMN store_id; UPDATE hookwork_schema SET version = 9; COMMIT;');
    db.close();
    const admin = new Redis(TEST_REDIS_URL);
    try {
      await admin.set(`${prefix}:upgraded:hookwork:store`, `sqlite:${realpathSync.native(join(dir, 'old.db'))}`);
    } finally {
      admin.disconnect();
    }
    const upgraded = app('old.db', { queueName: 'upgraded' });
    await upgraded.start();
    expect(await deliveries(upgraded, 2)).toEqual([2, 0]);
    await upgraded.stop();
    const { key, id } = await recorded('upgraded', 'old.db');
    expect(id).toMatch(/^sqlite:[0-9a-f-]{36}$/);
    expect(key).toBe(id);
    renameSync(join(dir, 'old.db'), join(dir, 'renamed.db'));
    const moved = app('renamed.db', { queueName: 'upgraded' });
    await moved.start();
    expect(await deliveries(moved, 1)).toEqual([3, 0]);
  });

  it('takes a copy of a store\'s file for the same store (documented): it shares the queue until its store_id is emptied, then it is refused as another store', async () => {
    const original = app('original.db', { queueName: 'copied' });
    await original.start();
    await original.stop();
    copyFileSync(join(dir, 'original.db'), join(dir, 'copy.db'));
    const copy = app('copy.db', { queueName: 'copied' });
    await copy.start();
    await copy.stop();
    // docs/storage.md's line for a copy run as a second store.
    const db = new Database(join(dir, 'copy.db'));
    db.exec('UPDATE hookwork_schema SET store_id = NULL');
    db.close();
    const second = app('copy.db', { queueName: 'copied' });
    await expect(second.start()).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS' });
    await app('original.db', { queueName: 'copied' }).start();
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

  it('records no store for good for an app on a :memory: store (each open a new database): the app starts again on its queue after a restart', async () => {
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
    // Only while it runs, with a TTL (queue-claim.test.ts): deleted at stop.
    const admin = new Redis(TEST_REDIS_URL);
    try {
      expect(await admin.pttl(`${prefix}:in-memory:hookwork:store`)).toBeGreaterThan(0);
      await after.stop();
      expect(await admin.exists(`${prefix}:in-memory:hookwork:store`)).toBe(0);
    } finally {
      admin.disconnect();
    }
  });
});
