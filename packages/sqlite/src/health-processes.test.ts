import { join } from 'node:path';
import type { NewWebhookRequest } from '@hookwork/core';
import { contractWebhook, startTestReceiver, type ReceivedRequest, type TestReceiver } from '@hookwork/core/testing';
import { openSqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';
import { startWorker, type WorkerProcess } from '@hookwork/core/testing';

// Child processes run the built worker (npm test builds first; in a dev loop: npx tsc -b packages/sqlite).
const WORKER = join(__dirname, '..', 'dist', 'test-fixtures', 'health-worker.js');
const idOf = (r: ReceivedRequest) => String(r.headers['webhook-id']);

describe('endpoint health with several processes on one SQLite file', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let receiver: TestReceiver;
  const workers: WorkerProcess[] = [];
  const arrivedAt = new Map<ReceivedRequest, number>();

  beforeEach(async () => {
    temp = makeTempDir();
    receiver = await startTestReceiver();
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await w.exited;
    }
    await receiver.close();
    temp.remove();
  });

  /** A store with one webhook and `count` requests for it, published in order. */
  async function seed(file: string, webhook: Parameters<typeof contractWebhook>[1], count: number, request: Partial<NewWebhookRequest> = {}): Promise<string[]> {
    const store = openSqliteStorage({ file });
    await store.webhooks.create(contractWebhook('hook', { url: receiver.url, events: ['thing.happened'], ...webhook }));
    const now = new Date();
    const ids = Array.from({ length: count }, (_, i) => `msg_${String(i).padStart(3, '0')}`);
    await store.queue.enqueue(ids.map((id, i) => ({ id, webhookKey: 'hook', eventAlias: 'thing.happened', body: JSON.stringify({ id: `n${i}` }), createdAt: now, dueAt: now, ...request })));
    await store.close();
    return ids;
  }

  async function startBoth(file: string, settings: object): Promise<[WorkerProcess, WorkerProcess]> {
    const a = startWorker(WORKER, [file, JSON.stringify(settings)]);
    const b = startWorker(WORKER, [file, JSON.stringify(settings)]);
    workers.push(a, b);
    await Promise.all([a.waitFor((e) => e.type === 'ready'), b.waitFor((e) => e.type === 'ready')]);
    a.child.stdin!.write('go\n');
    b.child.stdin!.write('go\n');
    return [a, b];
  }

  it.each(['update', 'compare-and-set'])(
    '6 processes × 100 failing attempts on one file (health written with %s): each is counted, the breaker opens at its threshold once, nothing is logged as uncounted',
    async (health) => {
      const processes = 6;
      const all = processes * 100;
      const file = temp.file();
      await seed(file, {}, all);
      receiver.handler = (_request, res) => void res.writeHead(500).end();
      // One attempt per request, and a threshold the last of them reaches: every attempt goes out
      // (none is held by an open breaker), and the breaker opens with the last.
      const settings = { maximumRetries: 0, concurrency: { global: 16, perWebhook: 16 }, period: 200, breaker: { failureThreshold: all, coolDown: 600_000 } };
      const env = { ...process.env, WORKER_HEALTH: health };
      const started = Array.from({ length: processes }, () => startWorker(WORKER, [file, JSON.stringify(settings)], env));
      workers.push(...started);
      await Promise.all(started.map((w) => w.waitFor((e) => e.type === 'ready', 60_000)));
      for (const w of started) w.child.stdin!.write('go\n');
      await Promise.all(started.map((w) => w.waitFor((e) => e.type === 'done', 120_000)));

      expect(receiver.requests).toHaveLength(all);
      const failedBy = started.map((w) => w.events.filter((e) => e.type === 'failed').length);
      expect(failedBy.reduce((a, b) => a + b)).toBe(all);
      // What any process logged or reported about health writes: nothing (it warned "could not be
      // written: other processes wrote first 10 times in a row" and left the attempts uncounted).
      const noise = started.flatMap((w) => w.events.filter((e) => e.type === 'error' || e.type === 'logged-error' || e.type === 'backgroundError' || (e.type === 'warned' && /health of webhook/.test(String(e.message)))));
      expect(noise).toEqual([]);
      const store = openSqliteStorage({ file });
      try {
        expect((await store.health!.get('hook'))?.state).toMatchObject({ breaker: 'open', consecutiveFailures: all });
      } finally {
        await store.close();
      }
      const opened = started.flatMap((w) => w.events.filter((e) => e.type === 'operatorEvent' && e.event === 'breaker.opened'));
      expect(opened).toHaveLength(1);
      expect(opened[0]!.data).toMatchObject({ webhookKey: 'hook', trigger: 'consecutive failures', consecutiveFailures: all });
      // The processes' writes did meet each other: compare-and-sets were lost to other processes,
      // and what they carried was written all the same (by update, or by trying again).
      const writes = started.map((w) => w.events.find((e) => e.type === 'healthWrites')!);
      expect(writes.reduce((n, w) => n + Number(w.lostCompareAndSets), 0)).toBeGreaterThan(0);
      const updates = writes.reduce((n, w) => n + Number(w.updates), 0);
      if (health === 'update') expect(updates).toBeGreaterThan(0);
      else expect(updates).toBe(0);
    },
    180_000,
  );

  it('a rate limit holds across both processes: arrivals spread at the rate, not the sum of two', async () => {
    const file = temp.file();
    const perSecond = 10;
    const burst = 2;
    const count = 40;
    const ids = await seed(file, { rateLimit: { perSecond, burst } }, count);
    receiver.handler = (request, res) => {
      arrivedAt.set(request, Date.now());
      res.end();
    };
    const [a, b] = await startBoth(file, { claimBatchSize: 4, period: 200 });
    await Promise.all([a.waitFor((e) => e.type === 'done', 60_000), b.waitFor((e) => e.type === 'done', 60_000)]);

    expect(receiver.requests.map(idOf).sort()).toEqual(ids);
    const byA = a.events.filter((e) => e.type === 'succeeded').length;
    const byB = b.events.filter((e) => e.type === 'succeeded').length;
    expect(byA + byB).toBe(count);
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
    const times = receiver.requests.map((r) => arrivedAt.get(r)!).sort((x, y) => x - y);
    // Without the limit the 40 arrive within a fraction of a second. With it, 38 after the burst
    // take at least 3.8 s at 10/s; a second of slack for delays between grant and arrival.
    expect(times[count - 1]! - times[0]!).toBeGreaterThanOrEqual(((count - burst) / perSecond - 1) * 1000);
    // No second holds more than the rate and the burst, with generous slack for arrivals bunching up.
    let most = 0;
    for (let i = 0, j = 0; j < times.length; j++) {
      while (times[j]! - times[i]! >= 1000) i++;
      most = Math.max(most, j - i + 1);
    }
    expect(most).toBeLessThanOrEqual(perSecond + burst + 5);
  });

  it('FIFO holds across both processes, through retries and a process killed mid-delivery', async () => {
    const file = temp.file();
    const count = 30;
    const ids = await seed(file, { fifo: { onDeadLetter: 'skip' } }, count, { fifo: 'skip' });
    const attempts = new Map<string, number>();
    let open = 0;
    let maxOpen = 0;
    receiver.handler = (request, res) => {
      const id = idOf(request);
      const attempt = attempts.get(id) ?? 0;
      attempts.set(id, attempt + 1);
      maxOpen = Math.max(maxOpen, ++open);
      // Every fifth request fails its first attempt.
      setTimeout(() => {
        open--;
        res.writeHead(Number(id.slice(-3)) % 5 === 0 && attempt === 0 ? 503 : 200).end();
      }, 15);
    };
    const settings = { retrySchedule: [50], leaseDuration: 1500, timeout: 700, period: 200 };
    const [a, b] = await startBoth(file, settings);
    await receiver.waitFor(12, 30_000);
    // Kill whichever process is sending now; the other takes over the line (after the lease).
    const killed = a.events.filter((e) => e.type === 'succeeded').length >= b.events.filter((e) => e.type === 'succeeded').length ? a : b;
    const survivor = killed === a ? b : a;
    killed.child.kill('SIGKILL');
    await killed.exited;
    await survivor.waitFor((e) => e.type === 'done', 60_000);

    // In publish order: each request's attempts (and a re-send of the one in flight at the kill)
    // come together, and nothing of the line went before the one ahead of it was delivered.
    const sequence = receiver.requests.map(idOf).filter((id, i, all) => i === 0 || all[i - 1] !== id);
    expect(sequence).toEqual(ids);
    expect(maxOpen).toBe(1);
    expect(survivor.events.filter((e) => e.type === 'succeeded').length).toBeGreaterThan(0);
    const store = openSqliteStorage({ file });
    expect(await store.queue.counts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    await store.close();
  });
});
