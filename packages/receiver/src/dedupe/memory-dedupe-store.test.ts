import { describeDedupeStoreContract } from '../testing/dedupe-store-contract';
import { memoryDedupeStore } from './memory-dedupe-store';

describeDedupeStoreContract('memory', async () => ({ store: memoryDedupeStore() }));

describe('memoryDedupeStore', () => {
  it('holds at most maxEntries ids, whenever they were written, forgetting the least recently written first', async () => {
    let now = 1_000_000;
    const store = memoryDedupeStore({ maxEntries: 3, now: () => now });
    const done = async (id: string) => {
      const claim = await store.claim(id, 60_000);
      if (claim.status !== 'claimed') throw new Error(`${id} not claimed`);
      await store.complete(id, claim.token, 24 * 3_600_000);
    };
    for (const id of ['a', 'b', 'c']) await done(id);
    now += 1_000; // well within the 10 minutes a signed request stays verifiable: the limit holds anyway
    await done('d'); // a is forgotten
    expect((await store.claim('b', 60_000)).status).toBe('done');
    expect((await store.claim('c', 60_000)).status).toBe('done');
    expect((await store.claim('d', 60_000)).status).toBe('done');
    expect((await store.claim('a', 60_000)).status).toBe('claimed'); // and now b is
    expect((await store.claim('b', 60_000)).status).toBe('claimed');
  });

  it('stays within maxEntries whoever sends (an unsigned receiver takes ids from anyone): only the last maxEntries written are known', async () => {
    const store = memoryDedupeStore({ maxEntries: 100 });
    const ids = Array.from({ length: 1_000 }, (_, i) => `id-${i}-${'x'.repeat(200)}`);
    for (const id of ids) {
      const claim = await store.claim(id, 60_000);
      if (claim.status !== 'claimed') throw new Error(`${id} not claimed`);
      await store.complete(id, claim.token, 24 * 3_600_000);
    }
    // Read before anything is claimed again (a claim writes, and makes room itself).
    for (const id of ids.slice(-100)) expect(await store.claim(id, 60_000)).toEqual({ status: 'done' });
    expect((await store.claim(ids[899]!, 60_000)).status).toBe('claimed');
    expect((await store.claim(ids[0]!, 60_000)).status).toBe('claimed');
  });

  it('never forgets a running claim for room: full of them, a new claim fails with a coded error (500, the sender retries) instead of letting a retry run beside a handler', async () => {
    const store = memoryDedupeStore({ maxEntries: 2 });
    const first = await store.claim('a', 60_000);
    await store.claim('b', 60_000);
    await expect(store.claim('c', 60_000)).rejects.toMatchObject({ code: 'RECEIVER_ERR_DEDUPE_STORE', message: expect.stringContaining('memoryDedupeStore holds 2 ids (its maxEntries), each being handled right now, so c can\'t be claimed; the sender will retry — raise maxEntries') });
    expect((await store.claim('a', 60_000)).status).toBe('in-progress');
    if (first.status !== 'claimed') throw new Error('not claimed');
    await store.complete('a', first.token, 60_000);
    // A processed id makes room.
    expect((await store.claim('c', 60_000)).status).toBe('claimed');
    expect((await store.claim('b', 60_000)).status).toBe('in-progress');
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
