import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { HookworkError } from '@hookwork/core';

/**
 * One forward migration: its SQL, and the oldest schema version whose code may still open a store
 * once it ran (its *compatible-from* floor; see the rule above {@link MIGRATIONS}).
 */
interface Migration {
  readonly compatibleFrom: number;
  readonly sql: string;
}

/**
 * The forward migrations, in order: `MIGRATIONS[n]` takes a store from version n to n + 1.
 * Only ever append: a released migration is never changed, because stores out there already ran it.
 *
 * **compatibleFrom — who may still open the store after this migration.** A build that knows up to
 * version K opens a store at a newer version V (written by a newer build, during a rolling deploy
 * or after a rollback) when V's floor is K or less: it runs no migration and works on tables that
 * have what it needs and more. So each migration states its floor, honestly:
 *
 * - **Keep the previous floor** (additive) only when code written for every version from that floor
 *   on stays correct beside this migration, reading AND writing, with newer processes on the store:
 *   - a new table or index that older code never names (an index it drops must not be one an older
 *     statement names with `INDEXED BY`, and older statements must still find an index they can use);
 *   - a new column that is nullable or has a default, so an older INSERT that leaves it out still
 *     succeeds, and whose NULL/default in a row an older process wrote means what that process meant;
 *   - a new trigger or constraint only if every statement older code runs still succeeds under it
 *     and only gains an effect older code may ignore (a wake-up, a count).
 * - **Raise the floor to this version** (breaking) for anything else: a column or table older code
 *   reads that is dropped or renamed, a NOT NULL column without a default (older INSERTs fail), a
 *   tightened CHECK, a new value in an existing column older code misreads (a new `state`), or a
 *   column whose value changes how a request must be handled (FIFO, a breaker) that older code would
 *   ignore, breaking a guarantee.
 * - A release that starts writing something older code misreads without any DDL (a new `state`, a
 *   JSON field whose absence older code mishandles) still adds a migration — with no SQL — to raise
 *   the floor.
 *
 * When unsure, raise it: a refused start says what to do; a misread store loses requests.
 */
