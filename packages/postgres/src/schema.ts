import { randomUUID } from 'node:crypto';
import { HookworkError } from '@hookwork/core';
import type { ClientBase, Pool, PoolClient } from 'pg';
import { checkOut, quoteIdentifier } from './postgres-connection';
import { sqlState, toStorageError } from './postgres-errors';
import { HEALTH_CHANGED, SCHEMA_CHANGED } from './postgres-listener';

/**
 * One forward migration: its SQL for a schema (`s`, quoted), and the oldest schema version whose
 * code may still open the schema once it ran (its *compatible-from* floor; see the rule above
 * {@link MIGRATIONS}).
 */
interface Migration {
  readonly compatibleFrom: number;
  readonly sql: (s: string) => string;
}

/**
 * The forward migrations, in order: `MIGRATIONS[n].sql(s)` takes a schema (`s`, quoted) from
 * version n to n + 1. Only ever append: a released migration is never changed, because databases
 * out there already ran it. Times are epoch milliseconds (bigint), as the ports pass them.
 *
 * **compatibleFrom — who may still open the schema after this migration.** A build that knows up
 * to version K opens a schema at a newer version V (written by a newer build: during a rolling
 * deploy, after a rollback) when V's floor is K or less: it runs no migration and works on tables
 * that have what it needs and more. So each migration states its floor, honestly:
 *
 * - **Keep the previous floor** (additive) only when code written for every version from that
 *   floor on stays correct beside this migration, reading AND writing, with newer processes on the
 *   schema:
 *   - a new table or index that older code never names (a dropped index must leave older
 *     statements an index they can use: check their plans);
 *   - a new column that is nullable or has a default, so an older INSERT that leaves it out still
 *     succeeds, and whose NULL/default in a row an older process wrote means what that process meant;
 *   - a new trigger or constraint only if every statement older code runs still succeeds under it
 *     (no privilege older roles lack, no value it refuses) and it only adds an effect older code may
 *     ignore (a NOTIFY older listeners take as a wake-up).
 * - **Raise the floor to this version** (breaking) for anything else: a column or table older code
 *   reads that is dropped or renamed, a NOT NULL column without a default (older INSERTs fail), a
 *   tightened CHECK, a new value in an existing column older code misreads (a new `state`), or a
 *   column whose value changes how a request must be handled (FIFO, a breaker) that older code
 *   would ignore, breaking a guarantee.
 * - A release that starts writing something older code misreads without any DDL (a new `state`, a
 *   JSON field whose absence older code mishandles) still adds a migration — with no SQL — to raise
 *   the floor.
 *
 * When unsure, raise it: a refused start says what to do; a misread queue loses requests.
 */
