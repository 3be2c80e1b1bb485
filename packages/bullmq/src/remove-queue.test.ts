import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHookwork, keyedMessageId, silentLogger, type Hookwork, type StorageBackend } from '@hookwork/core';
import { engineRequest, startTestReceiver, thingComposer, ThingHappened } from '@hookwork/core/testing';
import { sqliteStorage } from '@hookwork/sqlite';
import { Redis } from 'ioredis';
import { bullmqQueue } from './bullmq-queue';
import { removeBullmqQueue } from './remove-queue';
import { startPrivateRedis } from './testing/private-redis';
import { deleteKeys, standaloneEngineContext, TEST_REDIS_URL, uniquePrefix } from './testing/redis-test';

const prefix = uniquePrefix('remove');
let redis: Redis;
beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL);
});
afterAll(async () => {
  await deleteKeys(prefix);
  redis.disconnect();
});

const keysOf = async (queueName: string) => (await redis.keys(`${prefix}:${queueName}:*`)).sort();

/** Opens an engine on `queueName`, enqueues `requests`, and closes it, as an app that ran and stopped would leave the queue. */
async function ranOn(queueName: string, requests = [] as ReturnType<typeof engineRequest>[]): Promise<void> {
  const engine = await bullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName, checkDurability: false }).open(standaloneEngineContext());
  await engine.enqueue(requests);
  await engine.stop(0);
  await engine.close?.();
}

/** An app on `queueName` (its webhooks in the memory store unless `storage` is given), not started. */
function appOn(queueName: string, options: { connection?: string; storage?: StorageBackend } = {}): Hookwork {
  return createHookwork({
    composers: [thingComposer],
    logger: silentLogger,
    ...(options.storage ? { storage: options.storage } : {}),
    queue: bullmqQueue({ connection: options.connection ?? TEST_REDIS_URL, prefix, queueName, checkDurability: false }),
  });
}

const empty = { pending: 0, inFlight: 0, dead: 0 };

