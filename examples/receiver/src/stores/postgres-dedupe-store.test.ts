import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import { createNodeHandler, createReceiver, ReceiverError, type DedupeStore } from '@hookwork/receiver';
import { describeDedupeStoreContract } from '@hookwork/receiver/testing';
import { dedupeTableDdl, postgresDedupeStore } from './postgres-dedupe-store';
import { signedSender } from './test-support/send-signed';
import { waitFor } from './test-support/wait-for';

// Against the real PostgreSQL at 127.0.0.1:5432 (database test): a schema of this file's own,
// dropped at the end.
const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `receiver_dedupe_${process.pid}_${Date.now()}`;
const pool = new Pool({ connectionString, max: 4 });
// A second worker's pool on the same database: claims are raced across the two.
const otherPool = new Pool({ connectionString, max: 4 });
let sequence = 0;

beforeAll(() => pool.query(`CREATE SCHEMA ${schema}`));
afterAll(async () => {
  await pool.query(`DROP SCHEMA ${schema} CASCADE`);
  await Promise.all([pool.end(), otherPool.end()]);
});

describeDedupeStoreContract('postgres', async () => {
  const table = `${schema}.receipts_${++sequence}`;
  await pool.query(dedupeTableDdl(table));
  return { store: postgresDedupeStore(pool, table), sibling: postgresDedupeStore(otherPool, table) };
}, { shared: true });

describe('postgresDedupeStore.purgeExpired', () => {
  it('deletes the rows whose lease or retention ran out, and only those', async () => {
    const table = `${schema}.purge`;
    await pool.query(dedupeTableDdl(table));
    const store = postgresDedupeStore(pool, table);
    await store.claim('expiring', 1);
    await store.claim('held', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await store.purgeExpired()).toBe(1);
    expect((await pool.query(`SELECT id FROM ${table}`)).rows).toEqual([{ id: 'held' }]);
  });
});

