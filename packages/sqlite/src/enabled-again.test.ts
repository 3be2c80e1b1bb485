import { createHookwork, silentLogger, type Hookwork, type HookworkSettingsInput } from '@hookwork/core';
import { ThingHappened, thingComposer, startTestReceiver, type TestReceiver } from '@hookwork/core/testing';
import { sqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

/**
 * A webhook an operator enables again (or moves to another URL) starts with no health, and what
 * that health was holding goes at once: before, the breaker read closed while the requests a
 * receiver's `Retry-After: 3600` (or an open breaker's probe) deferred stayed due an hour later in
 * the file, and nothing was sent until then.
 */
let temp: ReturnType<typeof makeTempDir>;
let receiver: TestReceiver;
let app: Hookwork | undefined;
let healthy: boolean;
let delivered: string[];
beforeEach(async () => {
  temp = makeTempDir();
  healthy = false;
  delivered = [];
  receiver = await startTestReceiver();
});
afterEach(async () => {
  await app?.stop();
  app = undefined;
  await receiver.close();
  temp.remove();
});

const next = (app: Hookwork, event: 'attemptFailed' | 'requestDeferred') => new Promise<void>((resolve) => app.lifecycle.once(event, () => resolve()));

async function heldThenReleased(failing: { status: number; headers?: Record<string, string> }, settings: HookworkSettingsInput, release: (app: Hookwork, key: string) => Promise<unknown>): Promise<void> {
  app = createHookwork({
    composers: [thingComposer],
    logger: silentLogger,
    storage: sqliteStorage({ file: temp.file() }),
    settings: { ssrf: { allow: ['127.0.0.1'] }, period: 200, timeout: 2000, stopTimeout: 2000, retrySchedule: [20], retryJitter: 0, concurrency: { global: 4, perWebhook: 4 }, ...settings },
  });
  await app.start();
  receiver.handler = (request, res) => {
    if (!healthy) return void res.writeHead(failing.status, failing.headers ?? {}).end();
    delivered.push((JSON.parse(request.text) as { id: string }).id);
    res.end();
  };
  const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
  const failed = next(app, 'attemptFailed');
  await app.publish(new ThingHappened('a'));
  await failed;
  // Published while the health holds the webhook: deferred an hour in the file.
  const deferred = next(app, 'requestDeferred');
  await app.publish(new ThingHappened('b'));
  await deferred;
  healthy = true;
  await release(app, webhook.key);
  expect(await app.health(webhook.key)).toEqual({ webhookKey: webhook.key, breaker: 'closed', consecutiveFailures: 0 });
  await app.drain({ webhookKey: webhook.key, timeoutMs: 5_000 });
  expect(delivered.sort()).toEqual(['a', 'b']);
}

const disableAndEnable = async (app: Hookwork, key: string) => {
  await app.webhooks.update(key, { enabled: false });
  await app.webhooks.update(key, { enabled: true });
};

it('enabled again after a receiver asked for an hour\'s pause: what the pause deferred goes at once', async () => {
  await heldThenReleased({ status: 429, headers: { 'retry-after': '3600' } }, {}, disableAndEnable);
});

it('enabled again while its breaker is open for an hour: what the breaker deferred goes at once', async () => {
  await heldThenReleased({ status: 503 }, { breaker: { failureThreshold: 1, coolDown: 3_600_000 } }, disableAndEnable);
});

it('enabled again through the management service (as the admin API does): the same', async () => {
  await heldThenReleased({ status: 429, headers: { 'retry-after': '3600' } }, {}, async (app, key) => {
    await app.management.webhooks.update(key, { enabled: false });
    await app.management.webhooks.update(key, { enabled: true });
  });
});

it('moved to another URL after a receiver asked for an hour\'s pause: what the pause deferred goes at once', async () => {
  await heldThenReleased({ status: 429, headers: { 'retry-after': '3600' } }, {}, (app, key) => app.webhooks.update(key, { url: `${receiver.url}?moved` }));
});
