import { createHookwork, type Hookwork } from '@hookwork/core';
import { expectLostLeaseToldOnce, expectOneAttemptAfterLapsedLease, LAPSED_LEASE_SETTINGS, thingComposer } from '@hookwork/core/testing';
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

describe('two apps on one PostgreSQL schema, a lease lapsed under a running attempt, the other app delivers the request', () => {
  it('tells the lost lease once, and does not apply nor announce the verdict of the attempt whose lease was lost', async () => {
    const schema = db.schema();
    await expectLostLeaseToldOnce(async (logger) => {
      const started = createHookwork({ composers: [thingComposer], settings: { ...LAPSED_LEASE_SETTINGS, retryClientErrors: false }, logger, storage: postgresStorage({ connectionString: db.url, schema, poolSize: 4 }) });
      others.push(started);
      await started.start();
      return started;
    });
  });
});