const MIGRATIONS: readonly Migration[] = [
  // 1: the floor is 1 (no code knows less).
  { compatibleFrom: 1, sql: (s) => `
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
  ` },
  // 2: FIFO lines. A webhook's line (the requests that hold it; its head is the smallest seq) is
  // read from this index, so a claim finds each line's head without reading the line. Breaking
  // (floor 2): version 1 claims a FIFO webhook's requests as any others, out of order.
  { compatibleFrom: 2, sql: (s) => `
  CREATE INDEX requests_fifo_line ON ${s}.requests (webhook_key, seq) WHERE fifo IS NOT NULL AND (state <> 'dead' OR fifo = 'block');
  ` },
  // 3: one row per open store (process), rewritten by a commit that waits for the WAL flush: it
  // makes durable the enqueues committed before it without waiting for the flush (see
  // PostgresRequestQueue). A row is deleted when its store closes; a killed process leaves its row.
  // A table older code never names (floor 2).
  { compatibleFrom: 2, sql: (s) => `
  CREATE TABLE ${s}.flushes (
    owner text PRIMARY KEY,
    at bigint NOT NULL
  );
  ` },
  // 4: a change of a webhook's health notifies every process on the schema (they answer health
  // reads from memory while listening), sent by a trigger rather than by the writing statement so
  // that a writer of any release is heard: during a rolling upgrade an older process's breaker
  // write would otherwise go unseen until the cache's time limit. The channel is the schema's
  // (PostgresConnection.channel); pg_notify folds a transaction's identical notifications into one.
  // Older writers fire it: it needs no privilege of theirs, and older listeners take its NOTIFY as a
  // wake-up (one more claim) (floor 2).
  { compatibleFrom: 2, sql: (s) => `
  CREATE FUNCTION ${s}.notify_health_changed() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('hookwork:' || TG_TABLE_SCHEMA, '${HEALTH_CHANGED}');
    RETURN NULL;
  END
  $$;
  CREATE TRIGGER webhook_health_changed AFTER INSERT OR UPDATE OR DELETE ON ${s}.webhook_health
    FOR EACH ROW EXECUTE FUNCTION ${s}.notify_health_changed();
  ` },
  // 5: the pending index holds the plain requests only. Every walk of it by due time (the claim's
  // plain part, nextDueAt's) asks for plain requests, and FIFO requests are found through their
  // line (requests_fifo_line): with them in it, a line blocked behind its head (a slow receiver)
  // was read whole, its due entries filtered out one by one, at each claim and each nextDueAt
  // (5.8 ms with a line of 100,000 and no plain request, analyzed). The same split SQLite's
  // store made in its migration 3; a FIFO enqueue now writes one index entry fewer.
  // Version 2's claim and nextDueAt already ask for `state = 'pending' AND fifo IS NULL`, so they
  // read the new index (floor 2).
  { compatibleFrom: 2, sql: (s) => `
  CREATE INDEX requests_plain_due ON ${s}.requests (due_at, seq) WHERE state = 'pending' AND fifo IS NULL;
  DROP INDEX ${s}.requests_pending;
  ` },
  // 6: the plain pending requests of each webhook by due time, for a claim that excludes the
  // webhooks at their limit: it walks each other webhook's front instead of the walk of all by due
  // time, which read the excluded webhooks' backlogs (PostgresRequestQueue's dueOutside). A request
  // handed off at publish (in flight at once) never enters it. An index (floor 2).
  { compatibleFrom: 2, sql: (s) => `
  -- coalesce(fifo, '') = '' is fifo IS NULL, written so that only the claim's per-webhook walk
  -- matches it (PostgresRequestQueue's PLAIN_PENDING).
  CREATE INDEX requests_plain_by_webhook ON ${s}.requests (webhook_key, due_at, seq) WHERE state = 'pending' AND coalesce(fifo, '') = '';
  ` },
  // 7: the store's own id (Storage.id), a random UUID in schema_version.store_id, written in this
  // migration's transaction (migrateOnce): it stays with the data through pg_upgrade, a dump
  // restored into another cluster, a failover and any host name (the id named the cluster's system
  // identifier, or host:port, and changed with each). IF NOT EXISTS: a downgrade by hand keeps the
  // column, and the id, for the next upgrade. A nullable column of a table older code reads with
  // SELECT * and writes with named columns, only when it migrates (floor 2). Takes ACCESS EXCLUSIVE
  // on schema_version only: other instances' starts wait for the commit, their writes do not.
  { compatibleFrom: 2, sql: (s) => `
  ALTER TABLE ${s}.schema_version ADD COLUMN IF NOT EXISTS store_id text;
  ` },
];

/** The schema version this build of @hookwork/postgres writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The oldest schema version whose code may open a schema this build wrote (the last migration's floor). */
export const SCHEMA_COMPATIBLE_FROM = MIGRATIONS[MIGRATIONS.length - 1]!.compatibleFrom;

/** The floor each schema version was written with, for tests and docs. */
export function compatibleFrom(version: number): number | undefined {
  return MIGRATIONS[version - 1]?.compatibleFrom;
}

/** The first key of hookwork's advisory locks ('hook' in ASCII); the second is the schema's hash. */
const LOCK_CLASS = 0x686f6f6b;

/**
 * What the schema says of itself: its version (0: none yet), when a floor-aware build wrote it its
 * compatible-from floor, and when a build of version 7 or later wrote it the store's own id.
 */
interface StoredVersion {
  version: number;
  compatibleFrom?: number;
  storeId?: string;
}

/**
 * The schema's version (0: none yet) and floor, and the database and role the connection is on, in
 * the same round trip; the role is kept in `known` at once, for the message of a refused read that follows.
 */
