import { HookworkError } from '@hookwork/core';
import type { ClientBase, Pool, PoolClient } from 'pg';
import { quoteIdentifier } from './postgres-connection';
import { sqlState, toStorageError } from './postgres-errors';
import { HEALTH_CHANGED } from './postgres-listener';

/**
 * The forward migrations, in order: `MIGRATIONS[n](s)` takes a schema (`s`, quoted) from version
 * n to n + 1. Only ever append: a released migration is never changed, because databases out
 * there already ran it. Times are epoch milliseconds (bigint), as the ports pass them.
 */
const MIGRATIONS: readonly ((s: string) => string)[] = [
  (s) => `
  CREATE TABLE ${s}.webhooks (
    seq bigserial PRIMARY KEY,
    key text NOT NULL UNIQUE,
    created_at bigint NOT NULL,
    events text[] NOT NULL,
    data text NOT NULL
  );
  CREATE INDEX webhooks_created ON ${s}.webhooks (created_at, seq);
  -- getByAlias: events @> ARRAY[alias] is a lookup in this index, not a scan.
  CREATE INDEX webhooks_events ON ${s}.webhooks USING gin (events);

  CREATE TABLE ${s}.requests (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    webhook_key text NOT NULL,
    event_alias text NOT NULL,
    body text NOT NULL,
    created_at bigint NOT NULL,
    due_at bigint NOT NULL,
    state text NOT NULL CHECK (state IN ('pending', 'inflight', 'dead')),
    retry_count integer NOT NULL DEFAULT 0,
    last_error text,
    lease_owner text,
    lease_expires_at bigint,
    dead_at bigint,
    fifo text CHECK (fifo IN ('skip', 'block')),
    traceparent text
  );
  -- Partial indexes: a claim reads only the due front of the pending requests, however many wait.
  CREATE INDEX requests_pending ON ${s}.requests (due_at, seq) WHERE state = 'pending';
  CREATE INDEX requests_inflight ON ${s}.requests (lease_expires_at) WHERE state = 'inflight';
  CREATE INDEX requests_dead ON ${s}.requests (dead_at, seq) WHERE state = 'dead';
  CREATE INDEX requests_webhook ON ${s}.requests (webhook_key, state);

  CREATE TABLE ${s}.delivery_log (
    seq bigserial PRIMARY KEY,
    key text NOT NULL,
    webhook_key text NOT NULL,
    request_id text NOT NULL,
    url text NOT NULL,
    event_alias text NOT NULL,
    retry_count integer NOT NULL,
    date bigint NOT NULL,
    status_code integer,
    request_headers text NOT NULL,
    request_body text NOT NULL,
    response_headers text NOT NULL,
    -- bytea: a receiver's response may hold any byte, NUL included, which text cannot.
    response_body bytea NOT NULL,
    error_kind text,
    error_message text,
    duration_ms double precision NOT NULL,
    outcome text NOT NULL
  );
  CREATE INDEX delivery_log_date ON ${s}.delivery_log (date, seq);
  CREATE INDEX delivery_log_webhook ON ${s}.delivery_log (webhook_key, date, seq);
  CREATE INDEX delivery_log_key ON ${s}.delivery_log (key);
  CREATE INDEX delivery_log_request ON ${s}.delivery_log (request_id, date, seq);

  -- One row per webhook that ever failed: its health as JSON, written by compare-and-set on version.
  CREATE TABLE ${s}.webhook_health (
    webhook_key text PRIMARY KEY,
    version integer NOT NULL,
    state text NOT NULL
  );
  -- The rate limiter's theoretical arrival time (GCRA) per rate-limited webhook, ms.
  CREATE TABLE ${s}.webhook_rate (
    webhook_key text PRIMARY KEY,
    tat double precision NOT NULL
  );
  `,
  // 2: FIFO lines. A webhook's line (the requests that hold it; its head is the smallest seq) is
  // read from this index, so a claim finds each line's head without reading the line.
  (s) => `
  CREATE INDEX requests_fifo_line ON ${s}.requests (webhook_key, seq) WHERE fifo IS NOT NULL AND (state <> 'dead' OR fifo = 'block');
  `,
  // 3: one row per open store (process), rewritten by a commit that waits for the WAL flush: it
  // makes durable the enqueues committed before it without waiting for the flush (see
  // PostgresRequestQueue). A row is deleted when its store closes; a killed process leaves its row.
  (s) => `
  CREATE TABLE ${s}.flushes (
    owner text PRIMARY KEY,
    at bigint NOT NULL
  );
  `,
  // 4: a change of a webhook's health notifies every process on the schema (they answer health
  // reads from memory while listening), sent by a trigger rather than by the writing statement so
  // that a writer of any release is heard: during a rolling upgrade an older process's breaker
  // write would otherwise go unseen until the cache's time limit. The channel is the schema's
  // (PostgresConnection.channel); pg_notify folds a transaction's identical notifications into one.
  (s) => `
  CREATE FUNCTION ${s}.notify_health_changed() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('hookwork:' || TG_TABLE_SCHEMA, '${HEALTH_CHANGED}');
    RETURN NULL;
  END
  $$;
  CREATE TRIGGER webhook_health_changed AFTER INSERT OR UPDATE OR DELETE ON ${s}.webhook_health
    FOR EACH ROW EXECUTE FUNCTION ${s}.notify_health_changed();
  `,
  // 5: the pending index holds the plain requests only. Every walk of it by due time (the claim's
  // plain part, nextDueAt's) asks for plain requests, and FIFO requests are found through their
  // line (requests_fifo_line): with them in it, a line blocked behind its head (a slow receiver)
  // was read whole, its due entries filtered out one by one, at each claim and each nextDueAt
  // (5.8 ms with a line of 100,000 and no plain request, analyzed). The same split SQLite's
  // store made in its migration 3; a FIFO enqueue now writes one index entry fewer.
  (s) => `
  CREATE INDEX requests_plain_due ON ${s}.requests (due_at, seq) WHERE state = 'pending' AND fifo IS NULL;
  DROP INDEX ${s}.requests_pending;
  `,
  // 6: the plain pending requests of each webhook by due time, for a claim that excludes the
  // webhooks at their limit: it walks each other webhook's front instead of the walk of all by due
  // time, which read the excluded webhooks' backlogs (PostgresRequestQueue's dueOutside). A request
  // handed off at publish (in flight at once) never enters it.
  (s) => `
  -- coalesce(fifo, '') = '' is fifo IS NULL, written so that only the claim's per-webhook walk
  -- matches it (PostgresRequestQueue's PLAIN_PENDING).
  CREATE INDEX requests_plain_by_webhook ON ${s}.requests (webhook_key, due_at, seq) WHERE state = 'pending' AND coalesce(fifo, '') = '';
  `,
];