const MIGRATIONS: readonly Migration[] = [
  // 1: the floor is 1 (no code knows less).
  { compatibleFrom: 1, sql: `
  CREATE TABLE hookwork_webhooks (
    seq INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX hookwork_webhooks_created ON hookwork_webhooks (created_at, seq);

  -- One row per (alias, webhook): getByAlias is a lookup in this primary key, not a scan.
  CREATE TABLE hookwork_webhook_events (
    alias TEXT NOT NULL,
    webhook_seq INTEGER NOT NULL,
    PRIMARY KEY (alias, webhook_seq)
  ) WITHOUT ROWID;
  CREATE INDEX hookwork_webhook_events_webhook ON hookwork_webhook_events (webhook_seq);

  CREATE TABLE hookwork_requests (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    webhook_key TEXT NOT NULL,
    event_alias TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'inflight', 'dead')),
    retry_count INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    lease_owner TEXT,
    lease_expires_at INTEGER,
    dead_at INTEGER
  );
  -- Partial indexes: a claim reads only the due front of the pending requests.
  CREATE INDEX hookwork_requests_pending ON hookwork_requests (due_at, seq) WHERE state = 'pending';
  CREATE INDEX hookwork_requests_inflight ON hookwork_requests (lease_expires_at) WHERE state = 'inflight';
  CREATE INDEX hookwork_requests_dead ON hookwork_requests (dead_at, seq) WHERE state = 'dead';

  CREATE TABLE hookwork_delivery_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    webhook_key TEXT NOT NULL,
    request_id TEXT NOT NULL,
    url TEXT NOT NULL,
    event_alias TEXT NOT NULL,
    retry_count INTEGER NOT NULL,
    date INTEGER NOT NULL,
    status_code INTEGER,
    request_headers TEXT NOT NULL,
    request_body TEXT NOT NULL,
    response_headers TEXT NOT NULL,
    response_body TEXT NOT NULL,
    error_kind TEXT,
    error_message TEXT,
    duration_ms REAL NOT NULL,
    outcome TEXT NOT NULL
  );
  CREATE INDEX hookwork_delivery_log_webhook ON hookwork_delivery_log (webhook_key, date, seq);
  CREATE INDEX hookwork_delivery_log_date ON hookwork_delivery_log (date, seq);
  ` },
  // 2: delivery detail by key, every attempt of one request, and one webhook's queue counts.
  // Indexes only: version 1 keeps working (floor 1).
  { compatibleFrom: 1, sql: `
  CREATE INDEX hookwork_delivery_log_key ON hookwork_delivery_log (key);
  CREATE INDEX hookwork_delivery_log_request ON hookwork_delivery_log (request_id, date, seq);
  CREATE INDEX hookwork_requests_webhook ON hookwork_requests (webhook_key, state);
  ` },
  // 3: endpoint health (breaker state, rate), FIFO lines and the trace a request was enqueued in.
  // Breaking (floor 3): the columns are nullable, but version 2 would ignore `fifo` (sending a FIFO
  // webhook's requests out of order, several at once) and the breaker and rate tables.
  { compatibleFrom: 3, sql: `
  ALTER TABLE hookwork_requests ADD COLUMN fifo TEXT CHECK (fifo IN ('skip', 'block'));
  ALTER TABLE hookwork_requests ADD COLUMN traceparent TEXT;
  -- Pending requests split by FIFO: a claim of plain requests never reads a FIFO backlog, whose
  -- heads are found through its line instead. A plain request still maintains one pending index.
  DROP INDEX hookwork_requests_pending;
  CREATE INDEX hookwork_requests_pending_plain ON hookwork_requests (due_at, seq) WHERE state = 'pending' AND fifo IS NULL;
  CREATE INDEX hookwork_requests_pending_fifo ON hookwork_requests (due_at, seq) WHERE state = 'pending' AND fifo IS NOT NULL;
  -- A FIFO webhook's line (its head is the smallest seq) and what of it is out.
  CREATE INDEX hookwork_requests_fifo_line ON hookwork_requests (webhook_key, seq) WHERE fifo IS NOT NULL AND (state != 'dead' OR fifo = 'block');
  CREATE INDEX hookwork_requests_fifo_out ON hookwork_requests (webhook_key, lease_expires_at) WHERE fifo IS NOT NULL AND state = 'inflight';

  -- One row per webhook that ever failed: its health as JSON, written by compare-and-set on version.
  CREATE TABLE hookwork_webhook_health (
    webhook_key TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    state TEXT NOT NULL
  ) WITHOUT ROWID;
  -- The rate limiter's theoretical arrival time (GCRA) per rate-limited webhook, ms.
  CREATE TABLE hookwork_webhook_rate (
    webhook_key TEXT PRIMARY KEY,
    tat REAL NOT NULL
  ) WITHOUT ROWID;
  ` },
  // 4: a claim that excludes the webhooks at their limit finds the others' pending requests webhook
  // by webhook, never by reading the excluded webhooks' backlogs in the pending index. Index only (floor 3).
  { compatibleFrom: 3, sql: `
  CREATE INDEX hookwork_requests_pending_webhook ON hookwork_requests (webhook_key, due_at, seq) WHERE state = 'pending' AND fifo IS NULL;
  ` },
  // 5: the oldest pending request (the metrics' oldest-pending-age gauge, at every scrape) is a seek,
  // not a read of every pending row. Index only (floor 3).
  { compatibleFrom: 3, sql: `
  CREATE INDEX hookwork_requests_pending_created ON hookwork_requests (created_at) WHERE state = 'pending';
  ` },
  // 6: the delivery log's indexes by date and by webhook also hold the columns its list filters on
  // (outcome, status code, event), so a filtered page and its total read the index, not every
  // entry's row with its bodies (112 ms for a total over 100,000 entries of 3 KB; 7 ms from the index).
  // Indexes only, none named by a statement of version 3 (floor 3).
  { compatibleFrom: 3, sql: `
  DROP INDEX hookwork_delivery_log_date;
  CREATE INDEX hookwork_delivery_log_date ON hookwork_delivery_log (date, seq, outcome, status_code, event_alias);
  DROP INDEX hookwork_delivery_log_webhook;
  CREATE INDEX hookwork_delivery_log_webhook ON hookwork_delivery_log (webhook_key, date, seq, outcome, status_code, event_alias);
  ` },
  // 7: the oldest-pending gauge scans the pending-by-webhook index, which now also holds
  // created_at, rather than an index of its own (5, dropped): that one made the gauge one seek, but
  // every request that waits paid another index entry and each commit another page, 3-4 % of the
  // one-webhook bench's throughput; the scan takes 2.9 ms with 100,000 pending (reading the rows
  // with their bodies took 18-83 ms). Indexes only: the statement naming the index with INDEXED BY
  // came with it (floor 3; 3's processes ran beside 7's in a rolling deploy, nothing lost or doubled).
  { compatibleFrom: 3, sql: `
  DROP INDEX hookwork_requests_pending_created;
  DROP INDEX hookwork_requests_pending_webhook;
  CREATE INDEX hookwork_requests_pending_webhook ON hookwork_requests (webhook_key, due_at, seq, created_at) WHERE state = 'pending' AND fifo IS NULL;
  ` },
  // 8: the requests-by-webhook index leaves out requests in flight. A request handed to the
  // dispatcher at enqueue is stored in flight and deleted in flight, so each of them wrote that
  // index's page in its publish's commit and again in its completion's: one WAL frame of the ~5.7
  // a delivery wrote (a 4 KB page, written again by the checkpoint). Its readers all ask for
  // pending or dead requests of a webhook and now say `state != 'inflight'` so SQLite uses it; a
  // webhook's in-flight count reads the in-flight index (requests in flight are few: a claim's
  // batches and the running attempts). Index only, the name kept (floor 3): statements of 3-7 stay
  // correct; of them only the count by webhook (drain of one webhook, the counts of one webhook)
  // no longer finds an index and reads the table while such a process runs beside this version.
  { compatibleFrom: 3, sql: `
  DROP INDEX hookwork_requests_webhook;
  CREATE INDEX hookwork_requests_webhook ON hookwork_requests (webhook_key, state) WHERE state != 'inflight';
  ` },
  // 9: the requests-by-webhook index holds only dead letters and FIFO requests: plain pending
  // requests leave it too. Each was in it and in the pending-by-webhook index (4, 7), both led by
  // the webhook, so a publish stored behind a backlog and its claim wrote that page once more:
  // 6.62 → 5.52 WAL frames per delivery through a claim (the e2e bench's path, 3,972 of its 4,000
  // requests), a handed-off one unchanged (3.76). A webhook's plain pending requests are read from
  // the pending-by-webhook index (its counts, bringForward, discard), its dead letters from this one
  // (a query saying `state = 'dead'` or `fifo IS NOT NULL` may use it); the global FIFO count and
  // oldest-FIFO read name the FIFO pending index, which SQLite would otherwise pass over for this one.
  // Index only, the name kept (floor 3): no statement of 3-8 names it with INDEXED BY, and all stay
  // correct. Slower while such a process runs beside this version: its counts of one webhook, and
  // 8's bringForward and discard, read the table (a deleted webhook's discard, once per batch); its
  // global FIFO count and oldest-FIFO read take this index, reading the dead letters' entries too.
  { compatibleFrom: 3, sql: `
  DROP INDEX hookwork_requests_webhook;
  CREATE INDEX hookwork_requests_webhook ON hookwork_requests (webhook_key, state) WHERE state = 'dead' OR fifo IS NOT NULL;
  ` },
  // 10: the store's own id (Storage.id), a random UUID in hookwork_schema.store_id, written in this
  // migration's transaction: it stays with the data when the file is moved, renamed or reached by
  // another path (the id was the file's real path, and a moved store was refused by its own BullMQ
  // queue). The column is added by migrate() beside compatible_from, not here: hookwork_schema is
  // migrate()'s own table, and a downgrade by hand keeps the column (and so the id) for the next
  // upgrade. A nullable column no older statement names (floor 3).
  { compatibleFrom: 3, sql: '' },
];

