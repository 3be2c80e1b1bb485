import { createHookwork, type Hookwork, type HookworkSettingsInput } from '@hookwork/core';
import { startTestReceiver, type TestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import type { PostgresStorageOptions, PostgresTransaction } from './index';
import { withTestSchema } from './testing/test-schema';

// The sweep is a minute: whatever arrives within the tests' waits was handed off or woken by NOTIFY.
const settings: HookworkSettingsInput = { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, period: 60_000, timeout: 5000, stopTimeout: 2000 };

const t = withTestSchema('visible', { hostPoolSize: 2 });
const { db } = t;
let receiver: TestReceiver;

const flushRows = async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${t.schema}".flushes`)).rows[0]!.n);

async function start(options: Partial<PostgresStorageOptions> = {}): Promise<Hookwork<PostgresTransaction>> {
  const app = t.stopAfterTest(createHookwork({ composers: [thingComposer], settings, storage: t.storage(options) }));
  await app.start();
  await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
  // Until its first claim finds no backlog, the dispatcher takes no handoff: a first delivery settles that.
  await app.publish(new ThingHappened('warm-up'));
  await receiver.waitFor(1, 10_000);
  await app.drain({ timeoutMs: 10_000 });
  receiver.requests.length = 0;
  return app;
}

/** Holds the flush barrier's table locked (so no barrier can commit) until the returned function is called. */
async function blockFlushes(): Promise<() => Promise<void>> {
  const client = await t.host.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE "${t.schema}".flushes IN EXCLUSIVE MODE`);
  return async () => {
    await client.query('COMMIT');
    client.release();
  };
}

/** Whether `promise` has settled by the end of the next few turns. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  return done;
}

beforeEach(async () => {
  receiver = await startTestReceiver();
});
afterEach(async () => {
  await receiver.close();
});

describe("synchronousCommit 'publish': a handed-off request is sent while its enqueue is made durable", () => {
  it('sends before the flush barrier commits, and resolves publish() only after it', async () => {
    const app = await start({ synchronousCommit: 'publish' });
    const unblock = await blockFlushes();
    let publishing: Promise<unknown>;
    try {
      publishing = app.publish(new ThingHappened('sent-before-durable'));
      // The request is visible and leased to this process: it goes out although the barrier waits.
      await receiver.waitFor(1, 10_000);
      expect(JSON.parse(receiver.requests[0]!.text)).toMatchObject({ id: 'sent-before-durable' });
      expect(await settled(publishing)).toBe(false);
    } finally {
      await unblock();
    }
    await publishing;
    expect(await flushRows()).toBe(1);
    await app.drain({ timeoutMs: 10_000 });
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    await app.stop();
    // Its row goes with the store.
    expect(await flushRows()).toBe(0);
  });

  it('publishes that commit while a barrier runs share the next one', async () => {
    const app = await start({ synchronousCommit: 'publish' });
    const unblock = await blockFlushes();
    const publishing = ['a', 'b', 'c', 'd'].map((id) => app.publish(new ThingHappened(id)));
    try {
      await receiver.waitFor(4, 10_000);
      expect(await settled(Promise.all(publishing))).toBe(false);
    } finally {
      await unblock();
    }
    await Promise.all(publishing);
    await app.drain({ timeoutMs: 10_000 });
    expect(receiver.requests.map((r) => (JSON.parse(r.text) as { id: string }).id).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('fails publish() with a coded error when the flush cannot be confirmed; the committed request is still delivered', async () => {
    const app = await start({ synchronousCommit: 'publish' });
    await db.query(`DROP TABLE "${t.schema}".flushes`);
    const error = await app.publish(new ThingHappened('committed-not-confirmed')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as { code?: string }).code).toBe('HOOKWORK_ERR_ENQUEUE_UNCERTAIN');
    expect((error as Error).message).toMatch(/PostgreSQL committed them, but hookwork could not confirm that they reached its disk/);
    await receiver.waitFor(1, 10_000);
    // Not this app's own (its publish failed): the whole queue is what empties.
    await app.drain({ all: true, timeoutMs: 10_000 });
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });
});

describe("synchronousCommit 'enqueue' (the default) and 'all': the send waits for the durable commit", () => {
  it.each([['enqueue'], ['all']] as const)('%s writes no flush barrier', async (synchronousCommit) => {
    const app = await start({ synchronousCommit });
    const unblock = await blockFlushes();
    try {
      // The barrier's table is locked, yet publish resolves: it is not used.
      await app.publish(new ThingHappened('durable-first'));
    } finally {
      await unblock();
    }
    await receiver.waitFor(1, 10_000);
    expect(await flushRows()).toBe(0);
    expect(JSON.parse(receiver.requests[0]!.text)).toMatchObject({ id: 'durable-first' });
  });
});
