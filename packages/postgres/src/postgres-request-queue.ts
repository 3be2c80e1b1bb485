import { randomUUID } from 'node:crypto';
import {
  HookworkError,
  isHookworkError,
  leasedRequest,
  restoreTraceContext,
  storedTraceContext,
  type ClaimOptions,
  type DeliveryLogEntry,
  type DeadLetterListQuery,
  type EnqueueClaim,
  type EnqueueClaimedResult,
  type EnqueueOptions,
  type EnqueueResult,
  type NewWebhookRequest,
  type PositionedPage,
  type QueueCounts,
  type RedeliverSelector,
  type RequestQueue,
  type RequestState,
  type WebhookRequest,
} from '@hookwork/core';
import { ABORTED_TRANSACTION, checkHostTransaction, lostHostConnection, READ_ONLY_TRANSACTION, inTurnOnHost, statementsAhead, untilDrained, type PostgresTransaction } from './host-transaction';
import type { PostgresConnection, QueryProgress } from './postgres-connection';
import { bigintPosition, insertLogEntries, logEntryColumns } from './postgres-delivery-log';
import { isConnectionFailure, lostAfterSending, sqlState } from './postgres-errors';
import { HEALTH_CHANGED, WEBHOOKS_CHANGED, type PostgresListener } from './postgres-listener';
import { HOST_COMMIT_NOTICE, HostCommits, TRANSACTION_STATUS_SQL } from './host-commits';

interface Row {
  seq: string;
  id: string;
  webhook_key: string;
  event_alias: string;
  body: string;
  created_at: string;
  due_at: string;
  state: RequestState;
  retry_count: number;
  last_error: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  dead_at: string | null;
  fifo: 'skip' | 'block' | null;
  traceparent: string | null;
}

const COLUMNS = 'seq, id, webhook_key, event_alias, body, created_at, due_at, state, retry_count, last_error, lease_owner, lease_expires_at, dead_at, fifo, traceparent';
const R_COLUMNS = COLUMNS.split(', ')
  .map((column) => `r.${column}`)
  .join(', ');

function toRequest(row: Row): WebhookRequest {
  const request: WebhookRequest = {
    id: row.id,
    webhookKey: row.webhook_key,
    eventAlias: row.event_alias,
    body: row.body,
    createdAt: new Date(Number(row.created_at)),
    dueAt: new Date(Number(row.due_at)),
    state: row.state,
    attempts: row.retry_count,
  };
  if (row.last_error !== null) request.lastError = row.last_error;
  if (row.lease_owner !== null) request.leaseOwner = row.lease_owner;
  if (row.lease_expires_at !== null) request.leaseExpiresAt = new Date(Number(row.lease_expires_at));
  if (row.dead_at !== null) request.deadAt = new Date(Number(row.dead_at));
  if (row.fifo !== null) request.fifo = row.fifo;
  // The traceparent column holds the tracestate too (storedTraceContext): no migration.
  restoreTraceContext(request, row.traceparent);
  return request;
}

/** A FIFO request holds its webhook's line while pending or in flight, or dead with `block`. */
const inLine = (t = '') => `${t}fifo IS NOT NULL AND (${t}state <> 'dead' OR ${t}fifo = 'block')`;

/**
 * The head (its `seq`) of every FIFO line: the smallest seq of each webhook's requests that hold
 * its line. A loose index scan of `requests_fifo_line` (webhook_key, seq): each step is one seek
 * for the first entry past the last line's key, which is the next line's key and its head at once,
 * so a long line is never read whole. Ordered by (webhook_key, seq), which only that index gives
 * (any other needs a sort): looked up by key apart, a head was found by walking the primary key in
 * seq order once analyzed statistics said most rows were of a line, reading every request
 * enqueued before it (10 ms a claim, and again in nextDueAt, with a line of 100,000 and a line of
 * one enqueued after it).
 */
const fifoHeads = (s: string) => `WITH RECURSIVE line(webhook_key, seq) AS (
           (SELECT f.webhook_key, f.seq FROM ${s}.requests f WHERE ${inLine('f.')} ORDER BY f.webhook_key, f.seq LIMIT 1)
           UNION ALL
           SELECT next.webhook_key, next.seq FROM line, LATERAL (
             SELECT n.webhook_key, n.seq FROM ${s}.requests n WHERE ${inLine('n.')} AND n.webhook_key > line.webhook_key ORDER BY n.webhook_key, n.seq LIMIT 1
           ) AS next
         ) SELECT seq FROM line`;

/**
 * Whether a FIFO line's head `r` (found by {@link fifoHeads}) may be claimed at `now`: pending and
 * due, or in flight with its lease run out. Heads are read by primary key (`r.seq = ANY (ARRAY(…))`),
 * and the state is tested in a CASE so that no partial index matches it: with
 * `(state = 'pending' AND due_at <= now) OR …` PostgreSQL could instead read every due pending
 * request of the partial indexes and join them to the heads, and on a table never analyzed (where
 * it expects a few rows) it did: a hash of all 20,000 pending requests built on every claim,
 * 326 buffer accesses, with no FIFO line at all; 25 ms with 100,000 and one line. The same goes
 * for nextDueAt's heads.
 */
const headReady = (now: string) => `CASE r.state WHEN 'pending' THEN r.due_at <= ${now} WHEN 'inflight' THEN r.lease_expires_at <= ${now} ELSE false END`;

/**
 * Whether any FIFO line exists (one seek of the empty `requests_fifo_line` when none does), as a
 * one-time filter before the heads are read: most stores have no line, and the heads' lookup by
 * `seq = ANY (…)` was planned, with the table grown since its statistics, as a sequential scan of
 * every request at each claim (found with auto_explain: 200 times 100,000 rows during 200 publishes
 * beside a webhook with a backlog of 100,000). Ordered as the index is (webhook_key, seq), so that
 * no estimate makes a sequential scan look cheaper: an EXISTS stops at its first row, and
 * PostgreSQL chose to look for it by a sequential scan, which read every row to find none.
 */
const ANY_LINE = (s: string) => `(SELECT l.seq FROM ${s}.requests l WHERE ${inLine('l.')} ORDER BY l.webhook_key, l.seq LIMIT 1) IS NOT NULL`;

/**
 * The plain requests a claim takes when some webhooks are excluded (those at their perWebhook
 * limit): each other webhook's oldest due pending requests, found on `requests_plain_by_webhook`
 * (webhook_key, due_at, seq) — a loose index scan over the webhooks with plain pending requests
 * (one seek per webhook, the excluded ones stepped over in a seek) and, for each of the others, a
 * walk of its own front, locked as it is read (SKIP LOCKED: another process's claim of the same
 * front makes this one take the requests behind). The oldest `$3` of them all are kept; the others
 * are unlocked at the statement's end. (Ordered by webhook_key, due_at, which only that index gives,
 * so the step never walks `requests_webhook` through a webhook's dead letters.) The walk of all
 * pending requests by due time would read every
 * request of the excluded webhooks due before the others' (a webhook stuck at its limit has a
 * backlog): with 100,000 waiting, 22,000-100,000 rows per claim, and the dispatcher claims after
 * each wake-up, so every publish to another webhook paid for it (a fast webhook's publish → arrival
 * 13 ms at the median beside a stuck one's 100,000, against 3-5 ms with 20,000).
 */
const dueOutside = (s: string, bounded = false) => `SELECT b.seq, b.due_at, b.webhook_key FROM (
           WITH RECURSIVE keys(k) AS (
             (SELECT w.webhook_key FROM ${s}.requests w WHERE ${PLAIN_PENDING('w.')} ORDER BY w.webhook_key LIMIT 1)
             UNION ALL
             SELECT (SELECT w.webhook_key FROM ${s}.requests w WHERE ${PLAIN_PENDING('w.')} AND w.webhook_key > keys.k ORDER BY w.webhook_key LIMIT 1)
             FROM keys WHERE keys.k IS NOT NULL
           ) SELECT k${bounded ? `, coalesce((SELECT l.n FROM unnest($7::text[], $8::int[]) AS l(key, n) WHERE l.key = keys.k), $6::int, $3) AS bound` : ''} FROM keys WHERE k IS NOT NULL AND NOT (k = ANY($2::text[]))
         ) AS outside, LATERAL (
           SELECT p.seq, p.due_at, p.webhook_key FROM ${s}.requests p
           WHERE p.webhook_key = outside.k AND ${PLAIN_PENDING('p.')} AND p.due_at <= $1
           ORDER BY p.due_at, p.seq LIMIT ${bounded ? 'least($3, outside.bound)' : '$3'} FOR UPDATE SKIP LOCKED
         ) AS b
         ORDER BY b.due_at, b.seq LIMIT $3`;

