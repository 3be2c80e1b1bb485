import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
// The type is imported by name, not as `Database.Database` off the default import, so the .d.ts
// needs no esModuleInterop in a CommonJS host (better-sqlite3's types are `export =`).
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { HookworkError, isHookworkError, isPlainObject, objectKind, readOrRefuse, shownValue, systemClock, type Storage, type StorageBackend, type StorageCapabilities, type StorageContext, unknownOption } from '@hookwork/core';
import { makeDirectory } from './make-directory';
import { migrate, readSchema, refuseForeignTables, refuseSchemaTooNew, SCHEMA_VERSION } from './schema';
import { SqliteCheckpointer } from './sqlite-checkpointer';
import { LOCK_SPIN_MS, SqliteConnection } from './sqlite-connection';
import { SqliteDeliveryLog } from './sqlite-delivery-log';
import { PAUSED_HOLDER, refuseUnwritable, toStorageError } from './sqlite-errors';
import { holdFile, refuseForeignWal, refuseNonFile } from './sqlite-file-checks';
import { SqliteFileIdentity } from './sqlite-file-identity';
import { SqliteRequestQueue } from './sqlite-request-queue';
import { SqliteWebhookHealthStore } from './sqlite-webhook-health-store';
import { SqliteWebhookRepository } from './sqlite-webhook-repository';

/**
 * The size a `-wal` file is cut back to when SQLite starts it over, bytes (`journal_size_limit`).
 * Above the WAL a busy store reaches in steady work (about 45 MB: the checkpoint thread's backstop
 * is 10,000 pages), so the cut happens only after a long reader made it grow.
 */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** Options of {@link sqliteStorage}. */
export interface SqliteStorageOptions {
  /**
   * The database file, e.g. `./data/hookwork.db`. Created when missing; its directory must exist
   * (or set `createDirectory`). `:memory:`: a database in this process's memory, new at every open
   * (tests); such a store has no `Storage.id`, so BullMQ cannot tell two such apps on one queue apart.
   * Anything else is a path, never an SQLite URI: `file::memory:` is a file of that name (an empty
   * path, SQLite's temporary database, is refused).
   */
  file: string;
  /**
   * How long a write waits for another connection's lock before failing with
   * HOOKWORK_ERR_STORAGE_LOCKED (ms). Default 5000. The wait does not block the event loop: the
   * write is tried again on a timer (responses and requests are handled meanwhile), and so is
   * the open at an app's `start()` (opening and migrating the file). Only
   * {@link openSqliteStorage}, which is synchronous, waits synchronously.
   */
  busyTimeoutMs?: number;
  /**
   * SQLite's `synchronous` setting in WAL mode. `normal` (default): a committed write survives
   * the process crashing or being killed; a power loss or OS crash may lose the last commits
   * (never corrupting the file). `full`: commits also survive power loss, at the cost of an
   * fsync per commit.
   */
  synchronous?: 'normal' | 'full';
  /**
   * Where SQLite's WAL checkpoints run (copying committed pages from the `-wal` file into the
   * database file, with an fsync). `background` (default): on a worker thread with a connection of
   * its own, started once the store has made a few hundred commits, so no publish or response
   * waits for a checkpoint; the main connection still checkpoints itself past 10,000 WAL pages
   * (about 40 MB) should the thread fall behind. `inline`: SQLite's default, the commit that
   * crosses 1000 WAL pages checkpoints before it returns (no extra thread).
   */
  checkpoint?: 'background' | 'inline';
  /** Create the file's directory (recursively) when it is missing. Default false; anything but a boolean (`'false'` from the environment) is HOOKWORK_ERR_INVALID_STORAGE_OPTIONS. */
  createDirectory?: boolean;
  /**
   * How often the queue's `watch()` checks for commits by other processes, so a dispatcher
   * wakes for requests they enqueued (ms). Default 250.
   */
  watchIntervalMs?: number;
}

/** An opened SQLite store: the three ports, plus what is useful to know about the file. */
export interface SqliteStorage extends Storage {
  /** The absolute path of the database file. */
  readonly file: string;
  /** The underlying better-sqlite3 connection, for diagnostics; hookwork owns its transactions. */
  readonly database: Database;
}

