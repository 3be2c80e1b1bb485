import { Pool, type ClientConfig, type PoolConfig } from 'pg';
import { parse as parseConnectionString } from 'pg-connection-string';
import { HookworkError, isPlainObject, MAX_TIMER_MS, misreadConnectionString, objectKind, readOrRefuse, shownValue, silentLogger, type Storage, type StorageBackend, type StorageCapabilities, type StorageContext, unknownOption, type Logger } from '@hookwork/core';
import type { PostgresTransaction } from './host-transaction';
import { DEFAULT_CONNECT_TIMEOUT_MS, endPool, PostgresConnection, quoteIdentifier } from './postgres-connection';
import { PostgresDeliveryLog } from './postgres-delivery-log';
import { PostgresListener } from './postgres-listener';
import { checkPrivileges } from './postgres-privileges';
import { PostgresRequestQueue } from './postgres-request-queue';
import { PostgresWebhookHealthStore } from './postgres-webhook-health-store';
import { PostgresWebhookRepository } from './postgres-webhook-repository';
import { migrate, readSchemaVersion, runningOnVersion, SCHEMA_VERSION } from './schema';

/** Options of {@link postgresStorage}: a connection string, or a pool the host made. */
export interface PostgresStorageOptions {
  /**
   * Where the database is, e.g. `postgres://app@db.internal:5432/app`; hookwork then makes and
   * owns a pool of `poolSize` connections, and ends it on close. Give this or `pool`.
   */
  connectionString?: string;
  /**
   * A node-postgres pool the host made and owns (hookwork never ends it). It must reach the
   * primary in session mode: the LISTEN connection is opened apart with the pool's settings
   * (see docs/postgres.md on poolers). Give this or `connectionString`.
   */
  pool?: Pool;
  /**
   * The schema hookwork's tables live in, created (with the tables) at start when missing.
   * Several apps share a database with a schema each. Letters, digits and `_`, not starting with
   * a digit or `pg_`, at most 50 characters. Default `hookwork`.
   */
  schema?: string;
  /** Connections of the pool hookwork makes from `connectionString` (not used with `pool`). Default 10. */
  poolSize?: number;
  /**
   * How long to wait for a connection before failing, ms (only with `connectionString`; refused with
   * `pool`). Default 5000. Also how long a statement waits for an answer before hookwork checks, on a
   * new connection, that the server answers at all (a statement of a server gone silent then fails
   * instead of waiting for the kernel's TCP timeout), and how long closing waits for the server to
   * close each connection before dropping it.
   */
  connectTimeoutMs?: number;
  /**
   * Which commits wait for PostgreSQL to flush its WAL to disk (`synchronous_commit`):
   *
   * - `enqueue` (default): enqueues (publish), webhook and health changes wait; the dispatcher's
   *   bookkeeping (claims, completions, retries, lease renewals, log entries) does not, on a
   *   second small pool with `synchronous_commit = off`. A server crash may forget the last
   *   fraction of a second of bookkeeping: those requests go out again (delivery is at least
   *   once anyway) and a few log entries may be missing. Nothing published is ever lost.
   * - `publish`: as `enqueue`, but a request this process's dispatcher starts at once is sent as
   *   soon as its enqueue commits, while the WAL flush is still to come: publish() resolves only
   *   after a second commit that waits for the flush (shared by the publishes of that moment), so
   *   a resolved publish is as durable as with `enqueue`. The send no longer waits for the disk,
   *   whose flush time has a long tail; each publish group costs one more statement, and a
   *   publish() that fails (the server crashed or the connection broke between the two commits)
   *   may have been sent already — as one can today when a commit's answer is lost.
   * - `all`: every commit waits (PostgreSQL's own default); one pool; slower deliveries.
   * - `none`: nothing waits, enqueues included — like SQLite's `synchronous=normal`: a server
   *   crash or power loss may lose the last enqueues after publish() resolved.
   *
   * A host transaction's commit follows the host's own setting whatever this says.
   */
  synchronousCommit?: 'enqueue' | 'publish' | 'all' | 'none';
}