/**
 * A plain pending request, written as `requests_plain_by_webhook`'s predicate is: `coalesce(fifo,
 * '') = ''` says `fifo IS NULL` (fifo is 'skip', 'block' or NULL) in a form `requests_plain_due`'s
 * predicate does not match. PostgreSQL uses a partial index only where the query implies its
 * predicate, so {@link dueOutside} can only walk a webhook's front on the per-webhook index: with
 * the two predicates alike, the planner walked `requests_plain_due` for one webhook's requests,
 * filtering out the excluded backlog row by row (20,002 rows for 2, analyzed statistics saying most
 * rows are one webhook's), which is the read this statement exists to avoid.
 */
const PLAIN_PENDING = (t: string) => `${t}state = 'pending' AND coalesce(${t}fifo, '') = ''`;

/**
 * The claim: `$1` now (ms), `$2` the excluded webhook keys, `$3` the limit, `$4` the owner, `$5`
 * the lease's end (ms). With no webhook excluded (`excluding` false, `$2` empty) the plain requests
 * are the front of `requests_plain_due`, in due order; with some, {@link dueOutside}. With
 * `bounded` (ClaimOptions' per-webhook bounds), `$6` the bound of a webhook not listed (NULL: none),
 * `$7` and `$8` the listed webhooks and their bounds: the plain requests are read webhook by
 * webhook as with some excluded ({@link dueOutside}), each webhook's front only up to its bound, so
 * the claim looks past a webhook at its bound (a short batch says nothing else is due); and all
 * candidates (expired leases and FIFO heads too) are numbered within their webhook in claim order
 * (`row_number() OVER (PARTITION BY webhook_key …)`), those past their webhook's bound left
 * (unlocked when the statement ends). Exported for the tests that read its plan.
 */
export const claimStatement = (s: string, excluding: boolean, bounded = false) => `WITH due AS (
         ${
           excluding || bounded
             ? dueOutside(s, bounded)
             : `SELECT seq, due_at, webhook_key FROM ${s}.requests d
         WHERE state = 'pending' AND fifo IS NULL AND due_at <= $1
         ORDER BY due_at, seq LIMIT $3 FOR UPDATE SKIP LOCKED`
         }
       ), expired AS (
         SELECT seq, due_at, webhook_key FROM ${s}.requests
         WHERE state = 'inflight' AND fifo IS NULL AND lease_expires_at <= $1 AND NOT (webhook_key = ANY($2::text[]))
         ORDER BY lease_expires_at LIMIT $3 FOR UPDATE SKIP LOCKED
       ), fifo_heads AS (
         SELECT r.seq, r.due_at, r.webhook_key FROM ${s}.requests r
         WHERE ${ANY_LINE(s)} AND r.seq = ANY (ARRAY(${fifoHeads(s)})) AND ${headReady('$1')} AND NOT (r.webhook_key = ANY($2::text[]))
           AND NOT EXISTS (SELECT 1 FROM ${s}.requests o WHERE o.webhook_key = r.webhook_key AND ${inLine('o.')} AND o.state = 'inflight' AND o.lease_expires_at > $1 AND o.seq <> r.seq)
         ORDER BY r.due_at, r.seq LIMIT $3 FOR UPDATE OF r SKIP LOCKED
       ), chosen AS (
         ${
           bounded
             ? `SELECT seq FROM (
           SELECT a.seq, a.due_at, row_number() OVER (PARTITION BY a.webhook_key ORDER BY a.due_at, a.seq) AS nth,
             coalesce((SELECT b.n FROM unnest($7::text[], $8::int[]) AS b(key, n) WHERE b.key = a.webhook_key), $6::int) AS bound
           FROM (SELECT seq, due_at, webhook_key FROM due UNION ALL SELECT seq, due_at, webhook_key FROM expired UNION ALL SELECT seq, due_at, webhook_key FROM fifo_heads) AS a
         ) AS ranked WHERE bound IS NULL OR nth <= bound ORDER BY due_at, seq LIMIT $3`
             : `SELECT seq FROM (SELECT seq, due_at FROM due UNION ALL SELECT seq, due_at FROM expired UNION ALL SELECT seq, due_at FROM fifo_heads) AS all_kinds ORDER BY due_at, seq LIMIT $3`
         }
       )
       UPDATE ${s}.requests AS r SET state = 'inflight', lease_owner = $4, lease_expires_at = $5
       FROM chosen WHERE r.seq = chosen.seq
       RETURNING ${R_COLUMNS}`;

/**
 * The next time something is due: plain requests by due time, leases by expiry, and of each FIFO
 * line only its head (the requests behind a head wait for it, however early they are due; a head
 * in flight counts by its lease). Exported for the tests that read its plan.
 */
export const nextDueStatement = (s: string) => `SELECT least(
         (SELECT min(due_at) FROM ${s}.requests WHERE state = 'pending' AND fifo IS NULL),
         (SELECT min(lease_expires_at) FROM ${s}.requests WHERE state = 'inflight'),
         (SELECT min(CASE r.state WHEN 'pending' THEN r.due_at END) FROM ${s}.requests r WHERE ${ANY_LINE(s)} AND r.seq = ANY (ARRAY(${fifoHeads(s)})))
       ) AS at`;

/** The first key of the advisory locks that order a FIFO line's enqueues ('hool' in ASCII). */
const FIFO_LOCK_CLASS = 0x686f6f6c;

/**
 * Locks the FIFO lines an enqueue joins ($11: `schema/webhookKey` names, sorted; $12 the lock
 * class) until its transaction ends — the host's, for a publish inside one. A line's head is its
 * smallest seq, and a seq is taken at insert time: two transactions enqueueing to one line
 * could otherwise commit in the other order, and a claim that saw only the later one would send it
 * first. Holding the line's lock from before the insert to the commit makes seq order commit
 * order. The source rows are sorted (ORDER BY n) after this one-row join, so every lock is held
 * before the first row takes its seq; a batch without FIFO requests locks nothing.
 */
const FIFO_LINE_LOCKS =
  'SELECT pg_catalog.count(pg_catalog.pg_advisory_xact_lock($12::integer, pg_catalog.hashtext(line))) AS locked FROM (SELECT line FROM pg_catalog.unnest($11::text[]) AS line ORDER BY line) AS lines';

/**
 * For an idempotent enqueue: no row of the id in the queue, read in the statement's snapshot, as
 * the delivery log is. `ON CONFLICT` alone is not enough: a completion deletes the request's row
 * and writes its log entry in one transaction, and an insert that meets the row while that
 * transaction runs waits for it, finds the row gone once it commits, and inserts — while its
 * snapshot, taken before the commit, saw no log entry. The request was stored again and sent
 * twice. Read in one snapshot, the row and the entry cannot both be missing: the completion
 * commits both at once. (Needs SELECT on `requests.id` in the host's transaction: docs/postgres.md.)
 */
const NOT_HELD = (s: string, id: string) => `NOT EXISTS (SELECT 1 FROM ${s}.requests r WHERE r.id = ${id})`;

/**
 * The host transaction's id, read by an enqueue in it (no privilege needed): the ids it stored are
 * remembered under it, so a later enqueue of the same transaction that skips them — its own rows,
 * which hookwork's pool cannot see — does not count them as stored (see storedInHost). Read once
 * the insert ran (after `inserted`), so a transaction's first write has assigned it; a transaction
 * that wrote nothing has none, and no rows of its own.
 */
const HOST_XID = 'pg_catalog.txid_current_if_assigned()::text';

/**
 * {@link PostgresRequestQueue}'s enqueue of one request without a FIFO line (a lone publish's, the
 * common case): the statement of a batch with scalar parameters, no arrays and no line locks.
 * The server neither parses eleven one-element arrays nor plans an unnest, node-postgres writes no
 * array literals: measured on one connection (3,000 inserts × 3 rounds), about 110 → 80 µs of the
 * backend's CPU and 70 → 57 µs of this process's per statement. Parameters: {@link oneRowValues}.
 * `xid`: in a host transaction it also returns the transaction's id ({@link HOST_XID}).
 */
const insertOne = (s: string, unseen: boolean, xid = false) => `WITH inserted AS (
           INSERT INTO ${s}.requests (id, webhook_key, event_alias, body, created_at, due_at, state, retry_count, lease_owner, lease_expires_at, traceparent)
           ${
             unseen
               ? `SELECT $1::text, $2::text, $3::text, $4::text, $5::bigint, $6::bigint, CASE WHEN $7::text IS NULL THEN 'pending' ELSE 'inflight' END, 0, $7::text, $8::bigint, $9::text
           WHERE NOT EXISTS (SELECT 1 FROM ${s}.delivery_log l WHERE l.request_id = $1::text) AND ${NOT_HELD(s, '$1::text')}`
               : `VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::text IS NULL THEN 'pending' ELSE 'inflight' END, 0, $7, $8, $9)`
           }
           ON CONFLICT DO NOTHING
           RETURNING state
         )
         SELECT state, CASE WHEN state = 'pending' THEN pg_catalog.pg_notify($10, ${xid ? `$11::text || ${HOST_XID}` : '$11'}) END${xid ? `, ${HOST_XID} AS xid` : ''} FROM inserted`;

