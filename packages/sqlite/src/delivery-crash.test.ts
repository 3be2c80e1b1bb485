import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { contractWebhook } from '@hookwork/core/testing';
import { openSqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';
import { startTestReceiver as startReceiver, type ReceivedRequest, type TestReceiver as Receiver } from '@hookwork/core/testing';
import { startWorker, type WorkerProcess } from '@hookwork/core/testing';

const webhookIdOf = (request: ReceivedRequest) => String(request.headers['webhook-id']);

// Child processes run the built worker (npm test builds first; in a dev loop: npx tsc -b packages/sqlite).
const WORKER = join(__dirname, '..', 'dist', 'test-fixtures', 'delivery-worker.js');

describe('end to end: a delivering process killed with SIGKILL', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let receiver: Receiver;
  const held: ServerResponse[] = [];
  const workers: WorkerProcess[] = [];

  beforeEach(async () => {
    temp = makeTempDir();
    receiver = await startReceiver();
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await w.exited;
    }
    for (const res of held.splice(0)) res.destroy();
    await receiver.close();
    temp.remove();
  });

  it('loses nothing: a new process delivers every request, each webhook-id gets a 2xx, duplicates only of what was in flight', async () => {
    const file = temp.file();
    const count = 30;
    // The receiver holds every request open: the first process is killed while it waits.
    receiver.handler = (_arrival, res) => void held.push(res);

    const first = startWorker(WORKER, ['publish', file, receiver.url, String(count)]);
    workers.push(first);
    await first.waitFor((e) => e.type === 'published');
    await receiver.waitFor(4, 20_000); // concurrency 4: the receiver now holds 4 claimed requests
    const enqueuedIds = first.events.filter((e) => e.type === 'enqueued').flatMap((e) => e.ids as string[]);
    expect(enqueuedIds).toHaveLength(count);
    const inFlightAtKill = new Set(receiver.requests.map((a) => webhookIdOf(a)));
    first.child.kill('SIGKILL');
    await first.exited;

    // From now on the receiver answers at once; what it held dies with the killed process's sockets.
    const answered: string[] = [];
    receiver.handler = (arrival, res) => {
      answered.push(webhookIdOf(arrival));
      res.writeHead(204).end();
    };
    const second = startWorker(WORKER, ['deliver', file]);
    workers.push(second);
    const drained = await second.waitFor((e) => e.type === 'drained', 30_000);
    expect(drained.counts).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    await second.waitFor((e) => e.type === 'done');

    // Every webhook-id enqueued got a 2xx.
    expect([...new Set(answered)].sort()).toEqual([...enqueuedIds].sort());
    // Each arrived at most twice, and only those in flight when the process died arrived twice.
    const arrivals = new Map<string, number>();
    for (const a of receiver.requests) arrivals.set(webhookIdOf(a), (arrivals.get(webhookIdOf(a)) ?? 0) + 1);
    const duplicates = [...arrivals].filter(([, n]) => n > 1).map(([id]) => id);
    expect(duplicates.sort()).toEqual([...inFlightAtKill].sort());
    expect(Math.max(...arrivals.values())).toBeLessThanOrEqual(2);
    expect(receiver.requests.length).toBeLessThanOrEqual(count + inFlightAtKill.size);

    // The store agrees: nothing left, and a delivered log entry for every request.
    const store = openSqliteStorage({ file });
    const [webhook] = await store.webhooks.list();
    const log = await store.deliveryLog.list({ webhookKey: webhook!.key, limit: 1000 });
    expect(new Set(log.items.filter((e) => e.outcome === 'delivered').map((e) => e.requestId))).toEqual(new Set(enqueuedIds));
    await store.close();
  });

  it('two processes on one file both deliver, and never the same request at the same time', async () => {
    const file = temp.file();
    const count = 300;
    const store = openSqliteStorage({ file });
    await store.webhooks.create(contractWebhook('shared', { url: receiver.url, events: ['thing.happened'] }));
    const now = new Date();
    await store.queue.enqueue(
      Array.from({ length: count }, (_, i) => ({ id: `msg_${i}`, webhookKey: 'shared', eventAlias: 'thing.happened', body: JSON.stringify({ id: i }), createdAt: now, dueAt: now })),
    );
    await store.close();

    const open = new Set<string>();
    const overlapping: string[] = [];
    receiver.handler = (arrival, res) => {
      if (open.has(webhookIdOf(arrival))) overlapping.push(webhookIdOf(arrival));
      open.add(webhookIdOf(arrival));
      setTimeout(() => {
        open.delete(webhookIdOf(arrival));
        res.writeHead(200).end();
      }, 5);
    };
    const a = startWorker(WORKER, ['deliver', file, 'wait']);
    const b = startWorker(WORKER, ['deliver', file, 'wait']);
    workers.push(a, b);
    await Promise.all([a.waitFor((e) => e.type === 'ready'), b.waitFor((e) => e.type === 'ready')]);
    a.child.stdin!.write('go\n');
    b.child.stdin!.write('go\n');
    await Promise.all([a.waitFor((e) => e.type === 'done', 30_000), b.waitFor((e) => e.type === 'done', 30_000)]);

    const byA = a.events.filter((e) => e.type === 'succeeded').map((e) => e.id as string);
    const byB = b.events.filter((e) => e.type === 'succeeded').map((e) => e.id as string);
    expect(overlapping).toEqual([]);
    expect(byA.length).toBeGreaterThan(0);
    expect(byB.length).toBeGreaterThan(0);
    expect(byA.filter((id) => byB.includes(id))).toEqual([]);
    expect([...byA, ...byB].sort()).toEqual(Array.from({ length: count }, (_, i) => `msg_${i}`).sort());
    expect(receiver.requests).toHaveLength(count);
  });

  it('two processes, a lease shorter than the receiver takes to answer: the running attempt keeps its lease, one arrival', async () => {
    const file = temp.file();
    const store = openSqliteStorage({ file });
    await store.webhooks.create(contractWebhook('slow', { url: receiver.url, events: ['thing.happened'] }));
    const now = new Date();
    await store.queue.enqueue([{ id: 'msg_slow', webhookKey: 'slow', eventAlias: 'thing.happened', body: '{"id":"slow"}', createdAt: now, dueAt: now }]);
    await store.close();

    // Answers after 5 s: more than twice the 2 s lease, less than the 8 s timeout.
    receiver.handler = (_arrival, res) => void setTimeout(() => res.writeHead(200).end(), 5000);
    const env = { ...process.env, WORKER_SETTINGS: JSON.stringify({ timeout: 8000, leaseDuration: 2000, period: 100 }) };
    const a = startWorker(WORKER, ['deliver', file, 'wait'], env);
    const b = startWorker(WORKER, ['deliver', file, 'wait'], env);
    workers.push(a, b);
    await Promise.all([a.waitFor((e) => e.type === 'ready'), b.waitFor((e) => e.type === 'ready')]);
    a.child.stdin!.write('go\n');
    b.child.stdin!.write('go\n');
    await Promise.all([a.waitFor((e) => e.type === 'done', 30_000), b.waitFor((e) => e.type === 'done', 30_000)]);

    expect(receiver.requests.map(webhookIdOf)).toEqual(['msg_slow']);
    const succeeded = [...a.events, ...b.events].filter((e) => e.type === 'succeeded').map((e) => e.id);
    expect(succeeded).toEqual(['msg_slow']);
  });
});