async function readVersion(client: ClientBase, schema: string, known: { role?: string; isolation?: string }): Promise<StoredVersion & { database: string; role: string; rowMissing?: true }> {
  const table = await client.query<{ t: string | null; database: string; role: string; isolation: string }>(
    "SELECT to_regclass($1) AS t, current_database() AS database, current_user AS role, current_setting('default_transaction_isolation') AS isolation",
    [`${quoteIdentifier(schema)}.schema_version`],
  );
  const { database, role, isolation } = table.rows[0]!;
  known.role = role;
  known.isolation ??= isolation;
  if (table.rows[0]?.t == null) return { version: 0, database, role };
  // SELECT *: a schema no floor-aware build migrated has no compatible_from column, one before 7 no store_id.
  const row = await client.query<{ version: number; compatible_from?: number | null; store_id?: unknown }>(`SELECT * FROM ${quoteIdentifier(schema)}.schema_version WHERE id = 1`);
  const found = row.rows[0];
  // The table there but empty: read as version 0; migrate() says so when hookwork's tables turn
  // out to be there too.
  if (!found) return { version: 0, database, role, rowMissing: true };
  return {
    version: found.version,
    ...(found.compatible_from == null ? {} : { compatibleFrom: found.compatible_from }),
    // Emptied by hand (docs/storage.md: a copy run as a second store) counts as none: migrateOnce makes a new one.
    ...(typeof found.store_id === 'string' && found.store_id.trim() !== '' ? { storeId: found.store_id } : {}),
    database,
    role,
  };
}

function tooNew(where: string, stored: StoredVersion): HookworkError {
  const floor = stored.compatibleFrom;
  return new HookworkError(
    'HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW',
    `${where} has schema version ${stored.version}, written by a newer @hookwork/postgres, which ${floor === undefined ? 'does not say that an older version may open it' : `may be opened by versions that know schema ${floor} or later`}; this version knows up to ${SCHEMA_VERSION}. Nothing was changed. Upgrade @hookwork/postgres, or use another schema`,
  );
}

/**
 * The schema's version and floor as they are now, read by a store that runs on it (after a
 * migration's notification, or when its LISTEN connection is back and may have missed one).
 */
export async function readSchemaVersion(pool: Pool, schema: string): Promise<StoredVersion> {
  // SELECT *, as readVersion: the columns depend on the build that wrote the schema.
  const row = await pool.query<{ version: number; compatible_from?: number | null }>(`SELECT * FROM ${quoteIdentifier(schema)}.schema_version WHERE id = 1`);
  const found = row.rows[0];
  if (!found) return { version: 0 };
  return { version: found.version, ...(found.compatible_from == null ? {} : { compatibleFrom: found.compatible_from }) };
}

/**
 * What a running store does with the schema's version as a newer build's migration left it:
 * `refused` (HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW, its every call from then on) when the floor leaves
 * this build out — its code would misread what the newer build writes —, `newer` when the floor
 * lets it go on, nothing when the schema is not newer than this build.
 */
export function runningOnVersion(where: string, stored: StoredVersion): { refused?: HookworkError; newer?: string } {
  if (stored.version <= SCHEMA_VERSION) return {};
  const floor = stored.compatibleFrom;
  if (floor !== undefined && floor <= SCHEMA_VERSION) {
    return {
      newer: `${where} was migrated to schema version ${stored.version} while this instance ran, by a newer @hookwork/postgres that lets versions that know schema ${floor} or later work on it; this instance (schema ${SCHEMA_VERSION}) goes on. Upgrade it when you can`,
    };
  }
  return {
    refused: new HookworkError(
      'HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW',
      `${where} was migrated to schema version ${stored.version} while this instance ran, by a newer @hookwork/postgres, which ${floor === undefined ? 'does not say that an older version may work on it' : `lets only versions that know schema ${floor} or later work on it`}; this version knows up to ${SCHEMA_VERSION}, so this instance no longer reads or writes it (each of its calls fails with this error). Nothing was changed. Fix: stop this instance and start it on the newer @hookwork/postgres`,
    ),
  };
}

/** A schema newer than this build that it may open as it is (its floor allows), or undefined. */
function openableNewer(stored: StoredVersion): { version: number; compatibleFrom: number } | undefined {
  if (stored.version <= SCHEMA_VERSION) return undefined;
  if (stored.compatibleFrom === undefined || stored.compatibleFrom > SCHEMA_VERSION) return undefined;
  return { version: stored.version, compatibleFrom: stored.compatibleFrom };
}

/** What opening did to the schema: migrated it `from` → `to` (equal: current), or — `newer` — found it newer and openable as it is. */
export interface MigrationOutcome {
  from: number;
  to: number;
  newer?: { version: number; compatibleFrom: number };
  database: string;
  role: string;
  /** The store's own id as `schema_version.store_id` holds it (see migration 7); none only in a newer schema that lacks one. */
  storeId?: string;
  /** The id was made by this open: with the schema (new, or migrated from before 7), or because `store_id` was emptied. */
  storeIdMade?: boolean;
}