describe('postgresDedupeStore behind a receiver, over real HTTP', () => {
  const servers: Server[] = [];
  const pools: Pool[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
    await Promise.all(pools.splice(0).map((down) => down.end()));
  });

  /** Serves a receiver on the store, posts one signed request, and gives the answer and the codes onError was told. */
  async function deliver(store: DedupeStore): Promise<{ response: Response; errors: string[]; handled: number }> {
    const key = randomBytes(24);
    const errors: string[] = [];
    let handled = 0;
    const receiver = createReceiver({ secrets: `whsec_${key.toString('base64')}`, handle: () => void handled++, dedupe: { store }, onError: (error) => void errors.push((error as { code?: string }).code ?? '') });
    const server = createServer(createNodeHandler(receiver));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const id = `msg_pg_${process.pid}_${++sequence}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const body = '{"id":"doc-1"}';
    const signature = `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
      method: 'POST',
      headers: { 'hookwork-event': 'Umbraco.ContentPublish', 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature },
      body,
    });
    return { response, errors, handled };
  }

  it('answers 503 with Retry-After when PostgreSQL is down (its port refuses connections), so the sender backs off', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const down = new Pool({ host: '127.0.0.1', port, user: 'postgres', database: 'test' });
    pools.push(down);
    const { response, errors, handled } = await deliver(postgresDedupeStore(down, `${schema}.never_reached`));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toMatchObject({ outcome: 'failed', error: { code: 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE' } });
    expect(errors).toEqual(['RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE']);
    expect(handled).toBe(0);
  });

  it('answers 503 with Retry-After within connectionTimeoutMillis when PostgreSQL accepts connections and never answers (hung, or behind a firewall that drops packets)', async () => {
    // A server that takes the TCP connection and says nothing, as a hung database does.
    const sockets: Socket[] = [];
    const silent = createNetServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const hung = new Pool({ host: '127.0.0.1', port: (silent.address() as AddressInfo).port, user: 'postgres', database: 'test', connectionTimeoutMillis: 300 });
      pools.push(hung);
      const { response, errors, handled } = await deliver(postgresDedupeStore(hung, `${schema}.never_reached`));
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(await response.json()).toMatchObject({ outcome: 'failed', error: { code: 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE' } });
      expect(errors).toEqual(['RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE']);
      expect(handled).toBe(0);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('answers 500 RECEIVER_ERR_DEDUPE_STORE, without Retry-After, when the store is wrong rather than down (its table was never created)', async () => {
    const { response, errors, handled } = await deliver(postgresDedupeStore(pool, `${schema}.no_such_table`));
    expect(response.status).toBe(500);
    expect(response.headers.get('retry-after')).toBeNull();
    expect(await response.json()).toMatchObject({ outcome: 'failed', error: { code: 'RECEIVER_ERR_DEDUPE_STORE' } });
    expect(errors).toEqual(['RECEIVER_ERR_DEDUPE_STORE']);
    expect(handled).toBe(0);
  });
});

describe('postgresDedupeStore blocked by a row lock another transaction holds, or cut off by pg_terminate_backend', () => {
  const servers: Server[] = [];
  const pools: Pool[] = [];
  const lockers: PoolClient[] = [];
  afterEach(async () => {
    for (const locker of lockers.splice(0)) {
      await locker.query('ROLLBACK').catch(() => {});
      locker.release();
    }
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve)))));
    await Promise.all(pools.splice(0).map((done) => done.end()));
  });

  /** A receiver on a fresh table through its own pool (named, so its sessions can be found), and `send(id)`, which posts a freshly signed request. */
  async function serveOn(options: { timeoutMs?: number; poolOptions?: PoolConfig; handle?: () => Promise<void> } = {}) {
    const table = `${schema}.blocked_${++sequence}`;
    await pool.query(dedupeTableDdl(table));
    const applicationName = `receiver_test_${process.pid}_${sequence}`;
    const storePool = new Pool({ connectionString, max: 2, application_name: applicationName, ...options.poolOptions });
    pools.push(storePool);
    const key = randomBytes(24);
    const handled: string[] = [];
    const told: { code: string; message: string }[] = [];
    const receiver = createReceiver({
      secrets: `whsec_${key.toString('base64')}`,
      retryAfterSeconds: 1,
      // A session ended by pg_terminate_backend while idle: the pool replaces it (the store's onError is told; not these tests' subject).
      dedupe: { store: postgresDedupeStore(storePool, table, { onError: () => {} }), ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) },
      handle: async ({ id }) => {
        await options.handle?.();
        handled.push(id);
      },
      onError: (error) => void told.push({ code: (error as { code?: string }).code ?? '', message: (error as Error).message }),
    });
    const server = createServer(createNodeHandler(receiver));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const send = signedSender(url, key);
    /** Locks the row of `id` (an expired claim, which the next claim would take over) in a transaction of a second connection, until the test's end. */
    const lockRow = async (id: string, insert = true) => {
      if (insert) await pool.query(`INSERT INTO ${table} (id, state, token, expires_at) VALUES ($1, 'processing', gen_random_uuid(), now() - interval '1 minute')`, [id]);
      const locker = await otherPool.connect();
      lockers.push(locker);
      await locker.query('BEGIN');
      await locker.query(`SELECT 1 FROM ${table} WHERE id = $1 FOR UPDATE`, [id]);
      return async () => {
        lockers.splice(lockers.indexOf(locker), 1);
        await locker.query('ROLLBACK');
        locker.release();
      };
    };
    return { send, handled, told, lockRow, table, applicationName };
  }

  it('answers the claim 503 with Retry-After after dedupe.timeoutMs, never handles that request, and releases the claim PostgreSQL grants once the lock goes, so the retry is processed', async () => {
    const { send, handled, told, lockRow, table } = await serveOn({ timeoutMs: 300 });
    const id = `msg_locked_${process.pid}`;
    const unlock = await lockRow(id);
    // Before: the request waited for the lock's holder, however long — past any sender's timeout.
    expect(await send(id)).toEqual({ status: 503, retryAfter: '1', body: { outcome: 'failed', id, error: { code: 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE' } } });
    expect(told).toEqual([{ code: 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE', message: expect.stringContaining('did not answer within 300 ms (dedupe.timeoutMs)') }]);
    await unlock();
    // The waiting INSERT … ON CONFLICT now takes the expired row over: a claim the receiver no
    // longer wants. Kept, it would answer the retries 503 in-progress for the 5-minute lease.
    await waitFor('the late claim released', async () => ((await pool.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id])).rowCount === 0 ? true : undefined));
    expect(await send(id)).toEqual({ status: 200, retryAfter: null, body: { outcome: 'processed', id } });
    expect(handled).toEqual([id]);
  });

  it('answers 200 after dedupe.timeoutMs when marking the id done waits on a lock (the handler ran), tells onError, and the id ends done', async () => {
    let unlock: (() => Promise<void>) | undefined;
    const id = `msg_locked_done_${process.pid}`;
    // The handler runs with the claim made: another transaction locks its row, so complete() waits.
    const served = await serveOn({ timeoutMs: 300, handle: async () => void (unlock = await served.lockRow(id, false)) });
    const { send, handled, told, table } = served;
    expect(await send(id)).toEqual({ status: 200, retryAfter: null, body: { outcome: 'processed', id } });
    expect(told).toEqual([{ code: 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE', message: expect.stringContaining('did not mark it done within 300 ms (dedupe.timeoutMs)') }]);
    await unlock!();
    await waitFor('the late complete', async () => ((await pool.query<{ state: string }>(`SELECT state FROM ${table} WHERE id = $1`, [id])).rows[0]?.state === 'done' ? true : undefined));
    expect(await send(id)).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
    expect(handled).toEqual([id]);
  });

  it("answers 503 with Retry-After when PostgreSQL's lock_timeout ends the wait (SQLSTATE 55P03, lock_not_available)", async () => {
    const { send, handled, told, lockRow } = await serveOn({ poolOptions: { options: '-c lock_timeout=100' } });
    const id = `msg_lock_timeout_${process.pid}`;
    await lockRow(id);
    // Before: 500 RECEIVER_ERR_DEDUPE_STORE, as if the store were broken.
    expect(await send(id)).toEqual({ status: 503, retryAfter: '1', body: { outcome: 'failed', id, error: { code: 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE' } } });
    expect(told).toEqual([{ code: 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE', message: expect.stringContaining('canceling statement due to lock timeout') }]);
    expect(handled).toEqual([]);
  });

  it('answers 503 with Retry-After when the claim\'s session is ended by pg_terminate_backend (SQLSTATE 57P01), and processes the retry on a new session', async () => {
    const { send, handled, told, lockRow, applicationName } = await serveOn();
    const id = `msg_terminated_${process.pid}`;
    const unlock = await lockRow(id);
    const answer = send(id);
    // The claim waits on the lock; its session is this pool's, found by its application_name.
    const [{ pid }] = await waitFor('the claim waiting on the lock', async () => {
      const { rows } = await pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [applicationName]);
      return rows.length > 0 ? rows : undefined;
    });
    await pool.query('SELECT pg_terminate_backend($1)', [pid]);
    expect(await answer).toEqual({ status: 503, retryAfter: '1', body: { outcome: 'failed', id, error: { code: 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE' } } });
    expect(told).toEqual([{ code: 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE', message: expect.stringContaining('terminating connection due to administrator command') }]);
    await unlock();
    expect(await send(id)).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    expect(handled).toEqual([id]);
  });
});

describe('postgresDedupeStore when the server ends an idle connection of its pool (pg_terminate_backend)', () => {
  it('reports it through options.onError as RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE instead of ending the process, and the next claim works', async () => {
    const table = `${schema}.idle_${++sequence}`;
    await pool.query(dedupeTableDdl(table));
    const applicationName = `receiver_idle_${process.pid}_${sequence}`;
    // No listener of the test's own: the store's is the only one.
    const storePool = new Pool({ connectionString, max: 1, application_name: applicationName });
    const told: ReceiverError[] = [];
    try {
      const store = postgresDedupeStore(storePool, table, { onError: (error) => void told.push(error) });
      expect(await store.claim('before', 60_000)).toMatchObject({ status: 'claimed' });
      // The pool's one connection is idle now; end it from another session, as a DBA or a failover would.
      const ended = await pool.query<{ ended: boolean }>('SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
      expect(ended.rows).toEqual([{ ended: true }]);
      await waitFor('the idle error reported', async () => (told.length > 0 ? true : undefined));
      expect(told).toHaveLength(1);
      expect(told[0]).toBeInstanceOf(ReceiverError);
      expect(told[0].code).toBe('RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE');
      expect(told[0].message).toMatch(/lost an idle connection \(.*terminat.*\); the pool opens another for the next request/);
      expect(await store.claim('after', 60_000)).toMatchObject({ status: 'claimed' });
    } finally {
      await storePool.end();
    }
  });
});