/** An opened PostgreSQL store: the four ports, plus what is useful to know about it. */
export interface PostgresStorage extends Storage<PostgresTransaction> {
  /** The schema its tables live in. */
  readonly schema: string;
  /** The pool it runs on (the host's, or its own); hookwork owns its statements, not its transactions. */
  readonly pool: Pool;
  /** True while the LISTEN connection (cross-process wake-ups) is connected; it reconnects by itself. */
  readonly listening: boolean;
}

const KNOWN_OPTIONS: readonly string[] = ['connectionString', 'pool', 'schema', 'poolSize', 'connectTimeoutMs', 'synchronousCommit'] satisfies (keyof PostgresStorageOptions)[];

/** What hookwork calls on a host's `pool`: a node-postgres Pool has them all. */
const POOL_METHODS = ['connect', 'query', 'on', 'off'] as const;

/** node-postgres's own connection settings, which a host may pass to postgresStorage() as they would to pg.Pool. */
const PG_CONFIG_KEYS: ReadonlySet<string> = new Set(['host', 'port', 'user', 'password', 'database', 'ssl', 'max', 'connectionTimeoutMillis', 'idleTimeoutMillis', 'application_name', 'options']);
const PG_CONFIG_HINT =
  ". node-postgres's connection settings go in `connectionString` (postgres://user:password@host:5432/db?sslmode=verify-full&application_name=…), or make a pg.Pool with them (ssl included) and pass it as `pool`";

/** True when node-postgres can read `url`: it parses connection strings with pg-connection-string, which throws on what WHATWG `URL` cannot read. */
function parsesAsUrl(url: string): boolean {
  try {
    parseConnectionString(url);
    return true;
  } catch {
    return false;
  }
}

/** A schema name hookwork accepts: a plain identifier (quoted everywhere anyway), short enough for its NOTIFY channel. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,49}$/;

interface CheckedOptions {
  connectionString?: string;
  pool?: Pool;
  schema: string;
  poolSize: number;
  connectTimeoutMs: number;
  synchronousCommit: 'enqueue' | 'publish' | 'all' | 'none';
}

/**
 * The options read once (core's readOrRefuse; a `pool` is kept as given): a getter or Proxy trap
 * that throws is HOOKWORK_ERR_INVALID_STORAGE_OPTIONS naming it, and what is checked is what is used.
 */