/** `stored`'s id as an outcome's field. */
function idOf(stored: StoredVersion): { storeId?: string } {
  return stored.storeId === undefined ? {} : { storeId: stored.storeId };
}

/**
 * Brings the schema up to {@link SCHEMA_VERSION}. A schema already current costs one read and
 * no lock (so a role without CREATE rights can open a schema an owner migrated). Otherwise the
 * migration runs in one transaction under an advisory lock keyed on the schema's name, so ten
 * processes starting at once migrate once (the others wait, then find it done), and a failed
 * migration leaves the schema as it was. A schema at a newer version is opened as it is when its
 * compatible-from floor is this version or lower, and refused otherwise; either way unchanged.
 *
 * A migration's statements take table locks (`CREATE INDEX` a SHARE lock on its table) that wait
 * for every open transaction holding a conflicting one — a host's transaction that published and
 * is still open, a client idle in transaction — and while one waits, PostgreSQL queues every
 * other session's write to that table behind it: one idle transaction stalled every instance.
 * So each try waits at most {@link MIGRATION_LOCK_TIMEOUT_MS} for a lock (`lock_timeout`), then
 * rolls back (nothing of it kept), lets the others' writes through, says who holds the lock
 * (`onWait`, at once and then every {@link MIGRATION_WAIT_REPORT_MS}) and tries again after a
 * growing, jittered pause; start() waits until it succeeds.
 */
