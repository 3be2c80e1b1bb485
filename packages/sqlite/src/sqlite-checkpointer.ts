import { Worker } from 'node:worker_threads';
import type { Logger } from '@hookwork/core';

/**
 * The checkpointer thread's code: its own connection to the file. Every `intervalMs` in which the
 * main connection committed, it makes those commits durable: an `fdatasync` of the `-wal` file
 * (with `synchronous: 'normal'` nothing else syncs a commit; 'full' syncs each commit itself). It
 * copies them into the database file — a PASSIVE checkpoint, which syncs the WAL, copies and syncs
 * the database file — only every `checkpointEveryMs`, or once `checkpointAfterCommits` commits
 * wait: a checkpoint that copies everything lets SQLite start the WAL over, and the first commit
 * after that start fsyncs the WAL's new header on the main thread, in a publish's or a
 * completion's commit (see SqliteCheckpointer). A PASSIVE checkpoint never takes the write lock
 * and never waits for readers, so the main connection keeps committing while it copies.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const Database = require(workerData.driver);
// fileMustExist: a file deleted under the store is not made again, empty, at its path (see SqliteFileIdentity).
const db = new Database(workerData.file, { timeout: workerData.busyTimeoutMs, fileMustExist: true });
db.pragma('synchronous = ' + workerData.synchronous);
const commits = new Int32Array(workerData.commits);
// The -wal file, opened once and kept open (SQLite takes no lock on it, so closing it later releases none of the main connection's).
let wal;
// The -wal file could not be opened: every tick with commits checkpoints, which syncs the WAL too.
let syncByCheckpoint = false;
try {
  if (workerData.syncWal) wal = fs.openSync(workerData.file + '-wal', 'r+');
} catch {
  syncByCheckpoint = true;
}
// The commits made before the thread started are synced (or copied) at its first tick.
let synced = 0;
let checkpointed = 0;
let checkpointedAt = Date.now();
let failed = false;
const timer = setInterval(() => {
  const committed = Atomics.load(commits, 0);
  if (committed === checkpointed) return;
  try {
    if (syncByCheckpoint || committed - checkpointed >= workerData.checkpointAfterCommits || Date.now() - checkpointedAt >= workerData.checkpointEveryMs) {
      db.pragma('wal_checkpoint(PASSIVE)');
      checkpointed = committed;
      checkpointedAt = Date.now();
    } else if (wal !== undefined && committed !== synced) {
      fs.fdatasyncSync(wal);
    }
    synced = committed;
    failed = false;
  } catch (error) {
    // Reported once per run of failures: a locked file is tried again at the next tick.
    if (!failed) parentPort.postMessage({ error: String((error && error.message) || error) });
    failed = true;
  }
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  if (wal !== undefined) fs.closeSync(wal);
  db.close();
  parentPort.close();
});
`;

/** After this many commits a store starts its checkpointer: short-lived stores (tools, tests) never start a thread. */
export const CHECKPOINTER_AFTER_COMMITS = 200;
/** How often the checkpointer thread makes the main connection's commits durable (the WAL's `fdatasync`), ms. */
export const CHECKPOINT_INTERVAL_MS = 100;
/**
 * The longest the checkpointer thread waits between two checkpoints while commits come, ms. Each
 * checkpoint that copies every frame lets SQLite start the WAL over, and the next commit fsyncs
 * the WAL's new header on the main thread (0.5–13 ms measured here, in a publish's or a
 * completion's commit): a checkpoint every 100 ms could put that fsync in up to ten commits a
 * second (at a steady 300 events/s, more than 1 % of the publishes, which is what a p99 reads),
 * one a second in one; and the pages a second of commits rewrites again and again (index pages,
 * the table's last page) are copied once.
 */
export const CHECKPOINT_EVERY_MS = 1000;
/**
 * Commits after which the checkpointer thread checkpoints without waiting for
 * {@link CHECKPOINT_EVERY_MS}: 3–6 WAL pages each, so the WAL stays well below
 * {@link BACKSTOP_AUTOCHECKPOINT_PAGES} at any rate.
 */
export const CHECKPOINT_AFTER_COMMITS = 1000;
/**
 * The main connection's own automatic checkpoint once the thread runs, in pages (4 KiB each): a
 * backstop, reached only when the thread cannot keep up (SQLite's default is 1000).
 */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 10_000;

