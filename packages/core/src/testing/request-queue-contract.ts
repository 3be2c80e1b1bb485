/// <reference types="jest" />
import { isHookworkError } from '../errors/hookwork-error';
import type { EnqueueClaimedResult, RequestQueue } from '../ports/request-queue';
import type { NewWebhookRequest, WebhookRequest } from '../model/webhook-request';
import { rejection, storedIds, withSubject, type ContractFactory, type ContractSubject, requireJestGlobals } from './contract-subject';
import { contractLogEntry } from './delivery-log-contract';

const T0 = Date.UTC(2030, 0, 2, 3, 4, 5, 678);
const at = (ms: number) => new Date(T0 + ms);

/** A request for contract tests, due at the suite's base time unless `overrides` say otherwise. */
export function contractRequest(id: string, overrides: Partial<NewWebhookRequest> = {}): NewWebhookRequest {
  return {
    id,
    webhookKey: 'wh-1',
    eventAlias: 'contentPublished',
    body: JSON.stringify({ id, name: 'Ünïcödé ✓ "quoted"' }),
    createdAt: at(0),
    dueAt: at(0),
    ...overrides,
  };
}

/** Options of {@link describeRequestQueueContract}. */
export interface RequestQueueContractOptions {
  /**
   * True when the backend enqueues inside a host transaction (its own tests check that);
   * otherwise the suite checks that `{ transaction }` is refused with a clear error.
   */
  supportsHostTransaction?: boolean;
  /** True when the backend declares `fifo`: the suite then checks FIFO claims (one head per webhook line, in enqueue order). */
  fifo?: boolean;
  /** False for a backend that leaves the optional `bringForward()` out; otherwise the suite checks it. */
  bringForward?: boolean;
  /**
   * False for a queue that does not page dead letters by position (no `pagesDeadByPosition`:
   * core pages it by offset); otherwise the suite checks that it declares it and that a walk by
   * position lists each dead letter once while others die or are redelivered between pages.
   */
  pagesDeadByPosition?: boolean;
  /**
   * False for a backend whose claims ignore the per-webhook bounds (`perWebhookLimit`,
   * `webhookLimits`) and that does not declare `claimBounds`; otherwise the suite checks them.
   */
  claimBounds?: boolean;
}

const ids = (requests: readonly WebhookRequest[]) => requests.map((r) => r.id);

/** What enqueueClaimed stored: its claimed requests and the ids stored (required of the contract's stores, as of enqueue). */
function claimedResult(result: EnqueueClaimedResult | WebhookRequest[]): { claimed: WebhookRequest[]; stored: string[] } {
  expect(Array.isArray(result)).toBe(false);
  const { claimed, stored } = result as EnqueueClaimedResult;
  return { claimed, stored: [...stored].sort() };
}

/**
 * The behaviour every {@link RequestQueue} backend must show: enqueue all or none, claims
 * of due requests under an exclusive lease, retries, dead letters and redelivery, counts.
 * Times are passed explicitly (`now`), so the suite never sleeps.
 */
