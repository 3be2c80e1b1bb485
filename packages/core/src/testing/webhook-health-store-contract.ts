/// <reference types="jest" />
import type { WebhookHealthState, WebhookHealthStore } from '../ports/webhook-health-store';
import { withSubject, type ContractFactory, type ContractSubject, requireJestGlobals } from './contract-subject';

const T0 = Date.UTC(2030, 0, 2, 3, 4, 5, 678);
const at = (ms: number) => new Date(T0 + ms);

/** A state with every field set, to check that a store keeps each one exactly. */
const FULL: WebhookHealthState = {
  breaker: 'half-open',
  openedAt: T0 - 60_000,
  probeAt: T0 + 20_000,
  consecutiveFailures: 12,
  failingSince: T0 - 3_600_000,
  window: { start: T0 - 1000, attempts: 40, failures: 30, previousAttempts: 55, previousFailures: 7 },
  pausedUntil: T0 + 1500,
  disabledAt: T0,
};

/** Options of {@link describeWebhookHealthStoreContract}. */
export interface WebhookHealthStoreContractOptions {
  /**
   * Whether the store has the optional {@link WebhookHealthStore.update} (default true: the suite
   * checks it is there, and how it behaves). A store without one passes `false`; core then writes
   * its health by compare-and-set alone.
   */
  update?: boolean;
}

/** One more failure counted into whatever is stored: a pure change, as `update` wants one. */
const oneMoreFailure = (current: { state: WebhookHealthState } | undefined): WebhookHealthState => ({ breaker: 'closed', ...current?.state, consecutiveFailures: (current?.state.consecutiveFailures ?? 0) + 1 });

/**
 * The behaviour every {@link WebhookHealthStore} backend must show: states kept exactly,
 * compare-and-set that lets exactly one of two writers win (also across two handles on one
 * store, as two processes would have), `update` that never loses a change however many writers
 * make one at once (also across two handles), and a rate limit whose slots are never handed out
 * twice. Times are passed explicitly, so the suite never sleeps.
 */
