import { mkdtempSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from './testing/redis-test';
import { startTestReceiver, startWorker, type ReceivedRequest, type TestReceiver, type WorkerProcess } from '@hookwork/core/testing';

// Child processes run the built worker (npm test builds first; in a dev loop: npx tsc -b packages/bullmq).
const WORKER = join(__dirname, '..', 'dist', 'test-fixtures', 'delivery-worker.js');
const webhookIdOf = (request: ReceivedRequest) => String(request.headers['webhook-id']);
const prefix = uniquePrefix('two');

describe('two processes on one Redis queue', () => {
  let dir: string;
  let receiver: TestReceiver;
  const held: ServerResponse[] = [];
  const workers: WorkerProcess[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookwork-bullmq-two-'));
    receiver = await startTestReceiver();
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await w.exited;
    }
    for (const res of held.splice(0)) res.destroy();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await deleteKeys(prefix);
  });

  it('both deliver; one SIGKILLed mid-delivery: every webhook-id arrives, duplicates only of what was in flight', async () => {
    const file = join(dir, 'hookwork.db');
    const count = 60;
    receiver.handler = (_arrival, res) => void held.push(res);
    const first = startWorker(WORKER, ['publish', file, TEST_REDIS_URL, prefix, 'two', receiver.url, String(count)]);
    workers.push(first);
    await first.waitFor((e) => e.type === 'published');
    const second = startWorker(WORKER, ['deliver', file, TEST_REDIS_URL, prefix, 'two']);
    workers.push(second);
    await second.waitFor((e) => e.type === 'started');
    // Each process has its 4 attempts (its global limit) held open by the receiver.
    await receiver.waitFor(8, 20_000);
    const enqueued = first.events.filter((e) => e.type === 'enqueued').flatMap((e) => e.ids as string[]);
    expect(enqueued).toHaveLength(count);
    const inFlightAtKill = new Set(receiver.requests.map(webhookIdOf));
    first.child.kill('SIGKILL');
    await first.exited;

    const answered: string[] = [];
    receiver.handler = (arrival, res) => {
      answered.push(webhookIdOf(arrival));
      res.writeHead(204).end();
    };
    for (const res of held.splice(0)) res.writeHead(204).end();
    const drained = await second.waitFor((e) => e.type === 'drained', 40_000);
    expect(drained.counts).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    await second.waitFor((e) => e.type === 'done');

    const arrivals = new Map<string, number>();
    for (const a of receiver.requests) arrivals.set(webhookIdOf(a), (arrivals.get(webhookIdOf(a)) ?? 0) + 1);
    expect([...arrivals.keys()].sort()).toEqual([...enqueued].sort());
    const duplicates = [...arrivals].filter(([, n]) => n > 1).map(([id]) => id);
    for (const id of duplicates) expect(inFlightAtKill).toContain(id);
    expect(Math.max(...arrivals.values())).toBeLessThanOrEqual(2);
    // The second process did deliver requests the first one enqueued.
    expect(second.events.filter((e) => e.type === 'succeeded').length).toBeGreaterThan(0);
  });
});
