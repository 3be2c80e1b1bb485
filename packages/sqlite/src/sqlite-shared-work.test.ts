import { createHookwork, type Hookwork, type HookworkSettingsInput } from '@hookwork/core';
import { startTestReceiver, type TestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { openSqliteStorage, sqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

/**
 * Several apps on one SQLite file (as several processes on one machine) share the work: what one
 * publishes, the others deliver too, rather than the publisher holding it leased behind its own
 * per-webhook slots while they idle; and what one gives back, the others see at once (the file's
 * data version moves), not at their next sweep.
 */
// The sweep an hour away and leases of a minute: only the store's watch() brings another app's work in time.
const settings: HookworkSettingsInput = { ssrf: { allow: ['127.0.0.1'] }, period: '01:00:00', leaseDuration: 60_000, timeout: 10_000, stopTimeout: 200, concurrency: { global: 64, perWebhook: 1 } };

let temp: ReturnType<typeof makeTempDir>;
let receiver: TestReceiver | undefined;
const apps: Hookwork[] = [];

beforeEach(() => {
  temp = makeTempDir();
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
  await receiver?.close();
  receiver = undefined;
  temp.remove();
});

async function startApp(file: string): Promise<Hookwork> {
  const app = createHookwork({ composers: [thingComposer], settings, storage: sqliteStorage({ file, watchIntervalMs: 20 }) });
  apps.push(app);
  await app.start();
  return app;
}

describe('three apps on one SQLite file, per-webhook limit 1, a slow receiver', () => {
  it('deliver between them what one app publishes: every webhook-id arrives, none is out twice at once', async () => {
    const file = temp.file();
    const open = new Set<string>();
    const twiceAtOnce: string[] = [];
    receiver = await startTestReceiver((request, res) => {
      const id = String(request.headers['webhook-id']);
      if (open.has(id)) twiceAtOnce.push(id);
      open.add(id);
      setTimeout(() => {
        open.delete(id);
        res.end();
      }, 300);
    });
    const instances = [await startApp(file), await startApp(file), await startApp(file)];
    const delivered = instances.map(() => new Set<string>());
    instances.forEach((app, i) => app.lifecycle.on('attemptSucceeded', (attempt) => void delivered[i]!.add(attempt.requestId)));
    const [publisher] = instances as [Hookwork];
    await publisher.webhooks.create({ url: `${receiver.url}/orders`, events: ['thing.happened'] });
    await publisher.webhooks.create({ url: `${receiver.url}/stock`, events: ['thing.happened'] });

    // Every request is published by one app, at once (two webhooks, 15 events each).
    await Promise.all(Array.from({ length: 15 }, (_, i) => publisher.publish(new ThingHappened(`e${i}`))));
    await receiver.waitFor(30, 60_000);
    await Promise.all(instances.map((app) => app.drain({ all: true, timeoutMs: 30_000 })));

    const ids = receiver.requests.map((r) => String(r.headers['webhook-id']));
    expect(new Set(ids).size).toBe(30);
    expect(ids).toHaveLength(30);
    expect(twiceAtOnce).toEqual([]);
    // The publisher starts only its free slot of each webhook; the idle apps take the rest.
    expect(delivered[1]!.size).toBeGreaterThan(0);
    expect(delivered[2]!.size).toBeGreaterThan(0);
    expect(delivered[0]!.size).toBeLessThan(30);
    expect(delivered.reduce((sum, set) => sum + set.size, 0)).toBe(30);
  });
});

describe('a release on a shared SQLite file', () => {
  it('wakes the other connections watching the file', async () => {
    const file = temp.file();
    const [releasing, watching] = [openSqliteStorage({ file }), openSqliteStorage({ file, watchIntervalMs: 20 })];
    try {
      let woken = 0;
      const unwatch = watching.queue.watch!(() => woken++);
      const now = new Date();
      await releasing.queue.enqueue([{ id: 'held', webhookKey: 'w', eventAlias: 'thing.happened', body: '{}', createdAt: now, dueAt: now }]);
      expect(await releasing.queue.claim({ owner: 'A', limit: 10, leaseMs: 60_000, now })).toHaveLength(1);
      // Whatever the enqueue and claim woke has been seen: count from here.
      await new Promise((resolve) => setTimeout(resolve, 200));
      woken = 0;
      expect(await releasing.queue.release('A')).toBe(1);
      const deadline = Date.now() + 10_000;
      while (woken === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(woken).toBeGreaterThan(0);
      unwatch();
    } finally {
      await releasing.close();
      await watching.close();
    }
  });
});
