import { createHookwork, memoryStorage, type Hookwork, type Logger, type Storage, type StorageBackend } from '../../index';
import { startTestReceiver, ThingHappened, thingComposer, type TestReceiver } from '../../testing';

/** The memory backend, whose queue answers every renewal, once `lose.now` is set, with "none renewed" (another process took the leases). */
function storageLosingLeases(lose: { now: boolean }): StorageBackend {
  const inner = memoryStorage();
  return {
    name: 'losing-leases',
    capabilities: inner.capabilities,
    async open(context): Promise<Storage> {
      const storage = await inner.open(context);
      const renew: NonNullable<Storage['queue']['renew']> = async (...args) => {
        const renewed = await storage.queue.renew!(...args);
        return lose.now ? [] : renewed;
      };
      return { ...storage, queue: Object.assign(Object.create(storage.queue) as object, { renew }) as Storage['queue'] };
    },
  };
}

/**
 * A lease lost under a running attempt stays lost: each renewal while the attempt runs (a third of
 * the lease) found it again, and the warning was logged again every time, for every such attempt.
 */
describe('the polling engine, leases lost under running attempts', () => {
  let app: Hookwork<never> | undefined;
  let receiver: TestReceiver | undefined;
  afterEach(async () => {
    await app?.stop();
    await receiver?.close();
    app = undefined;
    receiver = undefined;
  });

  it('warns once per attempt, however many renewals find it lost, and again for another attempt', async () => {
    const lose = { now: false };
    const warnings: string[] = [];
    const quiet = () => {};
    const logger: Logger = { debug: quiet, info: quiet, error: quiet, warn: (message) => void warnings.push(message) };
    const held: Array<() => void> = [];
    receiver = await startTestReceiver((_request, res) => void held.push(() => res.writeHead(204).end()));
    // A renewal every 200 ms.
    app = createHookwork({ composers: [thingComposer], logger, storage: storageLosingLeases(lose), settings: { ssrf: { allow: ['127.0.0.1'] }, leaseDuration: 600, timeout: 30_000 } });
    await app.start();
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const lost = () => warnings.filter((line) => /leases of \d+ running attempt\(s\) were lost/.test(line));
    for (const [n, name] of ['first', 'second'].entries()) {
      await app.publish(new ThingHappened(name));
      await receiver.waitFor(n + 1);
      lose.now = true;
      for (const deadline = Date.now() + 10_000; lost().length === n; ) {
        if (Date.now() > deadline) throw new Error(`the lost lease of the ${name} attempt was not logged`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // Held through more renewals that find it lost, then answered.
      await new Promise((resolve) => setTimeout(resolve, 5 * 200));
      lose.now = false;
      for (const answer of held.splice(0)) answer();
      await app.drain({ timeoutMs: 10_000 });
      expect(lost()).toHaveLength(n + 1);
    }
    expect(warnings).toEqual(lost());
  });
});
