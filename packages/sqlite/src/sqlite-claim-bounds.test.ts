import type { WebhookRequest } from '@hookwork/core';
import { contractRequest } from '@hookwork/core/testing';
import { openSqliteStorage, type SqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

/**
 * A claim with per-webhook bounds reads the due front only up to its first request past its
 * webhook's bound, then looks past the webhooks at their bound webhook by webhook. When that look
 * comes back full of a webhook the front read stopped before capping, it reads the whole batch
 * after all: the answer is the one a whole batch's read gives.
 */
const T0 = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(T0 + ms);
const ids = (requests: readonly WebhookRequest[]) => requests.map((r) => r.id);

let temp: ReturnType<typeof makeTempDir>;
let storage: SqliteStorage;

beforeEach(() => {
  temp = makeTempDir();
  storage = openSqliteStorage({ file: temp.file(), checkpoint: 'inline' });
});
afterEach(async () => {
  await storage.close();
  temp.remove();
});

/** Requests of webhooks by due order: `[['wh-a', 'a1'], …]`, one ms apart. */
async function enqueueInOrder(requests: [webhookKey: string, id: string][]): Promise<void> {
  await storage.queue.enqueue(requests.map(([webhookKey, id], i) => contractRequest(id, { webhookKey, dueAt: at(i + 1), createdAt: at(0) })));
}

const claim = (limit: number, webhookLimits: Map<string, number>, perWebhookLimit?: number) =>
  storage.queue.claim({ owner: 'A', limit, leaseMs: 10_000, now: at(1_000), webhookLimits, ...(perWebhookLimit === undefined ? {} : { perWebhookLimit }) });

describe('a bounded claim over a backlog', () => {
  it('finds a third webhook behind two at their bounds, when the look past the first comes back full of the second', async () => {
    await enqueueInOrder([['wh-a', 'a1'], ['wh-a', 'a2'], ['wh-x', 'x1'], ['wh-x', 'x2'], ['wh-x', 'x3'], ['wh-x', 'x4'], ['wh-d', 'd1']]);
    expect(ids(await claim(4, new Map([['wh-a', 1], ['wh-x', 1]])))).toEqual(['a1', 'x1', 'd1']);
    expect(await storage.queue.counts()).toEqual({ pending: 4, inFlight: 3, dead: 0 });
  });

  it('takes one webhook up to its bound from a long backlog, oldest first, and leases exactly those', async () => {
    await enqueueInOrder(Array.from({ length: 60 }, (_, i): [string, string] => ['wh-a', `a${i + 1}`]));
    const claimed = await claim(48, new Map([['wh-a', 10]]), 16);
    expect(ids(claimed)).toEqual(Array.from({ length: 10 }, (_, i) => `a${i + 1}`));
    for (const request of claimed) expect(request).toMatchObject({ state: 'inflight', leaseOwner: 'A', leaseExpiresAt: at(11_000), webhookKey: 'wh-a', eventAlias: expect.any(String) });
    expect(await storage.queue.get('a1')).toEqual(claimed[0]);
    expect(await storage.queue.counts()).toEqual({ pending: 50, inFlight: 10, dead: 0 });
  });

  it('reads past the bound of one webhook to the others within the batch, in claim order', async () => {
    await enqueueInOrder([['wh-a', 'a1'], ['wh-a', 'a2'], ['wh-a', 'a3'], ['wh-b', 'b1'], ['wh-a', 'a4'], ['wh-c', 'c1'], ['wh-b', 'b2']]);
    expect(ids(await claim(10, new Map([['wh-a', 2]]), 16))).toEqual(['a1', 'a2', 'b1', 'c1', 'b2']);
  });
});
