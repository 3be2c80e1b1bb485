import { MemoryRequestQueue } from '../../storage/memory/memory-request-queue';
import type { RequestQueue } from '../../ports/request-queue';
import { CompletionBatcher } from './completion-batcher';

const at = new Date('2030-01-01T00:00:00Z');

async function queueHolding(ids: string[], owner: string): Promise<MemoryRequestQueue> {
  const queue = new MemoryRequestQueue();
  await queue.enqueue(ids.map((id) => ({ id, webhookKey: 'w', eventAlias: 'a', body: '{}', createdAt: at, dueAt: at })));
  await queue.claim({ owner, limit: ids.length, leaseMs: 60_000, now: at });
  return queue;
}

describe('CompletionBatcher', () => {
  it('completes the requests settled in one turn with one completeMany, telling each caller its own result', async () => {
    const queue = await queueHolding(['a', 'b', 'c'], 'me');
    const calls: string[][] = [];
    const completeMany = queue.completeMany.bind(queue);
    queue.completeMany = (ids, owner) => {
      calls.push([...ids]);
      return completeMany(ids, owner);
    };
    const batcher = new CompletionBatcher(queue, 'me');
    const results = await Promise.all(['a', 'b', 'c', 'not-held'].map((id) => batcher.complete(id)));
    expect(results).toEqual([true, true, true, false]);
    expect(calls).toEqual([['a', 'b', 'c', 'not-held']]);
    expect(await queue.counts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });

  it('calls complete for each request when the queue has no completeMany', async () => {
    const inner = await queueHolding(['a', 'b'], 'me');
    const queue: RequestQueue = Object.create(inner) as RequestQueue;
    Object.defineProperty(queue, 'completeMany', { value: undefined });
    const batcher = new CompletionBatcher(queue, 'me');
    expect(await Promise.all([batcher.complete('a'), batcher.complete('b'), batcher.complete('a')])).toEqual([true, true, false]);
    expect(await inner.counts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });

  it('rejects every waiting caller with the storage error, and keeps working afterwards', async () => {
    const queue = await queueHolding(['a', 'b', 'c'], 'me');
    const completeMany = queue.completeMany.bind(queue);
    queue.completeMany = () => Promise.reject(new Error('disk full'));
    const batcher = new CompletionBatcher(queue, 'me');
    const settled = await Promise.allSettled([batcher.complete('a'), batcher.complete('b')]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    queue.completeMany = completeMany;
    expect(await batcher.complete('c')).toBe(true);
    expect(await queue.counts()).toEqual({ pending: 0, inFlight: 2, dead: 0 });
  });
});
