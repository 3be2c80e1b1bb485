import { join } from 'node:path';
import { createHookwork } from '@hookwork/core';
import { contractWebhook, startWorker, thingComposer, type WorkerProcess } from '@hookwork/core/testing';
import { openSqliteStorage, sqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

// Child processes run the built worker (npm test builds first; in a dev loop: npx tsc -b packages/sqlite).
const WORKER = join(__dirname, '..', 'dist', 'test-fixtures', 'delete-worker.js');

describe('a webhook deletion cut short by SIGKILL on a SQLite file', () => {
  let temp: ReturnType<typeof makeTempDir>;
  const workers: WorkerProcess[] = [];
  beforeEach(() => (temp = makeTempDir()));
  afterEach(async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await w.exited;
    }
    temp.remove();
  });

  it('leaves nothing of the deleted webhook queued once another app on the file runs its cleanup round: each request dropped and logged once', async () => {
    const file = temp.file();
    const count = 20_000;
    const store = openSqliteStorage({ file });
    await store.webhooks.create(contractWebhook('gone', { url: 'https://receiver.example/hook', events: ['thing.happened'] }));
    await store.webhooks.create(contractWebhook('kept', { url: 'https://receiver.example/other', events: ['thing.happened'] }));
    const published = new Date(Date.now() - 60_000);
    const later = new Date(Date.now() + 3_600_000); // retries waiting: delivery would not meet them for an hour
    for (let i = 0; i < count; i += 1000) {
      await store.queue.enqueue(
        Array.from({ length: 1000 }, (_, j) => ({ id: `msg_${i + j}`, webhookKey: 'gone', eventAlias: 'thing.happened', body: '{"id":"x"}', createdAt: published, dueAt: later })),
      );
    }
    await store.queue.enqueue([{ id: 'msg_kept', webhookKey: 'kept', eventAlias: 'thing.happened', body: '{"id":"k"}', createdAt: published, dueAt: later }]);
    // Half of them dead letters (retries exhausted), as a deleted failing webhook has.
    store.database.prepare("UPDATE hookwork_requests SET state = 'dead', dead_at = ? WHERE webhook_key = 'gone' AND seq % 2 = 0").run(Date.now());

    // The deletion removes them in batches after the webhook itself: killed between two batches.
    const worker = startWorker(WORKER, [file, 'gone']);
    workers.push(worker);
    await worker.waitFor((e) => e.type === 'deleting');
    const left = () => store.database.prepare("SELECT count(*) FROM hookwork_requests WHERE webhook_key = 'gone'").pluck().get() as number;
    while (left() === count) await new Promise((resolve) => setTimeout(resolve, 1));
    worker.child.kill('SIGKILL');
    await worker.exited;
    expect(worker.events.map((e) => e.type)).toEqual(['deleting']);
    expect(await store.webhooks.get('gone')).toBeUndefined();
    const leftAtKill = left();
    expect(leftAtKill).toBeGreaterThan(0); // cut short: some still queued, dead letters among them
    expect((await store.queue.listDead({ webhookKey: 'gone', limit: 1 })).total).toBeGreaterThan(0);

    const app = createHookwork({ composers: [thingComposer], storage: sqliteStorage({ file }), settings: { enabled: false } });
    await app.start();
    try {
      // The round says what it dropped (runCleanup joins the app's own first round if it began).
      expect(await app.runCleanup()).toEqual({ logEntries: 0, deadLetters: 0, droppedRequests: leftAtKill });
      // And the metrics count them, under the reason the deletion would have given.
      expect((await app.metrics.scrape()).text).toContain(`hookwork_requests_dropped_total{reason="webhook_deleted"} ${leftAtKill}\n`);
      expect(await store.queue.counts({ webhookKey: 'gone' })).toEqual({ pending: 0, inFlight: 0, dead: 0 });
      expect((await app.deadLetters()).total).toBe(0);
      // The other webhook's request is untouched.
      expect(await app.queueCounts()).toEqual({ pending: 1, inFlight: 0, dead: 0 });
    } finally {
      await app.stop();
    }
    // Every request of the deleted webhook has exactly one `dropped` entry: the killed deletion's or the cleanup's.
    const dropped = store.database.prepare("SELECT request_id, count(*) AS n FROM hookwork_delivery_log WHERE webhook_key = 'gone' AND outcome = 'dropped' GROUP BY request_id").all() as { n: number }[];
    expect(dropped).toHaveLength(count);
    expect(dropped.every((row) => row.n === 1)).toBe(true);
    await store.close();
  }, 30_000);
});
