import type pg from 'pg';
import { HostCommits, TRANSACTION_STATUS_SQL } from './host-commits';
import { withTestSchema } from './testing/test-schema';

const t = withTestSchema('hostcommits', { hostPoolSize: 2 });

/** The store's own statement, on the host's pool. */
function reader(): (xids: readonly string[]) => Promise<Map<string, string | null>> {
  return async (xids) => {
    const result = await t.host.query<{ xid: string; status: string | null }>(TRANSACTION_STATUS_SQL, [xids]);
    return new Map(result.rows.map((row) => [row.xid, row.status]));
  };
}

/** A transaction that has an id (it wrote), on a client of the host's pool. */
async function openTransaction(): Promise<{ client: pg.PoolClient; xid: string }> {
  const client = await t.host.connect();
  await client.query('BEGIN');
  const { rows } = await client.query<{ xid: string }>('SELECT pg_catalog.txid_current()::text AS xid');
  return { client, xid: rows[0]!.xid };
}

describe('HostCommits: how a host transaction ended, without its notification', () => {
  it('settles true once the transaction commits and false once it is rolled back, found by looking (no notification heard)', async () => {
    const commits = new HostCommits(reader(), 20);
    const a = await openTransaction();
    const b = await openTransaction();
    const settled: Record<string, boolean> = {};
    void commits.ended(a.xid).then((committed) => (settled.a = committed));
    void commits.ended(b.xid).then((committed) => (settled.b = committed));
    // Several looks go by while both are open: neither is settled.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toEqual({});
    await a.client.query('COMMIT');
    await b.client.query('ROLLBACK');
    a.client.release();
    b.client.release();
    await expect(commits.ended(a.xid)).resolves.toBe(true);
    await expect(commits.ended(b.xid)).resolves.toBe(false);
    expect(settled).toEqual({ a: true, b: false });
    await commits.close();
  });

  it('close() looks once more, then settles a transaction still open as not committed', async () => {
    const commits = new HostCommits(reader(), 60_000);
    const done = await openTransaction();
    const open = await openTransaction();
    const ended = [commits.ended(done.xid), commits.ended(open.xid)];
    await done.client.query('COMMIT');
    done.client.release();
    await commits.close();
    await expect(Promise.all(ended)).resolves.toEqual([true, false]);
    await open.client.query('ROLLBACK');
    open.client.release();
  });

  // An id the server has not assigned (the host's connection got it from a server failed over
  // from): txid_status() threw for it, the whole look failed at every tick, and the others with it.
  it('an id the server has not assigned yet does not hold up the others: it is settled as not committed, they as they ended', async () => {
    const commits = new HostCommits(reader(), 60_000);
    const done = await openTransaction();
    const undone = await openTransaction();
    const unknown = (BigInt(done.xid) + 1_000_000n).toString();
    const ended = [commits.ended(done.xid), commits.ended(unknown), commits.ended(undone.xid)];
    await done.client.query('COMMIT');
    await undone.client.query('ROLLBACK');
    done.client.release();
    undone.client.release();
    // One look (close() makes it): before, it failed, and all three were settled as not committed.
    await commits.close();
    await expect(Promise.all(ended)).resolves.toEqual([true, false, false]);
  });
});
