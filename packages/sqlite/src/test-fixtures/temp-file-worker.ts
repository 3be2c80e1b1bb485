/**
 * A separate process for the temporary-file test: run with SQLITE_TMPDIR set to a directory of
 * its own (SQLite reads it once, when the process first opens a database), it watches that
 * directory while one event-loop turn's group commit holds 400 publishes and a claim of them (a
 * savepoint over the pages the publishes dirtied: a journal of well over SQLite's 64 KiB spill
 * threshold), then reports what was created there. Runs as built JS
 * (dist/test-fixtures/temp-file-worker.js).
 *
 *   SQLITE_TMPDIR=<dir> node temp-file-worker.js <store file>
 */
import 'reflect-metadata';
import { watch } from 'node:fs';
import { contractRequest, reportLine } from '@hookwork/core/testing';
import { openSqliteStorage } from '../sqlite-storage';

async function main(): Promise<void> {
  const file = process.argv[2]!;
  const created: string[] = [];
  const watcher = watch(process.env.SQLITE_TMPDIR!, (_event, name) => created.push(String(name)));
  const storage = openSqliteStorage({ file });
  try {
    const body = JSON.stringify({ text: 'x'.repeat(500) });
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 400; i++) writes.push(storage.queue.enqueue([contractRequest(`r${i}`, { body })], { shareCommit: true }));
    const claimed = storage.queue.claim({ owner: 'worker', limit: 400, leaseMs: 60_000, now: new Date('2031-01-01T00:00:00Z') });
    await Promise.all(writes);
    const ids = (await claimed).map((r) => r.id);
    // The watcher's events were queued by the kernel as each file was made; they are read at the
    // event loop's next poll, which a timer's turn passes through.
    await new Promise((resolve) => setTimeout(resolve, 20));
    reportLine({ type: 'done', claimed: ids.length, created });
  } finally {
    watcher.close();
    await storage.close();
  }
}

void main();
