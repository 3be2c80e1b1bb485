import pg from 'pg';
import { createHookwork, type Hookwork, type HookworkSettingsInput } from '@hookwork/core';
import { startTestReceiver, type TestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { openPostgresStorage, type PostgresTransaction } from './index';
import type { NewWebhookRequest } from '@hookwork/core';
import { withTestSchema } from './testing/test-schema';

const settings: HookworkSettingsInput = { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, retrySchedule: [50], retryJitter: 0, period: 200, timeout: 5000, stopTimeout: 2000 };

const t = withTestSchema('fifo');
const { db } = t;
let receiver: TestReceiver;

afterEach(async () => {
  await receiver.close();
});

async function startApp(): Promise<Hookwork<PostgresTransaction>> {
  const app = t.stopAfterTest(createHookwork({ composers: [thingComposer], settings, storage: t.storage() }));
  await app.start();
  return app;
}

describe('FIFO webhooks on PostgreSQL', () => {
  it('two apps on one schema deliver a FIFO line one at a time, in publish order, through retries', async () => {
    const attempts = new Map<string, number>();
    let open = 0;
    let maxOpen = 0;
    receiver = await startTestReceiver((request, res) => {
      const { id } = JSON.parse(request.text) as { id: string };
      const attempt = attempts.get(id) ?? 0;
      attempts.set(id, attempt + 1);
      maxOpen = Math.max(maxOpen, ++open);
      // Every fifth request fails its first attempt: the ones behind it must wait for its retry.
      setTimeout(() => {
        open--;
        res.writeHead(Number(id) % 5 === 0 && attempt === 0 ? 503 : 200).end();
      }, 10);
    });
    const [a, b] = [await startApp(), await startApp()];
    await a.webhooks.create({ url: receiver.url, events: ['thing.happened'], fifo: true });
    const ids = Array.from({ length: 20 }, (_, i) => String(i + 1).padStart(3, '0'));
    // Published from both apps, one after another: the line is in publish order whoever published.
    for (const [i, id] of ids.entries()) await (i % 2 === 0 ? a : b).publish(new ThingHappened(id));
    await Promise.all([a.drain({ timeoutMs: 60_000 }), b.drain({ timeoutMs: 60_000 })]);

    const sequence = receiver.requests.map((r) => (JSON.parse(r.text) as { id: string }).id).filter((id, i, all) => i === 0 || all[i - 1] !== id);
    expect(sequence).toEqual(ids);
    expect(maxOpen).toBe(1);
    expect(attempts.get('005')).toBe(2);
  });

  it('a plain webhook beside a FIFO one is not held by its line', async () => {
    let releaseHead: (() => void) | undefined;
    receiver = await startTestReceiver((request, res) => {
      // The FIFO line's head hangs until the plain webhook's requests have all arrived.
      if (request.path === '/fifo' && !releaseHead) releaseHead = () => void res.writeHead(200).end();
      else res.writeHead(200).end();
    });
    const app = await startApp();
    await app.webhooks.create({ url: `${receiver.origin}/fifo`, events: ['thing.happened'], fifo: true });
    await app.webhooks.create({ url: `${receiver.origin}/plain`, events: ['thing.happened'] });
    for (let i = 0; i < 5; i++) await app.publish(new ThingHappened(String(i)));
    await receiver.waitFor(6, 30_000); // five plain and the FIFO head
    expect(receiver.requests.filter((r) => r.path === '/plain')).toHaveLength(5);
    expect(receiver.requests.filter((r) => r.path === '/fifo')).toHaveLength(1);
    releaseHead!();
    await app.drain({ timeoutMs: 30_000 });
    expect(receiver.requests.filter((r) => r.path === '/fifo')).toHaveLength(5);
  });

  it('a line is in commit order: a host transaction publishing behind an open one waits for its commit', async () => {
    receiver = await startTestReceiver();
    const app = await startApp();
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], fifo: true });
    const host = new pg.Pool({ connectionString: db.url, max: 2 });
    const [first, second] = [await host.connect(), await host.connect()];
    try {
      await first.query('BEGIN');
      await second.query('BEGIN');
      await app.publish(new ThingHappened('A'), { transaction: first });
      // B joins the line after A; it must not take a place A's commit would make earlier.
      const publishB = app.publish(new ThingHappened('B'), { transaction: second });
      const waitingForLine = async () => {
        for (let i = 0; i < 1000; i++) {
          const { rows } = await db.query<{ n: string }>("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND pid = $1", [(second as unknown as { processID: number }).processID]);
          if (Number(rows[0]!.n) > 0) return;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        throw new Error('the second publish did not wait for the first transaction');
      };
      await waitingForLine();
      await first.query('COMMIT');
      await publishB;
      await second.query('COMMIT');
      await app.drain({ all: true, timeoutMs: 30_000 });
      expect(receiver.requests.map((r) => (JSON.parse(r.text) as { id: string }).id)).toEqual(['A', 'B']);
    } finally {
      first.release();
      second.release();
      await host.end();
    }
  });

  describe('group commit of enqueues beside FIFO lines a host transaction holds', () => {
    const request = (id: string, webhookKey: string, fifo: boolean): NewWebhookRequest => ({ id, webhookKey, eventAlias: 'thing.happened', body: '{}', createdAt: new Date(), dueAt: new Date(), ...(fifo ? { fifo: 'block' as const } : {}) });
    /** A store of its own on the test's schema and a host client inside BEGIN, both closed after `body`. */
    async function withStoreAndHost(body: (storage: Awaited<ReturnType<typeof openPostgresStorage>>, host: pg.Client) => Promise<void>): Promise<void> {
      receiver = await startTestReceiver();
      const storage = await openPostgresStorage({ connectionString: db.url, schema: t.schema, poolSize: 4 });
      const host = new pg.Client({ connectionString: db.url });
      await host.connect();
      try {
        await host.query('BEGIN');
        await body(storage, host);
      } finally {
        await host.end();
        await storage.close();
      }
    }

    const settledFlag = (promise: Promise<unknown>) => {
      const state = { settled: false };
      promise.then(
        () => (state.settled = true),
        () => (state.settled = true),
      );
      return state;
    };

    it('a plain publish in the same turn as a FIFO publish on a held line does not wait for that transaction', () =>
      withStoreAndHost(async (storage, host) => {
        await storage.queue.enqueue([request('held', 'fifo-hook', true)], { transaction: host });
        const fifo = storage.queue.enqueue([request('behind', 'fifo-hook', true)], { shareCommit: true });
        const fifoState = settledFlag(fifo);
        // Resolves while the host transaction is still open (a hang here fails the test by its timeout).
        await storage.queue.enqueue([request('plain', 'other-hook', false)], { shareCommit: true });
        expect(fifoState.settled).toBe(false);
        await host.query('COMMIT');
        await fifo;
        const { rows } = await db.query<{ id: string }>(`SELECT id FROM "${t.schema}".requests ORDER BY seq`);
        expect(rows.map((r) => r.id)).toEqual(['held', 'plain', 'behind']);
      }));

    it('two FIFO publishes of one turn are not one statement locking both lines: no deadlock with a host transaction', () =>
      withStoreAndHost(async (storage, host) => {
        await storage.queue.enqueue([request('host-b', 'line-b', true)], { transaction: host });
        const onA = storage.queue.enqueue([request('a', 'line-a', true)], { shareCommit: true });
        const onB = storage.queue.enqueue([request('b', 'line-b', true)], { shareCommit: true });
        const plain = storage.queue.enqueue([request('c', 'plain-hook', false)], { shareCommit: true });
        await Promise.all([onA, plain]);
        // The host now joins line A too: grouped with B's, A's statement would hold A's lock while
        // waiting for B's, and this would close a deadlock that fails every publish of the group.
        await storage.queue.enqueue([request('host-a', 'line-a', true)], { transaction: host });
        await host.query('COMMIT');
        await onB;
        const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${t.schema}".requests`);
        expect(Number(rows[0]!.n)).toBe(5);
      }));
  });
});
