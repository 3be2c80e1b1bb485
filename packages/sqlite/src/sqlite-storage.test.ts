import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { isHookworkError, type HookworkErrorCode, type StorageContext } from '@hookwork/core';
import { contractLogEntry, contractRequest, contractWebhook, describeErrorCatalogue } from '@hookwork/core/testing';
import { compatibleFrom, SCHEMA_COMPATIBLE_FROM, SCHEMA_VERSION } from './schema';
import { LOCK_SPIN_MS } from './sqlite-connection';
import { SQLITE_ERRORS, toStorageError } from './sqlite-errors';
import { openSqliteStorage, sqliteStorage, type SqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

describeErrorCatalogue(SQLITE_ERRORS, join(__dirname, '../../../docs/errors.md'));

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.remove());

function openError(run: () => unknown): { code: HookworkErrorCode; message: string } {
  try {
    run();
  } catch (error) {
    expect(isHookworkError(error)).toBe(true);
    return error as { code: HookworkErrorCode; message: string };
  }
  throw new Error('expected the store to refuse to open');
}

/** The statements `storage` prepares while `run` runs (those of `table`), each as its query plan. */
function watchPlans(storage: SqliteStorage, table = 'hookwork_requests'): { plansOf: (run: () => Promise<unknown>) => Promise<string[]>; restore: () => void } {
  const prepared: string[] = [];
  const prepare = storage.database.prepare.bind(storage.database);
  const spy = jest.spyOn(storage.database, 'prepare').mockImplementation(((sql: string) => (prepared.push(sql), prepare(sql))) as typeof storage.database.prepare);
  const plansOf = async (run: () => Promise<unknown>) => {
    prepared.length = 0;
    await run();
    const params = { webhookKey: 'w', deadSince: 0, limit: 1, offset: 0, ids: '["x"]', webhookKeys: '["w"]', now: 0, cut: 0, outcomes: '["dead"]', eventAlias: 'e' };
    // A statement that binds by position (the counts of one webhook) is explained with the key.
    return prepared.filter((sql) => sql.includes(table)).map((sql) => (prepare(`EXPLAIN QUERY PLAN ${sql}`).all(sql.includes('?') ? 'w' : params) as { detail: string }[]).map((r) => r.detail).join(' | '));
  };
  return { plansOf, restore: () => spy.mockRestore() };
}

