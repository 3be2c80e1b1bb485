import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { type ChildProcess, spawn } from 'node:child_process';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createHookwork, type StorageContext } from '@hookwork/core';
import { contractRequest, startTestReceiver, type TestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { openSqliteStorage, sqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

/**
 * Backup and restore as docs/storage.md ("Backing up and restoring a SQLite store") tells an operator to do them: a
 * backup taken with `VACUUM INTO` while apps write the file, and a restore made with every process
 * stopped and the old `-wal` and `-shm` removed first (a `-wal` a killed process left is otherwise
 * replayed onto the restored file: seen to corrupt it).
 */
let temp: ReturnType<typeof makeTempDir>;
let receiver: TestReceiver | undefined;
beforeEach(() => (temp = makeTempDir()));
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  temp.remove();
});

/** `VACUUM INTO` from a connection of its own, as `sqlite3 <file> "VACUUM INTO '<copy>'"` does. */
function vacuumInto(file: string, copy: string): void {
  const tool = new Database(file);
  try {
    tool.prepare('VACUUM INTO ?').run(copy);
  } finally {
    tool.close();
  }
}

/** A process publishing to `file` until killed, one request per commit; resolves once it has committed a few. */
async function startWriter(file: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const { openSqliteStorage } = require(${JSON.stringify(join(__dirname, '..', 'dist', 'index.js'))});
       const s = openSqliteStorage({ file: process.argv[1] });
       (async () => {
         for (let i = 0; ; i++) {
           await s.queue.enqueue([{ id: 'writer' + i, webhookKey: 'w', eventAlias: 'e', body: '{}', createdAt: new Date(), dueAt: new Date(Date.now() + 3600000) }]);
           if (i === 20) process.stdout.write('writing\\n');
           if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
         }
       })();`,
      file,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve) => child.stdout!.once('data', resolve));
  return child;
}

describe('a SQLite store backed up with VACUUM INTO while an app runs on it and another process writes it', () => {
  it('gives one self-contained file, whole, holding every request published before it began, with the store id', async () => {
    const file = temp.file();
    // The receiver holds its requests: each published request stays in the queue, in flight or pending
    // (a delivered one leaves it before its log row is written, up to 30 ms later).
    const held: ServerResponse[] = [];
    receiver = await startTestReceiver((_request, res) => void held.push(res));
    const app = createHookwork({ composers: [thingComposer], storage: sqliteStorage({ file }), settings: { ssrf: { allow: ['127.0.0.1'] }, concurrency: { global: 2, perWebhook: 2 }, stopTimeout: 200 } });
    await app.start();
    const writer = await startWriter(file);
    try {
      await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      for (let i = 0; i < 200; i++) await app.publish(new ThingHappened(`before${i}`));
      // The app's requests (the writer's are of no webhook: the app's cleanup round may drop them meanwhile).
      const appRequests = `SELECT count(*) FROM hookwork_requests WHERE webhook_key != 'w'`;
      const tool = openSqliteStorage({ file });
      expect(tool.database.prepare(appRequests).pluck().get()).toBe(200);
      // As docs/storage.md gives it from code: on a connection of a script's own.
      const copy = temp.file('backup.db');
      tool.database.prepare('VACUUM INTO ?').run(copy);

      expect(existsSync(`${copy}-wal`)).toBe(false);
      const check = new Database(copy, { readonly: true });
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(check.prepare(appRequests).pluck().get()).toBe(200);
      check.close();

      // The copy opens as the same store (docs: a copy is the same store until its id is emptied).
      const restored = openSqliteStorage({ file: copy });
      expect(restored.id).toBe(tool.id);
      expect(await restored.webhooks.count()).toBe(1);
      await restored.close();
      await tool.close();
    } finally {
      writer.kill('SIGKILL');
      await new Promise((resolve) => writer.once('exit', resolve));
      await app.stop();
      for (const res of held) res.destroy();
    }
  });
});

/**
 * A store whose pages moved on from `backup` (taken with VACUUM INTO while it held 20 requests),
 * then a process killed with commits only in the -wal: what an operator finds before a restore.
 */
async function storeKilledAfterBackup(file: string, backup: string): Promise<void> {
  const seed = openSqliteStorage({ file });
  await seed.queue.enqueue(Array.from({ length: 20 }, (_, i) => contractRequest(`early${i}`)));
  await seed.close();
  vacuumInto(file, backup);
  const later = openSqliteStorage({ file });
  for (let i = 0; i < 100; i++) await later.queue.enqueue([contractRequest(`mid${i}`, { body: JSON.stringify({ text: 'z'.repeat(3000) }) })]);
  await later.close();
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const { openSqliteStorage } = require(${JSON.stringify(join(__dirname, '..', 'dist', 'index.js'))});
       const s = openSqliteStorage({ file: process.argv[1], checkpoint: 'inline' });
       s.database.pragma('wal_autocheckpoint = 0');
       (async () => {
         for (let i = 0; i < 100; i++) await s.queue.enqueue([{ id: 'late' + i, webhookKey: 'w', eventAlias: 'e', body: JSON.stringify({ text: 'y'.repeat(2000) }), createdAt: new Date(), dueAt: new Date() }]);
         process.stdout.write('ready\\n');
         setInterval(() => {}, 1000);
       })();`,
      file,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve) => child.stdout.once('data', resolve));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
}

