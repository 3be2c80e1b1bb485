import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHookwork, systemClock, type Logger, type StorageContext } from '@hookwork/core';
import { contractRequest, contractWebhook, startTestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { CHECKPOINTER_AFTER_COMMITS, SqliteCheckpointer } from './sqlite-checkpointer';
import { FILE_CHECK_MS } from './sqlite-file-identity';
import { openSqliteStorage, sqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

// In WAL mode SQLite writes on to a database file unlinked or renamed over while it is open: every
// commit went to a file no other process sees and which is gone at exit, and each publish resolved.
let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.remove());

const pastCheck = () => new Promise((resolve) => setTimeout(resolve, FILE_CHECK_MS + 20));

describe('a SQLite store whose file is deleted or replaced while open', () => {
  it.each([
    ['the database file deleted (its -wal and -shm left)', (file: string) => rmSync(file)],
    ['all three files deleted (rm data/*)', (file: string) => ['', '-wal', '-shm'].forEach((suffix) => rmSync(file + suffix))],
    [
      'another file renamed over it (a backup restored in place)',
      (file: string) => {
        writeFileSync(`${file}.restored`, '');
        renameSync(`${file}.restored`, file);
      },
    ],
  ])('%s: every later write fails with HOOKWORK_ERR_STORAGE_FILE_GONE naming the file and the fix, nothing written to the old file', async (_, remove) => {
    const file = temp.file();
    const storage = openSqliteStorage({ file });
    await storage.webhooks.create(contractWebhook('w'));
    await storage.queue.enqueue([contractRequest('before')]);
    remove(file);
    await pastCheck();
    const refused = await storage.queue.enqueue([contractRequest('after')]).then(() => undefined, (error: unknown) => error as { code: string; cause?: { code: string; message: string } });
    expect(refused?.code).toBe('HOOKWORK_ERR_ENQUEUE_FAILED');
    expect(refused?.cause?.code).toBe('HOOKWORK_ERR_STORAGE_FILE_GONE');
    expect(refused?.cause?.message).toContain(`the SQLite store ${file} was deleted or replaced`);
    expect(refused?.cause?.message).toContain('Restart the app');
    await expect(storage.webhooks.create(contractWebhook('v'))).rejects.toMatchObject({ code: 'HOOKWORK_ERR_STORAGE_FILE_GONE' });
    await expect(storage.queue.claim({ owner: 'A', limit: 10, leaseMs: 1000, now: new Date() })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_STORAGE_FILE_GONE' });
    // The old file (still open here) holds nothing written after the check.
    expect(storage.database.prepare('SELECT id FROM hookwork_requests ORDER BY id').pluck().all()).toEqual(['before']);
    await storage.close();
  });

  it('an app publishing on it: publish() rejects instead of resolving for a file no one will read, and the store logs the fault once, unprompted', async () => {
    const file = temp.file();
    const errors: string[] = [];
    const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (message: string) => void errors.push(message) };
    const receiver = await startTestReceiver();
    const app = createHookwork({ composers: [thingComposer], storage: sqliteStorage({ file }), logger, settings: { period: 100, ssrf: { allowInternal: false, allow: ['127.0.0.1'] } } });
    await app.start();
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('before'));
    await app.drain();
    rmSync(file);
    // Found by the store's own look at its path (the queue's watch), before any write asks.
    for (let waited = 0; errors.length === 0 && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(errors[0]).toMatch(/^HOOKWORK_ERR_STORAGE_FILE_GONE: the SQLite store .* was deleted or replaced/);
    await expect(app.publish(new ThingHappened('after'))).rejects.toMatchObject({ code: 'HOOKWORK_ERR_ENQUEUE_FAILED', cause: { code: 'HOOKWORK_ERR_STORAGE_FILE_GONE' } });
    await app.stop();
    await receiver.close();
    expect(receiver.requests).toHaveLength(1);
    // The store says it once; the dispatcher's failed claims say it again in their own lines.
    expect(errors.filter((message) => message.startsWith('HOOKWORK_ERR_STORAGE_FILE_GONE'))).toHaveLength(1);
  });

  it('a store whose file stays in place is never refused, however long it stays open', async () => {
    const file = temp.file();
    const storage = openSqliteStorage({ file });
    await pastCheck();
    await storage.webhooks.create(contractWebhook('w'));
    await pastCheck();
    await storage.queue.enqueue([contractRequest('r')]);
    expect(await storage.queue.counts()).toEqual({ pending: 1, inFlight: 0, dead: 0 });
    await storage.close();
  });
});

describe('the checkpoint thread of a store whose file is gone', () => {
  it('does not make the file again, empty, at its path: it fails, says so, and checkpoints go back inline', async () => {
    const file = temp.file();
    const warnings: string[] = [];
    const autocheckpoint: number[] = [];
    const checkpointer = new SqliteCheckpointer({
      file,
      busyTimeoutMs: 100,
      synchronous: 'normal',
      setAutocheckpoint: (pages) => void autocheckpoint.push(pages),
      logger: { debug: () => undefined, info: () => undefined, warn: (message: string) => void warnings.push(message), error: () => undefined },
    });
    for (let i = 0; i < CHECKPOINTER_AFTER_COMMITS; i++) checkpointer.noteCommit();
    for (let waited = 0; warnings.length === 0 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    await checkpointer.close();
    expect(warnings[0]).toContain(`the SQLite store ${file} checkpoints inline from now on`);
    expect(autocheckpoint.at(-1)).toBe(1000);
    expect(existsSync(file)).toBe(false);
  });
});

// The thread's failure is the store's own, on no call of the app's: a warning alone, it was missed
// by app.lifecycle's backgroundError and hookwork_background_errors_total.
describe('the checkpoint thread failing, with the app\'s backgroundError in the store\'s context', () => {
  const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

  it('reports it once, naming the store\'s file and that checkpoints go inline, and still puts them inline', async () => {
    const file = temp.file();
    const told: { task: string; error: unknown; instead?: string }[] = [];
    const autocheckpoint: number[] = [];
    const checkpointer = new SqliteCheckpointer({
      file,
      busyTimeoutMs: 100,
      synchronous: 'normal',
      setAutocheckpoint: (pages) => void autocheckpoint.push(pages),
      logger: silent,
      backgroundError: (task, error, instead) => void told.push({ task, error, ...(instead === undefined ? {} : { instead }) }),
    });
    for (let i = 0; i < CHECKPOINTER_AFTER_COMMITS; i++) checkpointer.noteCommit();
    for (let waited = 0; told.length === 0 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    await checkpointer.close();
    expect(told).toEqual([{ task: `the checkpoint thread of the SQLite store ${file}`, error: expect.objectContaining({ code: 'SQLITE_CANTOPEN' }), instead: expect.stringContaining('the store checkpoints inline from now on') }]);
    expect(autocheckpoint.at(-1)).toBe(1000);
  });

  it('a store given the app\'s context passes it on: its file deleted before the thread starts, the thread\'s failure reaches backgroundError', async () => {
    // The store looks at its path at most every FILE_CHECK_MS, on a write: a commit right after
    // the deletion goes through and starts the thread, which opens the path and finds nothing.
    // A box paused past the look refuses that commit instead; then it is tried on a new file.
    for (let attempt = 0; ; attempt++) {
      const file = temp.file();
      const told: string[] = [];
      const context: StorageContext = { logger: silent, clock: systemClock, backgroundError: (task, error, instead) => void told.push(`${task} failed: ${(error as Error).message}; ${instead}`) };
      const storage = await sqliteStorage({ file }).open(context);
      await storage.webhooks.create(contractWebhook('w'));
      for (let i = 1; i < CHECKPOINTER_AFTER_COMMITS - 1; i++) await storage.queue.enqueue([contractRequest(`r${i}`)]);
      rmSync(file);
      const started = await storage.queue.enqueue([contractRequest('last')]).then(() => true, () => false);
      if (!started) {
        await storage.close();
        if (attempt < 4) continue;
        throw new Error('every commit after the deletion was refused: the box was paused past the look at the path each time');
      }
      for (let waited = 0; told.length === 0 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      await storage.close();
      expect(told).toHaveLength(1);
      expect(told[0]).toMatch(/; the store checkpoints inline from now on/);
      expect(told[0]!.startsWith(`the checkpoint thread of the SQLite store ${file} failed: `)).toBe(true);
      expect(existsSync(file)).toBe(false);
      return;
    }
  });
});
