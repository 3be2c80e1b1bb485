import type { ServerResponse } from 'node:http';
import type { Hookwork } from '../../composition/hookwork-app';
import type { Clock } from '../../runtime/clock';
import { memoryStorage } from '../../storage/memory/memory-storage';
import type { RequestQueue } from '../../ports/request-queue';
import type { Storage, StorageBackend } from '../../ports/storage-backend';
import { startTestReceiver, type TestReceiver } from '../../testing/test-receiver';
import { nextLifecycle, queueOf, startTestApp, ThingHappened } from '../../test-support/test-app';

/** The in-memory backend, counting the queue's claims and releases (each a write transaction in a durable store). */
function countingStorage(): StorageBackend & { calls: { claim: number; release: number } } {
  const inner = memoryStorage();
  const calls = { claim: 0, release: 0 };
  return {
    name: 'counting(memory)',
    capabilities: inner.capabilities,
    calls,
    async open(context): Promise<Storage> {
      const storage = await inner.open(context);
      const queue: RequestQueue = Object.create(storage.queue) as RequestQueue;
      queue.claim = (options) => {
        calls.claim++;
        return storage.queue.claim(options);
      };
      queue.release = (owner, ids) => {
        calls.release++;
        return storage.queue.release(owner, ids);
      };
      return { ...storage, queue, close: () => storage.close() };
    },
  };
}

describe('the dispatcher after a failed round', () => {
  it('looks again within a second, not a period later, so work other processes enqueued is not stranded', async () => {
    const receiver = await startTestReceiver();
    const inner = memoryStorage();
    let failures = 1;
    const flaky: StorageBackend = {
      name: 'flaky(memory)',
      capabilities: inner.capabilities,
      async open(context): Promise<Storage> {
        const storage = await inner.open(context);
        const queue: RequestQueue = Object.create(storage.queue) as RequestQueue;
        queue.claim = (options) => (failures-- > 0 ? Promise.reject(new Error('connection terminated')) : storage.queue.claim(options));
        return { ...storage, queue, close: () => storage.close() };
      },
    };
    // An hour-long sweep: only the retry after the failure can find the request in time.
    const app = await startTestApp({ storage: flaky, settings: { period: '01:00:00' } });
    try {
      const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      // Enqueued as another process would: straight into the store, no wake-up for this app.
      await queueOf(app).enqueue([{ id: 'msg_elsewhere', webhookKey: webhook.key, eventAlias: 'thing.happened', body: '{"id":"elsewhere"}', createdAt: new Date(), dueAt: new Date() }]);
      await receiver.waitFor(1, 10_000);
      expect(failures).toBe(-1);
    } finally {
      await app.stop();
      await receiver.close();
    }
  });
});

describe('the dispatcher with an endpoint at its limit', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;
  const held: ServerResponse[] = [];

  beforeEach(async () => {
    receiver = await startTestReceiver();
  });
  afterEach(async () => {
    for (const res of held.splice(0)) res.end();
    await app?.stop();
    app = undefined;
    await receiver.close();
  });

  it('keeps claimed requests waiting for the endpoint rather than claiming and releasing a batch per delivery', async () => {
    // The quickstart's case: one webhook, its perWebhook limit reached, a backlog behind it.
    // Each claim and release is a write transaction in SQLite: one pair per delivery capped
    // throughput at 1 / (claim + release).
    const storage = countingStorage();
    app = await startTestApp({ storage, settings: { concurrency: { global: 64, perWebhook: 2 }, period: 60_000 } });
    let open = 0;
    let maxOpen = 0;
    receiver.handler = (_r, res) => {
      open++;
      maxOpen = Math.max(maxOpen, open);
      setImmediate(() => {
        open--;
        res.end();
      });
    };
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    for (let i = 0; i < 50; i++) await app.publish(new ThingHappened(`r-${i}`));
    await app.drain();

    const ids = receiver.requests.map((r) => JSON.parse(r.text).id as string);
    expect(ids.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `r-${i}`).sort());
    expect(maxOpen).toBeLessThanOrEqual(2);
    // 50 requests in batches of 100: a few claims (some find nothing), nothing given back.
    expect(storage.calls.release).toBe(0);
    expect(storage.calls.claim).toBeLessThanOrEqual(10);
  });

  it('renews the claims of waiting requests before half their lease is gone, so none runs out while it waits', async () => {
    let now = new Date('2030-01-01T00:00:00Z').getTime();
    const clock: Clock = { now: () => new Date(now) };
    app = await startTestApp({ clock, settings: { concurrency: { global: 64, perWebhook: 1 }, leaseDuration: 60_000, period: 60_000 } });
    receiver.handler = (_r, res) => void held.push(res);
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    for (let i = 0; i < 4; i++) await app.publish(new ThingHappened(`w-${i}`));
    await receiver.waitFor(1);
    const queue = queueOf(app);
    // One is being sent; three wait in memory, all four leased to this app until now + 60 s.
    expect(await queue.counts()).toEqual({ pending: 0, inFlight: 4, dead: 0 });

    // 40 s later (past half the lease) the attempt settles and the next one starts.
    now += 40_000;
    held.shift()!.end();
    await receiver.waitFor(2);
    // Another process looking 30 s later, when the first claim's leases have run out, finds
    // nothing to take: what this app still holds was claimed again with a fresh lease.
    expect(await queue.claim({ owner: 'another-process', limit: 10, leaseMs: 60_000, now: new Date(now + 30_000) })).toEqual([]);
    expect(await queue.counts()).toEqual({ pending: 0, inFlight: 3, dead: 0 });
    for (const res of held.splice(0)) res.end();
    receiver.handler = (_r, res) => void res.end();
    await app.drain();
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(4);
  });

  it('does not send a waiting request whose webhook was deleted meanwhile: it is dropped within one period', async () => {
    let now = new Date('2030-01-01T00:00:00Z').getTime();
    const clock: Clock = { now: () => new Date(now) };
    app = await startTestApp({ clock, settings: { concurrency: { global: 64, perWebhook: 1 }, period: 10_000, leaseDuration: 60_000 } });
    receiver.handler = (_r, res) => void held.push(res);
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    for (let i = 0; i < 4; i++) await app.publish(new ThingHappened(`d-${i}`));
    await receiver.waitFor(1);
    await app.webhooks.delete(webhook.key);

    // A period later the first attempt settles; the three that waited are not sent.
    now += 11_000;
    const dropped: string[] = [];
    app.lifecycle.on('requestDropped', (info) => void dropped.push(info.requestId));
    const lastDrop = nextLifecycle(app, 'requestDropped', () => dropped.length === 3);
    held.shift()!.end();
    await lastDrop;
    await app.drain();
    expect(receiver.requests).toHaveLength(1);
    expect(dropped).toHaveLength(3);
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });
});