const KNOWN_OPTIONS: readonly string[] = ['file', 'busyTimeoutMs', 'synchronous', 'createDirectory', 'watchIntervalMs', 'checkpoint'] satisfies (keyof SqliteStorageOptions)[];

function checkOptions(options: SqliteStorageOptions): Required<SqliteStorageOptions> {
  const bad = (what: string) => new HookworkError('HOOKWORK_ERR_INVALID_STORAGE_OPTIONS', `sqliteStorage(): ${what}`);
  // Read once: a getter or Proxy trap that throws is refused naming it, and the file checked is the file opened.
  options = readOrRefuse(options, (path, problem) => bad(`${path ? `\`${path}\`` : 'the options'} ${problem}`), 1);
  if (!isPlainObject(options)) throw bad(`takes a plain options object, e.g. sqliteStorage({ file: "./data/hookwork.db" })${options !== null && typeof options === 'object' ? `; got ${objectKind(options)}` : ''}`);
  // A misspelt or invented option (say `wal: false` from plain JS) would otherwise be ignored silently.
  const unknown = unknownOption(options, KNOWN_OPTIONS);
  if (unknown) throw bad(unknown.text);
  if (typeof options.file !== 'string' || options.file.trim() === '') throw bad('`file` must be the path of the database file, e.g. "./data/hookwork.db"');
  // The native open stops at U+0000: "a.db\0A" and "a.db\0B" both opened a.db.
  if (options.file.includes('\0')) throw bad(`\`file\` holds U+0000 (NUL) at character ${options.file.indexOf('\0') + 1}, where the operating system's path would end (the rest would be dropped silently); remove it`);
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0 || busyTimeoutMs > 2 ** 31 - 1) throw bad(`\`busyTimeoutMs\` must be a whole number of milliseconds >= 0; got ${shownValue(options.busyTimeoutMs)}`);
  const synchronous = options.synchronous ?? 'normal';
  if (synchronous !== 'normal' && synchronous !== 'full') throw bad(`\`synchronous\` must be "normal" or "full"; got ${shownValue(options.synchronous)}`);
  const checkpoint = options.checkpoint ?? 'background';
  if (checkpoint !== 'background' && checkpoint !== 'inline') throw bad(`\`checkpoint\` must be "background" (a worker thread, off the event loop) or "inline" (SQLite's default); got ${shownValue(options.checkpoint)}`);
  // A string from the environment ("false", "no") is truthy: it created the directories it was meant not to.
  if (options.createDirectory !== undefined && typeof options.createDirectory !== 'boolean') throw bad(`\`createDirectory\` must be true or false; got ${shownValue(options.createDirectory)}`);
  const watchIntervalMs = options.watchIntervalMs ?? 250;
  if (!Number.isInteger(watchIntervalMs) || watchIntervalMs < 10) throw bad(`\`watchIntervalMs\` must be a whole number of milliseconds >= 10; got ${shownValue(options.watchIntervalMs)}`);
  return { file: options.file, busyTimeoutMs, synchronous, checkpoint, createDirectory: options.createDirectory ?? false, watchIntervalMs };
}

/**
 * Opens (creating or migrating) a store synchronously. Throws coded errors: the path cannot be
 * opened (OPEN_FAILED), the file is not a database (CORRUPT), another program holds its lock past
 * the busy timeout (LOCKED), a newer hookwork wrote it (SCHEMA_TOO_NEW). Waits for a lock
 * synchronously, blocking the event loop up to `busyTimeoutMs`; an app's start (the backend of
 * {@link sqliteStorage}) waits on a timer instead.
 */
export function openSqliteStorage(options: SqliteStorageOptions, context: Partial<StorageContext> = {}): SqliteStorage {
  return openStore(checkOptions(options), context);
}

/**
 * Opens a store as {@link openSqliteStorage} does; `lockWaitMs` is how long SQLite itself waits
 * (synchronously) for another connection's lock, the whole busy timeout unless a caller retries.
 */