export async function migrate(pool: Pool, schema: string, where: string, onWait: (message: string) => void = () => undefined, seen: { isolation?: string } = {}): Promise<MigrationOutcome> {
  // Heard while held, between statements too (the pauses between tries): a connection the server
  // ends then (pg_terminate_backend, a restart) fails the next statement, instead of an 'error'
  // nobody listens to ending the process.
  const onError = () => {};
  let client: PoolClient;
  try {
    client = await checkOut(pool, onError);
  } catch (error) {
    throw toStorageError(error, { where, doing: 'connecting', opening: true });
  }
  // A connection whose ROLLBACK failed is destroyed, not given back to the pool.
  const released: { broken?: unknown } = {};
  // What a refused statement's message needs: the role, and the versions once a migration began.
  const known: { role?: string; isolation?: string; migration?: { from: number; to: number } } = {};
  // schema_version there at start, with no row in it (not one the migration made just now).
  let versionRowMissing = false;
  try {
    const stored = await readVersion(client, schema, known);
    const { version: current, database, role } = stored;
    versionRowMissing = stored.rowMissing === true;
    const newer = openableNewer(stored);
    if (newer) return { from: current, to: current, newer, database, role, ...idOf(stored) };
    if (current > SCHEMA_VERSION) throw tooNew(where, stored);
    // Current and named: one read, no lock. Emptied store_id: made under the lock below.
    if (current === SCHEMA_VERSION && stored.storeId !== undefined) return { from: current, to: current, database, role, ...idOf(stored) };
    if (current < SCHEMA_VERSION) known.migration = { from: current, to: SCHEMA_VERSION };
    const waitStarted = Date.now();
    let reportedAt = -Infinity;
    for (let pause = MIGRATION_RETRY_FIRST_MS; ; pause = Math.min(pause * 2, MIGRATION_RETRY_MAX_MS)) {
      try {
        return await migrateOnce(client, schema, where, known, { database, role }, released);
      } catch (error) {
        if (sqlState(error) !== LOCK_NOT_AVAILABLE) throw error;
        if (Date.now() - reportedAt >= MIGRATION_WAIT_REPORT_MS) {
          reportedAt = Date.now();
          onWait(`the migration of ${where} from schema version ${current} to ${SCHEMA_VERSION} waits for ${await lockHolders(client, schema)} (for ${Math.round((Date.now() - waitStarted) / 1000)} s so far); it tries again every few seconds without holding up other instances' writes meanwhile. Commit or end that transaction (an idle-in-transaction client: pg_terminate_backend(pid)) and start() goes on`);
        }
        await new Promise((resolve) => setTimeout(resolve, pause * (0.5 + Math.random())));
      }
    }
  } catch (error) {
    const state = sqlState(error);
    const recorded = known.migration?.from ?? 0;
    if (recorded > 0 && (state === '42P07' || state === '42723' || state === '42710' || state === '42704')) {
      // The schema is hookwork's (it records a version), but its tables are not what that version
      // made: a downgrade by hand (docs/storage.md, upgrading) that set the version back and left
      // some of the newer version's tables, indexes or triggers — or removed ones the older had.
      throw new HookworkError(
        'HOOKWORK_ERR_STORAGE_OPEN_FAILED',
        `${where} records schema version ${recorded}, but its tables are not what version ${recorded} made: migrating it to ${SCHEMA_VERSION} failed (${(error as Error).message}), so a downgrade by hand set the version back without undoing all of what the newer versions made (or schema_version was changed by hand); nothing was changed. Finish the downgrade as docs/storage.md (upgrading) lists it for version ${recorded}, or set schema_version back to the version the tables are at (UPDATE ${quoteIdentifier(schema)}.schema_version SET version = … WHERE id = 1), then start again`,
        { cause: error },
      );
    }
    if (recorded === 0 && versionRowMissing && (state === '42P07' || state === '42723' || state === '42710')) {
      // hookwork's schema_version table is there, empty, and so are tables of hookwork's names:
      // hookwork's schema whose version row is gone (hookwork writes it in the transaction that
      // makes the tables, so a migration run by hand that failed or stopped short, or a row
      // deleted by hand) — not the host's tables, which the message below would send the
      // operator away from, leaving the queue behind.
      throw new HookworkError(
        'HOOKWORK_ERR_STORAGE_OPEN_FAILED',
        `${where} holds hookwork's tables (${(error as Error).message}), but its schema_version table has no version row: a migration run by hand failed or stopped short, or the row was deleted by hand (hookwork writes it with the tables, in one transaction); nothing was changed. Put the row back with the version the tables are at (docs/storage.md, upgrading, lists what each version made) — for this @hookwork/postgres's version: INSERT INTO ${quoteIdentifier(schema)}.schema_version (id, version, migrated_at, compatible_from) VALUES (1, ${SCHEMA_VERSION}, now(), ${SCHEMA_COMPATIBLE_FROM}) — then start again`,
        { cause: error },
      );
    }
    if (state === '42P07' || state === '42723') {
      // A table or function of the same name that is not hookwork's: a schema shared with the host's
      // own tables (such as public, where a `webhooks` or `requests` table is common).
      throw new HookworkError(
        'HOOKWORK_ERR_STORAGE_OPEN_FAILED',
        `${where} already holds something of the name hookwork needs (${(error as Error).message}) that is not hookwork's; nothing was changed. hookwork's tables need a schema of their own: set postgresStorage({ schema }) to a new name (it is created at start)`,
        { cause: error },
      );
    }
    if (state === '42501' && known.role === undefined) {
      // Refused before the first read answered (no USAGE on the schema): its GRANT names the role
      // asked now, not a placeholder the operator has to fill in.
      const asked = await client.query<{ role: string }>('SELECT current_user AS role').then((result) => result.rows[0]?.role, () => undefined);
      if (asked !== undefined) known.role = asked;
    }
    throw toStorageError(error, { where, doing: 'reading or migrating its schema', opening: true, schema, ...known });
  } finally {
    // The connection's default_transaction_isolation, for the caller (the pool's connections start so).
    if (known.isolation !== undefined) seen.isolation = known.isolation;
    client.release(released.broken as Error | undefined);
    client.off('error', onError);
  }
}

