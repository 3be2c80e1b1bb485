import pg from 'pg';
import { openPostgresStorage } from '../postgres-storage';
import { HeldRow } from './row-lock';
import { withTestDatabase } from './test-schema';

/**
 * The race tests' lock watch: it once looked from inside the holding transaction, where
 * PostgreSQL keeps one snapshot of pg_stat_activity, and never saw a write sent on a connection
 * opened after its first look — an app whose pool opened one for the write failed the race test
 * about one run in three.
 */
const db = withTestDatabase('rowlock');

it('counts a write that waits on a connection opened after it began watching', async () => {
  const schema = db.schema();
  const storage = await openPostgresStorage({ connectionString: db.url, schema });
  const clients: pg.Client[] = [];
  const write = async () => {
    const client = new pg.Client({ connectionString: db.url });
    clients.push(client);
    await client.connect();
    return client.query(`UPDATE "${schema}".webhooks SET events = events WHERE key = 'w1'`);
  };
  try {
    await storage.webhooks.create({ key: 'w1', url: 'https://example.com/', events: ['x'], enabled: true, contentTypeKeys: [], headers: {}, sensitiveHeaders: [], secrets: [], createdAt: new Date(1000), updatedAt: new Date(1000) });
    const held = await HeldRow.lock(db.url, schema, 'w1');
    const writes: Promise<unknown>[] = [];
    try {
      writes.push(write());
      await held.waiters(1);
      // Opened only now, after the watch's first looks.
      writes.push(write());
      await held.waiters(2, 10_000);
    } finally {
      await held.release();
    }
    expect((await Promise.all(writes)).map((result) => (result as pg.QueryResult).rowCount)).toEqual([1, 1]);
  } finally {
    await Promise.all(clients.map((client) => client.end()));
    await storage.close();
  }
});