describe('sqliteStorage', () => {
  it('keeps webhooks, requests and logs across close and reopen, dates to the millisecond', async () => {
    const file = temp.file();
    const first = openSqliteStorage({ file });
    const webhook = contractWebhook('w', { events: ['a', 'b'], createdAt: new Date(Date.UTC(2031, 1, 2, 3, 4, 5, 987)) });
    await first.webhooks.create(webhook);
    await first.queue.enqueue([contractRequest('r1'), contractRequest('r2', { dueAt: new Date(Date.UTC(2031, 1, 2, 3, 4, 5, 1)) })]);
    await first.queue.claim({ owner: 'A', limit: 1, leaseMs: 1000, now: new Date(Date.UTC(2030, 0, 3)) });
    await first.deliveryLog.append([contractLogEntry('l1', { webhookKey: 'w' })]);
    await first.close();

    const second = openSqliteStorage({ file });
    expect(await second.webhooks.getByAlias('b')).toEqual([webhook]);
    expect(await second.queue.counts()).toEqual({ pending: 1, inFlight: 1, dead: 0 });
    expect((await second.queue.get('r2'))!.dueAt.getTime()).toBe(Date.UTC(2031, 1, 2, 3, 4, 5, 1));
    expect((await second.queue.get('r1'))!.leaseOwner).toBe('A');
    expect((await second.deliveryLog.list({ webhookKey: 'w' })).items).toEqual([contractLogEntry('l1', { webhookKey: 'w' })]);
    await second.close();
  });

  describe('the store\'s id (Storage.id), kept in the file', () => {
    const UUID = /^sqlite:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const storedId = (store: SqliteStorage) => store.database.prepare('SELECT store_id FROM hookwork_schema').pluck().get();
    const recording = () => {
      const lines: string[] = [];
      const log = (line: string) => void lines.push(line);
      return { lines, logger: { debug() {}, info: log, warn: log, error: log } };
    };

    it('is a random id made with the schema, read at every open and through a link; another file has another; a :memory: store has none', async () => {
      const file = temp.file('store.db');
      const { lines, logger } = recording();
      const first = openSqliteStorage({ file }, { logger });
      const id = first.id!;
      expect(id).toMatch(UUID);
      expect(`sqlite:${storedId(first) as string}`).toBe(id);
      // The line at start names it: a refused BullMQ start names ids only.
      expect(lines).toEqual([expect.stringContaining(`migrated its schema from 0 to ${SCHEMA_VERSION}; its id is ${id}`)]);
      await first.close();
      symlinkSync(file, temp.file('link.db'));
      const stores = [openSqliteStorage({ file }), openSqliteStorage({ file: temp.file('link.db') }), openSqliteStorage({ file: temp.file('other.db') })];
      try {
        expect(stores.map((store) => store.id)).toEqual([id, id, expect.stringMatching(UUID)]);
        expect(stores[2]!.id).not.toBe(id);
      } finally {
        for (const store of stores) await store.close();
      }
      // Each open of :memory: is a database of its own, which nothing can open again: no identity to record.
      const memory = [openSqliteStorage({ file: ':memory:' }), openSqliteStorage({ file: ':memory:' })];
      expect(memory.map((store) => ['id' in store, 'formerIds' in store])).toEqual([[false, false], [false, false]]);
      for (const store of memory) await store.close();
    });

    it('stays the same when the file is moved and renamed (its path was the id: a moved store was refused by its own BullMQ queue); formerIds are the path ids of builds before, where it is now', async () => {
      const file = temp.file('Before.db');
      const first = openSqliteStorage({ file });
      const id = first.id;
      await first.close();
      mkdirSync(temp.file('Elsewhere'));
      // Capitals of its own: the temporary directory's random name is at times lower case
      // throughout, and the path in lower case was then the path itself (one id where two are due).
      const moved = join(temp.file('Elsewhere'), 'After.db');
      renameSync(file, moved);
      // A case-insensitive file system (macOS) answers with the directory's own spelling only
      // through the native realpath; stood in for here, as this file system keeps case.
      const native = jest.spyOn(realpathSync, 'native').mockImplementation(((path: string) => (path === moved ? moved.toLowerCase() : path)) as never);
      const again = openSqliteStorage({ file: moved });
      try {
        expect(again.id).toBe(id);
        expect(again.formerIds).toEqual([`sqlite:${moved.toLowerCase()}`, `sqlite:${moved}`]);
      } finally {
        native.mockRestore();
        await again.close();
      }
    });

    it('is given at the first start of this build to a store of the schema before (9), in the migration; opening it again keeps it', async () => {
      const file = temp.file();
      const old = openSqliteStorage({ file });
      await old.queue.enqueue([contractRequest('kept')]);
      await old.close();
      // Schema 9 as its builds left the file: no store_id column.
      const db = new Database(file);
      db.exec('BEGIN IMMEDIATE; ALTER TABLE hookwork_schema DROP COLUMN store_id; UPDATE hookwork_schema SET version = 9; COMMIT;');
      db.close();
      const { lines, logger } = recording();
      const upgraded = openSqliteStorage({ file }, { logger });
      const id = upgraded.id!;
      try {
        expect(id).toMatch(UUID);
        expect(lines).toEqual([expect.stringContaining(`migrated its schema from 9 to ${SCHEMA_VERSION}; its id is ${id}`)]);
        expect(upgraded.database.prepare('SELECT version, compatible_from FROM hookwork_schema').get()).toEqual({ version: SCHEMA_VERSION, compatible_from: SCHEMA_COMPATIBLE_FROM });
        expect(upgraded.formerIds).toEqual([`sqlite:${realpathSync(file)}`]);
        expect(await upgraded.queue.counts()).toEqual({ pending: 1, inFlight: 0, dead: 0 });
      } finally {
        await upgraded.close();
      }
      const again = openSqliteStorage({ file });
      expect(again.id).toBe(id);
      await again.close();
    });

    it('is the same in a copy of the file (documented: nothing tells a copy apart), until its store_id is emptied: its next start makes one, saying so', async () => {
      const file = temp.file('original.db');
      const original = openSqliteStorage({ file });
      const id = original.id;
      await original.close();
      copyFileSync(file, temp.file('copy.db'));
      const copy = openSqliteStorage({ file: temp.file('copy.db') });
      expect(copy.id).toBe(id);
      // docs/storage.md's line for a copy run as a second store.
      copy.database.exec('UPDATE hookwork_schema SET store_id = NULL');
      await copy.close();
      const { lines, logger } = recording();
      const renamed = openSqliteStorage({ file: temp.file('copy.db') }, { logger });
      try {
        expect(renamed.id).toMatch(UUID);
        expect(renamed.id).not.toBe(id);
        expect(lines).toContainEqual(expect.stringMatching(/had no id \(hookwork_schema\.store_id was empty\): it was given a new one, sqlite:[0-9a-f-]+, so a BullMQ queue that recorded the one it had refuses its apps/));
      } finally {
        await renamed.close();
      }
      const [originalAgain, copyAgain] = [openSqliteStorage({ file }), openSqliteStorage({ file: temp.file('copy.db') })];
      expect([originalAgain.id, copyAgain.id]).toEqual([id, renamed.id]);
      await originalAgain.close();
      await copyAgain.close();
    });
  });

  it('reads a webhook row that lacks some of its lists (written by hand, or before a field existed) with empty ones', async () => {
    const file = temp.file();
    const storage = openSqliteStorage({ file });
    const bare = { key: 'bare', url: 'https://example.com/', events: ['x'], enabled: true, createdAt: 1000, updatedAt: 1000 };
    storage.database.prepare('INSERT INTO hookwork_webhooks (key, created_at, data) VALUES (?, ?, ?)').run('bare', 1000, JSON.stringify(bare));
    storage.database.prepare("INSERT INTO hookwork_webhook_events (alias, webhook_seq) SELECT 'x', seq FROM hookwork_webhooks WHERE key = 'bare'").run();
    const expected = { ...bare, contentTypeKeys: [], headers: {}, sensitiveHeaders: [], secrets: [], createdAt: new Date(1000), updatedAt: new Date(1000) };
    expect(await storage.webhooks.getByAlias('x')).toEqual([expected]);
    expect(await storage.webhooks.get('bare')).toEqual(expected);
    await storage.close();
  });

  it('answers getByAlias afresh after a change by this store or by another connection to the file', async () => {
    const file = temp.file();
    const one = openSqliteStorage({ file });
    const other = openSqliteStorage({ file });
    const first = contractWebhook('w1', { events: ['a'], createdAt: new Date(Date.UTC(2031, 0, 1)) });
    await one.webhooks.create(first);
    expect(await one.webhooks.getByAlias('a')).toEqual([first]);
    expect(await other.webhooks.getByAlias('a')).toEqual([first]);
    // Changed through the other connection: both see it at their next lookup.
    const second = contractWebhook('w2', { events: ['a'], createdAt: new Date(Date.UTC(2031, 0, 2)) });
    await other.webhooks.create(second);
    expect(await one.webhooks.getByAlias('a')).toEqual([first, second]);
    expect(await other.webhooks.getByAlias('a')).toEqual([first, second]);
    await one.webhooks.update({ ...first, events: ['b'] });
    expect(await one.webhooks.getByAlias('a')).toEqual([second]);
    expect(await other.webhooks.getByAlias('a')).toEqual([second]);
    await other.webhooks.delete('w2');
    expect(await one.webhooks.getByAlias('a')).toEqual([]);
    expect(await other.webhooks.getByAlias('a')).toEqual([]);
    // What a caller does to the webhooks it got is not what the next caller gets.
    (await one.webhooks.getByAlias('b'))[0]!.url = 'https://changed.example/';
    expect((await one.webhooks.getByAlias('b'))[0]!.url).toBe(first.url);
    await one.close();
    await other.close();
  });

  // Publishing makes each webhook's WebhookInfo once per object these hand out: the same object
  // must come back while the webhook is unchanged, and a new one once anyone changed it.
  it('hands out the same decoded webhook from getSharedByAlias until it changes, by this store or another connection, whatever else the file sees', async () => {
    const file = temp.file();
    const one = openSqliteStorage({ file });
    const other = openSqliteStorage({ file });
    const shared = () => one.webhooks.getSharedByAlias!('a');
    const webhook = contractWebhook('w1', { events: ['a'] });
    await one.webhooks.create(webhook);
    const [first] = await shared();
    expect(first).toEqual(webhook);
    expect((await shared())[0]).toBe(first);
    // Another process's commit that changes no webhook (each of its enqueues) reads the rows again: same objects.
    await other.queue.enqueue([contractRequest('r1', { webhookKey: 'w1' })]);
    expect((await shared())[0]).toBe(first);
    await other.webhooks.update({ ...webhook, name: 'renamed by another process' });
    const [second] = await shared();
    expect(second).not.toBe(first);
    expect(second!.name).toBe('renamed by another process');
    expect(first!.name).toBe(webhook.name);
    await one.webhooks.update({ ...webhook, name: 'renamed here' });
    expect((await shared())[0]!.name).toBe('renamed here');
    await one.close();
    await other.close();
  });

  it('runs in WAL mode with the busy timeout and the durability asked for', async () => {
    const storage = openSqliteStorage({ file: temp.file(), busyTimeoutMs: 1234, synchronous: 'full' });
    expect(storage.database.pragma('journal_mode', { simple: true })).toBe('wal');
    // SQLite itself waits only a few ms for a lock (synchronously); the connection waits the rest
    // of busyTimeoutMs on timers (sqlite-locked-file.test.ts).
    expect(storage.database.pragma('busy_timeout', { simple: true })).toBe(LOCK_SPIN_MS);
    expect(storage.database.pragma('synchronous', { simple: true })).toBe(2); // FULL
    await storage.close();
    const normal = openSqliteStorage({ file: temp.file() });
    expect(normal.database.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    await normal.close();
  });

  it('finds FIFO heads by seeking the line index, and a plain claim never reads FIFO requests', async () => {
    const storage = openSqliteStorage({ file: temp.file() });
    const plan = (sql: string) => (storage.database.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
    const inLine = "fifo IS NOT NULL AND (state != 'dead' OR fifo = 'block')";
    expect(plan(`SELECT min(webhook_key) FROM hookwork_requests WHERE ${inLine} AND webhook_key > 'a'`)).toMatch(/SEARCH hookwork_requests USING (COVERING )?INDEX hookwork_requests_fifo_line \(webhook_key>\?\)/);
    expect(plan(`SELECT min(seq) FROM hookwork_requests WHERE ${inLine} AND webhook_key = 'a'`)).toMatch(/SEARCH hookwork_requests USING (COVERING )?INDEX hookwork_requests_fifo_line \(webhook_key=\?\)/);
    expect(plan("SELECT 1 FROM hookwork_requests i WHERE i.webhook_key = 'a' AND i.fifo IS NOT NULL AND i.state = 'inflight' AND i.lease_expires_at > 5")).toMatch(/hookwork_requests_fifo_out/);
    await storage.close();
  });

  it('looks webhooks up by alias through the alias index, and claims through the pending index', async () => {
    const storage = openSqliteStorage({ file: temp.file() });
    const plan = (sql: string, params: unknown) => (storage.database.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail).join(' | ');
    const byAlias = plan('SELECT w.data FROM hookwork_webhook_events e JOIN hookwork_webhooks w ON w.seq = e.webhook_seq WHERE e.alias = ? ORDER BY w.created_at, w.seq', 'contentPublished');
    expect(byAlias).toMatch(/SEARCH e USING PRIMARY KEY \(alias=\?\)/);
    expect(byAlias).toMatch(/SEARCH w USING INTEGER PRIMARY KEY/);
    expect(byAlias).not.toMatch(/SCAN (w|hookwork_webhooks)/);
    const claim = plan("SELECT seq FROM hookwork_requests WHERE state = 'pending' AND fifo IS NULL AND due_at <= @now AND (@excluded IS NULL OR webhook_key NOT IN (SELECT value FROM json_each(@excluded))) ORDER BY due_at, seq LIMIT @limit", { now: 0, excluded: null, limit: 10 });
    expect(claim).toMatch(/hookwork_requests_pending_plain/);
    expect(claim).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
    await storage.close();
  });

  it('claims with a LIMIT the planner does not read (so the statement is not prepared again per run), still through the pending index', async () => {
    const storage = openSqliteStorage({ file: temp.file() });
    const plan = (sql: string, params: unknown) => (storage.database.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail).join(' | ');
    const claim = plan("SELECT seq FROM hookwork_requests WHERE state = 'pending' AND fifo IS NULL AND due_at <= @now AND (@excluded IS NULL OR webhook_key NOT IN (SELECT value FROM json_each(@excluded))) ORDER BY due_at, seq LIMIT CAST(@limit AS INTEGER)", { now: 0, excluded: null, limit: 10 });
    expect(claim).toMatch(/hookwork_requests_pending_plain/);
    expect(claim).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
    // Excluded webhooks' backlogs are stepped over by seeking the pending-by-webhook index, one key at a time (the next test).
    await storage.close();
  });

  it('claims around excluded webhooks: none when only they have pending requests, those of the others when they do, with more webhooks than it steps through', async () => {
    const storage = openSqliteStorage({ file: temp.file() });
    const now = new Date(Date.UTC(2031, 0, 1));
    const claim = (excludeWebhookKeys: string[]) => storage.queue.claim({ owner: 'A', limit: 10, leaseMs: 1000, now, excludeWebhookKeys });
    await storage.queue.enqueue(['s1', 's2', 's3'].map((id) => contractRequest(id, { webhookKey: 'slow' })));
    // Webhooks with only a dead letter or a request in flight have nothing to claim.
    await storage.queue.enqueue([contractRequest('d1', { webhookKey: 'dead' }), contractRequest('f1', { webhookKey: 'flying' })]);
    await storage.queue.claim({ owner: 'B', limit: 1, leaseMs: 60_000, now, excludeWebhookKeys: ['slow', 'flying'] });
    await storage.queue.deadLetter('d1', 'B', { attempts: 1, now });
    await storage.queue.claim({ owner: 'B', limit: 1, leaseMs: 60_000, now, excludeWebhookKeys: ['slow'] });
    expect((await storage.queue.get('f1'))!.state).toBe('inflight');
    expect(await claim(['slow'])).toEqual([]);
    expect((await claim(['dead'])).map((r) => r.id)).toEqual(['s1', 's2', 's3']);

    // Many webhooks, most of them excluded: only the others' requests are claimed.
    const many = Array.from({ length: 40 }, (_, i) => `w${String(i).padStart(2, '0')}`);
    await storage.queue.enqueue(many.map((key) => contractRequest(`r-${key}`, { webhookKey: key })));
    expect(await claim(many)).toEqual([]);
    expect((await claim(many.slice(0, 39))).map((r) => r.id)).toEqual(['r-w39']);
    expect((await claim(many.slice(1))).map((r) => r.id)).toEqual(['r-w00']);
    await storage.close();
  });

  it('finds the due requests of the webhooks a claim does not exclude without reading the excluded backlog (it read all of it at every claim)', async () => {
    const storage = openSqliteStorage({ file: temp.file() });
    const plan = (sql: string, params: unknown) => (storage.database.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail).join(' | ');
    const pendingPlain = "state = 'pending' AND fifo IS NULL";
    expect(plan(`SELECT min(webhook_key) FROM hookwork_requests WHERE ${pendingPlain} AND webhook_key > ?`, 'a')).toMatch(/SEARCH hookwork_requests USING (COVERING )?INDEX hookwork_requests_pending_webhook \(webhook_key>\?\)/);
    const heads = plan(`SELECT seq, due_at FROM hookwork_requests WHERE webhook_key = @key AND ${pendingPlain} AND due_at <= @now ORDER BY due_at, seq LIMIT CAST(@limit AS INTEGER)`, { key: 'a', now: 0, limit: 16 });
    expect(heads).toMatch(/SEARCH hookwork_requests USING (COVERING )?INDEX hookwork_requests_pending_webhook \(webhook_key=\? AND due_at<\?\)/);
    expect(heads).not.toMatch(/TEMP B-TREE/);
    expect(plan(`SELECT seq, webhook_key FROM hookwork_requests WHERE ${pendingPlain} AND due_at <= @now ORDER BY due_at, seq LIMIT 128`, { now: 0 })).toMatch(/hookwork_requests_pending_plain/);
    await storage.close();
  });

  it('a claim excluding a backlogged webhook reads a few pages behind 30,000 of its requests, not the backlog, and still claims the others in due order', async () => {
    const t0 = Date.UTC(2031, 0, 1);
    const large = openSqliteStorage({ file: temp.file('backlog.db') });
    try {
      for (let i = 0; i < 30_000; i += 1000) await large.queue.enqueue(Array.from({ length: 1000 }, (_, j) => contractRequest(`slow-${i + j}`, { webhookKey: 'slow', createdAt: new Date(t0), dueAt: new Date(t0 + i + j) })));
      // Every page from the file, not from SQLite's 16 MB cache: each page a statement reads is then one read system call, counted.
      large.database.pragma('wal_checkpoint(TRUNCATE)');
      large.database.pragma('cache_size = 8');
      await claimAroundBacklog(large, t0);
    } finally {
      await large.close();
    }
  });

  /** Read system calls this process has made so far (Linux's /proc/self/io). */
  const readCalls = () => Number(/^syscr: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))![1]);

  async function claimAroundBacklog(large: SqliteStorage, t0: number): Promise<void> {
    // What reading the backlog once takes: every pending request of the slow webhook.
    let before = readCalls();
    large.database.prepare("SELECT count(*), sum(length(body)) FROM hookwork_requests WHERE webhook_key = 'slow' AND state = 'pending'").get();
    const backlogReads = readCalls() - before;
    expect(backlogReads).toBeGreaterThan(500);

    // Each round: another webhook's request due after the whole backlog, claimed around it and completed.
    let n = 0;
    before = readCalls();
    for (; n < 20; n++) {
      const id = `fast-${n}`;
      await large.queue.enqueue([contractRequest(id, { webhookKey: `fast-${n % 3}`, createdAt: new Date(t0), dueAt: new Date(t0 + 40_000) })]);
      const claimed = await large.queue.claim({ owner: 'A', limit: 16, leaseMs: 60_000, now: new Date(t0 + 50_000), excludeWebhookKeys: ['slow'] });
      expect(claimed.map((r) => r.id)).toEqual([id]);
      await large.queue.complete(id, 'A');
    }
    // About 22 pages a round (each b-tree's path from root to leaf, for the enqueue, the claim and
    // the completion); reading the backlog at each claim made it more than the backlog's own reads.
    expect((readCalls() - before) / 20).toBeLessThan(backlogReads / 4);

    // Requests of other webhooks interleaved with the backlog and behind it come in due order, across webhooks.
    await large.queue.enqueue([
      contractRequest('b-late', { webhookKey: 'b', createdAt: new Date(t0), dueAt: new Date(t0 + 35_000) }),
      contractRequest('a-mid', { webhookKey: 'a', createdAt: new Date(t0), dueAt: new Date(t0 + 20_000) }),
      contractRequest('c-early', { webhookKey: 'c', createdAt: new Date(t0), dueAt: new Date(t0 + 500) }),
      contractRequest('a-later', { webhookKey: 'a', createdAt: new Date(t0), dueAt: new Date(t0 + 36_000) }),
      contractRequest('c-future', { webhookKey: 'c', createdAt: new Date(t0), dueAt: new Date(t0 + 90_000) }),
    ]);
    const around = (limit: number) => large.queue.claim({ owner: 'A', limit, leaseMs: 60_000, now: new Date(t0 + 50_000), excludeWebhookKeys: ['slow', 'b'] });
    expect((await around(2)).map((r) => r.id)).toEqual(['c-early', 'a-mid']);
    expect((await around(16)).map((r) => r.id)).toEqual(['a-later']);
    expect(await around(16)).toEqual([]);
    expect((await large.queue.claim({ owner: 'A', limit: 2, leaseMs: 60_000, now: new Date(t0 + 50_000), excludeWebhookKeys: ['b'] })).map((r) => r.id)).toEqual(['slow-0', 'slow-1']);
    expect((await large.queue.claim({ owner: 'A', limit: 2, leaseMs: 60_000, now: new Date(t0 + 50_000), excludeWebhookKeys: ['slow'] })).map((r) => r.id)).toEqual(['b-late']);
  }

  it('lists and redelivers one webhook\'s dead letters, or one by id, by seeking an index, never reading every dead letter', async () => {
    const storage = openSqliteStorage({ file: temp.file() });
    const { plansOf, restore } = watchPlans(storage);
    try {
      const byWebhook = /SEARCH hookwork_requests USING (COVERING )?INDEX hookwork_requests_webhook \(webhook_key=\? AND state=\?\)/;
      const listed = await plansOf(() => storage.queue.listDead({ webhookKey: 'w', limit: 1 }));
      expect(listed).toHaveLength(2);
      for (const plan of listed) expect(plan).toMatch(byWebhook);
      for (const plan of await plansOf(() => storage.queue.listDead({ webhookKey: 'w', deadSince: new Date(5), limit: 1 }))) expect(plan).toMatch(byWebhook);
      for (const plan of await plansOf(() => storage.queue.listDead({ deadSince: new Date(5), limit: 1 }))) expect(plan).toMatch(/SEARCH hookwork_requests USING (COVERING )?INDEX hookwork_requests_dead \(dead_at>\?\)/);
      const [byId] = await plansOf(() => storage.queue.redeliver({ ids: ['x'] }, new Date()));
      expect(byId).toMatch(/SEARCH hookwork_requests USING INDEX sqlite_autoindex_hookwork_requests_1 \(id=\?\)/);
      const [ofWebhook] = await plansOf(() => storage.queue.redeliver({ webhookKey: 'w', deadSince: new Date(5) }, new Date()));
      expect(ofWebhook).toMatch(byWebhook);
    } finally {
      restore();
      await storage.close();
    }
  });

  it('keeps requests in flight and plain pending requests out of the by-webhook index (each wrote one page more per commit), and still counts and discards one webhook\'s requests', async () => {
    const storage = openSqliteStorage({ file: temp.file() });
    const { plansOf, restore } = watchPlans(storage);
    try {
      expect(storage.database.prepare("SELECT sql FROM sqlite_master WHERE name = 'hookwork_requests_webhook'").pluck().get()).toMatch(/\(webhook_key, state\) WHERE state = 'dead' OR fifo IS NOT NULL$/);
      const now = new Date(Date.UTC(2031, 0, 1));
      const later = new Date(now.getTime() + 60_000);
      await storage.queue.enqueueClaimed!(
        [contractRequest('handed', { webhookKey: 'w' }), contractRequest('queued', { webhookKey: 'w', dueAt: later }), contractRequest('gone', { webhookKey: 'w' }), contractRequest('other', { webhookKey: 'x' })],
        { owner: 'A', leaseMs: 60_000, now, ids: ['handed', 'gone'] },
      );
      await storage.queue.enqueue([contractRequest('line-1', { webhookKey: 'w', fifo: 'block', dueAt: later }), contractRequest('line-2', { webhookKey: 'w', fifo: 'block', dueAt: later })]);
      await storage.queue.deadLetter('gone', 'A', { attempts: 1, now });
      // What the index holds: the dead letter and the FIFO requests, not the plain pending or the in-flight one.
      const held = storage.database.prepare("SELECT id FROM hookwork_requests INDEXED BY hookwork_requests_webhook WHERE webhook_key = 'w' AND (state = 'dead' OR fifo IS NOT NULL) ORDER BY seq").pluck().all();
      expect(held).toEqual(['gone', 'line-1', 'line-2']);
      expect(await storage.queue.counts({ webhookKey: 'w' })).toEqual({ pending: 3, inFlight: 1, dead: 1 });
      expect(await storage.queue.counts({ webhookKey: 'x' })).toEqual({ pending: 1, inFlight: 0, dead: 0 });
      // Brought forward: the plain pending request and the FIFO ones, each through its index.
      const [plain, fifo] = await plansOf(async () => expect(await storage.queue.bringForward!('w', now)).toBe(3));
      expect(plain).toMatch(/^SEARCH hookwork_requests USING INDEX hookwork_requests_pending_webhook \(webhook_key=\? AND due_at>\?\)$/);
      expect(fifo).toMatch(/^SEARCH hookwork_requests USING INDEX hookwork_requests_webhook \(webhook_key=\? AND state=\?\)$/);
      expect((await storage.queue.get('queued'))!.dueAt).toEqual(now);
      // A deleted webhook's queued, dead and FIFO requests go, oldest enqueued first across both indexes; the one in flight stays with its lease.
      expect((await storage.queue.discard!('w', now, 2)).map((r) => r.id)).toEqual(['queued', 'gone']);
      expect((await storage.queue.discard!('w', now, 10)).map((r) => r.id)).toEqual(['line-1', 'line-2']);
      expect((await storage.queue.get('handed'))!.state).toBe('inflight');
      expect(await storage.queue.counts({ webhookKey: 'w' })).toEqual({ pending: 0, inFlight: 1, dead: 0 });
    } finally {
      restore();
      await storage.close();
    }
  });

  it('seeks an index for every statement on one webhook\'s requests (schema 9), never reading the table: plain pending requests in the pending-by-webhook index, dead and FIFO ones in the by-webhook index', async () => {
    const storage = openSqliteStorage({ file: temp.file() });
    const { plansOf, restore } = watchPlans(storage);
    const now = new Date(Date.UTC(2031, 0, 1));
    try {
      const runs: [string, () => Promise<unknown>][] = [
        ['counts of one webhook', () => storage.queue.counts({ webhookKey: 'w' })],
        ['bringForward', () => storage.queue.bringForward!('w', now)],
        ['discard', () => storage.queue.discard!('w', now, 10)],
        ['dead letters of one webhook', () => storage.queue.listDead({ webhookKey: 'w', limit: 1 })],
        ['… since a time', () => storage.queue.listDead({ webhookKey: 'w', deadSince: now, limit: 1 })],
        ['redelivery of one webhook', () => storage.queue.redeliver({ webhookKey: 'w' }, now)],
        ['… of several', () => storage.queue.redeliver({ webhookKeys: ['w', 'x'] }, now)],
        ['… of several since a time', () => storage.queue.redeliver({ webhookKeys: ['w', 'x'], deadSince: now }, now)],
      ];
      const plans = new Map<string, string[]>();
      for (const [name, run] of runs) plans.set(name, await plansOf(run));
      for (const [name, list] of plans) {
        expect([name, list.length > 0]).toEqual([name, true]);
        // No full read of the table (a SCAN of an index, the in-flight one, reads only what is in flight).
        for (const plan of list) expect([name, plan]).toEqual([name, expect.not.stringMatching(/SCAN hookwork_requests(?! USING)/)]);
      }
      const byWebhook = /SEARCH hookwork_requests USING (COVERING )?INDEX hookwork_requests_webhook \(webhook_key=\? AND state=\?\)/;
      const pendingByWebhook = /SEARCH hookwork_requests USING (COVERING )?INDEX hookwork_requests_pending_webhook \(webhook_key=\?/;
      expect(plans.get('counts of one webhook')).toEqual([
        expect.stringMatching(pendingByWebhook),
        expect.stringMatching(byWebhook),
        expect.stringMatching(/^SCAN hookwork_requests USING (COVERING )?INDEX hookwork_requests_inflight$/),
        expect.stringMatching(byWebhook),
      ]);
      // The pending and dead counts of one webhook read their indexes only, no column of a row (the
      // in-flight count reads each in-flight row's webhook, as before: few rows).
      // (A store of its own: this one's statements are prepared already.)
      const fresh = openSqliteStorage({ file: temp.file('fresh.db') });
      try {
        const spied = jest.spyOn(fresh.database, 'prepare');
        await fresh.queue.counts({ webhookKey: 'w' });
        const statements = spied.mock.calls.map(([sql]) => sql).filter((sql) => sql.includes('hookwork_requests'));
        spied.mockRestore();
        expect(statements).toHaveLength(4);
        const root = fresh.database.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'hookwork_requests'").pluck().get();
        for (const sql of statements.filter((sql) => !sql.includes("'inflight'"))) {
          const code = fresh.database.prepare(`EXPLAIN ${sql}`).all('w') as { opcode: string; p1: number; p2: number }[];
          const table = code.find((op) => op.opcode === 'OpenRead' && op.p2 === root)?.p1;
          expect([sql, code.filter((op) => op.opcode === 'Column' && op.p1 === table)]).toEqual([sql, []]);
        }
      } finally {
        await fresh.close();
      }
      // discardAndLog runs the same statement.
      const [discarding] = plans.get('discard')!;
      expect(discarding).toMatch(pendingByWebhook);
      expect(discarding).toMatch(byWebhook);
      for (const name of ['dead letters of one webhook', '… since a time', 'redelivery of one webhook', '… of several', '… of several since a time']) {
        for (const plan of plans.get(name)!) expect([name, plan]).toEqual([name, expect.stringMatching(byWebhook)]);
      }
    } finally {
      restore();
      await storage.close();
    }
  });

  it('migrates a schema-8 store to 9 keeping every request pending, in flight, dead and in a FIFO line, and every count', async () => {
    const file = temp.file();
    const first = openSqliteStorage({ file });
    const now = new Date(Date.UTC(2031, 0, 1));
    await first.queue.enqueueClaimed!(
      [contractRequest('handed', { webhookKey: 'w' }), contractRequest('queued', { webhookKey: 'w' }), contractRequest('to-die', { webhookKey: 'w' }), contractRequest('other', { webhookKey: 'x' })],
      { owner: 'A', leaseMs: 60_000, now, ids: ['handed', 'to-die'] },
    );
    await first.queue.deadLetter('to-die', 'A', { attempts: 2, now });
    await first.queue.enqueue(['f1', 'f2', 'f3'].map((id) => contractRequest(id, { webhookKey: 'ordered', fifo: 'block' })));
    expect((await first.queue.claim({ owner: 'A', limit: 10, leaseMs: 60_000, now, excludeWebhookKeys: ['w', 'x'] })).map((r) => r.id)).toEqual(['f1']);
    await first.close();
    // Schema 8 as its migration left the file: the by-webhook index without requests in flight only.
    const db = new Database(file);
    db.exec("BEGIN IMMEDIATE; DROP INDEX hookwork_requests_webhook; CREATE INDEX hookwork_requests_webhook ON hookwork_requests (webhook_key, state) WHERE state != 'inflight'; UPDATE hookwork_schema SET version = 8; COMMIT;");
    const ids = ['handed', 'queued', 'to-die', 'other', 'f1', 'f2', 'f3'];
    const rowsBefore = db.prepare(`SELECT * FROM hookwork_requests WHERE id IN (${ids.map(() => '?').join(', ')}) ORDER BY seq`).all(...ids);
    db.close();

    const lines: string[] = [];
    const storage = openSqliteStorage({ file }, { logger: { debug() {}, info: (line: string) => void lines.push(line), warn() {}, error() {} } });
    try {
      expect(lines).toEqual([expect.stringContaining(`migrated its schema from 8 to ${SCHEMA_VERSION}`)]);
      expect(SCHEMA_VERSION).toBe(10);
      expect(storage.database.prepare('SELECT version, compatible_from FROM hookwork_schema').get()).toEqual({ version: 10, compatible_from: 3 });
      expect(storage.database.prepare("SELECT sql FROM sqlite_master WHERE name = 'hookwork_requests_webhook'").pluck().get()).toMatch(/WHERE state = 'dead' OR fifo IS NOT NULL$/);
      expect(storage.database.prepare(`SELECT * FROM hookwork_requests WHERE id IN (${ids.map(() => '?').join(', ')}) ORDER BY seq`).all(...ids)).toEqual(rowsBefore);
      expect(await storage.queue.counts()).toEqual({ pending: 4, inFlight: 2, dead: 1 });
      expect(await storage.queue.counts({ webhookKey: 'w' })).toEqual({ pending: 1, inFlight: 1, dead: 1 });
      expect(await storage.queue.counts({ webhookKey: 'x' })).toEqual({ pending: 1, inFlight: 0, dead: 0 });
      expect(await storage.queue.counts({ webhookKey: 'ordered' })).toEqual({ pending: 2, inFlight: 1, dead: 0 });
      expect((await storage.queue.listDead({ webhookKey: 'w' })).items.map((r) => [r.id, r.attempts])).toEqual([['to-die', 2]]);
      // The line goes on in order once its head is settled; the plain ones are claimed as before.
      expect(await storage.queue.complete('f1', 'A')).toBe(true);
      expect((await storage.queue.claim({ owner: 'B', limit: 10, leaseMs: 60_000, now: new Date(now.getTime() + 1) })).map((r) => r.id).sort()).toEqual(['f2', 'other', 'queued']);
    } finally {
      await storage.close();
    }
  });

  it('filters the delivery log and counts its total from an index, never reading each entry\'s row with its bodies', async () => {
    const storage = openSqliteStorage({ file: temp.file() });
    const { plansOf, restore } = watchPlans(storage, 'hookwork_delivery_log');
    try {
      const filters = [{ outcomes: ['dead' as const] }, { statusClasses: ['5xx' as const, 'none' as const] }, { eventAlias: 'e' }, { outcomes: ['dead' as const], statusClasses: ['4xx' as const], eventAlias: 'e' }];
      for (const filter of [...filters, ...filters.map((f) => ({ ...f, webhookKey: 'w' }))]) {
        const [page, total] = await plansOf(() => storage.deliveryLog.list({ ...filter, limit: 10 }));
        expect(page).toMatch(/^(SCAN|SEARCH) hookwork_delivery_log USING INDEX hookwork_delivery_log_(date|webhook)\b/);
        expect(total).toMatch(/^(SCAN|SEARCH) hookwork_delivery_log USING COVERING INDEX hookwork_delivery_log_(date|webhook)\b/);
      }
    } finally {
      restore();
      await storage.close();
    }
  });

  it('finds the oldest pending request in the pending indexes, never in the rows (at every metrics scrape; it read every pending row), and counts from indexes', async () => {
    const storage = openSqliteStorage({ file: temp.file() });
    const { plansOf, restore } = watchPlans(storage);
    try {
      // The plain half in the pending-by-webhook index, which holds created_at; the FIFO half in its own.
      expect(await plansOf(() => storage.queue.oldestPendingCreatedAt!())).toEqual([
        expect.stringMatching(/^SEARCH hookwork_requests USING INDEX hookwork_requests_pending_webhook$/),
        expect.stringMatching(/^SEARCH hookwork_requests USING INDEX hookwork_requests_pending_fifo$/),
      ]);
      const counts = await plansOf(() => storage.queue.counts());
      expect(counts).toHaveLength(4);
      for (const plan of counts) expect(plan).toMatch(/^SCAN hookwork_requests USING (COVERING )?INDEX \w+$/);
      // The FIFO count in its own index, not the by-webhook one with every dead letter in it (schema 9).
      expect(counts[1]).toMatch(/INDEX hookwork_requests_pending_fifo$/);
    } finally {
      restore();
      await storage.close();
    }
  });

  it('watch() tells a process when another process commits to the file, and stops when unsubscribed', async () => {
    const file = temp.file();
    const watcher = openSqliteStorage({ file, watchIntervalMs: 20 });
    const writer = openSqliteStorage({ file });
    let wakes = 0;
    let woken: () => void = () => {};
    const unsubscribe = watcher.queue.watch!(() => {
      wakes++;
      woken();
    });
    await new Promise<void>((resolve) => {
      woken = resolve;
      void writer.queue.enqueue([contractRequest('from-elsewhere')]);
    });
    expect(wakes).toBeGreaterThanOrEqual(1);
    expect((await watcher.queue.get('from-elsewhere'))!.state).toBe('pending');
    unsubscribe();
    const before = wakes;
    await writer.queue.enqueue([contractRequest('unheard')]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(wakes).toBe(before);
    await writer.close();
    await watcher.close();
  });

  it('records its schema version and leaves a host\'s own tables in the same file alone', async () => {
    const file = temp.file();
    const host = new Database(file);
    host.exec("CREATE TABLE content (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO content (title) VALUES ('home')");
    host.close();
    const storage = openSqliteStorage({ file });
    expect(storage.database.prepare('SELECT version FROM hookwork_schema').get()).toEqual({ version: SCHEMA_VERSION });
    expect(storage.database.prepare('SELECT title FROM content').all()).toEqual([{ title: 'home' }]);
    await storage.close();
    // Opening again migrates nothing and loses nothing.
    const again = openSqliteStorage({ file });
    expect(again.database.prepare('SELECT count(*) AS n FROM hookwork_schema').get()).toEqual({ n: 1 });
    await again.close();
  });

  describe('a file written by a newer version (a rollback, an older process in a rolling deploy)', () => {
    /** A store this build made, then moved by hand to what a newer build would leave: version V + 1 with `floor`, plus an additive change. */
    async function newerStore(floor: number | null): Promise<string> {
      const file = temp.file();
      await (await sqliteStorage({ file }).open({} as StorageContext)).close();
      const db = new Database(file);
      db.exec('CREATE TABLE hookwork_future (id INTEGER PRIMARY KEY)');
      db.prepare('UPDATE hookwork_schema SET version = ?, compatible_from = ?').run(SCHEMA_VERSION + 1, floor);
      db.close();
      return file;
    }

    it('opens it unmigrated when its floor is this version or lower, saying so, and works on it', async () => {
      const file = await newerStore(SCHEMA_VERSION);
      const warnings: string[] = [];
      const logger = { debug() {}, info() {}, warn: (line: string) => warnings.push(line), error() {} };
      const storage = openSqliteStorage({ file }, { logger });
      expect(warnings).toEqual([expect.stringContaining(`at schema ${SCHEMA_VERSION + 1}, newer than this @hookwork/sqlite's ${SCHEMA_VERSION}, without migrating`)]);
      await storage.queue.enqueue([contractRequest('r1')]);
      const claimed = await storage.queue.claim({ owner: 'A', limit: 10, leaseMs: 1000, now: new Date(Date.UTC(2031, 0, 1)) });
      expect(claimed.map((request) => request.id)).toEqual(['r1']);
      expect(storage.database.prepare('SELECT version, compatible_from FROM hookwork_schema').get()).toEqual({ version: SCHEMA_VERSION + 1, compatible_from: SCHEMA_VERSION });
      await storage.close();
    });

    it('refuses it with HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW naming the floor when the floor is higher, the file byte for byte as it was', async () => {
      const file = await newerStore(SCHEMA_VERSION + 1);
      const before = readFileSync(file);
      const error = openError(() => openSqliteStorage({ file }));
      expect(error.code).toBe('HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW');
      expect(error.message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
      expect(error.message).toContain(`versions that know schema ${SCHEMA_VERSION + 1} or later`);
      expect(error.message).toContain(`this version knows up to ${SCHEMA_VERSION}`);
      expect(error.message).toContain('Upgrade @hookwork/sqlite');
      expect(readFileSync(file).equals(before)).toBe(true);
    });

    it('refuses a copy of it in rollback mode (a VACUUM INTO backup) byte for byte as it was: not switched to WAL mode first', async () => {
      const copy = temp.file('copy.db');
      const db = new Database(await newerStore(SCHEMA_VERSION + 1));
      db.prepare('VACUUM INTO ?').run(copy);
      db.close();
      const before = readFileSync(copy);
      expect([before[18], before[19]]).toEqual([1, 1]);
      for (const open of [() => openSqliteStorage({ file: copy }), () => openSqliteStorage({ file: copy, busyTimeoutMs: 0 })]) {
        expect(openError(open).code).toBe('HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW');
        expect(readFileSync(copy).equals(before)).toBe(true);
      }
      expect(existsSync(`${copy}-wal`)).toBe(false);
    });

    it('refuses one that records no floor (as every build before floors wrote), the file as it was', async () => {
      const file = await newerStore(null);
      const before = readFileSync(file);
      const error = openError(() => openSqliteStorage({ file }));
      expect(error.code).toBe('HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW');
      expect(error.message).toContain('does not say that an older version may open it');
      expect(readFileSync(file).equals(before)).toBe(true);
    });
  });

  it('the downgrade of docs/storage.md (schema 10 to 3, for builds before floors) leaves a file this build migrates forward again, its id kept', async () => {
    const file = temp.file();
    const first = openSqliteStorage({ file });
    const id = first.id;
    await first.queue.enqueue([contractRequest('kept')]);
    await first.close();
    const db = new Database(file);
    db.exec('BEGIN IMMEDIATE; DROP INDEX hookwork_requests_pending_webhook; DROP INDEX hookwork_requests_webhook; CREATE INDEX hookwork_requests_webhook ON hookwork_requests (webhook_key, state); UPDATE hookwork_schema SET version = 3; COMMIT;');
    db.close();
    const lines: string[] = [];
    const storage = openSqliteStorage({ file }, { logger: { debug() {}, info: (line: string) => void lines.push(line), warn() {}, error() {} } });
    expect(lines).toEqual([expect.stringContaining(`migrated its schema from 3 to ${SCHEMA_VERSION}`)]);
    expect(await storage.queue.counts()).toEqual({ pending: 1, inFlight: 0, dead: 0 });
    expect(storage.id).toBe(id);
    await storage.close();
  });

  it('records the floor when it migrates a file from before floors, adding the column', async () => {
    const file = temp.file();
    const old = new Database(file);
    old.exec('CREATE TABLE hookwork_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, migrated_at INTEGER NOT NULL)');
    old.close();
    const storage = openSqliteStorage({ file });
    expect(storage.database.prepare('SELECT version, compatible_from FROM hookwork_schema').get()).toEqual({ version: SCHEMA_VERSION, compatible_from: SCHEMA_COMPATIBLE_FROM });
    await storage.close();
  });

  it('gives each migration a floor no higher than its own version and never lower than the one before', () => {
    let previous = 1;
    for (let version = 1; version <= SCHEMA_VERSION; version++) {
      const floor = compatibleFrom(version)!;
      expect(floor).toBeGreaterThanOrEqual(previous);
      expect(floor).toBeLessThanOrEqual(version);
      previous = floor;
    }
    // 4-9 added and replaced indexes only, 10 a column 3 never names: 3's processes kept working beside them.
    expect(SCHEMA_COMPATIBLE_FROM).toBe(3);
  });

  describe('errors at open', () => {
    it('a file that is not a database: HOOKWORK_ERR_STORAGE_CORRUPT naming the file, and the file is left as it was', () => {
      const file = temp.file('notes.db');
      writeFileSync(file, 'these are my notes, not a database\n'.repeat(200));
      const error = openError(() => openSqliteStorage({ file }));
      expect(error.code).toBe('HOOKWORK_ERR_STORAGE_CORRUPT');
      expect(error.message).toContain(file);
      expect(readFileSync(file, 'utf8')).toBe('these are my notes, not a database\n'.repeat(200));
    });

    it.each([
      ['a table named as one of hookwork\'s (and no hookwork_schema)', ['CREATE TABLE hookwork_webhooks (id INTEGER PRIMARY KEY, url TEXT)', "INSERT INTO hookwork_webhooks (url) VALUES ('https://theirs.example')"]],
      ['a hookwork_schema table of its own shape', ['CREATE TABLE hookwork_schema (name TEXT)', "INSERT INTO hookwork_schema VALUES ('theirs')"]],
      ['hookwork\'s tables but no version recorded (hookwork_schema emptied)', ['CREATE TABLE hookwork_schema (id INTEGER PRIMARY KEY, version INTEGER NOT NULL, migrated_at INTEGER NOT NULL)', 'CREATE TABLE hookwork_requests (id TEXT)']],
    ])('another program\'s SQLite file with %s: HOOKWORK_ERR_STORAGE_OPEN_FAILED naming the tables and the fix, the file byte for byte as it was (still not in WAL mode)', (_, statements) => {
      const file = temp.file('theirs.db');
      const theirs = new Database(file);
      for (const sql of statements) theirs.exec(sql);
      theirs.close();
      const before = readFileSync(file);
      const error = openError(() => openSqliteStorage({ file }));
      expect(error.code).toBe('HOOKWORK_ERR_STORAGE_OPEN_FAILED');
      expect(error.message).toContain(`the SQLite store ${file} holds tables named as hookwork's that hookwork did not make or no longer knows (`);
      expect(error.message).toContain('Point `file` at another path');
      expect(error.message).not.toContain('directory');
      expect(readFileSync(file).equals(before)).toBe(true);
      expect(existsSync(`${file}-wal`)).toBe(false);
    });

    it('a host\'s own SQLite file without hookwork_ tables is shared: hookwork adds its tables and leaves the host\'s alone', async () => {
      const file = temp.file('host.db');
      const host = new Database(file);
      host.exec("CREATE TABLE pages (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO pages (title) VALUES ('home')");
      host.close();
      const storage = openSqliteStorage({ file });
      await storage.webhooks.create(contractWebhook('w'));
      expect(storage.database.prepare('SELECT title FROM pages').pluck().all()).toEqual(['home']);
      await storage.close();
    });

    it('a database file whose header is overwritten: HOOKWORK_ERR_STORAGE_CORRUPT', async () => {
      const file = temp.file();
      await openSqliteStorage({ file }).close();
      const bytes = readFileSync(file);
      bytes.fill(0x41, 0, 100);
      writeFileSync(file, bytes);
      expect(openError(() => openSqliteStorage({ file })).code).toBe('HOOKWORK_ERR_STORAGE_CORRUPT');
    });

    it('a missing directory: HOOKWORK_ERR_STORAGE_OPEN_FAILED saying how to fix it; createDirectory creates it', async () => {
      const file = join(temp.dir, 'data', 'nested', 'hookwork.db');
      const error = openError(() => openSqliteStorage({ file }));
      expect(error.code).toBe('HOOKWORK_ERR_STORAGE_OPEN_FAILED');
      expect(error.message).toContain('does not exist');
      expect(error.message).toContain('createDirectory');
      const storage = openSqliteStorage({ file, createDirectory: true });
      await storage.webhooks.create(contractWebhook('w'));
      await storage.close();
    });

    it('createDirectory where no directory can be made (/proc/x): HOOKWORK_ERR_STORAGE_OPEN_FAILED, not a hang', async () => {
      // Node's mkdirSync(…, { recursive: true }) spins for ever there, deaf to signals: run it in a
      // child process that a SIGKILL ends, so a hang fails this test instead of freezing jest.
      const entry = join(__dirname, '..', 'dist', 'index.js');
      const script = `try { require(${JSON.stringify(entry)}).openSqliteStorage({ file: '/proc/hookwork-no-such/hookwork.db', createDirectory: true }); console.log('opened'); } catch (e) { console.log(e.message); }`;
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { timeout: 20_000, killSignal: 'SIGKILL' });
      expect(stdout).toMatch(/^HOOKWORK_ERR_STORAGE_OPEN_FAILED: the directory \/proc\/hookwork-no-such of the SQLite store could not be created \(ENOENT/);
    });

    it('a path under a regular file (the directory cannot be written): HOOKWORK_ERR_STORAGE_OPEN_FAILED', () => {
      const blocker = temp.file('not-a-dir');
      writeFileSync(blocker, 'x');
      const error = openError(() => openSqliteStorage({ file: join(blocker, 'hookwork.db') }));
      expect(error.code).toBe('HOOKWORK_ERR_STORAGE_OPEN_FAILED');
      expect(error.message).toContain('is a file, not a directory');
      expect(openError(() => openSqliteStorage({ file: join(blocker, 'sub', 'hookwork.db'), createDirectory: true })).code).toBe('HOOKWORK_ERR_STORAGE_OPEN_FAILED');
    });

    it('a path that is a directory: HOOKWORK_ERR_STORAGE_OPEN_FAILED saying so and naming a file in it (it said to check that the directory exists)', () => {
      const dir = join(temp.dir, 'i-am-a-dir');
      mkdirSync(dir);
      const error = openError(() => openSqliteStorage({ file: dir }));
      expect(error.code).toBe('HOOKWORK_ERR_STORAGE_OPEN_FAILED');
      expect(error.message).toContain(`the SQLite store ${dir} cannot be opened: it is a directory, not a database file`);
      expect(error.message).toContain(`point \`file\` at a file in it (${join(dir, 'hookwork.db')})`);
      expect(readdirSync(dir)).toEqual([]);
    });

    it('a path that is a FIFO or a device: HOOKWORK_ERR_STORAGE_OPEN_FAILED saying it is no regular file (it blamed a full disk)', () => {
      const fifo = temp.file('fifo.db');
      execFileSync('mkfifo', [fifo]);
      for (const path of [fifo, '/dev/null']) {
        const error = openError(() => openSqliteStorage({ file: path }));
        expect(error.code).toBe('HOOKWORK_ERR_STORAGE_OPEN_FAILED');
        expect(error.message).toContain(`the SQLite store ${path} cannot be opened: it is ${path === fifo ? 'a FIFO (named pipe)' : 'a device'}, not a regular file`);
        expect(error.message).not.toContain('full disk');
      }
    });

    it('a symbolic link to a path whose directory does not exist: HOOKWORK_ERR_STORAGE_OPEN_FAILED naming the link\'s target', () => {
      const link = temp.file('link.db');
      const target = join(temp.dir, 'gone', 'hookwork.db');
      symlinkSync(target, link);
      const error = openError(() => openSqliteStorage({ file: link, createDirectory: true }));
      expect(error.code).toBe('HOOKWORK_ERR_STORAGE_OPEN_FAILED');
      expect(error.message).toContain(`the SQLite store ${link} cannot be opened: it is a symbolic link to ${target}, whose directory ${dirname(target)} does not exist`);
      // A link to a file yet to be made in an existing directory opens, and SQLite makes the file there.
      mkdirSync(dirname(target));
      return openSqliteStorage({ file: link }).close();
    });

    it('a link to a file yet to be made, its target relative (`../data/hookwork.db`) and the link reached through a linked directory, opens where SQLite makes the file', async () => {
      // The target is relative to the directory the link really is in, as SQLite and the kernel
      // read it: the linked directory's own parent has no `data`, the real one has.
      const real = join(temp.dir, 'real', 'app');
      mkdirSync(real, { recursive: true });
      mkdirSync(join(temp.dir, 'real', 'data'));
      symlinkSync(join('..', 'data', 'hookwork.db'), join(real, 'store.db'));
      const linkedDir = join(temp.dir, 'app');
      symlinkSync(real, linkedDir);
      const storage = openSqliteStorage({ file: join(linkedDir, 'store.db') });
      await storage.close();
      expect(existsSync(join(temp.dir, 'real', 'data', 'hookwork.db'))).toBe(true);
    });

    it('a new file held by another program\'s exclusive lock past the busy timeout: HOOKWORK_ERR_STORAGE_LOCKED', async () => {
      const file = temp.file();
      const other = new Database(file);
      other.exec('CREATE TABLE other_program (x)');
      other.exec('BEGIN EXCLUSIVE');
      other.exec('INSERT INTO other_program VALUES (1)');
      const error = openError(() => openSqliteStorage({ file, busyTimeoutMs: 100 }));
      expect(error.code).toBe('HOOKWORK_ERR_STORAGE_LOCKED');
      expect(error.message).toContain('busy timeout (100 ms)');
      other.exec('COMMIT');
      other.close();
      // Once the lock is gone the same file opens.
      const storage = openSqliteStorage({ file, busyTimeoutMs: 100 });
      expect(await storage.webhooks.count()).toBe(0);
      await storage.close();
    });

    it('an app\'s open waits for another connection\'s lock on a timer, so the event loop runs meanwhile (the holder here lets go from a timer)', async () => {
      const file = temp.file();
      await openSqliteStorage({ file }).close();
      const other = new Database(file);
      other.exec('BEGIN EXCLUSIVE');
      // Only a running event loop ends the other program's transaction: a synchronous wait at open
      // held the loop for the whole busy timeout and then failed HOOKWORK_ERR_STORAGE_LOCKED.
      let ticks = 0;
      const ticking = setInterval(() => ++ticks, 10);
      setTimeout(() => other.exec('ROLLBACK'), 200);
      try {
        const storage = await sqliteStorage({ file, busyTimeoutMs: 20_000 }).open({} as StorageContext);
        expect(ticks).toBeGreaterThan(0);
        expect(await storage.webhooks.count()).toBe(0);
        await storage.close();
      } finally {
        clearInterval(ticking);
        other.close();
      }
    });

    it('an app\'s open gives up after busyTimeoutMs with HOOKWORK_ERR_STORAGE_LOCKED naming the file, the wait and what may hold it', async () => {
      const file = temp.file();
      await openSqliteStorage({ file }).close();
      const other = new Database(file);
      other.exec('BEGIN EXCLUSIVE');
      try {
        const error = await sqliteStorage({ file, busyTimeoutMs: 100 }).open({} as StorageContext).then(() => undefined, (e: unknown) => e as { code: string; message: string });
        expect(error?.code).toBe('HOOKWORK_ERR_STORAGE_LOCKED');
        expect(error?.message).toContain(`the SQLite store ${file} stayed locked by another connection for longer than the busy timeout (100 ms;`);
        expect(error?.message).toContain('another instance migrating the file');
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
    });

    it('a file the process may read but not write (chmod 444, its directory writable) is refused at open, naming the file and the fix', async () => {
      const file = temp.file();
      await openSqliteStorage({ file }).close();
      chmodSync(file, 0o444);
      chmodSync(temp.dir, 0o777);
      // Root writes a 444 file all the same: when the tests run as root, the store is opened by a
      // process that becomes an ordinary user (nobody) once it has loaded its code and
      // better-sqlite3's native module as root (the checkout may be readable by its owner only).
      const script = `require(process.argv[1]);
        const { openSqliteStorage } = require(process.argv[2]);
        new (require(process.argv[4]))(':memory:').close();
        if (process.getuid() === 0) { process.setgid(65534); process.setuid(65534); }
        try { openSqliteStorage({ file: process.argv[3] }); console.log(JSON.stringify({ opened: true })); }
        catch (error) { console.log(JSON.stringify({ code: error.code, message: error.message })); }`;
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, require.resolve('reflect-metadata'), join(__dirname, '..', 'dist', 'sqlite-storage.js'), file, require.resolve('better-sqlite3')]);
      const outcome = JSON.parse(stdout) as { code?: string; message?: string };
      expect(outcome.code).toBe('HOOKWORK_ERR_STORAGE_PERMISSION_DENIED');
      expect(outcome.message).toContain(`the SQLite store ${file} cannot be written by this process`);
      expect(outcome.message).toContain('chmod u+w');
    });

    /** Opens `file` in a process that runs as nobody once loaded (root writes any file), and says what came of it. */
    async function openAsNobody(file: string): Promise<{ opened?: boolean; code?: string; message?: string }> {
      const script = `require(process.argv[1]);
        const { openSqliteStorage } = require(process.argv[2]);
        new (require(process.argv[4]))(':memory:').close();
        if (process.getuid() === 0) { process.setgid(65534); process.setuid(65534); }
        try { openSqliteStorage({ file: process.argv[3] }).close(); console.log(JSON.stringify({ opened: true })); }
        catch (error) { console.log(JSON.stringify({ code: error.code, message: error.message })); }`;
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, require.resolve('reflect-metadata'), join(__dirname, '..', 'dist', 'sqlite-storage.js'), file, require.resolve('better-sqlite3')]);
      return JSON.parse(stdout) as { opened?: boolean; code?: string; message?: string };
    }

    it('a new file in a directory the process may not write: HOOKWORK_ERR_STORAGE_PERMISSION_DENIED naming the directory (it was "could not be opened … check that its directory exists")', async () => {
      const dir = join(temp.dir, 'read-only');
      mkdirSync(dir);
      chmodSync(temp.dir, 0o777);
      chmodSync(dir, 0o555);
      const outcome = await openAsNobody(join(dir, 'hookwork.db'));
      expect(outcome.code).toBe('HOOKWORK_ERR_STORAGE_PERMISSION_DENIED');
      expect(outcome.message).toContain(`may not write ${dir};`);
      expect(existsSync(join(dir, 'hookwork.db'))).toBe(false);
    });

    it('a writable file in a writable directory whose -wal and -shm another user\'s process made and holds: HOOKWORK_ERR_STORAGE_PERMISSION_DENIED naming those two files (it said to chmod the file)', async () => {
      const file = temp.file();
      await openSqliteStorage({ file }).close();
      chmodSync(file, 0o644);
      // Another user's process (here root's) has the store open: its -wal and -shm are its user's.
      const other = new Database(file);
      other.prepare('SELECT count(*) FROM hookwork_webhooks').get();
      try {
        chmodSync(file, 0o666);
        chmodSync(temp.dir, 0o777);
        const outcome = await openAsNobody(file);
        expect(outcome.code).toBe('HOOKWORK_ERR_STORAGE_PERMISSION_DENIED');
        expect(outcome.message).toContain(`may not write ${file}-wal, ${file}-shm;`);
        expect(outcome.message).toContain('run every process on the store as one user');
      } finally {
        other.close();
      }
    });

    it('a file the process may not write, in a directory it may: refused before SQLite opens it, leaving no -wal and -shm of this user behind (they kept the store\'s own user from writing it)', async () => {
      const file = temp.file();
      await openSqliteStorage({ file }).close();
      chmodSync(file, 0o444);
      chmodSync(temp.dir, 0o777);
      const outcome = await openAsNobody(file);
      expect(outcome.code).toBe('HOOKWORK_ERR_STORAGE_PERMISSION_DENIED');
      expect(outcome.message).toMatch(/cannot be written by this process \(uid \d+\), found before opening it: this process \(uid \d+\) may not write /);
      expect(outcome.message).toContain(`the SQLite store ${file} cannot be written by this process`);
      expect(outcome.message).toContain(`may not write ${file};`);
      expect(outcome.message).toContain('chmod u+w');
      expect([existsSync(`${file}-wal`), existsSync(`${file}-shm`)]).toEqual([false, false]);
    });

    it('better-sqlite3 without its built native module is reported as such, not as a directory problem', () => {
      const context = { file: '/data/hookwork.db', busyTimeoutMs: 5000, doing: 'opening the file', opening: true };
      // The error better-sqlite3 throws when its install script never ran: `bindings` finds no .node file.
      const bindings = createRequire(require.resolve('better-sqlite3'))('bindings') as (name: string) => unknown;
      const notBuilt = (() => {
        try {
          bindings('hookwork_not_built.node');
        } catch (error) {
          return error;
        }
      })();
      // The error Node throws for a .node file it cannot load (built for another Node or platform).
      const wrongBuild = join(temp.dir, 'better_sqlite3.node');
      writeFileSync(wrongBuild, 'not a shared object');
      const unloadable = (() => {
        try {
          createRequire(__filename)(wrongBuild);
        } catch (error) {
          return error;
        }
      })();
      expect((unloadable as NodeJS.ErrnoException).code).toBe('ERR_DLOPEN_FAILED');
      for (const error of [notBuilt, unloadable]) {
        const coded = toStorageError(error, context);
        expect(coded.code).toBe('HOOKWORK_ERR_STORAGE_OPEN_FAILED');
        expect(coded.message).toContain("better-sqlite3's native module is not built");
        expect(coded.message).toContain('npm rebuild better-sqlite3');
        expect(coded.message).not.toContain('directory');
      }
    });

    it('an existing WAL store held by another program\'s write transaction past the busy timeout: HOOKWORK_ERR_STORAGE_LOCKED', async () => {
      const file = temp.file();
      await openSqliteStorage({ file }).close();
      const other = new Database(file);
      other.exec('BEGIN EXCLUSIVE');
      // In WAL mode readers are not blocked, but open() takes the write lock to check the schema
      // (and that the file is writable at all), so the lock is reported at start.
      expect(openError(() => openSqliteStorage({ file, busyTimeoutMs: 50 })).code).toBe('HOOKWORK_ERR_STORAGE_LOCKED');
      other.exec('ROLLBACK');
      other.close();
    });

    it('bad options are refused when the backend is made, naming the option', () => {
      expect(openError(() => sqliteStorage({ file: '' })).message).toContain('`file`');
      expect(openError(() => sqliteStorage({ file: 'x.db', busyTimeoutMs: -1 })).message).toContain('busyTimeoutMs');
      expect(openError(() => sqliteStorage({ file: 'x.db', synchronous: 'sometimes' as 'full' })).message).toContain('synchronous');
      expect(openError(() => sqliteStorage(undefined as never)).code).toBe('HOOKWORK_ERR_INVALID_STORAGE_OPTIONS');
    });

    // The native open stops at U+0000: both of these opened nul.db, silently.
    it('refuses a NUL in the file path, and options that are not a plain object, creating nothing', () => {
      const file = temp.file('nul.db');
      for (const tail of ['\u0000A', '\u0000B']) {
        const error = openError(() => sqliteStorage({ file: `${file}${tail}`, createDirectory: true }));
        expect(error.code).toBe('HOOKWORK_ERR_INVALID_STORAGE_OPTIONS');
        expect(error.message).toMatch(/`file` holds U\+0000 \(NUL\) at character \d+/);
      }
      expect(existsSync(file)).toBe(false);
      expect(openError(() => sqliteStorage(new Map([['file', file]]) as never)).message).toMatch(/takes a plain options object.*; got a Map/);
    });

    // Read as given, several times: a getter that threw escaped bare, and one answering differently opened another file than the one checked.
    it('reads the options once: a getter or Proxy trap that throws is refused naming it, and the file checked is the file opened', async () => {
      const sealed = () => {
        throw new Error('vault sealed');
      };
      expect(openError(() => sqliteStorage({ get file(): string { return sealed(); } }))).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_STORAGE_OPTIONS', message: expect.stringMatching(/^HOOKWORK_ERR_INVALID_STORAGE_OPTIONS: sqliteStorage\(\): `file` could not be read: its getter threw \(vault sealed\)/) });
      expect(openError(() => sqliteStorage(new Proxy({ file: 'x.db' }, { ownKeys: sealed })))).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_STORAGE_OPTIONS', message: expect.stringContaining('sqliteStorage(): the options could not be read: listing its keys threw (vault sealed)') });
      const checked = temp.file('checked.db');
      const other = temp.file('other.db');
      let reads = 0;
      const backend = sqliteStorage({ get file() { return reads++ === 0 ? checked : `${other}\u0000`; } });
      const store = await backend.open({} as StorageContext);
      await store.close();
      expect([reads, existsSync(checked), existsSync(other)]).toEqual([1, true, false]);
    });

    it('shows a value of the wrong kind as what it is: the string "5000" quoted, not as the number it looks like', () => {
      expect(openError(() => sqliteStorage({ file: 'x.db', busyTimeoutMs: '5000' as never })).message).toMatch(/`busyTimeoutMs` must be a whole number .*; got "5000"$/);
      expect(openError(() => sqliteStorage({ file: 'x.db', watchIntervalMs: '250' as never })).message).toMatch(/; got "250"$/);
      expect(openError(() => sqliteStorage({ file: 'x.db', synchronous: 'off' as never })).message).toMatch(/; got "off"$/);
      expect(openError(() => sqliteStorage({ file: 'x.db', busyTimeoutMs: NaN })).message).toMatch(/; got NaN$/);
    });

    // createDirectory: 'false' (an environment variable) was truthy and created the directories.
    it('refuses a createDirectory that is not a boolean, and creates no directory', async () => {
      const file = join(temp.file('made'), 'x.db');
      expect(openError(() => sqliteStorage({ file, createDirectory: 'false' as never })).message).toBe('HOOKWORK_ERR_INVALID_STORAGE_OPTIONS: sqliteStorage(): `createDirectory` must be true or false; got "false"');
      expect(openError(() => openSqliteStorage({ file, createDirectory: 1 as never })).message).toMatch(/`createDirectory` must be true or false; got 1$/);
      expect(existsSync(dirname(file))).toBe(false);
    });

    it('an unknown option (say `wal: false` from plain JS) is refused, naming it and the known ones, and creates no file', () => {
      const file = temp.file();
      const error = openError(() => sqliteStorage({ file, wal: false } as never));
      expect(error.code).toBe('HOOKWORK_ERR_INVALID_STORAGE_OPTIONS');
      expect(error.message).toContain('unknown option `wal`');
      expect(error.message).toContain('`file`, `busyTimeoutMs`, `synchronous`, `createDirectory`, `watchIntervalMs`');
      expect(openError(() => openSqliteStorage({ file, busytimeoutMs: 10 } as never)).message).toContain('unknown option `busytimeoutMs` (did you mean `busyTimeoutMs`?)');
      expect(openError(() => sqliteStorage({ filename: file } as never)).message).toContain('unknown option `filename` (did you mean `file`?)');
      expect(existsSync(file)).toBe(false);
    });

    it('app start surfaces the coded error from open()', async () => {
      const file = temp.file('garbage.db');
      writeFileSync(file, Buffer.alloc(4096, 7));
      await expect(sqliteStorage({ file }).open({} as StorageContext)).rejects.toMatchObject({ code: 'HOOKWORK_ERR_STORAGE_CORRUPT' });
    });
  });

  describe('errors after open', () => {
    it('a claim while another program holds the write lock past the busy timeout is HOOKWORK_ERR_STORAGE_LOCKED and claims nothing', async () => {
      const file = temp.file();
      const storage = openSqliteStorage({ file, busyTimeoutMs: 50 });
      await storage.queue.enqueue([contractRequest('r')]);
      const other = new Database(file);
      other.exec('BEGIN EXCLUSIVE');
      await expect(storage.queue.claim({ owner: 'A', limit: 1, leaseMs: 1000, now: new Date(Date.UTC(2031, 0, 1)) })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_STORAGE_LOCKED' });
      const enqueueError = await storage.queue.enqueue([contractRequest('s')]).catch((e: unknown) => e);
      expect(enqueueError).toMatchObject({ code: 'HOOKWORK_ERR_ENQUEUE_FAILED' });
      expect((enqueueError as Error).message).toContain('busy timeout');
      other.exec('ROLLBACK');
      other.close();
      expect(await storage.queue.counts()).toEqual({ pending: 1, inFlight: 0, dead: 0 });
      await storage.close();
    });

    it('a write the file refuses (SQLITE_READONLY) is HOOKWORK_ERR_STORAGE_PERMISSION_DENIED naming the file and the fix', async () => {
      const file = temp.file();
      await openSqliteStorage({ file }).close();
      const readOnly = new Database(file, { readonly: true });
      const refused = (() => {
        try {
          readOnly.exec("INSERT INTO hookwork_webhooks (key, created_at, data) VALUES ('k', 0, '{}')");
        } catch (error) {
          return error;
        }
      })();
      readOnly.close();
      expect((refused as { code?: string }).code).toBe('SQLITE_READONLY');
      const coded = toStorageError(refused, { file, busyTimeoutMs: 5000, doing: 'creating webhook k' });
      expect(coded.code).toBe('HOOKWORK_ERR_STORAGE_PERMISSION_DENIED');
      expect(coded.message).toContain(`the SQLite store ${file} refused a write while creating webhook k`);
      expect(coded.message).toContain('chmod u+w');
    });

    it('using a closed store is a coded storage error', async () => {
      const storage = openSqliteStorage({ file: temp.file() });
      await storage.close();
      await storage.close(); // closing twice is harmless
      await expect(storage.queue.counts()).rejects.toMatchObject({ code: 'HOOKWORK_ERR_STORAGE' });
    });
  });
});
