import { createHookwork, silentLogger, type Hookwork } from '@hookwork/core';
import { BREAKER_SERIES_SETTINGS, expectBreakerSeriesOnlyForLiveWebhooks, thingComposer } from '@hookwork/core/testing';
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
 * hookwork_breaker_state read 1 (open) for a webhook auto-disabled after its breaker opened, until
 * an operator enabled or deleted it, and kept a series for health left under a deleted key.
 */
it('on a SQLite file, hookwork_breaker_state has series only for webhooks that exist and are enabled', async () => {
  await expectBreakerSeriesOnlyForLiveWebhooks(async () => {
    app = createHookwork({ composers: [thingComposer], logger: silentLogger, settings: BREAKER_SERIES_SETTINGS, storage: sqliteStorage({ file: temp.file() }) });
    await app.start();
    return app;
  });
});
