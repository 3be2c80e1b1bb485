import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { contractRequest } from '@hookwork/core/testing';
import { openSqliteStorage, WAL_SIZE_LIMIT_BYTES } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.remove());

describe('the -wal file of a SQLite store', () => {
  it('is cut back to WAL_SIZE_LIMIT_BYTES once a long read transaction that made it grow has ended (it kept its peak size while the store was open)', async () => {
    const file = temp.file();
    const storage = openSqliteStorage({ file });
    const walSize = () => statSync(`${file}-wal`).size;
    // Another program's read transaction (a DB browser left open): no checkpoint may pass it, so
    // every commit adds to the -wal file.
    const browser = new Database(file);
    browser.exec('BEGIN');
    browser.prepare('SELECT count(*) FROM hookwork_requests').get();
    const body = 'x'.repeat(2000);
    let n = 0;
    while (walSize() <= WAL_SIZE_LIMIT_BYTES * 1.25) await storage.queue.enqueue([contractRequest(`r${n++}`, { body })]);
    browser.exec('COMMIT');
    browser.close();
    // Checkpoints (the thread's, once a second or per 1,000 commits) now copy everything, and the
    // writer that starts the WAL over cuts it back.
    for (let i = 0; walSize() > WAL_SIZE_LIMIT_BYTES && i < 600; i++) {
      await storage.queue.enqueue([contractRequest(`s${i}`, { body })]);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(walSize()).toBeLessThanOrEqual(WAL_SIZE_LIMIT_BYTES);
    expect((await storage.queue.counts()).pending).toBeGreaterThan(n);
    await storage.close();
  });
});