const sha1 = (path: string) => createHash('sha1').update(readFileSync(path)).digest('hex');

describe('restoring a SQLite store over a file a killed process left with its -wal', () => {
  it('gives the backup, whole, when the old -wal and -shm are removed before the copy (as the docs say)', async () => {
    const file = temp.file();
    const backup = temp.file('backup.db');
    await storeKilledAfterBackup(file, backup);

    // The restore, every process stopped: the old -wal and -shm first, then the copy.
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
    copyFileSync(backup, file);

    const restored = openSqliteStorage({ file });
    try {
      expect(restored.database.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(await restored.queue.counts()).toEqual({ pending: 20, inFlight: 0, dead: 0 });
      expect(await restored.queue.get('late0')).toBeUndefined();
    } finally {
      await restored.close();
    }
  });

  it('a VACUUM INTO copy put beside the old -wal is refused at open, naming the -wal and the fix, both files left as they were (SQLite replayed the -wal onto it: a damaged store that opened)', async () => {
    const file = temp.file();
    const backup = temp.file('backup.db');
    await storeKilledAfterBackup(file, backup);
    copyFileSync(backup, file);
    const [fileBefore, walBefore] = [sha1(file), sha1(`${file}-wal`)];

    for (const open of [() => openSqliteStorage({ file }), () => sqliteStorage({ file }).open({} as StorageContext)]) {
      let error: unknown;
      try {
        await (await open()).close();
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ code: 'HOOKWORK_ERR_STORAGE_OPEN_FAILED' });
      const { message } = error as Error;
      // SQLite names the -wal after the file's real path (a temp dir may be reached through a link).
      const real = realpathSync(file);
      expect(message).toContain(`the SQLite store ${file} is not in WAL mode, yet ${real}-wal lies beside it`);
      expect(message).toContain(`stop every process using it, delete ${real}-wal and ${real}-shm`);
      expect([sha1(file), sha1(`${file}-wal`)]).toEqual([fileBefore, walBefore]);
    }

    // Done as the message says, the store opens as the backup.
    rmSync(`${file}-wal`);
    rmSync(`${file}-shm`, { force: true });
    const restored = openSqliteStorage({ file });
    expect(restored.database.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(await restored.queue.counts()).toEqual({ pending: 20, inFlight: 0, dead: 0 });
    await restored.close();
  });
});

/** What another process gets trying to take `file` in exclusive locking mode at once: 'took it', or SQLite's code. */
async function exclusiveTake(file: string): Promise<string> {
  const script = `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))});
    const db = new D(process.argv[1], { timeout: 0 });
    try { db.pragma('locking_mode = EXCLUSIVE'); db.prepare('SELECT count(*) FROM sqlite_master').get(); console.log('took it'); }
    catch (e) { console.log(e.code); } finally { db.close(); }`;
  const child = spawn(process.execPath, ['-e', script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await new Promise((resolve) => child.once('close', resolve));
  return out.trim();
}

describe('the open\'s look at the file beside a -wal, with the same file already open in this process', () => {
  it('leaves this process\'s SQLite lock on the file in place: a program in exclusive locking mode is still kept out', async () => {
    // The check reads the file's header itself. Closing any descriptor of a file drops every POSIX
    // lock this process holds on it, among them the read lock an open SQLite connection keeps in
    // WAL mode: a second store on the file (two apps in one process) dropped the first's, and a
    // program in exclusive locking mode then took the file, wrote its -wal past the -shm and deleted
    // both at its close, under the open store (seen: the writes of both lost, "disk I/O error").
    const file = temp.file();
    const first = openSqliteStorage({ file, checkpoint: 'inline' });
    await first.queue.enqueue([contractRequest('r1')]);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(32);
    const second = openSqliteStorage({ file, checkpoint: 'inline' });
    try {
      expect(await exclusiveTake(file)).toBe('SQLITE_BUSY');
      expect(await first.queue.counts()).toEqual({ pending: 1, inFlight: 0, dead: 0 });
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('leaves the host\'s own connection\'s lock in place too (the store opened in the host\'s own database file)', async () => {
    const file = temp.file();
    const host = new Database(file);
    try {
      host.pragma('journal_mode = WAL');
      host.exec('CREATE TABLE host_orders (id INTEGER PRIMARY KEY); INSERT INTO host_orders DEFAULT VALUES');
      expect(statSync(`${file}-wal`).size).toBeGreaterThan(32);
      const storage = openSqliteStorage({ file, checkpoint: 'inline' });
      try {
        expect(await exclusiveTake(file)).toBe('SQLITE_BUSY');
      } finally {
        await storage.close();
      }
      expect(await exclusiveTake(file)).toBe('SQLITE_BUSY');
    } finally {
      host.close();
    }
  });
});
