/**
 * A separate process running a hookwork app on a SQLite file, for the endpoint-health tests
 * with two processes. Runs as built JS (dist/test-fixtures/health-worker.js); reports JSON
 * lines on stdout (reportLine: a line written survives a SIGKILL right after).
 *
 *   node health-worker.js <file> <settings JSON>
 *
 * Reports `ready`, waits for a line on stdin, starts on the file and delivers until the whole
 * queue is drained, reporting each success (`succeeded`, with the request id and the time), each
 * failed attempt (`failed`), each warning logged (`warned`), each operator event (`operatorEvent`,
 * with its type and data) and, before `done`, the health writes made (`healthWrites`:
 * compare-and-sets, lost ones, updates). WORKER_HEALTH=compare-and-set in the environment hides the
 * health store's update() (core writes by compare-and-set alone, as with a store without one).
 */
import 'reflect-metadata';
import { createHookwork, silentLogger, type HookworkSettingsInput } from '@hookwork/core';
import { countingHealthWrites, reportLine, thingComposer, withoutHealthUpdate } from '@hookwork/core/testing';
import { sqliteStorage } from '../sqlite-storage';

const [file, settingsJson] = process.argv.slice(2);

async function main(): Promise<void> {
  const backend = sqliteStorage({ file: file!, busyTimeoutMs: 10_000, watchIntervalMs: 50 });
  const health = countingHealthWrites(process.env.WORKER_HEALTH === 'compare-and-set' ? withoutHealthUpdate(backend) : backend);
  const app = createHookwork({
    composers: [thingComposer],
    storage: health.storage,
    logger: { ...silentLogger, warn: (message: string) => reportLine({ type: 'warned', message }), error: (message: string) => reportLine({ type: 'logged-error', message }) },
    settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, retryJitter: 0, stopTimeout: 1000, ...(JSON.parse(settingsJson ?? '{}') as HookworkSettingsInput) },
  });
  app.lifecycle.on('attemptSucceeded', (attempt) => reportLine({ type: 'succeeded', id: attempt.requestId, at: Date.now() }));
  app.lifecycle.on('requestDeferred', (request) => reportLine({ type: 'deferred', id: request.requestId, reason: request.reason }));
  app.lifecycle.on('attemptFailed', (attempt) => reportLine({ type: 'failed', id: attempt.requestId }));
  app.lifecycle.on('operatorEvent', (event) => reportLine({ type: 'operatorEvent', event: event.type, data: event.data }));
  app.lifecycle.on('backgroundError', (info) => reportLine({ type: 'backgroundError', task: info.task, message: (info.error as Error)?.message }));
  reportLine({ type: 'ready' });
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  await app.start();
  await app.drain({ all: true, timeoutMs: 60_000 });
  reportLine({ type: 'drained', counts: await app.queueCounts() });
  await app.stop();
  reportLine({ type: 'healthWrites', ...health.counts });
  reportLine({ type: 'done' });
}

main().catch((error: unknown) => {
  reportLine({ type: 'error', message: (error as Error).message });
  process.exit(1);
});