describe('removeBullmqQueue', () => {
  it("deletes an empty queue's keys, and only that queue's", async () => {
    await ranOn('empty');
    await ranOn('other', [engineRequest('other', { dueAt: new Date(Date.now() + 3_600_000) })]);
    expect(await keysOf('empty')).not.toEqual([]);
    const otherBefore = await keysOf('other');
    expect(await removeBullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName: 'empty' })).toEqual({ removed: true, counts: { pending: 0, inFlight: 0, dead: 0 }, inUse: false });
    expect(await keysOf('empty')).toEqual([]);
    expect(await keysOf('other')).toEqual(otherBefore);
  });

  it("deletes the deduplication keys a keyed publish left (24 hours past delivery), and no other queue's keys, nor another prefix's under the same name", async () => {
    const receiver = await startTestReceiver();
    try {
      // Two queues an app published to with an idempotencyKey: each delivered request leaves <prefix>:<queue>:de:<id>.
      for (const queueName of ['keyed', 'keyed2']) {
        const app = createHookwork({ composers: [thingComposer], logger: silentLogger, settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] } }, queue: bullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName, checkDurability: false }) });
        await app.start();
        try {
          await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
          for (let i = 0; i < 4; i++) await app.publish(new ThingHappened(String(i)), { idempotencyKey: `${queueName}-${i}` });
          await app.drain({ timeoutMs: 15_000 });
        } finally {
          await app.stop();
        }
      }
      expect(receiver.requests).toHaveLength(8);
      const deduplication = async (queueName: string) => (await keysOf(queueName)).filter((key) => key.startsWith(`${prefix}:${queueName}:de:`));
      const own = await deduplication('keyed');
      expect(own).toHaveLength(4);
      // Another prefix that continues with ":keyed", whose queue is named "de": its keys are under <prefix>:keyed:de: too.
      const nested = bullmqQueue({ connection: TEST_REDIS_URL, prefix: `${prefix}:keyed`, queueName: 'de', checkDurability: false });
      const engine = await nested.open(standaloneEngineContext());
      await engine.enqueue([engineRequest('later', { id: keyedMessageId('nested', 'wh-1', 'thing.happened', 0), dueAt: new Date(Date.now() + 3_600_000) })], { idempotent: true });
      await engine.stop(0);
      await engine.close?.();
      const nestedBefore = (await redis.keys(`${prefix}:keyed:de:*`)).filter((key) => !own.includes(key)).sort();
      expect(nestedBefore).toEqual(expect.arrayContaining([expect.stringMatching(/:keyed:de:msg_[0-9a-f]{32}$/), expect.stringMatching(/:keyed:de:de:msg_[0-9a-f]{32}$/), `${prefix}:keyed:de:id`]));
      const otherBefore = await keysOf('keyed2');

      expect(await removeBullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName: 'keyed' })).toEqual({ removed: true, counts: empty, inUse: false });
      // Of <prefix>:keyed:*, only the other prefix's queue is left, as it was.
      // Of <prefix>:keyed:*, only the other prefix's queue is left, as it was: its job (a hash named
      // de:msg_…) and its own deduplication key (de:de:msg_…) included.
      expect(await keysOf('keyed')).toEqual(nestedBefore);
      expect(await keysOf('keyed2')).toEqual(otherBefore);
      expect(await deduplication('keyed2')).toHaveLength(4);
    } finally {
      await receiver.close();
    }
  });

  it('keeps a queue that holds requests, and says what it holds', async () => {
    await ranOn('busy', [engineRequest('later', { dueAt: new Date(Date.now() + 3_600_000) })]);
    const before = await keysOf('busy');
    expect(await removeBullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName: 'busy' })).toEqual({ removed: false, counts: { pending: 1, inFlight: 0, dead: 0 }, inUse: false });
    expect(await keysOf('busy')).toEqual(before);
  });

  it('keeps an empty queue an app runs on — on a memory store or a SQLite store — with the record of its store, and removes it once the app stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookwork-bullmq-remove-'));
    const memory = appOn('in-use-memory');
    const sql = appOn('in-use-sqlite', { storage: sqliteStorage({ file: join(dir, 'a.db') }) });
    try {
      for (const [app, queueName, record] of [[memory, 'in-use-memory', /^memory:/], [sql, 'in-use-sqlite', /^sqlite:/]] as const) {
        await app.start();
        const before = await redis.get(`${prefix}:${queueName}:hookwork:store`);
        expect(before).toMatch(record);
        // Before: removed, and the record of the app's store with it (a memory-store app wrote its
        // claim back at its next renewal; another store's app could start on the queue meanwhile,
        // and for good beside a SQLite store's app).
        expect(await removeBullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName })).toEqual({ removed: false, counts: empty, inUse: true });
        expect(await redis.get(`${prefix}:${queueName}:hookwork:store`)).toBe(before);
        await app.stop();
        expect(await removeBullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName })).toEqual({ removed: true, counts: empty, inUse: false });
        expect(await keysOf(queueName)).toEqual([]);
      }
    } finally {
      await memory.stop().catch(() => {});
      await sql.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('where an ACL denies CLIENT LIST, keeps a queue an app on a memory store runs on by its claim', async () => {
    const server = await startPrivateRedis({ user: 'default on nopass ~* &* +@all -client|list' });
    const app = appOn('in-use-acl', { connection: server.url });
    try {
      await app.start();
      expect(await removeBullmqQueue({ connection: server.url, prefix, queueName: 'in-use-acl' })).toEqual({ removed: false, counts: empty, inUse: true });
      await app.stop();
      expect(await removeBullmqQueue({ connection: server.url, prefix, queueName: 'in-use-acl' })).toEqual({ removed: true, counts: empty, inUse: false });
    } finally {
      await app.stop().catch(() => {});
      await server.remove();
    }
  });

  it('names itself and only its own options when it refuses them', async () => {
    // It said "bullmqQueue() was given bad options" and offered checkDurability, which it does not take.
    const error = await removeBullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName: 'x', checkDurabilty: false } as never).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS', message: 'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS: removeBullmqQueue() was given bad options: checkDurabilty is not an option (the options are connection, queueName, prefix, commandTimeoutMs)' });
    await expect(removeBullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName: 'x', checkDurability: false } as never)).rejects.toThrow(/removeBullmqQueue\(\) was given bad options: checkDurability is not an option/);
    await expect(removeBullmqQueue(null as never)).rejects.toThrow(/removeBullmqQueue\(\) takes a plain options object such as/);
  });

  it('names itself when it cannot reach Redis', async () => {
    // It said "pass bullmqQueue({ connection }) the address of one".
    await expect(removeBullmqQueue({ connection: 'redis://127.0.0.1:1', prefix, queueName: 'x', commandTimeoutMs: 2000 })).rejects.toMatchObject({
      code: 'HOOKWORK_ERR_REDIS_UNAVAILABLE',
      message: expect.stringContaining('pass removeBullmqQueue({ connection }) the address of one'),
    });
  });

  it('refuses options of the wrong kind before connecting', async () => {
    await expect(removeBullmqQueue({ connection: 'http://:s3cret@127.0.0.1:6379', prefix, queueName: 'x' })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS', message: expect.stringContaining('got "http://***@127.0.0.1:6379"') });
  });
});
