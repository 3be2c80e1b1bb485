import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startWorker } from '@hookwork/core/testing';
import { makeTempDir } from './testing/temp-dir';

// The child runs the built worker (npm test builds first; in a dev loop: npx tsc -b packages/sqlite).
const WORKER = join(__dirname, '..', 'dist', 'test-fixtures', 'temp-file-worker.js');

describe('SQLite temporary files', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.remove());

  it('a store writes no file outside its own (file, -wal, -shm), not even at a group commit whose journal passes SQLite\'s spill threshold: a read-only root filesystem is enough', async () => {
    // SQLite's temporary files go to SQLITE_TMPDIR when it names a writable directory.
    const tmp = join(temp.dir, 'sqlite-tmp');
    mkdirSync(tmp);
    const worker = startWorker(WORKER, [temp.file()], { ...process.env, SQLITE_TMPDIR: tmp });
    const exit = await worker.exited;
    expect([exit, worker.stderr()]).toEqual([{ code: 0, signal: null }, '']);
    const done = worker.events.find((e) => e.type === 'done') as { claimed: number; created: string[] } | undefined;
    // The write itself happened: the claim saw the 400 publishes of its group.
    expect(done?.claimed).toBe(400);
    expect(done?.created).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
