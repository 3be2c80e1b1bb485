import { stat } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createHookwork, type Hookwork } from '@hookwork/core';
import { expectAttemptEndingDuringClaimNotSentAgain, expectLostLeaseToldOnce, expectOneAttemptAfterLapsedLease, LAPSED_LEASE_SETTINGS, startTestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { sqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

let temp: ReturnType<typeof makeTempDir>;
let app: Hookwork<never> | undefined;
const others: Hookwork<never>[] = [];

beforeEach(() => {
  temp = makeTempDir();
});
afterEach(async () => {
  await app?.stop();
  app = undefined;
  for (const other of others.splice(0)) await other.stop();
  temp.remove();
});

/**
 * An attempt whose lease lapsed while it ran here (the event loop stalled past the lease) is not
 * started again by this process's next claim, which finds the row's lease expired: the claim keeps
 * the lease, the running attempt settles it.
 */
describe('the polling engine on a SQLite file, a lease lapsed under a running attempt', () => {
  it('sends the request once: no second attempt while the first runs, one log entry, completed', async () => {
    await expectOneAttemptAfterLapsedLease(async (logger) => {
      app = createHookwork({ composers: [thingComposer], settings: LAPSED_LEASE_SETTINGS, logger, storage: sqliteStorage({ file: temp.file() }) });
      await app.start();
      return app;
    });
  });
});

describe('two apps on a SQLite file, a lease lapsed under a running attempt, the other app dead-letters the request', () => {
  it('does not send the redelivered request again from the app whose attempt still runs: that attempt settles it', async () => {
    const file = temp.file();
    const held: ServerResponse[] = [];
    // The first attempt (app A's) is held; the other app's attempt is refused with 400 (dead at once:
    // client errors are not retried).
    const receiver = await startTestReceiver((_request, res, index) => {
      if (index === 0) held.push(res);
      else res.writeHead(400).end('no');
    });
    try {
      const start = async (): Promise<Hookwork<never>> => {
        const started = createHookwork({ composers: [thingComposer], settings: { ...LAPSED_LEASE_SETTINGS, retryClientErrors: false }, storage: sqliteStorage({ file, watchIntervalMs: 20 }) });
        await started.start();
        return started;
      };
      app = await start();
      const other = await start();
      others.push(other);
      await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await app.publish(new ThingHappened('held'));
      await receiver.waitFor(1, 10_000);
      const id = String(receiver.requests[0]!.headers['webhook-id']);
      const dead = new Promise<void>((resolve) => other.lifecycle.on('deadLettered', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 200));
      // The event loop (both apps') stalls past the lease; the other app claims first, as a second
      // process whose loop was not stalled would.
      await new Promise<void>((resolve) =>
        stat(__filename, () => {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, LAPSED_LEASE_SETTINGS.leaseDuration + 600);
          other.updateSettings({});
          resolve();
        }),
      );
      await dead;
      await other.stop();
      // Redelivered while app A's first attempt still runs: A claims it, and must not send it again.
      expect((await app.redeliver({ ids: [id] })).redelivered).toBe(1);
      await receiver.waitFor(3, 3_000).catch(() => undefined);
      expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([id, id]);
      for (const res of held.splice(0)) res.end('ok');
      await app.drain({ all: true, timeoutMs: 15_000 });
      expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
      expect(receiver.requests).toHaveLength(2);
      const outcomes = (await app.logs({ requestId: id })).items.map((e) => e.outcome).sort();
      expect(outcomes).toEqual(['dead', 'delivered']);
    } finally {
      for (const res of held.splice(0)) res.end('ok');
      await receiver.close();
    }
  });
});

describe('two apps on a SQLite file, a lease lapsed under a running attempt, the other app delivers the request', () => {
  it('tells the lost lease once, and does not apply nor announce the verdict of the attempt whose lease was lost', async () => {
    const file = temp.file();
    await expectLostLeaseToldOnce('stall', async (logger) => {
      const started = createHookwork({ composers: [thingComposer], settings: { ...LAPSED_LEASE_SETTINGS, retryClientErrors: false }, logger, storage: sqliteStorage({ file, watchIntervalMs: 20 }) });
      others.push(started);
      await started.start();
      return started;
    });
  });
});

describe('the polling engine on a SQLite file, an attempt that ends while a claim returning its request is under way', () => {
  it('does not send the request again: one attempt, one log entry, gone from the queue', async () => {
    await expectAttemptEndingDuringClaimNotSentAgain(sqliteStorage({ file: temp.file() }));
  });
});
