import { describeDedupeStoreContract } from '../testing/dedupe-store-contract';
import { memoryDedupeStore } from './memory-dedupe-store';

describeDedupeStoreContract('memory', async () => ({ store: memoryDedupeStore() }));

describe('memoryDedupeStore', () => {
  it('holds at most maxEntries ids past the replay window, forgetting the least recently written first', async () => {
    let now = 1_000_000;
    const store = memoryDedupeStore({ maxEntries: 3, now: () => now });
    const done = async (id: string) => {
      const claim = await store.claim(id, 60_000);
      if (claim.status !== 'claimed') throw new Error(`${id} not claimed`);
      await store.complete(id, claim.token, 24 * 3_600_000);
    };
    for (const id of ['a', 'b', 'c']) await done(id);
    now += 10 * 60_000 + 1; // a, b and c can no longer be replayed: their signatures have expired
    await done('d'); // a is forgotten
    expect((await store.claim('b', 60_000)).status).toBe('done');
    expect((await store.claim('c', 60_000)).status).toBe('done');
    expect((await store.claim('d', 60_000)).status).toBe('done');
    expect((await store.claim('a', 60_000)).status).toBe('claimed'); // and now b is
    expect((await store.claim('b', 60_000)).status).toBe('claimed');
  });

  it('never forgets for room an id processed within the replay window (10 minutes), so a captured request cannot be replayed', async () => {
    let now = 1_000_000;
    const store = memoryDedupeStore({ maxEntries: 2, now: () => now });
    const done = async (id: string) => {
      const claim = await store.claim(id, 60_000);
      if (claim.status !== 'claimed') throw new Error(`${id} not claimed`);
      await store.complete(id, claim.token, 24 * 3_600_000);
    };
    for (const id of ['x1', 'x2', 'x3', 'x4']) {
      await done(id);
      now += 60_000;
    }
    // Four minutes on, every one of them still verifies if replayed: each is still known.
    for (const id of ['x1', 'x2', 'x3', 'x4']) expect((await store.claim(id, 60_000)).status).toBe('done');
    // Past the window the oldest make room again, down to maxEntries.
    now += 10 * 60_000;
    await done('x5');
    expect((await store.claim('x1', 60_000)).status).toBe('claimed');
  });

  it('expires leases and retention by its clock', async () => {
    let now = 1_000_000;
    const store = memoryDedupeStore({ now: () => now });
    const claim = await store.claim('a', 100);
    if (claim.status !== 'claimed') throw new Error('not claimed');
    now += 99;
    expect((await store.claim('a', 100)).status).toBe('in-progress');
    now += 1;
    const again = await store.claim('a', 100);
    if (again.status !== 'claimed') throw new Error('not claimed again');
    await store.complete('a', again.token, 1_000);
    now += 999;
    expect((await store.claim('a', 100)).status).toBe('done');
    now += 1;
    expect((await store.claim('a', 100)).status).toBe('claimed');
  });

  it('marks a claim done whose lease ran out while nobody took it over (the work was done)', async () => {
    let now = 1_000_000;
    const store = memoryDedupeStore({ now: () => now });
    const claim = await store.claim('slow', 100);
    if (claim.status !== 'claimed') throw new Error('not claimed');
    now += 500;
    await store.complete('slow', claim.token, 1_000);
    expect((await store.claim('slow', 100)).status).toBe('done');
  });

  it('shows a maxEntries given as text as a string, not as the number it looks like', () => {
    expect(() => memoryDedupeStore({ maxEntries: '100' } as never)).toThrow(expect.objectContaining({ code: 'RECEIVER_ERR_INVALID_OPTIONS', message: expect.stringContaining('maxEntries the string "100"; use a whole number') }));
  });

  it('refuses a maxEntries it cannot honour', () => {
    for (const maxEntries of [0, -1, 1.5, Number.NaN]) {
      expect(() => memoryDedupeStore({ maxEntries })).toThrow(expect.objectContaining({ code: 'RECEIVER_ERR_INVALID_OPTIONS' }));
    }
  });

  it('refuses options it does not know or cannot use, naming them', () => {
    expect(() => memoryDedupeStore({ maxEntry: 5 } as never)).toThrow(expect.objectContaining({ code: 'RECEIVER_ERR_INVALID_OPTIONS', message: expect.stringMatching(/does not know the option maxEntry \(did you mean maxEntries\?\)/) }));
    expect(() => memoryDedupeStore({ now: 5 } as never)).toThrow(expect.objectContaining({ code: 'RECEIVER_ERR_INVALID_OPTIONS', message: expect.stringMatching(/now as a number/) }));
  });
});