export function describeRequestQueueContract(name: string, factory: ContractFactory<RequestQueue>, options: RequestQueueContractOptions = {}): void {
  requireJestGlobals('describeRequestQueueContract');
  const test = (title: string, body: (queue: RequestQueue, made: ContractSubject<RequestQueue>) => Promise<void>) =>
    it(title, () => withSubject(factory, (made) => body(made.subject, made)));

  describe(`RequestQueue contract: ${name}`, () => {
    describe('enqueueClaimed (optional)', () => {
      test('stores the listed requests in flight under the lease, as a claim would, and the others pending', async (queue) => {
        if (!queue.enqueueClaimed) return;
        const { claimed, stored } = claimedResult(await queue.enqueueClaimed([contractRequest('h1'), contractRequest('h2'), contractRequest('h3', { webhookKey: 'wh-2' })], { owner: 'A', leaseMs: 1000, now: at(0), ids: ['h1', 'h3'] }));
        expect(stored).toEqual(['h1', 'h2', 'h3']);
        expect(claimed.map((r) => [r.id, r.state, r.leaseOwner, r.leaseExpiresAt?.getTime(), r.attempts])).toEqual([
          ['h1', 'inflight', 'A', at(0).getTime() + 1000, 0],
          ['h3', 'inflight', 'A', at(0).getTime() + 1000, 0],
        ]);
        expect(await queue.get('h1')).toEqual(claimed[0]);
        expect((await queue.get('h2'))!.state).toBe('pending');
        // Held by A: another claimer gets only the pending one until the lease expires.
        expect(ids(await queue.claim({ owner: 'B', limit: 10, leaseMs: 1000, now: at(500) }))).toEqual(['h2']);
        expect(await queue.complete('h1', 'A')).toBe(true);
        expect(ids(await queue.claim({ owner: 'B', limit: 10, leaseMs: 1000, now: at(1000) }))).toEqual(['h3']);
      });

      test('skips an id already queued — stored as it was, not returned as claimed — and stores the rest', async (queue) => {
        if (!queue.enqueueClaimed) return;
        await queue.enqueue([contractRequest('taken')]);
        const { claimed, stored } = claimedResult(
          await queue.enqueueClaimed([contractRequest('n1'), contractRequest('p1'), contractRequest('taken', { body: '{"again":true}' })], { owner: 'A', leaseMs: 1000, now: at(0), ids: ['n1', 'taken'] }),
        );
        expect(ids(claimed)).toEqual(['n1']);
        // Stored: the claimed and the pending, not the skipped (core counts only these as enqueued).
        expect(stored).toEqual(['n1', 'p1']);
        expect(await queue.get('taken')).toMatchObject({ state: 'pending', body: contractRequest('taken').body });
        expect(await queue.counts()).toEqual({ pending: 2, inFlight: 1, dead: 0 });
        // Pending, not leased: a claim still finds it.
        expect(ids(await queue.claim({ owner: 'B', limit: 10, leaseMs: 1000, now: at(0) }))).toEqual(['taken', 'p1']);
      });
    });

    describe('enqueue', () => {
      test('stores requests as pending with retry count 0, every field intact, dates as Date objects', async (queue) => {
        const request = contractRequest('msg_1', { createdAt: at(1), dueAt: at(2), webhookKey: 'wh-x', eventAlias: 'collections.save.after.posts' });
        expect(storedIds(await queue.enqueue([request]))).toEqual(['msg_1']);
        const stored = await queue.get('msg_1');
        expect(stored).toEqual({ ...request, state: 'pending', attempts: 0 });
        expect(stored!.createdAt).toBeInstanceOf(Date);
        expect(stored!.dueAt.getTime()).toBe(T0 + 2);
        expect(await queue.counts()).toEqual({ pending: 1, inFlight: 0, dead: 0 });
      });

      test('keeps the body byte for byte, large or not', async (queue) => {
        const body = JSON.stringify({ text: 'x'.repeat(1024 * 1024), emoji: '🚀', nul: '\u0000', quote: '\'"' });
        await queue.enqueue([contractRequest('big', { body })]);
        expect((await queue.get('big'))!.body).toBe(body);
      });

      test('an empty batch is a no-op', async (queue) => {
        await queue.enqueue([]);
        expect(await queue.counts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
      });

      test('skips an id already queued and stores the rest of the batch, the stored one unchanged (a batch published again)', async (queue) => {
        await queue.enqueue([contractRequest('a')]);
        // Reports what it stored: the skipped one is not enqueued again (not counted, not waited for).
        expect(storedIds(await queue.enqueue([contractRequest('b'), contractRequest('a', { body: '{"changed":true}', webhookKey: 'wh-other' }), contractRequest('c')]))).toEqual(['b', 'c']);
        expect(await queue.get('b')).toMatchObject({ state: 'pending', body: contractRequest('b').body });
        expect(await queue.get('c')).toMatchObject({ state: 'pending' });
        expect(await queue.get('a')).toMatchObject({ body: contractRequest('a').body, webhookKey: 'wh-1' });
        expect(await queue.counts()).toEqual({ pending: 3, inFlight: 0, dead: 0 });
      });

      test('stores an id the batch repeats once, as first given', async (queue) => {
        expect(storedIds(await queue.enqueue([contractRequest('x'), contractRequest('y'), contractRequest('x', { body: '{"second":true}' })]))).toEqual(['x', 'y']);
        expect((await queue.get('x'))!.body).toBe(contractRequest('x').body);
        expect(await queue.counts()).toEqual({ pending: 2, inFlight: 0, dead: 0 });
      });

      test('skips an id that is in flight or dead, leaving its lease and its dead letter as they are', async (queue) => {
        await queue.enqueue([contractRequest('f'), contractRequest('d')]);
        await queue.claim({ owner: 'o', limit: 2, leaseMs: 1000, now: at(0) });
        await queue.deadLetter('d', 'o', { attempts: 1, now: at(1) });
        expect(storedIds(await queue.enqueue([contractRequest('f', { body: '{}' }), contractRequest('d', { body: '{}' })]))).toEqual([]);
        expect(await queue.counts()).toEqual({ pending: 0, inFlight: 1, dead: 1 });
        expect(await queue.get('f')).toMatchObject({ state: 'inflight', leaseOwner: 'o', body: contractRequest('f').body });
        expect(await queue.get('d')).toMatchObject({ state: 'dead', attempts: 1, body: contractRequest('d').body });
        expect(await queue.complete('f', 'o')).toBe(true);
      });

      test('idempotent: skips an id the store remembers delivering (its delivery log entry), where a plain enqueue does not look', async (queue) => {
        if (!queue.completeAndLog) return; // the engine contract covers stores whose log is written apart
        await queue.enqueue([contractRequest('k1'), contractRequest('k2')], { idempotent: true });
        await queue.claim({ owner: 'A', limit: 10, leaseMs: 1000, now: at(0) });
        expect(await queue.completeAndLog(['k1'], 'A', [contractLogEntry('e1', { requestId: 'k1' })])).toEqual(['k1']);
        expect(storedIds(await queue.enqueue([contractRequest('k1', { body: '{"again":true}' }), contractRequest('k2', { body: '{"again":true}' }), contractRequest('k3')], { idempotent: true }))).toEqual(['k3']);
        expect(await queue.get('k1')).toBeUndefined();
        expect(await queue.get('k2')).toMatchObject({ state: 'inflight', leaseOwner: 'A', body: contractRequest('k2').body });
        expect(await queue.get('k3')).toMatchObject({ state: 'pending' });
        if (queue.enqueueClaimed) {
          const { claimed, stored } = claimedResult(await queue.enqueueClaimed([contractRequest('k1'), contractRequest('k4')], { owner: 'B', leaseMs: 1000, now: at(0), ids: ['k1', 'k4'], idempotent: true }));
          expect(ids(claimed)).toEqual(['k4']);
          expect(stored).toEqual(['k4']);
          expect(await queue.get('k1')).toBeUndefined();
        }
      });

      if (!options.supportsHostTransaction) {
        test('refuses { transaction } clearly instead of ignoring it, and stores nothing', async (queue) => {
          // A transaction from JavaScript, or from another backend, against a queue that takes none.
          const error = await rejection(queue.enqueue([contractRequest('t')], { transaction: { host: 'tx' } as never }));
          expect(isHookworkError(error)).toBe(true);
          expect(error.code).toBe('HOOKWORK_ERR_INVALID_TRANSACTION');
          expect(error.message).toMatch(/transaction/);
          expect(await queue.get('t')).toBeUndefined();
        });
      }
    });

    describe('claim', () => {
      test('claims only due requests and marks them in flight under the owner\'s lease', async (queue) => {
        await queue.enqueue([contractRequest('now'), contractRequest('later', { dueAt: at(1000) })]);
        const claimed = await queue.claim({ owner: 'A', limit: 10, leaseMs: 30_000, now: at(500) });
        expect(ids(claimed)).toEqual(['now']);
        expect(claimed[0]).toMatchObject({ state: 'inflight', leaseOwner: 'A', attempts: 0 });
        expect(claimed[0]!.leaseExpiresAt).toEqual(at(30_500));
        expect(await queue.get('now')).toMatchObject({ state: 'inflight', leaseOwner: 'A', leaseExpiresAt: at(30_500) });
        expect((await queue.get('later'))!.state).toBe('pending');
        expect(await queue.counts()).toEqual({ pending: 1, inFlight: 1, dead: 0 });
        // Due exactly at now counts as due.
        expect(ids(await queue.claim({ owner: 'A', limit: 10, leaseMs: 30_000, now: at(1000) }))).toEqual(['later']);
      });

      test('claims oldest due first, ties in enqueue order, up to the limit', async (queue) => {
        await queue.enqueue([contractRequest('d3', { dueAt: at(3) }), contractRequest('d1', { dueAt: at(1) })]);
        await queue.enqueue([contractRequest('d2', { dueAt: at(2) }), contractRequest('t-first', { dueAt: at(0) }), contractRequest('t-second', { dueAt: at(0) })]);
        expect(ids(await queue.claim({ owner: 'A', limit: 2, leaseMs: 1000, now: at(10) }))).toEqual(['t-first', 't-second']);
        expect(ids(await queue.claim({ owner: 'A', limit: 2, leaseMs: 1000, now: at(10) }))).toEqual(['d1', 'd2']);
        expect(ids(await queue.claim({ owner: 'A', limit: 2, leaseMs: 1000, now: at(10) }))).toEqual(['d3']);
        expect(await queue.claim({ owner: 'A', limit: 2, leaseMs: 1000, now: at(10) })).toEqual([]);
      });

      test('never hands a leased request to another owner while the lease holds', async (queue) => {
        await queue.enqueue([contractRequest('r1'), contractRequest('r2')]);
        const a = await queue.claim({ owner: 'A', limit: 1, leaseMs: 10_000, now: at(0) });
        const b = await queue.claim({ owner: 'B', limit: 10, leaseMs: 10_000, now: at(9_999) });
        expect(ids(a)).toEqual(['r1']);
        expect(ids(b)).toEqual(['r2']);
        expect(await queue.claim({ owner: 'C', limit: 10, leaseMs: 10_000, now: at(9_999) })).toEqual([]);
      });

      test('concurrent claims from two owners get disjoint requests and together all of them', async (queue) => {
        await queue.enqueue(Array.from({ length: 60 }, (_, i) => contractRequest(`c${i}`)));
        const claims = await Promise.all(
          Array.from({ length: 8 }, (_, i) => queue.claim({ owner: i % 2 ? 'A' : 'B', limit: 10, leaseMs: 60_000, now: at(0) })),
        );
        const all = claims.flatMap(ids);
        expect(new Set(all).size).toBe(all.length);
        expect(all.length).toBe(60);
      });

      test('two handles on one store never claim the same request (when the backend is shared)', async (queue, made) => {
        if (!made.openAnother) return; // an in-memory store has no second handle
        const other = await made.openAnother();
        await queue.enqueue(Array.from({ length: 40 }, (_, i) => contractRequest(`s${i}`)));
        const claims = await Promise.all([
          queue.claim({ owner: 'A', limit: 15, leaseMs: 60_000, now: at(0) }),
          other.claim({ owner: 'B', limit: 15, leaseMs: 60_000, now: at(0) }),
          queue.claim({ owner: 'A', limit: 15, leaseMs: 60_000, now: at(0) }),
          other.claim({ owner: 'B', limit: 15, leaseMs: 60_000, now: at(0) }),
        ]);
        const all = claims.flatMap(ids);
        expect(new Set(all).size).toBe(all.length);
        expect(all.length).toBe(40);
        expect(await other.counts()).toEqual({ pending: 0, inFlight: 40, dead: 0 });
      });

      test('an expired lease is claimed again by another owner; the old owner can then change nothing', async (queue) => {
        await queue.enqueue([contractRequest('x')]);
        await queue.claim({ owner: 'A', limit: 1, leaseMs: 1000, now: at(0) });
        const reclaimed = await queue.claim({ owner: 'B', limit: 1, leaseMs: 1000, now: at(1000) });
        expect(ids(reclaimed)).toEqual(['x']);
        expect(reclaimed[0]).toMatchObject({ leaseOwner: 'B', leaseExpiresAt: at(2000) });
        expect(await queue.complete('x', 'A')).toBe(false);
        expect(await queue.reschedule('x', 'A', { dueAt: at(5000), attempts: 1, lastError: 'late' })).toBe(false);
        expect(await queue.deadLetter('x', 'A', { attempts: 1, now: at(1500) })).toBe(false);
        expect(await queue.release('A')).toBe(0);
        expect(await queue.get('x')).toMatchObject({ state: 'inflight', leaseOwner: 'B', attempts: 0 });
        expect(await queue.complete('x', 'B')).toBe(true);
        expect(await queue.get('x')).toBeUndefined();
      });

      test('skips the requests of excluded webhooks and leaves them pending', async (queue) => {
        await queue.enqueue([
          contractRequest('slow1', { webhookKey: 'slow' }),
          contractRequest('fast1', { webhookKey: 'fast' }),
          contractRequest('slow2', { webhookKey: 'slow' }),
          contractRequest('other1', { webhookKey: 'other' }),
        ]);
        expect(ids(await queue.claim({ owner: 'A', limit: 10, leaseMs: 1000, now: at(0), excludeWebhookKeys: ['slow', 'other'] }))).toEqual(['fast1']);
        expect(ids(await queue.claim({ owner: 'A', limit: 10, leaseMs: 1000, now: at(0), excludeWebhookKeys: [] }))).toEqual(['slow1', 'slow2', 'other1']);
      });

      test('claims a large backlog in batches, each request exactly once', async (queue) => {
        const total = 2000;
        for (let i = 0; i < total; i += 500) {
          await queue.enqueue(Array.from({ length: 500 }, (_, j) => contractRequest(`b${i + j}`, { dueAt: at(i + j) })));
        }
        const seen: string[] = [];
        for (;;) {
          const batch = await queue.claim({ owner: 'A', limit: 64, leaseMs: 60_000, now: at(total) });
          if (batch.length === 0) break;
          for (const r of batch) {
            seen.push(r.id);
            expect(await queue.complete(r.id, 'A')).toBe(true);
          }
        }
        expect(seen).toEqual(Array.from({ length: total }, (_, i) => `b${i}`));
        expect(await queue.counts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
      });
    });

    describe('complete, reschedule, dead letters', () => {
      test('complete removes the request; only the holder may complete', async (queue) => {
        await queue.enqueue([contractRequest('c')]);
        expect(await queue.complete('c', 'A')).toBe(false); // not claimed yet
        await queue.claim({ owner: 'A', limit: 1, leaseMs: 1000, now: at(0) });
        expect(await queue.complete('c', 'B')).toBe(false);
        expect(await queue.complete('c', 'A')).toBe(true);
        expect(await queue.get('c')).toBeUndefined();
        expect(await queue.complete('c', 'A')).toBe(false);
        expect(await queue.counts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
      });

      test('completeMany (when offered) removes, in one call, only the requests the owner holds', async (queue) => {
        if (!queue.completeMany) return;
        await queue.enqueue(['m1', 'm2', 'm3', 'm4'].map((id) => contractRequest(id)));
        await queue.claim({ owner: 'A', limit: 3, leaseMs: 1000, now: at(0) });
        // m4 is pending (never claimed), m3 is A's but asked for by B, 'nope' does not exist.
        expect(await queue.completeMany([], 'A')).toEqual([]);
        expect(await queue.completeMany(['m3'], 'B')).toEqual([]);
        expect((await queue.completeMany(['m1', 'm2', 'm4', 'nope'], 'A')).sort()).toEqual(['m1', 'm2']);
        expect(await queue.get('m1')).toBeUndefined();
        expect(await queue.get('m2')).toBeUndefined();
        expect(await queue.get('m3')).toMatchObject({ state: 'inflight', leaseOwner: 'A' });
        expect(await queue.get('m4')).toMatchObject({ state: 'pending' });
        expect(await queue.completeMany(['m1', 'm3'], 'A')).toEqual(['m3']);
        expect(await queue.counts()).toEqual({ pending: 1, inFlight: 0, dead: 0 });
      });

      test('reschedule puts the request back as pending with its due time, retry count and last error', async (queue) => {
        await queue.enqueue([contractRequest('r')]);
        await queue.claim({ owner: 'A', limit: 1, leaseMs: 1000, now: at(0) });
        expect(await queue.reschedule('r', 'A', { dueAt: at(5000), attempts: 1, lastError: 'HTTP 500' })).toBe(true);
        const stored = await queue.get('r');
        expect(stored).toMatchObject({ state: 'pending', dueAt: at(5000), attempts: 1, lastError: 'HTTP 500' });
        expect(stored!.leaseOwner).toBeUndefined();
        expect(stored!.leaseExpiresAt).toBeUndefined();
        expect(await queue.claim({ owner: 'A', limit: 1, leaseMs: 1000, now: at(4999) })).toEqual([]);
        const again = await queue.claim({ owner: 'B', limit: 1, leaseMs: 1000, now: at(5000) });
        expect(again[0]).toMatchObject({ id: 'r', attempts: 1, lastError: 'HTTP 500', leaseOwner: 'B' });
        expect(await queue.reschedule('r', 'B', { dueAt: at(9000), attempts: 2 })).toBe(true);
        expect((await queue.get('r'))!.lastError).toBeUndefined();
      });

      test('dead letters are kept, not claimable, and listed newest dead first, per webhook, paged', async (queue) => {
        await queue.enqueue([
          contractRequest('d1', { webhookKey: 'w1' }),
          contractRequest('d2', { webhookKey: 'w2' }),
          contractRequest('d3', { webhookKey: 'w1' }),
        ]);
        await queue.claim({ owner: 'A', limit: 3, leaseMs: 1000, now: at(0) });
        expect(await queue.deadLetter('d1', 'A', { attempts: 5, lastError: 'HTTP 503', now: at(10) })).toBe(true);
        expect(await queue.deadLetter('d2', 'A', { attempts: 5, now: at(30) })).toBe(true);
        expect(await queue.deadLetter('d3', 'A', { attempts: 2, lastError: 'HTTP 404', now: at(20) })).toBe(true);
        expect(await queue.deadLetter('d3', 'A', { attempts: 2, now: at(21) })).toBe(false);
        const d1 = await queue.get('d1');
        expect(d1).toMatchObject({ state: 'dead', attempts: 5, lastError: 'HTTP 503', deadAt: at(10) });
        expect(d1!.deadAt).toBeInstanceOf(Date);
        expect(d1!.leaseOwner).toBeUndefined();
        expect(await queue.claim({ owner: 'B', limit: 10, leaseMs: 1000, now: at(100_000) })).toEqual([]);
        expect(ids((await queue.listDead()).items)).toEqual(['d2', 'd3', 'd1']);
        expect(ids((await queue.listDead({ webhookKey: 'w1' })).items)).toEqual(['d3', 'd1']);
        expect(ids((await queue.listDead({ limit: 1, offset: 1 })).items)).toEqual(['d3']);
        expect(ids((await queue.listDead({ offset: 2 })).items)).toEqual(['d1']);
        expect((await queue.listDead({ limit: 1 })).total).toBe(3);
        expect((await queue.listDead({ webhookKey: 'w1', limit: 1 })).total).toBe(2);
        // deadSince: at or after the time, counted as redeliver({ deadSince }) would put them back.
        expect(await queue.listDead({ deadSince: at(20), limit: 1 })).toMatchObject({ items: [{ id: 'd2' }], total: 2 });
        expect(ids((await queue.listDead({ deadSince: at(20) })).items)).toEqual(['d2', 'd3']);
        expect(ids((await queue.listDead({ deadSince: at(11), webhookKey: 'w1' })).items)).toEqual(['d3']);
        expect(await queue.listDead({ deadSince: at(31) })).toEqual({ items: [], total: 0 });
        expect(await queue.counts()).toEqual({ pending: 0, inFlight: 0, dead: 3 });
        expect(await queue.nextDueAt()).toBeUndefined();
      });

      test('a queue that pages dead letters by position walks them each once, whatever dies or is redelivered between pages', async (queue) => {
        if (options.pagesDeadByPosition === false) {
          // Paged by offset behind core's cursors (unstable by design): it must not claim otherwise.
          expect(queue.pagesDeadByPosition).not.toBe(true);
          return;
        }
        expect(queue.pagesDeadByPosition).toBe(true);
        const names = ['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'n1', 'n2'];
        await queue.enqueue(names.map((id) => contractRequest(id, { webhookKey: 'w1' })));
        await queue.claim({ owner: 'A', limit: names.length, leaseMs: 60_000, now: at(0) });
        // Ties at 20 and 30, broken by enqueue order, later first.
        for (const [id, time] of [['d1', 10], ['d2', 20], ['d3', 20], ['d4', 20], ['d5', 30], ['d6', 30], ['d7', 40]] as const) {
          expect(await queue.deadLetter(id, 'A', { attempts: 1, now: at(time) })).toBe(true);
        }
        const walked: string[] = [];
        const page1 = await queue.listDead({ limit: 2 });
        walked.push(...ids(page1.items));
        expect(walked).toEqual(['d7', 'd6']);
        expect(page1.nextPosition).toBeDefined();
        // Between pages: one dies at d6's time (queued later, so before it: not in the rest of the
        // walk), one at 25 (after the place: listed once). An offset of 2 would list d6 again.
        expect(await queue.deadLetter('n1', 'A', { attempts: 1, now: at(30) })).toBe(true);
        expect(await queue.deadLetter('n2', 'A', { attempts: 1, now: at(25) })).toBe(true);
        const page2 = await queue.listDead({ limit: 2, afterPosition: page1.nextPosition! });
        walked.push(...ids(page2.items));
        expect(page2.total).toBe(9);
        // Between pages: two listed ones and one not yet listed are redelivered; an offset of 4 would skip two.
        expect((await queue.redeliver({ ids: ['d7', 'd6', 'd3'] }, at(50))).sort()).toEqual(['d3', 'd6', 'd7']);
        const page3 = await queue.listDead({ limit: 2, afterPosition: page2.nextPosition! });
        walked.push(...ids(page3.items));
        const page4 = await queue.listDead({ limit: 2, afterPosition: page3.nextPosition! });
        walked.push(...ids(page4.items));
        expect(walked).toEqual(['d7', 'd6', 'd5', 'n2', 'd4', 'd2', 'd1']);
        expect(page4.nextPosition).toBeUndefined();
        // Per webhook and dead since a time, the same walk.
        const since = await queue.listDead({ webhookKey: 'w1', deadSince: at(20), limit: 2 });
        expect(ids(since.items)).toEqual(['n1', 'd5']);
        const sinceRest = await queue.listDead({ webhookKey: 'w1', deadSince: at(20), limit: 2, afterPosition: since.nextPosition! });
        expect(ids(sinceRest.items)).toEqual(['n2', 'd4']);
        const sinceLast = await queue.listDead({ webhookKey: 'w1', deadSince: at(20), limit: 2, afterPosition: sinceRest.nextPosition! });
        expect(sinceLast).toMatchObject({ items: [{ id: 'd2' }], total: 5 });
        expect(sinceLast.nextPosition).toBeUndefined();
        // A page that ends exactly at the last dead letter says no more follow.
        expect((await queue.listDead({ limit: 6 })).nextPosition).toBeUndefined();
        expect((await queue.listDead({ limit: 5 })).nextPosition).toBeDefined();
      });

      test('redeliver by ids puts dead letters back, due now, retry count reset', async (queue) => {
        await queue.enqueue([contractRequest('a'), contractRequest('b'), contractRequest('p')]);
        await queue.claim({ owner: 'A', limit: 2, leaseMs: 1000, now: at(0) });
        await queue.deadLetter('a', 'A', { attempts: 5, now: at(1) });
        await queue.deadLetter('b', 'A', { attempts: 5, now: at(2) });
        // Ids that are not dead (pending, unknown) are ignored.
        expect(await queue.redeliver({ ids: ['a', 'p', 'unknown'] }, at(100))).toEqual(['a']);
        const a = await queue.get('a');
        expect(a).toMatchObject({ state: 'pending', attempts: 0, dueAt: at(100) });
        expect(a!.deadAt).toBeUndefined();
        expect((await queue.get('b'))!.state).toBe('dead');
        expect((await queue.get('p'))!.dueAt).toEqual(at(0));
        expect(ids(await queue.claim({ owner: 'B', limit: 10, leaseMs: 1000, now: at(100) }))).toEqual(['p', 'a']);
      });

      test('redeliver by webhook and by dead-since time', async (queue) => {
        await queue.enqueue([
          contractRequest('w1-old', { webhookKey: 'w1' }),
          contractRequest('w1-new', { webhookKey: 'w1' }),
          contractRequest('w2-new', { webhookKey: 'w2' }),
        ]);
        await queue.claim({ owner: 'A', limit: 3, leaseMs: 1000, now: at(0) });
        await queue.deadLetter('w1-old', 'A', { attempts: 3, now: at(10) });
        await queue.deadLetter('w1-new', 'A', { attempts: 3, now: at(50) });
        await queue.deadLetter('w2-new', 'A', { attempts: 3, now: at(60) });
        expect((await queue.redeliver({ webhookKey: 'w1', deadSince: at(50) }, at(100))).length).toBe(1);
        expect((await queue.get('w1-new'))!.state).toBe('pending');
        expect((await queue.get('w1-old'))!.state).toBe('dead');
        expect((await queue.redeliver({ deadSince: at(10) }, at(200))).sort()).toEqual(['w1-old', 'w2-new']);
        expect(await queue.counts()).toEqual({ pending: 3, inFlight: 0, dead: 0 });
        expect((await queue.redeliver({}, at(300))).length).toBe(0);
      });

      test('deadUntil bounds listDead and redeliver from above (dead at or before it): what died after a count is left dead', async (queue) => {
        await queue.enqueue([contractRequest('u1', { webhookKey: 'w1' }), contractRequest('u2', { webhookKey: 'w1' }), contractRequest('u3', { webhookKey: 'w2' }), contractRequest('u4', { webhookKey: 'w1' })]);
        await queue.claim({ owner: 'A', limit: 4, leaseMs: 1000, now: at(0) });
        await queue.deadLetter('u1', 'A', { attempts: 1, now: at(10) });
        await queue.deadLetter('u2', 'A', { attempts: 1, now: at(20) });
        await queue.deadLetter('u3', 'A', { attempts: 1, now: at(20) });
        // Counted: three dead, the newest at 20. Then one more dies before the redelivery.
        expect((await queue.listDead({ deadUntil: at(20) })).total).toBe(3);
        await queue.deadLetter('u4', 'A', { attempts: 1, now: at(30) });
        expect(ids((await queue.listDead({ deadUntil: at(20) })).items)).toEqual(['u3', 'u2', 'u1']);
        expect((await queue.listDead({ webhookKey: 'w1', deadUntil: at(20) })).total).toBe(2);
        expect((await queue.listDead({ deadSince: at(15), deadUntil: at(20), limit: 1 })).total).toBe(2);
        expect((await queue.redeliver({ webhookKey: 'w1', deadUntil: at(10) }, at(100))).sort()).toEqual(['u1']);
        expect((await queue.redeliver({ all: true, deadUntil: at(20) }, at(100))).sort()).toEqual(['u2', 'u3']);
        expect((await queue.get('u4'))!.state).toBe('dead');
      });

      test('redeliver with { all: true } puts every dead letter back', async (queue) => {
        await queue.enqueue([contractRequest('x', { webhookKey: 'w1' }), contractRequest('y', { webhookKey: 'w2' })]);
        await queue.claim({ owner: 'A', limit: 2, leaseMs: 1000, now: at(0) });
        await queue.deadLetter('x', 'A', { attempts: 1, now: at(10) });
        await queue.deadLetter('y', 'A', { attempts: 1, now: at(20) });
        expect((await queue.redeliver({ all: true }, at(100))).sort()).toEqual(['x', 'y']);
        expect(await queue.counts()).toEqual({ pending: 2, inFlight: 0, dead: 0 });
      });

      test('renew extends the leases an owner holds and reports the ones it lost', async (queue) => {
        if (!queue.renew) return expect(queue.renew).toBeUndefined();
        await queue.enqueue([contractRequest('k1'), contractRequest('k2'), contractRequest('k3')]);
        await queue.claim({ owner: 'A', limit: 2, leaseMs: 1000, now: at(0) });
        await queue.claim({ owner: 'B', limit: 1, leaseMs: 1000, now: at(0) });
        // k1 and k2 are A's; k3 is B's; 'gone' does not exist.
        expect((await queue.renew('A', ['k1', 'k2', 'k3', 'gone'], 5000, at(900))).sort()).toEqual(['k1', 'k2']);
        expect((await queue.get('k1'))!.leaseExpiresAt).toEqual(at(5900));
        expect((await queue.get('k3'))!.leaseExpiresAt).toEqual(at(1000));
        // The renewed leases hold past the original expiry; B's unrenewed one is claimable then.
        expect(ids(await queue.claim({ owner: 'C', limit: 10, leaseMs: 1000, now: at(2000) }))).toEqual(['k3']);
        // A lease that expired and was taken by another owner is not renewed.
        expect(await queue.renew('B', ['k3'], 5000, at(2100))).toEqual([]);
      });

      test('release gives an owner\'s claims back at once, all or the ids given', async (queue) => {
        await queue.enqueue([contractRequest('r1'), contractRequest('r2'), contractRequest('r3'), contractRequest('rb')]);
        await queue.claim({ owner: 'A', limit: 3, leaseMs: 60_000, now: at(0) });
        await queue.claim({ owner: 'B', limit: 1, leaseMs: 60_000, now: at(0) });
        expect(await queue.release('A', ['r2'])).toBe(1);
        expect(await queue.get('r2')).toMatchObject({ state: 'pending', attempts: 0 });
        expect((await queue.get('r2'))!.leaseOwner).toBeUndefined();
        expect(await queue.release('A')).toBe(2);
        expect((await queue.get('rb'))!.state).toBe('inflight');
        expect(await queue.counts()).toEqual({ pending: 3, inFlight: 1, dead: 0 });
        // Released requests are claimable at once by another owner, long before the lease would expire.
        expect(ids(await queue.claim({ owner: 'C', limit: 10, leaseMs: 60_000, now: at(1) })).sort()).toEqual(['r1', 'r2', 'r3']);
      });
    });

    if (options.bringForward !== false) {
      describe('bringForward (optional)', () => {
        test('makes the webhook\'s pending requests due later due now; in flight, dead, due ones and other webhooks untouched', async (queue) => {
          await queue.enqueue([contractRequest('out'), contractRequest('gone')]);
          await queue.claim({ owner: 'A', limit: 10, leaseMs: 1000, now: at(0) });
          await queue.deadLetter('gone', 'A', { attempts: 1, now: at(1) });
          // A receiver's hour-long pause, a retry on its backoff, one due already, another webhook's pause.
          await queue.enqueue([contractRequest('paused', { dueAt: at(3_600_000) }), contractRequest('retry', { dueAt: at(60_000) }), contractRequest('due', { dueAt: at(0) }), contractRequest('other', { webhookKey: 'wh-2', dueAt: at(3_600_000) })]);
          expect(await queue.bringForward!('wh-1', at(100))).toBe(2);
          expect((await queue.get('paused'))!.dueAt).toEqual(at(100));
          expect((await queue.get('retry'))!.dueAt).toEqual(at(100));
          expect((await queue.get('due'))!.dueAt).toEqual(at(0));
          expect((await queue.get('other'))!.dueAt).toEqual(at(3_600_000));
          expect(await queue.get('out')).toMatchObject({ state: 'inflight', leaseOwner: 'A', dueAt: at(0) });
          expect((await queue.get('gone'))!.state).toBe('dead');
          expect(ids(await queue.claim({ owner: 'B', limit: 10, leaseMs: 1000, now: at(100) })).sort()).toEqual(['due', 'paused', 'retry']);
          expect(await queue.bringForward!('wh-1', at(100))).toBe(0);
          expect(await queue.nextDueAt()).toEqual(at(1000));
        });

        if (options.fifo) {
          test('a FIFO line keeps its order: its requests become due, the head still goes first and alone', async (queue) => {
            const fifo = (id: string, overrides: Partial<NewWebhookRequest> = {}) => contractRequest(id, { webhookKey: 'ordered', fifo: 'skip', ...overrides });
            await queue.enqueue([fifo('f1'), fifo('f2', { dueAt: at(3_600_000) }), fifo('f3')]);
            await queue.claim({ owner: 'A', limit: 10, leaseMs: 10_000, now: at(0) });
            await queue.reschedule('f1', 'A', { dueAt: at(3_600_000), attempts: 1, lastError: 'HTTP 429' });
            expect(await queue.bringForward!('ordered', at(100))).toBe(2);
            const claimAll = (now: number) => queue.claim({ owner: 'B', limit: 10, leaseMs: 10_000, now: at(now) });
            expect(ids(await claimAll(100))).toEqual(['f1']);
            expect(ids(await claimAll(101))).toEqual([]);
            await queue.complete('f1', 'B');
            expect(ids(await claimAll(102))).toEqual(['f2']);
            await queue.complete('f2', 'B');
            expect(ids(await claimAll(103))).toEqual(['f3']);
          });
        }
      });
    }

    describe('discard (optional)', () => {
      test('removes the webhook\'s pending and dead requests published up to a time and returns them in enqueue order; in flight, later and other webhooks\' untouched', async (queue) => {
        if (!queue.discard) return;
        await queue.enqueue([contractRequest('out'), contractRequest('gone')]);
        await queue.claim({ owner: 'A', limit: 10, leaseMs: 60_000, now: at(0) });
        await queue.deadLetter('gone', 'A', { attempts: 1, now: at(1) });
        await queue.enqueue([contractRequest('waiting', { dueAt: at(60_000) }), contractRequest('other', { webhookKey: 'wh-2' }), contractRequest('later', { createdAt: at(5), dueAt: at(5) })]);
        const removed = await queue.discard('wh-1', at(0), 10);
        expect(removed.map((r) => [r.id, r.state, r.webhookKey])).toEqual([
          ['gone', 'dead', 'wh-1'],
          ['waiting', 'pending', 'wh-1'],
        ]);
        expect(await queue.get('gone')).toBeUndefined();
        expect(await queue.get('waiting')).toBeUndefined();
        expect((await queue.listDead({ webhookKey: 'wh-1' })).total).toBe(0);
        expect(await queue.counts({ webhookKey: 'wh-1' })).toEqual({ pending: 1, inFlight: 1, dead: 0 });
        expect(ids(await queue.claim({ owner: 'B', limit: 10, leaseMs: 1000, now: at(10) })).sort()).toEqual(['later', 'other']);
        // The attempt in flight settles it as usual.
        expect(await queue.complete('out', 'A')).toBe(true);
        expect(await queue.discard('wh-1', at(0), 10)).toEqual([]);
      });

      test('discardAndLog (optional): removes as discard does, with each removed request\'s log entry written: a keyed enqueue of its id is skipped', async (queue) => {
        if (!queue.discardAndLog) return;
        await queue.enqueue([contractRequest('k1'), contractRequest('k2', { webhookKey: 'wh-2' })], { idempotent: true });
        const removed = await queue.discardAndLog('wh-1', at(0), 10, (r) => contractLogEntry(`dropped-${r.id}`, { requestId: r.id, webhookKey: r.webhookKey, outcome: 'dropped' }));
        expect(ids(removed)).toEqual(['k1']);
        expect(await queue.get('k1')).toBeUndefined();
        expect(storedIds(await queue.enqueue([contractRequest('k1'), contractRequest('k3')], { idempotent: true }))).toEqual(['k3']);
        expect(await queue.discardAndLog('wh-3', at(0), 10, () => {
          throw new Error('no entry is made when nothing is removed');
        })).toEqual([]);
      });

      test('removes at most `limit` at a time, the oldest enqueued first', async (queue) => {
        if (!queue.discard) return;
        await queue.enqueue([contractRequest('d1'), contractRequest('d2'), contractRequest('d3')]);
        expect(ids(await queue.discard('wh-1', at(0), 2))).toEqual(['d1', 'd2']);
        expect(ids(await queue.discard('wh-1', at(0), 2))).toEqual(['d3']);
      });

      if (options.fifo) {
        test('a FIFO line\'s dead `block` head removed lets nothing of it hold a later line of the key', async (queue) => {
          const fifo = (id: string, overrides: Partial<NewWebhookRequest> = {}) => contractRequest(id, { webhookKey: 'ordered', fifo: 'block', ...overrides });
          await queue.enqueue([fifo('f1'), fifo('f2')]);
          await queue.claim({ owner: 'A', limit: 10, leaseMs: 10_000, now: at(0) });
          await queue.deadLetter('f1', 'A', { attempts: 1, now: at(1) });
          expect(ids(await queue.discard!('ordered', at(0), 10))).toEqual(['f1', 'f2']);
          await queue.enqueue([fifo('n1', { createdAt: at(10), dueAt: at(10) }), fifo('n2', { createdAt: at(11), dueAt: at(11) })]);
          expect(ids(await queue.claim({ owner: 'B', limit: 10, leaseMs: 10_000, now: at(20) }))).toEqual(['n1']);
        });
      }
    });

    describe('queuedWebhookKeys (optional)', () => {
      test('names each webhook with pending (plain or FIFO) or dead requests once, and none whose requests are all in flight or gone', async (queue) => {
        if (!queue.queuedWebhookKeys) return;
        expect(await queue.queuedWebhookKeys()).toEqual([]);
        await queue.enqueue([
          contractRequest('p1', { webhookKey: 'plain' }),
          contractRequest('p2', { webhookKey: 'plain', dueAt: at(60_000) }),
          contractRequest('l1', { webhookKey: 'line', fifo: 'skip' }),
          contractRequest('d1', { webhookKey: 'dead' }),
          contractRequest('o1', { webhookKey: 'out' }),
        ]);
        await queue.claim({ owner: 'A', limit: 10, leaseMs: 60_000, now: at(0) });
        await queue.release('A', ['p1', 'l1']);
        await queue.deadLetter('d1', 'A', { attempts: 1, now: at(1) });
        expect((await queue.queuedWebhookKeys()).sort()).toEqual(['dead', 'line', 'plain']);
        await queue.complete('o1', 'A');
        await queue.claim({ owner: 'A', limit: 10, leaseMs: 60_000, now: at(2) });
        // In flight: p1 and l1 (due), not p2 (due later) nor the dead letter.
        expect((await queue.queuedWebhookKeys()).sort()).toEqual(['dead', 'plain']);
      });
    });

    describe('counts and timers', () => {
      test('counts one webhook\'s requests by state', async (queue) => {
        await queue.enqueue([contractRequest('c1', { webhookKey: 'w1' }), contractRequest('c2', { webhookKey: 'w1' }), contractRequest('c3', { webhookKey: 'w2' })]);
        await queue.claim({ owner: 'A', limit: 1, leaseMs: 1000, now: at(0) });
        await queue.deadLetter('c1', 'A', { attempts: 1, now: at(5) });
        expect(await queue.counts({ webhookKey: 'w1' })).toEqual({ pending: 1, inFlight: 0, dead: 1 });
        expect(await queue.counts({ webhookKey: 'w2' })).toEqual({ pending: 1, inFlight: 0, dead: 0 });
        expect(await queue.counts({ webhookKey: 'none' })).toEqual({ pending: 0, inFlight: 0, dead: 0 });
      });

      test('nextDueAt is the earliest pending due time or in-flight lease expiry', async (queue) => {
        expect(await queue.nextDueAt()).toBeUndefined();
        await queue.enqueue([contractRequest('soon', { dueAt: at(100) }), contractRequest('late', { dueAt: at(5000) })]);
        expect(await queue.nextDueAt()).toEqual(at(100));
        await queue.claim({ owner: 'A', limit: 1, leaseMs: 1000, now: at(100) });
        // 'soon' is in flight until 1100; 'late' is due at 5000.
        expect(await queue.nextDueAt()).toEqual(at(1100));
        await queue.deadLetter('soon', 'A', { attempts: 1, now: at(200) });
        expect(await queue.nextDueAt()).toEqual(at(5000));
        const next = await queue.nextDueAt();
        expect(next).toBeInstanceOf(Date);
      });

      test('deleteDeadOlderThan deletes dead letters before the time, at most limit per call', async (queue) => {
        await queue.enqueue(Array.from({ length: 7 }, (_, i) => contractRequest(`d${i}`)).concat([contractRequest('pending')]));
        await queue.claim({ owner: 'A', limit: 7, leaseMs: 1000, now: at(0) });
        for (let i = 0; i < 7; i++) await queue.deadLetter(`d${i}`, 'A', { attempts: 1, now: at(i * 10) });
        // d0..d4 are dead before 50; d5, d6 after.
        expect(await queue.deleteDeadOlderThan(at(50), 3)).toBe(3);
        expect(await queue.deleteDeadOlderThan(at(50), 3)).toBe(2);
        expect(await queue.deleteDeadOlderThan(at(50), 3)).toBe(0);
        expect(ids((await queue.listDead()).items)).toEqual(['d6', 'd5']);
        expect((await queue.get('pending'))!.state).toBe('pending');
        expect(await queue.counts()).toEqual({ pending: 1, inFlight: 0, dead: 2 });
      });

      test('keeps a request\'s traceparent (the enqueue span its attempts link to)', async (queue) => {
        const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
        await queue.enqueue([contractRequest('traced', { traceparent }), contractRequest('untraced')]);
        expect((await queue.get('traced'))!.traceparent).toBe(traceparent);
        expect(await queue.get('untraced')).not.toHaveProperty('traceparent');
        const claimed = await queue.claim({ owner: 'A', limit: 2, leaseMs: 1000, now: at(0) });
        expect(claimed.find((r) => r.id === 'traced')!.traceparent).toBe(traceparent);
      });

      test('keeps a request\'s tracestate with its traceparent (vendors\' state its attempts\' links carry)', async (queue) => {
        const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
        const tracestate = 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,ot=th:8';
        await queue.enqueue([contractRequest('stated', { traceparent, tracestate }), contractRequest('traced', { traceparent })]);
        expect(await queue.get('stated')).toMatchObject({ traceparent, tracestate });
        expect(await queue.get('traced')).not.toHaveProperty('tracestate');
        const claimed = await queue.claim({ owner: 'A', limit: 2, leaseMs: 1000, now: at(0) });
        expect(claimed.find((r) => r.id === 'stated')).toMatchObject({ traceparent, tracestate });
        expect(claimed.find((r) => r.id === 'traced')).not.toHaveProperty('tracestate');
      });

      test('oldestPendingCreatedAt (when offered) is the creation time of the oldest pending request', async (queue) => {
        if (!queue.oldestPendingCreatedAt) return;
        expect(await queue.oldestPendingCreatedAt()).toBeUndefined();
        await queue.enqueue([contractRequest('young', { createdAt: at(500), dueAt: at(0) }), contractRequest('old', { createdAt: at(100), dueAt: at(900) }), contractRequest('out', { createdAt: at(50), dueAt: at(-10) })]);
        await queue.claim({ owner: 'A', limit: 1, leaseMs: 1000, now: at(0) });
        // 'out' (created first) is in flight, so not pending.
        expect((await queue.get('out'))!.state).toBe('inflight');
        expect(await queue.oldestPendingCreatedAt()).toEqual(at(100));
      });
    });

    if (options.claimBounds !== false) describeClaimBounds(test, options.fifo === true);
    if (options.fifo) describeFifoClaims(test);
  });
}

/** Claims with per-webhook bounds, for backends that declare `claimBounds`. */
function describeClaimBounds(test: QueueTest, fifo: boolean): void {
  const claim = (queue: RequestQueue, bounds: { limit?: number; perWebhookLimit?: number; webhookLimits?: Map<string, number>; excludeWebhookKeys?: string[] }, now = 1_000) =>
    queue.claim({ owner: 'A', limit: 100, leaseMs: 10_000, now: at(now), ...bounds });

  describe('claims with per-webhook bounds', () => {
    test('declares claimBounds', async (queue) => {
      expect(queue.claimBounds).toBe(true);
    });

    test('takes at most perWebhookLimit of each webhook, oldest first, and the others are left pending for any claimer', async (queue) => {
      await queue.enqueue([1, 2, 3, 4, 5].map((i) => contractRequest(`a${i}`, { dueAt: at(i) })));
      await queue.enqueue([contractRequest('b1', { webhookKey: 'wh-2', dueAt: at(6) }), contractRequest('b2', { webhookKey: 'wh-2', dueAt: at(7) }), contractRequest('b3', { webhookKey: 'wh-2', dueAt: at(8) })]);
      expect(ids(await claim(queue, { perWebhookLimit: 2 }))).toEqual(['a1', 'a2', 'b1', 'b2']);
      expect(await queue.counts()).toEqual({ pending: 4, inFlight: 4, dead: 0 });
      // Another process's claim finds the rest at once.
      expect(ids(await queue.claim({ owner: 'B', limit: 100, leaseMs: 10_000, now: at(1_000) }))).toEqual(['a3', 'a4', 'a5', 'b3']);
    });

    test('webhookLimits bound their webhooks in place of perWebhookLimit; with limit and excluded webhooks', async (queue) => {
      await queue.enqueue([1, 2, 3].map((i) => contractRequest(`a${i}`, { dueAt: at(i) })));
      await queue.enqueue([4, 5, 6].map((i) => contractRequest(`b${i}`, { webhookKey: 'wh-2', dueAt: at(i) })));
      await queue.enqueue([7, 8, 9].map((i) => contractRequest(`c${i}`, { webhookKey: 'wh-3', dueAt: at(i) })));
      expect(ids(await claim(queue, { perWebhookLimit: 2, webhookLimits: new Map([['wh-1', 1], ['wh-3', 3]]), excludeWebhookKeys: ['wh-2'] }))).toEqual(['a1', 'c7', 'c8', 'c9']);
      expect(ids(await claim(queue, { limit: 2, webhookLimits: new Map([['wh-1', 1]]) }))).toEqual(['a2', 'b4']);
      // A webhook not listed, with no perWebhookLimit, is not bounded.
      expect(ids(await claim(queue, { webhookLimits: new Map([['wh-1', 1]]) }))).toEqual(['a3', 'b5', 'b6']);
    });

    test('looks past a webhook at its bound: a short batch means nothing else is due, however long its backlog', async (queue) => {
      // A backlog longer than a claim's batch and than any read-ahead of the due front.
      const backlog = Array.from({ length: 300 }, (_, i) => contractRequest(`a${String(i).padStart(3, '0')}`, { dueAt: at(i) }));
      await queue.enqueue(backlog);
      await queue.enqueue([contractRequest('b', { webhookKey: 'wh-2', dueAt: at(500) }), contractRequest('c', { webhookKey: 'wh-3', dueAt: at(501) }), contractRequest('later', { webhookKey: 'wh-4', dueAt: at(5_000) })]);
      expect(ids(await claim(queue, { limit: 10, perWebhookLimit: 1 }))).toEqual(['a000', 'b', 'c']);
      expect(ids(await claim(queue, { limit: 10, webhookLimits: new Map([['wh-1', 2]]), perWebhookLimit: 1 }))).toEqual(['a001', 'a002']);
    });

    test('bounds count expired leases taken again', async (queue) => {
      await queue.enqueue([contractRequest('x1'), contractRequest('x2'), contractRequest('x3', { dueAt: at(2_000) })]);
      await queue.claim({ owner: 'gone', limit: 2, leaseMs: 100, now: at(0) });
      const taken = await claim(queue, { perWebhookLimit: 1 }, 3_000);
      expect(taken).toHaveLength(1);
      expect(taken[0]!.leaseOwner).toBe('A');
      expect(ids(await claim(queue, { perWebhookLimit: 5 }, 3_000)).sort()).toEqual(taken[0]!.id === 'x1' ? ['x2', 'x3'] : ['x1', 'x3']);
    });

    if (fifo) {
      test('a FIFO head counts toward its webhook\'s bound', async (queue) => {
        await queue.enqueue([contractRequest('f1', { webhookKey: 'ordered', fifo: 'skip', dueAt: at(0) }), contractRequest('p1', { webhookKey: 'ordered', dueAt: at(1) }), contractRequest('p2', { webhookKey: 'ordered', dueAt: at(2) })]);
        expect(ids(await claim(queue, { perWebhookLimit: 2 }))).toEqual(['f1', 'p1']);
      });
    }
  });
}

type QueueTest = (title: string, body: (queue: RequestQueue, made: ContractSubject<RequestQueue>) => Promise<void>) => void;

/** FIFO claims, for backends that declare `fifo`. */
function describeFifoClaims(test: QueueTest): void {
  const fifo = (id: string, overrides: Partial<NewWebhookRequest> = {}) => contractRequest(id, { webhookKey: 'ordered', fifo: 'skip', ...overrides });
  const claimAll = (queue: RequestQueue, owner: string, now: number) => queue.claim({ owner, limit: 100, leaseMs: 10_000, now: at(now) });

  describe('FIFO claims', () => {
    test('a FIFO webhook\'s requests go one at a time in enqueue order; others go as usual', async (queue) => {
      await queue.enqueue([fifo('f1'), fifo('f2'), contractRequest('plain-1', { webhookKey: 'ordered' }), contractRequest('other')]);
      await queue.enqueue([fifo('f3', { dueAt: at(-50) })]);
      expect((await queue.get('f1'))!.fifo).toBe('skip');
      // f3 is due earliest, but it is behind f1 and f2 in its line.
      expect(ids(await claimAll(queue, 'A', 0)).sort()).toEqual(['f1', 'other', 'plain-1']);
      expect(ids(await claimAll(queue, 'A', 0))).toEqual([]);
      expect(await queue.counts({ webhookKey: 'ordered' })).toEqual({ pending: 2, inFlight: 2, dead: 0 });
      expect(await queue.complete('f1', 'A')).toBe(true);
      expect(ids(await claimAll(queue, 'B', 1))).toEqual(['f2']);
      await queue.complete('f2', 'B');
      expect(ids(await claimAll(queue, 'A', 2))).toEqual(['f3']);
    });

    test('a head waiting for its retry holds the line, even when those behind it are due', async (queue) => {
      await queue.enqueue([fifo('f1'), fifo('f2'), fifo('f3')]);
      await claimAll(queue, 'A', 0);
      await queue.reschedule('f1', 'A', { dueAt: at(5000), attempts: 1, lastError: 'HTTP 500' });
      expect(ids(await claimAll(queue, 'A', 100))).toEqual([]);
      expect(await queue.nextDueAt()).toEqual(at(5000));
      expect(ids(await claimAll(queue, 'A', 5000))).toEqual(['f1']);
      await queue.complete('f1', 'A');
      expect(ids(await claimAll(queue, 'A', 5001))).toEqual(['f2']);
    });

    test('a head whose lease expired goes to another claimer; the next still waits', async (queue) => {
      await queue.enqueue([fifo('f1'), fifo('f2')]);
      await claimAll(queue, 'A', 0);
      expect(ids(await claimAll(queue, 'B', 9_999))).toEqual([]);
      expect(ids(await claimAll(queue, 'B', 10_000))).toEqual(['f1']);
      expect(await queue.complete('f1', 'A')).toBe(false);
      expect(ids(await claimAll(queue, 'C', 10_001))).toEqual([]);
    });

    test('a released head is the head again', async (queue) => {
      await queue.enqueue([fifo('f1'), fifo('f2')]);
      await claimAll(queue, 'A', 0);
      await queue.release('A');
      expect(ids(await claimAll(queue, 'B', 1))).toEqual(['f1']);
    });

    test('skip: a dead-lettered head lets the next go; redelivered, it heads the line again', async (queue) => {
      await queue.enqueue([fifo('f1'), fifo('f2'), fifo('f3')]);
      await claimAll(queue, 'A', 0);
      await queue.deadLetter('f1', 'A', { attempts: 6, lastError: 'HTTP 500', now: at(1) });
      expect(ids(await claimAll(queue, 'A', 2))).toEqual(['f2']);
      expect(await queue.redeliver({ ids: ['f1'] }, at(3))).toEqual(['f1']);
      // f2 is still out: nothing else goes until it settles, then f1 (enqueued first) goes before f3.
      expect(ids(await claimAll(queue, 'A', 4))).toEqual([]);
      await queue.complete('f2', 'A');
      expect(ids(await claimAll(queue, 'A', 5))).toEqual(['f1']);
      await queue.complete('f1', 'A');
      expect(ids(await claimAll(queue, 'A', 6))).toEqual(['f3']);
    });

    test('block: a dead-lettered head holds every request behind it until it is redelivered and settled', async (queue) => {
      await queue.enqueue([fifo('b1', { fifo: 'block' }), fifo('b2', { fifo: 'block' }), contractRequest('plain', { webhookKey: 'ordered' })]);
      expect(ids(await claimAll(queue, 'A', 0)).sort()).toEqual(['b1', 'plain']);
      await queue.deadLetter('b1', 'A', { attempts: 6, now: at(1) });
      expect(ids(await claimAll(queue, 'A', 2))).toEqual([]);
      expect(await queue.counts({ webhookKey: 'ordered' })).toEqual({ pending: 1, inFlight: 1, dead: 1 });
      await queue.redeliver({ webhookKey: 'ordered' }, at(3));
      expect(ids(await claimAll(queue, 'A', 4))).toEqual(['b1']);
      await queue.complete('b1', 'A');
      expect(ids(await claimAll(queue, 'A', 5))).toEqual(['b2']);
    });

    test('block: retention deleting the dead head lets the line go on', async (queue) => {
      await queue.enqueue([fifo('b1', { fifo: 'block' }), fifo('b2', { fifo: 'block' })]);
      await claimAll(queue, 'A', 0);
      await queue.deadLetter('b1', 'A', { attempts: 6, now: at(1) });
      expect(await queue.deleteDeadOlderThan(at(2), 10)).toBe(1);
      expect(ids(await claimAll(queue, 'A', 3))).toEqual(['b2']);
    });

    test('lines of different webhooks go side by side', async (queue) => {
      await queue.enqueue([fifo('a1', { webhookKey: 'wa' }), fifo('a2', { webhookKey: 'wa' }), fifo('b1', { webhookKey: 'wb' }), fifo('b2', { webhookKey: 'wb' })]);
      expect(ids(await claimAll(queue, 'A', 0)).sort()).toEqual(['a1', 'b1']);
    });

    test('two handles on one store never have two requests of a line out at once, and keep the order', async (queue, made) => {
      if (!made.openAnother) return;
      const other = await made.openAnother();
      await queue.enqueue(Array.from({ length: 12 }, (_, i) => fifo(`f${String(i).padStart(2, '0')}`)));
      const order: string[] = [];
      for (let round = 0; order.length < 12 && round < 100; round++) {
        const [mine, theirs] = await Promise.all([claimAll(queue, 'A', round), claimAll(other, 'B', round)]);
        expect(mine.length + theirs.length).toBeLessThanOrEqual(1);
        for (const r of mine) {
          order.push(r.id);
          await queue.complete(r.id, 'A');
        }
        for (const r of theirs) {
          order.push(r.id);
          await other.complete(r.id, 'B');
        }
      }
      expect(order).toEqual(Array.from({ length: 12 }, (_, i) => `f${String(i).padStart(2, '0')}`));
    });
  });
}
