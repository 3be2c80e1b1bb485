import { createHookwork, type Hookwork } from '@hookwork/core';
import { expectOneAttemptAfterLapsedLease, LAPSED_LEASE_SETTINGS, thingComposer } from '@hookwork/core/testing';
import { sqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

let temp: ReturnType<typeof makeTempDir>;
let app: Hookwork<never> | undefined;

beforeEach(() => {
  temp = makeTempDir();
});
afterEach(async () => {
  await app?.stop();
  app = undefined;
  temp.remove();
});

/**
 * An attempt whose lease lapsed while it ran here (the event loop stalled past the lease) is not
 * started again by this process's next claim, which finds the row's lease expired: the claim keeps
 * the lease, the running attempt settles it.
 */
describe('the polling engine on a SQLite file, a lease lapsed under a running attempt', () => {
  it('sends the request once: no second attempt while the first runs, one log entry, completed', async () => {
    await expectOneAttemptAfterLapsedLease(async () => {
      app = createHookwork({ composers: [thingComposer], settings: LAPSED_LEASE_SETTINGS, storage: sqliteStorage({ file: temp.file() }) });
      await app.start();
      return app;
    });
  });
});
