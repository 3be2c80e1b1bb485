/**
 * A separate process running a hookwork app on a SQLite file, for the endpoint-health tests
 * with two processes. Runs as built JS (dist/test-fixtures/health-worker.js); reports JSON
 * lines on stdout (reportLine: a line written survives a SIGKILL right after).
 *
 *   node health-worker.js <file> <settings JSON>
 *
 * Reports `ready`, waits for a line on stdin, starts on the file and delivers until the whole
 * queue is drained, reporting each success (`succeeded`, with the request id and the time).
 */
import 'reflect-metadata';
import { createHookwork, type HookworkSettingsInput } from '@hookwork/core';
import { reportLine, thingComposer } from '@hookwork/core/testing';
import { sqliteStorage } from '../sqlite-storage';

const [file, settingsJson] = process.argv.slice(2);

async function main(): Promise<void> {
  const app = createHookwork({
    composers: [thingComposer],
    storage: sqliteStorage({ file: file!, busyTimeoutMs: 10_000, watchIntervalMs: 50 }),
    settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, retryJitter: 0, stopTimeout: 1000, ...(JSON.parse(settingsJson ?? '{}') as HookworkSettingsInput) },
  });
  app.lifecycle.on('attemptSucceeded', (attempt) => reportLine({ type: 'succeeded', id: attempt.requestId, at: Date.now() }));
  app.lifecycle.on('requestDeferred', (request) => reportLine({ type: 'deferred', id: request.requestId, reason: request.reason }));
  reportLine({ type: 'ready' });
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  await app.start();
  await app.drain({ all: true, timeoutMs: 60_000 });
  reportLine({ type: 'drained', counts: await app.queueCounts() });
  await app.stop();
  reportLine({ type: 'done' });
}

main().catch((error: unknown) => {
  reportLine({ type: 'error', message: (error as Error).message });
  process.exit(1);
});
