import { MemoryRequestQueue } from '../../storage/memory/memory-request-queue';
import type { DeliveryLogEntry } from '../../model/delivery-log-entry';
import type { RequestQueue } from '../../ports/request-queue';
import { keyedMessageId } from '../../firing/idempotency-key';
import { newMessageId } from '../../firing/webhook-firing-service';
import { CompletionBatcher } from './completion-batcher';

/** The n-th id of one keyed publish: published again, it is made again. */
const keyed = (n: number) => keyedMessageId('order-1:paid', 'w', 'a', n);

const at = new Date('2030-01-01T00:00:00Z');

async function queueHolding(ids: string[], owner: string): Promise<MemoryRequestQueue> {
  const queue = new MemoryRequestQueue();
  await queue.enqueue(ids.map((id) => ({ id, webhookKey: 'w', eventAlias: 'a', body: '{}', createdAt: at, dueAt: at })));
  await queue.claim({ owner, limit: ids.length, leaseMs: 60_000, now: at });
  return queue;
}

/**
 * `id` held by 'me' in two queues that cannot write a removal with its entry: one without
 * `completeAndLog`, one without `completeMany` either (a `complete` per request). `inner` is the
 * queue each stands in front of.
 */
async function queuesWithoutCombinedWrite(id: string): Promise<{ inner: MemoryRequestQueue; queue: RequestQueue }[]> {
  const made: { inner: MemoryRequestQueue; queue: RequestQueue }[] = [];
  for (const without of [['completeAndLog'], ['completeAndLog', 'completeMany']]) {
    const inner = await queueHolding([id], 'me');
    const queue: RequestQueue = Object.create(inner) as RequestQueue;
    for (const name of without) Object.defineProperty(queue, name, { value: undefined });
    made.push({ inner, queue });
  }
  return made;
}

/**
 * A stand-in for the log writer's writeNow: entries of one synchronous run make one append, which
 * is noted in `steps` and waits for `release()`; `called` resolves once an append started.
 */
