/**
 * A separate process running a whole hookwork app on a SQLite file, for the end-to-end crash
 * test. Runs as built JS (dist/test-fixtures/delivery-worker.js); reports JSON lines on stdout.
 *
 *   node delivery-worker.js publish <file> <receiverUrl> <count>   create a webhook, publish, keep delivering
 *   node delivery-worker.js deliver <file> [wait]                   start on the file and deliver until drained
 *                                                                   (with `wait`: only after a line on stdin)
 *
 * WORKER_SETTINGS (JSON in the environment) overrides the settings below, e.g. a lease shorter
 * than the receiver's answer.
 */
import 'reflect-metadata';
import { reportLine, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { createHookwork } from '@hookwork/core';
import { sqliteStorage } from '../sqlite-storage';

const [mode, file, receiverUrlOrWait, countText] = process.argv.slice(2);
const emit = reportLine;

async function main(): Promise<void> {
  const app = createHookwork({
    composers: [thingComposer],
    storage: sqliteStorage({ file: file! }),
    settings: {
      ssrf: { allowInternal: false, allow: ['127.0.0.1'] },
      // A short lease, so the successor re-claims a killed process's requests quickly.
      leaseDuration: 1500,
      period: 200,
      timeout: 60_000,
      concurrency: { global: 4, perWebhook: 4 },
      retrySchedule: [100],
      retryJitter: 0,
      stopTimeout: 1000,
      ...(process.env.WORKER_SETTINGS ? (JSON.parse(process.env.WORKER_SETTINGS) as object) : {}),
    },
  });
  app.lifecycle.on('enqueued', (requests) => emit({ type: 'enqueued', ids: requests.map((r) => r.requestId) }));
  app.lifecycle.on('attemptSucceeded', (attempt) => emit({ type: 'succeeded', id: attempt.requestId }));
  if (mode === 'deliver' && receiverUrlOrWait === 'wait') {
    emit({ type: 'ready' });
    await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  }
  await app.start();
  if (mode === 'publish') {
    await app.webhooks.create({ url: receiverUrlOrWait!, events: ['thing.happened'], secret: true });
    for (let i = 0; i < Number(countText); i++) await app.publish(new ThingHappened(`n${i}`));
    emit({ type: 'published' });
    setInterval(() => {}, 60_000); // deliver until killed
    return;
  }
  // What the killed publisher left: every process's requests, not only this one's.
  await app.drain({ all: true, timeoutMs: 60_000 });
  emit({ type: 'drained', counts: await app.queueCounts() });
  await app.stop();
  emit({ type: 'done' });
}

main().catch((error: unknown) => {
  emit({ type: 'error', message: (error as Error).message });
  process.exit(1);
});