/** The schema version this build of @hookwork/postgres writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The first key of hookwork's advisory locks ('hook' in ASCII); the second is the schema's hash. */
const LOCK_CLASS = 0x686f6f6b;

/**
 * The schema's version (0: none yet), and the database and role the connection is on, in the same
 * round trip; the role is kept in `known` at once, for the message of a refused read that follows.
 */
async function readVersion(client: ClientBase, schema: string, known: { role?: string }): Promise<{ version: number; database: string; role: string }> {
  const table = await client.query<{ t: string | null; database: string; role: string }>('SELECT to_regclass($1) AS t, current_database() AS database, current_user AS role', [`${quoteIdentifier(schema)}.schema_version`]);
  const { database, role } = table.rows[0]!;
  known.role = role;
  if (table.rows[0]?.t == null) return { version: 0, database, role };
  const row = await client.query<{ version: number }>(`SELECT version FROM ${quoteIdentifier(schema)}.schema_version WHERE id = 1`);
  return { version: row.rows[0]?.version ?? 0, database, role };
}

function tooNew(where: string, version: number): HookworkError {
  return new HookworkError(
    'HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW',
    `${where} has schema version ${version}, written by a newer @hookwork/postgres; this version knows up to ${SCHEMA_VERSION}. Upgrade @hookwork/postgres, or use another schema`,
  );
}

/**
 * Brings the schema up to {@link SCHEMA_VERSION}. A schema already current costs one read and
 * no lock (so a role without CREATE rights can open a schema an owner migrated). Otherwise the
 * migration runs in one transaction under an advisory lock keyed on the schema's name, so ten
 * processes starting at once migrate once (the others wait, then find it done), and a failed
 * migration leaves the schema as it was. A schema written by a newer version is refused.
 */
export async function migrate(pool: Pool, schema: string, where: string): Promise<{ from: number; to: number; database: string; role: string }> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw toStorageError(error, { where, doing: 'connecting', opening: true });
  }
  let broken: unknown;
  // What a refused statement's message needs: the role, and the versions once a migration began.
  const known: { role?: string; migration?: { from: number; to: number } } = {};
  try {
    const { version: current, database, role } = await readVersion(client, schema, known);
    if (current > SCHEMA_VERSION) throw tooNew(where, current);
    if (current === SCHEMA_VERSION) return { from: current, to: current, database, role };
    known.migration = { from: current, to: SCHEMA_VERSION };
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, schema]);
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      // Only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists.
      if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
      const s = quoteIdentifier(schema);
      await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_version (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL, migrated_at timestamptz NOT NULL)`);
      const { version: from } = await readVersion(client, schema, known);
      if (from > SCHEMA_VERSION) throw tooNew(where, from);
      for (let version = from; version < SCHEMA_VERSION; version++) await client.query(MIGRATIONS[version]!(s));
      if (from !== SCHEMA_VERSION) {
        await client.query(`INSERT INTO ${s}.schema_version (id, version, migrated_at) VALUES (1, $1, now()) ON CONFLICT (id) DO UPDATE SET version = excluded.version, migrated_at = excluded.migrated_at`, [SCHEMA_VERSION]);
      }
      await client.query('COMMIT');
      return { from, to: SCHEMA_VERSION, database, role };
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => (broken = rollbackError));
      throw error;
    }
  } catch (error) {
    const state = sqlState(error);
    if (state === '42P07' || state === '42723') {
      // A table or function of the same name that is not hookwork's: a schema shared with the host's
      // own tables (such as public, where a `webhooks` or `requests` table is common).
      throw new HookworkError(
        'HOOKWORK_ERR_STORAGE_OPEN_FAILED',
        `${where} already holds something of the name hookwork needs (${(error as Error).message}) that is not hookwork's; nothing was changed. hookwork's tables need a schema of their own: set postgresStorage({ schema }) to a new name (it is created at start)`,
        { cause: error },
      );
    }
    throw toStorageError(error, { where, doing: 'reading or migrating its schema', opening: true, schema, ...known });
  } finally {
    client.release(broken as Error | undefined);
  }
}
