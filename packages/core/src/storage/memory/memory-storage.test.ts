import { contractLogEntry, startTestReceiver, type TestReceiver } from '../../testing';
import { silentLogger } from '../../observability/logger';
import { systemClock } from '../../runtime/clock';
import { startTestApp, ThingHappened } from '../../test-support/test-app';
import type { Hookwork } from '../../index';
import { DEFAULT_MEMORY_LOG_ENTRIES, memoryStorage } from './memory-storage';

describe('memoryStorage()', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;
  beforeEach(async () => {
    receiver = await startTestReceiver((_request, res) => void res.writeHead(204).end());
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver.close();
  });

  it('keeps the newest maxLogEntries delivery log entries, dropping the earliest, so a long-running process does not grow without end', async () => {
    app = await startTestApp({ storage: memoryStorage({ maxLogEntries: 3 }) });
    const webhook = await app.webhooks.create({ url: `${receiver.origin}/hook`, events: ['thing.happened'] });
    for (const name of ['one', 'two', 'three', 'four', 'five']) {
      await app.publish(new ThingHappened(name));
      await app.drain({ timeoutMs: 10_000 });
    }
    expect(receiver.requests).toHaveLength(5);
    const log = await app.logs(webhook.key);
    expect(log.total).toBe(3);
    expect(log.items.map((entry) => JSON.parse(entry.requestBody).id)).toEqual(['five', 'four', 'three']);
  });

  it('keeps 10,000 entries by default, and every entry with maxLogEntries: Infinity', async () => {
    const context = { logger: silentLogger, clock: systemClock };
    const entries = Array.from({ length: DEFAULT_MEMORY_LOG_ENTRIES + 1 }, (_, i) => contractLogEntry(`entry-${i}`, { date: new Date(1_700_000_000_000 + i) }));
    const capped = await memoryStorage().open(context);
    await capped.deliveryLog.append(entries);
    expect((await capped.deliveryLog.list({ limit: 1 })).total).toBe(10_000);
    expect(await capped.deliveryLog.get('entry-0')).toBeUndefined();
    expect(await capped.deliveryLog.get('entry-1')).toBeDefined();
    // An entry written again under its key counts as the newest, not as the earliest.
    await capped.deliveryLog.append([contractLogEntry('entry-1', { date: new Date(1_800_000_000_000) })]);
    await capped.deliveryLog.append([contractLogEntry('entry-new')]);
    expect(await capped.deliveryLog.get('entry-1')).toBeDefined();
    expect(await capped.deliveryLog.get('entry-2')).toBeUndefined();
    const unbounded = await memoryStorage({ maxLogEntries: Infinity }).open(context);
    await unbounded.deliveryLog.append(entries);
    expect((await unbounded.deliveryLog.list({ limit: 1 })).total).toBe(10_001);
  });

  it('refuses options of the wrong kind at once, naming the option and the fix', () => {
    expect(() => memoryStorage({ maxLogEntries: 0 })).toThrow(/HOOKWORK_ERR_INVALID_STORAGE_OPTIONS: memoryStorage\(\): `maxLogEntries` must be a whole number of entries >= 1, or Infinity to keep every entry; got 0/);
    expect(() => memoryStorage({ maxLogEntries: 2.5 })).toThrow(/got 2\.5/);
    expect(() => memoryStorage({ maxLogEntries: '100' as never })).toThrow(/got "100"/);
    expect(() => memoryStorage({ maxLogEntries: NaN })).toThrow(/got NaN/);
    expect(() => memoryStorage({ maxLogEntry: 5 } as never)).toThrow(/unknown option `maxLogEntry` \(did you mean `maxLogEntries`\?\); the options are `maxLogEntries`/);
    expect(() => memoryStorage(null as never)).toThrow(/memoryStorage\(\): takes an options object or nothing/);
    // Read through Object.keys, a Map held no options: every one its default.
    expect(() => memoryStorage(new Map([['maxLogEntries', 1]]) as never)).toThrow(/memoryStorage\(\): takes an options object or nothing, .*; got a Map/);
  });

  it('reads its options once: a throwing getter is refused with the code, and what is checked is what is used', async () => {
    const throwing = Object.defineProperty({}, 'maxLogEntries', { enumerable: true, get: () => { throw new Error('vault sealed'); } });
    expect(() => memoryStorage(throwing)).toThrow(/HOOKWORK_ERR_INVALID_STORAGE_OPTIONS: memoryStorage\(\): `maxLogEntries` could not be read: its getter threw \(vault sealed\)/);
    const trap = new Proxy({}, { ownKeys: () => { throw new Error('trap'); } });
    expect(() => memoryStorage(trap)).toThrow(/HOOKWORK_ERR_INVALID_STORAGE_OPTIONS: memoryStorage\(\): the options could not be read/);
    // 2 to the check, 0 after it: the store keeps the 2 it was checked with.
    let reads = 0;
    const shifting = Object.defineProperty({}, 'maxLogEntries', { enumerable: true, get: () => (reads++ === 0 ? 2 : 0) });
    const storage = await memoryStorage(shifting).open({ logger: silentLogger, clock: systemClock });
    await storage.deliveryLog.append(['a', 'b', 'c'].map((id) => contractLogEntry(id)));
    expect((await storage.deliveryLog.list({ limit: 10 })).total).toBe(2);
  });
});
