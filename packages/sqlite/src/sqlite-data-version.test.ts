import type { Statement } from 'better-sqlite3';
import { contractRequest, contractWebhook } from '@hookwork/core/testing';
import { openSqliteStorage, type SqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.remove());

/** Counts the store's runs of `PRAGMA data_version` (its prepared statement's `get`). */
function countVersionReads(storage: SqliteStorage): { reads: number } {
  const counter = { reads: 0 };
  const db = storage.database;
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    const statement = prepare(sql);
    if (sql !== 'PRAGMA data_version') return statement;
    const get = statement.get.bind(statement);
    statement.get = ((...args: unknown[]) => {
      counter.reads++;
      return get(...args);
    }) as Statement['get'];
    return statement;
  }) as typeof db.prepare;
  return counter;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const claim = { owner: 'dispatcher-1', leaseMs: 60_000, now: new Date(), ids: ['msg_1'] };

describe('the webhook lookups’ check of PRAGMA data_version (SQLite)', () => {
  it('reads it once for a publish’s lookup, its handed-off request and the attempt’s lookup in one turn, and again in the next turn', async () => {
    const storage = openSqliteStorage({ file: temp.file() });
    try {
      await storage.webhooks.create(contractWebhook('wh-1'));
      const counter = countVersionReads(storage);
      await nextTurn();
      // What one awaiting publisher's publish does, up to the attempt's webhook lookup.
      expect((await storage.webhooks.getSharedByAlias!('contentPublished')).map((w) => w.key)).toEqual(['wh-1']);
      await storage.queue.enqueueClaimed!([contractRequest('msg_1')], claim);
      expect((await storage.webhooks.getShared!('wh-1'))?.key).toBe('wh-1');
      expect(counter.reads).toBe(1);
      await nextTurn();
      await storage.webhooks.getShared!('wh-1');
      expect(counter.reads).toBe(2);
    } finally {
      await storage.close();
    }
  });

  it('reads it again after a claim in the same turn: a request another connection enqueued after changing its webhook finds the change', async () => {
    const file = temp.file();
    const storage = openSqliteStorage({ file });
    const other = openSqliteStorage({ file });
    try {
      await storage.webhooks.create(contractWebhook('wh-1'));
      await nextTurn();
      // One turn: this connection keeps the webhook; the other changes it and enqueues a request of it.
      expect((await storage.webhooks.getShared!('wh-1'))?.url).toBe('https://receiver.example/wh-1');
      await other.webhooks.update(contractWebhook('wh-1', { url: 'https://receiver.example/moved' }));
      await other.queue.enqueue([contractRequest('msg_1')]);
      const [claimed] = await storage.queue.claim({ owner: 'dispatcher-1', leaseMs: 60_000, now: new Date(Date.UTC(2031, 0, 1)), limit: 10 });
      expect(claimed?.id).toBe('msg_1');
      expect((await storage.webhooks.getShared!('wh-1'))?.url).toBe('https://receiver.example/moved');
    } finally {
      await other.close();
      await storage.close();
    }
  });

  it('reads it again after a read of the queue in the same turn', async () => {
    const file = temp.file();
    const storage = openSqliteStorage({ file });
    const other = openSqliteStorage({ file });
    try {
      await storage.webhooks.create(contractWebhook('wh-1'));
      await nextTurn();
      expect((await storage.webhooks.getSharedByAlias!('contentPublished')).map((w) => w.url)).toEqual(['https://receiver.example/wh-1']);
      await other.webhooks.update(contractWebhook('wh-1', { url: 'https://receiver.example/moved' }));
      await other.queue.enqueue([contractRequest('msg_1')]);
      expect((await storage.queue.get('msg_1'))?.webhookKey).toBe('wh-1');
      expect((await storage.webhooks.getSharedByAlias!('contentPublished')).map((w) => w.url)).toEqual(['https://receiver.example/moved']);
    } finally {
      await other.close();
      await storage.close();
    }
  });
});
