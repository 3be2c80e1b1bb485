import { createHmac, randomBytes } from 'node:crypto';
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

// The store keeps an id for the retainMs complete() is given, from its own clock, and ignores
// verifiableUntil — as docs/receiver.md lets a store with expiry times do. A signed request verifies
// for whole seconds: one signed 300 s ahead of this clock (a sender's clock that runs fast) still
// verifies 600.5 s after it arrived, while the shortest retention — 600,000 ms, an unhandled id's, or
// a processed one's under retainMs: 600_000 — had run out at 600 s: a replay in that last second was
// handled. The clock is frozen (Date.now, which the receiver, the verifier and the store all read) so
// that second is hit exactly, whatever the machine's load.
describe('sqliteDedupeStore (retention from its own clock, verifiableUntil ignored) and a copy replayed in the last second it verifies', () => {
  const NOW_SECONDS = 1_795_337_400;
  let server: Server | undefined;
  afterEach(async () => {
    jest.restoreAllMocks();
    await new Promise((resolve) => (server ? (server.closeAllConnections(), server.close(resolve)) : resolve(undefined)));
    server = undefined;
  });

  async function serve(retainMs?: number): Promise<{ post: (id: string, alias: string) => Promise<string>; handled: string[] }> {
    const db = database(join(dir, `last-second-${++sequence}.db`));
    db.exec(sqliteDedupeTableDdl());
    const key = randomBytes(24);
    const handled: string[] = [];
    const receiver = createReceiver({
      secrets: `whsec_${key.toString('base64')}`,
      dedupe: { store: sqliteDedupeStore(db), ...(retainMs === undefined ? {} : { retainMs }) },
      handlers: { 'Umbraco.ContentDelete': ({ id }) => void handled.push(`delete ${id}`), 'Umbraco.ContentPublish': ({ id }) => void handled.push(`publish ${id}`) },
      onError: () => {},
    });
    server = createServer(createNodeHandler(receiver));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    // One captured request, signed 300 s ahead of the receiver's clock; the event header is not signed.
    const timestamp = String(NOW_SECONDS + 300);
    const body = '{"id":"doc-1"}';
    const post = async (id: string, alias: string) => {
      const signature = `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
      const response = await fetch(url, { method: 'POST', headers: { 'hookwork-event': alias, 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature }, body });
      return ((await response.json()) as { outcome: string }).outcome;
    };
    return { post, handled };
  }

  it('an unhandled id: replayed under a handled alias, it is a duplicate — not a delete', async () => {
    const clock = jest.spyOn(Date, 'now').mockReturnValue(NOW_SECONDS * 1000);
    const { post, handled } = await serve();
    expect(await post('msg_last_second_unhandled', 'Umbraco.MediaSave')).toBe('unhandled');
    clock.mockReturnValue(NOW_SECONDS * 1000 + 600_500);
    expect(await post('msg_last_second_unhandled', 'Umbraco.ContentDelete')).toBe('duplicate');
    expect(handled).toEqual([]);
  });

  it('a processed id under the shortest retainMs a signed receiver takes (600,000): replayed, it is a duplicate — not handled twice', async () => {
    const clock = jest.spyOn(Date, 'now').mockReturnValue(NOW_SECONDS * 1000);
    const { post, handled } = await serve(600_000);
    expect(await post('msg_last_second_processed', 'Umbraco.ContentPublish')).toBe('processed');
    clock.mockReturnValue(NOW_SECONDS * 1000 + 600_500);
    expect(await post('msg_last_second_processed', 'Umbraco.ContentPublish')).toBe('duplicate');
    expect(handled).toEqual(['publish msg_last_second_processed']);
  });
});