/** The parameters of {@link insertOne}. */
/**
 * Whether a statement failed because its connection had been ended by the server before it ran
 * (the FATAL of `pg_terminate_backend` or a shutdown read as its answer, or the connection found
 * closed), not because the server went silent (the watchdog's "no answer within …") or refused it.
 */
function endedUnheard(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | null)?.cause ?? error;
  const state = sqlState(cause);
  if (state !== undefined) return state === '57P01' || state === '57P02' || state === '57P03';
  return /Connection terminated unexpectedly|Client has encountered a connection error and is not queryable/.test((cause as Error | null)?.message ?? '');
}

function oneRowValues(r: NewWebhookRequest, lease: Lease | undefined, channel: string, payload: string): unknown[] {
  return [r.id, r.webhookKey, r.eventAlias, r.body, r.createdAt.getTime(), r.dueAt.getTime(), lease?.owner ?? null, lease?.expiresAt ?? null, storedTraceContext(r), channel, payload];
}

/**
 * The statement of a batch (see PostgresRequestQueue.store). `unseen`: some request is idempotent,
 * and the delivery log and the queue's own rows are looked at for those ({@link NOT_HELD}; so only
 * a keyed publish in a host transaction needs its role to read `delivery_log.request_id` and
 * `requests.id`). `own`: on hookwork's own pool, the ids stored, and
 * those stored leased, are returned (the host's role need not read `id`: in its transaction only
 * how many were stored, and the transaction's id, {@link HOST_XID}). `ON CONFLICT DO NOTHING` without a
 * target: naming `(id)` would need SELECT on it, and `seq` never conflicts.
 */
const insertMany = (s: string, unseen: boolean, own: boolean) => `WITH inserted AS (
           INSERT INTO ${s}.requests (id, webhook_key, event_alias, body, created_at, due_at, state, retry_count, lease_owner, lease_expires_at, fifo, traceparent)
           SELECT id, webhook_key, event_alias, body, created_at, due_at,
             CASE WHEN lease_owner IS NULL THEN 'pending' ELSE 'inflight' END, 0, lease_owner, lease_expires_at, fifo, traceparent
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[], $8::text[], $13::text[], $14::bigint[], $15::boolean[]) WITH ORDINALITY
             AS u(id, webhook_key, event_alias, body, created_at, due_at, fifo, traceparent, lease_owner, lease_expires_at, idempotent, n)
           CROSS JOIN (${FIFO_LINE_LOCKS}) AS line_locks
           ${unseen ? `WHERE NOT (u.idempotent AND (EXISTS (SELECT 1 FROM ${s}.delivery_log l WHERE l.request_id = u.id) OR NOT ${NOT_HELD(s, 'u.id')}))` : ''}
           ORDER BY n
           ON CONFLICT DO NOTHING
           RETURNING ${own ? 'id, ' : ''}state
         )
         SELECT (SELECT pg_catalog.count(pg_catalog.pg_notify($9, ${own ? '$10' : `$10::text || ${HOST_XID}`})) FROM (SELECT 1 FROM inserted WHERE state = 'pending' LIMIT 1) AS any_pending) AS notified, ${
           own
             ? `ARRAY(SELECT id FROM inserted) AS stored,
           ARRAY(SELECT id FROM inserted WHERE state = 'inflight') AS leased`
             : `(SELECT pg_catalog.count(*) FROM inserted)::int AS stored_count, (SELECT ${HOST_XID} FROM (SELECT pg_catalog.count(*) FROM inserted) AS done) AS xid`
         }`;

/**
 * The most ids remembered of one host transaction's enqueues (see PostgresRequestQueue's
 * storedInHost): about 1 MiB a client. Past it, a batch partly skipped still counts exactly how
 * many it stored, but may name the wrong ones of an id published twice in the transaction.
 */
const HOST_STORED_LIMIT = 10_000;

/** A lease a request is stored under by enqueueClaimed: its owner, until when (epoch ms). */
interface Lease {
  owner: string;
  expiresAt: number;
}

/** One enqueue waiting in a group commit. */
interface GroupedEnqueue {
  requests: readonly NewWebhookRequest[];
  leases: readonly (Lease | undefined)[] | undefined;
  /** Its ids come from an idempotency key: one the delivery log has is skipped too. */
  idempotent: boolean;
  /** Told (with the ids it stored leased) once the rows are committed and visible, when a flush barrier follows (see storeGrouped). */
  visible: ((leased: ReadonlySet<string>) => void) | undefined;
  /** With the ids of its requests stored, and those stored leased (a skipped one is in neither). */
  resolve(rows: { stored: string[]; leased: ReadonlySet<string> }): void;
  reject(error: unknown): void;
}

const NONE: ReadonlySet<string> = new Set();

/**
 * Of the leased ids a statement stored (`stored`, used up as they are handed out), those of `g`:
 * an id two enqueues of one group share is the first one's, as the statement stored the first.
 */
function leasedOf(g: GroupedEnqueue, stored: Set<string>): ReadonlySet<string> {
  if (stored.size === 0 || !g.leases) return NONE;
  const own = new Set<string>();
  g.requests.forEach((r, i) => {
    if (g.leases![i] && stored.delete(r.id)) own.add(r.id);
  });
  return own;
}

/** As {@link leasedOf}, for every id stored (leased or pending): an id two enqueues of one group share is the first one's. */
function storedOf(g: GroupedEnqueue, stored: Set<string>): string[] {
  // Alone in its group, and nothing skipped (the common case): its ids as they are.
  if (stored.size === g.requests.length && g.requests.every((r) => stored.has(r.id))) return [...stored];
  return g.requests.filter((r) => stored.delete(r.id)).map((r) => r.id);
}

/** What {@link PostgresRequestQueue}'s statement stored: the ids, and those stored leased. */
interface StoredRows {
  stored: string[];
  leased: string[];
  /** In a host transaction, its id ({@link HOST_XID}), when it stored any. */
  xid?: string | null;
}

/**
 * How long the first completeAndLog of a batch waits for others, ms: long enough that at a
 * thousand deliveries a second a statement completes several, short next to a request's lease.
 */
const COMPLETION_WINDOW_MS = 5;

/** One completeAndLog waiting for the statement in flight (see completeAndLog). */
interface WaitingCompletion {
  ids: readonly string[];
  owner: string;
  entries: readonly DeliveryLogEntry[];
  resolve(completed: string[]): void;
  reject(error: unknown): void;
}

/** SQLSTATEs a group's statement can fail with through one member: lock_not_available, deadlock_detected. */
const ONE_MEMBER_CODES = new Set(['55P03', '40P01']);

/**
 * A failure one enqueue of a group may have caused — a lock timeout or a deadlock (a duplicate id
 * is skipped, not a failure) — anywhere down an error's cause chain (the store wraps the driver's
 * error twice). Only a definite failure counts: after one whose answer was lost, nothing may be
 * tried again as if the group had stored nothing.
 */
function causedByOneMember(error: unknown): boolean {
  if (isHookworkError(error, 'HOOKWORK_ERR_ENQUEUE_UNCERTAIN')) return false;
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (ONE_MEMBER_CODES.has((e as { code?: unknown }).code as string)) return true;
  }
  return false;
}

const noop = () => {};

/** Rows in claim order: oldest due first, ties in enqueue order. */
const byDue = (a: Row, b: Row) => Number(a.due_at) - Number(b.due_at) || Number(a.seq) - Number(b.seq);

/** Text for a text column: PostgreSQL's text cannot hold NUL, which an error message from outside might. */
const clean = (text: string | undefined) => (text === undefined ? null : text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text);

/**
 * The request queue in PostgreSQL, built for few round trips:
 *
 * - enqueue: one `INSERT … SELECT FROM unnest(…)` for the whole batch, with the `pg_notify` in the
 *   same statement (sent when it commits — the host's commit, inside a host transaction); outside
 *   a host transaction, the enqueues of one turn that share a commit go in one such statement, and
 *   requests this process's dispatcher starts at once are stored already leased to it
 *   (enqueueClaimed), so they cost no claim;
 * - claim: one `UPDATE … FROM (SELECT … FOR UPDATE SKIP LOCKED LIMIT n)` on the partial index of
 *   pending requests, so concurrent claimers (any number of processes) skip each other's rows
 *   and never wait, and a claim reads only the due front however many requests wait;
 * - completeMany, completeAndLog (with the batch's delivery log entries), renew, release: one
 *   statement for many ids (`id = ANY($1)`).
 *
 * Every change a lease holder makes checks, in the same statement, that it still holds the lease.
 */
