import {
  HookworkError,
  claimBoundCounter,
  leasedRequest,
  positionSequence,
  restoreTraceContext,
  storedTraceContext,
  type ClaimOptions,
  type DeadLetterListQuery,
  type DeliveryLogEntry,
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
import type { SqliteConnection } from './sqlite-connection';
import { writeLogRows } from './sqlite-delivery-log';

/**
 * A request row as an array in {@link COLUMNS} order: selected in better-sqlite3's raw mode, which
 * on Node 20 costs far less than a row object (built one property at a time).
 */
type Row = [
  seq: number,
  id: string,
  webhookKey: string,
  eventAlias: string,
  body: string,
  createdAt: number,
  dueAt: number,
  state: RequestState,
  retryCount: number,
  lastError: string | null,
  leaseOwner: string | null,
  leaseExpiresAt: number | null,
  deadAt: number | null,
  fifo: 'skip' | 'block' | null,
  traceparent: string | null,
];

const COLUMNS = 'seq, id, webhook_key, event_alias, body, created_at, due_at, state, retry_count, last_error, lease_owner, lease_expires_at, dead_at, fifo, traceparent';

/** An enqueue's insert: an id already stored (pending, in flight or dead) is skipped, the stored row left as it is. */
const INSERT_NEW =
  'INSERT INTO hookwork_requests (id, webhook_key, event_alias, body, created_at, due_at, state, retry_count, lease_owner, lease_expires_at, fifo, traceparent) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING';

/**
 * {@link INSERT_NEW} for an idempotent enqueue (ids derived from an idempotency key): an id the
 * delivery log has an entry of — delivered, dropped, or dead and deleted since — is skipped too,
 * for as long as the log keeps it (keepLogsForDays). One seek of the log's request index.
 */
const INSERT_UNSEEN =
  'INSERT INTO hookwork_requests (id, webhook_key, event_alias, body, created_at, due_at, state, retry_count, lease_owner, lease_expires_at, fifo, traceparent) SELECT ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM hookwork_delivery_log WHERE request_id = ?) ON CONFLICT (id) DO NOTHING';

/** One request by id. */
const SELECT_BY_ID = `SELECT ${COLUMNS} FROM hookwork_requests WHERE id = ?`;

/** Claim order: due time, then enqueue order. */
const byDue = (a: Row, b: Row) => a[6] - b[6] || a[0] - b[0];

/**
 * A request a claim may take, before the per-webhook bounds pick from them: only what picking
 * needs. Reading whole rows (15 values, the body among them) for every candidate cost more than
 * the claim's writes when a webhook at its bound kept one or two of a batch of 48.
 */
type Candidate = [seq: number, webhookKey: string, dueAt: number];

/** The columns of a {@link Candidate}. */
const CANDIDATE = 'seq, webhook_key, due_at';

/** {@link CANDIDATE} of the table aliased `r`. */
const R_CANDIDATE = CANDIDATE.split(', ').map((column) => `r.${column}`).join(', ');

/** Claim order of candidates. */
const candidateByDue = (a: Candidate, b: Candidate) => a[2] - b[2] || a[0] - b[0];

function toRequest([, id, webhookKey, eventAlias, body, createdAt, dueAt, state, attempts, lastError, leaseOwner, leaseExpiresAt, deadAt, fifo, traceparent]: Row): WebhookRequest {
  const request: WebhookRequest = { id, webhookKey, eventAlias, body, createdAt: new Date(createdAt), dueAt: new Date(dueAt), state, attempts };
  if (lastError !== null) request.lastError = lastError;
  if (leaseOwner !== null) request.leaseOwner = leaseOwner;
  if (leaseExpiresAt !== null) request.leaseExpiresAt = new Date(leaseExpiresAt);
  if (deadAt !== null) request.deadAt = new Date(deadAt);
  if (fifo !== null) request.fifo = fifo;
  // The traceparent column holds the tracestate too (storedTraceContext): no migration.
  restoreTraceContext(request, traceparent);
  return request;
}

/**
 * A claim's LIMIT. A bound `LIMIT @limit` made SQLite prepare the statement again at every run
 * (its planner reads the bound value, so each new binding expires the plan): 20–50 µs a claim.
 */
const LIMIT = 'CAST(@limit AS INTEGER)';

/** How many webhooks with plain pending requests a claim that excludes webhooks steps through before it reads the due front (see dueAround()). */
const KEYS_STEPPED = 32;

/** How many requests of the due front such a claim reads before it steps through the rest of the webhooks. */
const FRONT_READ = 128;

/** How long hasLines() keeps its answer, ms. */
const LINES_RECHECK_MS = 100;

/** A FIFO request holds its webhook's line while pending or in flight, or dead with `block`. */
const IN_LINE = "fifo IS NOT NULL AND (state != 'dead' OR fifo = 'block')";

/**
 * The head of each FIFO line (the smallest seq of the line), found by seeking the line index
 * once per webhook that has a line (a loose index scan), never by reading the backlog behind.
 */
const LINE_HEADS = `WITH RECURSIVE lines(key) AS (
    SELECT min(webhook_key) FROM hookwork_requests WHERE ${IN_LINE}
    UNION ALL
    SELECT (SELECT min(webhook_key) FROM hookwork_requests WHERE ${IN_LINE} AND webhook_key > lines.key) FROM lines WHERE lines.key IS NOT NULL
  ),
  heads(seq) AS (SELECT (SELECT min(seq) FROM hookwork_requests WHERE ${IN_LINE} AND webhook_key = lines.key) FROM lines WHERE lines.key IS NOT NULL)`;

/** No other request of r's line is out under a live lease. */
const LINE_FREE = `NOT EXISTS (SELECT 1 FROM hookwork_requests i WHERE i.webhook_key = r.webhook_key AND i.fifo IS NOT NULL AND i.state = 'inflight' AND i.lease_expires_at > @now AND i.seq != r.seq)`;

/** r (a FIFO request) heads its line. */
const IS_HEAD = `r.seq = (SELECT min(o.seq) FROM hookwork_requests o WHERE o.webhook_key = r.webhook_key AND o.fifo IS NOT NULL AND (o.state != 'dead' OR o.fifo = 'block'))`;

/** Leaves out the webhooks of `@excluded` (a JSON list, or NULL for none). */
const NOT_EXCLUDED = 'AND (@excluded IS NULL OR webhook_key NOT IN (SELECT value FROM json_each(@excluded)))';

// A claim's statements, built once: a template literal in the call built (and hashed for the
// statement cache) some 1,500 characters of SQL at every claim.

/** A claim's due plain requests when no webhook is left out. */
const CLAIM_DUE = `SELECT ${CANDIDATE} FROM hookwork_requests WHERE state = 'pending' AND fifo IS NULL AND due_at <= @now ORDER BY due_at, seq LIMIT ${LIMIT}`;

/** A claim's requests whose lease expired (a FIFO one only at its line's head, with nothing of its line out). */
const CLAIM_EXPIRED = `SELECT ${CANDIDATE} FROM hookwork_requests r WHERE state = 'inflight' AND lease_expires_at <= @now ${NOT_EXCLUDED} AND (r.fifo IS NULL OR (${IS_HEAD} AND ${LINE_FREE})) ORDER BY due_at, seq LIMIT ${LIMIT}`;

/** A claim's FIFO line heads that are due and free. */
const CLAIM_HEADS = `${LINE_HEADS} SELECT ${R_CANDIDATE} FROM heads JOIN hookwork_requests r ON r.seq = heads.seq WHERE r.state = 'pending' AND r.due_at <= @now ${NOT_EXCLUDED.replace('webhook_key', 'r.webhook_key')} AND ${LINE_FREE} ORDER BY r.due_at, r.seq LIMIT ${LIMIT}`;

/** Leases the chosen requests (by seq) and returns them as they now are. */
const CLAIM_LEASE = `UPDATE hookwork_requests SET state = 'inflight', lease_owner = ?, lease_expires_at = ? WHERE seq IN (SELECT value FROM json_each(?)) RETURNING ${COLUMNS}`;

/** One webhook's due plain requests, in claim order, on the pending-by-webhook index. */
const WEBHOOK_DUE = `SELECT ${CANDIDATE} FROM hookwork_requests WHERE webhook_key = @key AND state = 'pending' AND fifo IS NULL AND due_at <= @now ORDER BY due_at, seq LIMIT ${LIMIT}`;

/** The due front of the plain pending requests, up to {@link FRONT_READ}. */
const DUE_FRONT = `SELECT ${CANDIDATE} FROM hookwork_requests WHERE state = 'pending' AND fifo IS NULL AND due_at <= @now ORDER BY due_at, seq LIMIT ${FRONT_READ}`;

/**
 * bringForward(): a webhook's plain pending requests on the pending-by-webhook index, its FIFO ones
 * on the by-webhook index, which holds no plain pending request (schema 9).
 */
const BRING_FORWARD = ['NULL', 'NOT NULL'].map((fifo) => `UPDATE hookwork_requests SET due_at = @now WHERE webhook_key = @webhookKey AND state = 'pending' AND fifo IS ${fifo} AND due_at > @now`);

/**
 * A deleted webhook's next `@limit` pending and dead requests published up to `@cut`, oldest
 * enqueued first, removed and returned. No index holds them all since schema 9: the first `@limit`
 * by seq of its plain pending requests (pending-by-webhook index) and of its dead and FIFO ones
 * (by-webhook index) are merged. The pending-by-webhook index is in due order, so each batch sorts
 * the webhook's whole plain backlog there (its entries only, not the rows: 7 ms at 100,000; the
 * schema-8 index held them in seq order, 0.2 ms) — once per batch of a deletion, kept rather than
 * another index every pending request would be written into.
 */
const DISCARD = `DELETE FROM hookwork_requests WHERE seq IN (
    SELECT seq FROM (SELECT seq FROM hookwork_requests WHERE webhook_key = @webhookKey AND state = 'pending' AND fifo IS NULL AND created_at <= @cut ORDER BY seq LIMIT @limit)
    UNION ALL
    SELECT seq FROM (SELECT seq FROM hookwork_requests WHERE webhook_key = @webhookKey AND (state = 'dead' OR fifo IS NOT NULL) AND state IN ('pending', 'dead') AND created_at <= @cut ORDER BY seq LIMIT @limit)
    ORDER BY seq LIMIT @limit
  ) RETURNING ${COLUMNS}`;

/**
 * The keys of the webhooks with pending or dead requests, each once: a loose index scan of the
 * pending-by-webhook index (plain pending requests) and of the by-webhook index (dead letters and
 * FIFO requests, schema 9), one seek per key, as {@link LINE_HEADS} finds the lines.
 */
const QUEUED_KEYS = `WITH RECURSIVE
    plain(key) AS (
      SELECT min(webhook_key) FROM hookwork_requests WHERE state = 'pending' AND fifo IS NULL
      UNION ALL
      SELECT (SELECT min(webhook_key) FROM hookwork_requests WHERE state = 'pending' AND fifo IS NULL AND webhook_key > plain.key) FROM plain WHERE plain.key IS NOT NULL
    ),
    other(key) AS (
      SELECT min(webhook_key) FROM hookwork_requests WHERE (state = 'dead' OR fifo IS NOT NULL) AND state IN ('pending', 'dead')
      UNION ALL
      SELECT (SELECT min(webhook_key) FROM hookwork_requests WHERE (state = 'dead' OR fifo IS NOT NULL) AND state IN ('pending', 'dead') AND webhook_key > other.key) FROM other WHERE other.key IS NOT NULL
    )
  SELECT key FROM plain WHERE key IS NOT NULL UNION SELECT key FROM other WHERE key IS NOT NULL`;

/** JSON text of a list, for `IN (SELECT value FROM json_each(?))`: one prepared statement for any list length. */
const jsonList = (values: readonly string[] | undefined) => (values && values.length > 0 ? JSON.stringify(values) : null);

/**
 * The conditions and parameters that pick dead letters by webhook and time. Only the filters given
 * are in the statement, so SQLite seeks the index of each: `@webhookKey IS NULL OR webhook_key =
 * @webhookKey` kept it from seeking the webhook index, and one webhook's page and total read every
 * dead letter (4.4 ms for 20 of 20,000; 0.1 ms seeking).
 */

function deadWhere(filter: { webhookKey?: string; deadSince?: Date; deadUntil?: Date }): { where: string[]; params: Record<string, unknown> } {
  const where = ["state = 'dead'"];
  const params: Record<string, unknown> = {};
  if (filter.webhookKey !== undefined) {
    // `state = 'dead'` (above) lets SQLite seek the by-webhook index, which holds only dead letters and FIFO requests (schema 9).
    where.push('webhook_key = @webhookKey');
    params.webhookKey = filter.webhookKey;
  }
  if (filter.deadSince !== undefined) {
    where.push('dead_at >= @deadSince');
    params.deadSince = filter.deadSince.getTime();
  }
  if (filter.deadUntil !== undefined) {
    where.push('dead_at <= @deadUntil');
    params.deadUntil = filter.deadUntil.getTime();
  }
  return { where, params };
}

/**
 * The request queue in SQLite. Claims run in `BEGIN IMMEDIATE` transactions, so two processes
 * on one file never claim the same request; every change a lease holder makes checks, in the
 * same statement, that it still holds the lease.
 */
export class SqliteRequestQueue implements RequestQueue {
  /** Claims honour ClaimOptions.perWebhookLimit and webhookLimits. */
  readonly claimBounds = true;
  private readonly listeners = new Set<() => void>();
  private poller: NodeJS.Timeout | undefined;
  private dataVersion: unknown;
  private linesExist = false;
  private linesCheckedAt = -Infinity;

  constructor(
    private readonly connection: SqliteConnection,
    /** How often watch() looks for other connections' commits, ms. */
    private readonly watchIntervalMs = 250,
  ) {}

  async enqueue(requests: readonly NewWebhookRequest[], options?: EnqueueOptions<never>): Promise<EnqueueResult> {
    if (options?.transaction !== undefined) {
      // better-sqlite3 is synchronous: joining a host transaction held open across publish()'s
      // awaits would block this process's own dispatcher on the lock that transaction holds.
      throw new HookworkError(
        'HOOKWORK_ERR_INVALID_TRANSACTION',
        'the SQLite queue cannot enqueue inside a host transaction (better-sqlite3 is synchronous, and a transaction held open across publish() would lock out the dispatcher); publish after your own commit, or use a backend with transactional enqueue (PostgreSQL)',
      );
    }
    if (requests.length === 0) return { stored: [] };
    return this.store(requests, undefined, options?.shareCommit === true, options?.idempotent === true);
  }

  async enqueueClaimed(requests: readonly NewWebhookRequest[], claim: EnqueueClaim): Promise<EnqueueClaimedResult> {
    if (requests.length === 0) return { stored: [], claimed: [] };
    return this.store(requests, claim, claim.shareCommit === true, claim.idempotent === true);
  }

  /**
   * Inserts a batch, all or none; those of `claim.ids` in flight under its lease (never a FIFO
   * request). An id already stored is skipped (`ON CONFLICT DO NOTHING`), and with `idempotent` one
   * the delivery log has an entry of too, so a publish made again stores only what is missing; a
   * skipped request is not among the stored ids nor the claimed. With `share` (other publishes are under way) it waits
   * for the turn's group commit; else it commits at once (taking any waiting writes along): a lone
   * publisher never waits a turn.
   *
   * Every failure here is definite: SQLite runs in this process, and a write or commit that fails
   * is rolled back before the call returns (the savepoint, or the whole group's transaction), so
   * nothing of the batch is stored, and HOOKWORK_ERR_ENQUEUE_UNCERTAIN never comes from SQLite. The
   * one exception SQLite's design leaves is a failed fsync of a commit whose pages the OS did
   * write: those rows can come back when the file is next opened. A disk failing that way is the
   * machine's emergency, not a retry case.
   */
  private async store(requests: readonly NewWebhookRequest[], claim: EnqueueClaim | undefined, share: boolean, idempotent: boolean): Promise<EnqueueClaimedResult> {
    const c = this.connection;
    const claimIds = claim && new Set(claim.ids);
    const leaseExpiresAt = claim ? claim.now.getTime() + claim.leaseMs : null;
    const claimed: WebhookRequest[] = [];
    const storedIds: string[] = [];
    try {
      // Concurrent publishes of one event-loop turn share one transaction (see SqliteConnection):
      // this resolves once the commit holding these rows is done, and a failure stores none of them.
      const write = () => {
        // Run again whole when the file was locked (the try rolled back).
        claimed.length = 0;
        storedIds.length = 0;
        const insert = c.statement(idempotent ? INSERT_UNSEEN : INSERT_NEW);
        for (const r of requests) {
          const leased = claimIds?.has(r.id) === true && !r.fifo;
          const owner = leased ? claim!.owner : null;
          const expires = leased ? leaseExpiresAt : null;
          const state = leased ? 'inflight' : 'pending';
          // The idempotent insert takes the id once more, for its look at the delivery log.
          const stored = (
            idempotent
              ? insert.run(r.id, r.webhookKey, r.eventAlias, r.body, r.createdAt.getTime(), r.dueAt.getTime(), state, owner, expires, r.fifo ?? null, storedTraceContext(r), r.id)
              : insert.run(r.id, r.webhookKey, r.eventAlias, r.body, r.createdAt.getTime(), r.dueAt.getTime(), state, owner, expires, r.fifo ?? null, storedTraceContext(r))
          ).changes === 1;
          if (!stored) continue;
          storedIds.push(r.id);
          if (leased) claimed.push(leasedRequest(r, claim!.owner, leaseExpiresAt!));
        }
      };
      const doing = `enqueueing ${requests.length} request(s)`;
      const shape = requests.length === 1 ? 'one statement' : 'statements';
      if (share) await c.writeGrouped(doing, write, shape);
      else await c.write(doing, write, shape);
      if (requests.some((r) => r.fifo)) this.linesExist = true;
    } catch (error) {
      throw new HookworkError('HOOKWORK_ERR_ENQUEUE_FAILED', `could not store ${requests.length} request(s) in ${c.file}, and SQLite rolled the write back: nothing of them was stored (${(error as Error).message}); publishing again is safe`, { cause: error });
    }
    return { stored: storedIds, claimed };
  }

  async claim(options: ClaimOptions): Promise<WebhookRequest[]> {
    const c = this.connection;
    const now = options.now.getTime();
    const limit = Math.max(0, Math.floor(options.limit));
    if (limit === 0) return [];
    const excluded = jsonList(options.excludeWebhookKeys);
    return c.write('claiming requests', () => {
      // Claimed rows may be other processes' (enqueued after they changed a webhook): the data version is read afresh after.
      c.forgetDataVersion();
      const expired = c.statement(CLAIM_EXPIRED, 'raw').all({ now, excluded, limit }) as Candidate[];
      const heads = this.hasLines() ? (c.statement(CLAIM_HEADS, 'raw').all({ now, excluded, limit }) as Candidate[]) : [];
      // With per-webhook bounds and only plain due requests to choose from, the due front is read
      // up to its first request past its webhook's bound (see pick()); if that falls short where
      // reading the whole batch might not, the whole batch is read after all.
      const probe = !options.excludeWebhookKeys?.length && expired.length === 0 && heads.length === 0 ? claimBoundCounter(options) : undefined;
      const chosen = (probe && this.pick(options, now, limit, expired, heads, probe)) || this.pick(options, now, limit, expired, heads)!;
      if (chosen.length === 0) return [];
      const leaseExpiresAt = now + options.leaseMs;
      // One statement for the batch, which returns the leased rows as they now are (RETURNING keeps no order: claim order).
      const rows = c
        .statement(CLAIM_LEASE, 'raw')
        .all(options.owner, leaseExpiresAt, JSON.stringify(chosen.map((row) => row[0]))) as Row[];
      return rows.sort(byDue).map(toRequest);
    });
  }

  /**
   * The requests a claim leases, in claim order: candidates as (seq, webhook key, due time) only —
   * the per-webhook bounds usually keep a few of a batch read, and the chosen rows' columns come
   * back from the UPDATE that leases them. Per-webhook bounds apply in claim order: the rows past a
   * webhook's bound are left pending, and the rest of the batch is looked for past the webhooks at
   * their bound (a short batch must say that nothing else is due), on the pending-by-webhook index
   * as for excluded webhooks.
   *
   * `front` (a fresh bound counter): the due front is read only up to its first request past its
   * webhook's bound, not a whole batch — with one webhook a slot or two from its bound and a
   * backlog, a claim read 48 rows to keep one or two (13 KiB of rows per claim). Returns undefined
   * when that answer may be shorter than a whole batch's would be: the look past the capped
   * webhooks came back full.
   */
  private pick(options: ClaimOptions, now: number, limit: number, expired: Candidate[], heads: Candidate[], front?: (webhookKey: string) => boolean): Candidate[] | undefined {
    const c = this.connection;
    let due: Candidate[];
    if (options.excludeWebhookKeys?.length) due = this.dueAround(new Set(options.excludeWebhookKeys), now, limit);
    else if (front) {
      due = [];
      for (const row of c.statement(CLAIM_DUE, 'raw').iterate({ now, limit }) as IterableIterator<Candidate>) {
        due.push(row);
        if (!front(row[1])) break; // closes the statement's run
      }
    } else due = c.statement(CLAIM_DUE, 'raw').all({ now, limit }) as Candidate[];
    const chosen = expired.length === 0 && heads.length === 0 ? due : [...due, ...expired, ...heads].sort(candidateByDue).slice(0, limit);
    const fits = claimBoundCounter(options);
    if (!fits) return chosen;
    const capped = new Set(options.excludeWebhookKeys);
    const kept = chosen.filter((row) => fits(row[1]) || (capped.add(row[1]), false));
    if (kept.length === chosen.length || kept.length === limit) return kept;
    const taken = new Set(kept.map((row) => row[0]));
    const around = this.dueAround(capped, now, limit);
    const picked = [...kept, ...around.filter((row) => !taken.has(row[0]) && fits(row[1]))].sort(candidateByDue).slice(0, limit);
    // A short answer from a full look past the capped webhooks: the part of the front not read might have capped more of them.
    return front && picked.length < limit && around.length === limit ? undefined : picked;
  }

  /**
   * Whether any FIFO line exists, so stores without FIFO webhooks skip the line queries. Claims and
   * nextDueAt run about once per publish when traffic is light, so the answer is kept for
   * {@link LINES_RECHECK_MS}; an enqueue of FIFO requests in this process sets it at once, and a
   * line another process starts is seen within that time (its head is claimed that much later,
   * never out of order).
   */
  private hasLines(): boolean {
    const now = performance.now();
    if (now - this.linesCheckedAt < LINES_RECHECK_MS) return this.linesExist;
    this.linesExist = this.connection.statement(`SELECT 1 FROM hookwork_requests WHERE ${IN_LINE} LIMIT 1`).get() !== undefined;
    this.linesCheckedAt = now;
    return this.linesExist;
  }

  /**
   * The first `limit` due plain requests outside `excluded`, in claim order. The pending index is in
   * due order, so skipping the excluded webhooks' requests means reading past them: a claim read a
   * webhook's whole backlog while it sat at its limit (8.7 ms a claim behind 100,000 of them, against
   * 0.16 ms behind 1,000). So the others' requests are found webhook by webhook in the
   * pending-by-webhook index, stepping over each excluded webhook with one seek; past
   * {@link KEYS_STEPPED} webhooks the due front is read first, up to {@link FRONT_READ} requests.
   * (Reading the front at every claim, 128 rows, cost 4 % of a delivery's CPU in the one-webhook
   * bench, whose claims all exclude the webhook at its limit; two seeks answer that case.)
   */
  private dueAround(excluded: ReadonlySet<string>, now: number, limit: number): Candidate[] {
    const c = this.connection;
    const next = c.statement("SELECT min(webhook_key) FROM hookwork_requests WHERE state = 'pending' AND fifo IS NULL AND webhook_key > ?", 'pluck');
    const heads = c.statement(WEBHOOK_DUE, 'raw');
    const found: Candidate[] = [];
    const take = (key: string) => {
      if (!excluded.has(key)) for (const head of heads.all({ key, now, limit }) as Candidate[]) found.push(head);
    };
    // The webhooks with plain pending requests, one seek each: with a few (the usual case, and
    // the case of one webhook at its limit with nothing else waiting) that is the whole answer.
    let key = c.statement("SELECT min(webhook_key) FROM hookwork_requests WHERE state = 'pending' AND fifo IS NULL", 'pluck').get() as string | null;
    for (let stepped = 0; key !== null && stepped < KEYS_STEPPED; stepped++, key = next.get(key) as string | null) take(key);
    if (key !== null) {
      // More webhooks than that: the due front may hold the answer (its first `limit` outside
      // `excluded`), read up to FRONT_READ requests; else the rest of the webhooks one by one.
      const front = c.statement(DUE_FRONT, 'raw').all({ now }) as Candidate[];
      const outside: Candidate[] = [];
      for (const row of front) if (!excluded.has(row[1]) && outside.push(row) === limit) break;
      if (outside.length === limit || front.length < FRONT_READ) return outside;
      for (; key !== null; key = next.get(key) as string | null) take(key);
    }
    return found.sort(candidateByDue).slice(0, limit);
  }

  async complete(id: string, owner: string): Promise<boolean> {
    const c = this.connection;
    return c.writeGrouped(`completing request ${id}`, () => c.statement("DELETE FROM hookwork_requests WHERE id = ? AND state = 'inflight' AND lease_owner = ?").run(id, owner).changes === 1, 'one statement');
  }

  async completeMany(ids: readonly string[], owner: string): Promise<string[]> {
    if (ids.length === 0) return [];
    const c = this.connection;
    // One statement for the lot, in the turn's shared transaction: a commit per delivered request was a large share of a delivery's cost.
    return (await c.writeGrouped(`completing ${ids.length} request(s)`, () =>
      this.deleteHeld(ids, owner),
      'one statement',
    )) as string[];
  }

  /**
   * completeMany and the batch's delivery log entries in one write of the turn's shared
   * transaction: a delivered request leaves the queue only with the log entry that remembers it,
   * so an idempotent publish made again at that moment — from this process or another on the
   * file — is skipped. Written apart (the log gathers its appends for LOG_APPEND_WINDOW_MS,
   * 30 ms), a publish made again within that time found neither, stored the request again and sent
   * it twice. The entries are written whether or not each lease was still held (the attempt was
   * made either way). Core hands it only keyed requests' entries ({@link logsWithCompletion}).
   */
  async completeAndLog(ids: readonly string[], owner: string, entries: readonly DeliveryLogEntry[]): Promise<string[]> {
    const c = this.connection;
    return (await c.writeGrouped(
      `completing ${ids.length} request(s) with ${entries.length} delivery log entr${entries.length === 1 ? 'y' : 'ies'}`,
      () => {
        writeLogRows(c, entries);
        return ids.length === 0 ? [] : this.deleteHeld(ids, owner);
      },
      'statements',
    )) as string[];
  }

  /**
   * Asked by core for random ids only (a keyed request's entry always goes with its completion):
   * those keep the log's 30 ms gathering — written with each turn's completions at the
   * default per-webhook concurrency, the log rows cost about 15 % more CPU per delivery (peers
   * bench, SQLite with default settings: 461–489 → 555–568 µs).
   */
  logsWithCompletion(): boolean {
    return false;
  }

  /** Deletes those of `ids` that `owner` holds in flight, in the write it is called in; returns their ids. */
  private deleteHeld(ids: readonly string[], owner: string): string[] {
    return this.connection.statement("DELETE FROM hookwork_requests WHERE id IN (SELECT value FROM json_each(?)) AND state = 'inflight' AND lease_owner = ? RETURNING id", 'pluck').all(JSON.stringify(ids), owner) as string[];
  }

  async reschedule(id: string, owner: string, update: { dueAt: Date; attempts: number; lastError?: string }): Promise<boolean> {
    const c = this.connection;
    return c.writeGrouped(
      `rescheduling request ${id}`,
      () =>
        c
          .statement("UPDATE hookwork_requests SET state = 'pending', due_at = ?, retry_count = ?, last_error = ?, lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND state = 'inflight' AND lease_owner = ?")
          .run(update.dueAt.getTime(), update.attempts, update.lastError ?? null, id, owner).changes === 1,
      'one statement',
    );
  }

  async deadLetter(id: string, owner: string, update: { attempts: number; lastError?: string; now: Date }): Promise<boolean> {
    const c = this.connection;
    return c.writeGrouped(
      `dead-lettering request ${id}`,
      () =>
        c
          .statement("UPDATE hookwork_requests SET state = 'dead', dead_at = ?, retry_count = ?, last_error = ?, lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND state = 'inflight' AND lease_owner = ?")
          .run(update.now.getTime(), update.attempts, update.lastError ?? null, id, owner).changes === 1,
      'one statement',
    );
  }

  async renew(owner: string, ids: readonly string[], leaseMs: number, now: Date): Promise<string[]> {
    if (ids.length === 0) return [];
    const c = this.connection;
    // Now, ahead of the turn's waiting completions: the attempts of `ids` run until those commit,
    // and a renewal behind them would find their rows gone and report the leases lost.
    return c.writeAlone(
      `renewing ${ids.length} lease(s)`,
      () =>
        c
          .statement("UPDATE hookwork_requests SET lease_expires_at = ? WHERE id IN (SELECT value FROM json_each(?)) AND state = 'inflight' AND lease_owner = ? RETURNING id", 'pluck')
          .all(now.getTime() + leaseMs, JSON.stringify(ids), owner) as string[],
    );
  }

  async release(owner: string, ids?: readonly string[]): Promise<number> {
    if (ids && ids.length === 0) return 0;
    const c = this.connection;
    return c.write(
      `releasing the claims of ${owner}`,
      () =>
        c
          .statement("UPDATE hookwork_requests SET state = 'pending', lease_owner = NULL, lease_expires_at = NULL WHERE state = 'inflight' AND lease_owner = @owner AND (@ids IS NULL OR id IN (SELECT value FROM json_each(@ids)))")
          .run({ owner, ids: jsonList(ids) }).changes,
      'one statement',
    );
  }

  async redeliver(selector: RedeliverSelector, now: Date): Promise<string[]> {
    if ((selector.ids && selector.ids.length === 0) || (selector.webhookKeys && selector.webhookKeys.length === 0)) return [];
    const c = this.connection;
    // Only the parts of the selector given are in the statement (see deadWhere()): one id's
    // redelivery read every dead letter behind `@ids IS NULL OR id IN (…)`.
    const { where, params } = deadWhere(selector);
    if (selector.ids) {
      where.push('id IN (SELECT value FROM json_each(@ids))');
      params.ids = JSON.stringify(selector.ids);
    }
    if (selector.webhookKeys) {
      where.push('webhook_key IN (SELECT value FROM json_each(@webhookKeys))');
      params.webhookKeys = JSON.stringify(selector.webhookKeys);
    }
    const rows = await c.write(
      'redelivering dead letters',
      () => {
        c.forgetDataVersion(); // ids of rows other processes may have written
        return c.statement(`UPDATE hookwork_requests SET state = 'pending', due_at = @now, retry_count = 0, dead_at = NULL WHERE ${where.join(' AND ')} RETURNING id`).all({ ...params, now: now.getTime() }) as { id: string }[];
      },
      'one statement',
    );
    // A redelivered FIFO request may start a line again: look afresh at the next claim.
    if (rows.length > 0) this.linesCheckedAt = -Infinity;
    return rows.map((row) => row.id);
  }

  async bringForward(webhookKey: string, now: Date): Promise<number> {
    const c = this.connection;
    // Other processes on the file see the commit through watch() (the data version), as an enqueue.
    // Plain and FIFO requests apart, each on its index by webhook (schema 9): no index holds both.
    return c.write(
      `bringing forward the requests of webhook ${webhookKey}`,
      () => BRING_FORWARD.reduce((changes, sql) => changes + c.statement(sql).run({ webhookKey, now: now.getTime() }).changes, 0),
      'statements',
    );
  }

  async discard(webhookKey: string, publishedUpTo: Date, limit: number): Promise<WebhookRequest[]> {
    return this.discardLogging(webhookKey, publishedUpTo, limit, undefined);
  }

  /**
   * {@link discard} with each removed request's `dropped` log row in the same transaction: the
   * row remembers a keyed request's id, so a publish made again at that moment — from another
   * process on the file, its webhook created again under the key — is skipped.
   */
  async discardAndLog(webhookKey: string, publishedUpTo: Date, limit: number, entryOf: (request: WebhookRequest) => DeliveryLogEntry): Promise<WebhookRequest[]> {
    return this.discardLogging(webhookKey, publishedUpTo, limit, entryOf);
  }

  private async discardLogging(webhookKey: string, publishedUpTo: Date, limit: number, entryOf: ((request: WebhookRequest) => DeliveryLogEntry) | undefined): Promise<WebhookRequest[]> {
    if (limit <= 0) return [];
    const c = this.connection;
    // One statement: what it returns is what it removed. A FIFO line's next request heads it at once
    // (the claim finds the head by query).
    return c.write(`removing the queued requests of deleted webhook ${webhookKey}`, () => {
      c.forgetDataVersion(); // rows other processes may have written
      const rows = c.statement(DISCARD, 'raw').all({ webhookKey, cut: publishedUpTo.getTime(), limit: Math.floor(limit) }) as Row[];
      // RETURNING keeps no order: enqueue order, as the contract says.
      const removed = rows.sort((a, b) => Number(a[0]) - Number(b[0])).map(toRequest);
      if (entryOf && removed.length > 0) writeLogRows(c, removed.map(entryOf));
      return removed;
    });
  }

  async queuedWebhookKeys(): Promise<string[]> {
    const c = this.connection;
    // Each index by webhook seeked once per key (a loose index scan), never the backlog behind it.
    return c.run('listing the webhooks with queued requests', () => c.statement(QUEUED_KEYS, 'pluck').all() as string[]);
  }

  /** Pages by (dead_at, seq): a position's tie is the request's seq. */
  readonly pagesDeadByPosition = true;

  async listDead(query: DeadLetterListQuery = {}): Promise<PositionedPage<WebhookRequest>> {
    const c = this.connection;
    const dead = deadWhere(query);
    const where = dead.where.join(' AND ');
    const filter = dead.params;
    // After a position: dead earlier, or at its time and queued earlier — the listing's own order.
    const after = query.afterPosition && { afterAt: query.afterPosition.at, afterSeq: Number(positionSequence('deadLetters', query.afterPosition.tie)) };
    const pageWhere = after ? `${where} AND (dead_at, seq) < (@afterAt, @afterSeq)` : where;
    const limit = query.limit ?? -1;
    return c.run('listing dead letters', () =>
      // One read transaction, so the page and the total are of one moment.
      c.db.transaction(() => {
        // One row past the page says whether more follow.
        const rows = c.statement(`SELECT ${COLUMNS} FROM hookwork_requests WHERE ${pageWhere} ORDER BY dead_at DESC, seq DESC LIMIT @limit OFFSET @offset`, 'raw').all({ ...filter, ...after, limit: limit < 0 ? -1 : limit + 1, offset: query.offset ?? 0 }) as Row[];
        const { n } = c.statement(`SELECT count(*) AS n FROM hookwork_requests WHERE ${where}`).get(filter) as { n: number };
        const more = limit >= 0 && rows.length > limit;
        if (more) rows.length = limit;
        const last = rows[rows.length - 1];
        const items = rows.map(toRequest);
        return more && last ? { items, total: n, nextPosition: { at: Number(last[12]), tie: String(last[0]) } } : { items, total: n };
      })(),
    );
  }

  async get(id: string): Promise<WebhookRequest | undefined> {
    const c = this.connection;
    const row = c.run(`reading request ${id}`, () => c.statement(SELECT_BY_ID, 'raw').get(id)) as Row | undefined;
    return row && toRequest(row);
  }

  async counts(query: { webhookKey?: string } = {}): Promise<QueueCounts> {
    const c = this.connection;
    if (query.webhookKey !== undefined) {
      const key = query.webhookKey;
      // Plain pending from the pending-by-webhook index; dead and FIFO pending from the by-webhook
      // index, which holds only those (schema 9); in flight from the in-flight index (few rows).
      // One read transaction: counts of one moment.
      return c.run(`counting the requests of webhook ${key}`, () =>
        c.db.transaction(() => {
          const count = (sql: string) => c.statement(sql, 'pluck').get(key) as number;
          return {
            // The FIFO half repeats the by-webhook index's condition word for word: SQLite then knows
            // it holds and reads no row (`fifo IS NOT NULL` alone read each row's fifo).
            pending: count("SELECT count(*) FROM hookwork_requests WHERE webhook_key = ? AND state = 'pending' AND fifo IS NULL") + count("SELECT count(*) FROM hookwork_requests WHERE webhook_key = ? AND state = 'pending' AND (state = 'dead' OR fifo IS NOT NULL)"),
            inFlight: count("SELECT count(*) FROM hookwork_requests WHERE state = 'inflight' AND webhook_key = ?"),
            dead: count("SELECT count(*) FROM hookwork_requests WHERE webhook_key = ? AND state = 'dead'"),
          };
        })(),
      );
    }
    // Each count reads only a partial index (covering), never the table. The FIFO one names its
    // index: SQLite would pick the by-webhook index, which also holds every dead letter and reads
    // each FIFO request's row for `fifo` and `due_at` (schema 9).
    return c.run('counting requests', () => {
      const count = (where: string, column: string) => (c.statement(`SELECT count(${column}) AS n FROM hookwork_requests ${where}`).get() as { n: number }).n;
      // One read transaction, so the three counts are of one moment.
      return c.db.transaction(() => ({
        pending: count("WHERE state = 'pending' AND fifo IS NULL", 'due_at') + count("INDEXED BY hookwork_requests_pending_fifo WHERE state = 'pending' AND fifo IS NOT NULL", 'due_at'),
        inFlight: count("WHERE state = 'inflight'", 'lease_expires_at'),
        dead: count("WHERE state = 'dead'", 'dead_at'),
      }))();
    });
  }

  async nextDueAt(): Promise<Date | undefined> {
    const c = this.connection;
    return c.run('finding the next due request', () => {
      const plain = c.statement("SELECT due_at AS at FROM hookwork_requests WHERE state = 'pending' AND fifo IS NULL ORDER BY due_at LIMIT 1").get() as { at: number } | undefined;
      // Only a line's head can become claimable: those behind it wait for it, whatever their due time.
      const head = this.hasLines() ? (c.statement(`${LINE_HEADS} SELECT min(r.due_at) AS at FROM heads JOIN hookwork_requests r ON r.seq = heads.seq WHERE r.state = 'pending'`).get() as { at: number | null }) : undefined;
      const pending = { at: Math.min(plain?.at ?? Infinity, head?.at ?? Infinity) };
      const lease = c.statement("SELECT lease_expires_at AS at FROM hookwork_requests WHERE state = 'inflight' ORDER BY lease_expires_at LIMIT 1").get() as { at: number } | undefined;
      const next = Math.min(pending.at, lease?.at ?? Infinity);
      return next === Infinity ? undefined : new Date(next);
    });
  }

  async oldestPendingCreatedAt(): Promise<Date | undefined> {
    const c = this.connection;
    // The plain half scans the pending-by-webhook index, which holds created_at (schema 7), not the
    // rows (SQLite would pick the smaller pending index by due time and read every row, 83 ms with
    // 100,000 pending, at every metrics scrape). The FIFO half reads its own pending index, named:
    // SQLite would take the by-webhook index, which also holds every dead letter (schema 9).
    const at = c.run('finding the oldest pending request', () =>
      Math.min(
        ...['INDEXED BY hookwork_requests_pending_webhook WHERE state = \'pending\' AND fifo IS NULL', "INDEXED BY hookwork_requests_pending_fifo WHERE state = 'pending' AND fifo IS NOT NULL"].map(
          (where) => (c.statement(`SELECT min(created_at) FROM hookwork_requests ${where}`, 'pluck').get() as number | null) ?? Infinity,
        ),
      ),
    );
    return at === Infinity ? undefined : new Date(at);
  }

  async deleteDeadOlderThan(before: Date, limit: number): Promise<number> {
    if (limit <= 0) return 0;
    const c = this.connection;
    return c.write(
      'deleting old dead letters',
      () =>
        c
          .statement("DELETE FROM hookwork_requests WHERE seq IN (SELECT seq FROM hookwork_requests WHERE state = 'dead' AND dead_at < ? ORDER BY dead_at, seq LIMIT ?)")
          .run(before.getTime(), Math.floor(limit)).changes,
      'one statement',
    );
  }

  /**
   * Calls `listener` soon after another connection (another process) commits to the file, so a
   * dispatcher learns of requests enqueued elsewhere without waiting for its sweep. SQLite has no
   * notifications: this polls `PRAGMA data_version`, a cheap counter that moves only on other
   * connections' commits (claims and completions included, so a wake may find nothing to do).
   */
  watch(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.poller) {
      this.dataVersion = this.readDataVersion();
      this.poller = setInterval(() => this.poll(), this.watchIntervalMs);
      this.poller.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopWatching();
    };
  }

  /** Stops watch() polling (the store calls it on close). */
  stopWatching(): void {
    clearInterval(this.poller);
    this.poller = undefined;
    this.listeners.clear();
  }

  private readDataVersion(): unknown {
    return this.connection.db.open ? this.connection.db.pragma('data_version', { simple: true }) : undefined;
  }

  private poll(): void {
    let version: unknown;
    try {
      // A file deleted or replaced is found (and logged) here even while nothing is written.
      this.connection.identity?.check();
    } catch {
      return this.stopWatching();
    }
    try {
      version = this.readDataVersion();
    } catch {
      return; // a locked or closing file: try again at the next tick
    }
    if (version === undefined) return this.stopWatching();
    if (version === this.dataVersion) return;
    this.dataVersion = version;
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // A listener's failure must not stop the others or the polling.
      }
    }
  }
}
