import { createHookwork, type Hookwork, type HookworkSettingsInput } from '@hookwork/core';
import { startTestReceiver, type TestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { openPostgresStorage, type PostgresTransaction } from './index';
import { withTestSchema } from './testing/test-schema';

/**
 * Several instances on one schema share the work: what one publishes, the others deliver too,
 * rather than the publisher holding it leased behind its own per-webhook slots while they idle;
 * and what one gives back, the others hear of at once (a NOTIFY), not at their next sweep.
 */
const t = withTestSchema('sharedwork');
const { db } = t;
let receiver: TestReceiver | undefined;

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

// The sweep an hour away and leases of a minute: only a notification brings another instance's work in time.
const settings: HookworkSettingsInput = { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, period: '01:00:00', leaseDuration: 60_000, timeout: 10_000, stopTimeout: 200, concurrency: { global: 64, perWebhook: 1 } };

async function startApp(): Promise<Hookwork<PostgresTransaction>> {
  const app = t.stopAfterTest(createHookwork({ composers: [thingComposer], settings, storage: t.storage() }));
  await app.start();
  return app;
}

describe('three instances on one PostgreSQL schema, per-webhook limit 1, a slow receiver', () => {
  it('deliver between them what one instance publishes: every webhook-id arrives, none is out twice at once', async () => {
    const open = new Set<string>();
    const twiceAtOnce: string[] = [];
    receiver = await startTestReceiver((request, res) => {
      const id = String(request.headers["webhook-id"]);
      if (open.has(id)) twiceAtOnce.push(id);
      open.add(id);
      setTimeout(() => {
        open.delete(id);
        res.end();
      }, 300);
    });
    const instances = [await startApp(), await startApp(), await startApp()];
    const delivered = instances.map(() => new Set<string>());
    instances.forEach((app, i) => app.lifecycle.on('attemptSucceeded', (attempt) => void delivered[i]!.add(attempt.requestId)));
    const [publisher] = instances as [Hookwork<PostgresTransaction>];
    await publisher.webhooks.create({ url: `${receiver.url}/orders`, events: ['thing.happened'] });
    await publisher.webhooks.create({ url: `${receiver.url}/stock`, events: ['thing.happened'] });

    // Every request is published by one instance, at once (two webhooks, 15 events each).
    await Promise.all(Array.from({ length: 15 }, (_, i) => publisher.publish(new ThingHappened(`e${i}`))));
    await receiver.waitFor(30, 60_000);
    await Promise.all(instances.map((app) => app.drain({ all: true, timeoutMs: 30_000 })));

    const ids = receiver.requests.map((r) => String(r.headers['webhook-id']));
    expect(new Set(ids).size).toBe(30);
    expect(ids).toHaveLength(30);
    expect(twiceAtOnce).toEqual([]);
    // The publisher starts only its free slot of each webhook; the idle instances take the rest.
    expect(delivered[1]!.size).toBeGreaterThan(0);
    expect(delivered[2]!.size).toBeGreaterThan(0);
    expect(delivered[0]!.size).toBeLessThan(30);
    expect(delivered.reduce((sum, set) => sum + set.size, 0)).toBe(30);
  });

  it('an instance that stops gives its leases back and another instance sends them, long before the lease or sweep', async () => {
    let hang = true;
    receiver = await startTestReceiver((_request, res) => {
      // The first attempt hangs until its instance stops; later ones are answered.
      if (hang) {
        hang = false;
        return;
      }
      res.end();
    });
    const first = await startApp();
    await first.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await first.publish(new ThingHappened('given-back'));
    await receiver.waitFor(1);
    // Started after the publish: it has no notification of it, and its sweep is an hour away.
    const other = await startApp();
    const sentByOther = new Promise((resolve) => other.lifecycle.once('attemptSucceeded', resolve));
    await first.stop();
    await sentByOther;
    const ids = receiver.requests.map((r) => String(r.headers['webhook-id']));
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]);
  });
});

describe('a release on PostgreSQL', () => {
  it('wakes the other processes watching the schema (a NOTIFY), and not the releasing one', async () => {
    const [releasing, watching] = [await openPostgresStorage({ connectionString: db.url, schema: t.schema }), await openPostgresStorage({ connectionString: db.url, schema: t.schema })];
    try {
      let woken = 0;
      let wokenSelf = 0;
      const unwatch = watching.queue.watch!(() => woken++);
      const unwatchSelf = releasing.queue.watch!(() => wokenSelf++);
      const now = new Date();
      await releasing.queue.enqueue([{ id: 'held', webhookKey: 'w', eventAlias: 'thing.happened', body: '{}', createdAt: now, dueAt: now }]);
      expect(await releasing.queue.claim({ owner: 'A', limit: 10, leaseMs: 60_000, now })).toHaveLength(1);
      // Whatever the enqueue woke has been heard: count from here.
      await new Promise((resolve) => setTimeout(resolve, 500));
      [woken, wokenSelf] = [0, 0];
      expect(await releasing.queue.release('A')).toBe(1);
      const deadline = Date.now() + 10_000;
      while (woken === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(woken).toBeGreaterThan(0);
      expect(wokenSelf).toBe(0);
      // Nothing released, nothing sent.
      await new Promise((resolve) => setTimeout(resolve, 300));
      woken = 0;
      expect(await releasing.queue.release('A')).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(woken).toBe(0);
      unwatch();
      unwatchSelf();
    } finally {
      await releasing.close();
      await watching.close();
    }
  });
});