function readOptions(options: PostgresStorageOptions): PostgresStorageOptions {
  return readOrRefuse(options, (path, problem) => new HookworkError('HOOKWORK_ERR_INVALID_STORAGE_OPTIONS', `postgresStorage(): ${path ? `\`${path}\`` : 'the options'} ${problem}`), 1);
}

function checkOptions(options: PostgresStorageOptions): CheckedOptions {
  const bad = (what: string) => new HookworkError('HOOKWORK_ERR_INVALID_STORAGE_OPTIONS', `postgresStorage(): ${what}`);
  options = readOptions(options);
  if (!isPlainObject(options)) throw bad(`takes a plain options object, e.g. postgresStorage({ connectionString: "postgres://app@127.0.0.1:5432/app" })${options !== null && typeof options === 'object' ? `; got ${objectKind(options)}` : ''}`);
  const unknown = unknownOption(options, KNOWN_OPTIONS);
  if (unknown) throw bad(`${unknown.text}${PG_CONFIG_KEYS.has(unknown.key) ? PG_CONFIG_HINT : ''}`);
  const { connectionString, pool } = options;
  if (connectionString === undefined && pool === undefined && Object.hasOwn(options, 'connectionString')) {
    // connectionString: process.env.DATABASE_URL with the variable unset: say so, not "give one".
    throw bad('`connectionString` is undefined — an environment variable that is not set (such as DATABASE_URL)? Give a postgres:// URL, e.g. "postgres://app@127.0.0.1:5432/app", or `pool`');
  }
  if ((connectionString === undefined) === (pool === undefined)) throw bad('give either `connectionString` (e.g. "postgres://app@127.0.0.1:5432/app") or `pool` (a pg.Pool you made), not both and not neither');
  if (connectionString !== undefined && (typeof connectionString !== 'string' || !/^postgres(ql)?:\/\//.test(connectionString))) {
    throw bad('`connectionString` must be a postgres:// or postgresql:// URL, e.g. "postgres://app@127.0.0.1:5432/app"');
  }
  if (connectionString !== undefined && /[\0\p{Cs}]/u.test(connectionString)) {
    // PostgreSQL's protocol ends a string at U+0000 (a database "app\0x" is "app"); UTF-8 turns a lone surrogate into U+FFFD.
    throw bad('`connectionString` holds U+0000 (NUL) or a lone UTF-16 surrogate, which would reach the server as something else (the string is not shown: it may hold a password); remove it');
  }
  if (connectionString !== undefined && misreadConnectionString(connectionString) !== undefined) {
    // Read as the user meant it only once encoded; node-postgres would connect elsewhere, and name the password's tail as the host or database.
    throw bad(
      '`connectionString` holds an @ after its host, or a #: a user or password with one of @ : / ? # [ ] % must be percent-encoded (encodeURIComponent(password)); the string is not shown, as it may hold a password',
    );
  }
  if (connectionString !== undefined && !parsesAsUrl(connectionString)) {
    // node-postgres would fail only at start, as "Invalid URL"; the string is not shown: it may hold a password.
    throw bad(
      '`connectionString` is not a URL node-postgres can read (not shown: it may hold a password); a user or password with one of @ : / ? # [ ] % must be percent-encoded (encodeURIComponent(password)), and the port must be a number up to 65535',
    );
  }
  if (pool !== undefined) {
    const missing = pool === null || typeof pool !== 'object' ? undefined : POOL_METHODS.find((method) => typeof (pool as unknown as Record<string, unknown>)[method] !== 'function');
    if (pool === null || typeof pool !== 'object' || missing !== undefined) {
      throw bad(`\`pool\` must be a node-postgres Pool (new pg.Pool({ … })); got ${pool === null || typeof pool !== 'object' ? shownValue(pool) : `an object without ${missing}()`}`);
    }
    // A pg.Client has a pool's methods but no pool's counts: it used to fail start() with
    // "TypeError: client.release is not a function".
    const client = pool as unknown as { connectionParameters?: unknown; totalCount?: unknown };
    if (typeof client.connectionParameters === 'object' && client.connectionParameters !== null && typeof client.totalCount !== 'number') {
      throw bad('`pool` must be a node-postgres Pool (new pg.Pool({ … })); got a pg Client (one connection, as new pg.Client() or pool.connect() give): pass the Pool itself, or a `connectionString`');
    }
  }
  // null is no option left out: `schema: process.env.X ?? null` would otherwise use the default unseen.
  const nulled = (['schema', 'poolSize', 'connectTimeoutMs', 'synchronousCommit'] as const).find((key) => options[key] === null);
  if (nulled) throw bad(`\`${nulled}\` is null; leave it out for its default, or give a value (see PostgresStorageOptions)`);
  const schema = options.schema ?? 'hookwork';
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema) || /^pg_/i.test(schema)) {
    throw bad(`\`schema\` must be a plain identifier: letters, digits and _, not starting with a digit or pg_, at most 50 characters (e.g. "hookwork" or "shop_hooks"); got ${JSON.stringify(schema)}`);
  }
  if (schema === 'information_schema') {
    // A superuser may write there, and pg_dump leaves it out: the queue would be missing from every backup.
    throw bad('`schema` cannot be "information_schema", PostgreSQL\'s own (pg_dump leaves it out of backups); give hookwork a schema of its own, e.g. "hookwork"');
  }
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 2 || poolSize > 1000) throw bad(`\`poolSize\` must be a whole number from 2 to 1000; got ${shownValue(options.poolSize)}`);
  if (pool !== undefined && options.poolSize !== undefined) throw bad('`poolSize` sizes the pool hookwork makes from `connectionString`; with your own `pool`, size it where you make it');
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (pool !== undefined && options.connectTimeoutMs !== undefined) throw bad('`connectTimeoutMs` applies to the pool hookwork makes from `connectionString`; with your own `pool`, set its connectionTimeoutMillis where you make it');
  if (!Number.isInteger(connectTimeoutMs) || connectTimeoutMs < 1 || connectTimeoutMs > MAX_TIMER_MS) {
    throw bad(`\`connectTimeoutMs\` must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS} (about 24.8 days, the longest timer Node keeps); got ${shownValue(options.connectTimeoutMs)}`);
  }
  const synchronousCommit = options.synchronousCommit ?? 'enqueue';
  if (!['enqueue', 'publish', 'all', 'none'].includes(synchronousCommit)) throw bad(`\`synchronousCommit\` must be "enqueue", "all" or "none", or "publish" (as "enqueue", the send not waiting for the flush); got ${JSON.stringify(options.synchronousCommit)}`);
  return { ...(connectionString !== undefined ? { connectionString } : {}), ...(pool !== undefined ? { pool } : {}), schema, poolSize, connectTimeoutMs, synchronousCommit };
}

