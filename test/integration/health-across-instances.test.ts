import 'reflect-metadata';
import { join } from 'node:path';
import { hookworkAdmin } from '@hookwork/admin';
import { createHookwork, silentLogger, type Hookwork, type HookworkSettingsInput, type StorageBackend } from '@hookwork/core';
import { startTestReceiver, thingComposer, ThingHappened, type TestReceiver } from '@hookwork/core/testing';
import { postgresStorage, type PostgresStorage } from '@hookwork/postgres';
import { sqliteStorage } from '@hookwork/sqlite';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { scratchBackends } from './scratch-backends';

/**
 * A webhook's health read through one instance while another delivers it: two apps on one store,
 * as two processes behind a load balancer, each with its admin API on 127.0.0.1. The delivering
 * app's failures open the breaker; the other app's `app.health()`, `GET webhook/{id}/health` and
 * `GET webhook/health` must show the stored state at once, as docs/health.md promises ("as every
 * process sharing the store sees them"), not the copy it read before.
 */
const scratch = scratchBackends('healthread');
const TOKEN = 'test-token-0123456789abcdef';
const THRESHOLD = 3;
/** One attempt per request, so each publish is one failure; the breaker opens at the third. */
const SETTINGS: HookworkSettingsInput = { ssrf: { allow: ['127.0.0.1'] }, maximumRetries: 0, period: 200, timeout: 5000, stopTimeout: 2000 };

let receiver: TestReceiver;
const started: { app: Hookwork; fastify: FastifyInstance }[] = [];

beforeEach(async () => {
  receiver = await startTestReceiver((_request, res) => void res.writeHead(500).end('down'));
});
afterEach(async () => {
  for (const { app, fastify } of started.splice(0)) {
    await fastify.close();
    await app.stop();
  }
  await receiver.close();
});

/** An app with its admin API listening on 127.0.0.1; `reads`: it delivers nothing (settings.enabled false), it only answers. */
async function instance(storage: StorageBackend<never>, reads = false): Promise<{ app: Hookwork; api: (path: string) => Promise<{ status: number; json: { items?: unknown[] } & Record<string, unknown> }> }> {
  const app = createHookwork({ composers: [thingComposer], logger: silentLogger, storage, settings: { ...SETTINGS, ...(reads ? { enabled: false } : {}) } });
  await app.start();
  const fastify = Fastify({ logger: false });
  await fastify.register(hookworkAdmin, { prefix: '/admin', app, auth: { token: TOKEN }, page: false, apiReference: false });
  const address = await fastify.listen({ host: '127.0.0.1', port: 0 });
  started.push({ app, fastify });
  const api = async (path: string) => {
    const answer = await fetch(`${address}/admin/api/v1/${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return { status: answer.status, json: (await answer.json()) as { items?: unknown[] } & Record<string, unknown> };
  };
  return { app, api };
}

async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  for (const deadline = Date.now() + 20_000; !(await check()); await new Promise((resolve) => setTimeout(resolve, 10))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
  }
}

/**
 * The reading app reads the webhook's health first (closed: a store that keeps copies keeps this
 * one), the delivering app then fails THRESHOLD attempts, and the reading app's three health reads
 * must show the open breaker at once.
 */
async function failThenRead(deliverer: Hookwork, reader: Awaited<ReturnType<typeof instance>>): Promise<void> {
  const { key } = await deliverer.webhooks.create({ url: receiver.url, events: ['thing.happened'], breaker: { failureThreshold: THRESHOLD, coolDown: 600_000 } });
  expect(await reader.app.health(key)).toMatchObject({ breaker: 'closed', consecutiveFailures: 0 });
  expect((await reader.api(`webhook/${key}/health`)).json).toMatchObject({ breaker: 'closed', consecutiveFailures: 0 });
  for (let i = 0; i < THRESHOLD; i++) await deliverer.publish(new ThingHappened(`n${i}`));
  await waitUntil(async () => (await deliverer.health(key)).breaker === 'open', 'the delivering app opened the breaker');
  // Read at once, with no wait: what the store holds now.
  const stored = { breaker: 'open', consecutiveFailures: THRESHOLD };
  expect(await reader.app.health(key)).toMatchObject(stored);
  const one = await reader.api(`webhook/${key}/health`);
  expect(one.status).toBe(200);
  expect(one.json).toMatchObject(stored);
  const page = await reader.api('webhook/health?take=10');
  expect(page.status).toBe(200);
  expect(page.json.items).toEqual([expect.objectContaining({ webhookKey: key, ...stored })]);
}

describe('the health of a webhook another instance delivers', () => {
  it('PostgreSQL: the reading instance answers the stored row, before the change\'s notification reaches it', async () => {
    const schema = `${scratch.schema}_pg`;
    // The reading instance's store, kept to see when its LISTEN connection is up.
    let readerStore: PostgresStorage | undefined;
    const base = postgresStorage({ connectionString: scratch.pgUrl, schema });
    const reading = { ...base, open: async (context: Parameters<typeof base.open>[0]) => (readerStore = (await base.open(context)) as PostgresStorage) };
    const deliverer = await instance(postgresStorage({ connectionString: scratch.pgUrl, schema }) as StorageBackend<never>);
    const reader = await instance(reading as StorageBackend<never>, true);
    // Every health write notifies the other instances on commit, and each drops its cached rows
    // when the notification arrives — milliseconds later, more under load. Here none is sent (the
    // trigger is turned off in this test's schema), so the notification that has not arrived yet
    // stays so: what the reading instance answers from a cache is the health it read before.
    const db = new pg.Client({ connectionString: scratch.pgUrl });
    await db.connect();
    try {
      await db.query(`ALTER TABLE "${schema}".webhook_health DISABLE TRIGGER webhook_health_changed`);
    } finally {
      await db.end();
    }
    // A cache is kept only while the LISTEN connection is up: wait for it, so a stale answer could be given.
    await waitUntil(async () => readerStore?.listening === true, 'the reading instance listens');
    await failThenRead(deliverer.app, reader);
  });

  it('SQLite: two apps on one file, the reading instance answers the stored row', async () => {
    const file = join(scratch.dir(), 'shared.db');
    const deliverer = await instance(sqliteStorage({ file }) as StorageBackend<never>);
    const reader = await instance(sqliteStorage({ file }) as StorageBackend<never>, true);
    await failThenRead(deliverer.app, reader);
  });
});
