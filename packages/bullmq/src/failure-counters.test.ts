import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHookwork, type Hookwork } from '@hookwork/core';
import { expectFailureCounters, FAILURE_COUNTERS_SETTINGS, thingComposer } from '@hookwork/core/testing';
import { sqliteStorage } from '@hookwork/sqlite';
import { bullmqQueue } from './bullmq-queue';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from './testing/redis-test';

/**
 * The failure counters with the BullMQ queue on Redis (definitions, health and the delivery log in
 * a SQLite file): the deletion's drop goes through the engine's own discard, and the refusals are
 * the file's (triggers made by another connection). Each app has a queue of its own under the
 * file's prefix, whose keys are deleted after it.
 */
const prefix = uniquePrefix('failcount');
let dir: string;
const apps: Hookwork[] = [];
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'hookwork-bullmq-failcount-'))));
afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await deleteKeys(prefix);
});

/** Adds a trigger refusing every insert and update of `table` to the file. */
function refuseWrites(file: string, table: string): void {
  const db = new Database(file);
  try {
    for (const op of ['INSERT', 'UPDATE']) db.exec(`CREATE TRIGGER refuse_${op.toLowerCase()}_${table} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, 'the test refuses writes to ${table}'); END`);
  } finally {
    db.close();
  }
}

it('counts dropped requests, background errors and refused delivery log writes, each from 0', async () => {
  let made = 0;
  await expectFailureCounters(async () => {
    const file = join(dir, `store-${++made}.db`);
    const app = createHookwork({
      composers: [thingComposer],
      storage: sqliteStorage({ file }),
      queue: bullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName: `failcount${made}`, checkDurability: false }),
      settings: FAILURE_COUNTERS_SETTINGS,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    apps.push(app);
    await app.start();
    return {
      app,
      faults: {
        refuseLogWrites: async () => refuseWrites(file, 'hookwork_delivery_log'),
        refuseHealthWrites: async () => refuseWrites(file, 'hookwork_webhook_health'),
      },
    };
  });
});