/**
 * The server a config points at, for messages: host:port/database, never a password. Read as
 * node-postgres reads it (pg-connection-string, then PG* variables): a socket directory given as
 * `?host=`, and — with no database named — the database of the user's name, where it connects.
 */
function describeServer(config: PoolConfig, schema: string): string {
  const server = serverOf(config);
  if (typeof server === 'string') return `PostgreSQL (${server}) (schema ${quoteIdentifier(schema)})`;
  return `PostgreSQL ${server.host}:${server.port}/${server.database} (schema ${quoteIdentifier(schema)})`;
}

/** Where a config connects, as node-postgres reads it (see describeServer); a string when it cannot be shown. */
function serverOf(config: PoolConfig): { host: string; port: string | number; database: string } | string {
  let parsed: Partial<ReturnType<typeof parseConnectionString>> = {};
  if (config.connectionString) {
    // A host's pool may hold such a string: its "database" would be the password's tail.
    if (misreadConnectionString(config.connectionString) !== undefined) return 'a connection string with an unencoded @ or #, not shown';
    try {
      parsed = parseConnectionString(config.connectionString);
    } catch {
      return 'unparsed connection string';
    }
  }
  const host = parsed.host || config.host || process.env.PGHOST || 'localhost';
  const port = parsed.port || config.port || process.env.PGPORT || 5432;
  const user = parsed.user || config.user || process.env.PGUSER || process.env.USER;
  const database = parsed.database || config.database || process.env.PGDATABASE || user || '';
  return { host, port, database };
}

/**
 * The server part of the id builds before this one gave the store (its `formerIds`; the id is now
 * the schema's own, see migration 7): the cluster's system identifier (`pg_control_system()`,
 * executable by every role by default since PostgreSQL 10), or where the function is refused or
 * missing (a managed service that revokes it, a PostgreSQL-compatible server) the host and port
 * the pool connects to — as those builds took it, so a queue one of them recorded is recognised.
 */
async function serverIdentity(pool: Pool): Promise<string> {
  try {
    const { rows } = await pool.query<{ id: string | null }>('SELECT system_identifier::text AS id FROM pg_control_system()');
    const id = rows[0]?.id;
    if (typeof id === 'string' && id !== '') return id;
  } catch {
    // Refused (42501) or missing (42883): the connection settings below.
  }
  const server = serverOf(pool.options ?? {});
  // A host's pool whose connection string cannot be read names no server: then the database and schema alone.
  return typeof server === 'string' ? 'unknown-server' : `${server.host}:${server.port}`;
}

