import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { createHookwork, isHookworkError, resolveToken, silentLogger, systemClock, webhookEtag, WebhookRepositoryToken, type DeliveryLogEntry, type EnqueueClaimedResult, type EnqueueResult, type Hookwork, type HookworkError, type Logger } from '@hookwork/core';
import pg from 'pg';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { closedPort, describeErrorCatalogue, headerRecord, startTestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { openPostgresStorage, postgresStorage, POSTGRES_ERRORS, SCHEMA_VERSION, type PostgresStorage, type PostgresStorageOptions } from './index';
import { withTestDatabase } from './testing/test-schema';
import { HeldRow } from './testing/row-lock';
import { claimStatement, nextDueStatement } from './postgres-request-queue';
import { quoteIdentifier } from './postgres-connection';
import { compatibleFrom, SCHEMA_COMPATIBLE_FROM } from './schema';

describeErrorCatalogue(POSTGRES_ERRORS, join(__dirname, '../../../docs/errors.md'));

const db = withTestDatabase('storage');

/** A logger that keeps its info lines. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { ...silentLogger, lines, info: (message: string) => void lines.push(message) };
}

/**
 * The version tests of a migration set a schema back to, with `requests_plain_by_webhook` dropped:
 * its next migration (6) builds an index on `requests`, which waits for a lock a host's open
 * transaction holds there (7 alters schema_version only; its store_id column stays, as a downgrade by hand leaves it).
 */
const EARLIER = 5;
const version = async (schema: string) => (await db.query<{ version: number }>(`SELECT version FROM "${schema}".schema_version`)).rows.map((r) => r.version);

describe('postgresStorage() options', () => {
  const refused = (options: unknown) => {
    try {
      postgresStorage(options as PostgresStorageOptions);
    } catch (error) {
      expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_STORAGE_OPTIONS')).toBe(true);
      return (error as Error).message;
    }
    throw new Error('postgresStorage() accepted bad options');
  };

  it('refuses bad options at once, naming each and the fix', () => {
    expect(refused(undefined)).toMatch(/options object/);
    expect(refused({})).toMatch(/either `connectionString`.*or `pool`/);
    expect(refused({ connectionString: db.url, pool: {} })).toMatch(/not both/);
    expect(refused({ connectionString: 'mysql://x' })).toMatch(/postgres:\/\//);
    expect(refused({ connectionString: db.url, shema: 'x' })).toMatch(/unknown option `shema` \(did you mean `schema`\?\).*`schema`/);
    expect(refused({ connectionString: db.url, schemaName: 'x' })).toMatch(/unknown option `schemaName` \(did you mean `schema`\?\)/);
    expect(refused({ pool: { query: 1 } })).toMatch(/pg\.Pool/);
    expect(refused({ connectionString: db.url, poolSize: 1 })).toMatch(/poolSize/);
    expect(refused({ connectionString: db.url, connectTimeoutMs: 0 })).toMatch(/connectTimeoutMs/);
    expect(refused({ connectionString: db.url, synchronousCommit: 'off' })).toMatch(/`synchronousCommit` must be "enqueue", "all" or "none"/);
  });

  it('shows a value of the wrong kind as what it is: the string "10" quoted, not as the number it looks like', () => {
    expect(refused({ connectionString: db.url, poolSize: '10' })).toMatch(/`poolSize` must be a whole number from 2 to 1000; got "10"$/);
    expect(refused({ connectionString: db.url, connectTimeoutMs: '5000' })).toMatch(/; got "5000"$/);
  });

  it('refuses a schema name that is not a plain identifier', () => {
    for (const schema of ['', '1st', 'a-b', 'a b', 'a"b', 'x'.repeat(51), 'pg_hooks', 'Pg_x', 'hooks;drop', 42]) {
      expect(refused({ connectionString: db.url, schema })).toMatch(/`schema` must be a plain identifier/);
    }
  });

  it('start() fails with HOOKWORK_ERR_STORAGE_OPEN_FAILED naming the server when it cannot be reached', async () => {
    const port = await closedPort();
    const app = createHookwork({ composers: [thingComposer], storage: postgresStorage({ connectionString: `postgres://postgres@127.0.0.1:${port}/test`, connectTimeoutMs: 2000 }) });
    const error = await app.start().then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_STORAGE_OPEN_FAILED')).toBe(true);
    expect((error as Error).message).toContain(`127.0.0.1:${port}/test`);
    expect((error as Error).message).toMatch(/connection string/);
  });

  it('names the server as node-postgres reaches it: the database of the user\'s name when none is given, a socket directory given as ?host=', async () => {
    const port = await closedPort();
    const startWith = async (connectionString: string): Promise<string> => {
      const app = createHookwork({ composers: [thingComposer], storage: postgresStorage({ connectionString, connectTimeoutMs: 2000 }) });
      return app.start().then(() => '', (e: unknown) => (e as Error).message);
    };
    // It said "PostgreSQL 127.0.0.1:…/ (schema …)": no hint that it went to the database "hookwork_probe".
    expect(await startWith(`postgres://hookwork_probe@127.0.0.1:${port}`)).toContain(`PostgreSQL 127.0.0.1:${port}/hookwork_probe (schema "hookwork")`);
    // It said "localhost:5432", not the socket directory it tried.
    expect(await startWith(`postgres://hookwork_probe@/test?host=/nonexistent/hookwork-socket-dir&port=${port}`)).toContain(`PostgreSQL /nonexistent/hookwork-socket-dir:${port}/test (schema "hookwork")`);
  });

  it('start() asking for SSL of a server without it names where the SSL request comes from and how to drop it', async () => {
    // A server without SSL answers the SSLRequest (8 bytes) with a single 'N', as PostgreSQL does.
    const server = createServer((socket) => socket.once('data', () => socket.end('N')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const app = createHookwork({ composers: [thingComposer], storage: postgresStorage({ connectionString: `postgres://postgres@127.0.0.1:${port}/test?ssl=true`, connectTimeoutMs: 2000 }) });
      const error = await app.start().then(() => undefined, (e: unknown) => e);
      expect(isHookworkError(error, 'HOOKWORK_ERR_STORAGE_OPEN_FAILED')).toBe(true);
      expect((error as Error).message).toContain(`PostgreSQL 127.0.0.1:${port}/test (schema "hookwork") refused SSL while connecting (error: The server does not support SSL connections); the connection string asks for it (sslmode=require or another sslmode, ssl=true): remove that to connect without SSL, or turn SSL on in the server`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('start() tells a refused login and a missing database apart from an unreachable server', async () => {
    const startWith = async (mutate: (url: URL) => void): Promise<unknown> => {
      const url = new URL(db.url);
      mutate(url);
      const app = createHookwork({ composers: [thingComposer], storage: postgresStorage({ connectionString: url.toString(), connectTimeoutMs: 2000 }) });
      return app.start().then(() => undefined, (e: unknown) => e);
    };
    const noRole = await startWith((url) => { url.username = 'hookwork_no_such_role'; });
    expect(isHookworkError(noRole, 'HOOKWORK_ERR_STORAGE_OPEN_FAILED')).toBe(true);
    expect((noRole as Error).message).toMatch(/refused the connection .*check the user and password/);
    const noDatabase = await startWith((url) => { url.pathname = '/hookwork_no_such_database'; });
    expect(isHookworkError(noDatabase, 'HOOKWORK_ERR_STORAGE_OPEN_FAILED')).toBe(true);
    expect((noDatabase as Error).message).toMatch(/refused the connection .*create the database/);
  });
});

describe('a pool of the host', () => {
  it('an ended pool fails start() saying it was ended, and one ended while the app runs says so too', async () => {
    const ended = new pg.Pool({ connectionString: db.url });
    await ended.end();
    const refused = createHookwork({ composers: [thingComposer], logger: silentLogger, storage: postgresStorage({ pool: ended, schema: db.schema() }) });
    const error = await refused.start().then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_STORAGE_OPEN_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/the `pool` given to postgresStorage\(\) was ended \(pool\.end\(\)\); give an open pool, and end it only after app\.stop\(\)/);

    const pool = new pg.Pool({ connectionString: db.url, max: 4 });
    const app = createHookwork({ composers: [thingComposer], logger: silentLogger, storage: postgresStorage({ pool, schema: db.schema() }) });
    await app.start();
    try {
      await pool.end(); // the wrong order: the host's pool before app.stop()
      const lost = await app.webhooks.list().then(() => undefined, (e: unknown) => e);
      expect(isHookworkError(lost, 'HOOKWORK_ERR_STORAGE')).toBe(true);
      expect((lost as Error).message).toMatch(/the pool was ended \(pool\.end\(\)\) while hookwork still uses it.*end your pool only after app\.stop\(\)/);
    } finally {
      await app.stop();
    }
  });

  it("twelve apps on one pool of the host (a schema per tenant) stay within the pool's listener limit, and give it back as they were", async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 24 });
    const receiver = await startTestReceiver();
    const apps = Array.from({ length: 12 }, () =>
      createHookwork({ composers: [thingComposer], logger: silentLogger, settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] } }, storage: postgresStorage({ pool, schema: db.schema() }) }),
    );
    try {
      await Promise.all(apps.map((app) => app.start()));
      // Node warns (MaxListenersExceededWarning, "Possible EventEmitter memory leak detected. 11 error
      // listeners added to [BoundPool]") as soon as an emitter has more listeners than its limit:
      // each app's listener used to count against the host's 10.
      expect(pool.listenerCount('error')).toBe(12);
      expect(pool.listenerCount('error')).toBeLessThanOrEqual(pool.getMaxListeners());
      for (const [index, app] of apps.entries()) await app.webhooks.create({ url: `${receiver.url}?tenant=${index}`, events: ['thing.happened'] });
      await Promise.all(apps.map((app, index) => app.publish(new ThingHappened(`tenant ${index}`))));
      await Promise.all(apps.map((app) => app.drain({ timeoutMs: 20_000 })));
      expect(receiver.requests.map((request) => request.path).sort()).toEqual(apps.map((_app, index) => `/hook?tenant=${index}`).sort());
    } finally {
      await Promise.all(apps.map((app) => app.stop()));
      await receiver.close();
    }
    expect([pool.listenerCount('error'), pool.getMaxListeners()]).toEqual([0, 10]);
    await pool.end();
  });

  it('a schema that already holds a table of the host with a name hookwork needs is refused at start, naming the fix, and left as it was', async () => {
    const schema = db.schema();
    await db.query(`CREATE SCHEMA "${schema}"`);
    await db.query(`CREATE TABLE "${schema}".webhooks (id integer PRIMARY KEY, target text)`);
    await db.query(`INSERT INTO "${schema}".webhooks VALUES (1, 'the host''s own')`);
    const app = createHookwork({ composers: [thingComposer], logger: silentLogger, storage: postgresStorage({ connectionString: db.url, schema }) });
    const error = await app.start().then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_STORAGE_OPEN_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/already holds something of the name hookwork needs \(relation "webhooks" already exists\).*set postgresStorage\(\{ schema \}\) to a new name/);
    const tables = await db.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]);
    expect(tables.rows.map((r) => r.table_name)).toEqual(['webhooks']);
    expect((await db.query(`SELECT target FROM "${schema}".webhooks`)).rows).toEqual([{ target: "the host's own" }]);
  });
});