export class PostgresRequestQueue implements RequestQueue<PostgresTransaction> {
  /** Payload of this queue's own notifications, which its LISTEN connection ignores (it woke its watchers already). */
  private readonly instance = randomUUID();
  /**
   * What an insert in a host transaction notifies, followed by the transaction's id: sent only if
   * it commits, so that this store hears the commit ({@link commits}); any other process wakes on
   * it as on any enqueue.
   */
  private readonly hostPayload = `${HOST_COMMIT_NOTICE}${this.instance}:`;
  /** The end of each host transaction that stored requests: what core waits for before counting them as enqueued. */
  private readonly commits: HostCommits;
  private readonly listeners = new Set<() => void>();
  private unlisten: (() => void) | undefined;
  /** The ids enqueues stored in each host client's current transaction, under its transaction id (see storedInHost). */
  private readonly hostStored = new WeakMap<PostgresTransaction, { xid: string; ids: Set<string> }>();
  /** Plain enqueues waiting for this turn's group commit (see storeGrouped). */
  private group: GroupedEnqueue[] = [];
  private groupTimer: NodeJS.Immediate | undefined;
  /** The flush barrier in flight, and the one queued behind it (see durable). */
  private flushing: Promise<void> | undefined;
  private nextFlush: Promise<void> | undefined;
  /** Whether this store wrote its row of `flushes` (deleted on close). */
  private flushRow = false;
  /** completeAndLog calls waiting for their statement, its timer, and the statement in flight (see completeAndLog). */
  private completions: WaitingCompletion[] = [];
  private completionTimer: NodeJS.Timeout | undefined;
  /** When the first of the waiting completions came (performance.now()). */
  private completionsSince = 0;
  private completionsWriting: Promise<void> | undefined;
  /** The texts of {@link insertOne} for this schema, by `unseen` (+1) and in a host transaction (+2), made once (node-postgres names a statement by its text). */
  private readonly insertOneTexts: readonly [string, string, string, string];
  /** The texts of {@link insertMany} for this schema, by `unseen` (+1) and `own` (+2), made once as insertOne's: the statement takes arrays, so one text serves a batch of any size. */
  private readonly insertManyTexts: readonly [string, string, string, string];
  /** The texts of {@link claimStatement} (without and with webhooks excluded; then the same with per-webhook bounds) and {@link nextDueStatement}, made once as insertOne's. */
  private readonly claimTexts: readonly [string, string, string, string];
  /** Claims honour ClaimOptions.perWebhookLimit and webhookLimits. */
  readonly claimBounds = true;
  private readonly nextDueText: string;

  constructor(
    private readonly c: PostgresConnection,
    private readonly listener: PostgresListener,
  ) {
    this.insertOneTexts = [insertOne(c.s, false), insertOne(c.s, true), insertOne(c.s, false, true), insertOne(c.s, true, true)];
    this.insertManyTexts = [insertMany(c.s, false, false), insertMany(c.s, true, false), insertMany(c.s, false, true), insertMany(c.s, true, true)];
    this.claimTexts = [claimStatement(c.s, false), claimStatement(c.s, true), claimStatement(c.s, false, true), claimStatement(c.s, true, true)];
    this.nextDueText = nextDueStatement(c.s);
    this.commits = new HostCommits(async (xids) => {
      const result = await c.query<{ xid: string; status: string | null }>(
        'reading whether host transactions committed',
        TRANSACTION_STATUS_SQL,
        [xids],
        c.bookkeeping,
      );
      return new Map(result.rows.map((row) => [row.xid, row.status]));
    });
  }

  async enqueue(requests: readonly NewWebhookRequest[], options?: EnqueueOptions<PostgresTransaction>): Promise<EnqueueResult> {
    const inHost = options?.transaction !== undefined;
    const host = inHost ? await checkHostTransaction(options.transaction, this.c) : undefined;
    if (requests.length === 0) return { stored: [] };
    const idempotent = options?.idempotent === true;
    if (host) {
      // The insert runs after whatever the host queued on its client before it: a COMMIT or
      // ROLLBACK there (a publish not awaited, or beside a statement that failed in Promise.all)
      // ended the transaction first, and the insert, outside any, committed by itself — sent though
      // the host rolled back. So it is sent only with nothing ahead of it, right after a check of
      // the status (no await between: a statement cannot be queued and answered without I/O).
      const client = host;
      const { stored, xid } = await inTurnOnHost(client, async (waited) => {
        let checked = waited ? await checkHostTransaction(client, this.c, true) : client;
        while (statementsAhead(checked)) {
          await untilDrained(checked);
          checked = await checkHostTransaction(checked, this.c, true);
        }
        return this.store(requests, undefined, idempotent, checked);
      });
      // Durable only once the host commits: core counts them as enqueued then, not if it rolls back.
      return stored.length > 0 && xid != null ? { stored, committed: this.commits.ended(xid) } : { stored };
    }
    const { stored } = await this.storeGrouped(requests, undefined, idempotent, options?.shareCommit === true);
    this.wakeWatchers();
    return { stored };
  }

  /**
   * {@link enqueue} (outside a host transaction), storing the requests of `claim.ids` already in
   * flight under `claim.owner`'s lease, in the same statement: the dispatcher of this process
   * starts them without a claim round trip. Only when some are left pending does the commit
   * notify the other processes.
   */
  async enqueueClaimed(requests: readonly NewWebhookRequest[], claim: EnqueueClaim): Promise<EnqueueClaimedResult> {
    if (requests.length === 0) return { stored: [], claimed: [] };
    const claimIds = new Set(claim.ids);
    const leaseExpiresAt = claim.now.getTime() + claim.leaseMs;
    const leases = requests.map((r) => (claimIds.has(r.id) && !r.fifo ? { owner: claim.owner, expiresAt: leaseExpiresAt } : undefined));
    const leased = requests.filter((_, i) => leases[i] !== undefined);
    // Made once: the same copies go to onVisible and back to the engine. Only those stored: one
    // skipped as already held is another's (or pending), not this lease's.
    let copies: WebhookRequest[] | undefined;
    const claimed = (stored: ReadonlySet<string>) => (copies ??= leased.filter((r) => stored.has(r.id)).map((r) => leasedRequest(r, claim.owner, leaseExpiresAt)));
    const { onVisible } = claim;
    const rows = await this.storeGrouped(requests, leases, claim.idempotent === true, claim.shareCommit === true, onVisible && leased.length > 0 ? (ids) => onVisible(claimed(ids)) : undefined);
    if (leased.length < requests.length) this.wakeWatchers();
    return { stored: rows.stored, claimed: claimed(rows.leased) };
  }

  /**
   * Group commit of this process's plain enqueues: with `share` (other publishes are under way)
   * an enqueue waits for the turn's group, one statement and one commit for every enqueue of the
   * turn; without it, it goes at once, taking any waiting enqueues along, so a lone publisher
   * never waits a turn. Each still resolves only once the commit holding its rows is done.
   *
   * With `visible` (requests handed to this process's dispatcher) and `synchronousCommit:
   * 'publish'`, the group's statement commits without waiting for the WAL flush; `visible` is
   * called as soon as it returns, so the dispatcher sends while the disk syncs, and the group
   * resolves once a flush barrier (see durable) has made its rows durable. The send no longer
   * waits for the flush, whose tail on a busy disk is many times its median.
   */
  private storeGrouped(
    requests: readonly NewWebhookRequest[],
    leases: readonly (Lease | undefined)[] | undefined,
    idempotent: boolean,
    share: boolean,
    visible?: (leased: ReadonlySet<string>) => void,
  ): Promise<{ stored: string[]; leased: ReadonlySet<string> }> {
    // An enqueue with FIFO requests goes alone, never in a group: its statement takes its lines'
    // advisory locks, which a host transaction may hold until it commits; grouped, every other
    // publish of the turn would wait for that transaction too, and two single-line enqueues would
    // become one statement locking both lines, a deadlock another transaction could close.
    if (requests.some((r) => r.fifo)) return this.store(requests, leases, idempotent, undefined).then((rows) => ({ stored: rows.stored, leased: new Set(rows.leased) }));
    return new Promise<{ stored: string[]; leased: ReadonlySet<string> }>((resolve, reject) => {
      this.group.push({
        requests,
        leases,
        idempotent,
        visible,
        resolve,
        reject,
      });
      if (!share) this.flushGroup();
      else this.groupTimer ??= setImmediate(() => this.flushGroup());
    });
  }

  private flushGroup(): void {
    if (this.groupTimer) clearImmediate(this.groupTimer);
    this.groupTimer = undefined;
    const group = this.group;
    this.group = [];
    if (group.length === 0) return;
    const split = this.c.visibleFirst && group.some((g) => g.visible !== undefined);
    const [one] = group;
    const requests = group.length === 1 ? one!.requests : group.flatMap((g) => g.requests);
    const leases = group.length === 1 ? one!.leases : group.flatMap((g) => g.leases ?? g.requests.map(() => undefined));
    const idempotent = group.length === 1 ? one!.idempotent : group.flatMap((g) => g.requests.map(() => g.idempotent));
    this.store(requests, leases, idempotent, undefined, split).then(
      (rows) => this.settle(group, split, rows),
      (error: unknown) => {
        // All or none: nothing of the group was stored. A lock timeout or a deadlock may be one
        // enqueue's wait, so each goes again alone and only that one fails; any other failure (the
        // connection, the server) is every one's.
        if (group.length === 1 || !causedByOneMember(error)) {
          for (const g of group) g.reject(error);
          return;
        }
        for (const g of group) this.store(g.requests, g.leases, g.idempotent, undefined, split).then((rows) => this.settle([g], split, rows), g.reject);
      },
    );
  }

