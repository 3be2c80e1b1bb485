import { HookworkError, isHookworkError } from '@hookwork/core';
import type { ClientBase, QueryResult } from 'pg';
import type { PostgresConnection, Queryable } from './postgres-connection';
import { isConnectionFailure, sqlState } from './postgres-errors';

/**
 * The host's own transaction that `publish(…, { transaction })` enqueues in: a node-postgres
 * client (a `PoolClient` from `pool.connect()`, or a connected `Client`) on which the host ran `BEGIN`
 * (and awaited it), on the store's database (directly, or through a pooler's alias of it). The
 * outbox insert runs as this client's role: see docs/postgres.md, roles and grants.
 */
export type PostgresTransaction = ClientBase;

/** The message of a host transaction that may not write (SQLSTATE 25006). */
export const READ_ONLY_TRANSACTION =
  'publish(…, { transaction }) was given a pg client whose transaction is read-only (BEGIN READ ONLY, SET TRANSACTION READ ONLY or default_transaction_read_only), or whose server is a standby; the transaction is now aborted: ROLLBACK it, and publish in a read-write transaction on the primary';

const NOT_IN_TRANSACTION =
  'publish(…, { transaction }) was given a pg client that is not in a transaction; run (and await) BEGIN on it first, then publish, then COMMIT — and await publish() before COMMIT or ROLLBACK: one run while the publish was under way ends the transaction before its requests are stored (nothing was stored)';

/** The message of a transaction that a COMMIT or ROLLBACK queued on the client ended before the publish's insert could run in it. */
const ENDED_WHILE_QUEUED =
  'publish(…, { transaction }) was given a pg client whose transaction ended (a COMMIT or ROLLBACK ran on it) while the publish waited behind the statements queued on it, before its requests were stored: nothing was stored, and its webhooks will not be sent. Await publish() before COMMIT or ROLLBACK — a publish not awaited, or run beside statements whose failure makes you roll back (Promise.all), had its insert run after them, outside any transaction, and sent even when the transaction was rolled back';

/**
 * The host's own statements node-postgres holds for the client ahead of one sent now (the one
 * running, those queued, and in pipeline mode those sent): whatever they are — a COMMIT or a
 * ROLLBACK among them — runs before it, so the transaction status read now need not be the one
 * that statement meets. No public accessor; the fields are those {@link heldByCursorOrStream} reads.
 */
export function statementsAhead(client: object): boolean {
  const internals = client as { _activeQuery?: unknown; _queryQueue?: unknown; _sentQueryQueue?: unknown; _pipelineInFlight?: unknown };
  const active = internals._activeQuery as { state?: unknown } | null | undefined;
  // The native client keeps its last query there once it ended (its own _hasActiveQuery() reads the state).
  const running = active !== null && active !== undefined && active.state !== 'end' && active.state !== 'error';
  return (
    running ||
    internals._pipelineInFlight === true ||
    (Array.isArray(internals._queryQueue) && internals._queryQueue.length > 0) ||
    (Array.isArray(internals._sentQueryQueue) && internals._sentQueryQueue.length > 0)
  );
}

/** The tail of each host client's line of hookwork enqueues (see {@link inTurnOnHost}). */
const turns = new WeakMap<object, Promise<void>>();

/**
 * Runs hookwork's enqueues on one host client one at a time, in call order: each then waits
 * for the host's own statements alone, not for every other publish of the transaction — 3,000
 * publishes at once on one client, each woken at every drain to find the others ahead, took
 * about 2.5 times as long as without the wait (measured in one run); in line, each is woken once.
 * `run` is told whether an earlier enqueue ran first (the status read before then is stale).
 */
export async function inTurnOnHost<T>(client: object, run: (waited: boolean) => Promise<T>): Promise<T> {
  const before = turns.get(client);
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  // `before` never rejects: each turn's promise only resolves.
  const tail = before === undefined ? mine : before.then(() => mine);
  turns.set(client, tail);
  try {
    if (before !== undefined) await before;
    return await run(before !== undefined);
  } finally {
    release();
    if (turns.get(client) === tail) turns.delete(client);
  }
}

/** One wait per client however many publishes wait on it (a listener each would pass EventEmitter's limit of 10). */
const drains = new WeakMap<object, Promise<void>>();

