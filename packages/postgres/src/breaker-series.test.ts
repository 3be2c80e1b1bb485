import { createHookwork, silentLogger, type Hookwork } from '@hookwork/core';
import { BREAKER_SERIES_SETTINGS, expectBreakerSeriesOnlyForLiveWebhooks, thingComposer } from '@hookwork/core/testing';
import { postgresStorage, type PostgresTransaction } from './index';
import { TestDatabase } from './testing/test-database';

const db = new TestDatabase('breakerseries');
let app: Hookwork<PostgresTransaction> | undefined;

beforeAll(() => db.reachable());
afterAll(() => db.cleanup());
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

/**
 * hookwork_breaker_state read 1 (open) for a webhook auto-disabled after its breaker opened, until
 * an operator enabled or deleted it, and kept a series for health left under a deleted key.
 */
it('on PostgreSQL, hookwork_breaker_state has series only for webhooks that exist and are enabled', async () => {
  const schema = db.schema();
  await expectBreakerSeriesOnlyForLiveWebhooks(async () => {
    app = createHookwork({ composers: [thingComposer], logger: silentLogger, settings: BREAKER_SERIES_SETTINGS, storage: postgresStorage({ connectionString: db.url, schema, poolSize: 4 }) });
    await app.start();
    return app;
  });
});
