import { join } from 'node:path';
import { contractWebhook, startTestReceiver, startWorker, type TestReceiver, type WorkerProcess } from '@hookwork/core/testing';
import { openPostgresStorage } from './index';
import { TcpProxy } from './testing/tcp-proxy';
import { TEST_PG_URL } from './testing/test-database';
import { withTestDatabase } from './testing/test-schema';

// A failing webhook's health written by several real processes on one schema at once. Child
// processes run the built worker (npm test builds first; in a dev loop: npx tsc -b packages/postgres).
const WORKER = join(__dirname, '..', 'dist', 'test-fixtures', 'pg-worker.js');

const db = withTestDatabase('hproc');
const PROCESSES = 6;
const ATTEMPTS_EACH = 100;
const ALL = PROCESSES * ATTEMPTS_EACH;

/**
 * What each chunk between a worker and the server is delayed by, either way (ms): a server across
 * a network, as in production. A health write's read and its compare-and-set are then a few ms
 * apart, and other processes' writes land between them. Before, a write gave up after ten rounds
 * lost in a row, and its attempts went uncounted: with these six processes that happened in six
 * of eight runs.
 */
const LATENCY_MS = 3;

let receiver: TestReceiver;
let proxy: TcpProxy;
const workers: WorkerProcess[] = [];

beforeEach(async () => {
  receiver = await startTestReceiver();
  const target = new URL(TEST_PG_URL);
  proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  proxy.latencyMs = LATENCY_MS;
  await proxy.up();
});
afterEach(async () => {
  for (const w of workers.splice(0)) {
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await w.exited;
  }
  await proxy.down();
  await receiver.close();
});

/** The test server's URL, through the proxy. */
function viaProxy(): string {
  const url = new URL(TEST_PG_URL);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return url.toString();
}

describe('a failing webhook delivered by several processes on one PostgreSQL schema', () => {
  // 'update': the store's update() (a row lock) once a compare-and-set lost to another process;
  // 'compare-and-set': a store without update(), as another party's may be: read again and try again.
  it.each(['update', 'compare-and-set'])(
    `${PROCESSES} processes × ${ATTEMPTS_EACH} failing attempts (health written with %s): each is counted, the breaker opens at its threshold once, nothing is logged as uncounted`,
    async (health) => {
      const schema = db.schema();
      const store = await openPostgresStorage({ connectionString: db.url, schema });
      try {
        await store.webhooks.create(contractWebhook('shared', { url: receiver.url, events: ['thing.happened'] }));
        const now = new Date();
        await store.queue.enqueue(Array.from({ length: ALL }, (_, i) => ({ id: `msg_${i}`, webhookKey: 'shared', eventAlias: 'thing.happened', body: JSON.stringify({ id: `n${i}` }), createdAt: now, dueAt: now })));
      } finally {
        await store.close();
      }
      // Answered at once: each process's health writes follow each other as fast as they can.
      receiver.handler = (_request, res) => void res.writeHead(500).end();
      // One attempt per request, and a threshold the last of them reaches: every attempt goes out
      // (none is held by an open breaker), and the breaker opens with the last.
      const settings = { maximumRetries: 0, concurrency: { global: 16, perWebhook: 16 }, breaker: { failureThreshold: ALL, coolDown: 600_000 } };
      const env = { ...process.env, WORKER_SETTINGS: JSON.stringify(settings), WORKER_HEALTH: health };
      const processes = Array.from({ length: PROCESSES }, () => startWorker(WORKER, ['deliver', viaProxy(), schema, 'wait'], env));
      workers.push(...processes);
      await Promise.all(processes.map((p) => p.waitFor((e) => e.type === 'ready', 60_000)));
      for (const p of processes) p.child.stdin!.write('go\n');
      await Promise.all(processes.map((p) => p.waitFor((e) => e.type === 'done', 120_000)));

      expect(receiver.requests).toHaveLength(ALL);
      const failedBy = processes.map((p) => p.events.filter((e) => e.type === 'failed').length);
      expect(failedBy.reduce((a, b) => a + b)).toBe(ALL);
      for (const failed of failedBy) expect(failed).toBeGreaterThan(0);
      // What any process logged or reported about health writes: nothing (it warned "could not be
      // written: other processes wrote first 10 times in a row" and left the attempts uncounted).
      const noise = processes.flatMap((p) => p.events.filter((e) => e.type === 'error' || e.type === 'logged-error' || e.type === 'backgroundError' || (e.type === 'warned' && /health of webhook/.test(String(e.message)))));
      expect(noise).toEqual([]);

      const after = await openPostgresStorage({ connectionString: db.url, schema });
      try {
        expect((await after.health!.get('shared'))?.state).toMatchObject({ breaker: 'open', consecutiveFailures: ALL });
      } finally {
        await after.close();
      }
      // The processes' writes did meet each other: compare-and-sets were lost to other processes,
      // and what they carried was written all the same (by update, or by trying again).
      const writes = processes.map((p) => p.events.find((e) => e.type === 'healthWrites')!);
      expect(writes.reduce((n, w) => n + Number(w.lostCompareAndSets), 0)).toBeGreaterThan(0);
      const updates = writes.reduce((n, w) => n + Number(w.updates), 0);
      if (health === 'update') expect(updates).toBeGreaterThan(0);
      else expect(updates).toBe(0);
      const opened = processes.flatMap((p) => p.events.filter((e) => e.type === 'operatorEvent' && e.event === 'breaker.opened'));
      expect(opened).toHaveLength(1);
      expect(opened[0]!.data).toMatchObject({ webhookKey: 'shared', trigger: 'consecutive failures', consecutiveFailures: ALL });
    },
    180_000,
  );
});
