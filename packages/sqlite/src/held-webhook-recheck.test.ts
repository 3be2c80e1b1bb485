import { createHookwork, silentLogger, type Hookwork } from '@hookwork/core';
import { ThingHappened, thingComposer, startTestReceiver, type TestReceiver } from '@hookwork/core/testing';
import { sqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

/**
 * On a store shared by processes the engine looks at a held webhook again every 5 s (another
 * process may have ended what held it). While the receiver's pause still stands, each look must
 * cost one request's deferral, not one per free slot of the webhook: on an hour's pause with new
 * requests arriving, that was `perWebhook` deferrals (a health read, a write, an event each)
 * every 5 s.
 */
let temp: ReturnType<typeof makeTempDir>;
let receiver: TestReceiver;
let app: Hookwork | undefined;
beforeEach(async () => {
  temp = makeTempDir();
  // Asks for an hour's pause, every time.
  receiver = await startTestReceiver((_request, res) => void res.writeHead(429, { 'retry-after': '3600' }).end());
});
afterEach(async () => {
  await app?.stop();
  await receiver.close();
  temp.remove();
});

it('looks at a paused webhook again with one request, not one per slot, while requests keep arriving', async () => {
  app = createHookwork({
    composers: [thingComposer],
    logger: silentLogger,
    storage: sqliteStorage({ file: temp.file() }),
    settings: { ssrf: { allow: ['127.0.0.1'] }, period: 200, timeout: 2000, stopTimeout: 2000, concurrency: { global: 16, perWebhook: 8 } },
  });
  await app.start();
  await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
  const deferrals: number[] = [];
  app.lifecycle.on('requestDeferred', () => void deferrals.push(Date.now()));
  // The pause starts once its 429 is read and counted.
  const refused = new Promise<void>((resolve) => app!.lifecycle.once('attemptFailed', () => resolve()));
  await app.publish(new ThingHappened('first'));
  await refused;
  const paused = Date.now();
  // New requests all through the pause: each look finds several due.
  for (let i = 0; i < 24; i++) {
    await app.publish(new ThingHappened(`during-${i}`));
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const looked = Date.now() - paused;
  // Each look (at most one per 5 s, plus the first hold) defers at most one request.
  expect(deferrals.length).toBeGreaterThan(0);
  expect(deferrals.length).toBeLessThanOrEqual(Math.floor(looked / 5000) + 1);
  // Nothing reached the receiver during its pause.
  expect(receiver.requests).toHaveLength(1);
}, 30_000);