/**
 * Resolves when node-postgres has run every statement queued on the client (its `'drain'`), or
 * the client ended or failed (the check that follows says so), or a second passed (the caller
 * looks again).
 */
export function untilDrained(client: object): Promise<void> {
  let drained = drains.get(client);
  if (drained === undefined) {
    const emitter = client as { once?: unknown; off?: unknown };
    if (typeof emitter.once !== 'function' || typeof emitter.off !== 'function') return new Promise((resolve) => setTimeout(resolve, 1));
    const events = client as { once(event: string, listener: () => void): void; off(event: string, listener: () => void): void };
    drained = new Promise<void>((resolve) => {
      // A look again every second too: a client that ends its queue without 'drain' must not hold the publish for ever.
      const again = setTimeout(() => done(), 1000);
      again.unref();
      const done = () => {
        clearTimeout(again);
        for (const event of ['drain', 'end', 'error']) events.off(event, done);
        drains.delete(client);
        resolve();
      };
      for (const event of ['drain', 'end', 'error']) events.once(event, done);
    });
    drains.set(client, drained);
  }
  return drained;
}

/** The message of a refused transaction that had failed already. */
export const ABORTED_TRANSACTION = 'publish(…, { transaction }) was given a pg client whose transaction failed (an earlier statement errored); ROLLBACK it, and publish in a new transaction';

/** The message of a refused client that has a cursor or a stream open, which every statement on it waits behind. */
export const BUSY_CLIENT =
  'publish(…, { transaction }) was given a pg client with a cursor or a stream still open on it (pg-cursor, pg-query-stream, pg-copy-streams): the enqueue would wait behind it until it is closed, so a publish awaited inside its read loop would wait for ever. Read it to the end or close it (await cursor.close(), stream.destroy()) before publishing, or collect what to publish and publish after';

/**
 * The error of a host transaction whose connection was lost while hookwork used it: PostgreSQL
 * rolled the transaction back (the host's change with it), and this client will not come back —
 * unlike hookwork's own pools, which do reconnect by themselves.
 */
export function lostHostConnection(doing: string, error: unknown): HookworkError {
  const reason = (error as Error | null)?.message ?? String(error);
  return new HookworkError(
    'HOOKWORK_ERR_ENQUEUE_FAILED',
    `the connection of the host transaction was lost while ${doing} (${reason}): PostgreSQL rolled that transaction back, your own change with it, and nothing was stored. Release the client with the error (client.release(error)) so its pool drops it, and run the whole transaction again on a new client`,
    { cause: error },
  );
}

/**
 * True when a statement sent on the client now would wait behind a cursor or a stream its host
 * opened: node-postgres runs one query at a time, and a pg-cursor (or pg-query-stream, built on it)
 * holds the connection until it is read to the end or closed; so does a COPY stream. The queue is
 * node-postgres's own (no public accessor); a query in flight that ends by itself is no such thing.
 */
function heldByCursorOrStream(client: object): boolean {
  const internals = client as { _activeQuery?: unknown; _queryQueue?: unknown; _sentQueryQueue?: unknown };
  // Read the underscored fields only: recent releases make `activeQuery` a getter that warns.
  const pending = [internals._activeQuery, ...(Array.isArray(internals._queryQueue) ? internals._queryQueue : []), ...(Array.isArray(internals._sentQueryQueue) ? internals._sentQueryQueue : [])];
  return pending.some((query) => {
    if (query === null || typeof query !== 'object' || typeof (query as { submit?: unknown }).submit !== 'function') return false;
    const nested = (query as { cursor?: unknown }).cursor;
    const cursor = (nested !== null && typeof nested === 'object' ? nested : query) as { read?: unknown; close?: unknown; state?: unknown };
    if (typeof cursor.read === 'function' && typeof cursor.close === 'function' && typeof cursor.state === 'string') return cursor.state !== 'done' && cursor.state !== 'error';
    // A stream (COPY TO / FROM) is over when node-postgres moves past it.
    return typeof (query as { pipe?: unknown }).pipe === 'function' || typeof (query as { write?: unknown }).write === 'function';
  });
}

const refuse = (message: string, cause?: unknown) => new HookworkError('HOOKWORK_ERR_INVALID_TRANSACTION', message, cause === undefined ? {} : { cause });

