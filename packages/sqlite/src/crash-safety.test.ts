import { join } from 'node:path';
import type { NewWebhookRequest } from '@hookwork/core';
import { openSqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';
import { startWorker, type WorkerEvent, type WorkerProcess } from '@hookwork/core/testing';

// Child processes run the built worker (npm test builds first; in a dev loop: npx tsc -b packages/sqlite).
const WORKER = join(__dirname, '..', 'dist', 'test-fixtures', 'claim-worker.js');

let temp: ReturnType<typeof makeTempDir>;
const running: WorkerProcess[] = [];
beforeEach(() => (temp = makeTempDir()));
afterEach(async () => {
  for (const worker of running.splice(0)) {
    if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await worker.exited;
  }
  temp.remove();
});

function requests(count: number, prefix: string): NewWebhookRequest[] {
  const base = Date.now() - 1000;
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}${String(i).padStart(5, '0')}`,
    webhookKey: `wh-${i % 3}`,
    eventAlias: i % 2 ? 'contentPublished' : 'mediaSaved',
    body: JSON.stringify({ n: i, text: `payload ${i} ✓` }),
    createdAt: new Date(base + i),
    dueAt: new Date(base + i),
  }));
}

async function enqueue(file: string, batch: NewWebhookRequest[]): Promise<void> {
  const storage = openSqliteStorage({ file });
  for (let i = 0; i < batch.length; i += 500) await storage.queue.enqueue(batch.slice(i, i + 500));
  await storage.close();
}

function worker(...args: string[]): WorkerProcess {
  const started = startWorker(WORKER, args);
  running.push(started);
  return started;
}

async function runLoop(w: WorkerProcess): Promise<void> {
  await w.waitFor((e) => e.type === 'ready');
  w.child.stdin!.write('go\n');
}

const completedIds = (events: WorkerEvent[]) => events.filter((e) => e.type === 'completed' && e.ok === true).map((e) => e.id as string);
const claimedIds = (events: WorkerEvent[]) => events.filter((e) => e.type === 'claimed').map((e) => e.id as string);

async function integrity(file: string): Promise<unknown> {
  const storage = openSqliteStorage({ file });
  const result = storage.database.pragma('integrity_check', { simple: true });
  await storage.close();
  return result;
}

describe('crash safety with real processes on one SQLite file', () => {
  it('requests claimed by a process killed with SIGKILL are claimed again after the lease and completed exactly as enqueued', async () => {
    const file = temp.file();
    const enqueued = requests(50, 'k');
    await enqueue(file, enqueued);

    const holder = worker('hold', file, 'process-A', '20', '1500');
    const claimed = await holder.waitFor((e) => e.type === 'claimed');
    const held = claimed.ids as string[];
    expect(held).toEqual(enqueued.slice(0, 20).map((r) => r.id));
    holder.child.kill('SIGKILL');
    expect((await holder.exited).signal).toBe('SIGKILL');

    const view = openSqliteStorage({ file });
    expect(await view.queue.counts()).toEqual({ pending: 30, inFlight: 20, dead: 0 });
    expect((await view.queue.get(held[0]!))!.leaseOwner).toBe('process-A');
    await view.close();

    const successor = worker('loop', file, 'process-B', '5', '30000', '0');
    await runLoop(successor);
    await successor.waitFor((e) => e.type === 'done', 25_000);

    const completed = successor.events.filter((e) => e.type === 'completed');
    expect(completed.every((e) => e.ok === true)).toBe(true);
    expect(completed.map((e) => e.id).sort()).toEqual(enqueued.map((r) => r.id).sort());
    // The dead process's lease was honoured: none of its requests was taken before it expired.
    for (const e of successor.events.filter((e) => e.type === 'claimed' && held.includes(e.id as string))) {
      expect(e.at as number).toBeGreaterThanOrEqual(claimed.leaseExpiresAt as number);
    }
    // Delivered exactly as enqueued.
    for (const e of completed) {
      const original = enqueued.find((r) => r.id === e.id)!;
      expect(e.request).toMatchObject({
        id: original.id,
        webhookKey: original.webhookKey,
        eventAlias: original.eventAlias,
        body: original.body,
        createdAt: original.createdAt.getTime(),
        dueAt: original.dueAt.getTime(),
        attempts: 0,
      });
    }
    const after = openSqliteStorage({ file });
    expect(await after.queue.counts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    await after.close();
  });

  it('a process killed in the middle of claiming and completing leaves a sound file; a successor finishes, duplicates bounded by the claims in flight', async () => {
    const file = temp.file();
    const enqueued = requests(3000, 'h');
    await enqueue(file, enqueued);
    const batch = 20;

    const first = worker('loop', file, 'process-A', String(batch), '1000', '0');
    await runLoop(first);
    await first.waitFor((e) => e.type === 'completed' && completedIds(first.events).length >= 300);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(await integrity(file)).toBe('ok');

    const second = worker('loop', file, 'process-B', String(batch), '30000', '0');
    await runLoop(second);
    await second.waitFor((e) => e.type === 'done', 25_000);

    const byFirst = new Set(completedIds(first.events));
    const bySecond = completedIds(second.events);
    // Nothing the first process reported complete was handed out again.
    expect(bySecond.filter((id) => byFirst.has(id))).toEqual([]);
    expect(new Set(bySecond).size).toBe(bySecond.length);
    // What neither reported was completed by the first process in the instant before the kill:
    // only requests of its last claim can be in that window.
    const unreported = enqueued.map((r) => r.id).filter((id) => !byFirst.has(id) && !bySecond.includes(id));
    const claimedByFirst = claimedIds(first.events);
    expect(unreported.length).toBeLessThanOrEqual(batch);
    expect(unreported.every((id) => claimedByFirst.includes(id))).toBe(true);
    const after = openSqliteStorage({ file });
    expect(await after.queue.counts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    await after.close();
  });

  it('two processes claiming concurrently never hold the same request, and together complete every one', async () => {
    const file = temp.file();
    const enqueued = requests(1500, 'c');
    await enqueue(file, enqueued);

    // Leases far longer than the run: no request may ever be claimed twice.
    const a = worker('loop', file, 'process-A', '10', '120000', '1');
    const b = worker('loop', file, 'process-B', '10', '120000', '1');
    await Promise.all([a.waitFor((e) => e.type === 'ready'), b.waitFor((e) => e.type === 'ready')]);
    a.child.stdin!.write('go\n');
    b.child.stdin!.write('go\n');
    await Promise.all([a.waitFor((e) => e.type === 'done', 25_000), b.waitFor((e) => e.type === 'done', 25_000)]);

    const claimedA = claimedIds(a.events);
    const claimedB = claimedIds(b.events);
    const setA = new Set(claimedA);
    expect(claimedB.filter((id) => setA.has(id))).toEqual([]);
    expect(new Set([...claimedA, ...claimedB]).size).toBe(claimedA.length + claimedB.length);
    expect([...claimedA, ...claimedB].sort()).toEqual(enqueued.map((r) => r.id).sort());
    expect(claimedA.length).toBeGreaterThan(0);
    expect(claimedB.length).toBeGreaterThan(0);
    expect([...a.events, ...b.events].filter((e) => e.type === 'completed').every((e) => e.ok === true)).toBe(true);
    expect(await integrity(file)).toBe('ok');
  });
});