  /** After a group's rows are committed: with `split`, starts what was handed off and waits for the flush barrier; then resolves. */
  private settle(group: readonly GroupedEnqueue[], split: boolean, rows: StoredRows): void {
    const leasedIds = new Set(rows.leased);
    const leased = group.map((g) => leasedOf(g, leasedIds));
    const storedIds = new Set(rows.stored);
    const stored = group.map((g) => storedOf(g, storedIds));
    if (!split) {
      group.forEach((g, i) => g.resolve({ stored: stored[i]!, leased: leased[i]! }));
      return;
    }
    group.forEach((g, i) => g.visible?.(leased[i]!));
    this.durable().then(
      () => {
        group.forEach((g, i) => g.resolve({ stored: stored[i]!, leased: leased[i]! }));
      },
      (error: unknown) => {
        for (const g of group) g.reject(error);
      },
    );
  }

  /**
   * Resolves once everything this process committed before the call is durable: a commit that
   * waits for the WAL flush (on the main pool) flushes the WAL up to its own record, so every
   * earlier commit with it. One barrier at a time: commits that return while one is in flight
   * (it may have begun before them) share the next one, as group commit does.
   */
  private durable(): Promise<void> {
    if (this.nextFlush) return this.nextFlush;
    if (!this.flushing) return this.startFlush();
    const next = this.flushing.then(noop, noop).then(() => {
      this.nextFlush = undefined;
      return this.startFlush();
    });
    this.nextFlush = next;
    return next;
  }

  private startFlush(): Promise<void> {
    const { c } = this;
    this.flushRow = true;
    const flushing = c
      .query('making enqueued requests durable', `INSERT INTO ${c.s}.flushes (owner, at) VALUES ($1, $2) ON CONFLICT (owner) DO UPDATE SET at = excluded.at`, [this.instance, Date.now()])
      .then(noop, (error: unknown) => {
        throw new HookworkError(
          'HOOKWORK_ERR_ENQUEUE_UNCERTAIN',
          `PostgreSQL committed them, but hookwork could not confirm that they reached its disk (${(error as Error).message}): they stay queued and are delivered (some may have been sent already) unless the server crashed before writing them`,
          { cause: error },
        );
      });
    this.flushing = flushing;
    const done = () => {
      if (this.flushing === flushing) this.flushing = undefined;
    };
    flushing.then(done, done);
    return flushing;
  }

  /** Writes the waiting completions, and deletes this store's row of `flushes` if it wrote one (the store calls it on close). */
  async close(): Promise<void> {
    await this.settleCompletions();
    await this.commits.close();
    if (!this.flushRow) return;
    await Promise.allSettled([this.flushing, this.nextFlush]);
    const { c } = this;
    await c.query('forgetting this store\'s flush row', `DELETE FROM ${c.s}.flushes WHERE owner = $1`, [this.instance]).catch(noop);
  }

  /**
   * One statement, all or none: the batch's rows (those with a lease in flight under it, the
   * others pending), the FIFO line locks, and a NOTIFY when any row is pending. An id already
   * stored is skipped (`ON CONFLICT DO NOTHING`: the stored row stays as it was, and the statement
   * does not fail), and so is, for an idempotent request, an id the delivery log has an entry of.
   * Resolves with the ids stored, and those stored leased. `idempotent` is one flag for the batch, or one per request
   * (a group of several enqueues).
   *
   * Its failures say what is known: HOOKWORK_ERR_ENQUEUE_FAILED when nothing was stored (no
   * connection could be had, so nothing was sent; or PostgreSQL refused the statement and rolled it
   * back; or the host's transaction is aborted or gone), HOOKWORK_ERR_ENQUEUE_UNCERTAIN when the
   * connection was lost after the statement was sent: outside a host transaction it commits on its
   * own, and the commit may have happened with its answer lost.
   */
  private async store(
    requests: readonly NewWebhookRequest[],
    leases: readonly (Lease | undefined)[] | undefined,
    idempotent: boolean | readonly boolean[],
    host: PostgresTransaction | undefined,
    visibleFirst = false,
  ): Promise<StoredRows> {
    const inHost = host !== undefined;
    const { c } = this;
    const doing = `enqueueing ${requests.length} request(s)${inHost ? ' in the host transaction' : ''}`;
    // Inside a host transaction the notification is not this process's own: its dispatcher, woken
    // before the host commits, finds nothing, and must wake again when the commit sends it. The
    // statement appends the transaction's id, so that this store hears the commit too.
    const payload = inHost ? this.hostPayload : this.instance;
    // Visible first: committed without waiting for the WAL flush (the bookkeeping pool's setting).
    const on = host ?? (visibleFirst ? c.bookkeeping : c.enqueueing);
    const [one] = requests;
    const progress: QueryProgress = { sent: false };
    const unseen = idempotent === true || (typeof idempotent !== 'boolean' && idempotent.includes(true));
    try {
      if (requests.length === 1 && !one!.fifo) {
        const lease = leases?.[0];
        const result = await c.query<{ state: string; xid?: string | null }>(doing, this.insertOneTexts[(unseen ? 1 : 0) + (inHost ? 2 : 0)]!, oneRowValues(one!, lease, c.channel, payload), on, progress);
        const stored = result.rows.length === 1 ? [one!.id] : [];
        if (host) this.rememberInHost(host, result.rows[0]?.xid, stored);
        return { stored, leased: lease ? stored : [], xid: result.rows[0]?.xid };
      }
      const result = await c.query<{ stored?: string[]; leased?: string[]; stored_count?: number; xid?: string | null }>(
        doing,
        this.insertManyTexts[(unseen ? 1 : 0) + (inHost ? 0 : 2)],
        [
          requests.map((r) => r.id),
          requests.map((r) => r.webhookKey),
          requests.map((r) => r.eventAlias),
          requests.map((r) => r.body),
          requests.map((r) => r.createdAt.getTime()),
          requests.map((r) => r.dueAt.getTime()),
          requests.map((r) => r.fifo ?? null),
          requests.map((r) => storedTraceContext(r)),
          c.channel,
          payload,
          // The FIFO lines this batch joins, locked in one order (no deadlock between batches).
          [...new Set(requests.filter((r) => r.fifo).map((r) => `${c.s}/${r.webhookKey}`))].sort(),
          FIFO_LOCK_CLASS,
          requests.map((_, i) => leases?.[i]?.owner ?? null),
          requests.map((_, i) => leases?.[i]?.expiresAt ?? null),
          typeof idempotent === 'boolean' ? requests.map(() => idempotent) : idempotent,
        ],
        on,
        progress,
      );
      const row = result.rows[0];
      if (!host) return { stored: row?.stored ?? [], leased: row?.leased ?? [] };
      const count = row?.stored_count ?? 0;
      const stored = count === requests.length ? requests.map((r) => r.id) : count === 0 ? [] : await this.storedInHost(requests, idempotent, count, host, row?.xid);
      this.rememberInHost(host, row?.xid, stored);
      return { stored, leased: [], xid: row?.xid };
    } catch (error) {
      // Not a node-postgres client (see PostgresConnection.query): its own refusal, not "aborted".
      if (isHookworkError(error, 'HOOKWORK_ERR_INVALID_TRANSACTION')) throw error;
      const cause = isHookworkError(error) ? (error.cause ?? error) : error;
      // The host's transaction had failed already: node-postgres rejects a failed query before
      // the server's ReadyForQuery updates getTransactionStatus(), so the check may have passed.
      if (inHost && sqlState(cause) === '25P02') throw new HookworkError('HOOKWORK_ERR_INVALID_TRANSACTION', ABORTED_TRANSACTION, { cause: error });
      // The host's transaction cannot write: its own choice (READ ONLY) or its client's server, not hookwork's store.
      if (inHost && sqlState(cause) === '25006') throw new HookworkError('HOOKWORK_ERR_INVALID_TRANSACTION', READ_ONLY_TRANSACTION, { cause: error });
      // Two host transactions storing the same ids in opposite orders (one key published in each
      // after another key, as two of the host's own transactions writing one pair of rows would),
      // or joining FIFO lines so, each wait for the other; PostgreSQL aborts one. Not a lock held
      // too long, as HOOKWORK_ERR_STORAGE_LOCKED's words would have it: say what it is.
      if (inHost && sqlState(cause) === '40P01')
        throw new HookworkError(
          'HOOKWORK_ERR_ENQUEUE_FAILED',
          `could not store ${requests.length} request(s) in the host transaction: PostgreSQL found it deadlocked with another transaction and aborted it (both stored some of the same requests — one idempotencyKey published in both, after another key, in the other order — or joined two webhooks' FIFO lines in the other order), so nothing of it will be stored — roll it back and run it again: with the same idempotencyKey, what the other transaction committed is skipped`,
          { cause: error },
        );
      // The host's connection, not hookwork's pool: its transaction is gone, and nothing reconnects it.
      if (inHost && isConnectionFailure(cause)) throw lostHostConnection(doing, cause);
      if (inHost)
        throw new HookworkError(
          'HOOKWORK_ERR_ENQUEUE_FAILED',
          `could not store ${requests.length} request(s) in the host transaction: ${(error as Error).message}; the transaction is aborted, so nothing of it will be stored — roll it back and run it again`,
          { cause: error },
        );
      if (!progress.sent || !lostAfterSending(cause)) {
        throw new HookworkError(
          'HOOKWORK_ERR_ENQUEUE_FAILED',
          `could not store ${requests.length} request(s), and nothing of them was stored (${progress.sent ? 'PostgreSQL refused the statement and rolled it back' : 'no connection could be had, so nothing was sent'}): ${(error as Error).message}`,
          { cause: error },
        );
      }
      throw new HookworkError(
        'HOOKWORK_ERR_ENQUEUE_UNCERTAIN',
        `the connection to PostgreSQL was lost after the statement storing ${requests.length} request(s) was sent and before its answer (${(error as Error).message}): it commits on its own, so they may or may not be stored`,
        { cause: error },
      );
    }
  }

