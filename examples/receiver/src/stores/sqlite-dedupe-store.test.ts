import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createNodeHandler, createReceiver } from '@hookwork/receiver';
import { describeDedupeStoreContract } from '@hookwork/receiver/testing';
import { signedSender } from './test-support/send-signed';
import { sqliteDedupeStore, sqliteDedupeTableDdl } from './sqlite-dedupe-store';

// Against a real SQLite file in a temp folder of this file's own, removed at the end.
const dir = mkdtempSync(join(tmpdir(), 'hookwork-receiver-sqlite-'));
const open: Database.Database[] = [];
let sequence = 0;

function database(file: string, timeout = 1_000): Database.Database {
  const db = new Database(file, { timeout });
  db.pragma('journal_mode = WAL');
  open.push(db);
  return db;
}

afterAll(() => {
  for (const db of open.splice(0)) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describeDedupeStoreContract('sqlite', async () => {
  const file = join(dir, `contract-${++sequence}.db`);
  const db = database(file);
  db.exec(sqliteDedupeTableDdl());
  // A second worker's connection to the same file: claims are raced across the two.
  return { store: sqliteDedupeStore(db), sibling: sqliteDedupeStore(database(file)) };
}, { shared: true });

describe('sqliteDedupeStore while another connection holds the file locked', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? (server.closeAllConnections(), server.close(resolve)) : resolve(undefined)));
    server = undefined;
  });

  it('answers 503 with Retry-After once the busy timeout runs out (SQLITE_BUSY), handles nothing, and processes the retry once the lock is gone', async () => {
    const file = join(dir, 'locked.db');
    // A short busy timeout, as the store's docs ask: better-sqlite3 waits synchronously.
    const db = database(file, 100);
    db.exec(sqliteDedupeTableDdl());
    const locker = database(file);
    const handled: string[] = [];
    const errors: string[] = [];
    const key = randomBytes(24);
    const receiver = createReceiver({
      secrets: `whsec_${key.toString('base64')}`,
      retryAfterSeconds: 1,
      dedupe: { store: sqliteDedupeStore(db) },
      handle: ({ id }) => void handled.push(id),
      onError: (error) => void errors.push((error as { code?: string }).code ?? ''),
    });
    server = createServer(createNodeHandler(receiver));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const send = signedSender(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, key);
    const id = `msg_sqlite_locked_${process.pid}`;
    locker.exec('BEGIN IMMEDIATE'); // another writer holds the write lock
    try {
      expect(await send(id)).toEqual({ status: 503, retryAfter: '1', body: { outcome: 'failed', id, error: { code: 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE' } } });
      expect(errors).toEqual(['RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE']);
      expect(handled).toEqual([]);
    } finally {
      locker.exec('ROLLBACK');
    }
    expect(await send(id)).toEqual({ status: 200, retryAfter: null, body: { outcome: 'processed', id } });
    expect(await send(id)).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
    expect(handled).toEqual([id]);
  });
});
