import { createHash } from 'node:crypto';
import type { ClientBase, Pool, QueryResult, QueryResultRow } from 'pg';
import { toStorageError } from './postgres-errors';

/** Something that runs queries: the pool, or a client (the host's, in its transaction). */
export type Queryable = Pick<ClientBase, 'query'>;

/**
 * The pool shared by a store's four ports, the schema its tables live in, and one way to run a
 * statement: prepared once per connection (named by a hash of its text), any failure turned into
 * one coded error naming the server, the operation and the fix.
 */
export class PostgresConnection {
  /** The schema, quoted for SQL. */
  readonly s: string;
  /** The LISTEN/NOTIFY channel of this schema. */
  readonly channel: string;
  private readonly names = new Map<string, string>();
  /** The database the pool's connections are on (`current_database()` at open), which a host transaction's client must be on too. */
  readonly database: string | undefined;
  /** The role the pool connects as (`current_user` at open), for the GRANT a refused statement needs. */
  readonly role: string | undefined;
  /**
   * Where a publish looks up its webhooks when they are not in memory: `pool`, or — on a pool of
   * the host's — `bookkeeping`, which hookwork owns. A publish in a host transaction holds one of
   * the host's connections while it looks: on the host's pool, transactions holding every
   * connection would each wait for one more, for ever.
   */
  readonly lookups: Pool;

  constructor(
    /** The pool for what must be durable when it returns (enqueues, webhook changes) and for reads. */
    readonly pool: Pool,
    readonly schema: string,
    /** The server and schema for messages, e.g. `PostgreSQL 127.0.0.1:5432/app (schema "hookwork")`. */
    readonly where: string,
    /**
     * The pool for the dispatcher's bookkeeping (claims, completions, retries, renewals, log
     * entries): with `synchronous_commit = off` unless every commit must wait for the WAL flush.
     */
    readonly bookkeeping: Pool = pool,
    /** Where a plain enqueue (not in a host transaction) goes: `pool`, or `bookkeeping` when nothing need wait. */
    readonly enqueueing: Pool = pool,
    /**
     * True (`synchronousCommit: 'publish'`) when an enqueue with requests handed to this process's
     * dispatcher commits on `bookkeeping` (visible at once, not yet durable) and then waits for a
     * flush barrier on `pool`, so its requests are sent while the disk syncs.
     */
    readonly visibleFirst = false,
    /** What {@link database}, {@link role} and {@link lookups} are (`lookups` defaults to `pool`). */
    about: { database?: string; role?: string; lookups?: Pool } = {},
  ) {
    this.database = about.database;
    this.role = about.role;
    this.lookups = about.lookups ?? pool;
    this.s = quoteIdentifier(schema);
    this.channel = `hookwork:${schema}`;
  }

  /**
   * Runs one statement on the pool (or on `on`); on hookwork's own pools as a named prepared
   * statement, so that the server parses and plans it once per connection.
   */
  async query<R extends QueryResultRow = QueryResultRow>(doing: string, text: string, values: unknown[] = [], on: Queryable = this.pool): Promise<QueryResult<R>> {
    try {
      // The host's own client gets an unnamed statement: nothing of hookwork's stays prepared on
      // a connection it does not own (a DISCARD ALL there would leave node-postgres believing it is).
      const own = on === this.pool || on === this.bookkeeping || on === this.lookups;
      return await on.query<R>(own ? { name: this.nameOf(text), text, values } : { text, values });
    } catch (error) {
      throw toStorageError(error, { where: this.where, doing, schema: this.schema, ...(this.role !== undefined ? { role: this.role } : {}) });
    }
  }

  private nameOf(text: string): string {
    let name = this.names.get(text);
    if (name === undefined) {
      name = `hookwork_${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
      this.names.set(text, name);
    }
    return name;
  }
}

/** An identifier quoted for SQL (`"my schema"`); double quotes inside are doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
