import { systemClock, type RequestQueue, type Storage } from '@hookwork/core';
import { engineRequest } from '@hookwork/core/testing';
import pg from 'pg';
import { openPostgresStorage } from './postgres-storage';
import { withTestSchema } from './testing/test-schema';

const t = withTestSchema('retention');
const { db } = t;

describe('the PostgreSQL dead-letter retention', () => {
  let storage: Storage<unknown>;
  let redelivery: pg.Client;
  beforeEach(async () => {
    storage = await openPostgresStorage({ connectionString: db.url, schema: t.schema, poolSize: 4 });
    redelivery = new pg.Client({ connectionString: db.url });
    t.afterTest(async () => {
      await redelivery.end();
      await storage.close();
    });
    await redelivery.connect();
  });

  it('keeps a dead letter that a redelivery committed while the cleanup waited for its row: the request is delivered', async () => {
    const queue = storage.queue as RequestQueue;
    const request = engineRequest('old');
    await queue.enqueue([request]);
    const now = systemClock.now();
    expect(await queue.claim({ owner: 'a', limit: 1, leaseMs: 60_000, now })).toHaveLength(1);
    expect(await queue.deadLetter(request.id, 'a', { attempts: 1, lastError: 'HTTP 500', now })).toBe(true);

    // The race made certain: a redelivery (the statement redeliver() runs) holds the row, the
    // cleanup's DELETE waits for it, and the redelivery commits.
    await redelivery.query('BEGIN');
    await redelivery.query(`UPDATE "${t.schema}".requests SET state = 'pending', due_at = $1, retry_count = 0, dead_at = NULL WHERE id = $2 AND state = 'dead'`, [now.getTime(), request.id]);
    const deleting = queue.deleteDeadOlderThan(new Date(now.getTime() + 60_000), 100);
    await waitForBlockedDelete();
    await redelivery.query('COMMIT');

    expect(await deleting).toBe(0);
    expect(await queue.get(request.id)).toMatchObject({ state: 'pending', attempts: 0 });
    expect((await queue.claim({ owner: 'b', limit: 1, leaseMs: 60_000, now: systemClock.now() })).map((r) => r.id)).toEqual([request.id]);
  });

  /** Resolves once a DELETE of this schema waits for a row lock. */
  async function waitForBlockedDelete(): Promise<void> {
    for (;;) {
      const waiting = await db.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`, [`DELETE FROM "${t.schema}".requests%`]);
      if (waiting.rows.length > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
});
