import { createHookwork, type Hookwork } from '@hookwork/core';
import { expectAttemptEndingDuringClaimNotSentAgain, expectLostLeaseToldOnce, expectOneAttemptAfterLapsedLease, LAPSED_LEASE_SETTINGS, thingComposer } from '@hookwork/core/testing';
import { postgresStorage, type PostgresTransaction } from './index';
import { TestDatabase } from './testing/test-database';

const db = new TestDatabase('lapsed');
let app: Hookwork<PostgresTransaction> | undefined;
const others: Hookwork<PostgresTransaction>[] = [];

beforeAll(() => db.reachable());
afterAll(() => db.cleanup());
afterEach(async () => {
  await app?.stop();
  app = undefined;
  for (const other of others.splice(0)) await other.stop();
});

/**
 * An attempt whose lease lapsed while it ran here (the event loop stalled past the lease) is not
 * started again by this process's next claim, which finds the row's lease expired: the claim keeps
 * the lease, the running attempt settles it.
 */
describe('the polling engine on PostgreSQL, a lease lapsed under a running attempt', () => {
  it('sends the request once: no second attempt while the first runs, one log entry, completed', async () => {
    const schema = db.schema();
    await expectOneAttemptAfterLapsedLease(async (logger) => {
      app = createHookwork({ composers: [thingComposer], settings: LAPSED_LEASE_SETTINGS, logger, storage: postgresStorage({ connectionString: db.url, schema, poolSize: 4 }) });
      await app.start();
      return app;
    });
  });
});

/**
 * The other app's clock runs ahead past the lease rather than the event loop stalling: after a
 * stall both apps' claims and renewals wait for PostgreSQL's answers, and this app's late renewal
 * may reach the row before the other's claim (which then finds the lease fresh, and nothing to take).
 */
describe('two apps on one PostgreSQL schema, the other app\'s clock ahead past the lease, it delivers the request whose attempt runs here', () => {
  it('tells the lost lease once, and does not apply nor announce the verdict of the attempt whose lease was lost', async () => {
    const schema = db.schema();
    await expectLostLeaseToldOnce('clock', async (logger, clock) => {
      const started = createHookwork({ composers: [thingComposer], settings: { ...LAPSED_LEASE_SETTINGS, retryClientErrors: false }, logger, ...(clock ? { clock } : {}), storage: postgresStorage({ connectionString: db.url, schema, poolSize: 4 }) });
      others.push(started);
      await started.start();
      return started;
    });
  });
});

describe('the polling engine on PostgreSQL, an attempt that ends while a claim returning its request is under way', () => {
  it('does not send the request again: one attempt, one log entry, gone from the queue', async () => {
    await expectAttemptEndingDuringClaimNotSentAgain(postgresStorage({ connectionString: db.url, schema: db.schema(), poolSize: 4 }));
  });
});
