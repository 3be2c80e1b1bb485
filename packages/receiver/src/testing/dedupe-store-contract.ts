/// <reference types="jest" />
import type { DedupeStore } from '../dedupe/dedupe-store';

/**
 * Makes a fresh, empty store for one test, and cleans it up after. A store that workers share
 * (Redis, SQL) also gives `sibling`: another instance of it on the same backend — its own client or
 * pool, as a second worker has — which the contract races claims against when it is run with
 * `{ shared: true }`.
 */
export type DedupeStoreFactory = () => Promise<{ store: DedupeStore; sibling?: DedupeStore; close?: () => Promise<void> }>;

/** Options of {@link describeDedupeStoreContract}. */
export interface DedupeStoreContractOptions {
  /**
   * True for a store that several workers share through one backend (Redis, SQL): the factory
   * must then give `sibling`, and concurrent claims of one id through the two instances must let
   * exactly one win — the atomicity that matters, which one instance alone (one client, one
   * connection) may only seem to have. Default false (a store of one process, as the memory store).
   */
  shared?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let sequence = 0;
/** An id no other test (or earlier run against the same Redis or database) has used. */
const freshId = () => `msg_contract_${process.pid}_${Date.now()}_${++sequence}`;

/**
 * The behaviour every {@link DedupeStore} must show; run it against your own store from a jest
 * test file — a shared store with a second instance on the same backend:
 *
 * ```ts
 * describeDedupeStoreContract('redis', async () => ({ store: redisDedupeStore(client, 'test:'), sibling: redisDedupeStore(otherClient, 'test:') }), { shared: true });
 * ```
 *
 * Expiry is tested with real short leases (a few hundred ms) and waits that are well past them,
 * so a slow machine can make it slower, never wrong.
 */
export function describeDedupeStoreContract(name: string, factory: DedupeStoreFactory, options: DedupeStoreContractOptions = {}): void {
  // Under node:test, `describe` is no global: say so rather than "describe is not defined".
  const globals = globalThis as { describe?: unknown; it?: unknown; expect?: unknown };
  if (typeof globals.describe !== 'function' || typeof globals.it !== 'function' || typeof globals.expect !== 'function') {
    throw new TypeError('describeDedupeStoreContract defines jest tests: call it from a jest test file (its describe, it and expect globals are missing here — node:test and plain node have none; vitest needs globals: true)');
  }
  const test = (title: string, body: (store: DedupeStore, sibling: DedupeStore | undefined) => Promise<void>) =>
    it(title, async () => {
      const made = await factory();
      try {
        await body(made.store, made.sibling);
      } finally {
        await made.close?.();
      }
    });

  describe(`DedupeStore contract: ${name}`, () => {
    test('claims an unknown id, with a token', async (store) => {
      const claim = await store.claim(freshId(), 60_000);
      expect(claim.status).toBe('claimed');
      expect(claim.status === 'claimed' && typeof claim.token === 'string' && claim.token.length > 0).toBe(true);
    });

    test('answers in-progress while a claim holds, and done once it is completed', async (store) => {
      const id = freshId();
      const claim = await store.claim(id, 60_000);
      if (claim.status !== 'claimed') throw new Error('not claimed');
      expect(await store.claim(id, 60_000)).toEqual({ status: 'in-progress' });
      await store.complete(id, claim.token, 60_000);
      expect(await store.claim(id, 60_000)).toEqual({ status: 'done' });
      expect(await store.claim(id, 60_000)).toEqual({ status: 'done' });
    });

    test('lets exactly one of many concurrent claims of one id win', async (store) => {
      const id = freshId();
      const claims = await Promise.all(Array.from({ length: 20 }, () => store.claim(id, 60_000)));
      expect(claims.filter((c) => c.status === 'claimed')).toHaveLength(1);
      expect(claims.filter((c) => c.status === 'in-progress')).toHaveLength(19);
    });

    if (options.shared) {
      test('lets exactly one of many concurrent claims of one id win across two instances on one backend (two workers), and both then see it done', async (store, sibling) => {
        if (!sibling || sibling === store) throw new Error(`describeDedupeStoreContract('${name}', …, { shared: true }): the factory must give sibling, a second instance of the store on the same backend (its own client or pool)`);
        const id = freshId();
        const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : sibling).claim(id, 60_000)));
        const won = claims.map((claim, i) => ({ claim, by: i % 2 === 0 ? store : sibling })).filter(({ claim }) => claim.status === 'claimed');
        expect(won).toHaveLength(1);
        expect(claims.filter((c) => c.status === 'in-progress')).toHaveLength(19);
        const { claim, by } = won[0]!;
        // The other instance can't end the claim with a token of its own making, only with the winner's.
        await (by === store ? sibling : store).complete(id, claim.status === 'claimed' ? claim.token : '', 60_000);
        expect(await store.claim(id, 60_000)).toEqual({ status: 'done' });
        expect(await sibling.claim(id, 60_000)).toEqual({ status: 'done' });
      });
    }

    test('keeps ids apart', async (store) => {
      const [a, b] = [freshId(), freshId()];
      const claim = await store.claim(a, 60_000);
      if (claim.status !== 'claimed') throw new Error('not claimed');
      await store.complete(a, claim.token, 60_000);
      expect((await store.claim(b, 60_000)).status).toBe('claimed');
    });

    test('release frees the id at once, so a retry is processed', async (store) => {
      const id = freshId();
      const claim = await store.claim(id, 60_000);
      if (claim.status !== 'claimed') throw new Error('not claimed');
      await store.release(id, claim.token);
      expect((await store.claim(id, 60_000)).status).toBe('claimed');
    });

    test('an expired claim (a worker that died mid-handler) can be claimed again', async (store) => {
      const id = freshId();
      expect((await store.claim(id, 150)).status).toBe('claimed');
      await sleep(500);
      expect((await store.claim(id, 60_000)).status).toBe('claimed');
    });

    test('a done id is forgotten after retainMs', async (store) => {
      const id = freshId();
      const claim = await store.claim(id, 60_000);
      if (claim.status !== 'claimed') throw new Error('not claimed');
      await store.complete(id, claim.token, 150);
      await sleep(500);
      expect((await store.claim(id, 60_000)).status).toBe('claimed');
    });

    test("a worker can't end a claim that is no longer its own", async (store) => {
      const id = freshId();
      const first = await store.claim(id, 150);
      if (first.status !== 'claimed') throw new Error('not claimed');
      await sleep(500);
      const second = await store.claim(id, 60_000);
      if (second.status !== 'claimed') throw new Error('not claimed again');
      expect(second.token).not.toBe(first.token);
      await store.release(id, first.token);
      expect(await store.claim(id, 60_000)).toEqual({ status: 'in-progress' });
      await store.complete(id, first.token, 60_000);
      expect(await store.claim(id, 60_000)).toEqual({ status: 'in-progress' });
      await store.complete(id, second.token, 60_000);
      expect(await store.claim(id, 60_000)).toEqual({ status: 'done' });
    });

    test('takes ids of any characters a sender may use', async (store) => {
      const id = `${freshId()}:ü/ä %'"\\;--`;
      const claim = await store.claim(id, 60_000);
      if (claim.status !== 'claimed') throw new Error('not claimed');
      await store.complete(id, claim.token, 60_000);
      expect(await store.claim(id, 60_000)).toEqual({ status: 'done' });
    });
  });
}
