import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { maskUrlCredentials } from '@hookwork/core';
import { quoteIdentifier } from '../postgres-connection';

/**
 * The server the tests use: `HOOKWORK_TEST_PG_URL`, by default the machine kind's PostgreSQL
 * (trust auth, database `test`).
 */
export const TEST_PG_URL = process.env.HOOKWORK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * One test file's corner of the test database: every schema it asks for has a unique name
 * (`hwt_<label>_<pid>_<random>_<n>`), and `cleanup()` drops those schemas and no other, so test
 * files run in parallel and leave nothing behind.
 */
export class TestDatabase {
  readonly url = TEST_PG_URL;
  private readonly created: string[] = [];
  private readonly prefix: string;
  private pool: pg.Pool | undefined;

  constructor(label: string) {
    this.prefix = `hwt_${label.replace(/[^a-z0-9]/gi, '').slice(0, 12).toLowerCase()}_${process.pid}_${randomBytes(3).toString('hex')}`;
  }

  /**
   * A new schema name for this file (not created: the store creates it at open); `mixed` spells
   * it in mixed case (`HwT_…`), which only works where it is quoted.
   */
  schema(spelling: 'lower' | 'mixed' = 'lower'): string {
    const name = `${spelling === 'mixed' ? 'HwT' : 'hwt'}${this.prefix.slice(3)}_${this.created.length}`;
    this.created.push(name);
    return name;
  }

  /** Runs SQL as the test's admin connection (for inspecting or breaking a store). */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.admin().query<R>(text, values);
  }

  /** Fails with a message naming HOOKWORK_TEST_PG_URL when the server cannot be reached. */
  async reachable(): Promise<void> {
    try {
      await this.admin().query('SELECT 1');
    } catch (error) {
      throw new Error(
        `the PostgreSQL tests need a server: ${maskUrlCredentials(this.url)} could not be reached (${(error as Error).message}). Start PostgreSQL there, or set HOOKWORK_TEST_PG_URL to a postgres:// URL of a database the tests may create schemas in`,
        { cause: error },
      );
    }
  }

  /** Drops one schema this file created (and whatever is in it). */
  async drop(schema: string): Promise<void> {
    if (!this.created.includes(schema)) throw new Error(`refusing to drop schema ${schema}: this test file did not create it`);
    await this.admin().query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
  }

  /** Drops every schema this file created, and closes the admin connection. */
  async cleanup(): Promise<void> {
    for (const schema of this.created.splice(0)) await this.admin().query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
    await this.pool?.end();
    this.pool = undefined;
  }

  private admin(): pg.Pool {
    this.pool ??= new pg.Pool({ connectionString: this.url, max: 2, connectionTimeoutMillis: 5000 });
    return this.pool;
  }
}

