import type { DeliveryLogEntry, DeliveryOutcome } from '../model/delivery-log-entry';
import type { CursorPageRequest, ListPosition, PositionedPage } from '../model/page';
import { createToken } from '../runtime/tokens';

/**
 * The class of an attempt's HTTP status, to filter the log by: `2xx` is 200–299 and so on
 * (`1xx` … `5xx`); `none` is an attempt that got no response — a connection error, a timeout, a
 * request not sent because it was invalid, an entry of a dropped request (`statusCode` absent).
 * A status outside 100–599 belongs to no class.
 */
export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'none';

/**
 * The statuses of each {@link StatusClass}, inclusive (`4xx`: 400–499); `null` for `none` (no
 * status). The one definition every backend filters by — the memory log through
 * {@link statusClassOf}, the SQL stores by turning it into `BETWEEN` conditions.
 */
export const STATUS_CLASS_RANGES: Readonly<Record<StatusClass, readonly [number, number] | null>> = Object.freeze({
  '1xx': [100, 199],
  '2xx': [200, 299],
  '3xx': [300, 399],
  '4xx': [400, 499],
  '5xx': [500, 599],
  none: null,
});

/** The class of an entry's `statusCode` (absent: `none`); a status outside 100–599 has none (`undefined`). */
export function statusClassOf(statusCode: number | undefined): StatusClass | undefined {
  if (statusCode === undefined) return 'none';
  for (const [name, range] of Object.entries(STATUS_CLASS_RANGES) as [StatusClass, readonly [number, number] | null][]) {
    if (range && statusCode >= range[0] && statusCode <= range[1]) return name;
  }
  return undefined;
}

/**
 * The SQL condition a store filters `column` (an integer status, NULL for none) by the classes
 * asked for: `(column BETWEEN 400 AND 499 OR column IS NULL)`, built from {@link STATUS_CLASS_RANGES}
 * only (numbers, in their fixed order), never from the values given. An empty list matches nothing:
 * `never`, the dialect's false (`false` in PostgreSQL, `0` in SQLite), as an empty `outcomes` does.
 */
export function statusClassCondition(column: string, classes: readonly StatusClass[], never: string): string {
  const asked = new Set<string>(classes);
  const conditions = Object.entries(STATUS_CLASS_RANGES)
    .filter(([name]) => asked.has(name))
    .map(([, range]) => (range ? `${column} BETWEEN ${range[0]} AND ${range[1]}` : `${column} IS NULL`));
  return conditions.length > 0 ? `(${conditions.join(' OR ')})` : never;
}

/**
 * A store's page of log entries: with `nextPosition`, the {@link ListPosition} of its last entry,
 * when more entries follow (a store that pages by position, {@link DeliveryLog.pagesByPosition}).
 */
export type DeliveryLogPage = PositionedPage<DeliveryLogEntry>;

/**
 * Which entries `logs()` returns: every webhook's, or narrowed; a page by `offset` or by `after`
 * (the `next` cursor of the page before: stable however the log changes between pages).
 */
export interface DeliveryLogQuery extends CursorPageRequest {
  /** Only this webhook's entries. */
  webhookKey?: string;
  /** Only entries with one of these outcomes. */
  outcomes?: readonly DeliveryOutcome[];
  /**
   * Only entries whose HTTP status is of one of these classes (`['4xx', '5xx']`: the receiver
   * answered with an error; `['none']`: no answer came). An empty list matches nothing.
   */
  statusClasses?: readonly StatusClass[];
  /** Only entries of this event alias (as it fired). */
  eventAlias?: string;
  /** Only the entries of this request (its `webhook-id`): every attempt made for it. */
  requestId?: string;
}

/**
 * What a store's {@link DeliveryLog.list} is asked: {@link DeliveryLogQuery} without the caller's
 * cursor and, when one was given, `afterPosition`, the place core read from it — list the entries
 * strictly after it in the listing's order (older, or of its time and earlier in the store's
 * tie-breaker); never given with `offset`. Named apart from `after`, so a store written before it
 * (`list(query: DeliveryLogQuery)`) still fits the port.
 */
export interface DeliveryLogListQuery extends Omit<DeliveryLogQuery, 'after'> {
  /** List the entries strictly after this place (a `nextPosition` this store answered). */
  afterPosition?: ListPosition;
}

/**
 * The delivery log. Listing is newest first (ties broken by the order of append, later
 * first), paged, for all webhooks or narrowed by {@link DeliveryLogListQuery}. A backend must store
 * any length of header or body text: a log write must never fail because of a value's size.
 */
export interface DeliveryLog {
  /** Stores entries, all or none. */
  append(entries: readonly DeliveryLogEntry[]): Promise<void>;
  /**
   * A page of entries, newest first, of every webhook or narrowed by `query` (default 50 a page).
   * A store with {@link pagesByPosition} answers `nextPosition` when more entries follow and takes
   * it back as `afterPosition`; `total` counts every entry the filters match, a position or not.
   */
  list(query?: DeliveryLogListQuery): Promise<DeliveryLogPage>;
  /**
   * Optional: true when {@link list} takes `afterPosition` and answers `nextPosition` (a {@link ListPosition}: the
   * entry's `date` in ms and the store's tie-breaker, e.g. its sequence number). Every store
   * hookwork ships does. Absent: core pages this store by offset behind its cursors (a walk by
   * `after` then lists an entry twice, or skips one, when the log changes between pages) and never
   * passes `afterPosition`.
   */
  readonly pagesByPosition?: boolean;
  /** One entry by its key, or undefined. */
  get(key: string): Promise<DeliveryLogEntry | undefined>;
  /** Deletes up to `limit` entries dated before `before`; returns how many. */
  deleteOlderThan(before: Date, limit: number): Promise<number>;
  /**
   * Optional: how long (ms) the app may gather delivery log entries before it appends them, for
   * a store whose cost is per write rather than per entry (SQLite rewrites every page a commit
   * touches). Entries gathered are written at once by `drain()` and `stop()`; a crash loses at
   * most this window of them (never a delivery's state). Absent: each turn of the event loop.
   */
  readonly appendWindowMs?: number;
}

/** Injection token of the app's {@link DeliveryLog}. */
export const DeliveryLogToken = createToken<DeliveryLog>('hookwork.DeliveryLog');
