import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { makeTempDir } from './testing/temp-dir';

// The child runs the built worker (npm test builds first; in a dev loop: npx tsc -b packages/sqlite).
const WORKER = join(__dirname, '..', 'dist', 'test-fixtures', 'full-disk-worker.js');

/** Runs the worker under a file-size limit of `kib` KiB (bash's ulimit -f); resolves with its report. */
function underFileSizeLimit(kib: number, file: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `ulimit -f ${kib} && exec "$0" "$1" "$2"`, process.execPath, WORKER, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let report: Record<string, unknown> | undefined;
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = JSON.parse(line) as Record<string, unknown>;
      if (event.type === 'done') report = event;
    });
    child.once('close', (code) => (report ? resolve(report) : reject(new Error(`the worker exited with ${code} and no report: ${errors}`))));
  });
}

describe('SQLite on a full disk (a file-size limit, for real)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.remove());

  it('refuses the publish that does not fit with a coded error naming the file, the cause and the fix, and stores nothing of it', async () => {
    const file = temp.file();
    const report = (await underFileSizeLimit(2048, file)) as { refusal?: { code: string; message: string; causeCode: string; causeMessage: string }; stored: string[]; counts: { pending: number } };
    expect(report.refusal).toMatchObject({ code: 'HOOKWORK_ERR_ENQUEUE_FAILED', causeCode: 'HOOKWORK_ERR_STORAGE' });
    // SQLite's own words ("disk I/O error") name no cause: the message says which and what to do.
    expect(report.refusal!.causeMessage).toContain(file);
    expect(report.refusal!.causeMessage).toMatch(/SQLITE_(IOERR|FULL)/);
    expect(report.refusal!.causeMessage).toMatch(/full disk.*file-size limit.*quota|disk or quota holding it is full/);
    expect(report.refusal!.causeMessage).toMatch(/free space there or lift the limit/);
    // What resolved is stored, the refused request is not.
    expect(report.stored.length).toBeGreaterThan(0);
    expect(report.counts.pending).toBe(report.stored.length);
  });
});
