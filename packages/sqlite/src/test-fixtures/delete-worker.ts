/**
 * A separate process that deletes a webhook through a whole hookwork app on a SQLite file, for
 * the deletion-cut-short test. Runs as built JS (dist/test-fixtures/delete-worker.js); reports
 * JSON lines on stdout (reportLine: a line written is a line the test sees).
 *
 *   node delete-worker.js <file> <webhookKey>   start (delivery off), report `deleting`, delete, report `deleted`
 */
import 'reflect-metadata';
import { reportLine, thingComposer } from '@hookwork/core/testing';
import { createHookwork } from '@hookwork/core';
import { sqliteStorage } from '../sqlite-storage';

const [file, webhookKey] = process.argv.slice(2);

async function main(): Promise<void> {
  // Delivery off: the test's requests stay as it stored them until the deletion removes them.
  const app = createHookwork({ composers: [thingComposer], storage: sqliteStorage({ file: file! }), settings: { enabled: false } });
  await app.start();
  reportLine({ type: 'deleting' });
  await app.webhooks.delete(webhookKey!);
  reportLine({ type: 'deleted' });
  await app.stop();
}

main().catch((error: unknown) => {
  reportLine({ type: 'error', message: (error as Error).message });
  process.exit(1);
});
