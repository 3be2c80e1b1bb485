import pg from 'pg';
import { isHookworkError } from '@hookwork/core';
import { openPostgresStorage, postgresStorage } from './index';

// Options are checked when postgresStorage() is called, before any server is reached: no database needed.
describe('postgresStorage() options, without a server', () => {
  it('says a connectionString given as undefined (an unset environment variable) is undefined', () => {
    const unset: string | undefined = process.env.HOOKWORK_TEST_SURELY_UNSET_VARIABLE;
    let error: unknown;
    try {
      postgresStorage({ connectionString: unset });
    } catch (e) {
      error = e;
    }
    expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_STORAGE_OPTIONS')).toBe(true);
    expect((error as Error).message).toMatch(/`connectionString` is undefined — an environment variable that is not set \(such as DATABASE_URL\)\?/);
  });

  // Read as given, again at start(): a getter that threw escaped bare, and one answering differently was checked as one value and used as another.
  it('reads the options once: a getter or Proxy trap that throws is refused naming it, and what is checked is what start() uses', () => {
    const sealed = () => {
      throw new Error('vault sealed');
    };
    expect(() => postgresStorage({ get connectionString(): string { return sealed(); } })).toThrow(/^HOOKWORK_ERR_INVALID_STORAGE_OPTIONS: postgresStorage\(\): `connectionString` could not be read: its getter threw \(vault sealed\)/);
    expect(() => postgresStorage(new Proxy({ connectionString: 'postgres://app@127.0.0.1:5432/app' }, { getPrototypeOf: sealed }))).toThrow(/postgresStorage\(\): the options could not be read: its getPrototypeOf trap threw \(vault sealed\)/);
    const reads = { schema: 0, connectionString: 0 };
    postgresStorage({
      get connectionString() {
        return reads.connectionString++ === 0 ? 'postgres://app@127.0.0.1:5432/app' : 'postgres://app:secret@elsewhere:5432/app';
      },
      // Checked as not null, then read again as null: the default schema was used unseen.
      get schema() {
        return reads.schema++ === 0 ? 'shop_hooks' : (null as unknown as string);
      },
    });
    expect(reads).toEqual({ schema: 1, connectionString: 1 });
  });

  it('refuses connectTimeoutMs beside a pool of the host, as it refuses poolSize, instead of ignoring it', () => {
    const pool = { connect: () => undefined, query: () => undefined, on: () => undefined, off: () => undefined } as never;
    expect(() => postgresStorage({ pool, connectTimeoutMs: 2000 })).toThrow(/`connectTimeoutMs` applies to the pool hookwork makes from `connectionString`; with your own `pool`, set its connectionTimeoutMillis/);
    expect(() => postgresStorage({ pool, poolSize: 4 })).toThrow(/`poolSize` sizes the pool hookwork makes/);
    expect(() => postgresStorage({ pool })).not.toThrow();
  });

  // PostgreSQL's protocol ends a string at U+0000: a database "app\0x" was "app".
  it('refuses a connection string holding U+0000 or a lone surrogate, and options that are not a plain object', () => {
    for (const connectionString of ['postgres://app@127.0.0.1:5432/app\u0000x', 'postgres://app@127.0.0.1:5432/app\uD800']) {
      expect(() => postgresStorage({ connectionString })).toThrow(/HOOKWORK_ERR_INVALID_STORAGE_OPTIONS: postgresStorage\(\): `connectionString` holds U\+0000 \(NUL\) or a lone UTF-16 surrogate/);
    }
    expect(() => postgresStorage(new Map([['connectionString', 'postgres://app@127.0.0.1/app']]) as never)).toThrow(/takes a plain options object.*; got a Map/);
  });

  it('still asks for one of connectionString or pool when neither is named', () => {
    expect(() => postgresStorage({})).toThrow(/give either `connectionString`.*or `pool`.*not neither/);
  });

  it('refuses at once a connection string node-postgres cannot read, without showing it (it may hold a password)', () => {
    // A password with a reserved character, not percent-encoded; a port out of range.
    for (const connectionString of ['postgres://app:pa#ss@127.0.0.1:5432/app', 'postgres://app:pa/ss@127.0.0.1:5432/app', 'postgres://app:s3cret@127.0.0.1:99999/app']) {
      let error: unknown;
      try {
        postgresStorage({ connectionString });
      } catch (e) {
        error = e;
      }
      expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_STORAGE_OPTIONS')).toBe(true);
      expect((error as Error).message).toMatch(/`connectionString` (is not a URL node-postgres can read|holds an @ after its host, or a #).*percent-encoded \(encodeURIComponent\(password\)\)/);
      expect((error as Error).message).not.toMatch(/pa#ss|pa\/ss|s3cret/);
    }
    // What node-postgres reads is accepted: an encoded password, spaces, an empty host, a socket directory.
    for (const connectionString of ['postgres://app:pa%23ss@127.0.0.1:5432/app', 'postgres://app@/app?host=/var/run/postgresql', 'postgresql://app:a b@db/app', 'postgres:///app']) {
      expect(() => postgresStorage({ connectionString })).not.toThrow();
    }
  });

  it('refuses at once a password whose unencoded / ? or # node-postgres would read as the port, database or query, without showing it', () => {
    // Each parses: as host "app" port 2024 and database "Tr0ub4dor@127.0.0.1:5432/test", and so on;
    // the start's error then named that "database", the password's tail.
    for (const connectionString of ['postgres://app:2024/Tr0ub4dor@127.0.0.1:5432/test', 'postgres://app:2024?Tr0ub4dor@127.0.0.1:5432/test', 'postgres://app@127.0.0.1:5432/test#Tr0ub4dor']) {
      let error: unknown;
      try {
        postgresStorage({ connectionString });
      } catch (e) {
        error = e;
      }
      expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_STORAGE_OPTIONS')).toBe(true);
      expect((error as Error).message).toMatch(/`connectionString` holds an @ after its host, or a #: .*percent-encoded \(encodeURIComponent\(password\)\)/);
      expect((error as Error).message).not.toMatch(/Tr0ub4dor|2024/);
    }
    expect(() => postgresStorage({ connectionString: `postgres://app:${encodeURIComponent('2024/Tr0ub4dor')}@127.0.0.1:5432/test` })).not.toThrow();
  });

  it('never names such a string of a host\'s own pool in the error of a failed start', async () => {
    // localhost port 1: refused at once, on loopback. As node-postgres reads it, the "database" is the password's tail.
    const pool = new pg.Pool({ connectionString: 'postgres://localhost:1/Tr0ub4dor@127.0.0.1:5432/test', connectionTimeoutMillis: 2000 });
    try {
      const error = await openPostgresStorage({ pool }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isHookworkError(error, 'HOOKWORK_ERR_STORAGE_OPEN_FAILED')).toBe(true);
      expect((error as Error).message).toMatch(/a connection string with an unencoded @ or #, not shown/);
      expect((error as Error).message).not.toMatch(/Tr0ub4dor/);
    } finally {
      await pool.end();
    }
  });

  it('refuses null for an option (it is no option left out), and a connectTimeoutMs beyond the longest timer', () => {
    for (const key of ['schema', 'poolSize', 'connectTimeoutMs', 'synchronousCommit']) {
      expect(() => postgresStorage({ connectionString: 'postgres://app@127.0.0.1/app', [key]: null } as never)).toThrow(new RegExp(`HOOKWORK_ERR_INVALID_STORAGE_OPTIONS: postgresStorage\\(\\): \`${key}\` is null; leave it out for its default`));
    }
    // setTimeout fires a longer delay at once: start() failed in 7 ms with "could not be reached".
    expect(() => postgresStorage({ connectionString: 'postgres://app@127.0.0.1/app', connectTimeoutMs: 3e9 })).toThrow(/`connectTimeoutMs` must be a whole number of milliseconds from 1 to 2147483647 .*got 3000000000/);
    expect(() => postgresStorage({ connectionString: 'postgres://app@127.0.0.1/app', connectTimeoutMs: 2_147_483_647 })).not.toThrow();
  });

  it('refuses a pool that lacks what a pg.Pool has, naming the method, rather than failing at start with a TypeError', () => {
    const noEvents = { connect: () => undefined, query: () => undefined } as never;
    expect(() => postgresStorage({ pool: noEvents })).toThrow(/`pool` must be a node-postgres Pool \(new pg\.Pool\(\{ … \}\)\); got an object without on\(\)/);
  });

  it('refuses a pg Client as pool at once, instead of start() failing with "client.release is not a function"', () => {
    const client = new pg.Client({ connectionString: 'postgres://app@127.0.0.1:5432/app' });
    expect(() => postgresStorage({ pool: client as never })).toThrow(/HOOKWORK_ERR_INVALID_STORAGE_OPTIONS: postgresStorage\(\): `pool` must be a node-postgres Pool .*got a pg Client .*pass the Pool itself, or a `connectionString`/);
    expect(() => postgresStorage({ pool: new pg.Pool({ connectionString: 'postgres://app@127.0.0.1:5432/app' }) })).not.toThrow();
  });

  it("answers node-postgres's own settings (ssl, host, user…) passed as options with where they go", () => {
    for (const option of [{ ssl: true }, { host: '127.0.0.1' }, { user: 'app' }, { database: 'app' }]) {
      expect(() => postgresStorage({ connectionString: 'postgres://app@127.0.0.1:5432/app', ...option } as never)).toThrow(
        /unknown option .*; the options are .*\. node-postgres's connection settings go in `connectionString` \(postgres:\/\/user:password@host:5432\/db\?sslmode=verify-full.*\), or make a pg\.Pool with them \(ssl included\) and pass it as `pool`/,
      );
    }
  });

  it('refuses information_schema, which pg_dump leaves out of backups', () => {
    expect(() => postgresStorage({ connectionString: 'postgres://app@127.0.0.1/app', schema: 'information_schema' })).toThrow(/`schema` cannot be "information_schema"/);
  });
});
