import { positionSequence, statusClassCondition, type DeliveryErrorKind, type DeliveryLog, type DeliveryLogEntry, type DeliveryLogListQuery, type DeliveryLogPage, type DeliveryOutcome } from '@hookwork/core';
import type { SqliteConnection } from './sqlite-connection';

interface Row {
  seq: number;
  key: string;
  webhook_key: string;
  request_id: string;
  url: string;
  event_alias: string;
  retry_count: number;
  date: number;
  status_code: number | null;
  request_headers: string;
  request_body: string;
  response_headers: string;
  response_body: string;
  error_kind: string | null;
  error_message: string | null;
  duration_ms: number;
  outcome: string;
}


function toEntry(row: Row): DeliveryLogEntry {
  const entry: DeliveryLogEntry = {
    key: row.key,
    webhookKey: row.webhook_key,
    requestId: row.request_id,
    url: row.url,
    eventAlias: row.event_alias,
    retryCount: row.retry_count,
    date: new Date(row.date),
    requestHeaders: JSON.parse(row.request_headers) as Record<string, string>,
    requestBody: row.request_body,
    responseHeaders: JSON.parse(row.response_headers) as Record<string, string>,
    responseBody: row.response_body,
    durationMs: row.duration_ms,
    outcome: row.outcome as DeliveryOutcome,
  };
  if (row.status_code !== null) entry.statusCode = row.status_code;
  if (row.error_kind !== null) entry.errorKind = row.error_kind as DeliveryErrorKind;
  if (row.error_message !== null) entry.errorMessage = row.error_message;
  return entry;
}

/**
 * How long the app gathers log entries before appending them to SQLite, ms. A commit rewrites
 * every page it touches, and one log row touches six (the table, four indexes, the AUTOINCREMENT
 * counter): appended each turn, the rows rode in every publish's commit. Gathered for 30 ms, a
 * few hundred rows share those pages once (transport bench on SQLite: 154/151/161 µs CPU per
 * delivery with an append per turn, 140/146/149 µs with this window).
 */
export const LOG_APPEND_WINDOW_MS = 30;

/**
 * The most rows one INSERT of {@link SqliteDeliveryLog.append} writes (a power of two; 16 values a
 * row). Each run of a statement costs a call into better-sqlite3 and a reset of the statement: one
 * INSERT of many rows instead of one per row cost about 9,000 instructions less per row
 * (callgrind, batches of 75; docs/performance-log.md, 2 December 20:40).
 */
const LOG_ROWS_PER_INSERT = 32;

/** The log's INSERT of `rows` rows, by row count: built once each. */
const LOG_INSERTS: string[] = [];

function insertLogRows(rows: number): string {
  return (LOG_INSERTS[rows] ??= `INSERT INTO hookwork_delivery_log (key, webhook_key, request_id, url, event_alias, retry_count, date, status_code, request_headers, request_body, response_headers, response_body, error_kind, error_message, duration_ms, outcome) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`);
}

/** Appends the 16 values of one log row, in the INSERT's column order. */
function pushLogValues(values: unknown[], e: DeliveryLogEntry): void {
  values.push(
    e.key,
    e.webhookKey,
    e.requestId,
    e.url,
    e.eventAlias,
    e.retryCount,
    e.date.getTime(),
    e.statusCode ?? null,
    JSON.stringify(e.requestHeaders),
    e.requestBody,
    JSON.stringify(e.responseHeaders),
    e.responseBody,
    e.errorKind ?? null,
    e.errorMessage ?? null,
    e.durationMs,
    e.outcome,
  );
}

/**
 * Inserts `entries` as log rows, in the write `c` is in (the log's append, or the queue's
 * completeAndLog): in runs of up to {@link LOG_ROWS_PER_INSERT} rows per statement, largest
 * first — a batch of 75 is 5 statements, not 75.
 */
export function writeLogRows(c: SqliteConnection, entries: readonly DeliveryLogEntry[]): void {
  let at = 0;
  for (let rows = LOG_ROWS_PER_INSERT; rows >= 1; rows >>= 1) {
    for (; entries.length - at >= rows; at += rows) {
      const values: unknown[] = [];
      for (let i = at; i < at + rows; i++) pushLogValues(values, entries[i]!);
      c.statement(insertLogRows(rows)).run(values);
    }
  }
}

