import { createHookwork, silentLogger, type Hookwork, type NewWebhookRequest, type QueueEngine } from '@hookwork/core';
import { thingComposer } from '@hookwork/core/testing';
import { bullmqQueue } from './bullmq-queue';
import { deleteKeys, standaloneEngineContext, TEST_REDIS_URL, uniquePrefix } from './testing/redis-test';

// A webhook deletion cut short (its process killed between removing the webhook and removing its
// requests, or Redis failing then) left the webhook's jobs in Redis: pending ones until delivery
// met them, dead letters listed, counted and "skipped" by redelivery until the retention. The
// cleanup round removes the queued requests of keys no webhook has on every other engine; on
// BullMQ it did nothing, as the engine could not say which webhooks have jobs. Here the orphans
// are made as such a deletion leaves them: jobs under a key no webhook of the app has.

const prefix = uniquePrefix('orphans');
const queueName = 'q';
const apps: Hookwork[] = [];
const engines: QueueEngine<unknown>[] = [];

afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
  await Promise.all(engines.splice(0).map((engine) => engine.close?.()));
});
afterAll(async () => {
  await deleteKeys(prefix);
});

const request = (id: string, webhookKey: string, dueAt: Date): NewWebhookRequest => ({ id, webhookKey, eventAlias: 'thing.happened', body: '{"id":"x"}', createdAt: new Date(Date.now() - 60_000), dueAt });

describe("BullMQ's cleanup round and a deleted webhook's jobs left in Redis", () => {
  it("removes every job of a key no webhook has — more than one script call's slice of the queue — logs each dropped, and keeps the others'", async () => {
    const app = createHookwork({ composers: [thingComposer], logger: silentLogger, queue: bullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName, checkDurability: false }) });
    apps.push(app);
    await app.start();
    const kept = await app.webhooks.create({ url: 'https://receiver.example/kept', events: ['thing.happened'] });

    // Retries waiting an hour: delivery would not meet them before the retention either.
    const later = new Date(Date.now() + 3_600_000);
    const engine = await bullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName, checkDurability: false }).open(standaloneEngineContext());
    engines.push(engine);
    const count = 2_500;
    for (let i = 0; i < count; i += 500) await engine.enqueue(Array.from({ length: 500 }, (_, j) => request(`msg_gone_${i + j}`, 'gone', later)));
    await engine.enqueue([request('msg_kept', kept.key, later)]);
    expect((await engine.queuedWebhookKeys!()).sort()).toEqual([kept.key, 'gone'].sort());

    await app.runCleanup();
    expect(await engine.counts({ webhookKey: 'gone' })).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    expect(await app.queueCounts()).toEqual({ pending: 1, inFlight: 0, dead: 0 });
    expect(await engine.queuedWebhookKeys!()).toEqual([kept.key]);
    const dropped = await app.logs({ outcomes: ['dropped'], limit: 1 });
    expect(dropped.total).toBe(count);
    expect((await app.metrics.scrape()).text).toContain(`hookwork_requests_dropped_total{reason="webhook_deleted"} ${count}\n`);
  }, 30_000);
});
