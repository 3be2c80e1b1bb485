import type Database from 'better-sqlite3';
import { HookworkError } from '@hookwork/core';

/**
 * The forward migrations, in order: `MIGRATIONS[n]` takes a store from version n to n + 1.
 * Only ever append: a released migration is never changed, because stores out there already ran it.
 */
const MIGRATIONS: readonly string[] = [
  `
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
  `,
  // 2: delivery detail by key, every attempt of one request, and one webhook's queue counts.
  `
  CREATE INDEX hookwork_delivery_log_key ON hookwork_delivery_log (key);
  CREATE INDEX hookwork_delivery_log_request ON hookwork_delivery_log (request_id, date, seq);
  CREATE INDEX hookwork_requests_webhook ON hookwork_requests (webhook_key, state);
  `,
  // 3: endpoint health (breaker state, rate), FIFO lines and the trace a request was enqueued in.
  `
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
  `,
  // 4: a claim that excludes the webhooks at their limit finds the others' pending requests webhook
  // by webhook, never by reading the excluded webhooks' backlogs in the pending index.
  `
  CREATE INDEX hookwork_requests_pending_webhook ON hookwork_requests (webhook_key, due_at, seq) WHERE state = 'pending' AND fifo IS NULL;
  `,
  // 5: the oldest pending request (the metrics' oldest-pending-age gauge, at every scrape) is a seek,
  // not a read of every pending row.
  `
  CREATE INDEX hookwork_requests_pending_created ON hookwork_requests (created_at) WHERE state = 'pending';
  `,
  // 6: the delivery log's indexes by date and by webhook also hold the columns its list filters on
  // (outcome, status code, event), so a filtered page and its total read the index, not every
  // entry's row with its bodies (112 ms for a total over 100,000 entries of 3 KB; 7 ms from the index).
  `
  DROP INDEX hookwork_delivery_log_date;
  CREATE INDEX hookwork_delivery_log_date ON hookwork_delivery_log (date, seq, outcome, status_code, event_alias);
  DROP INDEX hookwork_delivery_log_webhook;
  CREATE INDEX hookwork_delivery_log_webhook ON hookwork_delivery_log (webhook_key, date, seq, outcome, status_code, event_alias);
  `,
  // 7: the oldest-pending gauge scans the pending-by-webhook index, which now also holds
  // created_at, rather than an index of its own (5, dropped): that one made the gauge one seek, but
  // every request that waits paid another index entry and each commit another page, 3-4 % of the
  // one-webhook bench's throughput; the scan takes 2.9 ms with 100,000 pending (reading the rows
  // with their bodies took 18-83 ms).
  `
  DROP INDEX hookwork_requests_pending_created;
  DROP INDEX hookwork_requests_pending_webhook;
  CREATE INDEX hookwork_requests_pending_webhook ON hookwork_requests (webhook_key, due_at, seq, created_at) WHERE state = 'pending' AND fifo IS NULL;
  `,
];

/** The schema version this build of @hookwork/sqlite writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Reads the store's schema version; 0 for a new (empty) file. */
export function readSchemaVersion(db: Database.Database): number {
  const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'hookwork_schema'`).get();
  if (!table) return 0;
  const row = db.prepare('SELECT version FROM hookwork_schema WHERE id = 1').get() as { version: number } | undefined;
  return row?.version ?? 0;
}

/**
 * Brings the store up to {@link SCHEMA_VERSION} inside one `BEGIN IMMEDIATE` transaction, so two
 * processes starting at once never both migrate, and a failed migration leaves the file as it was.
 * A store written by a newer version is refused rather than misread.
 */
export function migrate(db: Database.Database, file: string, now: Date): { from: number; to: number } {
  return db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS hookwork_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, migrated_at INTEGER NOT NULL)');
    const from = readSchemaVersion(db);
    if (from > SCHEMA_VERSION) {
      throw new HookworkError(
        'HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW',
        `the SQLite store ${file} has schema version ${from}, written by a newer @hookwork/sqlite; this version knows up to ${SCHEMA_VERSION}. Upgrade @hookwork/sqlite, or use another file`,
      );
    }
    for (let version = from; version < SCHEMA_VERSION; version++) db.exec(MIGRATIONS[version]!);
    if (from !== SCHEMA_VERSION) {
      db.prepare('INSERT INTO hookwork_schema (id, version, migrated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version, migrated_at = excluded.migrated_at').run(SCHEMA_VERSION, now.getTime());
    }
    return { from, to: SCHEMA_VERSION };
  }).immediate();
}
