import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { hookworkAdmin } from '@hookwork/admin';
import { cmsComposer } from '@hookwork/cms';
import { createHookwork, silentLogger, type Hookwork } from '@hookwork/core';
import { postgresStorage } from '@hookwork/postgres';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import pg from 'pg';

/**
 * The admin API's If-Match with the host run as two processes behind a load balancer: two apps,
 * each with its own admin server, on one PostgreSQL schema (this file's own, dropped after). An
 * editor's save reaching one server and a colleague's reaching the other, both made over the
 * state they read, must not both be made.
 */
const PG_URL = process.env.HOOKWORK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `hwt_adminif_${process.pid}_${randomBytes(3).toString('hex')}`;
const TOKEN = 'test-token-0123456789abcdef';
const url = '/admin/api/v1/webhook/shared';

let servers: { app: Hookwork; fastify: FastifyInstance }[];

beforeAll(async () => {
  servers = [];
  // A save waits on the held row while the test holds it: past connectTimeoutMs the store checks on
  // a new connection that the server answers, which a machine busy with other test files can make
  // take longer than the default 5 s (and the waiting save is then dropped).
  for (let i = 0; i < 2; i++) {
    const app = createHookwork({ composers: [cmsComposer()], logger: silentLogger, storage: postgresStorage({ connectionString: PG_URL, schema, connectTimeoutMs: 60_000 }) });
    await app.start();
    const fastify = Fastify({ logger: false });
    await fastify.register(hookworkAdmin, { prefix: '/admin', app, auth: { token: TOKEN }, page: false, apiReference: false });
    servers.push({ app, fastify });
  }
});

afterAll(async () => {
  for (const { app, fastify } of servers) {
    await fastify.close();
    await app.stop();
  }
  const db = new pg.Client({ connectionString: PG_URL });
  await db.connect();
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await db.end();
});

beforeEach(async () => {
  await servers[0]!.app.webhooks.delete('shared');
  await servers[0]!.app.webhooks.create({ key: 'shared', name: 'Orders', url: 'https://example.com/hooks', events: ['Umbraco.ContentPublish'] });
});

const call = (server: number, method: 'GET' | 'PATCH' | 'DELETE', headers: Record<string, string> = {}, body?: object) =>
  servers[server]!.fastify.inject({ method, url, headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers }, ...(body ? { payload: JSON.stringify(body) } : {}) });

/**
 * The webhook's row held locked by another connection, as a slow writer would hold it: reads go
 * on, writes of it wait. `behind(n)` resolves once n statements wait for it, directly or queued
 * behind one another (pg_blocking_pids), so each save has read the webhook before any writes.
 * Watched on a second connection (as @hookwork/postgres's own HeldRow does): PostgreSQL keeps one
 * snapshot of pg_stat_activity for a transaction, so from the holding one a save sent on a
 * connection opened after the first look was never seen waiting.
 */
async function holdRow(): Promise<{ behind(count: number): Promise<void>; release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: PG_URL });
  const watcher = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await watcher.connect();
  await client.query('BEGIN');
  await client.query(`SELECT 1 FROM "${schema}".webhooks WHERE key = 'shared' FOR UPDATE`);
  const holder = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  return {
    async behind(count) {
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
        const { rows } = await watcher.query<{ pid: number; blockers: number[] }>(
          'SELECT pid, pg_blocking_pids(pid) AS blockers FROM pg_stat_activity WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0',
        );
        const waiting = new Set<number>();
        for (let grown = true; grown; ) {
          grown = false;
          for (const row of rows) {
            if (waiting.has(row.pid) || !row.blockers.some((pid) => pid === holder || waiting.has(pid))) continue;
            waiting.add(row.pid);
            grown = true;
          }
        }
        if (waiting.size >= count) return;
      }
      throw new Error(`fewer than ${count} writes came to wait for the held webhook row in 20 s`);
    },
    async release() {
      try {
        await client.query('COMMIT');
      } finally {
        await Promise.all([client.end(), watcher.end()]);
      }
    },
  };
}

/** Sends `first`, waits until it waits on the held row, sends `second`, waits again, then lets both go. */
async function race(first: () => Promise<LightMyRequestResponse>, second: () => Promise<LightMyRequestResponse>): Promise<[LightMyRequestResponse, LightMyRequestResponse]> {
  const held = await holdRow();
  const sent: Promise<LightMyRequestResponse>[] = [];
  try {
    sent.push(first());
    await held.behind(1);
    sent.push(second());
    // The second answered before it waits can only be a failure of its own: the assertions say which.
    await Promise.race([held.behind(2), sent[1]]);
  } finally {
    await held.release();
  }
  return (await Promise.all(sent)) as [LightMyRequestResponse, LightMyRequestResponse];
}

describe('If-Match through two admin servers in two processes on one PostgreSQL schema', () => {
  it('makes the first of two saves made over the same ETag and answers the second 412 with the current ETag, its change not made', async () => {
    const [readA, readB] = await Promise.all([call(0, 'GET'), call(1, 'GET')]);
    expect(readB.headers.etag).toBe(readA.headers.etag);
    const [renamed, disabled] = await race(
      () => call(0, 'PATCH', { 'if-match': readA.headers.etag as string }, { name: 'Renamed through A' }),
      () => call(1, 'PATCH', { 'if-match': readB.headers.etag as string }, { enabled: false }),
    );
    expect([renamed.statusCode, disabled.statusCode, disabled.json().code]).toEqual([200, 412, 'HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED']);
    expect(disabled.headers.etag).toBe(renamed.headers.etag);
    const stored = await call(1, 'GET');
    expect([stored.json().name, stored.json().enabled, stored.headers.etag]).toEqual(['Renamed through A', true, renamed.headers.etag]);
  }, 60_000);

  it('answers a read with If-None-Match of the tag the other server gave 304, and 200 with the new tag once the other server changed it', async () => {
    const tag = (await call(0, 'GET')).headers.etag as string;
    const unchanged = await call(1, 'GET', { 'if-none-match': tag });
    expect([unchanged.statusCode, unchanged.body, unchanged.headers.etag]).toEqual([304, '', tag]);
    const changed = await call(0, 'PATCH', {}, { name: 'Renamed through A' });
    const read = await call(1, 'GET', { 'if-none-match': tag });
    expect([read.statusCode, read.json().name, read.headers.etag]).toEqual([200, 'Renamed through A', changed.headers.etag]);
    const stale = await call(1, 'GET', { 'if-match': tag });
    expect([stale.statusCode, stale.json().code, stale.headers.etag]).toEqual([412, 'HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED', changed.headers.etag]);
  }, 60_000);

  it('does not delete a webhook over a save made since its ETag was read', async () => {
    const tag = (await call(0, 'GET')).headers.etag as string;
    const [saved, deleted] = await race(
      () => call(1, 'PATCH', { 'if-match': tag }, { name: 'Kept' }),
      () => call(0, 'DELETE', { 'if-match': tag }),
    );
    expect([saved.statusCode, deleted.statusCode, deleted.json().code, deleted.headers.etag]).toEqual([200, 412, 'HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED', saved.headers.etag]);
    expect((await call(0, 'GET')).json().name).toBe('Kept');
  }, 60_000);
});
