import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ReceiverError, type DedupeClaim, type DedupeStore } from '@hookwork/receiver';

/** The table a {@link postgresDedupeStore} keeps its ids in; create it once, with your migrations. */
export function dedupeTableDdl(table = 'webhook_receipts'): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  id         text        PRIMARY KEY,
  state      text        NOT NULL CHECK (state IN ('processing', 'done')),
  token      uuid        NOT NULL,
  expires_at timestamptz NOT NULL
)`;
}

/**
 * A {@link DedupeStore} on PostgreSQL, with a way to delete the expired rows.
 *
 * Give the pool timeouts — `new Pool({ connectionTimeoutMillis: 2_000, query_timeout: 5_000 })`:
 * pg waits for a connection for ever by default, so a database behind a firewall that drops packets
 * holds each request past the sender's timeout. With them the receiver answers 503 with Retry-After
 * (RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE) within the timeout, and the sender backs off.
 */
export interface PostgresDedupeStore extends DedupeStore {
  /** Deletes rows whose lease or retention ran out; run it now and then (a cron, a timer). Returns how many. */
  purgeExpired(): Promise<number>;
}

/** Options of {@link postgresDedupeStore}. */
export interface PostgresDedupeStoreOptions {
  /**
   * Told of an error the pool raises outside any request: an idle connection ended by the server
   * (a restart, a failover, `pg_terminate_backend`, `idle_session_timeout`). The pool drops that
   * connection and opens another for the next query, so nothing is lost; the error is a
   * `ReceiverError` with `RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE` and pg's error as `cause`. Give it
   * your log (the receiver's `onError` has no request to answer here). Default: `console.error`.
   */
  onError?: (error: ReceiverError) => void;
}

/**
 * A {@link DedupeStore} on PostgreSQL (pg), shared by every worker on the same database. The
 * claim is one `INSERT … ON CONFLICT DO UPDATE … WHERE expired`: PostgreSQL lets exactly one of
 * two concurrent inserts of an id through, and takes an expired row over in the same statement.
 * `table` is used as given (it may be schema-qualified): never build it from input.
 *
 * It listens for the pool's `error` event (see {@link PostgresDedupeStoreOptions.onError}): pg ends
 * the process when an idle connection is ended by the server and nothing listens.
 */
export function postgresDedupeStore(pool: Pool, table = 'webhook_receipts', options: PostgresDedupeStoreOptions = {}): PostgresDedupeStore {
  // pg's Pool re-emits an idle client's error, and an EventEmitter 'error' with no listener ends the
  // process: one pg_terminate_backend (or a database restart) between requests crashed the receiver.
  const report = options.onError ?? ((error: ReceiverError) => console.error(error));
  pool.on('error', (error) => {
    const reason = (error as Error)?.message ?? String(error);
    report(new ReceiverError('RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE', `the dedupe store's PostgreSQL pool lost an idle connection (${reason}); the pool opens another for the next request, nothing was lost`, { cause: error }));
  });
  const ms = (parameter: string) => `now() + (${parameter}::bigint * interval '1 millisecond')`;
  return {
    async claim(id: string, leaseMs: number): Promise<DedupeClaim> {
      const token = randomUUID();
      const claimed = await pool.query(
        `INSERT INTO ${table} (id, state, token, expires_at) VALUES ($1, 'processing', $2, ${ms('$3')})
         ON CONFLICT (id) DO UPDATE SET state = 'processing', token = EXCLUDED.token, expires_at = EXCLUDED.expires_at
         WHERE ${table}.expires_at <= now()
         RETURNING token`,
        [id, token, leaseMs],
      );
      if (claimed.rowCount === 1) return { status: 'claimed', token };
      const { rows } = await pool.query<{ state: string }>(`SELECT state FROM ${table} WHERE id = $1`, [id]);
      // No row: the claim that beat this one was released in between; the sender's retry will claim it.
      return rows[0]?.state === 'done' ? { status: 'done' } : { status: 'in-progress' };
    },
    async complete(id: string, token: string, retainMs: number): Promise<void> {
      await pool.query(`UPDATE ${table} SET state = 'done', expires_at = ${ms('$3')} WHERE id = $1 AND token = $2 AND state = 'processing'`, [id, token, retainMs]);
    },
    async release(id: string, token: string): Promise<void> {
      await pool.query(`DELETE FROM ${table} WHERE id = $1 AND token = $2 AND state = 'processing'`, [id, token]);
    },
    async purgeExpired(): Promise<number> {
      return (await pool.query(`DELETE FROM ${table} WHERE expires_at <= now()`)).rowCount ?? 0;
    },
  };
}
