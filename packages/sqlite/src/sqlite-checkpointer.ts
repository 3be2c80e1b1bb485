import { Worker } from 'node:worker_threads';
import type { Logger } from '@hookwork/core';

/**
 * The checkpointer thread's code: its own connection to the file, a PASSIVE checkpoint every
 * `intervalMs`. A PASSIVE checkpoint never takes the write lock and never waits for readers, so
 * the main connection keeps committing while it copies WAL frames into the database file — and
 * the fsyncs of the checkpoint (the only ones `synchronous: 'normal'` makes) happen here.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: workerData.busyTimeoutMs });
db.pragma('synchronous = ' + workerData.synchronous);
let failed = false;
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
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
  db.close();
  parentPort.close();
});
`;

/** After this many commits a store starts its checkpointer: short-lived stores (tools, tests) never start a thread. */
export const CHECKPOINTER_AFTER_COMMITS = 200;
/** How often the checkpointer thread checkpoints, ms. */
export const CHECKPOINT_INTERVAL_MS = 100;
/**
 * The main connection's own automatic checkpoint once the thread runs, in pages (4 KiB each): a
 * backstop, reached only when the thread cannot keep up (SQLite's default is 1000).
 */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 10_000;

/**
 * Runs SQLite's WAL checkpoints on a worker thread with a connection of its own, off the event
 * loop: inline, a commit that crosses 1000 WAL pages copies them into the database file and
 * fsyncs it before returning, several ms during which no response or publish is handled — the
 * largest share of publish → arrival p99 at a steady rate.
 */
export class SqliteCheckpointer {
  private worker: Worker | undefined;
  private commits = 0;
  private closed = false;

  constructor(
    private readonly options: { file: string; busyTimeoutMs: number; synchronous: 'normal' | 'full'; setAutocheckpoint: (pages: number) => void; logger?: Logger },
  ) {}

  /** Counts a commit of the main connection; starts the thread at {@link CHECKPOINTER_AFTER_COMMITS}. */
  noteCommit(): void {
    if (this.worker || this.closed || ++this.commits < CHECKPOINTER_AFTER_COMMITS) return;
    try {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { driver: require.resolve('better-sqlite3'), file: this.options.file, busyTimeoutMs: this.options.busyTimeoutMs, synchronous: this.options.synchronous.toUpperCase(), intervalMs: CHECKPOINT_INTERVAL_MS },
      });
      // A store left open must not keep the process alive.
      worker.unref();
      worker.on('message', (message: { error?: string }) => {
        if (message.error) this.options.logger?.warn(`the background checkpoint of the SQLite store ${this.options.file} failed (${message.error}); it is tried again, and the store checkpoints inline past ${BACKSTOP_AUTOCHECKPOINT_PAGES} WAL pages`);
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
    this.options.logger?.warn(`the SQLite store ${this.options.file} checkpoints inline from now on: its checkpoint thread failed (${(error as Error)?.message ?? error})`);
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
