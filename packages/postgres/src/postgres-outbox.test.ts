import pg from 'pg';
import Cursor from 'pg-cursor';
import QueryStream from 'pg-query-stream';
import { createHookwork, isHookworkError, type Hookwork, type HookworkSettingsInput } from '@hookwork/core';
import { startTestReceiver, type TestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { statementsAhead } from './host-transaction';
import { postgresStorage, type PostgresTransaction } from './index';
import { AliasProxy } from './testing/alias-proxy';
import { withTestSchema } from './testing/test-schema';

// The sweep is a minute: whatever arrives within the tests' waits was woken by NOTIFY.
const settings: HookworkSettingsInput = { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, retrySchedule: [300], retryJitter: 0, period: 60_000, timeout: 5000, stopTimeout: 2000 };

const t = withTestSchema('outbox', { hostPoolSize: 3 });
const { db } = t;
let receiver: TestReceiver;
let app: Hookwork<PostgresTransaction>;

const ids = () => receiver.requests.map((r) => (JSON.parse(r.text) as { id: string }).id).sort();
const stored = async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${t.schema}".requests`)).rows[0]!.n);

async function refusal(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(isHookworkError(error)).toBe(true);
  return error as { code?: string; message: string };
}

/** Runs `fn` in a transaction of the host's own pool, committing or rolling back as `end` says. */
async function inTransaction(end: 'COMMIT' | 'ROLLBACK', fn: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  const client = await t.host.connect();
  try {
    await client.query('BEGIN');
    await fn(client);
    await client.query(end);
  } finally {
    client.release();
  }
}

beforeEach(async () => {
  receiver = await startTestReceiver();
  app = t.stopAfterTest(createHookwork({ composers: [thingComposer], settings, storage: t.storage() }));
  await app.start();
  await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
});
afterEach(async () => {
  await receiver.close();
});

describe('publish(…, { transaction: client }) — the transactional outbox', () => {
  it('on COMMIT every request is delivered; before it, nothing is visible or sent', async () => {
    await inTransaction('COMMIT', async (client) => {
      await app.publish(new ThingHappened('a'), { transaction: client });
      await app.publish(new ThingHappened('b'), { transaction: client });
      // Not committed: another connection sees nothing, and so does the dispatcher.
      expect(await stored()).toBe(0);
      expect(receiver.requests).toHaveLength(0);
    });
    await receiver.waitFor(2, 10_000);
    expect(ids()).toEqual(['a', 'b']);
    await app.drain({ timeoutMs: 10_000 });
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });

  it('a transaction run again after a COMMIT whose outcome was unknown stores nothing twice when its publish has the same idempotencyKey', async () => {
    // The first run committed (the host never learnt it: its connection broke during COMMIT).
    await inTransaction('COMMIT', async (client) => {
      await app.publish(new ThingHappened('order-7'), { transaction: client, idempotencyKey: 'order-7:paid' });
    });
    // Run again at once (the request may still be queued) and once it was delivered: the insert skips it both times.
    await inTransaction('COMMIT', async (client) => {
      await app.publish(new ThingHappened('order-7'), { transaction: client, idempotencyKey: 'order-7:paid' });
    });
    await receiver.waitFor(1, 10_000);
    await app.drain({ all: true, timeoutMs: 10_000 });
    await inTransaction('COMMIT', async (client) => {
      await app.publish(new ThingHappened('order-7'), { transaction: client, idempotencyKey: 'order-7:paid' });
      await app.publish(new ThingHappened('order-8'), { transaction: client, idempotencyKey: 'order-8:paid' });
    });
    await receiver.waitFor(2, 10_000);
    await app.drain({ all: true, timeoutMs: 10_000 });
    expect(ids()).toEqual(['order-7', 'order-8']);
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(2);
  });

  it('on ROLLBACK nothing is ever sent', async () => {
    await inTransaction('ROLLBACK', async (client) => {
      await app.publish(new ThingHappened('rolled-back-1'), { transaction: client });
      await app.publish(new ThingHappened('rolled-back-2'), { transaction: client });
    });
    // A request published afterwards arrives; the rolled back ones never were stored.
    await app.publish(new ThingHappened('after'));
    await receiver.waitFor(1, 10_000);
    await app.drain({ timeoutMs: 10_000 });
    expect(ids()).toEqual(['after']);
    expect(await stored()).toBe(0);
  });

  it('ROLLBACK TO SAVEPOINT drops what was enqueued after the savepoint, and only that', async () => {
    await inTransaction('COMMIT', async (client) => {
      await app.publish(new ThingHappened('kept-before'), { transaction: client });
      await client.query('SAVEPOINT half');
      await app.publish(new ThingHappened('dropped'), { transaction: client });
      await client.query('ROLLBACK TO SAVEPOINT half');
      await app.publish(new ThingHappened('kept-after'), { transaction: client });
    });
    await receiver.waitFor(2, 10_000);
    await app.drain({ timeoutMs: 10_000 });
    expect(ids()).toEqual(['kept-after', 'kept-before']);
  });

  it('enqueues on the host\'s client, in its transaction, beside the host\'s own change', async () => {
    await t.host.query(`CREATE TABLE "${t.schema}_pages" (id text PRIMARY KEY)`);
    try {
      await inTransaction('COMMIT', async (client) => {
        await client.query(`INSERT INTO "${t.schema}_pages" (id) VALUES ('p1')`);
        await app.publish(new ThingHappened('p1'), { transaction: client });
        // The host's client sees its own uncommitted request.
        expect(Number((await client.query(`SELECT count(*) AS n FROM "${t.schema}".requests`)).rows[0].n)).toBe(1);
      });
      await receiver.waitFor(1, 10_000);
      expect(ids()).toEqual(['p1']);
    } finally {
      await t.host.query(`DROP TABLE "${t.schema}_pages"`);
    }
  });

  it('a search_path of the host that puts its own schema before pg_catalog does not turn the wake-up into its function of the same name', async () => {
    // A host schema with a function named as one hookwork calls, listed before pg_catalog (which is
    // otherwise searched first): the insert called it instead, no NOTIFY went out at the commit, and
    // the requests waited for the sweep (a minute here).
    const hostSchema = `${t.schema}_host`;
    await t.host.query(`CREATE SCHEMA "${hostSchema}"`);
    t.afterTest(() => t.host.query(`DROP SCHEMA "${hostSchema}" CASCADE`));
    await t.host.query(`CREATE FUNCTION "${hostSchema}".pg_notify(text, text) RETURNS void LANGUAGE sql AS 'SELECT NULL::void'`);
    // Two webhooks: the publish stores its two requests in one multi-row statement.
    const second = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await inTransaction('COMMIT', async (client) => {
      await client.query(`SET LOCAL search_path = "${hostSchema}", pg_catalog`);
      await app.publish(new ThingHappened('shadowed'), { transaction: client });
    });
    await receiver.waitFor(2, 10_000);
    // One webhook: the statement of a single request.
    await app.webhooks.delete(second.key);
    await inTransaction('COMMIT', async (client) => {
      await client.query(`SET LOCAL search_path = "${hostSchema}", pg_catalog`);
      await app.publish(new ThingHappened('shadowed-one'), { transaction: client });
    });
    await receiver.waitFor(3, 10_000);
    expect(ids()).toEqual(['shadowed', 'shadowed', 'shadowed-one']);
  });

  it('refuses a client that is not in a transaction, storing nothing', async () => {
    const client = await t.host.connect();
    try {
      const error = await refusal(app.publish(new ThingHappened('no-begin'), { transaction: client }));
      expect(error.code).toBe('HOOKWORK_ERR_INVALID_TRANSACTION');
      expect(error.message).toMatch(/not in a transaction.*BEGIN/);
    } finally {
      client.release();
    }
    expect(await stored()).toBe(0);
  });

  it('refuses a client already released to its pool as released, not as one to run BEGIN on', async () => {
    const client = await t.host.connect();
    await client.query('BEGIN');
    await client.query('COMMIT');
    client.release();
    const error = await refusal(app.publish(new ThingHappened('released'), { transaction: client }));
    expect(error.code).toBe('HOOKWORK_ERR_INVALID_TRANSACTION');
    expect(error.message).toMatch(/a pg client already released to its pool .*publish before releasing/);
    // Taken again from the pool it is a client like any other.
    const again = await t.host.connect();
    try {
      expect(again).toBe(client);
      await again.query('BEGIN');
      await app.publish(new ThingHappened('taken-again'), { transaction: again });
      await again.query('COMMIT');
    } finally {
      again.release();
    }
    await receiver.waitFor(1, 10_000);
    expect(ids()).toEqual(['taken-again']);
  });

  it('refuses a client whose transaction failed, and a client without getTransactionStatus() outside BEGIN', async () => {
    await inTransaction('ROLLBACK', async (client) => {
      await client.query('SELECT 1/0').catch(() => {});
      const error = await refusal(app.publish(new ThingHappened('aborted'), { transaction: client }));
      expect(error.code).toBe('HOOKWORK_ERR_INVALID_TRANSACTION');
      expect(error.message).toMatch(/ROLLBACK/);
    });
    // An older node-postgres (no getTransactionStatus): the LOCK TABLE probe finds no transaction.
    const client = await t.host.connect();
    try {
      const older = { query: client.query.bind(client) } as unknown as PostgresTransaction;
      const error = await refusal(app.publish(new ThingHappened('old-client'), { transaction: older }));
      expect(error.code).toBe('HOOKWORK_ERR_INVALID_TRANSACTION');
      // …and inside BEGIN the probe passes and the request commits with the host's transaction.
      await client.query('BEGIN');
      await app.publish(new ThingHappened('old-client-in-tx'), { transaction: older });
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await receiver.waitFor(1, 10_000);
    expect(ids()).toEqual(['old-client-in-tx']);
  });

  it('refuses what is not a pg client: a Pool, a plain object, a string', async () => {
    for (const transaction of [t.host, { begin: true }, 'BEGIN']) {
      const error = await refusal(app.publish(new ThingHappened('x'), { transaction: transaction as unknown as PostgresTransaction }));
      expect(error.code).toBe('HOOKWORK_ERR_INVALID_TRANSACTION');
    }
    expect((await refusal(app.publish(new ThingHappened('x'), { transaction: t.host as unknown as PostgresTransaction }))).message).toMatch(/Pool.*pool\.connect\(\)/);
    expect(await stored()).toBe(0);
  });

  it("refuses a library's transaction object whose query() answers the rows alone (pg-promise's t, TypeORM's QueryRunner) before storing anything, where publish() failed as 'aborted' and the COMMIT then sent it", async () => {
    // pg-promise's `t.query(…)` and TypeORM's `queryRunner.query(…)` run the statement and resolve to
    // the rows array; neither has getTransactionStatus(). (Checked against pg-promise 11's real `t`:
    // the same failure, and the webhook arrived after the callback returned and pg-promise committed.)
    const client = await t.host.connect();
    try {
      await client.query('BEGIN');
      const rowsOnly = { query: async (config: pg.QueryConfig) => (await client.query(config)).rows };
      const error = await refusal(app.publish(new ThingHappened('wrapped'), { transaction: rowsOnly as unknown as PostgresTransaction }));
      expect(error).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_TRANSACTION', message: expect.stringMatching(/does not answer as a node-postgres client's \(a result with rows; got an array \(the rows alone\).*pg-promise's t.*the `client` of `await db\.connect\(\)`/) });
      // Refused before the insert: the host's transaction goes on, and its commit stores nothing of hookwork's.
      expect(client.getTransactionStatus()).toBe('T');
      // One that reports a transaction status skips the probe: the insert is the first statement, refused as such, saying to roll back.
      const withStatus = { ...rowsOnly, getTransactionStatus: () => client.getTransactionStatus() };
      expect(await refusal(app.publish(new ThingHappened('wrapped-status'), { transaction: withStatus as unknown as PostgresTransaction }))).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_TRANSACTION', message: expect.stringMatching(/enqueueing 1 request\(s\) in the host transaction\), so hookwork cannot tell what it stored: ROLLBACK/) });
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await refusal(app.publish(new ThingHappened('wrapped'), { transaction: rowsOnly as unknown as PostgresTransaction }));
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect(await stored()).toBe(0);
    // Knex's trx is a function; Kysely's and Drizzle's transactions have no query() method.
    const knexTrx = Object.assign(async () => undefined, { isTransaction: true, commit: async () => undefined });
    const kyselyTrx = { isTransaction: true, selectFrom: () => undefined };
    for (const transaction of [knexTrx, kyselyTrx]) {
      const error = await refusal(app.publish(new ThingHappened('x'), { transaction: transaction as unknown as PostgresTransaction }));
      expect(error).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_TRANSACTION', message: expect.stringMatching(/Knex's trx.*Pass the node-postgres client itself/) });
    }
  });

  it('a publish not awaited before the ROLLBACK or COMMIT stores nothing outside the transaction and says so, where its insert ran after it, committed by itself and was sent', async () => {
    const client = await t.host.connect();
    try {
      for (const end of ['ROLLBACK', 'COMMIT']) {
        await client.query('BEGIN');
        // The host forgot the await (or ended the transaction when a statement beside the publish in
        // Promise.all failed), behind a statement still running: the publish reaches its insert before
        // the transaction ends, and its insert was queued behind the ROLLBACK or COMMIT.
        const running = client.query('SELECT pg_catalog.pg_sleep(0.5)');
        const published = app.publish(new ThingHappened(`not-awaited-${end}`), { transaction: client });
        const ended = client.query(end);
        await running;
        await ended;
        // Refused, nothing stored: said either way the check meets it (waiting behind the statements, or after them).
        expect(await refusal(published)).toMatchObject({
          code: 'HOOKWORK_ERR_INVALID_TRANSACTION',
          message: expect.stringMatching(/transaction ended \(a COMMIT or ROLLBACK ran on it\) while the publish waited .*nothing was stored.*Await publish\(\) before COMMIT or ROLLBACK|not in a transaction.*await publish\(\) before COMMIT or ROLLBACK/),
        });
        expect(await stored()).toBe(0);
      }
      // Publishes beside the transaction's other statements, all of them awaited before the COMMIT, still go in it.
      await client.query('BEGIN');
      await Promise.all([
        client.query('SELECT pg_catalog.pg_sleep(0.05)'),
        app.publish(new ThingHappened('beside-1'), { transaction: client }),
        client.query('SELECT 1'),
        app.publish(new ThingHappened('beside-2'), { transaction: client }),
      ]);
      expect(await stored()).toBe(0);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await receiver.waitFor(2, 10_000);
    await app.drain({ timeoutMs: 10_000 });
    expect(ids()).toEqual(['beside-1', 'beside-2']);
  });

  it('counts as ahead of the insert only statements still to run: not the ended query the native client keeps', () => {
    expect(statementsAhead({ _activeQuery: null, _queryQueue: [] })).toBe(false);
    // pg-native leaves its last query in _activeQuery once it ended, as its own _hasActiveQuery() knows.
    expect(statementsAhead({ _activeQuery: { state: 'end' }, _queryQueue: [] })).toBe(false);
    expect(statementsAhead({ _activeQuery: { state: 'error' }, _queryQueue: [] })).toBe(false);
    expect(statementsAhead({ _activeQuery: { state: 'running' }, _queryQueue: [] })).toBe(true);
    expect(statementsAhead({ _activeQuery: null, _queryQueue: [{}] })).toBe(true);
    expect(statementsAhead({ _activeQuery: null, _queryQueue: [], _sentQueryQueue: [{}] })).toBe(true);
    expect(statementsAhead({ _activeQuery: null, _queryQueue: [], _pipelineInFlight: true })).toBe(true);
  });

  it('refuses a client of another database, naming both, instead of storing the requests where no dispatcher looks', async () => {
    const url = new URL(db.url);
    url.pathname = '/postgres'; // the maintenance database every server has; nothing is created in it
    const other = new pg.Client({ connectionString: url.toString() });
    await other.connect();
    try {
      await other.query('BEGIN');
      const error = await refusal(app.publish(new ThingHappened('elsewhere'), { transaction: other }));
      expect(error.code).toBe('HOOKWORK_ERR_INVALID_TRANSACTION');
      expect(error.message).toMatch(/a pg client of the database "postgres", but this app's store is in "test".*Run the transaction on a client of "test"/);
      await other.query('ROLLBACK');
    } finally {
      await other.end();
    }
    expect(await stored()).toBe(0);
  });

  it('takes a client that logs in through a pooler\'s alias of the store\'s database, asking once per alias, and refuses an alias of another database', async () => {
    const server = new URL(db.url);
    const proxy = new AliasProxy({ cms: server.pathname.slice(1), elsewhere: 'postgres' }, server.hostname, Number(server.port || 5432));
    await proxy.start();
    const via = (alias: string) => {
      const url = new URL(db.url);
      url.port = String(proxy.port);
      url.pathname = `/${alias}`;
      return url.toString();
    };
    const aliased = new pg.Pool({ connectionString: via('cms'), max: 2 });
    const elsewhere = new pg.Client({ connectionString: via('elsewhere') });
    try {
      // Two connections of the alias, each in its own transaction: the first publish asks, the second does not.
      const [first, second] = await Promise.all([aliased.connect(), aliased.connect()]);
      const asked: unknown[] = [];
      for (const [client, id] of [[first, 'via-alias-1'], [second, 'via-alias-2']] as const) {
        const spy = jest.spyOn(client, 'query');
        try {
          await client.query('BEGIN');
          await app.publish(new ThingHappened(id), { transaction: client });
          await client.query('COMMIT');
        } finally {
          asked.push(...spy.mock.calls.map((call) => call[0]).filter((query) => /current_database/.test(JSON.stringify(query))));
          spy.mockRestore();
          client.release();
        }
      }
      expect(asked).toHaveLength(1);
      await receiver.waitFor(2, 10_000);
      expect(ids()).toEqual(['via-alias-1', 'via-alias-2']);
      await app.drain({ timeoutMs: 10_000 });

      // An alias of another database is still refused, naming the database behind it.
      await elsewhere.connect();
      await elsewhere.query('BEGIN');
      const error = await refusal(app.publish(new ThingHappened('via-other-alias'), { transaction: elsewhere }));
      expect(error.code).toBe('HOOKWORK_ERR_INVALID_TRANSACTION');
      expect(error.message).toMatch(/a pg client of the database "postgres" \(logged in as "elsewhere"\), but this app's store is in "test"/);
      await elsewhere.query('ROLLBACK');
    } finally {
      await elsewhere.end();
      await aliased.end();
      await proxy.close();
    }
    expect(await stored()).toBe(0);
  });

  it('refuses a client never connected, or still connecting, at once instead of waiting for ever behind its connect', async () => {
    // Bounded here: before the refusal, the publish waited for ever (and stop() behind it). Each
    // refusal is held to this bound alone; the test's own connect and end are not timed.
    const within = (promise: Promise<unknown>) => Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error('still waiting after 2 s')), 2000).unref())]);
    const never = new pg.Client({ connectionString: db.url });
    const error = await refusal(within(app.publish(new ThingHappened('never-connected'), { transaction: never })));
    expect(error).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_TRANSACTION', message: expect.stringMatching(/never connected .*await client\.connect\(\)/) });
    const connecting = new pg.Client({ connectionString: db.url });
    const connected = connecting.connect();
    try {
      const refused = await refusal(within(app.publish(new ThingHappened('connecting'), { transaction: connecting })));
      expect(refused).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_TRANSACTION', message: expect.stringMatching(/still connecting.*await client\.connect\(\), then await client\.query\('BEGIN'\)/) });
    } finally {
      await connected;
      await connecting.end();
    }
    expect(await stored()).toBe(0);
  });

  it('a host transaction whose role lacks a grant is told the GRANT for that role, and the documented grants are enough', async () => {
    const role = `${t.schema}_cms`;
    await db.query(`CREATE ROLE ${role} LOGIN`);
    const url = new URL(db.url);
    url.username = role;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      // Each refusal names the host's role (not hookwork's, postgres); its GRANT is run, and the next is met.
      for (const [denied, grant] of [
        [/permission denied for schema/, `GRANT USAGE ON SCHEMA ${t.schema} TO ${role}`],
        [/permission denied for table requests/, `GRANT INSERT, SELECT (id, state) ON ${t.schema}.requests TO ${role}`],
        [/permission denied for sequence requests_seq_seq/, `GRANT USAGE ON SEQUENCE ${t.schema}.requests_seq_seq TO ${role}`],
      ] as const) {
        await client.query('BEGIN');
        const error = await refusal(app.publish(new ThingHappened('denied'), { transaction: client }));
        expect(error.code).toBe('HOOKWORK_ERR_ENQUEUE_FAILED');
        expect(error.message).toMatch(denied);
        expect(error.message).toContain(`the outbox insert ran in your transaction, as its client's role: ${grant}`);
        expect(error.message).not.toMatch(/TO postgres/);
        await client.query('ROLLBACK');
        if (!/sequence/.test(String(denied))) {
          // An older client (no getTransactionStatus) is probed with LOCK TABLE first: refused the same way, naming the same GRANT.
          await client.query('BEGIN');
          const older = { query: client.query.bind(client), connectionParameters: (client as unknown as { connectionParameters: unknown }).connectionParameters } as unknown as PostgresTransaction;
          const probed = await refusal(app.publish(new ThingHappened('denied-old-client'), { transaction: older }));
          expect(probed.code).toBe('HOOKWORK_ERR_ENQUEUE_FAILED');
          expect(probed.message).toContain(`as its client's role: ${grant}`);
          await client.query('ROLLBACK');
        }
        await db.query(grant);
      }
      await client.query('BEGIN');
      await app.publish(new ThingHappened('granted'), { transaction: client });
      await client.query('COMMIT');
      await receiver.waitFor(1, 10_000);
      expect(ids()).toEqual(['granted']);
      // A publish with an idempotencyKey also reads the delivery log's request ids and the
      // queue's ids, and says so. A role granted before the queue's ids were read (SELECT (state)
      // only, as an earlier release's docs said) is told the one GRANT it lacks at each refusal.
      await db.query(`REVOKE SELECT (id) ON ${t.schema}.requests FROM ${role}`);
      const keyedGrants = [`GRANT SELECT (request_id) ON ${t.schema}.delivery_log TO ${role}`, `GRANT INSERT, SELECT (id, state) ON ${t.schema}.requests TO ${role}`];
      const named: string[] = [];
      for (let refused = 0; refused < keyedGrants.length; refused++) {
        await client.query('BEGIN');
        const keyed = await refusal(app.publish(new ThingHappened('keyed'), { transaction: client, idempotencyKey: 'order-1' }));
        await client.query('ROLLBACK');
        expect(keyed.code).toBe('HOOKWORK_ERR_ENQUEUE_FAILED');
        const grant = keyedGrants.find((g) => keyed.message.includes(`the outbox insert ran in your transaction, as its client's role: ${g}`));
        expect(grant).toBeDefined();
        expect(named).not.toContain(grant);
        named.push(grant!);
        await db.query(grant!);
      }
      await client.query('BEGIN');
      await app.publish(new ThingHappened('keyed'), { transaction: client, idempotencyKey: 'order-1' });
      await client.query('COMMIT');
      await receiver.waitFor(2, 10_000);
      expect(ids()).toEqual(['granted', 'keyed']);
    } finally {
      await client.end();
      await db.query(`DROP OWNED BY ${role}`);
      await db.query(`DROP ROLE ${role}`);
    }
  });

  it('refuses a closed client as closed, not as "not in a transaction" nor as an outage that heals by itself', async () => {
    // Closed after its COMMIT, and closed with its transaction open (PostgreSQL rolled that back).
    for (const closeInside of [false, true]) {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      await client.query('BEGIN');
      if (!closeInside) await client.query('COMMIT');
      await client.end();
      const error = await refusal(app.publish(new ThingHappened('closed'), { transaction: client }));
      expect(error.code).toBe('HOOKWORK_ERR_INVALID_TRANSACTION');
      expect(error.message).toMatch(/a pg client that is closed .*publish on an open client, in a new transaction/);
      expect(error.message).not.toMatch(/reconnects by itself/);
    }
    expect(await stored()).toBe(0);
  });

  it.each([
    ['publishing is disabled (enabled: false)', (): void => void app.updateSettings({ enabled: false })],
    ['no webhook is subscribed', async (): Promise<void> => {
      for (const webhook of (await app.webhooks.list()).items) await app.webhooks.delete(webhook.key);
    }],
  ] as const)('refuses a wrong transaction with the same coded error when %s, not silently', async (_when, gate) => {
    // It used to be checked only when a request was enqueued: the host learnt of its mistake only
    // once publishing was enabled (or a webhook subscribed), after shipping code that never worked.
    await gate();
    const idle = await t.host.connect();
    const closed = new pg.Client({ connectionString: db.url });
    await closed.connect();
    await closed.end();
    const url = new URL(db.url);
    url.pathname = '/postgres';
    const other = new pg.Client({ connectionString: url.toString() });
    await other.connect();
    await other.query('BEGIN');
    try {
      for (const [transaction, message] of [
        [idle, /not in a transaction.*BEGIN/],
        [closed, /a pg client that is closed/],
        [other, /a pg client of the database "postgres"/],
        [t.host, /Pool.*pool\.connect\(\)/],
        [{ prepare() {} }, /takes a node-postgres client/],
      ] as const) {
        const error = await refusal(app.publish(new ThingHappened('gated'), { transaction: transaction as unknown as PostgresTransaction }));
        expect(error).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_TRANSACTION', message: expect.stringMatching(message) });
      }
      // A right one is still taken, and (nothing firing) stores nothing.
      await inTransaction('COMMIT', async (client) => {
        await expect(app.publish(new ThingHappened('gated'), { transaction: client })).resolves.toEqual({ events: 1, failures: [], enqueued: 0, alreadyEnqueued: 0 });
      });
    } finally {
      idle.release();
      await other.end();
    }
    expect(await stored()).toBe(0);
  });

  it('refuses a read-only host transaction as the host\'s, not as a standby server to move away from', async () => {
    await inTransaction('ROLLBACK', async (client) => {
      await client.query('SET TRANSACTION READ ONLY');
      const error = await refusal(app.publish(new ThingHappened('read-only'), { transaction: client }));
      expect(error.code).toBe('HOOKWORK_ERR_INVALID_TRANSACTION');
      expect(error.message).toMatch(/transaction is read-only .*ROLLBACK it, and publish in a read-write transaction/);
    });
    // An older client (no getTransactionStatus) is refused the same way by the LOCK TABLE probe.
    await inTransaction('ROLLBACK', async (client) => {
      await client.query('SET TRANSACTION READ ONLY');
      const older = { query: client.query.bind(client) } as unknown as PostgresTransaction;
      const error = await refusal(app.publish(new ThingHappened('read-only-old'), { transaction: older }));
      expect(error.code).toBe('HOOKWORK_ERR_INVALID_TRANSACTION');
      expect(error.message).toMatch(/transaction is read-only/);
    });
    expect(await stored()).toBe(0);
  });

  it.each(['enqueue', 'all'] as const)('on the host\'s own pool (synchronousCommit %s), a publish in a transaction holding its every connection does not wait for one more', async (synchronousCommit) => {
    // One connection, and a deadline instead of pg's default of waiting for ever: the webhooks'
    // lookup (not in memory yet) must not need a second connection of this pool.
    const small = new pg.Pool({ connectionString: db.url, max: 1, connectionTimeoutMillis: 3000 });
    const onSmall = createHookwork({ composers: [thingComposer], settings, storage: postgresStorage({ pool: small, schema: db.schema(), synchronousCommit }) });
    try {
      await onSmall.start();
      await onSmall.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      const client = await small.connect();
      try {
        await client.query('BEGIN');
        await onSmall.publish(new ThingHappened(`own-pool-${synchronousCommit}`), { transaction: client });
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      await receiver.waitFor(1, 10_000);
      expect(ids()).toEqual([`own-pool-${synchronousCommit}`]);
    } finally {
      await onSmall.stop();
      await small.end();
    }
  });

  it('refuses a client with a cursor or a stream open on it, instead of waiting behind it for ever', async () => {
    // node-postgres runs one query at a time: the enqueue queued behind an open cursor waited
    // until the host closed it — never, when the host awaited publish() inside its read loop.
    await inTransaction('COMMIT', async (client) => {
      const cursor = client.query(new Cursor('SELECT generate_series(1, 10) AS n'));
      expect(await cursor.read(2)).toHaveLength(2);
      const error = await refusal(app.publish(new ThingHappened('in-cursor'), { transaction: client }));
      expect(error.code).toBe('HOOKWORK_ERR_INVALID_TRANSACTION');
      expect(error.message).toMatch(/a cursor or a stream still open on it .*close it \(await cursor\.close\(\)/);
      await cursor.close();

      const seen: string[] = [];
      for await (const row of client.query(new QueryStream('SELECT generate_series(1, 500) AS n'))) {
        seen.push(String((row as { n: number }).n));
        const streaming = await refusal(app.publish(new ThingHappened('in-stream'), { transaction: client }));
        expect(streaming.code).toBe('HOOKWORK_ERR_INVALID_TRANSACTION');
        break; // ends the stream, which closes its cursor
      }
      expect(seen).toEqual(['1']);
      // Closed, the same transaction takes the publish.
      await app.publish(new ThingHappened('after-cursor'), { transaction: client });
    });
    await receiver.waitFor(1, 10_000);
    await app.drain({ timeoutMs: 10_000 });
    expect(ids()).toEqual(['after-cursor']);
  });

  it('a host transaction whose connection is lost during the publish fails saying to run it again, not that it heals by itself', async () => {
    const client = await t.host.connect();
    client.on('error', () => {}); // the lost connection is reported on the client too
    const locker = await t.host.connect();
    let lost: unknown;
    try {
      await client.query('BEGIN');
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      // The enqueue waits for a lock, so the connection is certainly lost while it runs.
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${t.schema}".requests IN ACCESS EXCLUSIVE MODE`);
      const publishing = refusal(app.publish(new ThingHappened('lost-connection'), { transaction: client }));
      const waiting = async () => (await db.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`, [pid])).rowCount === 1;
      for (let tries = 0; !(await waiting()); tries++) {
        if (tries > 400) throw new Error('the enqueue never waited for the lock');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await db.query('SELECT pg_terminate_backend($1)', [pid]);
      const error = await publishing;
      expect(error.code).toBe('HOOKWORK_ERR_ENQUEUE_FAILED');
      expect(error.message).toMatch(/connection of the host transaction was lost .*rolled that transaction back.*run the whole transaction again on a new client/);
      // hookwork's own pools reconnect; the host's transaction does not come back.
      expect(error.message).not.toMatch(/reconnects by itself/);
      lost = error;
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
      client.release(lost instanceof Error ? lost : undefined);
    }
    expect(await stored()).toBe(0);
  });

  it('two transactions publishing two keys in opposite orders: the one PostgreSQL aborts is told it deadlocked on the same requests and to run again, and running it again stores nothing twice', async () => {
    const first = await t.host.connect();
    const second = await t.host.connect();
    try {
      await first.query('BEGIN');
      await second.query('BEGIN');
      await app.publish(new ThingHappened('order-1'), { transaction: first, idempotencyKey: 'order-1' });
      await app.publish(new ThingHappened('order-2'), { transaction: second, idempotencyKey: 'order-2' });
      // Each now waits for the other's row: a deadlock, which PostgreSQL ends by aborting one.
      const outcomes = await Promise.allSettled([
        app.publish(new ThingHappened('order-2'), { transaction: first, idempotencyKey: 'order-2' }),
        app.publish(new ThingHappened('order-1'), { transaction: second, idempotencyKey: 'order-1' }),
      ]);
      const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(failed).toHaveLength(1);
      const error = failed[0]!.reason as { code?: string; message: string };
      expect(isHookworkError(error)).toBe(true);
      expect(error.code).toBe('HOOKWORK_ERR_ENQUEUE_FAILED');
      expect(error.message).toMatch(/deadlocked with another transaction and aborted it \(both stored some of the same requests/);
      expect(error.message).toMatch(/roll it back and run it again/);
      const [aborted, committed] = outcomes[0]!.status === 'rejected' ? [first, second] : [second, first];
      await aborted.query('ROLLBACK');
      await committed.query('COMMIT');
      // The aborted one run again: what the other committed is skipped, its own key's request stored.
      await inTransaction('COMMIT', async (client) => {
        await app.publish(new ThingHappened(aborted === first ? 'order-1' : 'order-2'), { transaction: client, idempotencyKey: aborted === first ? 'order-1' : 'order-2' });
        await app.publish(new ThingHappened(aborted === first ? 'order-2' : 'order-1'), { transaction: client, idempotencyKey: aborted === first ? 'order-2' : 'order-1' });
      });
    } finally {
      await first.query('ROLLBACK').catch(() => {});
      await second.query('ROLLBACK').catch(() => {});
      first.release();
      second.release();
    }
    await app.drain({ timeoutMs: 10_000 });
    expect(ids()).toEqual(['order-1', 'order-2']);
    expect(await stored()).toBe(0);
  });

  it('a failed enqueue inside the host transaction fails publish(), and the host rolls back', async () => {
    const client = await t.host.connect();
    try {
      await client.query('BEGIN');
      // The store's table is gone: the enqueue fails inside the host's transaction.
      await db.query(`ALTER TABLE "${t.schema}".requests RENAME TO requests_gone`);
      const error = await refusal(app.publish(new ThingHappened('lost'), { transaction: client }));
      expect(error.code).toBe('HOOKWORK_ERR_ENQUEUE_FAILED');
      // The host's transaction is aborted: it can only roll back.
      await expect(client.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
      await client.query('ROLLBACK');
    } finally {
      client.release();
      await db.query(`ALTER TABLE "${t.schema}".requests_gone RENAME TO requests`);
    }
    expect(await stored()).toBe(0);
  });

  it('hookwork\'s own connection killed while publish looks the webhooks up fails with HOOKWORK_ERR_ENQUEUE_FAILED, the store\'s error as cause, and heals', async () => {
    const locker = await t.host.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${t.schema}".webhooks IN ACCESS EXCLUSIVE MODE`);
      const publishing = refusal(app.publish(new ThingHappened('lookup-killed')));
      let pid: number | undefined;
      for (let tries = 0; pid === undefined; tries++) {
        if (tries > 400) throw new Error('the lookup never waited for the lock');
        await new Promise((resolve) => setTimeout(resolve, 25));
        pid = (await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`, [`%"${t.schema}".webhooks WHERE events%`])).rows[0]?.pid;
      }
      await db.query('SELECT pg_terminate_backend($1)', [pid]);
      const error = await publishing;
      expect(error.code).toBe('HOOKWORK_ERR_ENQUEUE_FAILED');
      expect(error.message).toMatch(/nothing was enqueued for thing\.happened: the store failed .*looking up webhooks of thing\.happened/);
      expect((error as { cause?: unknown }).cause).toMatchObject({ code: 'HOOKWORK_ERR_STORAGE' });
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
    }
    expect(await stored()).toBe(0);
    await app.publish(new ThingHappened('after'));
    await receiver.waitFor(1, 10_000);
    expect(ids()).toEqual(['after']);
  });
});