/** The schema version this build of @hookwork/sqlite writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The oldest schema version whose code may open a store this build wrote (the last migration's floor). */
export const SCHEMA_COMPATIBLE_FROM = MIGRATIONS[MIGRATIONS.length - 1]!.compatibleFrom;

/** The floor each schema version was written with: `compatibleFrom(v)`, for tests and docs. */
export function compatibleFrom(version: number): number | undefined {
  return MIGRATIONS[version - 1]?.compatibleFrom;
}

/**
 * What the store says of its schema: its version (0 for a new file), when a build that knew floors
 * wrote it its floor, and when a build of schema 10 or later wrote it the store's own id (`store_id`).
 */
export interface StoredSchema {
  version: number;
  compatibleFrom?: number;
  storeId?: string;
}

/** Reads the store's schema version (0 for a new, empty file), its compatible-from floor and its id when it has them. */
export function readSchema(db: Database): StoredSchema {
  const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'hookwork_schema'`).get();
  if (!table) return { version: 0 };
  // SELECT *: a file no floor-aware build migrated has no compatible_from column, one before 10 no store_id.
  const row = db.prepare('SELECT * FROM hookwork_schema WHERE id = 1').get() as { version: number; compatible_from?: number | null; store_id?: unknown } | undefined;
  if (!row) return { version: 0 };
  return {
    version: row.version,
    ...(row.compatible_from == null ? {} : { compatibleFrom: row.compatible_from }),
    // Emptied by hand (docs/storage.md: a copy run as a second store) counts as none: migrate() makes a new one.
    ...(typeof row.store_id === 'string' && row.store_id.trim() !== '' ? { storeId: row.store_id } : {}),
  };
}

/**
 * Refuses a file whose `hookwork_*` tables hookwork did not make, or no longer records the version
 * of: another program's tables under names of hookwork's (a migration's `CREATE TABLE` failed with
 * "table hookwork_webhooks already exists", reported as a directory problem), a `hookwork_schema`
 * of another shape, or hookwork's tables with no version row. Read-only, and run before the store
 * switches the file to WAL mode, so a refused file is left byte for byte as it was.
 */
export function refuseForeignTables(db: Database, file: string): void {
  const names = db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name LIKE 'hookwork\\_%' ESCAPE '\\' ORDER BY name`).pluck().all() as string[];
  if (names.length === 0) return;
  if (names.includes('hookwork_schema')) {
    const columns = db.prepare("SELECT name FROM pragma_table_info('hookwork_schema')").pluck().all() as string[];
    // Its version row, or (a store at version 0) no row and no other table of hookwork's yet.
    if (columns.includes('id') && columns.includes('version') && (names.length === 1 || db.prepare('SELECT 1 FROM hookwork_schema WHERE id = 1').get())) return;
  }
  const shown = names.length > 6 ? `${names.slice(0, 6).join(', ')}, … ${names.length - 6} more` : names.join(', ');
  throw new HookworkError(
    'HOOKWORK_ERR_STORAGE_OPEN_FAILED',
    `the SQLite store ${file} holds tables named as hookwork's that hookwork did not make or no longer knows (${shown}: ${names.includes('hookwork_schema') ? 'hookwork_schema records no schema version hookwork can read' : 'there is no hookwork_schema recording a version'}), so it is another program's file or a damaged store; nothing was changed. Point \`file\` at another path (a file of its own, or a host database without hookwork_* tables), or restore the store from a backup`,
  );
}