/**
 * The session setting hookwork's own connections start with on a server whose sessions start above
 * READ COMMITTED (a startup option, which wins over `ALTER DATABASE … SET` and `ALTER ROLE … SET`):
 * its statements are written for READ COMMITTED.
 */
const READ_COMMITTED = '-c default_transaction_isolation=read\\ committed';

/** `options` (a connection's startup options) with `option` added after it, unless already there. */
function withOption(options: string | undefined, option: string | undefined): string | undefined {
  if (option === undefined || options?.includes(option)) return options;
  return `${options ?? ''} ${option}`.trim();
}

/**
 * `config` with hookwork's startup options `added` after its own. node-postgres reads a connection
 * string's `options=` over the config's `options` (Neon's `?options=endpoint%3D…`, a
 * `?options=-c%20search_path%3D…`), which dropped hookwork's: so the string's are moved into
 * `options`, ahead of hookwork's. A string that is no URL keeps them, and hookwork's are dropped
 * (a start on connections above READ COMMITTED then warns).
 */
function withSessionOptions(config: PoolConfig, ...added: (string | undefined)[]): PoolConfig {
  let { connectionString, options } = config;
  if (connectionString !== undefined) {
    let fromString: string | null | undefined;
    try {
      fromString = parseConnectionString(connectionString).options;
    } catch {
      fromString = undefined;
    }
    if (typeof fromString === 'string') {
      try {
        const url = new URL(connectionString);
        url.searchParams.delete('options');
        connectionString = url.toString();
        options = fromString;
      } catch {
        return config;
      }
    }
  }
  for (const option of added) options = withOption(options, option);
  return { ...config, ...(connectionString !== undefined ? { connectionString } : {}), ...(options !== undefined ? { options } : {}) };
}

/**
 * Warns when the pool's connections start transactions above READ COMMITTED: a pool of the host's
 * (its own settings, or its database's or role's default), or a connection string whose own
 * `options` replace the one hookwork adds. hookwork's statements on that pool (publishes, webhook
 * changes) then fail with serialization errors (SQLSTATE 40001) whenever they meet a concurrent
 * write; the dispatcher's bookkeeping pool is hookwork's and runs READ COMMITTED anyway.
 */
async function warnOfIsolation(pool: Pool, where: string, owned: boolean, logger: Logger): Promise<void> {
  // Only a warning: a failed read here leaves the start to the statements that follow.
  const isolation = await pool.query<{ isolation: string }>("SELECT current_setting('default_transaction_isolation') AS isolation").then(
    ({ rows }) => rows[0]?.isolation,
    () => undefined,
  );
  if (isolation === undefined || isolation === 'read committed') return;
  logger.warn(
    `${where}: the ${owned ? 'connections made from connectionString (its own options= replaced hookwork\'s)' : 'connections of the pool given as `pool`'} start their transactions at ${isolation.toUpperCase()} (default_transaction_isolation), and hookwork's statements are written for READ COMMITTED: publishes and webhook changes on them fail with serialization errors (SQLSTATE 40001) when they meet a concurrent write. ${
      owned ? 'Leave options= out of the connection string' : "Give hookwork its own connectionString, or make this pool's connections READ COMMITTED"
    } (the pool option options: '-c default_transaction_isolation=read\\ committed'); your own transactions can still ask for more (BEGIN ISOLATION LEVEL SERIALIZABLE)`,
  );
}

/**
 * Reads the schema's version again whenever a newer build may have migrated it while this store
 * runs (a rolling deploy: the first new instance migrates, the old ones still run): at a
 * migration's notification, and when the LISTEN connection is back after a loss. A floor past this
 * build's version means its code would misread what the newer build writes (a new request state,
 * a column that changes how a request is handled): from then on every statement of the store is
 * refused with HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW, said once. Before, the version was read only
 * at start, and such an instance went on claiming, sending and publishing on the newer schema.
 */