  /**
   * Which `count` of a batch the host's transaction stored, when it stored some but not all (the
   * host's role need not read `id`, so its statement said only how many). An id the insert skipped
   * is one of three: a row of another transaction, committed by now (`ON CONFLICT` waited for it to
   * end), or for an idempotent request an entry of the delivery log — both read on hookwork's own
   * pool; a repeat within the batch (the first is the stored one); or a row this same transaction
   * stored before — a key published twice in it — which hookwork's pool cannot see, and which the
   * ids remembered under the transaction's id ({@link rememberInHost}) name. Exactly `count` ids
   * are returned whatever is known: when the read fails (the rows are in the host's transaction
   * whatever it does, so this is not the insert's failure), or a savepoint rolled back to since
   * dropped a remembered row, the first ones the batch names.
   */
  private async storedInHost(requests: readonly NewWebhookRequest[], idempotent: boolean | readonly boolean[], count: number, host: PostgresTransaction, xid: string | null | undefined): Promise<string[]> {
    const { c } = this;
    const ids = requests.map((r) => r.id);
    const remembered = typeof idempotent === 'boolean' ? ids.filter(() => idempotent) : ids.filter((_, i) => idempotent[i]);
    const skipped = await c
      .query<{ id: string }>(
        'reading which requests an enqueue in the host transaction skipped',
        `SELECT id FROM ${c.s}.requests WHERE id = ANY($1::text[]) UNION SELECT request_id FROM ${c.s}.delivery_log WHERE request_id = ANY($2::text[])`,
        [ids, remembered],
        c.bookkeeping,
      )
      .then(
        (result) => new Set(result.rows.map((row) => row.id)),
        () => new Set<string>(),
      );
    const candidates = [...new Set(ids)].filter((id) => !skipped.has(id));
    const entry = this.hostStored.get(host);
    const earlier = xid != null && entry?.xid === xid ? entry.ids : undefined;
    if (!earlier) return candidates.slice(0, count);
    const fresh = candidates.filter((id) => !earlier.has(id));
    return fresh.length >= count ? fresh.slice(0, count) : [...fresh, ...candidates.filter((id) => earlier.has(id)).slice(0, count - fresh.length)];
  }

  /**
   * Remembers the ids an enqueue stored in the host transaction `xid` of `host` (one
   * transaction per client: a new id forgets the last one's), for {@link storedInHost}; at most
   * {@link HOST_STORED_LIMIT} of them, so a client kept in a pool holds no more than that once its
   * transaction is over. With no id (the transaction wrote nothing yet) nothing was stored.
   */
  private rememberInHost(host: PostgresTransaction, xid: string | null | undefined, stored: readonly string[]): void {
    if (xid == null || stored.length === 0) return;
    let entry = this.hostStored.get(host);
    if (entry?.xid !== xid) this.hostStored.set(host, (entry = { xid, ids: new Set() }));
    for (const id of stored) {
      if (entry.ids.size >= HOST_STORED_LIMIT) break;
      entry.ids.add(id);
    }
  }

  async claim(options: ClaimOptions): Promise<WebhookRequest[]> {
    const limit = Math.max(0, Math.floor(options.limit));
    if (limit === 0) return [];
    const { c } = this;
    const now = options.now.getTime();
    const excluded = options.excludeWebhookKeys && options.excludeWebhookKeys.length > 0 ? [...options.excludeWebhookKeys] : [];
    // Bounded reads, each on a partial index, locked with SKIP LOCKED so claimers never wait:
    // plain requests pending by due time (with webhooks excluded, each other webhook's own front,
    // never the excluded ones' backlogs) and in flight by lease expiry (normally none); and the
    // head of each FIFO line — the smallest seq of the webhook's requests that hold it — when it is
    // due or its lease ran out and no other request of the line is out. The lines are found by a
    // loose index scan (one seek per webhook with a line), so a long line is never read whole. The
    // state is checked again on the locked row, so a head another process just claimed or
    // completed is not taken twice. The oldest `limit` of all of them are taken.
    // Per-webhook bounds (see claimStatement): the listed webhooks' bounds, and the others'.
    const listed = options.webhookLimits && options.webhookLimits.size > 0 ? options.webhookLimits : undefined;
    const bounded = listed !== undefined || options.perWebhookLimit !== undefined;
    const params: unknown[] = [now, excluded, limit, options.owner, now + options.leaseMs];
    if (bounded) params.push(options.perWebhookLimit === undefined ? null : Math.floor(options.perWebhookLimit), listed ? [...listed.keys()] : [], listed ? [...listed.values()].map(Math.floor) : []);
    const result = await c.query<Row>('claiming requests', this.claimTexts[(excluded.length > 0 ? 1 : 0) + (bounded ? 2 : 0)]!, params, c.bookkeeping);
    return result.rows.sort(byDue).map(toRequest);
  }

  async complete(id: string, owner: string): Promise<boolean> {
    const { c } = this;
    const result = await c.query(`completing request ${id}`, `DELETE FROM ${c.s}.requests WHERE id = $1 AND state = 'inflight' AND lease_owner = $2`, [id, owner], c.bookkeeping);
    return result.rowCount === 1;
  }

  async completeMany(ids: readonly string[], owner: string): Promise<string[]> {
    if (ids.length === 0) return [];
    const { c } = this;
    // A connection the server ended while it sat idle in the pool (pg_terminate_backend of the
    // app's sessions, a restart or failover) is handed out until the pool has read its end, and the
    // DELETE sent on it ran nowhere: it is made again on another, at most once per connection the
    // pool holds (the last try on a new one). Before, the completion failed, and each delivered
    // request stayed leased until its lease ran out and was sent again. Safe to repeat: it deletes
    // only what this owner still holds (a first try that committed with its answer lost, which a
    // FATAL 57P01 does not leave, would read as a lost lease, not as a second delivery).
    const tries = (c.bookkeeping.options.max ?? 10) + 1;
    for (let tried = 1; ; tried++) {
      try {
        const result = await c.query<{ id: string }>(
          `completing ${ids.length} request(s)`,
          `DELETE FROM ${c.s}.requests WHERE id = ANY($1::text[]) AND state = 'inflight' AND lease_owner = $2 RETURNING id`,
          [ids, owner],
          c.bookkeeping,
        );
        return result.rows.map((row) => row.id);
      } catch (error) {
        if (tried >= tries || !endedUnheard(error)) throw error;
      }
    }
  }

  /**
   * completeMany and the batch's delivery log entries in one statement (the INSERT a data-modifying
   * WITH, run to completion whatever the DELETE finds): one round trip per batch of delivered
   * requests instead of two. All or none; the entries are written whether or not each lease was
   * still held (the attempt was made either way).
   *
   * The calls of a short window ({@link COMPLETION_WINDOW_MS}) go together in one statement, one
   * statement at a time (those that come while one is in flight wait for it), as a group commit
   * does: each statement is a round trip whose socket write alone costs this process more CPU
   * than the rest of a completion, and responses arrive one by one, each in its own turn, so the
   * core's per-turn batches are mostly of one. Only a completion waits; the delivery has arrived.
   */
  completeAndLog(ids: readonly string[], owner: string, entries: readonly DeliveryLogEntry[]): Promise<string[]> {
    if (entries.length === 0) return this.completeMany(ids, owner);
    return new Promise<string[]>((resolve, reject) => {
      if (this.completions.length === 0) this.completionsSince = performance.now();
      this.completions.push({ ids, owner, entries, resolve, reject });
      if (this.completionsWriting === undefined) this.scheduleCompletions();
    });
  }

