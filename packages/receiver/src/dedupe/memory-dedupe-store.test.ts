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

  it('never forgets a running claim for room: full of them, a new claim fails with a coded error (503, the sender retries after Retry-After) instead of letting a retry run beside a handler', async () => {
    const store = memoryDedupeStore({ maxEntries: 2 });
    const first = await store.claim('a', 60_000);
    await store.claim('b', 60_000);
    await expect(store.claim('c', 60_000)).rejects.toMatchObject({ code: 'RECEIVER_ERR_DEDUPE_STORE_FULL', status: 503, message: expect.stringContaining("memoryDedupeStore holds 2 ids (its maxEntries) it must not forget yet — ids being handled right now, and processed ids whose signed requests still verify (a copy replayed would be processed again) — so c can't be claimed") });
    expect((await store.claim('a', 60_000)).status).toBe('in-progress');
    if (first.status !== 'claimed') throw new Error('not claimed');
    await store.complete('a', first.token, 60_000);
    // A processed id makes room.
    expect((await store.claim('c', 60_000)).status).toBe('claimed');
    expect((await store.claim('b', 60_000)).status).toBe('in-progress');
  });

  it('never forgets for room a processed id whose signed request still verifies: full of them it refuses new claims (503), and takes them again once they stop verifying', async () => {
    let now = 1_000_000;
    const store = memoryDedupeStore({ maxEntries: 3, now: () => now });
    const done = async (id: string) => {
      const claim = await store.claim(id, 60_000);
      if (claim.status !== 'claimed') throw new Error(`${id} not claimed`);
      // Signed 100 s ago: verifiable for 200 s more (the tolerance is 300 s).
      await store.complete(id, claim.token, 24 * 3_600_000, { verifiableUntil: now + 200_000 });
    };
    for (const id of ['a', 'b', 'c']) await done(id);
    now += 199_999;
    await expect(store.claim('d', 60_000)).rejects.toMatchObject({ code: 'RECEIVER_ERR_DEDUPE_STORE_FULL' });
    // A replay of any of them is still recognised: nothing was forgotten to make room.
    for (const id of ['a', 'b', 'c']) expect((await store.claim(id, 60_000)).status).toBe('done');
    now += 1;
    // Past the time they verify, the least recently written goes for room, as an unsigned id would.
    expect((await store.claim('d', 60_000)).status).toBe('claimed');
    expect((await store.claim('a', 60_000)).status).toBe('claimed');
  });

  it('full, stays full when a signed claim completes, and takes a claim again as soon as a lease or a verifiable time runs out', async () => {
    let now = 1_000_000;
    const store = memoryDedupeStore({ maxEntries: 2, now: () => now });
    const a = await store.claim('a', 100_000);
    await store.claim('b', 60_000); // its worker dies: the lease runs out
    await expect(store.claim('c', 60_000)).rejects.toMatchObject({ code: 'RECEIVER_ERR_DEDUPE_STORE_FULL' });
    if (a.status !== 'claimed') throw new Error('not claimed');
    await store.complete('a', a.token, 24 * 3_600_000, { verifiableUntil: now + 200_000 });
    await expect(store.claim('c', 60_000)).rejects.toMatchObject({ code: 'RECEIVER_ERR_DEDUPE_STORE_FULL' });
    now += 60_000;
    expect((await store.claim('c', 60_000)).status).toBe('claimed');
    expect((await store.claim('a', 60_000)).status).toBe('done');
  });

  it('forgets ids whose retention ran out before any it could still recognise, whatever order they were written in', async () => {
    let now = 1_000_000;
    const store = memoryDedupeStore({ maxEntries: 3, now: () => now });
    const done = async (id: string, retainMs: number) => {
      const claim = await store.claim(id, 60_000);
      if (claim.status !== 'claimed') throw new Error(`${id} not claimed`);
      await store.complete(id, claim.token, retainMs);
    };
    await done('old-long', 24 * 3_600_000);
    await done('short', 600_000); // an unhandled id: kept 10 minutes
    await done('new-long', 24 * 3_600_000);
    now += 600_000;
    expect((await store.claim('d', 60_000)).status).toBe('claimed');
    expect((await store.claim('old-long', 60_000)).status).toBe('done');
    expect((await store.claim('new-long', 60_000)).status).toBe('done');
  });

  it('after refusing for room, takes a claim again as soon as a running claim is released or completed', async () => {
    const store = memoryDedupeStore({ maxEntries: 1 });
    const first = await store.claim('a', 60_000);
    if (first.status !== 'claimed') throw new Error('not claimed');
    await expect(store.claim('b', 60_000)).rejects.toMatchObject({ code: 'RECEIVER_ERR_DEDUPE_STORE_FULL' });
    await store.release('a', first.token);
    expect((await store.claim('b', 60_000)).status).toBe('claimed');
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
