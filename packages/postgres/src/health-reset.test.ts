import { join } from 'node:path';
import pg from 'pg';
import { createHookwork, type Hookwork, type HookworkSettingsInput, type Logger } from '@hookwork/core';
import { startTestReceiver, startWorker, ThingHappened, thingComposer, type TestReceiver, type WorkerProcess } from '@hookwork/core/testing';
import { postgresStorage, type PostgresTransaction } from './index';
import { withTestDatabase } from './testing/test-schema';

// Child processes run the built worker (npm test builds first; in a dev loop: npx tsc -b packages/postgres).
const WORKER = join(__dirname, '..', 'dist', 'test-fixtures', 'pg-worker.js');

/**
 * Enabling a webhook again forgets its health, a write of its own. The webhook was stored enabled
 * first: a process killed before the forgetting left it enabled under its old open breaker (its
 * requests held for the cool-down, a streak that disabled it again at its next failure); a store
 * failing the step rejected the update although it was stored (a move and a delete rejected the
 * same way).
 */
const db = withTestDatabase('healthreset');
const settings: HookworkSettingsInput = { ssrf: { allow: ['127.0.0.1'] }, period: 200, timeout: 2000, stopTimeout: 2000, retrySchedule: [3_600_000], retryJitter: 0, breaker: { failureThreshold: 1, coolDown: 3_600_000 } };
let failing: TestReceiver;
let working: TestReceiver;
let app: Hookwork<PostgresTransaction> | undefined;
const workers: WorkerProcess[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
let errors: string[];
beforeEach(async () => {
  errors = [];
  failing = await startTestReceiver((_request, res) => void res.writeHead(503).end());
  working = await startTestReceiver();
});
afterEach(async () => {
  for (const w of workers.splice(0)) {
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await w.exited;
  }
  await app?.stop();
  app = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await failing.close();
  await working.close();
});

const logger: Logger = { debug() {}, info() {}, warn() {}, error: (message: string) => void errors.push(message) };

function open(schema: string): Hookwork<PostgresTransaction> {
  return createHookwork({ composers: [thingComposer], logger, settings, storage: postgresStorage({ connectionString: db.url, schema, poolSize: 4 }) });
}

/** A started app on a new schema with a webhook whose breaker is open for an hour. */
async function brokenWebhook(): Promise<{ schema: string; key: string }> {
  const schema = db.schema();
  app = open(schema);
  await app.start();
  const { key } = await app.webhooks.create({ url: failing.url, events: ['thing.happened'] });
  const opened = new Promise<void>((resolve) => app!.lifecycle.on('operatorEvent', (event) => event.type === 'breaker.opened' && resolve()));
  await app.publish(new ThingHappened('to the failing receiver'));
  await opened;
  return { schema, key };
}

async function admin(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  cleanups.push(() => client.end());
  return client;
}

it('enabled again by a process killed while it forgot the health: the webhook is never left enabled under its open breaker', async () => {
  const { schema, key } = await brokenWebhook();
  await app!.webhooks.update(key, { enabled: false });
  await app!.stop();
  app = undefined;

  // The health row locked by another connection, so the worker's forgetting waits on it, then the worker killed there.
  const locker = await admin();
  await locker.query('BEGIN');
  await locker.query(`SELECT 1 FROM "${schema}".webhook_health WHERE webhook_key = $1 FOR UPDATE`, [key]);
  const worker = startWorker(WORKER, ['enable', db.url, schema, key], { ...process.env, WORKER_SETTINGS: JSON.stringify(settings) });
  workers.push(worker);
  const observer = await admin();
  let waiting: number | undefined;
  for (const deadline = Date.now() + 20_000; waiting === undefined && Date.now() < deadline; ) {
    const rows = (await observer.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%DELETE FROM "${schema}".webhook_health%'`)).rows;
    waiting = rows[0]?.pid;
    if (waiting === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(waiting).toBeDefined();
  expect(worker.events.filter((e) => e.type === 'enabled')).toEqual([]);
  worker.child.kill('SIGKILL');
  await worker.exited;
  // Its connection dies with it (the server would notice only when it next writes to it).
  await observer.query('SELECT pg_terminate_backend($1)', [waiting]);
  await locker.query('ROLLBACK');

  app = open(schema);
  await app.start();
  const stored = (await app.webhooks.get(key))!;
  const health = await app.health(key);
  // Killed before it answered: either nothing happened, or all of it.
  if (stored.enabled) expect(health).toEqual({ webhookKey: key, breaker: 'closed', consecutiveFailures: 0 });
  expect(stored.enabled).toBe(false);
  expect(health.breaker).toBe('open');

  // Enabled again by a process that is not killed: afresh.
  await app.webhooks.update(key, { enabled: true });
  expect(await app.health(key)).toEqual({ webhookKey: key, breaker: 'closed', consecutiveFailures: 0 });
});

it('moved to another URL while the health store fails to forget: the update resolves (it is stored), says the failure, and the new URL is delivered at once', async () => {
  const { schema, key } = await brokenWebhook();
  const client = await admin();
  await client.query(`CREATE FUNCTION "${schema}".refuse_forgetting() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the test refuses to forget health'; END $$`);
  await client.query(`CREATE TRIGGER refuse_forgetting BEFORE DELETE ON "${schema}".webhook_health FOR EACH ROW EXECUTE FUNCTION "${schema}".refuse_forgetting()`);

  const moved = await app!.webhooks.update(key, { url: working.url });
  expect(moved.url).toBe(working.url);
  expect(errors).toEqual([expect.stringMatching(new RegExp(`^forgetting the health of webhook ${key}, moved to another URL failed: .*the test refuses to forget health.*; the webhook is changed`))]);
  expect(await app!.health(key)).toEqual({ webhookKey: key, breaker: 'closed', consecutiveFailures: 0 });
  await app!.publish(new ThingHappened('to the new receiver'));
  // With the request the old receiver failed, brought forward by the move.
  const received = await working.waitFor(2, 5_000);
  expect(received.map((r) => (JSON.parse(r.text) as { id: string }).id).sort()).toEqual(['to the failing receiver', 'to the new receiver']);

  // Enabled again while the store still fails: refused, the webhook left disabled.
  await app!.webhooks.update(key, { enabled: false });
  await expect(app!.webhooks.update(key, { enabled: true })).rejects.toThrow(/the test refuses to forget health/);
  expect((await app!.webhooks.get(key))!.enabled).toBe(false);
});
