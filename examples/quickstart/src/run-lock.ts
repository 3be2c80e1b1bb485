import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { HookworkError, maskUrlCredentials } from '@hookwork/core';

/** What a run holds so that no other run uses its store at the same time. */
export interface RunLock {
  /** Lets the store go; a second call does nothing. */
  release(): Promise<void>;
}

/** What a run keeps its webhooks and requests in: the SQLite data folder, or the PostgreSQL schema. */
export interface RunStore {
  dataDir: string;
  postgres?: string;
  postgresSchema: string;
  /** With --redis: the fix then names --queue too, as two runs on one queue take each other's jobs. */
  redis?: boolean;
}

/**
 * Two runs at once on one store took each other's requests: each app's dispatcher claims every
 * due request in the store, but each run allows only its own receiver's port, so the other run's
 * requests were dead-lettered as SSRF-blocked, that run waited 60 s and failed, and each run
 * deleted the other's webhook as "an earlier run's". A run therefore holds its store before its
 * app starts, and a second run on the same store is refused at once.
 *
 * Each hold is one the operating system or the server ends with the process, so a run that was
 * killed (`kill -9`) holds nothing: SQLite's exclusive lock on `<data dir>/quickstart.lock`, a
 * PostgreSQL session advisory lock on the schema. (Two runs on two stores but one BullMQ queue are
 * told apart by --queue, as the README says.)
 *
 * A server that cannot be reached is not this function's to report: the app's start names it
 * with its fix, so the hold on that server is skipped and start() fails next.
 *
 * @throws HOOKWORK_ERR_STORAGE_LOCKED naming the store, the flag and the fix, when another run holds it.
 */
export async function lockRun(store: RunStore): Promise<RunLock> {
  const queueToo = store.redis ? ' (and, as it uses --redis, a --queue of its own)' : '';
  return store.postgres ? lockSchema(store.postgres, store.postgresSchema, queueToo) : lockDataDir(store.dataDir, queueToo);
}

const inUse = (what: string, fix: string) =>
  new HookworkError('HOOKWORK_ERR_STORAGE_LOCKED', `another quickstart run is using ${what} right now: two runs on one store take each other's requests; wait for that run to end (or stop it with Ctrl-C), or ${fix}`);

function lockDataDir(dataDir: string, queueToo: string): RunLock {
  const file = join(dataDir, 'quickstart.lock');
  let db: Database.Database | undefined;
  try {
    // timeout 0: a run that holds it answers SQLITE_BUSY at once, instead of after a busy wait.
    db = new Database(file, { timeout: 0 });
    // Exclusive locking mode keeps the lock the first write takes until the connection closes,
    // which the operating system does when the process ends, however it ends.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS run (pid INTEGER NOT NULL)');
    db.exec('BEGIN EXCLUSIVE');
    db.prepare('DELETE FROM run').run();
    db.prepare('INSERT INTO run (pid) VALUES (?)').run(process.pid);
    db.exec('COMMIT');
  } catch (error) {
    db?.close();
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code)) throw inUse(`the data folder ${dataDir}`, `give this run a --data-dir of its own${queueToo}`);
    // A folder this process may not write: the store's own open says so, naming the file and the fix.
    return { release: async () => {} };
  }
  const open = db;
  return { release: async () => void (open.open && open.close()) };
}

async function lockSchema(url: string, schema: string, queueToo: string): Promise<RunLock> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch {
    // Not reachable, or the login refused: the app's start() says so, naming --postgres.
    await client.end().catch(() => {});
    return { release: async () => {} };
  }
  const locked = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [`hookwork-quickstart:${schema}`]).then(
    ({ rows }) => rows[0]?.locked === true,
    () => undefined,
  );
  if (locked === undefined) {
    await client.end().catch(() => {});
    return { release: async () => {} };
  }
  if (!locked) {
    await client.end().catch(() => {});
    throw inUse(`the schema ${schema} of PostgreSQL ${maskUrlCredentials(url)}`, `give this run a --schema of its own${queueToo}`);
  }
  let released: Promise<void> | undefined;
  return { release: () => (released ??= client.end().catch(() => {})) };
}
