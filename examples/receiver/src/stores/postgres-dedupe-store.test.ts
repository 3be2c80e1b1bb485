import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { Pool } from 'pg';
import { createNodeHandler, createReceiver, type DedupeStore } from '@hookwork/receiver';
import { describeDedupeStoreContract } from '@hookwork/receiver/testing';
import { dedupeTableDdl, postgresDedupeStore } from './postgres-dedupe-store';

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