describe('values PostgreSQL text cannot hold', () => {
  it('a key with U+0000 is HOOKWORK_ERR_INVALID_ARGUMENT (bad input, shown escaped), not a store failure', async () => {
    const app = createHookwork({ composers: [thingComposer], logger: silentLogger, storage: postgresStorage({ connectionString: db.url, schema: db.schema() }) });
    await app.start();
    try {
      for (const call of [() => app.webhooks.get('a\u0000b'), () => app.webhooks.delete('a\u0000b'), () => app.logs('a\u0000b')]) {
        const error = await call().then(() => undefined, (e: unknown) => e);
        expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_ARGUMENT')).toBe(true);
        expect((error as Error).message).toMatch(/holds U\+0000 \(NUL\) at index 1, which PostgreSQL text cannot hold/);
        expect((error as Error).message).not.toContain('\u0000');
      }
    } finally {
      await app.stop();
    }
  });
});

describe('migrations', () => {
  it('ten stores opening an empty schema at once migrate it once, and all open', async () => {
    const schema = db.schema();
    const loggers = Array.from({ length: 10 }, recordingLogger);
    const stores = await Promise.all(loggers.map((logger) => openPostgresStorage({ connectionString: db.url, schema, poolSize: 2 }, { logger, clock: systemClock })));
    try {
      const migrated = loggers.flatMap((l) => l.lines).filter((line) => /migrated its schema from version 0/.test(line));
      expect(migrated).toHaveLength(1);
      expect(await version(schema)).toEqual([SCHEMA_VERSION]);
      // Every store works on the one schema.
      await stores[0]!.webhooks.create({ key: 'w', url: 'https://example.com/', events: ['a'], enabled: true, headers: {}, secrets: [], createdAt: new Date(), updatedAt: new Date() } as never);
      expect(await Promise.all(stores.map((s) => s.webhooks.count()))).toEqual(Array(10).fill(1));
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  describe('the store\'s id (Storage.id), kept in the schema', () => {
    const UUID = /^postgres:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const storedId = async (schema: string) => (await db.query<{ store_id: string | null }>(`SELECT store_id FROM "${schema}".schema_version`)).rows[0]!.store_id;
    const serverOf = async () => (await db.query<{ name: string; server: string }>('SELECT current_database() AS name, (SELECT system_identifier::text FROM pg_control_system()) AS server')).rows[0]!;
    /** A pool whose server answers `pg_control_system()` with `answer`: another cluster (pg_upgrade, a restore, a failover), or a refusal. */
    const poolAnswering = (answer: 'refused' | string) =>
      new (class extends pg.Pool {
        override query(...args: unknown[]): never {
          if (typeof args[0] === 'string' && args[0].includes('pg_control_system')) {
            return (answer === 'refused'
              ? Promise.reject(Object.assign(new Error('permission denied for function pg_control_system'), { code: '42501' }))
              : Promise.resolve({ rows: [{ id: answer }] })) as never;
          }
          return (super.query as (...a: unknown[]) => never)(...args);
        }
      })({ connectionString: db.url, max: 2 });

    it('is a random id made with the schema, the same for every open by any host name, another for another schema; formerIds are the ids of builds before', async () => {
      const [schema, other] = [db.schema(), db.schema()];
      const url = new URL(db.url);
      const byAnotherName = Object.assign(new URL(db.url), { hostname: url.hostname === 'localhost' ? '127.0.0.1' : 'localhost' }).toString();
      const logger = recordingLogger();
      const stores = [await openPostgresStorage({ connectionString: db.url, schema }, { logger, clock: systemClock })];
      stores.push(await openPostgresStorage({ connectionString: byAnotherName, schema }), await openPostgresStorage({ connectionString: db.url, schema: other }));
      try {
        const id = stores[0]!.id!;
        expect(id).toMatch(UUID);
        expect(id).toBe(`postgres:${await storedId(schema)}`);
        expect(logger.lines).toEqual([expect.stringContaining(`migrated its schema from version 0 to ${SCHEMA_VERSION}; its id is ${id}`)]);
        expect(stores.map((store) => store.id)).toEqual([id, id, expect.stringMatching(UUID)]);
        expect(stores[2]!.id).not.toBe(id);
        // What builds before recorded: server (the cluster's system identifier), database and schema; before that database and schema.
        const { name: database, server } = await serverOf();
        expect(stores[0]!.formerIds).toEqual([`postgres:${server}/${database}/${schema}`, `postgres:${database}/${schema}`]);
      } finally {
        await Promise.all(stores.map((store) => store.close()));
      }
    });

    it('stays the same when the server is another cluster (pg_upgrade, a restore, a failover: another system identifier) or does not say (host:port)', async () => {
      const schema = db.schema();
      const first = await openPostgresStorage({ connectionString: db.url, schema });
      const id = first.id;
      await first.close();
      const { name: database } = await serverOf();
      const url = new URL(db.url);
      for (const [answer, server] of [['7301234567890123456', '7301234567890123456'], ['refused', `${url.hostname}:${url.port || 5432}`]] as const) {
        const pool = poolAnswering(answer);
        const store = await openPostgresStorage({ pool, schema });
        try {
          expect(store.id).toBe(id);
          expect(store.formerIds).toEqual([`postgres:${server}/${database}/${schema}`, `postgres:${database}/${schema}`]);
        } finally {
          await store.close();
          await pool.end();
        }
      }
    });

    it('is given at the first start of this build to a schema of the version before (6), in the migration, and kept; a downgrade by hand that keeps the column keeps it', async () => {
      const schema = db.schema();
      await (await openPostgresStorage({ connectionString: db.url, schema })).close();
      // Version 6 as its builds left the schema: no store_id column.
      await db.query(`ALTER TABLE "${schema}".schema_version DROP COLUMN store_id`);
      await db.query(`UPDATE "${schema}".schema_version SET version = $1`, [SCHEMA_VERSION - 1]);
      const logger = recordingLogger();
      const upgraded = await openPostgresStorage({ connectionString: db.url, schema }, { logger, clock: systemClock });
      const id = upgraded.id!;
      await upgraded.close();
      expect(id).toMatch(UUID);
      expect(logger.lines).toEqual([expect.stringContaining(`migrated its schema from version ${SCHEMA_VERSION - 1} to ${SCHEMA_VERSION}; its id is ${id}`)]);
      expect((await db.query(`SELECT version, compatible_from, store_id FROM "${schema}".schema_version`)).rows).toEqual([{ version: SCHEMA_VERSION, compatible_from: SCHEMA_COMPATIBLE_FROM, store_id: id.slice('postgres:'.length) }]);
      // docs/storage.md's downgrade leaves the column: migrated forward again, the store keeps its id.
      await db.query(`UPDATE "${schema}".schema_version SET version = $1`, [SCHEMA_VERSION - 1]);
      const again = await openPostgresStorage({ connectionString: db.url, schema });
      expect(again.id).toBe(id);
      await again.close();
      expect(await version(schema)).toEqual([SCHEMA_VERSION]);
    });

    it('is made again when store_id was emptied (docs/storage.md, a copy run as a second store), once, saying so', async () => {
      const schema = db.schema();
      const first = await openPostgresStorage({ connectionString: db.url, schema });
      const id = first.id;
      await first.close();
      await db.query(`UPDATE "${schema}".schema_version SET store_id = NULL`);
      const warnings: string[] = [];
      const logger = { ...silentLogger, warn: (line: string) => void warnings.push(line) };
      const stores = await Promise.all([0, 1, 2].map(() => openPostgresStorage({ connectionString: db.url, schema }, { logger, clock: systemClock })));
      try {
        const renamed = stores[0]!.id;
        expect(renamed).toMatch(UUID);
        expect(renamed).not.toBe(id);
        // Three starts at once: one makes it (under the migration's lock), the others read it.
        expect(stores.map((store) => store.id)).toEqual([renamed, renamed, renamed]);
        expect(warnings).toEqual([expect.stringMatching(/had no id \(schema_version\.store_id was empty\): it was given a new one, postgres:[0-9a-f-]+, so a BullMQ queue that recorded the one it had refuses its apps/)]);
        expect(await storedId(schema)).toBe(renamed!.slice('postgres:'.length));
      } finally {
        await Promise.all(stores.map((store) => store.close()));
      }
    });
  });

  it('opening a current schema again changes nothing', async () => {
    const schema = db.schema();
    await (await openPostgresStorage({ connectionString: db.url, schema })).close();
    const logger = recordingLogger();
    await (await openPostgresStorage({ connectionString: db.url, schema }, { logger, clock: systemClock })).close();
    expect(logger.lines.join('\n')).toMatch(new RegExp(`opened .* \\(schema version ${SCHEMA_VERSION}\\)`));
    expect(await version(schema)).toEqual([SCHEMA_VERSION]);
  });

  describe('a schema written by a newer version (a rollback, an older instance in a rolling deploy)', () => {
    /** A schema this build made, then moved by hand to what a newer build would leave: version V + 1 with `floor`, plus an additive change. */
    const newerSchema = async (floor: number | null) => {
      const schema = db.schema();
      await (await openPostgresStorage({ connectionString: db.url, schema })).close();
      await db.query(`CREATE TABLE "${schema}".future (id integer PRIMARY KEY)`);
      await db.query(`UPDATE "${schema}".schema_version SET version = $1, compatible_from = $2`, [SCHEMA_VERSION + 1, floor]);
      return schema;
    };
    /** Everything in the schema (tables, indexes, sequences, functions, triggers) and its version row, to compare before and after. */
    const contents = async (schema: string) => ({
      relations: (await db.query(`SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1`, [schema])).rows,
      functions: (await db.query(`SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 ORDER BY 1`, [schema])).rows,
      triggers: (await db.query(`SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1`, [schema])).rows,
      version: (await db.query(`SELECT version, compatible_from, migrated_at FROM "${schema}".schema_version`)).rows,
    });

    it('opens it unmigrated when its floor is this version or lower, saying so, and works on it', async () => {
      const schema = await newerSchema(SCHEMA_VERSION);
      const before = await contents(schema);
      const warnings: string[] = [];
      const app = createHookwork({ composers: [thingComposer], logger: { ...silentLogger, warn: (line: string) => void warnings.push(line) }, storage: postgresStorage({ connectionString: db.url, schema }) });
      await app.start();
      try {
        expect(warnings).toEqual(expect.arrayContaining([expect.stringContaining(`at schema version ${SCHEMA_VERSION + 1}, newer than this @hookwork/postgres's ${SCHEMA_VERSION}, without migrating`)]));
        await app.webhooks.create({ key: 'w', url: 'https://example.com/', events: ['thing.happened'] });
        expect((await app.webhooks.list()).items.map((webhook) => webhook.key)).toEqual(['w']);
      } finally {
        await app.stop();
      }
      expect(await contents(schema)).toEqual(before);
    });

    it('refuses it with HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW naming the floor when the floor is higher, creating nothing', async () => {
      const schema = await newerSchema(SCHEMA_VERSION + 1);
      const before = await contents(schema);
      const app = createHookwork({ composers: [thingComposer], storage: postgresStorage({ connectionString: db.url, schema }) });
      const error = await app.start().then(() => undefined, (e: unknown) => e);
      expect(isHookworkError(error, 'HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW')).toBe(true);
      expect((error as Error).message).toMatch(
        new RegExp(`schema version ${SCHEMA_VERSION + 1}, .*may be opened by versions that know schema ${SCHEMA_VERSION + 1} or later; this version knows up to ${SCHEMA_VERSION}\\. Nothing was changed\\. Upgrade @hookwork/postgres`),
      );
      expect(await contents(schema)).toEqual(before);
    });

    it('refuses one that records no floor (as every build before floors wrote), creating nothing', async () => {
      const schema = await newerSchema(null);
      const before = await contents(schema);
      const error = await openPostgresStorage({ connectionString: db.url, schema }).then(() => undefined, (e: unknown) => e);
      expect(isHookworkError(error, 'HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW')).toBe(true);
      expect((error as Error).message).toContain('does not say that an older version may open it');
      expect(await contents(schema)).toEqual(before);
    });
  });

  it('records the floor when it migrates a schema from before floors, adding the column', async () => {
    const schema = db.schema();
    await (await openPostgresStorage({ connectionString: db.url, schema })).close();
    // As an earlier release left it: no column, and the last migration not run.
    await db.query(`ALTER TABLE "${schema}".schema_version DROP COLUMN compatible_from`);
    await db.query(`DROP INDEX "${schema}".requests_plain_by_webhook`);
    await db.query(`UPDATE "${schema}".schema_version SET version = $1`, [EARLIER]);
    await (await openPostgresStorage({ connectionString: db.url, schema })).close();
    expect((await db.query(`SELECT version, compatible_from FROM "${schema}".schema_version`)).rows).toEqual([{ version: SCHEMA_VERSION, compatible_from: SCHEMA_COMPATIBLE_FROM }]);
  });

  it('a schema whose version was set back by hand without undoing the newer tables is refused saying so, not as tables of the host to move away from, and left as it was', async () => {
    const schema = db.schema();
    await (await openPostgresStorage({ connectionString: db.url, schema })).close();
    // A downgrade by hand (docs/storage.md, upgrading) of which only the last line ran.
    await db.query(`UPDATE "${schema}".schema_version SET version = 2 WHERE id = 1`);
    const error = await openPostgresStorage({ connectionString: db.url, schema }).then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_STORAGE_OPEN_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/records schema version 2, but its tables are not what version 2 made: migrating it to \d+ failed \(.*already exists\), so a downgrade by hand set the version back without undoing all of what the newer versions made .* Finish the downgrade as docs\/storage\.md \(upgrading\) lists it for version 2, or set schema_version back to the version the tables are at/);
    // Not told its own tables are the host's, nor to move to a new schema (leaving its queue behind).
    expect((error as Error).message).not.toMatch(/not hookwork's|new name/);
    expect(await version(schema)).toEqual([2]);
  });

  it('a schema whose schema_version row is missing (the table there, empty) is refused as hookwork\'s with its version row gone, not as the host\'s tables, and the fix it gives works', async () => {
    const schema = db.schema();
    await (await openPostgresStorage({ connectionString: db.url, schema })).close();
    // A migration run by hand that stopped before its last line, or the row deleted by hand.
    await db.query(`DELETE FROM "${schema}".schema_version`);
    const error = await openPostgresStorage({ connectionString: db.url, schema }).then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_STORAGE_OPEN_FAILED')).toBe(true);
    const message = (error as Error).message;
    expect(message).toMatch(/holds hookwork's tables \(.*already exists\), but its schema_version table has no version row: a migration run by hand failed or stopped short, or the row was deleted by hand .*nothing was changed\. Put the row back with the version the tables are at/);
    // Not told its own tables are the host's, nor to move to a new schema (leaving its queue behind).
    expect(message).not.toMatch(/not hookwork's|new name/);
    expect(await version(schema)).toEqual([]);
    // The statement it gives, run as given, lets the next start open the schema.
    const statement = /INSERT INTO .*?\)(?= — then start again)/.exec(message)?.[0];
    expect(statement).toContain(`VALUES (1, ${SCHEMA_VERSION}, now(), ${SCHEMA_COMPATIBLE_FROM})`);
    await db.query(statement!);
    await (await openPostgresStorage({ connectionString: db.url, schema })).close();
    expect(await version(schema)).toEqual([SCHEMA_VERSION]);
  });

  it('a migration behind a host transaction left open waits without stalling other writers, names the holder, and runs once it ends', async () => {
    const schema = db.schema();
    await (await openPostgresStorage({ connectionString: db.url, schema })).close();
    await db.query(`DROP INDEX "${schema}".requests_plain_by_webhook`);
    await db.query(`UPDATE "${schema}".schema_version SET version = $1`, [EARLIER]);
    // A host's transaction that wrote to the requests table (as a publish in it does) and stays open.
    const host = new pg.Client({ connectionString: db.url, application_name: 'the-host' });
    const writer = new pg.Client({ connectionString: db.url });
    await Promise.all([host.connect(), writer.connect()]);
    try {
      await host.query('BEGIN');
      await host.query(`LOCK TABLE "${schema}".requests IN ROW EXCLUSIVE MODE`);
      const warnings: string[] = [];
      const logger = { ...silentLogger, warn: (message: string) => void warnings.push(message) };
      let opened = false;
      const opening = openPostgresStorage({ connectionString: db.url, schema }, { logger, clock: systemClock }).then((storage) => {
        opened = true;
        return storage;
      });
      for (const deadline = Date.now() + 20_000; warnings.length === 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(warnings[0]).toMatch(new RegExp(`the migration of .* from schema version ${EARLIER} to ${SCHEMA_VERSION} waits for locks other transactions hold on its tables: pid ${(host as unknown as { processID: number }).processID} \\(idle in transaction, in a transaction since .*application "the-host"\\)`));
      // While it waits, another session can write to the same table: between its tries the migration
      // holds no lock request (a CREATE INDEX waiting in the lock queue held every write behind it,
      // for as long as the host's transaction stayed open). NOWAIT: a write that would queue fails.
      let written = false;
      for (let i = 0; i < 50 && !written; i++) {
        await writer.query('BEGIN');
        written = await writer.query(`LOCK TABLE "${schema}".requests IN ROW EXCLUSIVE MODE NOWAIT`).then(() => true, () => false);
        await writer.query('ROLLBACK');
        if (!written) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(written).toBe(true);
      expect(opened).toBe(false);
      expect(await version(schema)).toEqual([EARLIER]);
      await host.query('COMMIT');
      await (await opening).close();
      expect(await version(schema)).toEqual([SCHEMA_VERSION]);
    } finally {
      await host.end();
      await writer.end();
    }
  });

  it('a migration under a statement_timeout of the role (shorter than its lock waits) waits behind a host transaction and runs once it ends, instead of failing every start', async () => {
    const schema = db.schema();
    await (await openPostgresStorage({ connectionString: db.url, schema })).close();
    await db.query(`DROP INDEX "${schema}".requests_plain_by_webhook`);
    await db.query(`UPDATE "${schema}".schema_version SET version = $1`, [EARLIER]);
    const host = new pg.Client({ connectionString: db.url });
    await host.connect();
    try {
      await host.query('BEGIN');
      await host.query(`LOCK TABLE "${schema}".requests IN ROW EXCLUSIVE MODE`);
      // As ALTER ROLE app SET statement_timeout = … sets it for the app's queries.
      const url = new URL(db.url);
      url.searchParams.set('options', '-c statement_timeout=300');
      const warnings: string[] = [];
      const logger = { ...silentLogger, warn: (message: string) => void warnings.push(message) };
      let settled = false;
      const opening = openPostgresStorage({ connectionString: url.toString(), schema }, { logger, clock: systemClock }).then(
        (storage) => storage,
        (error: unknown) => error as Error,
      );
      void opening.then(() => (settled = true));
      for (const deadline = Date.now() + 20_000; warnings.length === 0 && !settled && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
      // It waits, saying for whom (it failed with 57014, canceling statement due to statement timeout).
      expect(settled).toBe(false);
      expect(warnings[0]).toMatch(/waits for locks other transactions hold on its tables/);
      await host.query('COMMIT');
      const storage = await opening;
      expect(storage).not.toBeInstanceOf(Error);
      await (storage as Awaited<ReturnType<typeof openPostgresStorage>>).close();
      expect(await version(schema)).toEqual([SCHEMA_VERSION]);
    } finally {
      await host.end();
    }
  });

  it('a migration waiting behind a host transaction whose connection the server ends between tries fails start with a coded error, not the process', async () => {
    const schema = db.schema();
    await (await openPostgresStorage({ connectionString: db.url, schema })).close();
    await db.query(`DROP INDEX "${schema}".requests_plain_by_webhook`);
    await db.query(`UPDATE "${schema}".schema_version SET version = $1`, [EARLIER]);
    const host = new pg.Client({ connectionString: db.url });
    await host.connect();
    const name = `hwt-migrating-${process.pid}`;
    try {
      await host.query('BEGIN');
      await host.query(`LOCK TABLE "${schema}".requests IN ROW EXCLUSIVE MODE`);
      // Told as the try ends, before its pause: the connection, held and idle there, is ended then
      // (pg_terminate_backend; a server's fast shutdown ends it alike). Nothing listened to it:
      // the 'error' it emitted ended the process.
      let terminated: Promise<unknown> | undefined;
      const logger = { ...silentLogger, warn: () => void (terminated ??= db.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [name])) };
      const error = await openPostgresStorage({ connectionString: `${db.url}?application_name=${name}`, schema }, { logger, clock: systemClock }).then(
        (storage) => storage.close(),
        (e: unknown) => e,
      );
      expect(((await terminated) as { rowCount: number }).rowCount).toBe(1);
      expect(isHookworkError(error) && error.code).toBe('HOOKWORK_ERR_STORAGE_OPEN_FAILED');
      expect((error as Error).message).toContain(schema);
      expect(await version(schema)).toEqual([EARLIER]);
      await host.query('COMMIT');
      await (await openPostgresStorage({ connectionString: db.url, schema })).close();
      expect(await version(schema)).toEqual([SCHEMA_VERSION]);
    } finally {
      await host.end();
    }
  });

  it('gives each migration a floor no higher than its own version and never lower than the one before', () => {
    let previous = 1;
    for (let v = 1; v <= SCHEMA_VERSION; v++) {
      const floor = compatibleFrom(v)!;
      expect(floor).toBeGreaterThanOrEqual(previous);
      expect(floor).toBeLessThanOrEqual(v);
      previous = floor;
    }
    // 3-6 added a table, a trigger that only notifies, and indexes: 2's instances kept working beside them.
    expect(SCHEMA_COMPATIBLE_FROM).toBe(2);
  });

  it('keeps its tables in the schema it is given, quoted (mixed case), apart from another schema', async () => {
    const lower = db.schema();
    const mixed = db.schema('mixed');
    const a = await openPostgresStorage({ connectionString: db.url, schema: lower });
    const b = await openPostgresStorage({ connectionString: db.url, schema: mixed });
    try {
      await a.queue.enqueue([{ id: 'only-in-a', webhookKey: 'w', eventAlias: 'e', body: '{}', createdAt: new Date(), dueAt: new Date() }]);
      expect(await a.queue.counts()).toEqual({ pending: 1, inFlight: 0, dead: 0 });
      expect(await b.queue.counts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
      expect((await db.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [mixed])).rowCount).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('roles and grants', () => {
  // A role of this file's own (roles are global to the server): created here, dropped here.
  const role = `hwt_role_${process.pid}_${Date.now() % 100000}`;
  const asRole = () => {
    const url = new URL(db.url);
    url.username = role;
    url.password = '';
    return url.toString();
  };
  /** A schema of its own, migrated by the owner, with the docs' grants to the role (the sequences' USAGE only when asked). */
  const ownerMigrated = async (grants: { sequences: boolean }) => {
    const schema = db.schema();
    await (await openPostgresStorage({ connectionString: db.url, schema })).close();
    await db.query(`GRANT USAGE ON SCHEMA "${schema}" TO "${role}"`);
    await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${schema}" TO "${role}"`);
    if (grants.sequences) await db.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA "${schema}" TO "${role}"`);
    return schema;
  };
  beforeAll(() => db.query(`CREATE ROLE "${role}" LOGIN`));
  afterAll(async () => {
    await db.query(`DROP OWNED BY "${role}"`);
    await db.query(`DROP ROLE "${role}"`);
  });

  it('a role with the docs\' grants makes an emptied store_id again (a copy given an id of its own), which needs no CREATE on the schema', async () => {
    const schema = await ownerMigrated({ sequences: true });
    const original = (await db.query<{ store_id: string }>(`SELECT store_id FROM "${schema}".schema_version`)).rows[0]!.store_id;
    await db.query(`UPDATE "${schema}".schema_version SET store_id = NULL`);
    const storage = await openPostgresStorage({ connectionString: asRole(), schema });
    try {
      expect(storage.id).toMatch(/^postgres:[0-9a-f-]{36}$/);
      expect(storage.id).not.toBe(`postgres:${original}`);
    } finally {
      await storage.close();
    }
  });

  it('a role that may not create the schema gets HOOKWORK_ERR_STORAGE_PERMISSION_DENIED at start, naming the grants', async () => {
    const app = createHookwork({ composers: [thingComposer], storage: postgresStorage({ connectionString: asRole(), schema: db.schema() }) });
    const error = await app.start().then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_STORAGE_PERMISSION_DENIED' as never)).toBe(true);
    expect((error as Error).message).toMatch(new RegExp(`permission denied while reading or migrating its schema \\(permission denied for database test\\); the schema does not exist and this role may not create it: GRANT CREATE ON DATABASE test TO ${role}, or create it for the app: CREATE SCHEMA hwt_\\w+ AUTHORIZATION ${role}`));
  });

  it('a role without USAGE on a schema the owner migrated is told the GRANT with its own name, not a placeholder', async () => {
    const schema = db.schema();
    await (await openPostgresStorage({ connectionString: db.url, schema })).close();
    const error = await openPostgresStorage({ connectionString: asRole(), schema }).then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_STORAGE_PERMISSION_DENIED' as never)).toBe(true);
    expect((error as Error).message).toContain(`(permission denied for schema ${schema}); GRANT USAGE ON SCHEMA ${schema} TO ${role} (docs/postgres.md, roles and grants)`);
  });

  it('a role lacking a grant of the docs is refused at start, naming what it lacks and the GRANT, before anything runs', async () => {
    const schema = await ownerMigrated({ sequences: false });
    const error = await openPostgresStorage({ connectionString: asRole(), schema }).then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_STORAGE_PERMISSION_DENIED' as never)).toBe(true);
    expect((error as Error).message).toContain(`the role ${role} lacks privileges hookwork needs — USAGE on sequence webhooks_seq_seq; USAGE on sequence requests_seq_seq; USAGE on sequence delivery_log_seq_seq; nothing was started, nothing sent. GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role}`);
  });

  it('a grant revoked under a running app is named at work as the GRANT statement that gives it, with the schema and the role', async () => {
    const schema = await ownerMigrated({ sequences: true });
    const storage = await openPostgresStorage({ connectionString: asRole(), schema });
    try {
      await db.query(`REVOKE USAGE ON ALL SEQUENCES IN SCHEMA "${schema}" FROM "${role}"`);
      const now = new Date();
      const error = await storage.queue.enqueue([{ id: 'r', webhookKey: 'w', eventAlias: 'e', body: '{}', createdAt: now, dueAt: now }]).then(() => undefined, (e: unknown) => e);
      expect(isHookworkError(error, 'HOOKWORK_ERR_ENQUEUE_FAILED')).toBe(true);
      expect((error as Error).message).toContain(`(permission denied for sequence requests_seq_seq); GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role}`);
    } finally {
      await storage.close();
    }
  });

  describe('an upgrade run by the owner that creates a table (flushes, migration 3) after the app role was granted ON ALL TABLES', () => {
    /**
     * A schema at version 2 (as 30 November's builds left it; by the downgrade of docs/postgres.md),
     * the docs' grants to the role, then `defaults` (ALTER DEFAULT PRIVILEGES) or not, then the
     * owner's start that migrates it to the current version.
     */
    const upgradedByOwner = async (defaults: boolean) => {
      const schema = db.schema();
      await (await openPostgresStorage({ connectionString: db.url, schema })).close();
      const s = `"${schema}"`;
      await db.query(`BEGIN;
        DROP TABLE ${s}.flushes;
        DROP TRIGGER webhook_health_changed ON ${s}.webhook_health;
        DROP FUNCTION ${s}.notify_health_changed();
        DROP INDEX ${s}.requests_plain_by_webhook;
        DROP INDEX ${s}.requests_plain_due;
        CREATE INDEX requests_pending ON ${s}.requests (due_at, seq) WHERE state = 'pending';
        UPDATE ${s}.schema_version SET version = 2;
        COMMIT`);
      await db.query(`GRANT USAGE ON SCHEMA ${s} TO "${role}"`);
      await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO "${role}"`);
      await db.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${s} TO "${role}"`);
      if (defaults) {
        await db.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "${role}"`);
        await db.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT USAGE ON SEQUENCES TO "${role}"`);
      }
      const logger = recordingLogger();
      await (await openPostgresStorage({ connectionString: db.url, schema }, { logger, clock: systemClock })).close();
      expect(logger.lines.join('\n')).toContain(`migrated its schema from version 2 to ${SCHEMA_VERSION}`);
      return schema;
    };

    it("without the default privileges: synchronousCommit 'publish' is refused at start naming flushes, its GRANT and ALTER DEFAULT PRIVILEGES, where every publish failed", async () => {
      const schema = await upgradedByOwner(false);
      const owner = (await db.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u;
      const app = createHookwork({ composers: [thingComposer], logger: silentLogger, storage: postgresStorage({ connectionString: asRole(), schema, synchronousCommit: 'publish' }) });
      const error = await app.start().then(() => undefined, (e: unknown) => e);
      expect(isHookworkError(error, 'HOOKWORK_ERR_STORAGE_PERMISSION_DENIED' as never)).toBe(true);
      const message = (error as Error).message;
      expect(message).toContain(`the role ${role} lacks privileges hookwork needs — SELECT, INSERT, UPDATE, DELETE on table flushes (synchronousCommit: 'publish' writes it at every publish); nothing was started, nothing sent`);
      expect(message).toContain(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
      expect(message).toContain(`ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${role}`);
      // The default mode never writes flushes: it starts.
      const storage = await openPostgresStorage({ connectionString: asRole(), schema });
      await storage.close();
    });

    it("with the default privileges of the docs, the role runs synchronousCommit 'publish' on the upgraded schema", async () => {
      const schema = await upgradedByOwner(true);
      const storage = await openPostgresStorage({ connectionString: asRole(), schema, synchronousCommit: 'publish' });
      try {
        const now = new Date();
        await storage.queue.enqueue([{ id: 'r', webhookKey: 'w', eventAlias: 'e', body: '{}', createdAt: now, dueAt: now }]);
        expect(await storage.queue.counts()).toEqual({ pending: 1, inFlight: 0, dead: 0 });
      } finally {
        await storage.close();
      }
    });
  });

  it('a start that needs a migration, as a role that only has the grants to run, says to start once with the owner', async () => {
    const schema = await ownerMigrated({ sequences: true });
    // As if an earlier release had written it: undo the last migration.
    await db.query(`DROP INDEX "${schema}".requests_plain_by_webhook`);
    await db.query(`UPDATE "${schema}".schema_version SET version = $1`, [EARLIER]);
    const error = await openPostgresStorage({ connectionString: asRole(), schema }).then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_STORAGE_PERMISSION_DENIED' as never)).toBe(true);
    expect((error as Error).message).toContain(`the schema is at version ${EARLIER} and this @hookwork/postgres needs ${SCHEMA_VERSION}, a migration this role may not run: start the app once with the role that owns hookwork's tables`);
    expect(await version(schema)).toEqual([EARLIER]);
  });

  it('a role with only the grants docs/postgres.md lists runs on a schema an owner migrated', async () => {
    const schema = await ownerMigrated({ sequences: true });
    const storage = await openPostgresStorage({ connectionString: asRole(), schema });
    try {
      const now = new Date();
      await storage.queue.enqueue([{ id: 'r', webhookKey: 'w', eventAlias: 'e', body: '{}', createdAt: now, dueAt: now }]);
      const [claimed] = await storage.queue.claim({ owner: 'o', limit: 1, leaseMs: 1000, now });
      expect(await storage.queue.completeMany!([claimed!.id], 'o')).toEqual(['r']);
      await storage.deliveryLog.append([]);
      expect(await storage.health!.takeToken('w', { intervalMs: 100, burst: 1 }, now)).toEqual({ granted: true });
    } finally {
      await storage.close();
    }
  });
});

describe('synchronousCommit', () => {
  it.each(['enqueue', 'all', 'none'] as const)('%s: requests go through enqueue, claim and completion, seen by another store at once', async (synchronousCommit) => {
    const schema = db.schema();
    const a = await openPostgresStorage({ connectionString: db.url, schema, synchronousCommit });
    const b = await openPostgresStorage({ connectionString: db.url, schema });
    try {
      const now = new Date();
      await a.queue.enqueue([{ id: 'r1', webhookKey: 'w', eventAlias: 'e', body: '{}', createdAt: now, dueAt: now }]);
      expect(await b.queue.counts()).toEqual({ pending: 1, inFlight: 0, dead: 0 });
      expect((await a.queue.claim({ owner: 'o', limit: 5, leaseMs: 10_000, now })).map((r) => r.id)).toEqual(['r1']);
      expect(await b.queue.counts()).toEqual({ pending: 0, inFlight: 1, dead: 0 });
      expect(await a.queue.completeMany!(['r1'], 'o')).toEqual(['r1']);
      expect(await b.queue.counts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('concurrent changes of one webhook', () => {
  it('keeps every edit and every rotated secret of calls made at once: none overwrites another', async () => {
    // Each call's read and write are round trips, so calls made at once interleave between them.
    const app = createHookwork({ composers: [thingComposer], logger: silentLogger, storage: postgresStorage({ connectionString: db.url, schema: db.schema() }) });
    await app.start();
    try {
      const { key, secrets } = await app.webhooks.create({ url: 'https://example.com/hooks', events: ['thing.happened'], secret: true });
      await Promise.all([app.webhooks.update(key, { name: 'Orders' }), app.webhooks.update(key, { enabled: false }), app.webhooks.update(key, { description: 'the shop' })]);
      expect(await app.webhooks.get(key)).toMatchObject({ name: 'Orders', enabled: false, description: 'the shop' });
      const rotated = await Promise.all([1, 2, 3].map(() => app.webhooks.rotateSecret(key)));
      expect((await app.webhooks.get(key))!.secrets.map((s) => s.id).sort()).toEqual([secrets[0]!.id, ...rotated.map((r) => r.secretId)].sort());
    } finally {
      await app.stop();
    }
  });
});

describe('concurrent changes of one webhook from two app instances on one schema', () => {
  it('keeps every edit and every rotated secret made at once through either instance', async () => {
    // Two apps, each with its own pools, as two processes behind a load balancer: one app's
    // one-at-a-time ordering cannot see the other's calls, only the store's compare-and-set can.
    const schema = db.schema();
    // A change may wait on another's row lock: past connectTimeoutMs the store asks the server on a
    // new connection whether it answers, and on a machine busy with the other test files that check
    // can take longer than the default 5 s and drop the waiting change.
    const apps = [0, 1].map(() => createHookwork({ composers: [thingComposer], logger: silentLogger, storage: postgresStorage({ connectionString: db.url, schema, connectTimeoutMs: 60_000 }) }));
    await apps[0]!.start();
    await apps[1]!.start();
    try {
      const [a, b] = apps as [(typeof apps)[0], (typeof apps)[0]];
      const { key, secrets } = await a.webhooks.create({ url: 'https://example.com/hooks', events: ['thing.happened'], secret: true });
      await Promise.all([a.webhooks.update(key, { name: 'Orders' }), b.webhooks.update(key, { enabled: false }), a.webhooks.update(key, { description: 'the shop' }), b.webhooks.update(key, { contentTypeKeys: ['product'] })]);
      expect(await b.webhooks.get(key)).toMatchObject({ name: 'Orders', enabled: false, description: 'the shop', contentTypeKeys: ['product'] });
      const rotated = await Promise.all([a, b, a, b].map((app) => app.webhooks.rotateSecret(key)));
      const stored = (await a.webhooks.get(key))!.secrets.map((s) => s.id).sort();
      expect(stored).toEqual([secrets[0]!.id, ...rotated.map((r) => r.secretId)].sort());
    } finally {
      await apps[0]!.stop();
      await apps[1]!.stop();
    }
  });
});

describe('reading a webhook that another process changed', () => {
  it('answers get() — app.webhooks.get(), the admin API\'s GET webhook/{id} — with the row as stored, before the change\'s notification arrives (here: a change made in SQL, which sends none)', async () => {
    const schema = db.schema();
    const store = await openPostgresStorage({ connectionString: db.url, schema });
    try {
      const now = new Date();
      await store.webhooks.create({ key: 'orders', name: 'Orders', url: 'https://example.com/hooks', events: ['thing.happened'], contentTypeKeys: [], headers: {}, sensitiveHeaders: [], enabled: true, secrets: [], createdAt: now, updatedAt: now });
      // Delivery's read keeps its answer once the LISTEN is in place (and the create's own notification is past).
      for (let kept = false; !kept; ) {
        await store.webhooks.getShared!('orders');
        await new Promise((resolve) => setTimeout(resolve, 20));
        kept = store.listening && (await store.webhooks.getShared!('orders')) === (await store.webhooks.getShared!('orders'));
      }
      await store.webhooks.get('orders');
      const { rows } = await db.query<{ data: string }>(`SELECT data FROM "${schema}".webhooks WHERE key = 'orders'`);
      await db.query(`UPDATE "${schema}".webhooks SET data = $1 WHERE key = 'orders'`, [JSON.stringify({ ...JSON.parse(rows[0]!.data), name: 'Renamed elsewhere' })]);
      expect((await store.webhooks.get('orders'))!.name).toBe('Renamed elsewhere');
      expect((await store.webhooks.list()).map((w) => w.name)).toEqual(['Renamed elsewhere']);
    } finally {
      await store.close();
    }
  });
});

describe('an instance delivering while another on its schema rotates the secret', () => {
  it('signs its next request with the new secret only, once the change is announced', async () => {
    const schema = db.schema();
    const receiver = await startTestReceiver();
    const deliverer = createHookwork({ composers: [thingComposer], logger: silentLogger, storage: postgresStorage({ connectionString: db.url, schema }), settings: { period: 10_000, ssrf: { allow: ['127.0.0.1'] } } });
    const operator = createHookwork({ composers: [thingComposer], logger: silentLogger, storage: postgresStorage({ connectionString: db.url, schema }), settings: { enabled: false, ssrf: { allow: ['127.0.0.1'] } } });
    await deliverer.start();
    await operator.start();
    try {
      const created = await operator.webhooks.create({ url: receiver.url, events: ['thing.happened'], secret: true });
      await deliverer.publish(new ThingHappened('first'));
      await receiver.waitFor(1);
      const rotated = await operator.webhooks.rotateSecret(created.key, { gracePeriodMs: 0 });
      // Delivery's copy (getShared) is dropped on the change's NOTIFY (milliseconds after the commit): wait for it there.
      // app.webhooks.get reads the row, so it has the new secret at once.
      const delivered = resolveToken(deliverer.container, WebhookRepositoryToken);
      while (!(await delivered.getShared!(created.key))!.secrets.some((secret) => secret.id === rotated.secretId)) await new Promise((resolve) => setTimeout(resolve, 5));
      await deliverer.publish(new ThingHappened('after-rotation'));
      const [, second] = await receiver.waitFor(2);
      expect(String(second!.headers['webhook-signature']).split(' ')).toHaveLength(1);
      expect(() => new StandardWebhook(rotated.secret).verify(second!.text, headerRecord(second!))).not.toThrow();
      expect(() => new StandardWebhook(created.secret!).verify(second!.text, headerRecord(second!))).toThrow();
    } finally {
      await deliverer.stop();
      await operator.stop();
      await receiver.close();
    }
  });
});

describe('conditional changes ({ ifMatch }) of one webhook from two app instances on one schema', () => {
  const schema = db.schema();
  // A change waits on the held row for as long as the test holds it: past connectTimeoutMs the
  // store asks the server on a new connection whether it answers, and on a machine busy with the
  // other test files that check can take longer than the default 5 s and drop the waiting change.
  const apps = [0, 1].map(() => createHookwork({ composers: [thingComposer], logger: silentLogger, storage: postgresStorage({ connectionString: db.url, schema, connectTimeoutMs: 60_000 }) }));
  const [a, b] = apps as [Hookwork, Hookwork];
  beforeAll(async () => {
    await a.start();
    await b.start();
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
  });

  /**
   * Both instances read the webhook's tag, then both change it with that tag while its row is held
   * locked, so each has read — and checked — before either writes, the first change queued on the
   * lock before the second; released, exactly one change must be made and the other refused.
   */
  async function race(key: string, changes: [(tag: string) => Promise<unknown>, (tag: string) => Promise<unknown>]): Promise<{ made: number; refusal: HookworkError }> {
    const [tagA, tagB] = await Promise.all([a.webhooks.get(key), b.webhooks.get(key)].map(async (view) => webhookEtag((await view)!)));
    expect(tagB).toBe(tagA);
    const held = await HeldRow.lock(db.url, schema, key);
    // Settled as they go, so a refusal met while the other still waits is not an unhandled rejection.
    const started: Promise<PromiseSettledResult<unknown>>[] = [];
    try {
      started.push(Promise.allSettled([changes[0](tagA!)]).then(([outcome]) => outcome!));
      await held.waiters(1);
      started.push(Promise.allSettled([changes[1](tagB!)]).then(([outcome]) => outcome!));
      // The second settling before it waits can only be a failure of its own (it cannot be made or
      // refused while the first holds the row): let the outcome assertions below say which.
      await Promise.race([held.waiters(2), started[1]]);
    } finally {
      await held.release();
    }
    const outcomes = await Promise.all(started);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const made = outcomes.findIndex((o) => o.status === 'fulfilled');
    return { made, refusal: (outcomes[1 - made] as PromiseRejectedResult).reason as HookworkError };
  }

  it('makes exactly one of two edits made with the same tag through the two instances; the other is refused with the winner\'s webhook, nothing of it stored', async () => {
    const { key } = await a.webhooks.create({ url: 'https://example.com/hooks', events: ['thing.happened'], name: 'Orders' });
    const { made, refusal } = await race(key, [(tag) => a.webhooks.update(key, { name: 'Renamed in A' }, { ifMatch: tag }), (tag) => b.webhooks.update(key, { enabled: false }, { ifMatch: tag })]);
    expect([refusal.code, refusal.status]).toEqual(['HOOKWORK_ERR_WEBHOOK_CHANGED', 412]);
    const stored = (await b.webhooks.get(key))!;
    expect(stored).toMatchObject(made === 0 ? { name: 'Renamed in A', enabled: true } : { name: 'Orders', enabled: false });
    expect(refusal.details).toEqual({ key, etag: webhookEtag(stored), current: stored });
  }, 60_000);

  it('never both deletes a webhook and changes it: a conditional delete and a conditional edit with the same tag', async () => {
    const { key } = await a.webhooks.create({ url: 'https://example.com/hooks', events: ['thing.happened'], name: 'Orders' });
    // The edit is queued first, so it is made; the delete, decided on the tag it read, must then see
    // the webhook changed — not delete the edit unseen.
    const { made, refusal } = await race(key, [(tag) => b.webhooks.update(key, { name: 'Kept' }, { ifMatch: tag }), (tag) => a.webhooks.delete(key, { ifMatch: tag })]);
    expect([made, refusal.code, (await a.webhooks.get(key))?.name]).toEqual([0, 'HOOKWORK_ERR_WEBHOOK_CHANGED', 'Kept']);
  }, 60_000);

  it('makes exactly one of a rotation and a revocation made with the same tag', async () => {
    const { key, secrets } = await a.webhooks.create({ url: 'https://example.com/hooks', events: ['thing.happened'], secret: true });
    const { made, refusal } = await race(key, [(tag) => a.webhooks.rotateSecret(key, { ifMatch: tag }), (tag) => b.webhooks.revokeSecret(key, secrets[0]!.id, { ifMatch: tag })]);
    expect(refusal.code).toBe('HOOKWORK_ERR_WEBHOOK_CHANGED');
    expect((await a.webhooks.get(key))!.secrets).toHaveLength(made === 0 ? 2 : 0);
  }, 60_000);
});

describe('an opened store', () => {
  let storage: PostgresStorage;
  afterEach(() => storage?.close());

  it('getByAlias sees its own webhook changes at once, and another store\'s once the notification arrives', async () => {
    const schema = db.schema();
    storage = await openPostgresStorage({ connectionString: db.url, schema });
    const other = await openPostgresStorage({ connectionString: db.url, schema });
    const webhook = { key: 'w1', url: 'https://example.com/', events: ['x'], enabled: true, headers: {}, secrets: [], createdAt: new Date(1000), updatedAt: new Date(1000) } as never as Parameters<PostgresStorage['webhooks']['create']>[0];
    const keys = async (alias: string) => (await storage.webhooks.getByAlias(alias)).map((w) => w.key);
    try {
      expect(await keys('x')).toEqual([]);
      await storage.webhooks.create(webhook);
      expect(await keys('x')).toEqual(['w1']);
      await waitUntil(() => storage.listening);
      expect(await keys('x')).toEqual(['w1']); // now answered from memory
      await storage.webhooks.update({ ...webhook, events: ['y'] });
      expect(await keys('x')).toEqual([]);
      expect(await keys('y')).toEqual(['w1']);
      // Another process's change: seen once its NOTIFY arrives, without any restart.
      await other.webhooks.update({ ...webhook, events: ['x', 'y'] });
      await waitUntilAsync(async () => (await keys('x')).length === 1);
      await other.webhooks.delete('w1');
      await waitUntilAsync(async () => (await keys('y')).length === 0);
      // What getByAlias hands out is a copy.
      await storage.webhooks.create(webhook);
      (await storage.webhooks.getByAlias('x'))[0]!.url = 'https://changed.example/';
      expect((await storage.webhooks.getByAlias('x'))[0]!.url).toBe('https://example.com/');
    } finally {
      await other.close();
    }
  });

  it('reads a webhook row that lacks some of its lists (written by hand, or before a field existed) with empty ones', async () => {
    const schema = db.schema();
    storage = await openPostgresStorage({ connectionString: db.url, schema });
    const bare = { key: 'bare', url: 'https://example.com/', events: ['x'], enabled: true, createdAt: 1000, updatedAt: 1000 };
    await db.query(`INSERT INTO "${schema}".webhooks (key, created_at, events, data) VALUES ('bare', 1000, ARRAY['x'], $1)`, [JSON.stringify(bare)]);
    const expected = { ...bare, contentTypeKeys: [], headers: {}, sensitiveHeaders: [], secrets: [], createdAt: new Date(1000), updatedAt: new Date(1000) };
    expect(await storage.webhooks.getByAlias('x')).toEqual([expected]);
    expect(await storage.webhooks.get('bare')).toEqual(expected);
  });

  it('getShared (delivery\'s read) answers from memory while listening, and sees another store\'s change once its notification arrives; get reads the row', async () => {
    const schema = db.schema();
    storage = await openPostgresStorage({ connectionString: db.url, schema });
    const other = await openPostgresStorage({ connectionString: db.url, schema });
    const webhook = { key: 'w1', url: 'https://example.com/', events: ['x'], enabled: true, headers: {}, secrets: [], createdAt: new Date(1000), updatedAt: new Date(1000) } as never as Parameters<PostgresStorage['webhooks']['create']>[0];
    const url = async () => (await storage.webhooks.getShared!('w1'))?.url;
    try {
      expect(await url()).toBeUndefined();
      await storage.webhooks.create(webhook);
      await waitUntil(() => storage.listening);
      // Its own write's notification comes back too (and drops what is cached): let it arrive.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await url()).toBe('https://example.com/');
      // A change that sends no notification is not seen: the answer comes from memory.
      await db.query(`UPDATE "${schema}".webhooks SET data = jsonb_set(data::jsonb, '{url}', '"https://unannounced.example/"')::text WHERE key = 'w1'`);
      expect(await url()).toBe('https://example.com/');
      // get (management's read) has it at once.
      expect((await storage.webhooks.get('w1'))?.url).toBe('https://unannounced.example/');
      // Another process's change is seen once its NOTIFY arrives; this store's own at once.
      await other.webhooks.update({ ...webhook, url: 'https://other.example/' });
      await waitUntilAsync(async () => (await url()) === 'https://other.example/');
      await storage.webhooks.delete('w1');
      expect(await url()).toBeUndefined();
      // What get hands out is a copy.
      await storage.webhooks.create(webhook);
      (await storage.webhooks.get('w1'))!.url = 'https://changed.example/';
      expect(await url()).toBe('https://example.com/');
      expect((await storage.webhooks.get('w1'))?.url).toBe('https://example.com/');
    } finally {
      await other.close();
    }
  });

  it('getShared never answers a missing webhook from memory: one created elsewhere is found before its notification arrives', async () => {
    // Delivery drops the request of a missing webhook, for good: a webhook created again under a
    // deleted key by another process must be found by the first request published to it, which
    // this process may claim before the create's notification reaches it.
    const schema = db.schema();
    storage = await openPostgresStorage({ connectionString: db.url, schema });
    expect(await storage.webhooks.getShared!('w1')).toBeUndefined();
    await waitUntil(() => storage.listening);
    expect(await storage.webhooks.getShared!('w1')).toBeUndefined();
    // A create whose notification has not arrived yet: a row written without one.
    const row = { key: 'w1', url: 'https://example.com/', events: ['x'], enabled: true, createdAt: 1000, updatedAt: 1000 };
    await db.query(`INSERT INTO "${schema}".webhooks (key, created_at, events, data) VALUES ('w1', 1000, ARRAY['x'], $1)`, [JSON.stringify(row)]);
    expect((await storage.webhooks.getShared!('w1'))?.url).toBe('https://example.com/');
    expect((await storage.webhooks.get('w1'))?.url).toBe('https://example.com/');
  });

  it('health getShared (delivery\'s read) answers from memory while listening; a write here or in another store is seen; get reads the row', async () => {
    const schema = db.schema();
    storage = await openPostgresStorage({ connectionString: db.url, schema });
    const other = await openPostgresStorage({ connectionString: db.url, schema });
    const state = { breaker: 'closed', consecutiveFailures: 1 } as const;
    const health = storage.health!;
    const others = other.health!;
    const version = async () => (await health.getShared!('w1'))?.version;
    try {
      expect(await version()).toBeUndefined();
      expect(await health.compareAndSet('w1', 0, state)).toMatchObject({ version: 1 });
      await waitUntil(() => storage.listening);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await version()).toBe(1);
      // A change that sends no notification is not seen: the answer comes from memory.
      await db.query(`ALTER TABLE "${schema}".webhook_health DISABLE TRIGGER webhook_health_changed`);
      await db.query(`UPDATE "${schema}".webhook_health SET version = 7 WHERE webhook_key = 'w1'`);
      await db.query(`ALTER TABLE "${schema}".webhook_health ENABLE TRIGGER webhook_health_changed`);
      expect(await version()).toBe(1);
      // get (management's read: app.health(), the admin API) has it at once.
      expect((await health.get('w1'))?.version).toBe(7);
      // A compare-and-set this store loses drops its answer: the next read sees the store.
      expect(await health.compareAndSet('w1', 1, state)).toBeUndefined();
      expect(await version()).toBe(7);
      // A plain write to the table, as a process of an earlier release makes it (its statements
      // send no notification of their own), is seen once the table's trigger notifies.
      await db.query(`UPDATE "${schema}".webhook_health SET version = 9 WHERE webhook_key = 'w1'`);
      await waitUntilAsync(async () => (await version()) === 9);
      await db.query(`UPDATE "${schema}".webhook_health SET version = 7 WHERE webhook_key = 'w1'`);
      await waitUntilAsync(async () => (await version()) === 7);
      // Another process's write is seen once its NOTIFY arrives.
      expect(await others.compareAndSet('w1', 7, state)).toMatchObject({ version: 8 });
      await waitUntilAsync(async () => (await version()) === 8);
      await others.delete('w1');
      await waitUntilAsync(async () => (await version()) === undefined);
    } finally {
      await other.close();
    }
  });

  it('a health update waits a bounded time for another session\'s lock on the row (HOOKWORK_ERR_STORAGE_LOCKED, nothing stored), and goes through once it is free', async () => {
    const schema = db.schema();
    storage = await openPostgresStorage({ connectionString: db.url, schema });
    const health = storage.health!;
    await health.compareAndSet('w1', 0, { breaker: 'closed', consecutiveFailures: 1 });
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM ${quoteIdentifier(schema)}.webhook_health WHERE webhook_key = 'w1' FOR UPDATE`);
      // Held until released below, far past the update's lock_timeout (2 s): without it the update waited as long.
      let called = 0;
      const refused = await health.update!('w1', (current) => (called++, { ...current!.state, consecutiveFailures: current!.state.consecutiveFailures + 1 })).then(
        () => undefined,
        (error: unknown) => error as HookworkError,
      );
      expect(refused?.code).toBe('HOOKWORK_ERR_STORAGE_LOCKED');
      expect(called).toBe(0);
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    expect(await health.get('w1')).toMatchObject({ version: 1, state: { consecutiveFailures: 1 } });
    expect(await health.update!('w1', (current) => ({ ...current!.state, consecutiveFailures: current!.state.consecutiveFailures + 1 }))).toMatchObject({ version: 2, state: { consecutiveFailures: 2 } });
  });

  it('listens for other processes\' enqueues once watched, and stops when closed', async () => {
    const schema = db.schema();
    storage = await openPostgresStorage({ connectionString: db.url, schema });
    const other = await openPostgresStorage({ connectionString: db.url, schema });
    try {
      let woken = 0;
      const stop = storage.queue.watch!(() => woken++);
      await waitUntil(() => storage.listening);
      await other.queue.enqueue([{ id: 'from-other', webhookKey: 'w', eventAlias: 'e', body: '{}', createdAt: new Date(), dueAt: new Date() }]);
      await waitUntil(() => woken > 0);
      stop();
      await waitUntil(() => !storage.listening);
    } finally {
      await other.close();
    }
  });
});

describe('delivery bookkeeping in few statements', () => {
  let storage: PostgresStorage;
  afterEach(() => storage?.close());
  const request = (id: string) => ({ id, webhookKey: 'w', eventAlias: 'e', body: '{}', createdAt: new Date(1000), dueAt: new Date(1000) });
  const entry = (requestId: string, key = `log-${requestId}`): DeliveryLogEntry => ({
    key,
    webhookKey: 'w',
    requestId,
    url: 'http://127.0.0.1/hook',
    eventAlias: 'e',
    retryCount: 0,
    date: new Date(2000),
    statusCode: 200,
    requestHeaders: { 'content-type': 'application/json' },
    requestBody: '{}',
    responseHeaders: {},
    responseBody: 'ok',
    durationMs: 1.5,
    outcome: 'delivered',
  });

  it('completeAndLog removes the requests the owner holds and writes every entry, one lost lease included', async () => {
    storage = await openPostgresStorage({ connectionString: db.url, schema: db.schema() });
    const { queue, deliveryLog } = storage;
    await queue.enqueueClaimed!([request('a'), request('b')], { owner: 'me', leaseMs: 60_000, now: new Date(), ids: ['a', 'b'] });
    await queue.enqueue([request('pending')]);
    const completed = await queue.completeAndLog!(['a', 'b', 'pending'], 'me', [entry('a'), entry('b'), entry('pending')]);
    expect(completed.sort()).toEqual(['a', 'b']);
    expect(await queue.counts()).toEqual({ pending: 1, inFlight: 0, dead: 0 });
    // The attempt on 'pending' (its lease lost) was made, so its entry is kept as well.
    const logged = await deliveryLog.list({ webhookKey: 'w' });
    expect(logged.items.map((e) => e.key).sort()).toEqual(['log-a', 'log-b', 'log-pending']);
    expect(await deliveryLog.get('log-a')).toEqual(entry('a'));
  });

  it('overlapping completeAndLog calls (written together) each learn their own ids, and one at fault fails alone', async () => {
    storage = await openPostgresStorage({ connectionString: db.url, schema: db.schema() });
    const { queue, deliveryLog } = storage;
    const claim = { owner: 'me', leaseMs: 60_000, now: new Date() };
    await queue.enqueueClaimed!([request('a'), request('b'), request('c')], { ...claim, ids: ['a', 'b', 'c'] });
    await queue.enqueueClaimed!([request('theirs')], { ...claim, owner: 'them', ids: ['theirs'] });
    // 'c's entry has a date the server refuses, so the statement of all four fails.
    const [a, b, c, theirs] = await Promise.allSettled([
      queue.completeAndLog!(['a'], 'me', [entry('a')]),
      queue.completeAndLog!(['b', 'theirs'], 'me', [entry('b')]),
      queue.completeAndLog!(['c'], 'me', [{ ...entry('c'), date: new Date(NaN) }]),
      queue.completeAndLog!(['theirs'], 'them', [entry('theirs')]),
    ]);
    expect(a).toEqual({ status: 'fulfilled', value: ['a'] });
    // 'theirs' is leased to 'them', not to 'me': only 'b' is completed for this call.
    expect(b).toEqual({ status: 'fulfilled', value: ['b'] });
    expect(c.status).toBe('rejected');
    expect(theirs).toEqual({ status: 'fulfilled', value: ['theirs'] });
    expect(await queue.counts()).toEqual({ pending: 0, inFlight: 1, dead: 0 });
    expect((await deliveryLog.list({ webhookKey: 'w' })).items.map((e) => e.key).sort()).toEqual(['log-a', 'log-b', 'log-theirs']);
  });

  it('close writes the completions still waiting for their statement', async () => {
    storage = await openPostgresStorage({ connectionString: db.url, schema: db.schema() });
    await storage.queue.enqueueClaimed!([request('a')], { owner: 'me', leaseMs: 60_000, now: new Date(), ids: ['a'] });
    const completed = storage.queue.completeAndLog!(['a'], 'me', [entry('a')]);
    await storage.close();
    expect(await completed).toEqual(['a']);
    const reopened = await openPostgresStorage({ connectionString: db.url, schema: storage.schema });
    try {
      expect(await reopened.queue.counts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
      expect(await reopened.deliveryLog.get('log-a')).toEqual(entry('a'));
    } finally {
      await reopened.close();
    }
  });

  it('enqueueClaimed notifies the other processes only when it leaves a request pending', async () => {
    const schema = db.schema();
    storage = await openPostgresStorage({ connectionString: db.url, schema });
    const other = await openPostgresStorage({ connectionString: db.url, schema });
    const listen = new pg.Client({ connectionString: db.url });
    await listen.connect();
    const payloads: string[] = [];
    try {
      listen.on('notification', (n) => payloads.push(n.payload ?? ''));
      await listen.query(`LISTEN "hookwork:${schema}"`);
      const claim = { owner: 'me', leaseMs: 60_000, now: new Date() };
      expect(await storage.queue.enqueueClaimed!([request('all-leased')], { ...claim, ids: ['all-leased'] })).toMatchObject({ claimed: [{ id: 'all-leased' }], stored: ['all-leased'] });
      expect(await storage.queue.enqueueClaimed!([request('leased'), request('left')], { ...claim, ids: ['leased'] })).toMatchObject({ claimed: [{ id: 'leased' }], stored: ['leased', 'left'] });
      await other.queue.enqueue([request('from-other')]);
      // Notifications arrive in commit order: once the other store's has come, every earlier one has.
      await waitUntil(() => payloads.length >= 2 && payloads.at(-1) !== payloads[0]);
      expect(payloads).toHaveLength(2);
    } finally {
      await listen.end();
      await other.close();
    }
  });

  it('groups the enqueues of one turn that share a commit into one statement; a duplicate id is skipped there, failing none', async () => {
    storage = await openPostgresStorage({ connectionString: db.url, schema: db.schema() });
    const { queue } = storage;
    await queue.enqueue([request('taken')]);
    const inserts: string[][] = [];
    // Each statement runs on a client of the pool (see PostgresConnection.onPool): watch each one's statements once.
    const watched = new WeakSet<object>();
    storage.pool.on('acquire', (client) => {
      if (watched.has(client)) return;
      watched.add(client);
      const query = client.query.bind(client) as (config: { text: string; values: unknown[] }) => Promise<unknown>;
      (client as unknown as { query: typeof query }).query = (config) => {
        // A batch's ids are an array; a lone request's (its own statement) one id.
        if (config.text.includes('INSERT INTO')) inserts.push(([] as string[]).concat(config.values[0] as string[] | string));
        return query(config);
      };
    });
    const claim = { owner: 'me', leaseMs: 60_000, now: new Date(), shareCommit: true };
    const grouped = await Promise.allSettled([
      queue.enqueue([request('g1')], { shareCommit: true }),
      queue.enqueueClaimed!([request('g2'), request('g3')], { ...claim, ids: ['g2'] }),
      queue.enqueue([request('g4')], { shareCommit: true }),
    ]);
    expect(grouped.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(inserts).toEqual([['g1', 'g2', 'g3', 'g4']]);
    expect((await queue.get('g2'))?.leaseOwner).toBe('me');
    expect([(await queue.get('g1'))?.state, (await queue.get('g2'))?.state, (await queue.get('g3'))?.state]).toEqual(['pending', 'inflight', 'pending']);

    inserts.length = 0;
    // A publish made again (ids already stored), and two enqueues of one turn claiming one id: the first gets it.
    const withDuplicate = await Promise.all([
      queue.enqueue([request('d1')], { shareCommit: true }),
      queue.enqueueClaimed!([request('d2'), { ...request('taken'), body: '{"again":true}' }, request('d3')], { ...claim, ids: ['taken', 'd3'] }),
      queue.enqueueClaimed!([{ ...request('d3'), body: '{"second":true}' }], { ...claim, owner: 'other', ids: ['d3'] }),
    ]);
    expect(inserts).toEqual([['d1', 'd2', 'taken', 'd3', 'd3']]);
    const [plain, first, second] = withDuplicate as [EnqueueResult, EnqueueClaimedResult, EnqueueClaimedResult];
    expect(first.claimed.map((r) => r.id)).toEqual(['d3']);
    expect(second.claimed).toEqual([]);
    // What each stored, for what core counts as enqueued: the id two of them share is the first's.
    expect(plain.stored).toEqual(['d1']);
    expect([...first.stored].sort()).toEqual(['d2', 'd3']);
    expect(second.stored).toEqual([]);
    expect(await queue.get('taken')).toMatchObject({ state: 'pending', body: '{}' });
    expect(await queue.get('d3')).toMatchObject({ state: 'inflight', leaseOwner: 'me', body: '{}' });
    expect(await queue.counts()).toEqual({ pending: 6, inFlight: 2, dead: 0 });

    // Without the hint an enqueue goes at once, on its own.
    inserts.length = 0;
    await queue.enqueue([request('alone')]);
    expect(inserts).toEqual([['alone']]);
  });

  it('a delivered request is logged once', async () => {
    const receiver = await startTestReceiver();
    const app = createHookwork({ composers: [thingComposer], storage: postgresStorage({ connectionString: db.url, schema: db.schema() }), settings: { ssrf: { allow: ['127.0.0.1'] } } });
    try {
      await app.start();
      await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await app.publish(new ThingHappened('one'));
      await app.drain({ timeoutMs: 10_000 });
      const logs = await app.logs({});
      expect(logs.items.map((e) => [e.outcome, e.statusCode])).toEqual([['delivered', 200]]);
      expect(receiver.requests).toHaveLength(1);
    } finally {
      await app.stop();
      await receiver.close();
    }
  });
});

async function waitUntilAsync(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms: ${check.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms: ${check.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('claims around webhooks at their limit', () => {
  let storage: PostgresStorage;
  afterEach(() => storage?.close());
  const at = Date.UTC(2031, 0, 1);
  const request = (id: string, webhookKey: string) => ({ id, webhookKey, eventAlias: 'e', body: '{}', createdAt: new Date(at), dueAt: new Date(at) });
  const claim = (excludeWebhookKeys: string[], owner = 'A') => storage.queue.claim({ owner, limit: 16, leaseMs: 60_000, now: new Date(at + 1000), excludeWebhookKeys });

  it('never reads the backlog of the excluded webhooks, whether or not other webhooks have requests pending', async () => {
    const schema = db.schema();
    storage = await openPostgresStorage({ connectionString: db.url, schema });
    for (let i = 0; i < 20_000; i += 1_000) await storage.queue.enqueue(Array.from({ length: 1_000 }, (_, j) => request(`slow-${i + j}`, 'slow')));
    // Webhooks with only a dead letter or a request in flight have nothing to claim.
    await storage.queue.enqueue([request('d1', 'dead'), request('f1', 'flying')]);
    expect((await claim(['slow'], 'B')).map((r) => r.id).sort()).toEqual(['d1', 'f1']);
    await storage.queue.deadLetter('d1', 'B', { attempts: 1, now: new Date(at) });
    // With statistics that say one webhook holds nearly every row (the case at hand).
    await db.query(`ANALYZE "${schema}".requests`);
    const pages = Number((await db.query<{ pages: string }>(`SELECT pg_relation_size('"${schema}".requests') / current_setting('block_size')::int AS pages`)).rows[0]!.pages);
    const dueOf = async () => (await explainAnalyze(claimStatement(quoteIdentifier(schema), true), [at + 1000, ['slow'], 16, 'A', at + 61_000])).find((n) => n['Subplan Name'] === 'CTE due')!;

    expect(await claim(['slow'])).toEqual([]);
    // Before: the walk of every pending request by due time, the 20,000 of 'slow' read to find none.
    expect(buffersRead(await dueOf()) < pages / 4).toBe(true);

    // Two other webhooks' requests, enqueued after the backlog (due later than all of it): each
    // webhook's front is read, not what 'slow' has before them. Before: the 20,000 again, per claim.
    await storage.queue.enqueue([request('fast-1', 'fast'), request('other-1', 'other'), request('fast-2', 'fast')]);
    const due = await dueOf();
    expect({ rows: due['Actual Rows'], buffers: buffersRead(due) < pages / 4 }).toEqual({ rows: 3, buffers: true });
    expect((await claim(['slow'])).map((r) => r.id)).toEqual(['fast-1', 'other-1', 'fast-2']);
    expect((await storage.queue.counts({ webhookKey: 'slow' })).pending).toBe(20_000);
  });

  it('takes the oldest due of the other webhooks first, and behind another process\'s claim of the same front', async () => {
    const schema = db.schema();
    storage = await openPostgresStorage({ connectionString: db.url, schema });
    const dueAt = (id: string, webhookKey: string, ms: number) => ({ ...request(id, webhookKey), dueAt: new Date(at + ms) });
    await storage.queue.enqueue([dueAt('a-1', 'a', 5), dueAt('b-1', 'b', 1), dueAt('a-2', 'a', 2), dueAt('b-2', 'b', 7), dueAt('c-1', 'c', 3), dueAt('late', 'b', 5_000), dueAt('held', 'held', 0)]);
    const other = await openPostgresStorage({ connectionString: db.url, schema });
    try {
      // A claim of 2 takes the two oldest due, across webhooks; the rest come in due order after.
      expect((await storage.queue.claim({ owner: 'A', limit: 2, leaseMs: 60_000, now: new Date(at + 1000), excludeWebhookKeys: ['held'] })).map((r) => r.id)).toEqual(['b-1', 'a-2']);
      // Two processes claiming at once never take the same request, and between them take all that is due.
      const [mine, theirs] = await Promise.all([
        storage.queue.claim({ owner: 'A', limit: 2, leaseMs: 60_000, now: new Date(at + 1000), excludeWebhookKeys: ['held'] }),
        other.queue.claim({ owner: 'B', limit: 2, leaseMs: 60_000, now: new Date(at + 1000), excludeWebhookKeys: ['held'] }),
      ]);
      const ids = [...mine, ...theirs].map((r) => r.id);
      expect(new Set(ids).size).toBe(ids.length);
      const rest = await storage.queue.claim({ owner: 'A', limit: 10, leaseMs: 60_000, now: new Date(at + 1000), excludeWebhookKeys: ['held'] });
      expect([...ids, ...rest.map((r) => r.id)].sort()).toEqual(['a-1', 'b-2', 'c-1']);
    } finally {
      await other.close();
    }
    expect((await storage.queue.get('late'))!.state).toBe('pending');
    expect((await storage.queue.get('held'))!.state).toBe('pending');
  });

  it('claims the others\' requests with more webhooks than it steps through, and none when all are excluded', async () => {
    storage = await openPostgresStorage({ connectionString: db.url, schema: db.schema() });
    const many = Array.from({ length: 40 }, (_, i) => `w${String(i).padStart(2, '0')}`);
    await storage.queue.enqueue(many.map((key) => request(`r-${key}`, key)));
    expect(await claim(many)).toEqual([]);
    expect((await claim(many.slice(0, 39))).map((r) => r.id)).toEqual(['r-w39']);
    expect((await claim(many.slice(1))).map((r) => r.id)).toEqual(['r-w00']);
    expect((await claim([])).length).toBe(16);
  });
});

/** A node of a plan read with EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON), as far as these tests read it. */
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Subplan Name'?: string;
  Alias?: string;
  'Actual Loops': number;
  'Actual Rows': number;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  'Temp Read Blocks': number;
  'Temp Written Blocks': number;
  Plans?: PlanNode[];
}

/**
 * Runs `statement` under EXPLAIN (ANALYZE, BUFFERS) in a transaction rolled back; its nodes, root
 * first. It runs twice on one connection and the second is read, as a store's connection runs it
 * (the first run of a connection reads catalogs, which a page count would include).
 */
async function explainAnalyze(statement: string, params: unknown[], plan: 'custom' | 'generic' = 'custom'): Promise<PlanNode[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    let explained: pg.QueryResult | undefined;
    for (let run = 0; run < 2; run++) {
      await client.query('BEGIN');
      if (plan === 'custom') {
        explained = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${statement}`, params);
      } else {
        // As a store's named statement runs once PostgreSQL settles on a generic plan (after five runs).
        await client.query('SET LOCAL plan_cache_mode = force_generic_plan');
        await client.query(`PREPARE explained AS ${statement}`);
        // EXECUTE takes its arguments as SQL, not as bound parameters.
        const literal = (value: unknown): string =>
          typeof value === 'number' ? String(value) : Array.isArray(value) ? (value.length ? `ARRAY[${value.map(literal).join(', ')}]` : `'{}'::text[]`) : client.escapeLiteral(String(value));
        explained = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE explained(${params.map(literal).join(', ')})`);
      }
      await client.query('ROLLBACK');
      if (plan === 'generic') await client.query('DEALLOCATE explained');
    }
    const plan0 = explained!;
    const nodes: PlanNode[] = [];
    const walk = (node: PlanNode) => {
      nodes.push(node);
      for (const child of node.Plans ?? []) walk(child);
    };
    walk(plan0.rows[0]['QUERY PLAN'][0].Plan);
    return nodes;
  } finally {
    await client.end();
  }
}

/** The buffer accesses of a plan node and what runs under it (a page read twice counts twice). */
const buffersRead = (node: PlanNode) => node['Shared Hit Blocks'] + node['Shared Read Blocks'];

describe('statements on a schema never analyzed', () => {
  // A fresh install whose first burst comes before autovacuum's first ANALYZE (a minute or more):
  // with no statistics PostgreSQL guesses 0.5% for each equality (state = 'pending', fifo IS NULL)
  // and expects a row or two where thousands wait. (The claim's walk of the pending requests is then
  // planned as a scan and sort of all of them until the first ANALYZE: docs/postgres.md says so.)
  let storage: PostgresStorage;
  let schema: string;
  const at = Date.UTC(2031, 0, 1);
  const PENDING = 20_000;
  const request = (i: number, webhookKey = 'slow') => ({ id: `${webhookKey}-${i}`, webhookKey, eventAlias: 'e', body: '{}', createdAt: new Date(at), dueAt: new Date(at + i) });
  /** The table's size in pages: what a statement that reads every row reads. */
  const tablePages = async () => Number((await db.query<{ pages: string }>(`SELECT pg_relation_size('"${schema}".requests') / current_setting('block_size')::int AS pages`)).rows[0]!.pages);

  beforeAll(async () => {
    schema = db.schema();
    storage = await openPostgresStorage({ connectionString: db.url, schema });
    // Kept unanalyzed whatever the server's autovacuum does.
    await db.query(`ALTER TABLE "${schema}".requests SET (autovacuum_enabled = off)`);
    for (let i = 0; i < PENDING; i += 1_000) await storage.queue.enqueue(Array.from({ length: 1_000 }, (_, j) => request(i + j)));
  });
  afterAll(() => storage?.close());

  it('is never analyzed (the case at hand)', async () => {
    const stats = await db.query(`SELECT 1 FROM pg_stats WHERE schemaname = $1 AND tablename = 'requests'`, [schema]);
    expect(stats.rowCount).toBe(0);
  });

  it('a claim looks up the heads of the FIFO lines by key, never reading the pending requests to join them', async () => {
    const pages = await tablePages();
    const fifoHeadsOf = async () => (await explainAnalyze(claimStatement(quoteIdentifier(schema), false), [at + PENDING, [], 16, 'A', at + PENDING + 60_000])).find((n) => n['Subplan Name'] === 'CTE fifo_heads')!;
    // Before: a hash of every due pending request, built at each claim, with no line at all (326 buffer accesses).
    expect(buffersRead(await fifoHeadsOf()) < pages / 4).toBe(true);
    await storage.queue.enqueue([0, 1, 2].map((i) => ({ ...request(i - 10, 'line'), fifo: 'block' as const })));
    const heads = await fifoHeadsOf();
    expect({ rows: heads['Actual Rows'], buffers: buffersRead(heads) < pages / 4 }).toEqual({ rows: 1, buffers: true });

    // The line's head goes first (it is the oldest due); the requests behind it wait for it.
    const claimed = await storage.queue.claim({ owner: 'A', limit: 16, leaseMs: 60_000, now: new Date(at + PENDING) });
    expect(claimed.map((r) => r.id)).toEqual(['line--10', ...Array.from({ length: 15 }, (_, i) => `slow-${i}`)]);
    expect(await storage.queue.release('A')).toBe(16);
  });
});

describe('the claim as a named statement runs it, on a table not analyzed yet', () => {
  // A fresh install's first minute: 20,000 plain pending requests, no statistics, and the claim
  // planned as PostgreSQL plans a prepared statement after five runs (a generic plan).
  let storage: PostgresStorage;
  let schema: string;
  const at = Date.UTC(2031, 0, 1);
  beforeAll(async () => {
    schema = db.schema();
    storage = await openPostgresStorage({ connectionString: db.url, schema });
    await db.query(`ALTER TABLE "${schema}".requests SET (autovacuum_enabled = off)`);
    const request = (i: number) => ({ id: `r-${i}`, webhookKey: i % 2 ? 'a' : 'b', eventAlias: 'e', body: '{}', createdAt: new Date(at), dueAt: new Date(at + i) });
    for (let i = 0; i < 20_000; i += 1_000) await storage.queue.enqueue(Array.from({ length: 1_000 }, (_, j) => request(i + j)));
  });
  afterAll(() => storage?.close());

  it('a claim with no FIFO line reads nothing for the heads (before: a sequential scan of every request, at each claim)', async () => {
    const pages = Number((await db.query<{ pages: string }>(`SELECT pg_relation_size('"${schema}".requests') / current_setting('block_size')::int AS pages`)).rows[0]!.pages);
    for (const excluding of [false, true]) {
      const nodes = await explainAnalyze(claimStatement(quoteIdentifier(schema), excluding), [at + 30_000, excluding ? ['b'] : [], 16, 'A', at + 90_000], 'generic');
      const heads = nodes.find((n) => n['Subplan Name'] === 'CTE fifo_heads')!;
      expect({ excluding, buffers: buffersRead(heads) < pages / 4, seqScans: nodes.filter((n) => n['Node Type'] === 'Seq Scan' && n['Actual Loops'] > 0).map((n) => n.Alias) }).toEqual({ excluding, buffers: true, seqScans: [] });
    }
    expect((await storage.queue.claim({ owner: 'A', limit: 3, leaseMs: 60_000, now: new Date(at + 30_000), excludeWebhookKeys: ['b'] })).map((r) => r.id)).toEqual(['r-1', 'r-3', 'r-5']);
  });

  it('a claim with per-webhook bounds reads each webhook\'s front only up to its bound, on the index', async () => {
    // Bounds of 1 for `a` (listed) and 2 for the others: 3 rows of the 20,000 read for the plain requests.
    const nodes = await explainAnalyze(claimStatement(quoteIdentifier(schema), false, true), [at + 30_000, [], 16, 'A', at + 90_000, 2, ['a'], [1]]);
    expect(nodes.filter((n) => n['Node Type'] === 'Seq Scan' && n['Actual Loops'] > 0).map((n) => n.Alias)).toEqual([]);
    expect(nodes.find((n) => n['Subplan Name'] === 'CTE due')!['Actual Rows']).toBe(3);
    // (r-1, r-3 and r-5 are leased by the claim above.)
    const claimed = await storage.queue.claim({ owner: 'A', limit: 16, leaseMs: 60_000, now: new Date(at + 30_000), perWebhookLimit: 2, webhookLimits: new Map([['a', 1]]) });
    expect(claimed.map((r) => r.id)).toEqual(['r-0', 'r-2', 'r-7']);
  });
});

describe('FIFO heads behind a long line', () => {
  // One webhook's line is long (its head in flight at a slow receiver); another webhook's line of
  // one is enqueued after it. Once analyzed, the statistics say nearly every row is of a line.
  let storage: PostgresStorage;
  let schema: string;
  const at = Date.UTC(2031, 0, 1);
  const LONG = 100_000;
  const request = (id: string, webhookKey: string, dueAt: number) => ({ id, webhookKey, eventAlias: 'e', body: '{}', createdAt: new Date(at), dueAt: new Date(dueAt), fifo: 'block' as const });
  beforeAll(async () => {
    schema = db.schema();
    storage = await openPostgresStorage({ connectionString: db.url, schema });
    for (let i = 0; i < LONG; i += 1_000) await storage.queue.enqueue(Array.from({ length: 1_000 }, (_, j) => request(`long-${i + j}`, 'a-long', at + i + j)));
    expect((await storage.queue.claim({ owner: 'slow-receiver', limit: 16, leaseMs: 3_600_000, now: new Date(at) })).map((r) => r.id)).toEqual(['long-0']);
    await storage.queue.enqueue([request('short-0', 'b-short', at + 5)]);
    await db.query(`ANALYZE "${schema}".requests`);
  });
  afterAll(() => storage?.close());

  it('a claim finds each head in a seek or two, not by reading the requests enqueued before it', async () => {
    const pages = Number((await db.query<{ pages: string }>(`SELECT pg_relation_size('"${schema}".requests') / current_setting('block_size')::int AS pages`)).rows[0]!.pages);
    const now = at + LONG;
    const heads = (await explainAnalyze(claimStatement(quoteIdentifier(schema), false), [now, [], 16, 'A', now + 60_000])).find((n) => n['Subplan Name'] === 'CTE fifo_heads')!;
    // Before: the head of b-short was found by walking the primary key from the start (every page).
    expect({ rows: heads['Actual Rows'], buffers: buffersRead(heads) < pages / 4 }).toEqual({ rows: 1, buffers: true });

    expect(await storage.queue.nextDueAt()).toEqual(new Date(at + 5));
    expect((await storage.queue.claim({ owner: 'A', limit: 16, leaseMs: 60_000, now: new Date(now) })).map((r) => r.id)).toEqual(['short-0']);
  });

  it('looks for plain requests without reading the blocked line (the claim\'s plain part and nextDueAt)', async () => {
    const pages = Number((await db.query<{ pages: string }>(`SELECT pg_relation_size('"${schema}".requests') / current_setting('block_size')::int AS pages`)).rows[0]!.pages);
    const now = at + LONG;
    // Before: the pending index held the line's 99,999 waiting requests too, every due one read and
    // filtered out to find no plain request (5.8 ms a claim and a nextDueAt).
    const plain = (await explainAnalyze(claimStatement(quoteIdentifier(schema), false), [now, [], 16, 'A', now + 60_000])).find((n) => n['Subplan Name'] === 'CTE due')!;
    expect({ rows: plain['Actual Rows'], buffers: buffersRead(plain) < pages / 4 }).toEqual({ rows: 0, buffers: true });
    const [next] = await explainAnalyze(nextDueStatement(quoteIdentifier(schema)), []);
    expect(buffersRead(next!) < pages / 4).toBe(true);
    // A plain request enqueued now is found, and claimed.
    await storage.queue.enqueue([{ id: 'plain-0', webhookKey: 'c-plain', eventAlias: 'e', body: '{}', createdAt: new Date(at), dueAt: new Date(at + 7) }]);
    expect((await storage.queue.claim({ owner: 'B', limit: 16, leaseMs: 60_000, now: new Date(now) })).map((r) => r.id)).toEqual(['plain-0']);
  });
});
