import { createHookwork, systemClock, type RequestQueue, type Storage } from '@hookwork/core';
import { contractWebhook, engineRequest, thingComposer } from '@hookwork/core/testing';
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

describe('a cleanup round after a deletion cut short in another process on the schema', () => {
  it('drops what the deletion left queued and says how many in its answer', async () => {
    // The other process: its deletion removed the webhook and was killed before its requests (a
    // dead letter and a retry an hour away), as the store's own delete() leaves them.
    const other = await openPostgresStorage({ connectionString: db.url, schema: t.schema, poolSize: 2 });
    try {
      await other.webhooks.create(contractWebhook('gone', { url: 'https://receiver.example/hook', events: ['thing.happened'] }));
      const published = new Date(Date.now() - 60_000);
      await other.queue.enqueue([{ id: 'gone-dead', webhookKey: 'gone', eventAlias: 'thing.happened', body: '{}', createdAt: published, dueAt: published }]);
      expect(await other.queue.claim({ owner: 'other', limit: 10, leaseMs: 60_000, now: systemClock.now() })).toHaveLength(1);
      expect(await other.queue.deadLetter('gone-dead', 'other', { attempts: 6, now: systemClock.now() })).toBe(true);
      await other.queue.enqueue([{ id: 'gone-waiting', webhookKey: 'gone', eventAlias: 'thing.happened', body: '{}', createdAt: published, dueAt: new Date(Date.now() + 3_600_000) }]);
      await other.webhooks.delete('gone');
    } finally {
      await other.close();
    }

    const app = t.stopAfterTest(createHookwork({ composers: [thingComposer], storage: t.storage(), settings: { enabled: false } }));
    await app.start();
    expect((await app.deadLetters()).total).toBe(1);
    // runCleanup joins the app's own first round if it began: either way its answer counts them.
    expect(await app.runCleanup()).toEqual({ logEntries: 0, deadLetters: 0, droppedRequests: 2 });
    expect((await app.metrics.scrape()).text).toContain('hookwork_requests_dropped_total{reason="webhook_deleted"} 2\n');
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    expect((await app.logs({ outcomes: ['dropped'] })).items.map((e) => e.requestId).sort()).toEqual(['gone-dead', 'gone-waiting']);
  });
});