function openStore(checked: Required<SqliteStorageOptions>, context: Partial<StorageContext>, lockWaitMs = checked.busyTimeoutMs): SqliteStorage {
  const { file: given, busyTimeoutMs, synchronous, checkpoint, createDirectory, watchIntervalMs } = checked;
  const inMemory = given === ':memory:';
  const file = inMemory ? given : resolve(given);
  const opening = (doing: string, error: unknown) => toStorageError(error, { file, busyTimeoutMs, doing, opening: true });

  if (!inMemory) {
    const directory = dirname(file);
    if (createDirectory) {
      try {
        makeDirectory(directory);
      } catch (error) {
        throw new HookworkError('HOOKWORK_ERR_STORAGE_OPEN_FAILED', `the directory ${directory} of the SQLite store could not be created (${(error as Error).message}); choose a path whose parent is a writable directory`, { cause: error });
      }
    }
    let isDirectory: boolean | undefined;
    try {
      isDirectory = statSync(directory).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new HookworkError(
        'HOOKWORK_ERR_STORAGE_OPEN_FAILED',
        code === 'ENOENT'
          ? `the directory ${directory} of the SQLite store ${file} does not exist; create it first or pass createDirectory: true`
          : `the directory ${directory} of the SQLite store ${file} cannot be used (${code}): a part of the path is not a directory`,
        { cause: error },
      );
    }
    if (!isDirectory) throw new HookworkError('HOOKWORK_ERR_STORAGE_OPEN_FAILED', `the SQLite store ${file} cannot be created: ${directory} is a file, not a directory; choose another path`);
    refuseNonFile(file);
    refuseForeignWal(file);
    if (existsSync(file)) refuseUnwritable(file);
  }

  let db: Database;
  try {
    // The migration below waits for the write lock here: the whole busy timeout when the caller
    // opens synchronously, a short spin when it retries on a timer; the short one once open (see SqliteConnection).
    db = new BetterSqlite3(file, { timeout: lockWaitMs });
  } catch (error) {
    throw opening('opening the file', error);
  }
  let doing = 'reading its schema';
  let ids: { id?: string; formerIds?: readonly string[] };
  try {
    // Before the switch to WAL below, which changes the file: a refused one is left as it was.
    if (!inMemory) refuseForeignTables(db, file);
    // A newer build's store this one may not open: refused before the switch too (a VACUUM INTO copy is in rollback mode).
    refuseSchemaTooNew(readSchema(db), file);
    // WAL lets readers and one writer work at once, and a killed process never leaves a half-written commit.
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (!inMemory && mode !== 'wal') {
      context.logger?.warn(`the SQLite store ${file} could not switch to WAL mode (it is in ${String(mode)} mode); another program may have it open in exclusive locking mode`);
    }
    db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    // SQLite never gives back the room a -wal file took: once a long read transaction (a DB browser
    // left open, a backup) held checkpoints back, the file kept its peak size (800 MB after 30,000
    // publishes) for as long as any connection had the store open. With a limit, the writer that
    // starts the WAL over cuts it back to this size.
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    // SQLite's temporary files — the statement and savepoint journals, sorts — in memory. By
    // default a journal past 64 KiB spills into a file of its own in SQLITE_TMPDIR, TMPDIR,
    // /var/tmp or /tmp: a group commit's claim or completion rewrites pages its publishes dirtied,
    // so at load one such file was created, written and unlinked every 20-40 deliveries; and where
    // only the store's directory is writable (a container's read-only root filesystem) the write
    // would fail. They stay small: a journal holds the pages one transaction rewrites.
    db.pragma('temp_store = MEMORY');
    const { from, to, newer, storeId, storeIdMade } = migrate(db, file, (context.clock ?? systemClock).now());
    ids = inMemory ? {} : storeIds(file, storeId);
    // SQLite opens a file this process may not write read-only without a word (better-sqlite3's
    // `readonly` reports the option, not that), and a migration with nothing to do writes nothing:
    // the first write would fail long after start. A statement that writes (and changes no row)
    // is refused now with SQLITE_READONLY, HOOKWORK_ERR_STORAGE_PERMISSION_DENIED.
    doing = 'checking that the file is writable';
    db.prepare('UPDATE hookwork_schema SET version = version WHERE 0').run();
    doing = 'reading its schema';
    db.pragma(`busy_timeout = ${Math.min(LOCK_SPIN_MS, busyTimeoutMs)}`);
    if (newer) {
      context.logger?.warn(
        `opened the SQLite store ${file} at schema ${newer.version}, newer than this @hookwork/sqlite's ${SCHEMA_VERSION}, without migrating: the build that wrote it lets versions that know schema ${newer.compatibleFrom} or later open it. Upgrade this instance when you can`,
      );
    } else {
      context.logger?.info(`${from === to ? `opened the SQLite store ${file} (schema ${to})` : `opened the SQLite store ${file}, migrated its schema from ${from} to ${to}`}${ids.id === undefined ? '' : `; its id is ${ids.id}`}`);
    }
    // Only an emptied store_id (0 → 10 or 9 → 10 make one with the schema, said above).
    if (storeIdMade && from === to && !inMemory) context.logger?.warn(`the SQLite store ${file} had no id (hookwork_schema.store_id was empty): it was given a new one, ${ids.id}, so a BullMQ queue that recorded the one it had refuses its apps (as it should for a copy run as a second store)`);
  } catch (error) {
    db.close();
    throw opening(doing, error);
  }

  let identity: SqliteFileIdentity | undefined;
  try {
    identity = SqliteFileIdentity.of(file, (error) => context.logger?.error(error.message, { error }));
  } catch (error) {
    db.close();
    throw opening('reading the file\'s identity (its device and inode)', error);
  }
  const checkpointer =
    checkpoint === 'background' && !inMemory
      ? new SqliteCheckpointer({ file, busyTimeoutMs, synchronous, logger: context.logger, backgroundError: context.backgroundError, setAutocheckpoint: (pages) => void (db.open && db.pragma(`wal_autocheckpoint = ${pages}`)) })
      : undefined;
  const connection = new SqliteConnection(db, file, busyTimeoutMs, checkpointer && (() => checkpointer.noteCommit()), identity);
  const queue = new SqliteRequestQueue(connection, watchIntervalMs);
  const releaseFile = inMemory ? undefined : holdFile(file);
  return {
    file,
    ...ids,
    database: db,
    webhooks: new SqliteWebhookRepository(connection),
    queue,
    deliveryLog: new SqliteDeliveryLog(connection),
    health: new SqliteWebhookHealthStore(connection),
    async close() {
      queue.stopWatching();
      // Writes waiting for the turn's group commit are committed (and their promises settled) first.
      if (db.open) await connection.settle();
      await checkpointer?.close();
      if (db.open) db.close();
      releaseFile?.();
    },
  };
}

