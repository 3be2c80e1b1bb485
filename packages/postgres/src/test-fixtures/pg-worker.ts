/**
 * A separate process running a whole hookwork app on a PostgreSQL schema, for the multi-process
 * tests (processes.test.ts). Runs as built JS (dist/test-fixtures/pg-worker.js), uses only the
 * package's public entry, and reports JSON lines on stdout (reportLine: a line written survives a
 * SIGKILL that follows at once).
 *
 *   node pg-worker.js deliver <url> <schema> [wait]    deliver until the whole queue is drained, then stop
 *   node pg-worker.js serve <url> <schema>             deliver until killed (waits for "go" on stdin)
 *   node pg-worker.js publish <url> <schema> <receiverUrl> <count>
 *                                                      create a webhook, publish, deliver until killed
 *   node pg-worker.js start <url> <schema> <receiverUrl> <name>
 *                                                      on "go": start (migrating), create a webhook at
 *                                                      <receiverUrl>/<name>, publish <name>, drain, stop
 *   node pg-worker.js enable <url> <schema> <webhookKey>
 *                                                      enable the webhook (webhooks.update), report
 *                                                      "enabled", then stop
 *   node pg-worker.js delete <url> <schema> <webhookKey>
 *                                                      delivery off: delete the webhook (reports
 *                                                      "deleting" first), then stop
 *   node pg-worker.js outbox <url> <schema> <receiverUrl> <count>
 *                                                      delivery parked: create a webhook, publish <count>
 *                                                      in a host transaction and roll it back, then
 *                                                      publish "committed" in one that commits
 *
 * WORKER_SETTINGS (JSON in the environment) overrides the settings below. WORKER_HEALTH=
 * compare-and-set hides the health store's update() (core writes by compare-and-set alone, as with
 * a store without one). Warnings the app logs are reported (`warned`), as are operator events
 * (`operatorEvent`, with the event's type and data), failed attempts (`failed`) and, in `deliver`
 * mode before `done`, the health writes made (`healthWrites`: compare-and-sets, lost ones, updates).
 */
import 'reflect-metadata';
import pg from 'pg';
import { createHookwork, pollingQueue, silentLogger, type Logger, type QueueEngineProvider } from '@hookwork/core';
import { countingHealthWrites, reportLine, ThingHappened, thingComposer, withoutHealthUpdate } from '@hookwork/core/testing';
import { postgresStorage, type PostgresTransaction } from '../index';

const [mode, url, schema, receiverUrl, countOrName] = process.argv.slice(2);
const emit = reportLine;
const go = () => new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));

/** The built-in queue engine with delivery never started: this process only publishes. */
function parkedQueue(): QueueEngineProvider<PostgresTransaction> {
  const polling = pollingQueue<PostgresTransaction>();
  return {
    name: 'parked',
    async open(context) {
      const engine = await polling.open(context);
      engine.start = () => undefined;
      return engine;
    },
  };
}

/** Reports what the store logs at open: whether this process ran the migration. */
const logger: Logger = {
  ...silentLogger,
  info: (message: string) => {
    if (message.includes('migrated its schema')) emit({ type: 'migrated', message });
  },
  warn: (message: string) => emit({ type: 'warned', message }),
  error: (message: string) => emit({ type: 'logged-error', message }),
};

