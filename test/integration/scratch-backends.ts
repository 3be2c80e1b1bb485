import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';

/** Where an integration test file runs its backends: all of it the file's own, removed after. */
export interface ScratchBackends {
  /** The test PostgreSQL (`HOOKWORK_TEST_PG_URL`, default the machine's, database `test`). */
  readonly pgUrl: string;
  /** The test Redis (`HOOKWORK_TEST_REDIS_URL`, default 127.0.0.1:6379). */
  readonly redisUrl: string;
  /** The start of every PostgreSQL schema the file makes (`<schema>_polling_1`, …): all are dropped after. */
  readonly schema: string;
  /** The key prefix of every Redis key the file makes: all are deleted after (never FLUSHALL). */
  readonly prefix: string;
  /** A temporary folder for SQLite files, made before the file's tests and removed after. */
  dir(): string;
}

/**
 * Registers, in the calling test file, the making and removing of its scratch backends. `label`
 * names them (`hwt_<label>_<pid>_<random>`), so two files, or two runs, never share one.
 */
export function scratchBackends(label: string): ScratchBackends {
  const tag = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const schema = `hwt_${label}_${tag}`;
  const prefix = `hwt-${label}-${tag}`;
  const pgUrl = process.env.HOOKWORK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const redisUrl = process.env.HOOKWORK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  let dir: string | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `hookwork-${label}-`));
  });
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    const db = new pg.Client({ connectionString: pgUrl });
    await db.connect();
    const { rows } = await db.query<{ name: string }>('SELECT nspname AS name FROM pg_namespace WHERE starts_with(nspname, $1)', [schema]);
    for (const { name } of rows) await db.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    await db.end();
    const redis = new Redis(redisUrl);
    for (let cursor = '0'; ; ) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      if ((cursor = next) === '0') break;
    }
    redis.disconnect();
  });
  return { pgUrl, redisUrl, schema, prefix, dir: () => dir! };
}