/**
 * HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW for a store a newer build wrote whose floor this build is
 * below (see {@link MIGRATIONS}), or nothing. The store calls it on what {@link readSchema} read
 * before it switches the file to WAL mode, so a refused file in rollback mode (a `VACUUM INTO`
 * copy) is left byte for byte as it was; {@link migrate} asks again under the write lock.
 */
export function refuseSchemaTooNew(stored: StoredSchema, file: string): void {
  if (stored.version <= SCHEMA_VERSION) return;
  const floor = stored.compatibleFrom;
  if (floor !== undefined && floor <= SCHEMA_VERSION) return;
  throw schemaTooNew(stored, file);
}

function schemaTooNew(stored: StoredSchema, file: string): HookworkError {
  const floor = stored.compatibleFrom;
  return new HookworkError(
    'HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW',
    `the SQLite store ${file} has schema version ${stored.version}, written by a newer @hookwork/sqlite, which ${floor === undefined ? 'does not say that an older version may open it' : `may be opened by versions that know schema ${floor} or later`}; this version knows up to ${SCHEMA_VERSION}. Nothing was changed. Upgrade @hookwork/sqlite, or use another file`,
  );
}

/**
 * What opening did to the schema: migrated it `from` → `to` (equal: it was current), or — `newer`
 * — found it at a newer version whose floor lets this build open it as it is, unmigrated.
 */
