import net from 'node:net';
import pg from 'pg';
import { createHookwork, isHookworkError, keyedMessageId, type Hookwork, type HookworkSettingsInput, type Logger } from '@hookwork/core';
import { contractWebhook, startTestReceiver, type TestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { openPostgresStorage, postgresStorage, type PostgresStorage, type PostgresTransaction } from './index';
import { TcpProxy } from './testing/tcp-proxy';
import { TEST_PG_URL } from './testing/test-database';
import { withTestDatabase } from './testing/test-schema';

// The sweep is a minute: what arrives within the tests' waits was woken by NOTIFY (or the
// dispatcher's own retry after a failed round), not found by the sweep.
const settings: HookworkSettingsInput = { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, retrySchedule: [200], retryJitter: 0, period: 60_000, timeout: 5000, stopTimeout: 2000 };

const db = withTestDatabase('faults');
let receiver: TestReceiver;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  receiver = await startTestReceiver();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await receiver.close();
});

const ids = () => receiver.requests.map((r) => (JSON.parse(r.text) as { id: string }).id);

/** The test server's URL with another host and port, and a query parameter. */
function urlVia(port: number | undefined, parameters: Record<string, string>): string {
  const url = new URL(TEST_PG_URL);
  if (port !== undefined) {
    url.hostname = '127.0.0.1';
    url.port = String(port);
  }
  for (const [key, value] of Object.entries(parameters)) url.searchParams.set(key, value);
  return url.toString();
}

/** A schema of this test's own and a TCP proxy to the server in front of it, both undone after the test. */
async function schemaBehindProxy(): Promise<{ schema: string; proxy: TcpProxy }> {
  const schema = db.schema();
  cleanups.push(() => db.drop(schema));
  const target = new URL(TEST_PG_URL);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  await proxy.up();
  cleanups.push(() => proxy.down());
  return { schema, proxy };
}

/** A pool of the host's through `proxy` with node-postgres's default connectionTimeoutMillis: 0 (wait for ever). */
function hostPoolWithoutConnectTimeout(proxy: TcpProxy): pg.Pool {
  const hostPool = new pg.Pool({ connectionString: urlVia(proxy.port, {}), max: 2 });
  hostPool.on('error', () => {});
  cleanups.push(() => hostPool.end().catch(() => {}));
  return hostPool;
}

async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Publishes until the store takes it (the pool may hand out a connection that just died once). */
async function publishWhenBack(app: Hookwork<PostgresTransaction>, id: string, idempotencyKey?: string): Promise<void> {
  await waitUntil(async () => app.publish(new ThingHappened(id), idempotencyKey === undefined ? {} : { idempotencyKey }).then(() => true, () => false), `publishing ${id}`);
}

async function startApp(connectionString: string, schema: string, more: HookworkSettingsInput = {}): Promise<{ app: Hookwork<PostgresTransaction>; storage: () => PostgresStorage; webhookKey: string }> {
  let opened: PostgresStorage | undefined;
  const backend = postgresStorage({ connectionString, schema, poolSize: 3, connectTimeoutMs: 1000 });
  const app = createHookwork({
    composers: [thingComposer],
    settings: { ...settings, ...more },
    // Keeps a handle on the opened store, to see its LISTEN connection.
    storage: { ...backend, open: async (context) => (opened = (await backend.open(context)) as PostgresStorage) },
  });
  await app.start();
  cleanups.push(() => app.stop());
  const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
  return { app, storage: () => opened!, webhookKey: webhook.key };
}