  /** Writes the waiting completions when the first of them has waited the window (at once if it has). */
  private scheduleCompletions(): void {
    if (this.completionTimer !== undefined || this.completions.length === 0) return;
    const wait = this.completionsSince + COMPLETION_WINDOW_MS - performance.now();
    this.completionTimer = setTimeout(() => this.flushCompletions(), Math.max(0, wait));
  }

  /** Writes every waiting completeAndLog in one statement; those that come meanwhile wait for it, and their window. */
  private flushCompletions(): void {
    clearTimeout(this.completionTimer);
    this.completionTimer = undefined;
    const batch = this.completions;
    this.completions = [];
    if (batch.length === 0) return;
    const settle = (w: WaitingCompletion, completed: Set<string>) => w.resolve(w.ids.filter((id) => completed.has(id)));
    const writing = this.writeCompletions(batch).then(
      (completed) => {
        for (const w of batch) settle(w, completed);
      },
      async (error: unknown) => {
        // All or none: in a batch of several, one call's entry may be the cause, so each goes
        // again alone and only the one at fault fails.
        if (batch.length === 1) return batch[0]!.reject(error);
        await Promise.all(batch.map((w) => this.writeCompletions([w]).then((completed) => settle(w, completed), w.reject)));
      },
    );
    this.completionsWriting = writing;
    void writing.then(() => {
      this.completionsWriting = undefined;
      this.scheduleCompletions();
    });
  }

  /** Writes the waiting completions now and waits for them (the store calls it on close). */
  private async settleCompletions(): Promise<void> {
    while (this.completionsWriting !== undefined || this.completions.length > 0) {
      if (this.completionsWriting === undefined) this.flushCompletions();
      await this.completionsWriting;
    }
  }

  private async writeCompletions(batch: readonly WaitingCompletion[]): Promise<Set<string>> {
    const { c } = this;
    const entries = batch.length === 1 ? batch[0]!.entries : batch.flatMap((w) => w.entries);
    const ids = batch.flatMap((w) => w.ids);
    const owners = batch.flatMap((w) => w.ids.map(() => w.owner));
    const result = await c.query<{ id: string }>(
      `completing ${ids.length} request(s) with ${entries.length} delivery log entr${entries.length === 1 ? 'y' : 'ies'}`,
      `WITH logged AS (${insertLogEntries(c.s, 3)})
       DELETE FROM ${c.s}.requests AS r USING unnest($1::text[], $2::text[]) AS done(id, owner)
       WHERE r.id = done.id AND r.state = 'inflight' AND r.lease_owner = done.owner RETURNING r.id`,
      [ids, owners, ...logEntryColumns(entries)],
      c.bookkeeping,
    );
    return new Set(result.rows.map((row) => row.id));
  }

  async reschedule(id: string, owner: string, update: { dueAt: Date; attempts: number; lastError?: string }): Promise<boolean> {
    const { c } = this;
    const result = await c.query(
      `rescheduling request ${id}`,
      `UPDATE ${c.s}.requests SET state = 'pending', due_at = $1, retry_count = $2, last_error = $3, lease_owner = NULL, lease_expires_at = NULL WHERE id = $4 AND state = 'inflight' AND lease_owner = $5`,
      [update.dueAt.getTime(), update.attempts, clean(update.lastError), id, owner],
      c.bookkeeping,
    );
    return result.rowCount === 1;
  }

  async deadLetter(id: string, owner: string, update: { attempts: number; lastError?: string; now: Date }): Promise<boolean> {
    const { c } = this;
    const result = await c.query(
      `dead-lettering request ${id}`,
      `UPDATE ${c.s}.requests SET state = 'dead', dead_at = $1, retry_count = $2, last_error = $3, lease_owner = NULL, lease_expires_at = NULL WHERE id = $4 AND state = 'inflight' AND lease_owner = $5`,
      [update.now.getTime(), update.attempts, clean(update.lastError), id, owner],
      c.bookkeeping,
    );
    return result.rowCount === 1;
  }

  async renew(owner: string, ids: readonly string[], leaseMs: number, now: Date): Promise<string[]> {
    if (ids.length === 0) return [];
    const { c } = this;
    const result = await c.query<{ id: string }>(
      `renewing ${ids.length} lease(s)`,
      `UPDATE ${c.s}.requests SET lease_expires_at = $1 WHERE id = ANY($2::text[]) AND state = 'inflight' AND lease_owner = $3 RETURNING id`,
      [now.getTime() + leaseMs, ids, owner],
      c.bookkeeping,
    );
    return result.rows.map((row) => row.id);
  }

  async release(owner: string, ids?: readonly string[]): Promise<number> {
    if (ids && ids.length === 0) return 0;
    const { c } = this;
    // Claimable at once by the other processes, which may be idle until their sweep: the NOTIFY
    // (sent at the commit, only when something was released, as an enqueue's) wakes them. Its
    // payload is this queue's, so this process's own dispatcher (which gave them back) is not woken.
    const result = await c.query<{ released: number }>(
      `releasing the claims of ${owner}`,
      `WITH released AS (
         UPDATE ${c.s}.requests SET state = 'pending', lease_owner = NULL, lease_expires_at = NULL WHERE state = 'inflight' AND lease_owner = $1 AND ($2::text[] IS NULL OR id = ANY($2::text[])) RETURNING 1
       ) SELECT (SELECT count(*) FROM released)::int AS released, (SELECT count(pg_notify($3, $4)) FROM (SELECT 1 FROM released LIMIT 1) AS any_released) AS notified`,
      [owner, ids ? [...ids] : null, c.channel, this.instance],
      c.bookkeeping,
    );
    return result.rows[0]?.released ?? 0;
  }

  async redeliver(selector: RedeliverSelector, now: Date): Promise<string[]> {
    if ((selector.ids && selector.ids.length === 0) || (selector.webhookKeys && selector.webhookKeys.length === 0)) return [];
    const { c } = this;
    const result = await c.query<{ id: string }>(
      'redelivering dead letters',
      `UPDATE ${c.s}.requests SET state = 'pending', due_at = $1, retry_count = 0, dead_at = NULL
       WHERE state = 'dead' AND ($2::text[] IS NULL OR id = ANY($2::text[])) AND ($3::text IS NULL OR webhook_key = $3) AND ($4::bigint IS NULL OR dead_at >= $4)
         AND ($5::text[] IS NULL OR webhook_key = ANY($5::text[])) AND ($6::bigint IS NULL OR dead_at <= $6)
       RETURNING id`,
      [now.getTime(), selector.ids ? [...selector.ids] : null, selector.webhookKey ?? null, selector.deadSince?.getTime() ?? null, selector.webhookKeys ? [...selector.webhookKeys] : null, selector.deadUntil?.getTime() ?? null],
    );
    if (result.rows.length > 0) await this.notify();
    return result.rows.map((row) => row.id);
  }

  async bringForward(webhookKey: string, now: Date): Promise<number> {
    const { c } = this;
    const result = await c.query(`bringing forward the requests of webhook ${webhookKey}`, `UPDATE ${c.s}.requests SET due_at = $1 WHERE webhook_key = $2 AND state = 'pending' AND due_at > $1`, [
      now.getTime(),
      webhookKey,
    ]);
    const moved = result.rowCount ?? 0;
    // Due now: the other processes' dispatchers may be asleep until the old due times.
    if (moved > 0) await this.notify();
    return moved;
  }

  async discard(webhookKey: string, publishedUpTo: Date, limit: number): Promise<WebhookRequest[]> {
    if (limit <= 0) return [];
    const { c } = this;
    const result = await c.query<Row>(`removing the queued requests of deleted webhook ${webhookKey}`, this.discardText(), [webhookKey, publishedUpTo.getTime(), Math.floor(limit)]);
    // RETURNING keeps no order: enqueue order, as the contract says.
    return result.rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map(toRequest);
  }

  /**
   * {@link discard} with each removed request's `dropped` log entry in the same transaction (the
   * DELETE, then the entries' INSERT): the entry remembers a keyed request's id, so a publish
   * made again at that moment — its webhook created again under the key by another process — is
   * skipped (an insert meeting the row waits for this transaction, and reads both in one snapshot,
   * see NOT_HELD). For a deletion: two statements, not one.
   */
  async discardAndLog(webhookKey: string, publishedUpTo: Date, limit: number, entryOf: (request: WebhookRequest) => DeliveryLogEntry): Promise<WebhookRequest[]> {
    if (limit <= 0) return [];
    const { c } = this;
    return c.transaction(`removing the queued requests of deleted webhook ${webhookKey}`, {}, async (query) => {
      const result = await query<Row>(this.discardText(), [webhookKey, publishedUpTo.getTime(), Math.floor(limit)]);
      const removed = result.rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map(toRequest);
      if (removed.length > 0) await query(insertLogEntries(c.s, 1), logEntryColumns(removed.map(entryOf)));
      return removed;
    });
  }

