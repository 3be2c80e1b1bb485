import { createHookwork, type Logger } from '@hookwork/core';
import { startTestReceiver, type TestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { openPostgresStorage, type PostgresStorage } from './index';
import { TEST_PG_URL } from './testing/test-database';
import { withTestSchema } from './testing/test-schema';

// The store's LISTEN connection is work in the background on no call of the app's: its loss was a
// warning alone, so app.lifecycle's backgroundError and hookwork_background_errors_total missed it.

const pg = withTestSchema('listen-lost');
let receiver: TestReceiver;
beforeEach(async () => (receiver = await startTestReceiver()));
afterEach(() => receiver.close());

async function waitUntil(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the LISTEN connection terminated by the server (pg_terminate_backend)', () => {
  it('is one backgroundError naming the connection and what the store does instead, counted in hookwork_background_errors_total; it comes back and delivery goes on', async () => {
    const errors: string[] = [];
    const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (message: string) => void errors.push(message) };
    const backend = pg.storage();
    let opened: PostgresStorage | undefined;
    // The sweep is a minute: what arrives within the test's waits was woken by NOTIFY.
    const app = pg.stopAfterTest(
      createHookwork({
        composers: [thingComposer],
        logger,
        storage: { ...backend, open: async (context) => (opened = (await backend.open(context)) as PostgresStorage) },
        settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, period: 60_000 },
      }),
    );
    const told: { task: string; error: unknown }[] = [];
    app.lifecycle.on('backgroundError', (info) => void told.push(info));
    await app.start();
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await waitUntil(() => opened!.listening, 'listening');
    await app.publish(new ThingHappened('before'));
    await receiver.waitFor(1, 10_000);

    // This store's LISTEN connection alone: the one that listens on its schema's channel.
    const killed = await pg.db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'hookwork-listen' AND query LIKE $1", [`LISTEN "hookwork:${pg.schema}"%`]);
    expect(killed.rowCount).toBe(1);
    await waitUntil(() => !opened!.listening, 'the lost LISTEN connection noticed');
    await waitUntil(() => opened!.listening, 'listening again');

    expect(told).toHaveLength(1);
    expect(told[0]!.task).toBe(`the LISTEN connection to PostgreSQL 127.0.0.1:5432/test (schema "${pg.schema}")`);
    expect((told[0]!.error as Error).message).toMatch(/terminat/i);
    expect(errors.filter((line) => line.startsWith('the LISTEN connection to'))).toEqual([expect.stringMatching(/ failed: .*terminat.*; it reconnects by itself .* the periodic sweep/)]);
    expect((await app.metrics.scrape()).text).toMatch(/^hookwork_background_errors_total 1$/m);

    // Another process enqueues: only the LISTEN connection, back, wakes this app before its sweep.
    const other = await openPostgresStorage({ connectionString: TEST_PG_URL, schema: pg.schema });
    pg.afterTest(() => other.close());
    await other.queue.enqueue([{ id: 'msg_from_other', webhookKey: webhook.key, eventAlias: 'thing.happened', body: JSON.stringify({ id: 'from-other' }), createdAt: new Date(), dueAt: new Date() }]);
    await app.publish(new ThingHappened('after'));
    await receiver.waitFor(3, 10_000);
    expect(receiver.requests.map((request) => (JSON.parse(request.text) as { id: string }).id).sort()).toEqual(['after', 'before', 'from-other']);
  });
});
