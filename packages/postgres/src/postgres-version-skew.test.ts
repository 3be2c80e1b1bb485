import { createHookwork, isHookworkError, type Logger } from '@hookwork/core';
import { startTestReceiver, type TestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import pgLib from 'pg';
import { openPostgresStorage, type PostgresStorage, SCHEMA_VERSION } from './index';
import { TEST_PG_URL } from './testing/test-database';
import { withTestSchema } from './testing/test-schema';

// An instance keeps running while a newer build, started beside it (a rolling deploy), migrates the
// schema. The newer migration's floor says whether code of this version may still work on it: one
// that raised it past this version (a new request state, a column that changes how a request must
// be handled) is one this instance would misread. It read the version only at start, so it went on
// claiming, sending and publishing on the newer schema.

const pg = withTestSchema('version-skew');
let receiver: TestReceiver;
beforeEach(async () => (receiver = await startTestReceiver()));
afterEach(() => receiver.close());

async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function runningApp() {
  const errors: string[] = [];
  const warnings: string[] = [];
  const logger: Logger = { debug: () => undefined, info: () => undefined, warn: (message: string) => void warnings.push(message), error: (message: string) => void errors.push(message) };
  const backend = pg.storage();
  let opened: PostgresStorage | undefined;
  const app = pg.stopAfterTest(
    createHookwork({
      composers: [thingComposer],
      logger,
      storage: { ...backend, open: async (context) => (opened = (await backend.open(context)) as PostgresStorage) },
      settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, period: 250 },
    }),
  );
  const told: string[] = [];
  app.lifecycle.on('backgroundError', (info) => void told.push(`${info.task}: ${(info.error as Error).message}`));
  await app.start();
  const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
  await waitUntil(() => opened!.listening, 'listening');
  await app.publish(new ThingHappened('before'));
  await receiver.waitFor(1, 10_000);
  return { app, webhook, errors, warnings, told, opened: opened! };
}

/** What a newer build's migration does to the schema: its version and floor, and (from this build on) the notification. */
async function migrateAsNewerBuild(floor: number, notify = true): Promise<void> {
  await pg.db.query(
    `BEGIN;
     UPDATE "${pg.schema}".schema_version SET version = ${SCHEMA_VERSION + 1}, compatible_from = ${floor};
     ${notify ? `SELECT pg_notify('hookwork:${pg.schema}', 'schema');` : ''}
     COMMIT`,
  );
}

/** Waits until the store refuses a management call (no publish meanwhile, so nothing is stored or sent by the waiting), then publishes once. */
async function publishRefused(app: { publish: (n: ThingHappened) => Promise<unknown>; webhooks: { list: () => Promise<unknown> } }): Promise<unknown> {
  await waitUntil(() => app.webhooks.list().then(() => false, () => true), 'a call refused');
  return app.publish(new ThingHappened('after')).then(() => undefined, (error: unknown) => error);
}

const stored = async (body: string) => Number((await pg.db.query<{ n: string }>(`SELECT count(*) AS n FROM "${pg.schema}".requests WHERE body LIKE $1`, [`%${body}%`])).rows[0]!.n);

describe('the schema migrated by a newer build while this instance runs', () => {
  it('past its floor: publish() is refused with HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW as the cause, said once, and a request the newer build queues is left to it', async () => {
    const { app, webhook, errors, told } = await runningApp();
    await app.drain();
    await migrateAsNewerBuild(SCHEMA_VERSION + 1);

    const refusal = await publishRefused(app);
    expect(isHookworkError(refusal, 'HOOKWORK_ERR_ENQUEUE_FAILED')).toBe(true);
    const cause = (refusal as Error).cause;
    expect(isHookworkError(cause, 'HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW')).toBe(true);
    expect((cause as Error).message).toMatch(new RegExp(`migrated to schema version ${SCHEMA_VERSION + 1} while this instance ran.*knows up to ${SCHEMA_VERSION}.*stop this instance and start it on the newer @hookwork/postgres`));
    await expect(app.webhooks.list()).rejects.toMatchObject({ code: 'HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW' });
    expect(await stored('"after"')).toBe(0);
    // Said once, as a background error (the app's event and counter), whatever fails after it.
    expect(told.filter((line) => line.includes('while this instance ran'))).toHaveLength(1);
    expect(errors.filter((line) => line.startsWith('working on') && line.includes('; it sends nothing more; the newer instances send the requests it held once their leases expire'))).toHaveLength(1);

    // A request the newer build stores is its own to send: this instance claims nothing more.
    await pg.db.query(
      `INSERT INTO "${pg.schema}".requests (id, webhook_key, event_alias, body, created_at, due_at, state) VALUES ('msg_newer', $1, 'thing.happened', '{"id":"newer"}', $2, $2, 'pending')`,
      [webhook.key, Date.now()],
    );
    await pg.db.query(`SELECT pg_notify('hookwork:${pg.schema}', '')`);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // six of its sweeps
    expect(receiver.requests).toHaveLength(1);
    expect((await pg.db.query(`SELECT state FROM "${pg.schema}".requests WHERE id = 'msg_newer'`)).rows).toEqual([{ state: 'pending' }]);
  });

  it('past its floor while its LISTEN connection was down (the notification missed): found when it is back', async () => {
    const { app } = await runningApp();
    await pg.db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'hookwork-listen' AND query LIKE $1", [`LISTEN "hookwork:${pg.schema}"%`]);
    await migrateAsNewerBuild(SCHEMA_VERSION + 1, false);
    const refusal = await publishRefused(app);
    expect(isHookworkError((refusal as Error).cause, 'HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW')).toBe(true);
  });

  it('within its floor: goes on working, saying once that the schema is newer', async () => {
    const { app, warnings } = await runningApp();
    await migrateAsNewerBuild(SCHEMA_VERSION);
    await waitUntil(() => warnings.some((line) => line.includes('while this instance ran')), 'the warning');
    await app.publish(new ThingHappened('after'));
    await receiver.waitFor(2, 10_000);
    expect(warnings.filter((line) => line.includes('while this instance ran'))).toEqual([expect.stringMatching(new RegExp(`migrated to schema version ${SCHEMA_VERSION + 1} while this instance ran.*versions that know schema ${SCHEMA_VERSION} or later.*goes on`))]);
  });
});

describe('a migration of this build', () => {
  it('notifies the schema\'s channel as it commits, so the instances already running read the version again', async () => {
    const heard: string[] = [];
    const listening = new pgLib.Client({ connectionString: TEST_PG_URL });
    await listening.connect();
    pg.afterTest(() => listening.end());
    listening.on('notification', (message) => void heard.push(`${message.channel}|${message.payload}`));
    await listening.query(`LISTEN "hookwork:${pg.schema}"`);
    const store = await openPostgresStorage({ connectionString: TEST_PG_URL, schema: pg.schema });
    await store.close();
    await waitUntil(() => heard.length > 0, 'the notification');
    expect(heard).toEqual([`hookwork:${pg.schema}|schema`]);
    // Opening a current schema migrates nothing and says nothing.
    const again = await openPostgresStorage({ connectionString: TEST_PG_URL, schema: pg.schema });
    await again.close();
    await listening.query('SELECT 1');
    expect(heard).toHaveLength(1);
  });
});
