import { positionSequence, statusClassCondition, type CursorListing, type DeliveryErrorKind, type DeliveryLog, type DeliveryLogEntry, type DeliveryLogListQuery, type DeliveryLogPage, type DeliveryOutcome } from '@hookwork/core';
import type { PostgresConnection } from './postgres-connection';

interface Row {
  seq: string | null;
  key: string;
  webhook_key: string;
  request_id: string;
  url: string;
  event_alias: string;
  retry_count: number;
  date: string;
  status_code: number | null;
  request_headers: string;
  request_body: string;
  response_headers: string;
  response_body: Buffer;
  error_kind: string | null;
  error_message: string | null;
  duration_ms: number;
  outcome: string;
}


const COLUMNS = 'seq, key, webhook_key, request_id, url, event_alias, retry_count, date, status_code, request_headers, request_body, response_headers, response_body, error_kind, error_message, duration_ms, outcome';

function toEntry(row: Row): DeliveryLogEntry {
  const entry: DeliveryLogEntry = {
    key: row.key,
    webhookKey: row.webhook_key,
    requestId: row.request_id,
    url: row.url,
    eventAlias: row.event_alias,
    retryCount: row.retry_count,
    date: new Date(Number(row.date)),
    requestHeaders: JSON.parse(row.request_headers) as Record<string, string>,
    requestBody: row.request_body,
    responseHeaders: JSON.parse(row.response_headers) as Record<string, string>,
    responseBody: row.response_body.toString('utf8'),
    durationMs: row.duration_ms,
    outcome: row.outcome as DeliveryOutcome,
  };
  if (row.status_code !== null) entry.statusCode = row.status_code;
  if (row.error_kind !== null) entry.errorKind = row.error_kind as DeliveryErrorKind;
  if (row.error_message !== null) entry.errorMessage = row.error_message;
  return entry;
}

/** Text for a text column: PostgreSQL's text cannot hold NUL (JSON text escapes it; free text may not). */
const clean = (text: string) => (text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text);

/** The log's columns as the INSERT writes them (all but seq). */
const INSERT_COLUMNS = 'key, webhook_key, request_id, url, event_alias, retry_count, date, status_code, request_headers, request_body, response_headers, response_body, error_kind, error_message, duration_ms, outcome';
const INSERT_TYPES = ['text', 'text', 'text', 'text', 'text', 'integer', 'bigint', 'integer', 'text', 'text', 'text', 'bytea', 'text', 'text', 'float8', 'text'];

/**
 * One multi-row INSERT of delivery log entries from the sixteen arrays of
 * {@link logEntryColumns}, the first of them parameter `$from`; rows in the order given.
 */
export function insertLogEntries(s: string, from: number): string {
  const arrays = INSERT_TYPES.map((type, i) => `$${from + i}::${type}[]`).join(', ');
  return `INSERT INTO ${s}.delivery_log (${INSERT_COLUMNS})
       SELECT ${INSERT_COLUMNS}
       FROM unnest(${arrays}) WITH ORDINALITY AS u(${INSERT_COLUMNS}, n)
       ORDER BY n`;
}

/** The parameters of {@link insertLogEntries}: one array per column. */
export function logEntryColumns(entries: readonly DeliveryLogEntry[]): unknown[] {
  const column = <T>(pick: (e: DeliveryLogEntry) => T) => entries.map(pick);
  return [
    column((e) => e.key),
    column((e) => e.webhookKey),
    column((e) => e.requestId),
    column((e) => clean(e.url)),
    column((e) => e.eventAlias),
    column((e) => e.retryCount),
    column((e) => e.date.getTime()),
    column((e) => e.statusCode ?? null),
    column((e) => JSON.stringify(e.requestHeaders)),
    column((e) => clean(e.requestBody)),
    column((e) => JSON.stringify(e.responseHeaders)),
    column((e) => Buffer.from(e.responseBody, 'utf8')),
    column((e) => e.errorKind ?? null),
    column((e) => (e.errorMessage === undefined ? null : clean(e.errorMessage))),
    column((e) => e.durationMs),
    column((e) => e.outcome),
  ];
}

/**
 * A position's tie-breaker as a PostgreSQL store made it: a row's seq (bigint), as digits; refused
 * otherwise, before PostgreSQL reads it (a cast of anything else would fail as a storage error).
 */
export function bigintPosition(listing: CursorListing, tie: string): string {
  return positionSequence(listing, tie, 18);
}