/**
 * The store's `Storage.id` and `formerIds`. The id is `sqlite:` and the random UUID the store was
 * given with its schema (migration 10, `hookwork_schema.store_id`): it goes with the data, so a file
 * moved, renamed, restored elsewhere or reached through a link, another mount or a container's own
 * path is the same store. It used to be the file's real path, which changed with each of those (the
 * store's apps then refused by their own BullMQ queue). The prefix names the backend in the message
 * of a refused start, and no path id of before can be equal to it (those go on with a `/`).
 * A copy of the file is the same store too, until given an id of its own (docs/storage.md).
 *
 * `formerIds` are the ids builds before gave the file where it is now, so a queue one of them
 * recorded is taken over: the operating system's real path (`realpathSync.native`, which spells each
 * part as the directory has it) and Node's JavaScript realpath (the case as written). A `:memory:`
 * store has none: each open is a database of its own that no other process can open, so there is
 * nothing for a queue engine to recognise at the next start.
 */
function storeIds(file: string, storeId: string | undefined): { id?: string; formerIds?: readonly string[] } {
  // Only a newer build's store could lack one (this build makes it with the schema).
  if (storeId === undefined) return {};
  return { id: `sqlite:${storeId}`, formerIds: [...new Set([`sqlite:${realpathSync.native(file)}`, `sqlite:${realpathSync(file)}`])] };
}

