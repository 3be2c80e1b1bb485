import Database from 'better-sqlite3';
import { createHookwork, type Hookwork } from '@hookwork/core';
import { expectFailureCounters, FAILURE_COUNTERS_SETTINGS, thingComposer } from '@hookwork/core/testing';
import { sqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

/**
 * The failure counters on SQLite: requests a deletion drops, health writes and delivery log writes
 * the file refuses. The store's refusals are real: triggers made on the file by another connection
 * (as an operator's mistake, or a host's own trigger, would), which SQLite raises inside the
 * app's own statements.
 */
let temp: ReturnType<typeof makeTempDir>;
const apps: Hookwork[] = [];
beforeEach(() => (temp = makeTempDir()));
afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
  temp.remove();
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
  let files = 0;
  await expectFailureCounters(async () => {
    const file = temp.file(`store-${++files}.db`);
    const app = createHookwork({ composers: [thingComposer], storage: sqliteStorage({ file }), settings: FAILURE_COUNTERS_SETTINGS, logger: { debug() {}, info() {}, warn() {}, error() {} } });
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