function watchSchemaVersion(listener: PostgresListener, connection: PostgresConnection, pool: Pool, schema: string, where: string, logger: Logger, backgroundError: StorageContext['backgroundError'] | undefined): void {
  let reading = false;
  let again = false;
  const said = new Set<string>();
  const read = async (): Promise<void> => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        const { refused, newer } = runningOnVersion(where, await readSchemaVersion(pool, schema));
        connection.refusal = refused;
        const message = refused?.message ?? newer;
        if (message === undefined || said.has(message)) continue;
        said.add(message);
        if (newer) logger.warn(newer);
        else if (backgroundError) backgroundError(`working on ${where}`, refused, 'it sends nothing more; the newer instances send the requests it held once their leases expire');
        else logger.error(message);
      } while (again);
    } catch (error) {
      // Unreadable now (the server away): read again at the next notification or reconnect.
      logger.warn(`reading the schema version of ${where} again failed (${(error as Error).message}); it is read again when the LISTEN connection is back`);
    } finally {
      reading = false;
    }
  };
  listener.onSchemaChange = () => void read();
}

/**
 * Opens (creating or migrating) a store on the server. Throws coded errors: the server cannot be
 * reached or refuses the login (HOOKWORK_ERR_STORAGE_OPEN_FAILED), the role may not create the
 * schema, or lacks a privilege on a table or sequence the store will use — checked before anything
 * runs (HOOKWORK_ERR_STORAGE_PERMISSION_DENIED), a newer hookwork wrote it and its floor refuses this version
 * (HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW).
 */
