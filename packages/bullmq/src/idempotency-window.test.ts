import type { DeliveryVerdict, EnqueueResult, QueueEngine, Settlement, WebhookRequest } from '@hookwork/core';
import { engineRequest } from '@hookwork/core/testing';
import type { Redis } from 'ioredis';
import { bullmqQueue } from './bullmq-queue';
import type { RedisClients } from './redis-connection';
import { deleteKeys, standaloneEngineContext, TEST_REDIS_URL, uniquePrefix } from './testing/redis-test';

// A keyed request's id is remembered once its job is gone by a BullMQ deduplication key, set when
// the job is added, for IDEMPOTENCY_WINDOW_MS. A job finished long after (a request delivered after
// a day of retries or deferrals, a dead letter deleted days later by the retention) found that
// key expired, and a publish made again with its key right after was stored and sent again; a
// deleted webhook's job removed by BullMQ's removeJob took its key along. The key's expiry is
// made here by deleting it while the job is still held: nothing is timed.

const prefix = uniquePrefix('window');
let queues = 0;
const engines: QueueEngine<unknown>[] = [];

afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close?.()));
});
afterAll(async () => {
  await deleteKeys(prefix);
});

/** An engine on a queue of its own, with a handler giving each request `verdict`; `settled(id)` resolves once one of that id was applied. */
async function engineGiving(verdict: DeliveryVerdict) {
  const queueName = `q${++queues}`;
  const engine = await bullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName, checkDurability: false }).open(standaloneEngineContext());
  engines.push(engine);
  const waiters = new Map<string, () => void>();
  const handler = {
    async handle(request: WebhookRequest): Promise<Settlement> {
      return { verdict, settled: () => waiters.get(request.id)?.() };
    },
  };
  const producer = (engine as unknown as { redis: RedisClients }).redis.producer as Redis;
  return {
    engine,
    start: () => engine.start(handler),
    settled: (id: string) => new Promise<void>((resolve) => waiters.set(id, resolve)),
    /** What a deduplication key's expiry does, made at once. */
    expireKey: (id: string) => producer.del(`${prefix}:${queueName}:de:${id}`),
  };
}

const storedOf = (result: EnqueueResult | void) => (result ? result.stored : undefined);

describe('a keyed request on BullMQ, its job gone, is remembered for the idempotency window from then', () => {
  it('delivered long after it was published: a publish made again is skipped', async () => {
    const { engine, start, settled, expireKey } = await engineGiving({ kind: 'delivered' });
    const request = engineRequest('late', { createdAt: new Date(Date.now() - 25 * 60 * 60 * 1000) });
    expect(storedOf(await engine.enqueue([request], { idempotent: true }))).toEqual([request.id]);
    // A day has gone by: the key set at the add has expired; the job is still held.
    await expireKey(request.id);
    const delivered = settled(request.id);
    await start();
    engine.wake();
    await delivered;
    expect(await engine.get(request.id)).toBeUndefined();
    expect(storedOf(await engine.enqueue([request], { idempotent: true }))).toEqual([]);
  });

  it('dead, and deleted by the retention: a publish made again is skipped', async () => {
    const { engine, start, settled, expireKey } = await engineGiving({ kind: 'dead', attempts: 1, lastError: 'HTTP 400' });
    const request = engineRequest('dead');
    expect(storedOf(await engine.enqueue([request], { idempotent: true }))).toEqual([request.id]);
    const dead = settled(request.id);
    await start();
    engine.wake();
    await dead;
    expect((await engine.get(request.id))?.state).toBe('dead');
    await expireKey(request.id);
    expect(await engine.deleteDeadOlderThan(new Date(Date.now() + 60_000), 10)).toBe(1);
    expect(storedOf(await engine.enqueue([request], { idempotent: true }))).toEqual([]);
  });

  it('removed with its deleted webhook, a day after it was published: a publish made again is skipped', async () => {
    const { engine, expireKey } = await engineGiving({ kind: 'delivered' });
    const request = engineRequest('discarded');
    expect(storedOf(await engine.enqueue([request], { idempotent: true }))).toEqual([request.id]);
    // Kept a day (deferred, or a dead letter): the key set at the add has expired.
    await expireKey(request.id);
    expect((await engine.discard!(request.webhookKey, new Date(Date.now() + 1_000), 10)).map((r) => r.id)).toEqual([request.id]);
    expect(storedOf(await engine.enqueue([request], { idempotent: true }))).toEqual([]);
  });
});
