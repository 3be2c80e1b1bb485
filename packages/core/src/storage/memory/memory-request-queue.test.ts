import { describeRequestQueueContract } from '@hookwork/core/testing';
import { MemoryRequestQueue } from './memory-request-queue';

describeRequestQueueContract('memory', () => ({ subject: new MemoryRequestQueue() }), { fifo: true });

describe('MemoryRequestQueue with a large backlog', () => {
  it('claims from 100,000 pending requests in batches without losing order or any request', async () => {
    const queue = new MemoryRequestQueue();
    const t0 = Date.UTC(2030, 0, 1);
    for (let i = 0; i < 100_000; i += 1000) {
      await queue.enqueue(Array.from({ length: 1000 }, (_, j) => ({ id: `r${i + j}`, webhookKey: `w${(i + j) % 7}`, eventAlias: 'e', body: '{}', createdAt: new Date(t0), dueAt: new Date(t0 + i + j) })));
    }
    let expected = 0;
    for (let round = 0; round < 500; round++) {
      const batch = await queue.claim({ owner: 'A', limit: 64, leaseMs: 60_000, now: new Date(t0 + 200_000) });
      for (const r of batch) {
        expect(r.id).toBe(`r${expected++}`);
        await queue.complete(r.id, 'A');
      }
    }
    expect(await queue.counts()).toEqual({ pending: 100_000 - 500 * 64, inFlight: 0, dead: 0 });
  });
});