/** What to pass instead of a library's transaction object: the end of every refusal of one. */
const PASS_THE_PG_CLIENT =
  "a query builder's or ORM's transaction object (Knex's trx, Kysely's or Drizzle's transaction, TypeORM's QueryRunner, pg-promise's t) is not one. Pass the node-postgres client itself (pg's PoolClient or Client; with pg-promise, the `client` of `await db.connect()`), or run the transaction that publishes on a client of `pool.connect()`";

/** True when `answer` is shaped as node-postgres's QueryResult (its rows in `rows`), as every statement hookwork runs on the host's client must answer. */
export function isQueryResult(answer: unknown): answer is QueryResult {
  return answer !== null && typeof answer === 'object' && Array.isArray((answer as { rows?: unknown }).rows);
}

/**
 * The refusal of an object whose `query()` ran a statement but answered otherwise than
 * node-postgres (pg-promise's `t.query()` and TypeORM's `queryRunner.query()` answer the rows
 * alone). The statement ran in the host's transaction, so the message says to roll it back.
 */
export function notNodePostgresClient(doing: string, answer: unknown): HookworkError {
  const got = Array.isArray(answer) ? 'an array (the rows alone)' : answer === null ? 'null' : typeof answer === 'object' ? 'an object without rows' : typeof answer;
  return refuse(
    `publish(…, { transaction }) was given an object whose query() does not answer as a node-postgres client's (a result with rows; got ${got}, ${doing}), so hookwork cannot tell what it stored: ROLLBACK the transaction (a statement of hookwork's may have run in it) — ${PASS_THE_PG_CLIENT}`,
  );
}

/**
 * Checks that `transaction` is a node-postgres client inside an open transaction block, and
 * returns it. The status comes from the client itself (`getTransactionStatus()` in recent
 * node-postgres 8.x releases, e.g. 8.23: the status byte of the server's last ReadyForQuery, no round trip); an older
 * or native client is asked with `LOCK TABLE … IN ROW EXCLUSIVE MODE` (the lock the insert takes
 * anyway), which PostgreSQL refuses outside a transaction block (SQLSTATE 25P01). Comparing
 * `transaction_timestamp()` with `statement_timestamp()` was rejected: over the extended
 * protocol they differ even in an implicit transaction.
 */