/**
 * The delivery log in PostgreSQL. Columns have no length limit, so no header or body is ever
 * too long to log; the response body is bytea, since a receiver may answer any byte. A batch of
 * entries (core's log writer gathers those of one event-loop turn) is one multi-row insert.
 */
export class PostgresDeliveryLog implements DeliveryLog {
  constructor(private readonly c: PostgresConnection) {}

  async append(entries: readonly DeliveryLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const { c } = this;
    await c.query(`appending ${entries.length} delivery log entr${entries.length === 1 ? 'y' : 'ies'}`, insertLogEntries(c.s, 1), logEntryColumns(entries), c.bookkeeping);
  }

  /** Pages by (date, seq): a position's tie is the entry's seq. */
  readonly pagesByPosition = true;

  async list(query: DeliveryLogListQuery = {}): Promise<DeliveryLogPage> {
    const { c } = this;
    // Only the filters given are in the statement, so each shape of query is planned with the
    // index of its leading filter.
    const clauses: string[] = [];
    const params: unknown[] = [];
    const filter = (clause: (p: string) => string, value: unknown) => {
      if (value === undefined) return;
      params.push(value);
      clauses.push(clause(`$${params.length}`));
    };
    filter((p) => `webhook_key = ${p}`, query.webhookKey);
    filter((p) => `request_id = ${p}`, query.requestId);
    filter((p) => `event_alias = ${p}`, query.eventAlias);
    filter((p) => `outcome = ANY(${p}::text[])`, query.outcomes && [...query.outcomes]);
    // No index on status_code: a status filter rides on the index of the other filters (or on
    // date), checked row by row in the newest-first walk that serves the page anyway.
    if (query.statusClasses !== undefined) clauses.push(statusClassCondition('status_code', query.statusClasses, 'false'));
    const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
    let pageWhere = where;
    if (query.afterPosition) {
      // After a position: strictly older, or of its date and appended earlier — the walk's own order.
      const seq = bigintPosition('logs', query.afterPosition.tie);
      params.push(query.afterPosition.at, seq);
      const at = `$${params.length - 1}::bigint`;
      pageWhere = `${where ? `${where} AND` : 'WHERE'} (date, seq) < (${at}, $${params.length}::bigint)`;
    }
    const limit = query.limit ?? 50;
    // One row past the page says whether more follow.
    params.push(limit + 1, query.offset ?? 0);
    // One statement, so the page and the total are of one snapshot; the total survives an empty page.
    const result = await c.query<Row & { total: string }>(
      `listing the delivery log${query.webhookKey !== undefined ? ` of ${query.webhookKey}` : ''}`,
      `WITH total AS (SELECT count(*) AS total FROM ${c.s}.delivery_log ${where})
       SELECT total.total, page.* FROM total LEFT JOIN LATERAL (
         SELECT ${COLUMNS} FROM ${c.s}.delivery_log ${pageWhere} ORDER BY date DESC, seq DESC LIMIT $${params.length - 1} OFFSET $${params.length}
       ) AS page ON true`,
      params,
    );
    const rows = result.rows.filter((row) => row.seq !== null);
    const total = Number(result.rows[0]?.total ?? 0);
    const more = rows.length > limit;
    if (more) rows.length = limit;
    const last = rows[rows.length - 1];
    return more && last ? { items: rows.map(toEntry), total, nextPosition: { at: Number(last.date), tie: String(last.seq) } } : { items: rows.map(toEntry), total };
  }

  async get(key: string): Promise<DeliveryLogEntry | undefined> {
    const { c } = this;
    const result = await c.query<Row>(`reading delivery log entry ${key}`, `SELECT ${COLUMNS} FROM ${c.s}.delivery_log WHERE key = $1 LIMIT 1`, [key]);
    const row = result.rows[0];
    return row && toEntry(row);
  }

  async deleteOlderThan(before: Date, limit: number): Promise<number> {
    if (limit <= 0) return 0;
    const { c } = this;
    // A bounded batch: the caller repeats, so no delete holds its locks for long.
    const result = await c.query(
      'deleting old delivery log entries',
      `DELETE FROM ${c.s}.delivery_log WHERE seq IN (SELECT seq FROM ${c.s}.delivery_log WHERE date < $1 ORDER BY date, seq LIMIT $2)`,
      [before.getTime(), Math.floor(limit)], c.bookkeeping,
    );
    return result.rowCount ?? 0;
  }
}
