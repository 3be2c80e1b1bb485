import pg from 'pg';
import { createHookwork, keyedMessageId, type Hookwork, type HookworkSettingsInput } from '@hookwork/core';
import { startTestReceiver, type TestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import type { PostgresTransaction } from './index';
import { withTestSchema } from './testing/test-schema';

// A completion deletes a delivered request's row and writes its log entry in one transaction. An
// idempotent insert that met the row while that transaction ran waited for it, found the row gone
// once it committed, and inserted — its snapshot, taken before the commit, had no log entry. The
// request was stored again and sent twice (seen once in a full run, as the same webhook-id
// arriving twice, both with retry count 0). Here the completion is held open at its end, after it
// deleted and logged, by a trigger that waits for a lock this test holds: nothing is timed.

const settings: HookworkSettingsInput = { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, retrySchedule: [300], retryJitter: 0, period: 60_000, timeout: 5000, stopTimeout: 2000 };

const t = withTestSchema('republish', { hostPoolSize: 2 });
const { db } = t;
let receiver: TestReceiver;

beforeEach(async () => {
  receiver = await startTestReceiver();
});
afterEach(async () => {
  await receiver.close();
});

/**
 * Holds every delivery log insert of the test's schema open at its end (a statement trigger that
 * waits for an advisory lock the returned client holds) until `release()`; `held(n)` resolves once
 * `n` sessions wait behind it, directly or behind a waiting one.
 */
async function holdCompletions(): Promise<{ held(count: number): Promise<void>; release(): Promise<void> }> {
  const s = `"${t.schema}"`;
  const holder = new pg.Client({ connectionString: db.url, application_name: 'hookwork-test-completion-holder' });
  await holder.connect();
  const { rows } = await holder.query<{ key: string; pid: number }>('SELECT hashtext($1)::text AS key, pg_backend_pid() AS pid', [t.schema]);
  const { key, pid } = rows[0]!;
  await holder.query('SELECT pg_advisory_lock($1::integer)', [key]);
  await db.query(`CREATE FUNCTION ${s}.hold_log_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_xact_lock_shared(${Number(key)}); RETURN NULL; END $$`);
  await db.query(`CREATE TRIGGER hold_log_insert AFTER INSERT ON ${s}.delivery_log FOR EACH STATEMENT EXECUTE FUNCTION ${s}.hold_log_insert()`);
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await holder.query('SELECT pg_advisory_unlock($1::integer)', [key]);
    await holder.end();
  };
  t.afterTest(release);
  return {
    async held(count) {
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
        const blocked = await db.query<{ pid: number; blockers: number[] }>('SELECT pid, pg_blocking_pids(pid) AS blockers FROM pg_stat_activity WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0');
        const behind = new Set<number>();
        for (let grown = true; grown; ) {
          grown = false;
          for (const row of blocked.rows) {
            if (behind.has(row.pid) || !row.blockers.some((p) => p === pid || behind.has(p))) continue;
            behind.add(row.pid);
            grown = true;
          }
        }
        if (behind.size >= count) return;
      }
      throw new Error(`fewer than ${count} session(s) waited behind the held completion within 20 s`);
    },
    release,
  };
}

/** Whether `promise` settles, or a session waits behind the held completion and `also` more, whichever comes first. */
async function settledOrWaiting(promise: Promise<unknown>, hold: { held(count: number): Promise<void> }, waiting: number): Promise<void> {
  await Promise.race([promise.then(noop, noop), hold.held(waiting)]);
}
const noop = (): void => {};

describe('a keyed publish made again while its request is being completed', () => {
  it.each([
    ['one webhook, on hookwork’s pool', 1, false],
    ['two webhooks (a batch), on hookwork’s pool', 2, false],
    ['one webhook, in the host transaction', 1, true],
    ['two webhooks (a batch), in the host transaction', 2, true],
  ] as const)('%s: is skipped, not stored and sent again once the completion commits', async (_case, webhooks, inHost) => {
    const app: Hookwork<PostgresTransaction> = t.stopAfterTest(createHookwork({ composers: [thingComposer], settings, storage: t.storage() }));
    await app.start();
    const keys: string[] = [];
    for (let i = 0; i < webhooks; i++) keys.push((await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] })).key);
    const ids = keys.map((key) => keyedMessageId('order-3:paid', key, 'thing.happened', 0));
    const enqueued: string[] = [];
    app.lifecycle.on('enqueued', (requests) => enqueued.push(...requests.map((r) => r.requestId)));
    const hold = await holdCompletions();

    await app.publish(new ThingHappened('order-3'), { idempotencyKey: 'order-3:paid' });
    await receiver.waitFor(webhooks, 10_000);
    // A completion has deleted its row(s) and written its entries, and waits to commit.
    await hold.held(1);

    const client = inHost ? await t.host.connect() : undefined;
    try {
      await client?.query('BEGIN');
      const again = app.publish(new ThingHappened('order-3'), { idempotencyKey: 'order-3:paid', ...(client ? { transaction: client } : {}) });
      // Skipped at once, or (the fault) waiting for the completion's row lock.
      await settledOrWaiting(again, hold, 2);
      await hold.release();
      await again;
      if (client) expect((await client.query('COMMIT')).command).toBe('COMMIT');
    } finally {
      client?.release();
    }
    await app.drain({ all: true, timeoutMs: 10_000 });
    // A request stored again is claimed at its NOTIFY and arrives within this wait.
    await receiver.waitFor(webhooks + 1, 1_000).catch(noop);
    expect(receiver.requests.map((r) => r.headers['webhook-id']).sort()).toEqual([...ids].sort());
    expect(enqueued.sort()).toEqual([...ids].sort());
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });
});
