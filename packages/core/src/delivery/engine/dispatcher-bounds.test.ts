import { resolveSettings } from '../../settings/resolve-settings';
import { systemClock } from '../../runtime/clock';
import { MemoryRequestQueue } from '../../storage/memory/memory-request-queue';
import type { ClaimOptions, RequestQueue } from '../../ports/request-queue';
import type { NewWebhookRequest, WebhookRequest } from '../../model/webhook-request';
import { Dispatcher } from './dispatcher';

const request = (id: string, webhookKey = 'w'): NewWebhookRequest => ({ id, webhookKey, eventAlias: 'thing.happened', body: '{}', createdAt: new Date(), dueAt: new Date(Date.now() - 1) });

/**
 * A dispatcher on a store shared by processes takes only what it can start: several processes on
 * one PostgreSQL schema (or SQLite file) share the work, instead of the one that published (or
 * claimed first) holding leased what the others, idle, could send.
 */
describe('the dispatcher on a store shared by processes', () => {
  /** A dispatcher whose attempts run until the test ends them; `claims` records each claim's options. */
  function dispatcherOn(queue: RequestQueue, settings: Parameters<typeof resolveSettings>[0], boundClaims: boolean) {
    const running = new Map<string, () => void>();
    const claims: ClaimOptions[] = [];
    const claim = queue.claim.bind(queue);
    queue.claim = (options) => {
      claims.push(options);
      return claim(options);
    };
    let started: () => void = () => {};
    const dispatcher = new Dispatcher({
      queue: queue as RequestQueue<unknown>,
      settings: { current: resolveSettings({ period: 60_000, ...settings }) },
      clock: systemClock,
      owner: 'this-process',
      boundClaims,
      process: (r: WebhookRequest) =>
        new Promise<void>((resolve) => {
          running.set(r.id, () => void queue.complete(r.id, 'this-process').then(() => resolve()));
          started();
        }),
      onError: (task, error) => {
        throw new Error(`${task}: ${String(error)}`);
      },
    });
    /** Resolves once `count` attempts run. */
    const runningCount = async (count: number) => {
      while (running.size < count) await new Promise<void>((resolve) => (started = resolve));
    };
    const finish = (id: string) => {
      running.get(id)!();
      running.delete(id);
    };
    return { dispatcher, running, claims, runningCount, finish };
  }

  const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

  it('claims at most its free slots of each webhook: the rest stays pending for another process', async () => {
    const queue = new MemoryRequestQueue();
    await queue.enqueue([...Array.from({ length: 10 }, (_, i) => request(`a${i}`)), request('b0', 'other'), request('b1', 'other'), request('b2', 'other')]);
    const { dispatcher, running, claims, runningCount, finish } = dispatcherOn(queue, { concurrency: { global: 64, perWebhook: 2 } }, true);
    dispatcher.start();
    try {
      await runningCount(4);
      await settle();
      expect([...running.keys()].sort()).toEqual(['a0', 'a1', 'b0', 'b1']);
      // Nothing waits here leased: another process takes the rest at once.
      expect(await queue.counts()).toEqual({ pending: 9, inFlight: 4, dead: 0 });
      expect(claims[0]).toMatchObject({ perWebhookLimit: 2 });
      const other = await queue.claim({ owner: 'another-process', limit: 3, leaseMs: 60_000, now: new Date() });
      expect(other.map((r) => r.id)).toEqual(['a2', 'a3', 'a4']);
      // A slot of `w` frees: the next claim asks for that one slot (its webhook has one running).
      finish('a0');
      await runningCount(4);
      expect(claims.at(-1)!.webhookLimits).toEqual(new Map([['w', 1]]));
      expect(claims.at(-1)!.excludeWebhookKeys).toEqual(['other']);
      expect([...running.keys()].sort()).toEqual(['a1', 'a5', 'b0', 'b1']);
      expect(await queue.counts()).toEqual({ pending: 5, inFlight: 7, dead: 0 });
    } finally {
      for (const id of [...running.keys()]) finish(id);
      await dispatcher.stop(1000);
    }
  });

  it('claims no more than its free global slots', async () => {
    const queue = new MemoryRequestQueue();
    await queue.enqueue(Array.from({ length: 8 }, (_, i) => request(`g${i}`, `w${i}`)));
    const { dispatcher, running, claims, runningCount, finish } = dispatcherOn(queue, { concurrency: { global: 3, perWebhook: 2 } }, true);
    dispatcher.start();
    try {
      await runningCount(3);
      await settle();
      expect(claims.every((c) => c.limit <= 3)).toBe(true);
      expect(await queue.counts()).toEqual({ pending: 5, inFlight: 3, dead: 0 });
    } finally {
      for (const id of [...running.keys()]) finish(id);
      await dispatcher.stop(1000);
    }
  });

  it('hands over at publish only its free slots, per webhook and in all', async () => {
    const queue = new MemoryRequestQueue();
    const { dispatcher, running, runningCount, finish } = dispatcherOn(queue, { concurrency: { global: 3, perWebhook: 2 } }, true);
    dispatcher.start();
    try {
      // Until its first claim finds no backlog it takes no handoff.
      await settle();
      const first = [request('h0'), request('h1'), request('h2'), request('x0', 'x'), request('x1', 'x')];
      const reserved = dispatcher.reserveHandoff(first);
      // Two of `w` (its limit), one of `x` (the third global slot).
      expect(reserved.map((r) => r.id)).toEqual(['h0', 'h1', 'x0']);
      expect(dispatcher.reserveHandoff([request('h3'), request('y0', 'y')])).toEqual([]);
      const { claimed: leased } = await queue.enqueueClaimed(first, { owner: 'this-process', leaseMs: 60_000, now: new Date(), ids: reserved.map((r) => r.id) });
      dispatcher.handOff(reserved, leased, new Date());
      // As the engine does when some were stored pending.
      dispatcher.wake();
      await runningCount(3);
      expect(await queue.counts()).toEqual({ pending: 2, inFlight: 3, dead: 0 });
      // No free slot while they run.
      expect(dispatcher.reserveHandoff([request('z0', 'z')])).toEqual([]);
      // A slot frees: the stored one of `x` is claimed for it; `w`'s third stays for any process.
      finish('x0');
      await runningCount(3);
      expect([...running.keys()].sort()).toEqual(['h0', 'h1', 'x1']);
      expect(await queue.counts()).toEqual({ pending: 1, inFlight: 3, dead: 0 });
    } finally {
      for (const id of [...running.keys()]) finish(id);
      await dispatcher.stop(1000);
    }
  });

  it('keeps claimed requests waiting in memory with a queue that does not take bounds (claimBounds not declared)', async () => {
    const inner = new MemoryRequestQueue();
    // A third-party queue of before the bounds: claim ignores them, claimBounds is not declared.
    const queue = Object.create(inner) as RequestQueue & { claimBounds?: boolean };
    Object.defineProperty(queue, 'claimBounds', { value: undefined });
    await inner.enqueue(Array.from({ length: 6 }, (_, i) => request(`t${i}`)));
    const { dispatcher, running, claims, runningCount, finish } = dispatcherOn(queue, { concurrency: { global: 64, perWebhook: 2 } }, true);
    dispatcher.start();
    try {
      await runningCount(2);
      await settle();
      expect(claims[0]!.perWebhookLimit).toBeUndefined();
      // Two run; the other four wait here, leased, for the webhook's slots (as before the bounds).
      expect(await inner.counts()).toEqual({ pending: 0, inFlight: 6, dead: 0 });
      finish('t0');
      await runningCount(2);
      expect(running.has('t2')).toBe(true);
    } finally {
      for (const id of [...running.keys()]) finish(id);
      await dispatcher.stop(1000);
    }
  });
});