function gatedAppends(steps: string[]) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let called!: () => void;
  const started = new Promise<void>((resolve) => (called = resolve));
  let batch: DeliveryLogEntry[] | undefined;
  let writing: Promise<void> | undefined;
  return {
    called: started,
    release,
    writeNow(e: DeliveryLogEntry): Promise<void> {
      (batch ??= []).push(e);
      return (writing ??= Promise.resolve().then(async () => {
        steps.push(`append ${batch!.map((x) => x.requestId).join(',')}`);
        called();
        await released;
      }));
    },
  };
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

  describe('with completeAndLog', () => {
    const entry = (requestId: string): DeliveryLogEntry => ({
      key: `log-${requestId}`,
      webhookKey: 'w',
      requestId,
      url: 'http://127.0.0.1/hook',
      eventAlias: 'a',
      retryCount: 0,
      date: at,
      statusCode: 200,
      requestHeaders: {},
      requestBody: '{}',
      responseHeaders: {},
      responseBody: '',
      durationMs: 1,
      outcome: 'delivered',
    });

    /** A memory queue with a completeAndLog that records its calls and the entries it "wrote". */
    async function loggingQueue(ids: string[]) {
      const queue = await queueHolding(ids, 'me');
      const written: DeliveryLogEntry[] = [];
      const calls: { ids: string[]; entries: string[] }[] = [];
      const completeMany = queue.completeMany.bind(queue);
      const withLog = queue as Omit<MemoryRequestQueue, 'completeAndLog'> & Required<Pick<RequestQueue, 'completeAndLog'>>;
      withLog.completeAndLog = async (batch, owner, entries) => {
        calls.push({ ids: [...batch], entries: entries.map((e) => e.requestId) });
        const done = await completeMany(batch, owner);
        written.push(...entries);
        return done;
      };
      return { queue: withLog, written, calls };
    }

    it('writes the completions and the log entries of one turn in one call, and says they were logged', async () => {
      const { queue, written, calls } = await loggingQueue(['a', 'b']);
      const batcher = new CompletionBatcher(queue, 'me');
      const results = await Promise.all([batcher.completeLogging('a', entry('a')), batcher.completeLogging('b', entry('b')), batcher.completeLogging('gone', entry('gone')), batcher.completeLogging('b', undefined)]);
      // An entry is written whether or not its lease was still held: the attempt was made.
      expect(results).toEqual([
        { completed: true, logged: true },
        { completed: true, logged: true },
        { completed: false, logged: true },
        { completed: true, logged: false },
      ]);
      expect(calls).toEqual([{ ids: ['a', 'b', 'gone', 'b'], entries: ['a', 'b', 'gone'] }]);
      expect(written.map((e) => e.key)).toEqual(['log-a', 'log-b', 'log-gone']);
      expect(await queue.counts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    });

    it('leaves to the caller the entries of random ids the queue would rather have appended apart (logsWithCompletion); a keyed one goes with its completion whatever it answers', async () => {
      const [k, plain, kept] = [keyed(0), newMessageId(), newMessageId()];
      const { queue, written, calls } = await loggingQueue([k, plain, kept]);
      const asked: string[] = [];
      (queue as RequestQueue).logsWithCompletion = (id) => (asked.push(id), id === kept);
      const batcher = new CompletionBatcher(queue, 'me');
      const results = await Promise.all([k, plain, kept].map((id) => batcher.completeLogging(id, entry(id))));
      expect(results).toEqual([
        { completed: true, logged: true },
        { completed: true, logged: false },
        { completed: true, logged: true },
      ]);
      expect(asked.sort()).toEqual([plain, kept].sort());
      expect(calls).toEqual([{ ids: [k, plain, kept], entries: [k, kept] }]);
      expect(written.map((e) => e.requestId)).toEqual([k, kept]);
    });

    it('uses completeMany when no request of the turn brings an entry', async () => {
      const { queue, calls } = await loggingQueue(['a']);
      const batcher = new CompletionBatcher(queue, 'me');
      expect(await batcher.complete('a')).toBe(true);
      expect(calls).toEqual([]);
    });

    it('completes alone when the combined write fails, leaving the entries to the caller to log', async () => {
      const { queue, written } = await loggingQueue(['a', 'b']);
      queue.completeAndLog = () => Promise.reject(new Error('value too long for the log'));
      const reported: unknown[] = [];
      const batcher = new CompletionBatcher(queue, 'me', (error) => reported.push(error));
      const results = await Promise.all([batcher.completeLogging('a', entry('a')), batcher.completeLogging('b', entry('b'))]);
      expect(results).toEqual([
        { completed: true, logged: false },
        { completed: true, logged: false },
      ]);
      expect(written).toEqual([]);
      // The failure is said once per batch, not swallowed.
      expect(reported.map((e) => (e as Error).message)).toEqual(['value too long for the log']);
      expect(await queue.counts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    });

    it('when the combined write fails, writes a keyed request\'s entries first (one append) and completes after, so it never leaves the queue unremembered', async () => {
      const [a, b] = [keyed(0), keyed(1)];
      const { queue } = await loggingQueue([a, b]);
      queue.completeAndLog = () => Promise.reject(new Error('value too long for the log'));
      const steps: string[] = [];
      const completeMany = queue.completeMany.bind(queue);
      queue.completeMany = async (ids, owner) => {
        steps.push(`complete ${ids.join(',')}`);
        return completeMany(ids, owner);
      };
      const appended = gatedAppends(steps);
      const batcher = new CompletionBatcher(queue, 'me', () => {});
      const results = Promise.all([a, b].map((id) => batcher.completeLogging(id, entry(id), () => appended.writeNow(entry(id)))));
      await appended.called;
      // The entries are being written; the requests are still held.
      expect(await queue.counts()).toEqual({ pending: 0, inFlight: 2, dead: 0 });
      appended.release();
      expect(await results).toEqual([
        { completed: true, logged: true },
        { completed: true, logged: true },
      ]);
      expect(steps).toEqual([`append ${a},${b}`, `complete ${a},${b}`]);
    });

    it('writes a keyed request\'s entry first for a queue without completeAndLog, and without completeMany', async () => {
      const a = keyed(0);
      for (const { inner, queue } of await queuesWithoutCombinedWrite(a)) {
        const steps: string[] = [];
        const appended = gatedAppends(steps);
        const result = new CompletionBatcher(queue, 'me').completeLogging(a, entry(a), () => appended.writeNow(entry(a)));
        await appended.called;
        expect(await inner.counts()).toEqual({ pending: 0, inFlight: 1, dead: 0 });
        appended.release();
        expect(await result).toEqual({ completed: true, logged: true });
        expect(await inner.counts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
      }
    });

    it('does not wait for the entry of a request never published again (a random id): completed at once, left to the caller to log', async () => {
      const plain = newMessageId();
      for (const { queue } of await queuesWithoutCombinedWrite(plain)) {
        const steps: string[] = [];
        const appended = gatedAppends(steps);
        expect(await new CompletionBatcher(queue, 'me').completeLogging(plain, entry(plain), () => appended.writeNow(entry(plain)))).toEqual({ completed: true, logged: false });
        expect(steps).toEqual([]);
      }
    });

    it('rejects every waiting caller when completing alone fails too', async () => {
      const { queue } = await loggingQueue(['a']);
      queue.completeAndLog = () => Promise.reject(new Error('connection lost'));
      queue.completeMany = () => Promise.reject(new Error('connection lost'));
      const batcher = new CompletionBatcher(queue, 'me');
      await expect(batcher.completeLogging('a', entry('a'))).rejects.toThrow('connection lost');
    });
  });
});
