import { createHookwork, type Hookwork, type HookworkSettingsInput } from '@hookwork/core';
import { startSilentServer, startTestReceiver, stopDuringStart, type TestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { postgresStorage, type PostgresTransaction } from './index';
import { withTestSchema } from './testing/test-schema';

// Leases of a minute and a sweep of a minute: a request left leased to a stopped app would not
// be delivered within these tests' waits.
const settings: HookworkSettingsInput = { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, period: 60_000, leaseDuration: 60_000, timeout: 5000, stopTimeout: 2000 };

const t = withTestSchema('stop');
const { db } = t;
let receiver: TestReceiver;

async function start(): Promise<Hookwork<PostgresTransaction>> {
  const app = t.stopAfterTest(createHookwork({ composers: [thingComposer], settings, storage: t.storage() }));
  await app.start();
  return app;
}

beforeEach(async () => {
  receiver = await startTestReceiver();
});
afterEach(async () => {
  await receiver.close();
});

describe('stop() with publishes under way', () => {
  it('lets them finish enqueueing, and leaves none of their requests leased to the stopped app', async () => {
    const first = await start();
    await first.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    // A first delivery settles the dispatcher (it takes handoffs once a claim found no backlog).
    await first.publish(new ThingHappened('warm-up'));
    await receiver.waitFor(1, 10_000);
    await first.drain({ timeoutMs: 10_000 });

    // stop() is called while these publishes wait for the database (SIGTERM during traffic).
    const publishing = ['a', 'b', 'c'].map((id) => first.publish(new ThingHappened(id)));
    await first.stop();
    const outcomes = await Promise.allSettled(publishing);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const leased = await db.query(`SELECT id FROM "${t.schema}".requests WHERE state = 'inflight'`);
    expect(leased.rows).toEqual([]);

    // Whatever the stopped app did not deliver, another app delivers at once, not a lease later.
    const second = await start();
    await second.drain({ all: true, timeoutMs: 10_000 });
    const ids = receiver.requests.map((r) => (JSON.parse(r.text) as { id: string }).id);
    expect([...new Set(ids)].sort()).toEqual(['a', 'b', 'c', 'warm-up']);
  });
});

describe('stop() during start()', () => {
  it('ends within stopTimeout while the database does not answer; the start ends on its own', async () => {
    // A host that takes connections and never answers: the store's connect waits its whole timeout (5 s).
    const silent = await startSilentServer();
    try {
      const app = createHookwork({ composers: [thingComposer], settings: { stopTimeout: 200 }, storage: postgresStorage({ connectionString: `postgres://postgres@127.0.0.1:${silent.port}/test`, schema: t.schema }) });
      const { stateAfterStop, startError, order } = await stopDuringStart(app, silent);
      expect(stateAfterStop).toBe('stopped');
      // The stop did not wait for the start, which ends on its own with the store's error; the app stays stopped.
      expect(order).toEqual(['stop ended', 'start ended']);
      expect(startError).toMatchObject({ code: 'HOOKWORK_ERR_STORAGE_OPEN_FAILED' });
      expect(app.state).toBe('stopped');
    } finally {
      await silent.close();
    }
  });
});