export function describeWebhookHealthStoreContract(name: string, factory: ContractFactory<WebhookHealthStore>, options: WebhookHealthStoreContractOptions = {}): void {
  requireJestGlobals('describeWebhookHealthStoreContract');
  const test = (title: string, body: (store: WebhookHealthStore, made: ContractSubject<WebhookHealthStore>) => Promise<void>) =>
    it(title, () => withSubject(factory, (made) => body(made.subject, made)));

  describe(`WebhookHealthStore contract: ${name}`, () => {
    describe('state', () => {
      test('a webhook without a record reads as undefined, and is not listed', async (store) => {
        expect(await store.get('wh-1')).toBeUndefined();
        expect(await store.list()).toEqual([]);
      });

      test('the first write expects version 0 and makes version 1; every field comes back exactly', async (store) => {
        const written = await store.compareAndSet('wh-1', 0, FULL);
        expect(written).toEqual({ webhookKey: 'wh-1', version: 1, state: FULL });
        expect(await store.get('wh-1')).toEqual({ webhookKey: 'wh-1', version: 1, state: FULL });
        expect(await store.get('wh-2')).toBeUndefined();
      });

      test('optional fields left out stay out (no nulls come back)', async (store) => {
        await store.compareAndSet('wh-1', 0, { breaker: 'closed', consecutiveFailures: 0 });
        expect((await store.get('wh-1'))!.state).toEqual({ breaker: 'closed', consecutiveFailures: 0 });
        expect(Object.keys((await store.get('wh-1'))!.state).sort()).toEqual(['breaker', 'consecutiveFailures']);
      });

      test('each write raises the version by one; a write with a stale version changes nothing', async (store) => {
        await store.compareAndSet('wh-1', 0, { breaker: 'closed', consecutiveFailures: 1 });
        expect(await store.compareAndSet('wh-1', 1, { breaker: 'closed', consecutiveFailures: 2 })).toMatchObject({ version: 2 });
        expect(await store.compareAndSet('wh-1', 1, { breaker: 'open', consecutiveFailures: 99 })).toBeUndefined();
        expect(await store.compareAndSet('wh-1', 0, { breaker: 'open', consecutiveFailures: 99 })).toBeUndefined();
        expect(await store.compareAndSet('wh-1', 3, { breaker: 'open', consecutiveFailures: 99 })).toBeUndefined();
        expect(await store.get('wh-1')).toEqual({ webhookKey: 'wh-1', version: 2, state: { breaker: 'closed', consecutiveFailures: 2 } });
      });

      test('a stored state cannot be changed through what get() returned', async (store) => {
        await store.compareAndSet('wh-1', 0, { breaker: 'closed', consecutiveFailures: 1 });
        const read = await store.get('wh-1');
        read!.state.consecutiveFailures = 50;
        expect((await store.get('wh-1'))!.state.consecutiveFailures).toBe(1);
      });

      test('of two writers that read the same version, exactly one wins', async (store) => {
        await store.compareAndSet('wh-1', 0, { breaker: 'closed', consecutiveFailures: 9 });
        const results = await Promise.all([
          store.compareAndSet('wh-1', 1, { breaker: 'open', consecutiveFailures: 10, openedAt: T0 }),
          store.compareAndSet('wh-1', 1, { breaker: 'open', consecutiveFailures: 10, openedAt: T0 + 1 }),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await store.get('wh-1'))!.version).toBe(2);
      });

      test('of two first writers, exactly one creates the record', async (store) => {
        const results = await Promise.all([store.compareAndSet('wh-1', 0, { breaker: 'closed', consecutiveFailures: 1 }), store.compareAndSet('wh-1', 0, { breaker: 'closed', consecutiveFailures: 2 })]);
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      test('lists every record, with its key and version', async (store) => {
        await store.compareAndSet('a', 0, { breaker: 'open', consecutiveFailures: 10, openedAt: T0, probeAt: T0 + 30_000 });
        await store.compareAndSet('b', 0, { breaker: 'closed', consecutiveFailures: 1 });
        await store.compareAndSet('b', 1, { breaker: 'closed', consecutiveFailures: 2 });
        const listed = (await store.list()).sort((x, y) => x.webhookKey.localeCompare(y.webhookKey));
        expect(listed).toEqual([
          { webhookKey: 'a', version: 1, state: { breaker: 'open', consecutiveFailures: 10, openedAt: T0, probeAt: T0 + 30_000 } },
          { webhookKey: 'b', version: 2, state: { breaker: 'closed', consecutiveFailures: 2 } },
        ]);
      });

      test('delete forgets the state (the next write expects version 0 again) and the rate', async (store) => {
        await store.compareAndSet('wh-1', 0, { breaker: 'open', consecutiveFailures: 10 });
        const rate = { intervalMs: 1000, burst: 1 };
        expect(await store.takeToken('wh-1', rate, at(0))).toEqual({ granted: true });
        expect((await store.takeToken('wh-1', rate, at(0))).granted).toBe(false);
        await store.delete('wh-1');
        await store.delete('never-existed');
        expect(await store.get('wh-1')).toBeUndefined();
        expect(await store.compareAndSet('wh-1', 0, { breaker: 'closed', consecutiveFailures: 0 })).toMatchObject({ version: 1 });
        expect(await store.takeToken('wh-1', rate, at(0))).toEqual({ granted: true });
      });

      test('two handles on one store see each other\'s writes, and only one of two racing writers wins', async (_store, made) => {
        if (!made.openAnother) return;
        const other = await made.openAnother();
        await made.subject.compareAndSet('wh-1', 0, { breaker: 'closed', consecutiveFailures: 3 });
        expect(await other.get('wh-1')).toEqual({ webhookKey: 'wh-1', version: 1, state: { breaker: 'closed', consecutiveFailures: 3 } });
        const results = await Promise.all([
          made.subject.compareAndSet('wh-1', 1, { breaker: 'half-open', consecutiveFailures: 3, probeAt: T0 }),
          other.compareAndSet('wh-1', 1, { breaker: 'half-open', consecutiveFailures: 3, probeAt: T0 + 1 }),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await other.get('wh-1')).toEqual(results.find(Boolean));
      });

      test('get() answers another handle\'s write at once, even right after this handle read the record (through getShared too)', async (_store, made) => {
        if (!made.openAnother) return;
        const other = await made.openAnother();
        await made.subject.compareAndSet('wh-1', 0, { breaker: 'closed', consecutiveFailures: 1 });
        // Read through both doors, so a store that keeps copies keeps one of version 1.
        expect(await other.get('wh-1')).toMatchObject({ version: 1 });
        if (other.getShared) expect(await other.getShared('wh-1')).toMatchObject({ version: 1 });
        await made.subject.compareAndSet('wh-1', 1, { breaker: 'open', consecutiveFailures: 10, openedAt: T0 });
        expect(await other.get('wh-1')).toEqual({ webhookKey: 'wh-1', version: 2, state: { breaker: 'open', consecutiveFailures: 10, openedAt: T0 } });
        await made.subject.delete('wh-1');
        expect(await other.get('wh-1')).toBeUndefined();
      });

      test('getShared(), when the store has it, answers what get() does after each of this handle\'s own writes', async (store) => {
        if (!store.getShared) return;
        const both = async () => {
          const shared = await store.getShared!('wh-1');
          expect(shared).toEqual(await store.get('wh-1'));
          return shared;
        };
        expect(await both()).toBeUndefined();
        await store.compareAndSet('wh-1', 0, { breaker: 'closed', consecutiveFailures: 1 });
        expect(await both()).toMatchObject({ version: 1 });
        // A lost compare-and-set changes nothing, and the answer stays the stored one.
        expect(await store.compareAndSet('wh-1', 0, { breaker: 'open', consecutiveFailures: 99 })).toBeUndefined();
        expect(await both()).toMatchObject({ version: 1, state: { consecutiveFailures: 1 } });
        if (store.update) {
          await store.update('wh-1', oneMoreFailure);
          expect(await both()).toMatchObject({ version: 2, state: { consecutiveFailures: 2 } });
        }
        const shared = await store.getShared('wh-1');
        shared!.state.consecutiveFailures = 50;
        expect((await store.getShared('wh-1'))!.state.consecutiveFailures).not.toBe(50);
        await store.delete('wh-1');
        expect(await both()).toBeUndefined();
      });
    });

    if (options.update !== false) {
      describe('update', () => {
        test('the store has update() (a store without it passes { update: false } to this suite)', async (store) => {
          expect(typeof store.update).toBe('function');
        });

        test('a webhook without a record is changed from undefined: the first update makes version 1', async (store) => {
          const seen: unknown[] = [];
          const written = await store.update!('wh-1', (current) => {
            seen.push(current);
            return FULL;
          });
          expect(seen.at(-1)).toBeUndefined();
          expect(written).toEqual({ webhookKey: 'wh-1', version: 1, state: FULL });
          expect(await store.get('wh-1')).toEqual({ webhookKey: 'wh-1', version: 1, state: FULL });
          expect(await store.get('wh-2')).toBeUndefined();
        });

        test('change is given the record as stored, and what it returns is stored with the version one higher', async (store) => {
          await store.compareAndSet('wh-1', 0, { breaker: 'closed', consecutiveFailures: 1 });
          await store.compareAndSet('wh-1', 1, { breaker: 'closed', consecutiveFailures: 2, failingSince: T0 });
          const seen: unknown[] = [];
          const written = await store.update!('wh-1', (current) => {
            seen.push(current);
            return { ...current!.state, consecutiveFailures: current!.state.consecutiveFailures + 1 };
          });
          expect(seen.at(-1)).toEqual({ webhookKey: 'wh-1', version: 2, state: { breaker: 'closed', consecutiveFailures: 2, failingSince: T0 } });
          expect(written).toEqual({ webhookKey: 'wh-1', version: 3, state: { breaker: 'closed', consecutiveFailures: 3, failingSince: T0 } });
          expect(await store.get('wh-1')).toEqual(written);
          // A compare-and-set on the version before the update finds it moved on.
          expect(await store.compareAndSet('wh-1', 2, { breaker: 'open', consecutiveFailures: 99 })).toBeUndefined();
          expect(await store.compareAndSet('wh-1', 3, { breaker: 'open', consecutiveFailures: 4 })).toMatchObject({ version: 4 });
        });

        test('change returning undefined leaves the state and its version, and update resolves with the record as it is', async (store) => {
          expect(await store.update!('wh-1', () => undefined)).toBeUndefined();
          expect(await store.get('wh-1')).toBeUndefined();
          expect(await store.list()).toEqual([]);
          await store.compareAndSet('wh-1', 0, { breaker: 'open', consecutiveFailures: 10, openedAt: T0 });
          expect(await store.update!('wh-1', () => undefined)).toEqual({ webhookKey: 'wh-1', version: 1, state: { breaker: 'open', consecutiveFailures: 10, openedAt: T0 } });
          expect((await store.get('wh-1'))!.version).toBe(1);
        });

        test('change throwing rejects the update and stores nothing', async (store) => {
          const boom = new Error('the change failed');
          await expect(store.update!('wh-1', () => { throw boom; })).rejects.toThrow();
          expect(await store.get('wh-1')).toBeUndefined();
          await store.compareAndSet('wh-1', 0, { breaker: 'closed', consecutiveFailures: 1 });
          await expect(store.update!('wh-1', () => { throw boom; })).rejects.toThrow();
          expect(await store.get('wh-1')).toEqual({ webhookKey: 'wh-1', version: 1, state: { breaker: 'closed', consecutiveFailures: 1 } });
          // The store still works afterwards.
          expect(await store.update!('wh-1', oneMoreFailure)).toMatchObject({ version: 2, state: { consecutiveFailures: 2 } });
        });

        test('a stored state cannot be changed through the record change was given', async (store) => {
          await store.compareAndSet('wh-1', 0, { breaker: 'closed', consecutiveFailures: 1 });
          await store.update!('wh-1', (current) => {
            current!.state.consecutiveFailures = 50;
            return undefined;
          });
          expect((await store.get('wh-1'))!.state.consecutiveFailures).toBe(1);
        });

        test('20 updates at once, also from a second handle, are each applied: none lost, one version each', async (_store, made) => {
          const handles = [made.subject, ...(made.openAnother ? [await made.openAnother()] : [])];
          await Promise.all(Array.from({ length: 20 }, (_, i) => handles[i % handles.length]!.update!('wh-1', oneMoreFailure)));
          expect(await made.subject.get('wh-1')).toEqual({ webhookKey: 'wh-1', version: 20, state: { breaker: 'closed', consecutiveFailures: 20 } });
          // Again on the record that exists now, with compare-and-sets racing them (each of those wins or changes nothing).
          const raced = await Promise.all([
            ...Array.from({ length: 20 }, (_, i) => handles[i % handles.length]!.update!('wh-1', oneMoreFailure)),
            ...Array.from({ length: 5 }, (_, i) => handles[i % handles.length]!.compareAndSet('wh-1', 20, { breaker: 'closed', consecutiveFailures: 1000 })),
          ]);
          const casWon = raced.slice(20).filter(Boolean).length;
          expect(casWon).toBeLessThanOrEqual(1);
          const stored = (await made.subject.get('wh-1'))!;
          expect(stored.version).toBe(40 + casWon);
          // A compare-and-set that won came before every update (it expected version 20), so they all counted on top of it.
          expect(stored.state.consecutiveFailures).toBe(casWon === 1 ? 1020 : 40);
        });
      });
    }

    describe('takeToken (GCRA)', () => {
      const rate = { intervalMs: 100, burst: 3 };

      test('grants a burst at once, then one slot per interval, and says when the next frees up', async (store) => {
        for (let i = 0; i < 3; i++) expect(await store.takeToken('wh-1', rate, at(0))).toEqual({ granted: true });
        expect(await store.takeToken('wh-1', rate, at(0))).toEqual({ granted: false, retryAt: at(100) });
        expect(await store.takeToken('wh-1', rate, at(99))).toEqual({ granted: false, retryAt: at(100) });
        expect(await store.takeToken('wh-1', rate, at(100))).toEqual({ granted: true });
        expect(await store.takeToken('wh-1', rate, at(100))).toEqual({ granted: false, retryAt: at(200) });
        // After a quiet spell the burst is back, never more.
        for (let i = 0; i < 3; i++) expect((await store.takeToken('wh-1', rate, at(10_000))).granted).toBe(true);
        expect((await store.takeToken('wh-1', rate, at(10_000))).granted).toBe(false);
      });

      test('a refusal takes nothing: refusals in a row do not push the next slot later', async (store) => {
        const one = { intervalMs: 1000, burst: 1 };
        expect((await store.takeToken('wh-1', one, at(0))).granted).toBe(true);
        for (let i = 0; i < 5; i++) expect(await store.takeToken('wh-1', one, at(10 * i))).toEqual({ granted: false, retryAt: at(1000) });
        expect((await store.takeToken('wh-1', one, at(1000))).granted).toBe(true);
      });

      test('webhooks have separate rates', async (store) => {
        const one = { intervalMs: 1000, burst: 1 };
        expect((await store.takeToken('a', one, at(0))).granted).toBe(true);
        expect((await store.takeToken('b', one, at(0))).granted).toBe(true);
        expect((await store.takeToken('a', one, at(0))).granted).toBe(false);
      });

      test('fractional intervals (e.g. 3 per second) neither lose nor add slots over time', async (store) => {
        const third = { intervalMs: 1000 / 3, burst: 1 };
        let granted = 0;
        for (let ms = 0; ms < 3000; ms += 10) if ((await store.takeToken('wh-1', third, at(ms))).granted) granted++;
        expect(granted).toBe(9);
      });

      test('concurrent takes, also from a second handle, never grant more than the burst', async (_store, made) => {
        const handles = [made.subject, ...(made.openAnother ? [await made.openAnother()] : [])];
        const takes = Array.from({ length: 20 }, (_, i) => handles[i % handles.length]!.takeToken('wh-1', { intervalMs: 1000, burst: 5 }, at(0)));
        const results = await Promise.all(takes);
        expect(results.filter((r) => r.granted)).toHaveLength(5);
      });
    });
  });
}