describe('faults heal without a restart', () => {
  it('after pg_terminate_backend of every connection of the app, LISTEN comes back and delivery resumes', async () => {
    const schema = db.schema();
    cleanups.push(() => db.drop(schema));
    // A name of its own, so the test terminates its app's connections and nobody else's.
    const name = `hookwork_${schema}`.slice(0, 60);
    const { app, storage, webhookKey } = await startApp(urlVia(undefined, { application_name: name }), schema);
    await waitUntil(() => storage().listening, 'listening');
    await app.publish(new ThingHappened('before'));
    await receiver.waitFor(1, 10_000);

    const killed = await db.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [name]);
    expect(killed.rowCount).toBeGreaterThanOrEqual(2); // the pool's connections and the LISTEN one
    await waitUntil(() => !storage().listening, 'the lost LISTEN connection noticed');
    await waitUntil(() => storage().listening, 'listening again');

    // Another process enqueues: only the restored LISTEN can wake this app before its sweep.
    const other = await openPostgresStorage({ connectionString: TEST_PG_URL, schema });
    cleanups.push(() => other.close());
    await other.queue.enqueue([{ id: 'msg_from_other', webhookKey, eventAlias: 'thing.happened', body: JSON.stringify({ id: 'from-other' }), createdAt: new Date(), dueAt: new Date() }]);
    await receiver.waitFor(2, 10_000);

    await publishWhenBack(app, 'after');
    await receiver.waitFor(3, 10_000);
    expect(ids().sort()).toEqual(['after', 'before', 'from-other']);
  });

  it('while the server is unreachable publish() fails with a coded error; once it is back, everything resumes by itself', async () => {
    const { schema, proxy } = await schemaBehindProxy();
    const { app, storage, webhookKey } = await startApp(urlVia(proxy.port, {}), schema);
    await waitUntil(() => storage().listening, 'listening');
    await app.publish(new ThingHappened('before'));
    await receiver.waitFor(1, 10_000);

    await proxy.down();
    await waitUntil(() => !storage().listening, 'the lost LISTEN connection noticed');
    const error = await app.publish(new ThingHappened('while-down')).then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('HOOKWORK_ERR_ENQUEUE_FAILED');
    expect((error as Error).message).toMatch(/127\.0\.0\.1|reached|connect|terminated/i);

    await proxy.up();
    await waitUntil(() => storage().listening, 'listening again');
    await publishWhenBack(app, 'after');
    await receiver.waitFor(2, 10_000);
    // Another process's enqueue wakes it too.
    const other = await openPostgresStorage({ connectionString: TEST_PG_URL, schema });
    cleanups.push(() => other.close());
    await other.queue.enqueue([{ id: 'msg_from_other', webhookKey, eventAlias: 'thing.happened', body: JSON.stringify({ id: 'from-other' }), createdAt: new Date(), dueAt: new Date() }]);
    await receiver.waitFor(3, 10_000);
    expect(ids().sort()).toEqual(['after', 'before', 'from-other']);
  });

  it('a new connection the server ends as its startup ends (ReadyForQuery and FATAL in one read) fails its call with a coded error, not the process; delivery goes on', async () => {
    const { schema, proxy } = await schemaBehindProxy();
    const { app, storage } = await startApp(urlVia(proxy.port, {}), schema);
    await waitUntil(() => storage().listening, 'listening');
    await app.publish(new ThingHappened('before'));
    await receiver.waitFor(1, 10_000);

    // Every connection cut, and each new one ended as pg_terminate_backend or a fast shutdown ends
    // a backend the moment its startup is over. The pool handed such a connection over with no
    // 'error' listener for a microtask: the FATAL read with its ReadyForQuery ended the process.
    proxy.endAfterStartup(true);
    await proxy.down();
    await proxy.up();
    await waitUntil(() => !storage().listening, 'the lost LISTEN connection noticed');
    for (let round = 0; round < 3; round++) {
      const outcomes = await Promise.all([app.publish(new ThingHappened(`during-${round}`)), app.webhooks.list(), app.queueCounts()].map((call) => call.then(() => undefined, (e: unknown) => e)));
      for (const outcome of outcomes) expect(outcome === undefined || isHookworkError(outcome)).toBe(true);
    }
    expect(proxy.endedAtStartup).toBeGreaterThan(0);

    proxy.endAfterStartup(false);
    await waitUntil(() => storage().listening, 'listening again');
    await publishWhenBack(app, 'after');
    await waitUntil(() => ids().includes('after'), 'the publish after delivered');
  });

  it("the outbox example of docs/postgres.md: a host transaction's connection the server ends as its startup ends fails the transaction, not the host's process", async () => {
    const { schema, proxy } = await schemaBehindProxy();
    const { app } = await startApp(TEST_PG_URL, schema);
    // The host's own pool, through the proxy, set up as the example sets it up: its error listener
    // on each connection the pool makes, once per pool. Attached after `await pool.connect()` (the
    // example before), it came a microtask late for a FATAL read with the ReadyForQuery: the
    // 'error' event had no listener and ended the process.
    const hostPool = new pg.Pool({ connectionString: urlVia(proxy.port, {}), max: 2 });
    hostPool.on('error', () => {});
    hostPool.on('connect', (client) => client.on('error', () => {}));
    cleanups.push(() => hostPool.end().catch(() => {}));
    proxy.endAfterStartup(true);
    let failed: unknown;
    const client = await hostPool.connect();
    try {
      await client.query('BEGIN');
      await app.publish(new ThingHappened('never'), { transaction: client });
      await client.query('COMMIT');
    } catch (error) {
      failed = error;
      await client.query('ROLLBACK').catch(() => {});
    } finally {
      client.release(failed as Error | undefined);
    }
    expect(proxy.endedAtStartup).toBeGreaterThan(0);
    expect(failed).toBeInstanceOf(Error);
    // The process is here to tell it, and nothing was stored.
    expect(Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".requests`)).rows[0]!.n)).toBe(0);
  });

  it('a completion handed connections the server ended while they sat idle in the pool, unheard yet, is made on another, not left for the lease to run out and the delivered request to be sent again', async () => {
    const { schema, proxy } = await schemaBehindProxy();
    // Its bookkeeping pool (completions) holds up to 3 connections.
    const store = await openPostgresStorage({ connectionString: urlVia(proxy.port, {}), schema, poolSize: 6 });
    cleanups.push(() => store.close());
    await store.webhooks.create(contractWebhook('w', { url: receiver.url, events: ['thing.happened'] }));
    const now = new Date();
    await store.queue.enqueue([{ id: 'msg_delivered', webhookKey: 'w', eventAlias: 'thing.happened', body: '{}', createdAt: now, dueAt: now }]);
    // Three claims at once: the bookkeeping pool opens its three connections (two find nothing).
    const claimed = await Promise.all([0, 1, 2].map(() => store.queue.claim({ owner: 'me', limit: 1, leaseMs: 60_000, now: new Date() })));
    expect(claimed.flat().map((r) => r.id)).toEqual(['msg_delivered']);

    // The request was delivered; the server ends every connection of the app before its completion.
    proxy.terminateUnheard();
    expect(await store.queue.completeMany!(['msg_delivered'], 'me')).toEqual(['msg_delivered']);
    expect(proxy.sentToTerminated).toBeGreaterThan(0);
    expect((await db.query(`SELECT id FROM "${schema}".requests`)).rows).toEqual([]);
  });

  it('a server gone silent (no reset) fails a publish and a management call with coded errors, and stop() ends, leaving no socket open', async () => {
    const { schema, proxy } = await schemaBehindProxy();
    // The app's own sockets to the server (the proxy's are the other ends).
    const openToServer = () => (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().filter((h) => h instanceof net.Socket && !h.destroyed && h.remotePort === proxy.port).length;
    const { app, storage } = await startApp(urlVia(proxy.port, {}), schema);
    await waitUntil(() => storage().listening, 'listening');
    await app.publish(new ThingHappened('before'));
    await receiver.waitFor(1, 10_000);
    expect(openToServer()).toBeGreaterThan(0);

    proxy.freeze();
    // Each used to wait for the kernel's TCP timeout (about 15 minutes), and stop() behind the publish.
    const published = await app.publish(new ThingHappened('while-silent')).then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(published)).toBe(true);
    // The statement was sent and its answer never came: it may have committed, and the error says so.
    expect(published).toMatchObject({ code: 'HOOKWORK_ERR_ENQUEUE_UNCERTAIN', message: expect.stringMatching(/no answer within 1000 ms.*may or may not be stored/) });
    const listed = await app.webhooks.list().then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(listed)).toBe(true);
    expect((listed as { code: string }).code).toBe('HOOKWORK_ERR_STORAGE');

    await app.stop();
    expect(openToServer()).toBe(0);
  });

  it('an enqueue that committed with its answer lost is HOOKWORK_ERR_ENQUEUE_UNCERTAIN; published again with its idempotencyKey, it is delivered once, under one webhook-id', async () => {
    const { schema, proxy } = await schemaBehindProxy();
    const { app, webhookKey } = await startApp(urlVia(proxy.port, {}), schema, { leaseDuration: 1500 });
    await app.publish(new ThingHappened('before'));
    await receiver.waitFor(1, 10_000);

    // The insert's parameters carry the body: the server commits it, and the answer never comes back.
    proxy.loseAnswerOn('"answer-lost"');
    const error = await app.publish(new ThingHappened('answer-lost'), { idempotencyKey: 'change-17' }).then(() => undefined, (e: unknown) => e);
    proxy.loseAnswerOn(undefined);
    expect(proxy.held).toBe(1);
    expect(error).toMatchObject({ code: 'HOOKWORK_ERR_ENQUEUE_UNCERTAIN', message: expect.stringMatching(/lost after the statement .* was sent and before its answer .*may or may not be stored; publish the same notification again with the same idempotencyKey \("change-17"\)/) });
    // It was stored: delivered once its lease (taken for this process's dispatcher, which never got it) lapses.
    await receiver.waitFor(2, 10_000);
    await app.drain({ all: true, timeoutMs: 10_000 });

    // The host does what the message says: publishes again with the key. Nothing is stored twice.
    await publishWhenBack(app, 'answer-lost', 'change-17');
    await app.publish(new ThingHappened('after'));
    await receiver.waitFor(3, 10_000);
    await app.drain({ all: true, timeoutMs: 10_000 });
    expect(ids()).toEqual(['before', 'answer-lost', 'after']);
    expect(receiver.requests[1]!.headers['webhook-id']).toBe(keyedMessageId('change-17', webhookKey, 'thing.happened', 0));
  });

  it('a statement waiting for a lock past connectTimeoutMs goes on while the server answers, and succeeds', async () => {
    const schema = db.schema();
    cleanups.push(() => db.drop(schema));
    const { app } = await startApp(TEST_PG_URL, schema); // connectTimeoutMs: 1000
    const locker = new pg.Client({ connectionString: TEST_PG_URL });
    await locker.connect();
    cleanups.push(() => locker.end());
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE "${schema}".requests IN ACCESS EXCLUSIVE MODE`);
    const publishing = app.publish(new ThingHappened('after-the-lock'));
    // Held for more than twice connectTimeoutMs: the server is checked (and answers) at least once.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await locker.query('ROLLBACK');
    await expect(publishing).resolves.toEqual({ events: 1, failures: [], enqueued: 1, alreadyEnqueued: 0 });
    await receiver.waitFor(1, 10_000);
    expect(ids()).toEqual(['after-the-lock']);
  });

  it('on a pool of the host\'s without a connect timeout, stop() ends while the LISTEN connection reconnects to a server gone silent', async () => {
    const { schema, proxy } = await schemaBehindProxy();
    const hostPool = hostPoolWithoutConnectTimeout(proxy);
    let opened: PostgresStorage | undefined;
    const backend = postgresStorage({ pool: hostPool, schema });
    const app = createHookwork({ composers: [thingComposer], settings, storage: { ...backend, open: async (context) => (opened = (await backend.open(context)) as PostgresStorage) } });
    await app.start();
    await waitUntil(() => opened!.listening, 'listening');
    // The LISTEN connection is lost, and its reconnect reaches a server that takes it and says nothing.
    await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'hookwork-listen' AND query LIKE '%' || $1 || '%'`, [schema]);
    await waitUntil(() => !opened!.listening, 'the lost LISTEN connection noticed');
    proxy.freeze();
    await waitUntil(() => proxy.held > 0, 'the reconnect held by the silent server');
    await app.stop();
    expect(opened!.listening).toBe(false);
  }, 60_000); // stop() waits for each of the store's connections in turn, up to 5 s (connectionTimeoutMillis 0)
  it('a role or database idle_session_timeout does not end the LISTEN connection, idle by design, at every lapse', async () => {
    const schema = db.schema();
    cleanups.push(() => db.drop(schema));
    // As ALTER ROLE app SET idle_session_timeout = … (a managed server's reaping of forgotten sessions) sets it.
    const reaping = urlVia(undefined, { options: '-c idle_session_timeout=300' });
    const logged: string[] = [];
    const logger: Logger = { debug: () => {}, info: () => {}, warn: (message: string) => void logged.push(message), error: (message: string) => void logged.push(message) };
    const backend = postgresStorage({ connectionString: reaping, schema, poolSize: 2 });
    let opened: PostgresStorage | undefined;
    const app = createHookwork({ composers: [thingComposer], settings, logger, storage: { ...backend, open: async (context) => (opened = (await backend.open(context)) as PostgresStorage) } });
    await app.start();
    cleanups.push(() => app.stop());
    await waitUntil(() => opened!.listening, 'listening');
    const listenPid = async () =>
      (await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = 'hookwork-listen' AND query LIKE '%' || $1 || '%'`, [schema])).rows.map((row) => row.pid);
    const before = await listenPid();
    expect(before).toHaveLength(1);
    // A session opened after the LISTEN went idle, with the same setting: once the server ended it, the
    // LISTEN connection, idle longer, would have been ended first.
    const witness = new pg.Client({ connectionString: reaping });
    let reaped = false;
    witness.on('error', () => (reaped = true));
    witness.on('end', () => (reaped = true));
    await witness.connect();
    await waitUntil(() => reaped, 'the idle witness session ended by the server');
    expect(await listenPid()).toEqual(before);
    expect(opened!.listening).toBe(true);
    expect(logged.filter((line) => /LISTEN connection/.test(line))).toEqual([]);
  });

  it('a LISTEN the server never answers after the login is dropped as a lost connection, and LISTEN comes back', async () => {
    const { schema, proxy } = await schemaBehindProxy();
    // The login goes through; the LISTEN statement never reaches the server, nor does an answer come back.
    proxy.freezeOn(`LISTEN "hookwork:${schema}"`);
    const { storage, webhookKey } = await startApp(urlVia(proxy.port, {}), schema); // connectTimeoutMs: 1000
    await waitUntil(() => proxy.held > 0, 'the LISTEN held by the silent server');
    proxy.freezeOn(undefined);
    // It used to wait for that answer for ever: never listening again, wake-ups only by the sweep.
    await waitUntil(() => storage().listening, 'listening after the unanswered LISTEN');
    const other = await openPostgresStorage({ connectionString: TEST_PG_URL, schema });
    cleanups.push(() => other.close());
    await other.queue.enqueue([{ id: 'msg_from_other', webhookKey, eventAlias: 'thing.happened', body: JSON.stringify({ id: 'from-other' }), createdAt: new Date(), dueAt: new Date() }]);
    await receiver.waitFor(1, 10_000);
    expect(ids()).toEqual(['from-other']);
  });

  it('on a pool of the host\'s without a connect timeout, a completion on a server gone silent fails with a coded error, and close() ends', async () => {
    const { schema, proxy } = await schemaBehindProxy();
    const hostPool = hostPoolWithoutConnectTimeout(proxy);
    const storage = await openPostgresStorage({ pool: hostPool, schema });
    proxy.freeze();
    // The bookkeeping pool's first connection: taken by the silent server and never answered. Its
    // connect copied the host's wait-for-ever, and the completion (and close() behind it) hung.
    const completed = await storage.queue.complete('msg_x', 'owner').then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(completed)).toBe(true);
    expect(completed).toMatchObject({ code: 'HOOKWORK_ERR_STORAGE', message: expect.stringMatching(/timeout/i) });
    await storage.close();
  }, 30_000);
});

describe('metrics while the store fails', () => {
  // One failing gauge reading (a count the store could not answer) rejected the whole scrape:
  // Prometheus saw the target down, and lost the counters with the gauges.
  it('serves the counters and histograms, gives the store-read gauges no sample and counts their failure, and warns once', async () => {
    const schema = db.schema();
    cleanups.push(() => db.drop(schema));
    const warnings: string[] = [];
    const logger: Logger = { debug: () => {}, info: () => {}, warn: (message) => warnings.push(message), error: () => {} };
    receiver.handler = (request, res) => void res.writeHead(request.path === '/failing' ? 503 : 200).end();
    const app = createHookwork({ composers: [thingComposer], logger, settings: { ...settings, maximumRetries: 0 }, storage: postgresStorage({ connectionString: TEST_PG_URL, schema, connectTimeoutMs: 1000 }) });
    await app.start();
    cleanups.push(() => app.stop());
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.webhooks.create({ url: `${receiver.origin}/failing`, events: ['thing.happened'] });
    await app.publish(new ThingHappened('m1'));
    await app.drain();
    const healthy = (await app.metrics.scrape()).text;
    expect(healthy).toContain('hookwork_queue_requests{state="dead"} 1');
    expect(healthy).toMatch(/^hookwork_breaker_state\{webhook="[^"]+"\} 0$/m);
    expect(healthy).toContain('hookwork_metrics_collect_errors_total{gauge="queue_requests"} 0');

    // From another connection, as an operator's mistake or a migration would.
    await db.query(`ALTER SCHEMA "${schema}" RENAME TO "${schema}_away"`);
    cleanups.push(() => db.query(`ALTER SCHEMA "${schema}_away" RENAME TO "${schema}"`));
    const broken = (await app.metrics.scrape()).text;
    expect(broken).toContain('hookwork_attempts_total{outcome="delivered",status_class="2xx"} 1');
    expect(broken).toContain('hookwork_attempts_total{outcome="dead",status_class="5xx"} 1');
    expect(broken).toContain('hookwork_requests_enqueued_total 2');
    expect(broken).not.toMatch(/^hookwork_queue_requests\{/m);
    expect(broken).not.toMatch(/^hookwork_queue_oldest_pending_age_seconds /m);
    expect(broken).not.toMatch(/^hookwork_breaker_state\{/m);
    for (const gauge of ['queue_requests', 'queue_oldest_pending_age', 'breaker_state']) expect(broken).toContain(`hookwork_metrics_collect_errors_total{gauge="${gauge}"} 1`);
    expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^metrics: the queue_requests gauge could not be read; scrapes go on without it \(hookwork_metrics_collect_errors_total counts each failure\): HOOKWORK_ERR_STORAGE: PostgreSQL .* failed while counting requests/)]));
    // One warning per gauge (the dead letter above has its own warning line).
    const aboutMetrics = () => warnings.filter((line) => line.startsWith('metrics: '));
    expect(aboutMetrics()).toHaveLength(3);
    // A scrape every few seconds must not log each time.
    const again = (await app.metrics.scrape()).text;
    expect(again).toContain('hookwork_metrics_collect_errors_total{gauge="queue_requests"} 2');
    expect(aboutMetrics()).toHaveLength(3);

    await db.query(`ALTER SCHEMA "${schema}_away" RENAME TO "${schema}"`);
    cleanups.pop();
    expect((await app.metrics.scrape()).text).toContain('hookwork_queue_requests{state="dead"} 1');
  });
});
