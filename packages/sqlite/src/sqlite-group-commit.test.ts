import Database from 'better-sqlite3';
import { isHookworkError, type HookworkError } from '@hookwork/core';
import { contractLogEntry, contractRequest } from '@hookwork/core/testing';
import { openSqliteStorage, sqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.remove());

/** The ids in the file, read by a connection of its own (what another process would see). */
function storedIds(file: string): string[] {
  const other = new Database(file, { readonly: true });
  try {
    return (other.prepare('SELECT id FROM hookwork_requests ORDER BY id').all() as { id: string }[]).map((r) => r.id);
  } finally {
    other.close();
  }
}

async function rejection(promise: Promise<unknown>): Promise<HookworkError> {
  try {
    await promise;
  } catch (error) {
    expect(isHookworkError(error)).toBe(true);
    return error as HookworkError;
  }
  throw new Error('expected a rejection');
}

/** A request the table refuses (NOT NULL webhook_key): what an engine with a bug could hand the store. */
const refused = (id: string) => contractRequest(id, { webhookKey: null as unknown as string });

/** What the engine passes when other publishes are under way. */
const shared = { shareCommit: true } as const;

describe('SQLite group commit (concurrent publishes of one event-loop turn share a transaction)', () => {
  it('resolves each concurrent enqueue only once its rows are committed: another connection sees them at that moment', async () => {
    const file = temp.file();
    const storage = openSqliteStorage({ file });
    const seenWhenResolved: string[][] = [];
    await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        storage.queue.enqueue([contractRequest(`r${String(i).padStart(2, '0')}`)], shared).then(() => {
          seenWhenResolved.push(storedIds(file));
        }),
      ),
    );
    const all = Array.from({ length: 16 }, (_, i) => `r${String(i).padStart(2, '0')}`);
    for (const seen of seenWhenResolved) expect(seen).toEqual(all);
    await storage.close();
  });

  it('rejects only the publish whose batch fails (a row the table refuses), storing nothing of that batch and all of the others', async () => {
    const file = temp.file();
    const storage = openSqliteStorage({ file });
    const results = await Promise.allSettled([
      storage.queue.enqueue([contractRequest('a1'), contractRequest('a2')], shared),
      storage.queue.enqueue([contractRequest('b1'), refused('b2')], shared),
      storage.queue.enqueue([contractRequest('c1')], shared),
      storage.deliveryLog.append([contractLogEntry('l1')]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const error = (results[1] as PromiseRejectedResult).reason as HookworkError;
    expect(error.code).toBe('HOOKWORK_ERR_ENQUEUE_FAILED');
    expect(error.message).toMatch(/nothing of them was stored/);
    expect(storedIds(file)).toEqual(['a1', 'a2', 'c1']);
    expect(await storage.deliveryLog.get('l1')).toBeDefined();
    await storage.close();
  });

  it('skips an id already stored in a group, failing no publish: each stores what it lacks (a publish made again)', async () => {
    const file = temp.file();
    const storage = openSqliteStorage({ file });
    await storage.queue.enqueue([contractRequest('taken')]);
    await Promise.all([
      storage.queue.enqueue([contractRequest('a1'), contractRequest('a2')], shared),
      storage.queue.enqueue([contractRequest('b1'), contractRequest('taken', { body: '{"again":true}' })], shared),
      storage.queue.enqueue([contractRequest('a1', { body: '{"again":true}' })], shared),
    ]);
    expect(storedIds(file)).toEqual(['a1', 'a2', 'b1', 'taken']);
    expect((await storage.queue.get('taken'))!.body).toBe(contractRequest('taken').body);
    expect((await storage.queue.get('a1'))!.body).toBe(contractRequest('a1').body);
    await storage.close();
  });

  it('rejects only a one-row publish that fails in a group (a single statement, undone by SQLite without a savepoint)', async () => {
    const file = temp.file();
    const storage = openSqliteStorage({ file });
    await storage.queue.enqueue([contractRequest('taken')]);
    const results = await Promise.allSettled([
      storage.queue.enqueue([contractRequest('a1')], shared),
      storage.queue.enqueue([refused('b1')], shared),
      storage.queue.enqueue([contractRequest('c1')], shared),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((results[1] as PromiseRejectedResult).reason as HookworkError).code).toBe('HOOKWORK_ERR_ENQUEUE_FAILED');
    expect(storedIds(file)).toEqual(['a1', 'c1', 'taken']);
    await storage.close();
  });

  it('rejects every write of the group with a coded error when the shared commit cannot happen, and stores none of them', async () => {
    const file = temp.file();
    const storage = openSqliteStorage({ file, busyTimeoutMs: 50 });
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    const writes = [storage.queue.enqueue([contractRequest('x1')], shared), storage.queue.enqueue([contractRequest('x2'), contractRequest('x3')], shared), storage.deliveryLog.append([contractLogEntry('lx')])];
    const errors = await Promise.all(writes.map(rejection));
    holder.exec('ROLLBACK');
    holder.close();
    expect(errors.map((e) => e.code)).toEqual(['HOOKWORK_ERR_ENQUEUE_FAILED', 'HOOKWORK_ERR_ENQUEUE_FAILED', 'HOOKWORK_ERR_STORAGE_LOCKED']);
    expect(errors[0]!.message).toContain('could not store 1 request(s)');
    expect(((errors[0] as Error).cause as HookworkError).code).toBe('HOOKWORK_ERR_STORAGE_LOCKED');
    expect(storedIds(file)).toEqual([]);
    expect(await storage.deliveryLog.get('lx')).toBeUndefined();
    await storage.close();
  });

  it('commits writes still waiting for their turn when the store is closed', async () => {
    const file = temp.file();
    const storage = openSqliteStorage({ file });
    const pending = storage.queue.enqueue([contractRequest('late')], shared);
    await storage.close();
    await pending;
    expect(storedIds(file)).toEqual(['late']);
  });

  it('commits a lone publish at once, taking the writes waiting for the turn along', async () => {
    const file = temp.file();
    const storage = openSqliteStorage({ file });
    const logged = storage.deliveryLog.append([contractLogEntry('waiting')]);
    const enqueued = storage.queue.enqueue([contractRequest('alone')]);
    // Committed before any turn of the event loop: another connection sees it now.
    expect(storedIds(file)).toEqual(['alone']);
    await Promise.all([logged, enqueued]);
    expect(await storage.deliveryLog.get('waiting')).toBeDefined();
    await storage.close();
  });

  it('lets a claim take what was enqueued in the same turn, in one transaction', async () => {
    const storage = openSqliteStorage({ file: temp.file() });
    const enqueued = storage.queue.enqueue([contractRequest('now')], shared);
    const claimed = await storage.queue.claim({ owner: 'A', limit: 10, leaseMs: 1000, now: new Date(Date.UTC(2031, 0, 1)) });
    await enqueued;
    expect(claimed.map((r) => r.id)).toEqual(['now']);
    await storage.close();
  });
});

describe('SQLite checkpoints', () => {
  it('moves checkpoints to a thread of their own once the store is busy, and keeps a backstop inline', async () => {
    const file = temp.file();
    const storage = openSqliteStorage({ file });
    expect(storage.database.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    for (let i = 0; i < 250; i++) await storage.queue.enqueue([contractRequest(`c${i}`)]);
    expect(storage.database.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    // The thread copies the WAL into the database file: a reader of the file alone sees every row.
    const deadline = Date.now() + 20_000;
    let backfilled = false;
    while (!backfilled && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const [status] = storage.database.pragma('wal_checkpoint(NOOP)') as { log: number; checkpointed: number }[];
      backfilled = status !== undefined && status.log > 0 && status.checkpointed === status.log;
    }
    expect(backfilled).toBe(true);
    await storage.close();
    expect(storedIds(file)).toHaveLength(250);
  });

  it.each(['normal', 'full'] as const)('copies a steady stream of commits into the database file about once a second, not at every tick (synchronous: %s)', async (synchronous) => {
    // Each checkpoint that copies every frame lets SQLite start the WAL over, and the commit after
    // that fsyncs the WAL's header on the event loop: at one checkpoint per 100 ms tick that fsync
    // was in up to ten publishes' commits a second.
    const storage = openSqliteStorage({ file: temp.file(), synchronous });
    for (let i = 0; i < 250; i++) await storage.queue.enqueue([contractRequest(`warm${i}`)]);
    const backfilled = () => (storage.database.pragma('wal_checkpoint(NOOP)') as { checkpointed: number }[])[0]!.checkpointed;
    let copies = 0;
    try {
      let last = backfilled();
      // 1.5 s of commits every 5 ms (about 300, far below the commits that call for an early checkpoint).
      const end = Date.now() + 1500;
      for (let i = 0; Date.now() < end; i++) {
        await storage.queue.enqueue([contractRequest(`s${i}`)]);
        await new Promise((resolve) => setTimeout(resolve, 5));
        const now = backfilled();
        if (now !== last) copies++;
        last = now;
      }
    } finally {
      await storage.close();
    }
    // A busy machine makes the thread late, never early: at most the checkpoint due in the first second, and one more.
    expect(copies).toBeLessThanOrEqual(2);
  });

  it("keeps SQLite's own checkpoints with checkpoint: 'inline'", async () => {
    const storage = openSqliteStorage({ file: temp.file(), checkpoint: 'inline' });
    for (let i = 0; i < 250; i++) await storage.queue.enqueue([contractRequest(`c${i}`)]);
    expect(storage.database.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await storage.close();
  });

  it('refuses an unknown checkpoint mode with a coded error naming the choices', () => {
    let error: unknown;
    try {
      sqliteStorage({ file: temp.file(), checkpoint: 'sometimes' as never });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_STORAGE_OPTIONS', message: expect.stringContaining('`checkpoint` must be "background"') });
  });
});
