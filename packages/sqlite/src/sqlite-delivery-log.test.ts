import { contractLogEntry, contractRequest } from '@hookwork/core/testing';
import { openSqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.remove());

const date = new Date(Date.UTC(2030, 0, 2));
/** 75 entries: the multi-row INSERTs write them as runs of 32, 32, 8, 2 and 1 rows. */
const batch = (prefix: string) => Array.from({ length: 75 }, (_, i) => contractLogEntry(`${prefix}${String(i).padStart(2, '0')}`, { date, retryCount: i, statusCode: i % 2 ? 200 : undefined }));

describe('SQLite delivery log appends in multi-row INSERTs', () => {
  it('stores every entry of a batch of 75 as given, in order', async () => {
    const storage = openSqliteStorage({ file: temp.file() });
    try {
      const entries = batch('e');
      await storage.deliveryLog.append(entries);
      const page = await storage.deliveryLog.list({ limit: 100 });
      expect(page.total).toBe(75);
      // Newest first: one date, so by append order, reversed.
      expect(page.items).toEqual([...entries].reverse());
    } finally {
      await storage.close();
    }
  });

  it('stores none of a batch with a refused entry, and keeps the other writes of its turn', async () => {
    const storage = openSqliteStorage({ file: temp.file() });
    try {
      const entries = batch('bad');
      entries[70] = { ...entries[70]!, webhookKey: null as unknown as string };
      const appending = storage.deliveryLog.append(entries);
      const enqueueing = storage.queue.enqueue([contractRequest('r1')], { shareCommit: true });
      await expect(appending).rejects.toMatchObject({ code: 'HOOKWORK_ERR_STORAGE' });
      await enqueueing;
      expect((await storage.deliveryLog.list()).total).toBe(0);
      expect((await storage.queue.get('r1'))?.id).toBe('r1');
    } finally {
      await storage.close();
    }
  });
});
