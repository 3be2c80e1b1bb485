import { createHookwork, type Hookwork } from '../../index';
import { memoryStorage } from '../../storage/memory/memory-storage';
import { expectOneAttemptAfterLapsedLease, LAPSED_LEASE_SETTINGS } from '../../testing/lapsed-lease-check';
import { thingComposer } from '../../testing/thing-event';

/**
 * An attempt whose lease lapsed while it ran here (the event loop stalled past the lease) is not
 * started again by this process's next claim: the claim keeps the lease, the running attempt settles it.
 */
describe('the polling engine on the in-memory store, a lease lapsed under a running attempt', () => {
  let app: Hookwork<never> | undefined;
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  it('sends the request once: no second attempt while the first runs, one log entry, completed', async () => {
    await expectOneAttemptAfterLapsedLease(async (logger) => {
      app = createHookwork({ composers: [thingComposer], settings: LAPSED_LEASE_SETTINGS, logger, storage: memoryStorage() });
      await app.start();
      return app;
    });
  });
});