export async function openPostgresStorage(options: PostgresStorageOptions, context: Partial<StorageContext> = {}): Promise<PostgresStorage> {
  const checked = checkOptions(options);
  const logger = context.logger ?? silentLogger;
  const owned = checked.pool === undefined;
  // hookwork's statements are written for READ COMMITTED (each re-reads a row another transaction
  // changed, as a claim, a completion or a compare-and-set needs): a database or role whose
  // default_transaction_isolation is higher (ALTER DATABASE … SET) made them fail with
  // serialization errors — publishes refused, claims and edits failing under concurrency. The
  // startup option that sets it is sent only to such a server: a pooler that refuses startup options
  // it does not track (PgBouncer 1.20+ without ignore_startup_parameters) keeps working otherwise.
  const ownPool = (readCommitted: boolean) =>
    new Pool(
      withSessionOptions(
        { connectionString: checked.connectionString, max: checked.poolSize, connectionTimeoutMillis: checked.connectTimeoutMs, idleTimeoutMillis: 30_000, application_name: 'hookwork' },
        readCommitted ? READ_COMMITTED : undefined,
      ),
    );
  let pool = checked.pool ?? ownPool(false);
  const where = describeServer(pool.options ?? {}, checked.schema);
  if ((pool as { ended?: unknown; ending?: unknown }).ended === true || (pool as { ending?: unknown }).ending === true) {
    // node-postgres would say only "Cannot use a pool after calling end on the pool".
    throw new HookworkError('HOOKWORK_ERR_STORAGE_OPEN_FAILED', `${where}: the \`pool\` given to postgresStorage() was ended (pool.end()); give an open pool, and end it only after app.stop()`);
  }
  // An idle pooled connection the server terminated reports here; without a listener it would
  // crash the process. The pool drops it and the next query opens another.
  const onPoolError = (error: Error) => logger.warn(`an idle connection to ${where} was lost (${error.message}); the pool opens another when needed`);
  let stopListening = listenForErrors(pool, onPoolError);
  let database: string;
  let role: string;
  let server: string;
  let storeId: string | undefined;
  // Whether the server's sessions start above READ COMMITTED (read by the migration's first statement).
  const seen: { isolation?: string } = {};
  try {
    const opened = await migrate(pool, checked.schema, where, (message) => logger.warn(message), seen);
    const { from, to, newer, storeIdMade } = opened;
    ({ database, role, storeId } = opened);
    const named = storeId === undefined ? '' : `; its id is postgres:${storeId}`;
    if (owned && seen.isolation !== undefined && seen.isolation !== 'read committed') {
      stopListening();
      await pool.end().catch(() => {});
      pool = ownPool(true);
      stopListening = listenForErrors(pool, onPoolError);
    }
    if (newer) {
      logger.warn(
        `opened ${where} at schema version ${newer.version}, newer than this @hookwork/postgres's ${SCHEMA_VERSION}, without migrating: the build that wrote it lets versions that know schema ${newer.compatibleFrom} or later open it. Upgrade this instance when you can`,
      );
    } else {
      logger.info(`${from === to ? `opened ${where} (schema version ${to})` : `opened ${where}, migrated its schema from version ${from} to ${to}`}${named}`);
    }
    // Only an emptied store_id (a migration to 7 makes one with the schema, said above).
    if (storeIdMade && from === to) logger.warn(`${where} had no id (schema_version.store_id was empty): it was given a new one, postgres:${storeId}, so a BullMQ queue that recorded the one it had refuses its apps (as it should for a copy run as a second store)`);
    // Before anything runs: a grant missing on a table (one an owner-run upgrade added) fails here,
    // named with its GRANT, not at each publish after its requests were committed.
    await checkPrivileges(pool, { schema: checked.schema, where, role, flushes: checked.synchronousCommit === 'publish' });
    await warnOfIsolation(pool, where, owned, logger);
    server = await serverIdentity(pool);
  } catch (error) {
    stopListening();
    if (owned) await pool.end().catch(() => {});
    throw error;
  }

  // How long a statement, and a close, wait for a server that went silent (see PostgresConnection.onPool).
  // hookwork's own pool has connectTimeoutMs there; a host's pool may have 0 (wait for ever).
  const answerTimeoutMs = pool.options.connectionTimeoutMillis || DEFAULT_CONNECT_TIMEOUT_MS;
  // The bookkeeping pool: the same server and settings, its commits not waiting for the WAL flush
  // (with 'all', waiting like every other). With 'all' on hookwork's own pool there is no need of
  // a second pool; on the host's pool there is, for the lookups (PostgresConnection's `lookups`).
  // Its connects have a deadline even where the host's pool has none (node-postgres's default of 0):
  // a server gone silent held them, and the completions, log writes and stop() behind them, for ever.
  const bookkeeping =
    checked.synchronousCommit === 'all' && owned
      ? pool
      : new Pool(
          withSessionOptions(
            { ...pool.options, max: Math.max(2, Math.ceil((pool.options.max ?? 10) / 2)), connectionTimeoutMillis: answerTimeoutMs } as PoolConfig,
            seen.isolation !== undefined && seen.isolation !== 'read committed' ? READ_COMMITTED : undefined,
            checked.synchronousCommit === 'all' ? undefined : '-c synchronous_commit=off',
          ),
        );
  if (bookkeeping !== pool) bookkeeping.on('error', onPoolError);
  const connection = new PostgresConnection(pool, checked.schema, where, bookkeeping, checked.synchronousCommit === 'none' ? bookkeeping : pool, checked.synchronousCommit === 'publish', {
    database,
    role,
    answerTimeoutMs,
    // On the host's pool, a publish's lookup must not need one more of the host's connections.
    lookups: owned ? pool : bookkeeping,
  });
  const listener = new PostgresListener({ ...pool.options, application_name: 'hookwork-listen' } as ClientConfig, connection.channel, logger, where, answerTimeoutMs, context.backgroundError);
  watchSchemaVersion(listener, connection, pool, checked.schema, where, logger, context.backgroundError);
  const queue = new PostgresRequestQueue(connection, listener);
  const webhooks = new PostgresWebhookRepository(connection, listener);
  const health = new PostgresWebhookHealthStore(connection, listener);
  let closed = false;
  return {
    schema: checked.schema,
    // The random UUID the schema was given with its tables (migration 7), so the id follows the data
    // through pg_upgrade, a restore into another cluster, a failover and any host name. The former
    // ids are what builds before recorded for the schema where it is now: the server (see
    // serverIdentity), database and schema, and before that database and schema alone (ambiguous
    // between servers): a queue recorded with one is taken over once.
    ...(storeId === undefined
      ? {}
      : { id: `postgres:${storeId}`, formerIds: [`postgres:${server}/${database}/${checked.schema}`, `postgres:${database}/${checked.schema}`] }),
    pool,
    get listening() {
      return listener.listening;
    },
    webhooks,
    queue,
    deliveryLog: new PostgresDeliveryLog(connection),
    health,
    async close() {
      if (closed) return;
      closed = true;
      queue.stopWatching();
      await queue.close();
      webhooks.close();
      health.close();
      await listener.close();
      stopListening();
      // A server gone silent never closes its side: the sockets are dropped after answerTimeoutMs.
      if (bookkeeping !== pool) await endPool(bookkeeping, answerTimeoutMs);
      if (owned) await endPool(pool, answerTimeoutMs);
      await connection.settled();
    },
  };
}

