import { engineRequest } from '@hookwork/core/testing';
import { Redis } from 'ioredis';
import { bullmqQueue } from './bullmq-queue';
import { removeBullmqQueue } from './remove-queue';
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

describe('removeBullmqQueue', () => {
  it("deletes an empty queue's keys, and only that queue's", async () => {
    await ranOn('empty');
    await ranOn('other', [engineRequest('other', { dueAt: new Date(Date.now() + 3_600_000) })]);
    expect(await keysOf('empty')).not.toEqual([]);
    const otherBefore = await keysOf('other');
    expect(await removeBullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName: 'empty' })).toEqual({ removed: true, counts: { pending: 0, inFlight: 0, dead: 0 } });
    expect(await keysOf('empty')).toEqual([]);
    expect(await keysOf('other')).toEqual(otherBefore);
  });

  it('keeps a queue that holds requests, and says what it holds', async () => {
    await ranOn('busy', [engineRequest('later', { dueAt: new Date(Date.now() + 3_600_000) })]);
    const before = await keysOf('busy');
    expect(await removeBullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName: 'busy' })).toEqual({ removed: false, counts: { pending: 1, inFlight: 0, dead: 0 } });
    expect(await keysOf('busy')).toEqual(before);
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
