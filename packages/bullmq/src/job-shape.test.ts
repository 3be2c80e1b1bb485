import { createHookwork, memoryStorage, type Hookwork } from '@hookwork/core';
import { startTestReceiver, type TestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { bullmqQueue } from './bullmq-queue';
import { deleteKeys, standaloneEngineContext, TEST_REDIS_URL, uniquePrefix } from './testing/redis-test';

const prefix = uniquePrefix('shape');
let queues = 0;

/** What a request's job holds in Redis: Redis's memory per queued request is this hash, mostly. */
describe('a request as a BullMQ job', () => {
  let redis: Redis;
  let receiver: TestReceiver;
  const apps: Hookwork[] = [];

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  beforeEach(async () => {
    receiver = await startTestReceiver();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.stop();
    await receiver.close();
  });
  afterAll(async () => {
    await deleteKeys(prefix);
    redis.disconnect();
  });

  /** A started app on a queue of its own (in-memory definitions, no retries). */
  const startedApp = async () => {
    const queueName = `q${++queues}`;
    const app = createHookwork({
      composers: [thingComposer],
      storage: memoryStorage(),
      queue: bullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName, checkDurability: false }),
      settings: { ssrf: { allow: ['127.0.0.1'] }, maximumRetries: 0 },
    });
    apps.push(app);
    await app.start();
    return { app, queueName };
  };
  const hashOf = async (queueName: string, id: string) => redis.hgetall(`${prefix}:${queueName}:${id}`);

  it('carries what a worker of the previous release reads (creation time, removal options), and reads back whole', async () => {
    // Apps of two releases share a queue during a rolling upgrade: a job without data.createdAt
    // fails every attempt in the older worker (an invalid Date), and one without removeOnComplete
    // stays in its completed set for ever.
    const queueName = `q${++queues}`;
    const engine = await bullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName, checkDurability: false }).open(standaloneEngineContext());
    try {
      const past = new Date(Date.now() - 60_000);
      const later = new Date(Date.now() + 3_600_000);
      await engine.enqueue([
        { id: 'msg_due', webhookKey: 'w', eventAlias: 'thing.happened', body: '{"a":1}', createdAt: past, dueAt: past },
        { id: 'msg_later', webhookKey: 'w', eventAlias: 'thing.happened', body: '{"b":2}', createdAt: past, dueAt: later },
      ]);

      const due = await hashOf(queueName, 'msg_due');
      expect(JSON.parse(due.data!)).toEqual({ eventAlias: 'thing.happened', body: '{"a":1}', createdAt: past.getTime() });
      expect(JSON.parse(due.opts!)).toMatchObject({ removeOnComplete: true, removeOnFail: false });
      expect(await engine.get('msg_due')).toMatchObject({ state: 'pending', createdAt: past, dueAt: past, body: '{"a":1}', eventAlias: 'thing.happened' });

      const delayed = await hashOf(queueName, 'msg_later');
      expect(JSON.parse(delayed.data!)).toEqual({ eventAlias: 'thing.happened', body: '{"b":2}', createdAt: past.getTime() });
      expect(await engine.get('msg_later')).toMatchObject({ state: 'pending', createdAt: past, dueAt: later });
    } finally {
      await engine.close?.();
    }
  });

  it('takes over the jobs of the builds that left out createdAt and the removal options (44be74d to 8e094dc): delivered, listed, removed', async () => {
    // Those builds put the creation time in the job's timestamp only and the removal options on
    // their Worker: read as this build reads, a CloudEvents request failed every attempt
    // ("Invalid time value") and a delivered job stayed in the completed set for ever.
    const { app, queueName } = await startedApp();
    const cloud = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], format: { type: 'cloudevents', mode: 'structured', source: '/cms' } });
    const plain = await app.webhooks.create({ url: `${receiver.url}/refused`, events: ['thing.happened'] });
    receiver.handler = (request, res) => void res.writeHead(request.path.endsWith('/refused') ? 400 : 204).end();
    // Published after the webhooks were created (a request older than its webhook is dropped).
    const enqueuedAt = Math.max(Date.now(), plain.createdAt.getTime() + 1);
    const older = new Queue(queueName, { connection: { host: '127.0.0.1', port: Number(new URL(TEST_REDIS_URL).port || 6379) }, prefix });
    try {
      for (const [id, key] of [['msg_old_cloud', cloud.key], ['msg_old_plain', plain.key]] as const) {
        await older.add(key, { eventAlias: 'thing.happened', body: JSON.stringify({ id }) }, { jobId: id, timestamp: enqueuedAt, attempts: 2 ** 31 - 1, backoff: { type: 'hookwork' } });
      }
    } finally {
      await older.close();
    }
    await app.drain({ all: true, timeoutMs: 10_000 });

    const cloudEvent = JSON.parse(receiver.requests.find((r) => !r.path.endsWith('/refused'))!.text);
    expect(cloudEvent).toMatchObject({ id: 'msg_old_cloud', time: new Date(enqueuedAt).toISOString(), data: { id: 'msg_old_cloud' } });
    expect(await redis.zcard(`${prefix}:${queueName}:completed`)).toBe(0);
    expect(await redis.exists(`${prefix}:${queueName}:msg_old_cloud`)).toBe(0);
    const dead = await app.deadLetters({ webhookKey: plain.key });
    expect(dead.items).toEqual([expect.objectContaining({ id: 'msg_old_plain', createdAt: new Date(enqueuedAt), state: 'dead' })]);
    expect((await app.logs(cloud.key)).items[0]).toMatchObject({ requestId: 'msg_old_cloud', outcome: 'delivered' });
  });

  it('removes a delivered request\'s job as it completes and keeps a dead one', async () => {
    const { app, queueName } = await startedApp();
    const { key } = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    receiver.handler = (request, res) => void res.writeHead(JSON.parse(request.text).id === 'broken' ? 500 : 204).end();
    await app.publish(new ThingHappened('fine'));
    await app.publish(new ThingHappened('broken'));
    await app.drain({ timeoutMs: 10_000 });

    const idOf = (thing: string) => String(receiver.requests.find((r) => JSON.parse(r.text).id === thing)!.headers['webhook-id']);
    expect(await redis.exists(`${prefix}:${queueName}:${idOf('fine')}`)).toBe(0);
    expect(await redis.zcard(`${prefix}:${queueName}:completed`)).toBe(0);
    expect(await redis.zrange(`${prefix}:${queueName}:failed`, 0, -1)).toEqual([idOf('broken')]);
    expect((await hashOf(queueName, idOf('broken'))).failedReason).toBe('HTTP 500');
    expect((await app.deadLetters({ webhookKey: key })).items.map((r) => r.id)).toEqual([idOf('broken')]);
  });
});