/**
 * Adds a store's `error` listener to a pool with room for it in the pool's listener limit, and
 * returns what takes both back. On a host's pool shared by several apps (a schema per tenant) each
 * app adds one; counted against the host's limit (10 by default), the eleventh app made Node warn
 * of a possible memory leak in the host's pool (MaxListenersExceededWarning) — a false alarm, and
 * one that hid a real leak of the host's. A limit of 0 (none) is left as it is.
 */
function listenForErrors(pool: Pool, listener: (error: Error) => void): () => void {
  const limited = typeof pool.getMaxListeners === 'function' && typeof pool.setMaxListeners === 'function' && pool.getMaxListeners() !== 0;
  if (limited) pool.setMaxListeners(pool.getMaxListeners() + 1);
  pool.on('error', listener);
  let listening = true;
  return () => {
    if (!listening) return;
    listening = false;
    pool.off('error', listener);
    const max = limited ? pool.getMaxListeners() : 0;
    if (max > 1) pool.setMaxListeners(max - 1);
  };
}

/**
 * What the PostgreSQL store can do: any number of processes on any number of machines share it
 * (SKIP LOCKED claims under leases, renewed while attempts run), LISTEN/NOTIFY wakes them,
 * `publish(…, { transaction: client })` enqueues in the host's own transaction, and webhook
 * health is shared, and FIFO webhooks get one head of their line at a time, in enqueue order.
 */
export const POSTGRES_CAPABILITIES: StorageCapabilities = Object.freeze({ transactionalEnqueue: true, leaseRenewal: true, shared: true, crossProcessWake: true, fifo: true, webhookHealth: true });

/**
 * The PostgreSQL backend: webhooks, the request queue, the delivery log and webhook health in
 * one schema, shared by every app instance on the database; the transactional outbox.
 *
 * ```ts
 * const app = createHookwork({ composers, storage: postgresStorage({ connectionString: process.env.DATABASE_URL }) });
 * await app.start(); // connects and migrates; coded HOOKWORK_ERR_STORAGE_* errors here, not later
 *
 * const client = await pool.connect();
 * await client.query('BEGIN');
 * await client.query('UPDATE pages SET …');
 * await app.publish(new ContentPublishedNotification(page), { transaction: client });
 * await client.query('COMMIT'); // the webhooks go out after this, and only if it commits
 * ```
 *
 * Options are checked at once (a bad one throws HOOKWORK_ERR_INVALID_STORAGE_OPTIONS); the
 * database is reached by `open()`, which the app calls at start.
 */
export function postgresStorage(options: PostgresStorageOptions): StorageBackend<PostgresTransaction> {
  // The copy checked now is the one start() opens: a getter is not asked again then.
  options = readOptions(options);
  checkOptions(options);
  return {
    name: 'postgres',
    capabilities: POSTGRES_CAPABILITIES,
    open(context: StorageContext): Promise<PostgresStorage> {
      return openPostgresStorage(options, context);
    },
  };
}
