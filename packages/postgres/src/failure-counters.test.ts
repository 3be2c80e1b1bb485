import { createHookwork, type Hookwork } from '@hookwork/core';
import { expectFailureCounters, FAILURE_COUNTERS_SETTINGS, thingComposer } from '@hookwork/core/testing';
import { quoteIdentifier } from './postgres-connection';
import { postgresStorage } from './postgres-storage';
import { withTestDatabase } from './testing/test-schema';

/**
 * The failure counters on PostgreSQL: requests a deletion drops, health writes and delivery log
 * writes the database refuses. The refusals are real: a trigger raising an exception on the
 * table, made by another connection, inside the app's own statements. Each app has a schema of
 * its own, dropped after the file.
 */
const db = withTestDatabase('failcount');
const apps: Hookwork<unknown>[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
});

/** Adds a trigger to `schema`.`table` refusing every insert and update of it. */
async function refuseWrites(schema: string, table: string): Promise<void> {
  const s = quoteIdentifier(schema);
  await db.query(`CREATE OR REPLACE FUNCTION ${s}.refuse_writes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the test refuses writes to %', TG_TABLE_NAME; END $$`);
  await db.query(`CREATE TRIGGER refuse_writes BEFORE INSERT OR UPDATE ON ${s}.${quoteIdentifier(table)} FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_writes()`);
}

it('counts dropped requests, background errors and refused delivery log writes, each from 0', async () => {
  await expectFailureCounters(async () => {
    const schema = db.schema();
    const app = createHookwork({ composers: [thingComposer], storage: postgresStorage({ connectionString: db.url, schema, poolSize: 4 }), settings: FAILURE_COUNTERS_SETTINGS, logger: { debug() {}, info() {}, warn() {}, error() {} } });
    apps.push(app);
    await app.start();
    return {
      app,
      faults: {
        refuseLogWrites: () => refuseWrites(schema, 'delivery_log'),
        refuseHealthWrites: () => refuseWrites(schema, 'webhook_health'),
      },
    };
  });
});