export async function checkHostTransaction(transaction: unknown, connection: PostgresConnection, waited = false): Promise<PostgresTransaction> {
  const notInTransaction = waited ? ENDED_WHILE_QUEUED : NOT_IN_TRANSACTION;
  const client = transaction as Partial<ClientBase> | null;
  if (client === null || typeof client !== 'object' || typeof client.query !== 'function') {
    throw refuse(
      `publish(…, { transaction }) takes a node-postgres client on which you ran BEGIN (from pool.connect()); got ${client === null ? 'null' : typeof client === 'object' ? `an object without query()${Array.isArray(client) ? ' (an array)' : ''}` : typeof client}${client !== null && (typeof client === 'object' || typeof client === 'function') ? `: ${PASS_THE_PG_CLIENT}` : ''}`,
    );
  }
  if (typeof (client as { totalCount?: unknown }).totalCount === 'number' && typeof (client as { connect?: unknown }).connect === 'function') {
    throw refuse('publish(…, { transaction }) was given a pg Pool; a transaction lives on one client: take one with pool.connect(), run BEGIN on it, and pass that client');
  }
  // node-postgres keeps these on its Client (no public accessor): a closed client still reports the
  // status of its last answer, so without them it would be "not in a transaction" — or, closed
  // mid-transaction, pass and fail as a lost connection that "reconnects by itself".
  const internals = client as { _ending?: unknown; _queryable?: unknown; _connecting?: unknown; _connected?: unknown; connectionParameters?: { database?: unknown; host?: unknown; port?: unknown } };
  if (internals._ending === true || internals._queryable === false) {
    throw refuse('publish(…, { transaction }) was given a pg client that is closed (client.end(), or its connection was lost), so its transaction is gone; publish on an open client, in a new transaction');
  }
  // A statement on a client not connected yet waits in its queue until the connection is made: for
  // ever, on a client nobody connects (new Client() without connect()), and for its connect's own
  // timeout (none by default) on one still connecting. Neither can have run BEGIN.
  if (internals._connected === false) {
    throw refuse(
      internals._connecting === true
        ? 'publish(…, { transaction }) was given a pg client that is still connecting, so it has run no BEGIN yet; await client.connect(), then await client.query(\'BEGIN\'), then publish'
        : 'publish(…, { transaction }) was given a pg client that was never connected (new Client() without connect()), so it is in no transaction, and a statement on it would wait for ever; await client.connect() and client.query(\'BEGIN\') first, or take a connected client with pool.connect()',
    );
  }
  // pg-pool listens for the errors of the clients it holds idle (with its `idleListener`; none while
  // one is checked out): a client released before the publish is the pool's again, and may be the
  // next caller's, in whose transaction the requests would be stored.
  const listeners = typeof (client as { listeners?: unknown }).listeners === 'function' ? (client as { listeners(event: string): unknown[] }).listeners('error') : [];
  if (listeners.some((listener) => typeof listener === 'function' && listener.name === 'idleListener')) {
    throw refuse(
      'publish(…, { transaction }) was given a pg client already released to its pool (client.release()), so its transaction is over, and the pool may hand the client to another caller, whose transaction the requests would join; publish before releasing: BEGIN, your change, publish, COMMIT, then client.release()',
    );
  }
  if (heldByCursorOrStream(client)) throw refuse(BUSY_CLIENT);
  const status = typeof client.getTransactionStatus === 'function' ? client.getTransactionStatus() : null;
  if (status === 'I') throw refuse(notInTransaction);
  if (status === 'E') throw refuse(ABORTED_TRANSACTION);
  try {
    await checkDatabase(client, internals.connectionParameters, connection);
    if (status === 'T') return client as PostgresTransaction;
    await connection.query('checking the host transaction', `LOCK TABLE ${connection.s}.requests IN ROW EXCLUSIVE MODE`, [], client as Queryable);
  } catch (error) {
    if (isHookworkError(error, 'HOOKWORK_ERR_INVALID_TRANSACTION')) throw error;
    // connection.query coded it (a missing privilege names the GRANT for the client's role); the driver's error is its cause.
    const cause = isHookworkError(error) && error.cause !== undefined ? error.cause : error;
    const state = sqlState(cause);
    if (state === '25P01') throw refuse(notInTransaction, error);
    if (state === '25P02') throw refuse(ABORTED_TRANSACTION, error);
    if (state === '25006') throw refuse(READ_ONLY_TRANSACTION, error);
    if (isConnectionFailure(cause)) throw lostHostConnection('checking it was in a transaction', cause);
    throw error;
  }
  return client as PostgresTransaction;
}

/**
 * Refuses a client of another database than the store's: its rows would go where no dispatcher of
 * this app looks (or, with a schema of the same name there, another app's does). The name the
 * client logged in with is read first (no round trip); when it differs, it may be a pooler's alias
 * (PgBouncer's `[databases] cms = dbname=app`), so the client itself is asked `current_database()`,
 * in its transaction, once per server and name: the answer is kept on the connection.
 */
async function checkDatabase(client: Partial<ClientBase>, parameters: { database?: unknown; host?: unknown; port?: unknown } | undefined, connection: PostgresConnection): Promise<void> {
  const named = parameters?.database;
  if (connection.database === undefined || typeof named !== 'string' || named === connection.database) return;
  const key = `${String(parameters?.host)}:${String(parameters?.port)}/${named}`;
  let actual = connection.databaseBehind.get(key);
  if (actual === undefined) {
    const result = await connection.query<{ database: string }>('asking the host transaction\'s database', 'SELECT pg_catalog.current_database() AS database', [], client as Queryable);
    actual = result.rows[0]!.database;
    connection.databaseBehind.set(key, actual);
  }
  if (actual === connection.database) return;
  throw refuse(
    `publish(…, { transaction }) was given a pg client of the database ${JSON.stringify(actual)}${actual === named ? '' : ` (logged in as ${JSON.stringify(named)})`}, but this app's store is in ${JSON.stringify(connection.database)}: the requests would be stored where its dispatcher never looks. Run the transaction on a client of ${JSON.stringify(connection.database)} (the outbox works only within one database)`,
  );
}
