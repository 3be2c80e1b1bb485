import pg from 'pg';
import { createHookwork, silentLogger, type HookworkSettingsInput, type Logger } from '@hookwork/core';
import { startTestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { openPostgresStorage, postgresStorage, SCHEMA_VERSION } from './index';
import { HeldRow } from './testing/row-lock';
import { withTestDatabase } from './testing/test-schema';

// A database or role set to a higher default isolation (ALTER DATABASE app SET
// default_transaction_isolation = 'serializable', a host's choice for its own transactions): hookwork's
// statements, written for READ COMMITTED, failed with serialization errors (40001) there whenever they
// met a concurrent write — an edit of a webhook another instance had just changed, publishes and claims
// under load.
const db = withTestDatabase('isolation');
const settings: HookworkSettingsInput = { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, retrySchedule: [300], retryJitter: 0, period: 60_000, timeout: 5000, stopTimeout: 2000 };

// A role of this file's own (roles are global to the server), whose sessions default to SERIALIZABLE.
const role = `hwt_iso_${process.pid}_${Date.now() % 100000}`;
const asRole = () => {
  const url = new URL(db.url);
  url.username = role;
  url.password = '';
  return url.toString();
};

/** A schema owned by the role, which hookwork creates its tables in. */
async function roleSchema(): Promise<string> {
  const schema = db.schema();
  await db.query(`CREATE SCHEMA "${schema}" AUTHORIZATION "${role}"`);
  return schema;
}

function warnings(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { ...silentLogger, lines, warn: (message: string) => void lines.push(message) };
}

describe('a server whose sessions start at READ COMMITTED (the default)', () => {
  it('gets no startup option from hookwork, so a pooler that refuses the options it does not track (PgBouncer 1.20+) still takes its connections', async () => {
    const schema = db.schema();
    const storage = await openPostgresStorage({ connectionString: db.url, schema, poolSize: 2 });
    try {
      expect(storage.pool.options.options).toBeUndefined();
    } finally {
      await storage.close();
    }
  });
});

describe('a role or database whose default isolation is SERIALIZABLE', () => {
  // In the describe: its afterAll runs before the file's, which ends the admin connection.
  beforeAll(async () => {
    await db.query(`CREATE ROLE "${role}" LOGIN`);
    await db.query(`ALTER ROLE "${role}" SET default_transaction_isolation = 'serializable'`);
  });
  afterAll(async () => {
    await db.query(`DROP OWNED BY "${role}"`);
    await db.query(`DROP ROLE "${role}"`);
  });

  it.each([
    ['', {}],
    // Options of its own in the string (Neon's endpoint=…, a search_path): node-postgres reads them over hookwork's.
    [', from a connection string with options= of its own', { options: '-c statement_timeout=0' }],
  ])('edits a webhook that another instance changed meanwhile, once that commits, instead of failing with a serialization error%s', async (_, parameters: Record<string, string>) => {
    const schema = await roleSchema();
    const logger = warnings();
    const url = new URL(asRole());
    for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
    const app = createHookwork({ composers: [thingComposer], settings, logger, storage: postgresStorage({ connectionString: url.toString(), schema, poolSize: 3 }) });
    await app.start();
    try {
      const webhook = await app.webhooks.create({ url: 'http://127.0.0.1:9/hook', events: ['thing.happened'] });
      // Another instance's edit of the same webhook, not committed yet: hookwork's write waits for it.
      const other = await HeldRow.lock(db.url, schema, webhook.key, true);
      let edited: Promise<unknown>;
      try {
        edited = app.webhooks.update(webhook.key, { description: 'renamed' }).then(() => 'edited', (error: unknown) => error);
        await other.waiters(1);
      } finally {
        await other.release();
      }
      expect(await edited).toBe('edited');
      expect((await app.webhooks.get(webhook.key))?.description).toBe('renamed');
      // hookwork's own connections run READ COMMITTED: nothing to warn of.
      expect(logger.lines.filter((line) => /isolation/.test(line))).toEqual([]);
    } finally {
      await app.stop();
    }
  });

  it('ten stores opening one new schema at once on pools of the host whose connections are SERIALIZABLE migrate it once, and all open', async () => {
    const schema = await roleSchema();
    const pools = Array.from({ length: 10 }, () => new pg.Pool({ connectionString: asRole(), max: 2 }));
    try {
      // A migration that waited for another's lock read the schema's version in a snapshot taken
      // before that one committed: it found none, ran the migrations again, and failed on the tables
      // that were there ("not hookwork's").
      const opened = await Promise.allSettled(pools.map((pool) => openPostgresStorage({ pool, schema })));
      const failed = opened.filter((result) => result.status === 'rejected').map((result) => String((result as PromiseRejectedResult).reason));
      await Promise.all(opened.map((result) => (result.status === 'fulfilled' ? result.value.close() : undefined)));
      expect(failed).toEqual([]);
      expect((await db.query<{ version: number }>(`SELECT version FROM "${schema}".schema_version`)).rows).toEqual([{ version: SCHEMA_VERSION }]);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('on a pool of the host whose connections are SERIALIZABLE: warns at start naming the fix, and still delivers', async () => {
    const schema = await roleSchema();
    const logger = warnings();
    const pool = new pg.Pool({ connectionString: asRole(), max: 3 });
    const receiver = await startTestReceiver();
    const app = createHookwork({ composers: [thingComposer], settings, logger, storage: postgresStorage({ pool, schema }) });
    try {
      await app.start();
      expect(logger.lines.join('\n')).toMatch(/start their transactions at SERIALIZABLE \(default_transaction_isolation\).*Give hookwork its own connectionString, or make this pool's connections READ COMMITTED \(the pool option options: '-c default_transaction_isolation=read\\ committed'\)/);
      await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await app.publish(new ThingHappened('one'));
      await receiver.waitFor(1, 10_000);
    } finally {
      await app.stop();
      await pool.end();
      await receiver.close();
    }
  });
});