export interface MigrationOutcome {
  from: number;
  to: number;
  newer?: { version: number; compatibleFrom: number };
  /** The store's own id as `hookwork_schema.store_id` holds it (see migration 10); none only in a newer store that lacks one. */
  storeId?: string;
  /** The id was made by this open: with the schema (a new store, or one migrated from before 10), or because `store_id` was emptied. */
  storeIdMade?: boolean;
}

/**
 * Brings the store up to {@link SCHEMA_VERSION} inside one `BEGIN IMMEDIATE` transaction, so two
 * processes starting at once never both migrate, and a failed migration leaves the file as it was.
 * A store at a newer version is opened as it is when its compatible-from floor is this version or
 * lower (a rollback, an older process in a rolling deploy), and refused otherwise rather than misread;
 * either way nothing in it is changed. A store of this version whose `store_id` is empty (emptied by
 * hand, for a copy) gets a new one in the same transaction.
 */
export function migrate(db: Database, file: string, now: Date): MigrationOutcome {
  return db.transaction((): MigrationOutcome => {
    db.exec('CREATE TABLE IF NOT EXISTS hookwork_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, migrated_at INTEGER NOT NULL, compatible_from INTEGER)');
    const stored = readSchema(db);
    const from = stored.version;
    if (from > SCHEMA_VERSION) {
      const floor = stored.compatibleFrom;
      if (floor !== undefined && floor <= SCHEMA_VERSION) return { from, to: from, newer: { version: from, compatibleFrom: floor }, ...(stored.storeId === undefined ? {} : { storeId: stored.storeId }) };
      throw schemaTooNew(stored, file);
    }
    for (let version = from; version < SCHEMA_VERSION; version++) db.exec(MIGRATIONS[version]!.sql);
    // Kept when there is one: a store downgraded by hand to before 10 keeps its column and its id.
    const storeId = stored.storeId ?? randomUUID();
    if (from !== SCHEMA_VERSION) {
      // A file created before floors were recorded lacks compatible_from, one before 10 store_id
      // (a downgrade by hand may have kept it); they are added with the migration.
      const columns = db.prepare('SELECT name FROM pragma_table_info(\'hookwork_schema\')').pluck().all() as string[];
      if (!columns.includes('compatible_from')) db.exec('ALTER TABLE hookwork_schema ADD COLUMN compatible_from INTEGER');
      if (!columns.includes('store_id')) db.exec('ALTER TABLE hookwork_schema ADD COLUMN store_id TEXT');
      db.prepare(
        'INSERT INTO hookwork_schema (id, version, migrated_at, compatible_from, store_id) VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version, migrated_at = excluded.migrated_at, compatible_from = excluded.compatible_from, store_id = excluded.store_id',
      ).run(SCHEMA_VERSION, now.getTime(), SCHEMA_COMPATIBLE_FROM, storeId);
    } else if (stored.storeId === undefined) {
      // Emptied by hand to give a copy of a store an id of its own (docs/storage.md): made now.
      db.prepare('UPDATE hookwork_schema SET store_id = ? WHERE id = 1').run(storeId);
    }
    return { from, to: SCHEMA_VERSION, storeId, storeIdMade: stored.storeId === undefined };
  }).immediate();
}