/** Whether {@link writeLogRows} of `entries` is one statement (for the connection's write accounting). */
function logWriteShape(entries: readonly unknown[]): 'one statement' | 'statements' {
  return entries.length <= LOG_ROWS_PER_INSERT && (entries.length & (entries.length - 1)) === 0 ? 'one statement' : 'statements';
}

/**
 * The delivery log in SQLite. Columns are TEXT without length limits, so no header or body is
 * ever too long to log (Umbraco's truncation errors made log writes fail and requests re-fire).
 * A batch of entries is written in one transaction.
 */
export class SqliteDeliveryLog implements DeliveryLog {
  readonly appendWindowMs = LOG_APPEND_WINDOW_MS;
  /** Pages by (date, seq): a position's tie is the entry's seq. */
  readonly pagesByPosition = true;

  constructor(private readonly connection: SqliteConnection) {}

  async append(entries: readonly DeliveryLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const c = this.connection;
    // In the turn's shared transaction, with the completions and publishes of the same turn.
    await c.writeGrouped(
      `appending ${entries.length} delivery log entr${entries.length === 1 ? 'y' : 'ies'}`,
      () => writeLogRows(c, entries),
      logWriteShape(entries),
    );
  }

  async list(query: DeliveryLogListQuery = {}): Promise<DeliveryLogPage> {
    const c = this.connection;
    // Only the filters given are in the statement, so each shape of query is one cached
    // statement that SQLite plans with the index of its leading filter.
    const clauses: string[] = [];
    const params: Record<string, unknown> = {};
    const filter = (clause: string, name: string, value: unknown) => {
      if (value === undefined) return;
      clauses.push(clause);
      params[name] = value;
    };
    filter('webhook_key = @webhookKey', 'webhookKey', query.webhookKey);
    filter('request_id = @requestId', 'requestId', query.requestId);
    filter('event_alias = @eventAlias', 'eventAlias', query.eventAlias);
    filter('outcome IN (SELECT value FROM json_each(@outcomes))', 'outcomes', query.outcomes && JSON.stringify(query.outcomes));
    // No index leads with status_code, outcome or event_alias: those filters ride on the index by
    // webhook or by date, which holds their columns (schema 6), so the newest-first walk and the
    // total check them in the index and read only the rows of the page.
    if (query.statusClasses !== undefined) clauses.push(statusClassCondition('status_code', query.statusClasses, '0'));
    const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
    // After a position: strictly older, or of its date and appended earlier — the walk's own order.
    const after = query.afterPosition && { afterAt: query.afterPosition.at, afterSeq: Number(positionSequence('logs', query.afterPosition.tie)) };
    const pageWhere = after ? `${where ? `${where} AND` : 'WHERE'} (date, seq) < (@afterAt, @afterSeq)` : where;
    const limit = query.limit ?? 50;
    return c.run(`listing the delivery log${query.webhookKey !== undefined ? ` of ${query.webhookKey}` : ''}`, () =>
      // One read transaction, so the page and the total are of one moment.
      c.db.transaction(() => {
        // One row past the page says whether more follow (the position of the page's last is then `nextPosition`).
        const rows = c.statement(`SELECT * FROM hookwork_delivery_log ${pageWhere} ORDER BY date DESC, seq DESC LIMIT @limit OFFSET @offset`).all({ ...params, ...after, limit: limit + 1, offset: query.offset ?? 0 }) as Row[];
        const { n } = c.statement(`SELECT count(*) AS n FROM hookwork_delivery_log ${where}`).get(params) as { n: number };
        const more = rows.length > limit;
        if (more) rows.length = limit;
        const last = rows[rows.length - 1];
        return more && last ? { items: rows.map(toEntry), total: n, nextPosition: { at: last.date, tie: String(last.seq) } } : { items: rows.map(toEntry), total: n };
      })(),
    );
  }

  async get(key: string): Promise<DeliveryLogEntry | undefined> {
    const c = this.connection;
    const row = c.run(`reading delivery log entry ${key}`, () => c.statement('SELECT * FROM hookwork_delivery_log WHERE key = ?').get(key)) as Row | undefined;
    return row && toEntry(row);
  }

  async deleteOlderThan(before: Date, limit: number): Promise<number> {
    if (limit <= 0) return 0;
    const c = this.connection;
    return c.write(
      'deleting old delivery log entries',
      () => c.statement('DELETE FROM hookwork_delivery_log WHERE seq IN (SELECT seq FROM hookwork_delivery_log WHERE date < ? ORDER BY date, seq LIMIT ?)').run(before.getTime(), Math.floor(limit)).changes,
      'one statement',
    );
  }
}