/**
 * What the SQLite store can do: several processes on one machine share the file (claims under
 * `BEGIN IMMEDIATE`, leases renewed while attempts run, `watch()` by `PRAGMA data_version`, FIFO
 * lines, webhook health); it cannot join a host's transaction (better-sqlite3 is synchronous,
 * see enqueue()).
 */
export const SQLITE_CAPABILITIES: StorageCapabilities = Object.freeze({ transactionalEnqueue: false, leaseRenewal: true, shared: true, crossProcessWake: true, fifo: true, webhookHealth: true });

/** SQLite's `:memory:`: what the file can do, in a database the process's exit takes with it (see StorageCapabilities.volatile). */
const SQLITE_MEMORY_CAPABILITIES: StorageCapabilities = Object.freeze({ ...SQLITE_CAPABILITIES, volatile: true });

/**
 * The embedded durable backend: webhooks, the request queue and the delivery log in one SQLite
 * file (WAL mode), shared safely by several processes on one machine.
 *
 * ```ts
 * const app = createHookwork({ composers, storage: sqliteStorage({ file: './data/hookwork.db' }) });
 * await app.start(); // opens the file; coded HOOKWORK_ERR_STORAGE_* errors here, not later
 * ```
 *
 * Options are checked at once (a bad one throws HOOKWORK_ERR_INVALID_STORAGE_OPTIONS); the file is
 * opened by `open()`, which the app calls at start.
 */
export function sqliteStorage(options: SqliteStorageOptions): StorageBackend {
  const checked = checkOptions(options);
  return {
    name: 'sqlite',
    // `:memory:` is lost at exit as the memory store is, and start() says so as it does for that one.
    capabilities: checked.file === ':memory:' ? SQLITE_MEMORY_CAPABILITIES : SQLITE_CAPABILITIES,
    open: (context: StorageContext): Promise<Storage> => openWaiting(checked, context),
  };
}

/** How long {@link openWaiting} sleeps between two tries at a locked file, ms. */
const OPEN_RETRY_MS = 20;

/**
 * Opens the store for an app's start without blocking the event loop on a lock: SQLite waits
 * synchronously in better-sqlite3, so a file another program held (an open transaction, another
 * instance migrating it) froze the process for the whole busy timeout (5 s by default) — its
 * server, timers and other stores with it. Each try waits {@link LOCK_SPIN_MS} at most; between
 * tries the loop runs. After `busyTimeoutMs` the last refusal is HOOKWORK_ERR_STORAGE_LOCKED,
 * naming the file and the wait.
 */
async function openWaiting(checked: Required<SqliteStorageOptions>, context: Partial<StorageContext>): Promise<SqliteStorage> {
  const started = Date.now();
  for (let tries = 1; ; tries++) {
    try {
      return openStore(checked, context, Math.min(LOCK_SPIN_MS, checked.busyTimeoutMs));
    } catch (error) {
      const waited = Date.now() - started;
      if (!isHookworkError(error, 'HOOKWORK_ERR_STORAGE_LOCKED')) throw error;
      if (waited >= checked.busyTimeoutMs) {
        throw new HookworkError(
          'HOOKWORK_ERR_STORAGE_LOCKED',
          `the SQLite store ${checked.file === ':memory:' ? checked.file : resolve(checked.file)} stayed locked by another connection for longer than the busy timeout (${checked.busyTimeoutMs} ms; ${tries} tries over ${waited} ms) while opening it; SQLite does not say who holds it: stop the program holding it (an open transaction, another instance migrating the file, a backup tool, a DB browser; ${PAUSED_HOLDER}; on Linux \`fuser <file>\` lists the processes that have it open) or raise busyTimeoutMs`,
          { cause: error.cause ?? error },
        );
      }
      await new Promise((resolveSleep) => setTimeout(resolveSleep, Math.min(OPEN_RETRY_MS, checked.busyTimeoutMs - waited)));
    }
  }
}