  /**
   * The discard's DELETE: a bounded batch (the caller repeats). Rows another process holds locked
   * (claiming them) are skipped: they are in flight, and their attempt drops them. The outer WHERE
   * repeats the state, as deleteDeadOlderThan's does: a row claimed after the subquery's snapshot
   * is kept.
   */
  private discardText(): string {
    const { c } = this;
    return `DELETE FROM ${c.s}.requests WHERE seq IN (
         SELECT seq FROM ${c.s}.requests WHERE webhook_key = $1 AND state IN ('pending', 'dead') AND created_at <= $2 ORDER BY seq LIMIT $3 FOR UPDATE SKIP LOCKED
       ) AND state IN ('pending', 'dead') RETURNING ${COLUMNS}`;
  }

  async queuedWebhookKeys(): Promise<string[]> {
    const { c } = this;
    // A loose scan of the index by (webhook, state): one seek per key, never the backlog behind it.
    const queued = "state IN ('pending', 'dead')";
    const result = await c.query<{ key: string }>(
      'listing the webhooks with queued requests',
      `WITH RECURSIVE k(key) AS (SELECT min(webhook_key) FROM ${c.s}.requests WHERE ${queued} UNION ALL SELECT (SELECT min(webhook_key) FROM ${c.s}.requests WHERE ${queued} AND webhook_key > k.key) FROM k WHERE k.key IS NOT NULL) SELECT key FROM k WHERE key IS NOT NULL`,
      [],
    );
    return result.rows.map((row) => row.key);
  }

  /** Pages by (dead_at, seq): a position's tie is the request's seq. */
  readonly pagesDeadByPosition = true;

  async listDead(query: DeadLetterListQuery = {}): Promise<PositionedPage<WebhookRequest>> {
    const { c } = this;
    const where = `state = 'dead' AND ($1::text IS NULL OR webhook_key = $1) AND ($4::bigint IS NULL OR dead_at >= $4) AND ($5::bigint IS NULL OR dead_at <= $5)`;
    // After a position: dead earlier, or at its time and queued earlier — the listing's own order.
    const after = query.afterPosition && [query.afterPosition.at, bigintPosition('deadLetters', query.afterPosition.tie)];
    const pageWhere = after ? `${where} AND (dead_at, seq) < ($6::bigint, $7::bigint)` : where;
    const limit = query.limit;
    // One statement, so the page and the total are of one snapshot; the total survives an empty page.
    // One row past the page says whether more follow.
    const result = await c.query<Row & { total: string; seq: string | null }>(
      'listing dead letters',
      `WITH total AS (SELECT count(*) AS total FROM ${c.s}.requests WHERE ${where})
       SELECT total.total, page.* FROM total LEFT JOIN LATERAL (
         SELECT ${COLUMNS} FROM ${c.s}.requests WHERE ${pageWhere} ORDER BY dead_at DESC, seq DESC LIMIT $2 OFFSET $3
       ) AS page ON true`,
      [query.webhookKey ?? null, limit === undefined ? null : limit + 1, query.offset ?? 0, query.deadSince?.getTime() ?? null, query.deadUntil?.getTime() ?? null, ...(after ?? [])],
    );
    const total = Number(result.rows[0]?.total ?? 0);
    const rows = result.rows.filter((row) => row.seq !== null);
    const more = limit !== undefined && rows.length > limit;
    if (more) rows.length = limit;
    const last = rows[rows.length - 1];
    const items = rows.map(toRequest);
    return more && last ? { items, total, nextPosition: { at: Number(last.dead_at), tie: String(last.seq) } } : { items, total };
  }

  async get(id: string): Promise<WebhookRequest | undefined> {
    const { c } = this;
    const result = await c.query<Row>(`reading request ${id}`, `SELECT ${COLUMNS} FROM ${c.s}.requests WHERE id = $1`, [id]);
    const row = result.rows[0];
    return row && toRequest(row);
  }

  async counts(query: { webhookKey?: string } = {}): Promise<QueueCounts> {
    const { c } = this;
    if (query.webhookKey !== undefined) {
      const result = await c.query<{ state: RequestState; n: string }>(`counting the requests of webhook ${query.webhookKey}`, `SELECT state, count(*) AS n FROM ${c.s}.requests WHERE webhook_key = $1 GROUP BY state`, [
        query.webhookKey,
      ]);
      const of = (state: RequestState) => Number(result.rows.find((r) => r.state === state)?.n ?? 0);
      return {
        pending: of('pending'),
        inFlight: of('inflight'),
        dead: of('dead'),
      };
    }
    // Each count reads its own partial index; one statement, so the three are of one snapshot.
    const result = await c.query<{
      pending: string;
      inflight: string;
      dead: string;
    }>(
      'counting requests',
      // Pending in two halves, each on its partial index (plain by due time; FIFO by line): since
      // migration 5 no index holds every pending request, and a bare state = 'pending' scanned the
      // webhook index, dead letters included (301 buffers against 23 with 200,000 dead letters).
      `SELECT (SELECT count(*) FROM ${c.s}.requests WHERE state = 'pending' AND fifo IS NULL) + (SELECT count(*) FROM ${c.s}.requests WHERE state = 'pending' AND ${inLine()}) AS pending,
              (SELECT count(*) FROM ${c.s}.requests WHERE state = 'inflight') AS inflight,
              (SELECT count(*) FROM ${c.s}.requests WHERE state = 'dead') AS dead`,
    );
    const row = result.rows[0]!;
    return {
      pending: Number(row.pending),
      inFlight: Number(row.inflight),
      dead: Number(row.dead),
    };
  }

  async nextDueAt(): Promise<Date | undefined> {
    const { c } = this;
    const result = await c.query<{ at: string | null }>('finding the next due request', this.nextDueText);
    const at = result.rows[0]?.at;
    return at == null ? undefined : new Date(Number(at));
  }

  async oldestPendingCreatedAt(): Promise<Date | undefined> {
    const { c } = this;
    const result = await c.query<{ at: string | null }>('finding the oldest pending request', `SELECT min(created_at) AS at FROM ${c.s}.requests WHERE state = 'pending'`);
    const at = result.rows[0]?.at;
    return at == null ? undefined : new Date(Number(at));
  }

  async deleteDeadOlderThan(before: Date, limit: number): Promise<number> {
    if (limit <= 0) return 0;
    const { c } = this;
    // A bounded batch: the caller repeats, so no delete holds its locks for long. The outer
    // WHERE repeats the state: a row a redelivery changed after the subquery's snapshot is
    // checked again as committed (READ COMMITTED re-reads a row it waited for), and kept; the
    // subquery alone would delete it while pending.
    const result = await c.query(
      'deleting old dead letters',
      `DELETE FROM ${c.s}.requests WHERE seq IN (SELECT seq FROM ${c.s}.requests WHERE state = 'dead' AND dead_at < $1 ORDER BY dead_at, seq LIMIT $2) AND state = 'dead' AND dead_at < $1`,
      [before.getTime(), Math.floor(limit)],
      c.bookkeeping,
    );
    return result.rowCount ?? 0;
  }

  /**
   * Calls `listener` when any process enqueues into this schema (LISTEN/NOTIFY, sent when the
   * enqueue commits), and when this process does. The LISTEN connection reconnects by itself; the
   * dispatcher's `period` sweep covers what a reconnect missed (and a reconnect wakes too).
   */
  watch(listener: () => void): () => void {
    this.listeners.add(listener);
    this.unlisten ??= this.listener.subscribe((payload) => {
      if (payload !== this.instance && payload !== WEBHOOKS_CHANGED && payload !== HEALTH_CHANGED) this.wakeWatchers();
      if (payload === undefined) this.commits.lookNow();
      else if (payload.startsWith(this.hostPayload)) this.commits.committed(payload.slice(this.hostPayload.length));
    });
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopWatching();
    };
  }

  /** Stops watching (the store calls it on close). */
  stopWatching(): void {
    this.unlisten?.();
    this.unlisten = undefined;
    this.listeners.clear();
  }

  private wakeWatchers(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // A listener's failure must not stop the others.
      }
    }
  }

  /** Wakes every process's dispatcher (redelivered requests are due now). */
  private async notify(): Promise<void> {
    try {
      await this.c.query('waking the dispatchers', 'SELECT pg_notify($1, $2)', [this.c.channel, '']);
    } catch {
      // The requests are stored; the dispatchers' sweep finds them. Nothing to fail for.
    }
    this.wakeWatchers();
  }
}
