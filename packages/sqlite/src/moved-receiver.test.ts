import { createHookwork, silentLogger, type Hookwork, type HookworkSettingsInput } from '@hookwork/core';
import { ThingHappened, thingComposer, startTestReceiver, type TestReceiver } from '@hookwork/core/testing';
import { openSqliteStorage, sqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

/**
 * A webhook moved to another URL starts with no health (docs/health.md), but the forgetting is a
 * write of its own after the webhook's. A process killed in between left the old receiver's health
 * in the file, and every process read it as the new receiver's: an hour's pause, or an open
 * breaker, held the new receiver's requests (and a failing streak could disable the webhook on
 * its first failure there). Now each state names the receiver it judges, and one of another
 * receiver is read as none.
 */
let temp: ReturnType<typeof makeTempDir>;
let oldReceiver: TestReceiver;
let newReceiver: TestReceiver;
let app: Hookwork | undefined;
beforeEach(async () => {
  temp = makeTempDir();
  newReceiver = await startTestReceiver();
});
afterEach(async () => {
  await app?.stop();
  app = undefined;
  await oldReceiver.close();
  await newReceiver.close();
  temp.remove();
});

function open(settings: HookworkSettingsInput): Hookwork {
  return createHookwork({
    composers: [thingComposer],
    logger: silentLogger,
    storage: sqliteStorage({ file: temp.file() }),
    settings: { ssrf: { allow: ['127.0.0.1'] }, period: 200, timeout: 2000, stopTimeout: 2000, retrySchedule: [3_600_000], retryJitter: 0, ...settings },
  });
}

async function movedAndKilledBeforeForgetting(answer: { status: number; headers?: Record<string, string> }, settings: HookworkSettingsInput): Promise<void> {
  oldReceiver = await startTestReceiver((_request, res) => void res.writeHead(answer.status, answer.headers ?? {}).end());
  app = open(settings);
  await app.start();
  const { key } = await app.webhooks.create({ url: oldReceiver.url, events: ['thing.happened'] });
  const failed = new Promise<void>((resolve) => app!.lifecycle.once('attemptFailed', () => resolve()));
  await app.publish(new ThingHappened('to the old receiver'));
  await failed;
  expect(await app.health(key)).not.toEqual({ webhookKey: key, breaker: 'closed', consecutiveFailures: 0 });
  await app.stop();
  app = undefined;

  // The URL change as webhooks.update() writes it, and the process killed before it forgot the health.
  const storage = openSqliteStorage({ file: temp.file() });
  try {
    const webhook = (await storage.webhooks.get(key))!;
    await storage.webhooks.update({ ...webhook, url: newReceiver.url, updatedAt: new Date() });
  } finally {
    await storage.close();
  }

  app = open(settings);
  await app.start();
  expect(await app.health(key)).toEqual({ webhookKey: key, breaker: 'closed', consecutiveFailures: 0 });
  expect((await app.metrics.scrape()).text).not.toContain(`webhook="${key}"`);
  await app.publish(new ThingHappened('to the new receiver'));
  const [received] = await newReceiver.waitFor(1, 5_000);
  expect(JSON.parse(received!.text)).toMatchObject({ id: 'to the new receiver' });
  expect(oldReceiver.requests).toHaveLength(1);
}

it("moved away from a receiver that asked for an hour's pause, killed before the health was forgotten: the new URL gets the next publish at once", async () => {
  await movedAndKilledBeforeForgetting({ status: 429, headers: { 'retry-after': '3600' } }, {});
});

it('moved away from a receiver whose failures opened the breaker for an hour, killed before the health was forgotten: the new URL gets the next publish at once', async () => {
  await movedAndKilledBeforeForgetting({ status: 503 }, { breaker: { failureThreshold: 1, coolDown: 3_600_000 } });
});
