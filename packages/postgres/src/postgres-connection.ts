import { createHash } from 'node:crypto';
import { Client, type ClientBase, type ClientConfig, type Pool, type PoolClient, type QueryConfig, type QueryResult, type QueryResultRow } from 'pg';
import { isQueryResult, notNodePostgresClient } from './host-transaction';
import { toStorageError } from './postgres-errors';

/** How long a connect, a statement with no answer, a LISTEN and a close wait for the server, when neither `connectTimeoutMs` nor the host pool's `connectionTimeoutMillis` says; ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/** node-postgres's socket of a client (no public accessor), which only destroying frees from a server that went silent. */
export function dropSocket(client: object): void {
  (client as { connection?: { stream?: { destroy?: (error?: Error) => void } } }).connection?.stream?.destroy?.();
}

/**
 * Waits for `ending` (a client's or a pool's polite end: Terminate, then the server's close) at most
 * `ms`; past that, `drop()` destroys the sockets, which ends it at once. A server that went silent (a
 * network cut, no reset) never closes its side, so the polite end alone waited for ever, and its
 * sockets stayed open.
 */
export async function endWithin(ending: Promise<unknown>, ms: number, drop: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([ending.then(() => true, () => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  clearTimeout(timer);
  if (ended) return;
  drop();
  await Promise.race([ending.catch(() => {}), new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);
}

/**
 * `pool.connect()` with `onError` listening on the connection from the moment the pool hands it
 * over. node-postgres's pool stops listening for a connection's errors as it hands it over, and
 * its promise resolves a microtask later: a new connection whose first read held both the end of
 * its startup (ReadyForQuery) and the server's FATAL — `pg_terminate_backend`, or a fast shutdown,
 * reaching the backend as its startup ends — emitted 'error' with no listener, which ends the
 * process. The callback form is called in that same turn, so the listener is there before any
 * read. The caller removes `onError` once it gives the connection back.
 */
export function checkOut(pool: Pool, onError: (error: Error) => void): Promise<PoolClient> {
  return new Promise((resolve, reject) => {
    pool.connect((error, client) => {
      if (error || !client) return reject(error ?? new Error('the pool gave no connection'));
      client.on('error', onError);
      resolve(client);
    });
  });
}

/** Resolves once the client's socket is closed. */
function socketClosed(client: object): Promise<void> {
  const stream = (client as { connection?: { stream?: { destroyed?: boolean; once?: (event: 'close', listener: () => void) => void } } }).connection?.stream;
  if (!stream || stream.destroyed === true || typeof stream.once !== 'function') return Promise.resolve();
  return new Promise((resolve) => stream.once!('close', () => resolve()));
}

/**
 * Ends a pool of hookwork's within `ms` (see {@link endWithin}): its clients are node-postgres's own
 * list (no public accessor), taken before the end, since the pool forgets a client as soon as it
 * asks it to end — its end resolved while the sockets still waited for a silent server to close.
 */
export function endPool(pool: Pool, ms: number): Promise<void> {
  const clients = [...((pool as unknown as { _clients?: object[] })._clients ?? [])];
  return endWithin(
    pool.end().then(() => Promise.all(clients.map(socketClosed))),
    ms,
    () => {
      for (const client of clients) dropSocket(client);
    },
  );
}

/** Something that runs queries: the pool, or a client (the host's, in its transaction). */
export type Queryable = Pick<ClientBase, 'query'>;

/**
 * Set by {@link PostgresConnection.query} once the statement may have reached the server (a
 * connection was had for it): a failure before that sent nothing, so nothing of it ran. The queue
 * tells a failed enqueue that stored nothing from one whose answer was lost by it.
 */
export interface QueryProgress {
  sent: boolean;
}

/**
 * The pool shared by a store's four ports, the schema its tables live in, and one way to run a
 * statement: prepared once per connection (named by a hash of its text), any failure turned into
 * one coded error naming the server, the operation and the fix.
 */
export class PostgresConnection {
  /** The schema, quoted for SQL. */
  readonly s: string;
  /** The LISTEN/NOTIFY channel of this schema. */
  readonly channel: string;
  private readonly names = new Map<string, string>();
  /** The database the pool's connections are on (`current_database()` at open), which a host transaction's client must be on too. */
  readonly database: string | undefined;
  /** The role the pool connects as (`current_user` at open), for the GRANT a refused statement needs. */
  readonly role: string | undefined;
  /**
   * The database behind a host client's login name (`host:port/name` → `current_database()`), for the
   * names that differ from {@link database}: a pooler's alias (PgBouncer's `[databases]`) is asked
   * once, not at every publish.
   */
  readonly databaseBehind = new Map<string, string>();
  /**
   * Where a publish looks up its webhooks when they are not in memory: `pool`, or — on a pool of
   * the host's — `bookkeeping`, which hookwork owns. A publish in a host transaction holds one of
   * the host's connections while it looks: on the host's pool, transactions holding every
   * connection would each wait for one more, for ever.
   */
  readonly lookups: Pool;
  /**
   * How long a statement on a pool may go without an answer before hookwork asks the server, on a
   * new connection, whether it is there ({@link serverAnswers}); ms.
   */
  readonly answerTimeoutMs: number;
  private readonly probeConfig: ClientConfig;
  /**
   * Set when a newer build migrated the schema past this build's floor while the store ran: every
   * statement is refused with it from then on (see watchSchemaVersion in postgres-storage.ts).
   */
  refusal: Error | undefined;
  private probing: Promise<boolean> | undefined;

  constructor(
    /** The pool for what must be durable when it returns (enqueues, webhook changes) and for reads. */
    readonly pool: Pool,
    readonly schema: string,
    /** The server and schema for messages, e.g. `PostgreSQL 127.0.0.1:5432/app (schema "hookwork")`. */
    readonly where: string,
    /**
     * The pool for the dispatcher's bookkeeping (claims, completions, retries, renewals, log
     * entries): with `synchronous_commit = off` unless every commit must wait for the WAL flush.
     */
    readonly bookkeeping: Pool = pool,
    /** Where a plain enqueue (not in a host transaction) goes: `pool`, or `bookkeeping` when nothing need wait. */
    readonly enqueueing: Pool = pool,
    /**
     * True (`synchronousCommit: 'publish'`) when an enqueue with requests handed to this process's
     * dispatcher commits on `bookkeeping` (visible at once, not yet durable) and then waits for a
     * flush barrier on `pool`, so its requests are sent while the disk syncs.
     */
    readonly visibleFirst = false,
    /** What {@link database}, {@link role} and {@link lookups} are (`lookups` defaults to `pool`). */
    about: { database?: string; role?: string; lookups?: Pool; answerTimeoutMs: number },
  ) {
    this.database = about.database;
    this.role = about.role;
    this.lookups = about.lookups ?? pool;
    this.answerTimeoutMs = about.answerTimeoutMs;
    this.probeConfig = { ...pool.options, application_name: 'hookwork-probe' } as ClientConfig;
    this.s = quoteIdentifier(schema);
    this.channel = `hookwork:${schema}`;
  }

  /**
   * Runs one statement on the pool (or on `on`); on hookwork's own pools as a named prepared
   * statement, so that the server parses and plans it once per connection.
   */
  async query<R extends QueryResultRow = QueryResultRow>(doing: string, text: string, values: unknown[] = [], on: Queryable = this.pool, progress?: QueryProgress): Promise<QueryResult<R>> {
    if (this.refusal) throw this.refusal;
    const own = on === this.pool || on === this.bookkeeping || on === this.lookups;
    let answer: unknown;
    try {
      // The host's own client gets an unnamed statement: nothing of hookwork's stays prepared on
      // a connection it does not own (a DISCARD ALL there would leave node-postgres believing it is).
      if (own) return await this.onPool<R>(on as Pool, { name: this.nameOf(text), text, values }, progress);
      if (progress) progress.sent = true;
      answer = await on.query<R>({ text, values });
    } catch (error) {
      // On the host's client the statement ran as the host's role, not as the pool's: its GRANT names that one.
      const role = own ? this.role : hostRole(on);
      throw toStorageError(error, { where: this.where, doing, schema: this.schema, ...(role !== undefined ? { role } : {}), ...(own ? {} : { hostTransaction: true }) });
    }
    // A library's transaction object (pg-promise's `t`, TypeORM's QueryRunner) has a query() that
    // answers the rows alone: read as a result, its answer failed the publish after the insert had
    // run in the host's transaction, which then committed and sent what publish() said had failed.
    if (!isQueryResult(answer)) throw notNodePostgresClient(doing, answer);
    return answer;
  }

  /**
   * `pool.query(config)`, as node-postgres's pool runs it (a connection that failed a statement is
   * dropped), under a watchdog: a statement without an answer for {@link answerTimeoutMs} makes
   * hookwork ask the server on a new connection; while it answers (the statement waits for a lock,
   * or runs long) the statement goes on, and when it does not either (a network cut that no reset
   * reports, a server that hangs) the statement's connection is dropped and the statement fails as a
   * lost connection. Without it such a statement waited for the kernel's TCP timeout (about 15 minutes
   * on Linux) — a publish, and stop() behind it.
   */
  private async onPool<R extends QueryResultRow>(pool: Pool, config: QueryConfig, progress?: QueryProgress): Promise<QueryResult<R>> {
    // A checked-out client reports a lost connection as 'error' too: unheard, it would end the process.
    const onError = () => {};
    const client = await checkOut(pool, onError);
    // From here the statement may reach the server; a connection that could not be had sent nothing.
    if (progress) progress.sent = true;
    try {
      const result = await this.watched<R>(client, config);
      client.release();
      return result;
    } catch (error) {
      client.release(error as Error);
      throw error;
    } finally {
      client.off('error', onError);
    }
  }

  /**
   * `client.query(config)` under the watchdog of {@link onPool}: a statement without an answer
   * for {@link answerTimeoutMs}, on a server that does not answer a new connection either, has
   * its connection dropped and fails as a lost connection.
   */
  private async watched<R extends QueryResultRow>(client: PoolClient, config: QueryConfig): Promise<QueryResult<R>> {
    let answered = false;
    let dropped = false;
    let watchdog: NodeJS.Timeout | undefined;
    const watch = () => {
      watchdog = setTimeout(() => {
        void this.serverAnswers().then((answers) => {
          if (answered) return;
          if (answers) return watch();
          dropped = true;
          dropSocket(client);
        });
      }, this.answerTimeoutMs);
      watchdog.unref();
    };
    watch();
    try {
      return await client.query<R>(config);
    } catch (error) {
      if (!dropped) throw error;
      throw new Error(`Connection terminated: no answer within ${this.answerTimeoutMs} ms, and none on a new connection either, so it was dropped`, { cause: error });
    } finally {
      answered = true;
      clearTimeout(watchdog);
    }
  }

  /**
   * Runs `work` in a transaction of its own on one connection of the pool: `BEGIN` and the `SET
   * LOCAL` lines of `settings` in one round trip, then `work`'s statements (prepared, each under
   * the watchdog of {@link onPool}), then `COMMIT`. When anything fails it rolls back (nothing of
   * it kept) and rejects with one coded error saying what was being done; the connection is then
   * dropped rather than given back to the pool, as {@link onPool} does after a failed statement.
   */
  async transaction<T>(doing: string, settings: Readonly<Record<string, number>>, work: (query: <R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]) => Promise<QueryResult<R>>) => Promise<T>): Promise<T> {
    if (this.refusal) throw this.refusal;
    const onError = () => {};
    let client: PoolClient;
    try {
      client = await checkOut(this.pool, onError);
    } catch (error) {
      throw toStorageError(error, { where: this.where, doing, schema: this.schema, ...(this.role !== undefined ? { role: this.role } : {}) });
    }
    let failed: unknown;
    try {
      // Setting names and values are hookwork's own constants (never a caller's text).
      const set = Object.entries(settings).map(([name, value]) => `SET LOCAL ${name} = ${value}`);
      // READ COMMITTED whatever the pool's default (a host's pool, a database set to SERIALIZABLE):
      // the work re-reads rows other transactions change, and a higher level fails it instead.
      await this.watched(client, { text: ['BEGIN ISOLATION LEVEL READ COMMITTED', ...set].join('; ') });
      try {
        const result = await work((text, values = []) => this.watched(client, { name: this.nameOf(text), text, values }));
        await this.watched(client, { text: 'COMMIT' });
        return result;
      } catch (error) {
        // Undone at once, so the locks go now, not when the dropped connection's end reaches the server.
        await this.watched(client, { text: 'ROLLBACK' }).catch(() => undefined);
        throw error;
      }
    } catch (error) {
      failed = error;
      throw toStorageError(error, { where: this.where, doing, schema: this.schema, ...(this.role !== undefined ? { role: this.role } : {}) });
    } finally {
      client.release(failed as Error | undefined);
      client.off('error', onError);
    }
  }

  /** Resolves once a check of the server under way is over (within {@link answerTimeoutMs}): the store's close waits for it, so no socket outlives it. */
  async settled(): Promise<void> {
    await this.probing;
  }

  /**
   * Whether the server answers `SELECT 1` on a new connection within {@link answerTimeoutMs}; one
   * check at a time, shared by every statement waiting for an answer.
   */
  private serverAnswers(): Promise<boolean> {
    this.probing ??= (async () => {
      const probe = new Client({ ...this.probeConfig, connectionTimeoutMillis: this.answerTimeoutMs });
      probe.on('error', () => {});
      let timer: NodeJS.Timeout | undefined;
      let answers = false;
      try {
        answers = await Promise.race([
          probe.connect().then(() => probe.query('SELECT 1')).then(() => true, () => false),
          new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.answerTimeoutMs))),
        ]);
      } finally {
        clearTimeout(timer);
        if (answers) void probe.end().catch(() => {});
        else dropSocket(probe);
        this.probing = undefined;
      }
      return answers;
    })();
    return this.probing;
  }

  private nameOf(text: string): string {
    let name = this.names.get(text);
    if (name === undefined) {
      name = `hookwork_${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
      this.names.set(text, name);
    }
    return name;
  }
}

/**
 * The role a host's client logged in as (node-postgres's `connectionParameters.user`: the
 * connection string's, or PGUSER's, or the OS user's). node-postgres keeps no record of the role the
 * server reports, and after a refused statement the transaction can ask nothing more.
 */
function hostRole(client: Queryable): string | undefined {
  const user = (client as { connectionParameters?: { user?: unknown } }).connectionParameters?.user;
  return typeof user === 'string' && user !== '' ? user : undefined;
}

/** An identifier quoted for SQL (`"my schema"`); double quotes inside are doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