async function main(): Promise<void> {
  const backend = postgresStorage({ connectionString: url!, schema: schema!, poolSize: 4 });
  const health = countingHealthWrites(process.env.WORKER_HEALTH === 'compare-and-set' ? withoutHealthUpdate(backend) : backend);
  const app = createHookwork<PostgresTransaction>({
    composers: [thingComposer],
    storage: health.storage,
    logger,
    ...(mode === 'outbox' || mode === 'delete' ? { queue: parkedQueue() } : {}),
    settings: {
      ssrf: { allowInternal: false, allow: ['127.0.0.1'] },
      // A short lease, so a killed process's requests are taken over quickly; the sweep is short
      // too, though NOTIFY wakes the dispatchers first.
      leaseDuration: 2000,
      period: 250,
      timeout: 60_000,
      concurrency: { global: 8, perWebhook: 8 },
      retrySchedule: [100],
      retryJitter: 0,
      stopTimeout: 1000,
      ...(process.env.WORKER_SETTINGS ? (JSON.parse(process.env.WORKER_SETTINGS) as object) : {}),
    },
  });
  app.lifecycle.on('enqueued', (requests) => emit({ type: 'enqueued', ids: requests.map((r) => r.requestId) }));
  app.lifecycle.on('attemptSucceeded', (attempt) => emit({ type: 'succeeded', id: attempt.requestId }));
  app.lifecycle.on('attemptFailed', (attempt) => emit({ type: 'failed', id: attempt.requestId }));
  app.lifecycle.on('backgroundError', (info) => emit({ type: 'backgroundError', task: info.task, message: (info.error as Error)?.message }));
  app.lifecycle.on('operatorEvent', (event) => emit({ type: 'operatorEvent', event: event.type, data: event.data }));

  if (mode === 'deliver' && receiverUrl === 'wait') {
    emit({ type: 'ready' });
    await go();
  }
  if (mode === 'serve' || mode === 'start') {
    emit({ type: 'ready' });
    await go();
  }
  await app.start();
  emit({ type: 'started' });

  if (mode === 'publish') {
    await app.webhooks.create({ url: receiverUrl!, events: ['thing.happened'], secret: true });
    for (let i = 0; i < Number(countOrName); i++) await app.publish(new ThingHappened(`n${i}`));
    emit({ type: 'published' });
    setInterval(() => {}, 60_000); // deliver until killed
    return;
  }
  if (mode === 'delete') {
    emit({ type: 'deleting' });
    await app.webhooks.delete(receiverUrl!);
    emit({ type: 'deleted' });
    await app.stop();
    emit({ type: 'done' });
    return;
  }
  if (mode === 'enable') {
    await app.webhooks.update(receiverUrl!, { enabled: true });
    emit({ type: 'enabled' });
    await app.stop();
    emit({ type: 'done' });
    return;
  }
  if (mode === 'serve') {
    setInterval(() => {}, 60_000); // deliver until killed
    return;
  }
  if (mode === 'start') {
    await app.webhooks.create({ url: `${receiverUrl!.replace(/\/hook$/, '')}/${countOrName!}`, events: ['thing.happened'] });
    await app.publish(new ThingHappened(countOrName!));
    emit({ type: 'published' });
    await app.drain({ timeoutMs: 60_000 });
    await app.stop();
    emit({ type: 'done' });
    return;
  }
  if (mode === 'outbox') {
    await app.webhooks.create({ url: receiverUrl!, events: ['thing.happened'] });
    const host = new pg.Pool({ connectionString: url!, max: 1 });
    const client = await host.connect();
    try {
      await client.query('BEGIN');
      for (let i = 0; i < Number(countOrName); i++) await app.publish(new ThingHappened(`rolled-back-${i}`), { transaction: client });
      emit({ type: 'publishedInTransaction' });
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await app.publish(new ThingHappened('committed'), { transaction: client });
      await client.query('COMMIT');
    } finally {
      client.release();
      await host.end();
    }
    emit({ type: 'published' });
    await app.stop();
    emit({ type: 'done' });
    return;
  }
  // deliver: what any process left, not only this one's.
  await app.drain({ all: true, timeoutMs: 120_000 });
  emit({ type: 'drained', counts: await app.queueCounts() });
  await app.stop();
  emit({ type: 'healthWrites', ...health.counts });
  emit({ type: 'done' });
}

main().catch((error: unknown) => {
  emit({ type: 'error', message: (error as Error).message, code: (error as { code?: string }).code });
  process.exit(1);
});