/** One try of the migration, in a transaction of its own: committed whole, or rolled back whole. */
async function migrateOnce(client: PoolClient, schema: string, where: string, known: { role?: string; migration?: { from: number; to: number } }, { database, role }: { database: string; role: string }, state: { broken?: unknown }): Promise<MigrationOutcome> {
  // READ COMMITTED whatever the connection's default: under REPEATABLE READ or SERIALIZABLE (a host
  // pool, a database set so) the snapshot is taken by the lock's statement, before another
  // instance's migration commits, so the version read after the lock was the old one, and the
  // migrations ran again on the tables that instance had made.
  await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
  try {
    // No statement_timeout (a role's or database's, for the app's queries): it cancelled the wait for
    // another instance's migration, the waits for table locks before lock_timeout let them retry, and
    // an index build on a large table — every start failing the same way, the migration never done.
    // Waits for locks stay bounded by lock_timeout below; the wait for the advisory lock is another
    // instance migrating.
    await client.query('SET LOCAL statement_timeout = 0');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, schema]);
    // After the advisory lock (instances starting together wait for each other there, as before):
    // from here on a table lock is waited for at most this long per try.
    await client.query(`SET LOCAL lock_timeout = ${MIGRATION_LOCK_TIMEOUT_MS}`);
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    // Only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists.
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
    const s = quoteIdentifier(schema);
    // Not when only an emptied store_id is made (the schema current): CREATE TABLE IF NOT EXISTS needs
    // CREATE on the schema even when the table is there, which the app role the docs grant lacks.
    if (known.migration) await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_version (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL, migrated_at timestamptz NOT NULL, compatible_from integer)`);
    const locked = await readVersion(client, schema, known);
    const from = locked.version;
    // A newer build migrated while this one waited for the lock.
    const newerNow = openableNewer(locked);
    if (newerNow) {
      await client.query('ROLLBACK');
      return { from, to: from, newer: newerNow, database, role, ...idOf(locked) };
    }
    if (from > SCHEMA_VERSION) throw tooNew(where, locked);
    // Another instance gave it its id while this one waited for the lock.
    if (from === SCHEMA_VERSION && locked.storeId !== undefined) {
      await client.query('ROLLBACK');
      return { from, to: from, database, role, ...idOf(locked) };
    }
    for (let version = from; version < SCHEMA_VERSION; version++) await client.query(MIGRATIONS[version]!.sql(s));
    // Kept when there is one: a schema downgraded by hand to before 7 keeps its column and its id.
    const storeId = locked.storeId ?? randomUUID();
    if (from !== SCHEMA_VERSION) {
      // A schema created before floors were recorded lacks the column; it is added with the migration.
      await client.query(`ALTER TABLE ${s}.schema_version ADD COLUMN IF NOT EXISTS compatible_from integer`);
      await client.query(
        `INSERT INTO ${s}.schema_version (id, version, migrated_at, compatible_from, store_id) VALUES (1, $1, now(), $2, $3) ON CONFLICT (id) DO UPDATE SET version = excluded.version, migrated_at = excluded.migrated_at, compatible_from = excluded.compatible_from, store_id = excluded.store_id`,
        [SCHEMA_VERSION, SCHEMA_COMPATIBLE_FROM, storeId],
      );
    } else {
      // Emptied by hand to give a copy of a store an id of its own (docs/storage.md): made now.
      await client.query(`UPDATE ${s}.schema_version SET store_id = $1 WHERE id = 1`, [storeId]);
    }
    // Instances already running on the schema hear of it at the commit, and read its version again:
    // one whose version the new floor leaves out stops working on it (see watchSchemaVersion).
    if (from !== SCHEMA_VERSION) await client.query('SELECT pg_notify($1, $2)', [`hookwork:${schema}`, SCHEMA_CHANGED]);
    await client.query('COMMIT');
    return { from, to: SCHEMA_VERSION, database, role, storeId, storeIdMade: locked.storeId === undefined };
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => (state.broken = rollbackError));
    throw error;
  }
}

/** `lock_not_available`: a statement gave up waiting for a lock (lock_timeout). */
const LOCK_NOT_AVAILABLE = '55P03';
/** How long one try of a migration waits for a table lock before it lets the other sessions' writes through. */
export const MIGRATION_LOCK_TIMEOUT_MS = 1000;
const MIGRATION_RETRY_FIRST_MS = 500;
const MIGRATION_RETRY_MAX_MS = 5000;
/** How often a migration still waiting says so again. */
const MIGRATION_WAIT_REPORT_MS = 30_000;

/** Who holds locks on the schema's tables, for the message of a migration that waits: pids, states, since when. */
async function lockHolders(client: PoolClient, schema: string): Promise<string> {
  try {
    const { rows } = await client.query<{ pid: number; state: string | null; since: Date | null; application: string | null }>(
      `SELECT DISTINCT a.pid, a.state, coalesce(a.xact_start, a.query_start) AS since, a.application_name AS application
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.relation IN (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1)
          AND l.pid <> pg_backend_pid() AND l.granted
        ORDER BY since NULLS LAST LIMIT 5`,
      [schema],
    );
    if (rows.length === 0) return 'a lock another transaction held on its tables';
    const shown = rows.map((r) => `pid ${r.pid} (${r.state ?? 'unknown state'}${r.since ? `, in a transaction since ${r.since.toISOString()}` : ''}${r.application ? `, application "${r.application}"` : ''})`);
    return `locks other transactions hold on its tables: ${shown.join(', ')}`;
  } catch {
    return 'a lock another transaction held on its tables';
  }
}
