/**
 * A separate process running an app on a SQLite file with the BullMQ queue, for the
 * two-process test. Runs as built JS (dist/test-fixtures/delivery-worker.js); reports JSON lines.
 *
 *   node delivery-worker.js publish <file> <redisUrl> <prefix> <queue> <receiverUrl> <count>   create a webhook, publish, keep delivering
 *   node delivery-worker.js deliver <file> <redisUrl> <prefix> <queue>                         deliver until the queue is drained
 */
import 'reflect-metadata';
import { createHookwork } from '@hookwork/core';
import { sqliteStorage } from '@hookwork/sqlite';
import { bullmqQueue } from '../bullmq-queue';
import { reportLine as emit, ThingHappened, thingComposer } from '@hookwork/core/testing';

const [mode, file, redisUrl, prefix, queueName, receiverUrl, countText] = process.argv.slice(2);

async function main(): Promise<void> {
  const app = createHookwork({
    composers: [thingComposer],
    storage: sqliteStorage({ file: file! }),
    queue: bullmqQueue({ connection: redisUrl!, prefix: prefix!, queueName: queueName!, checkDurability: false }),
    settings: {
      ssrf: { allowInternal: false, allow: ['127.0.0.1'] },
      // A short lease, so the other process takes a killed one's jobs quickly.
      leaseDuration: 1500,
      period: 200,
      timeout: 60_000,
      concurrency: { global: 4, perWebhook: 4 },
      stopTimeout: 1000,
    },
  });
  app.lifecycle.on('enqueued', (requests) => emit({ type: 'enqueued', ids: requests.map((r) => r.requestId) }));
  app.lifecycle.on('attemptSucceeded', (attempt) => emit({ type: 'succeeded', id: attempt.requestId }));
  await app.start();
  if (mode === 'publish') {
    await app.webhooks.create({ url: receiverUrl!, events: ['thing.happened'], secret: true });
    for (let i = 0; i < Number(countText); i++) await app.publish(new ThingHappened(`n${i}`));
    emit({ type: 'published' });
    setInterval(() => {}, 60_000); // deliver until killed
    return;
  }
  emit({ type: 'started' });
  await app.drain({ all: true, timeoutMs: 60_000 });
  emit({ type: 'drained', counts: await app.queueCounts() });
  await app.stop();
  emit({ type: 'done' });
}

main().catch((error: unknown) => {
  emit({ type: 'error', message: (error as Error).message });
  process.exit(1);
});