/**
 * Runs SQLite's WAL checkpoints on a worker thread with a connection of its own, off the event
 * loop: inline, a commit that crosses 1000 WAL pages copies them into the database file and
 * fsyncs it before returning, several ms during which no response or publish is handled — the
 * largest share of publish → arrival p99 at a steady rate. The thread syncs the WAL every
 * {@link CHECKPOINT_INTERVAL_MS} and checkpoints every {@link CHECKPOINT_EVERY_MS} (or after
 * {@link CHECKPOINT_AFTER_COMMITS} commits), so a power loss still takes at most about the last
 * 100 ms of commits with `synchronous: 'normal'`.
 */
export class SqliteCheckpointer {
  private worker: Worker | undefined;
  private closed = false;
  /**
   * Commits of the main connection: counted towards {@link CHECKPOINTER_AFTER_COMMITS}, and read
   * by the thread to know whether there is anything to sync or copy.
   */
  private readonly committed = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    private readonly options: {
      file: string;
      busyTimeoutMs: number;
      synchronous: 'normal' | 'full';
      setAutocheckpoint: (pages: number) => void;
      logger?: Logger;
      /**
       * The app's report of a background failure (StorageContext.backgroundError), so its
       * `backgroundError` event and counter see a failed tick and a failed thread; without it (a
       * store opened outside an app) they are warnings.
       */
      backgroundError?: (task: string, error: unknown, instead?: string) => void;
    },
  ) {}

  /** Counts a commit of the main connection; starts the thread at {@link CHECKPOINTER_AFTER_COMMITS}. */
  noteCommit(): void {
    // Atomics.add answers the count before this commit (the thread only reads the counter).
    const commits = Atomics.add(this.committed, 0, 1) + 1;
    if (this.worker || this.closed || commits < CHECKPOINTER_AFTER_COMMITS) return;
    try {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          driver: require.resolve('better-sqlite3'),
          file: this.options.file,
          busyTimeoutMs: this.options.busyTimeoutMs,
          synchronous: this.options.synchronous.toUpperCase(),
          // With 'full' every commit syncs the WAL itself.
          syncWal: this.options.synchronous === 'normal',
          commits: this.committed.buffer,
          intervalMs: CHECKPOINT_INTERVAL_MS,
          checkpointEveryMs: CHECKPOINT_EVERY_MS,
          checkpointAfterCommits: CHECKPOINT_AFTER_COMMITS,
        },
      });
      // A store left open must not keep the process alive.
      worker.unref();
      worker.on('message', (message: { error?: string }) => {
        if (!message.error) return;
        const instead = `it is tried again every ${CHECKPOINT_INTERVAL_MS} ms, and the store checkpoints inline past ${BACKSTOP_AUTOCHECKPOINT_PAGES} WAL pages`;
        if (this.options.backgroundError) this.options.backgroundError(`the background checkpoint of the SQLite store ${this.options.file}`, new Error(message.error), instead);
        else this.options.logger?.warn(`the background checkpoint of the SQLite store ${this.options.file} failed (${message.error}); ${instead}`);
      });
      worker.on('error', (error) => this.fallBack(error));
      this.worker = worker;
      this.options.setAutocheckpoint(BACKSTOP_AUTOCHECKPOINT_PAGES);
    } catch (error) {
      this.fallBack(error);
    }
  }

  /** The thread failed: checkpoints go back inline, at SQLite's default size. */
  private fallBack(error: unknown): void {
    this.worker = undefined;
    this.closed = true;
    if (this.options.backgroundError) {
      this.options.backgroundError(`the checkpoint thread of the SQLite store ${this.options.file}`, error, 'the store checkpoints inline from now on (every 1000 WAL pages, in the commit that crosses them), until it is opened again');
    } else {
      this.options.logger?.warn(`the SQLite store ${this.options.file} checkpoints inline from now on: its checkpoint thread failed (${(error as Error)?.message ?? error})`);
    }
    try {
      this.options.setAutocheckpoint(1000);
    } catch {
      // The connection is closing.
    }
  }

  /** Stops the thread (after a checkpoint in progress ends). */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('close');
    const timeout = setTimeout(() => void worker.terminate(), 5000);
    await exited;
    clearTimeout(timeout);
  }
}
