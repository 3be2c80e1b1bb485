import Database from 'better-sqlite3';
import { createHookwork, type Hookwork, type Logger } from '@hookwork/core';
import { ThingHappened, thingComposer, startTestReceiver, type TestReceiver } from '@hookwork/core/testing';
import { sqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

/**
 * Enabling a webhook again, or moving it to another URL, forgets its health; the forgetting is a
 * write of its own. Enabled again, the webhook was stored enabled first: a process killed before
 * the forgetting, or a store failing it, left it enabled under its old open breaker, and the update
 * rejected although it was stored (a move rejected the same way). The health store's step is made
 * to fail here by a trigger on the file (another connection, as an operator's mistake would).
 */
let temp: ReturnType<typeof makeTempDir>;
let failing: TestReceiver;
let working: TestReceiver;
let app: Hookwork | undefined;
let errors: string[];
beforeEach(async () => {
  temp = makeTempDir();
  errors = [];
  failing = await startTestReceiver((_request, res) => void res.writeHead(503).end());
  working = await startTestReceiver();
});
afterEach(async () => {
  await app?.stop();
  app = undefined;
  await failing.close();
  await working.close();
  temp.remove();
});

const logger: Logger = { debug() {}, info() {}, warn() {}, error: (message: string) => void errors.push(message) };

/** An app on the file with a webhook whose breaker is open for an hour (its receiver answers 503). */
async function brokenWebhook(): Promise<{ app: Hookwork; key: string; file: string }> {
  const file = temp.file();
  app = createHookwork({
    composers: [thingComposer],
    logger,
    storage: sqliteStorage({ file }),
    settings: { ssrf: { allow: ['127.0.0.1'] }, period: 200, timeout: 2000, stopTimeout: 2000, retrySchedule: [3_600_000], retryJitter: 0, breaker: { failureThreshold: 1, coolDown: 3_600_000 } },
  });
  await app.start();
  const { key } = await app.webhooks.create({ url: failing.url, events: ['thing.happened'] });
  const opened = new Promise<void>((resolve) => app!.lifecycle.on('operatorEvent', (event) => event.type === 'breaker.opened' && resolve()));
  await app.publish(new ThingHappened('to the failing receiver'));
  await opened;
  return { app, key, file };
}

/** Makes every forgetting of health on `file` fail, as a store failing that step would. */
function refuseForgetting(file: string): void {
  const db = new Database(file);
  try {
    db.exec("CREATE TRIGGER refuse_forgetting BEFORE DELETE ON hookwork_webhook_health BEGIN SELECT RAISE(ABORT, 'the test refuses to forget health'); END");
  } finally {
    db.close();
  }
}

function allowForgetting(file: string): void {
  const db = new Database(file);
  try {
    db.exec('DROP TRIGGER refuse_forgetting');
  } finally {
    db.close();
  }
}

it('enabled again while the health store fails to forget: the update rejects with nothing changed — the webhook stays disabled, never enabled under its open breaker', async () => {
  const { app, key, file } = await brokenWebhook();
  await app.webhooks.update(key, { enabled: false });
  refuseForgetting(file);

  await expect(app.webhooks.update(key, { enabled: true, url: working.url })).rejects.toThrow(/the test refuses to forget health/);
  const stored = (await app.webhooks.get(key))!;
  expect([stored.enabled, stored.url]).toEqual([false, failing.url]);
  expect((await app.health(key)).breaker).toBe('open');

  // Once the store forgets again, the same update starts the webhook afresh.
  allowForgetting(file);
  await app.webhooks.update(key, { enabled: true });
  expect(await app.health(key)).toEqual({ webhookKey: key, breaker: 'closed', consecutiveFailures: 0 });
});

it('moved to another URL while the health store fails to forget: the update resolves (it is stored), says the failure, and the new URL is delivered at once', async () => {
  const { app, key, file } = await brokenWebhook();
  refuseForgetting(file);

  const moved = await app.webhooks.update(key, { url: working.url });
  expect(moved.url).toBe(working.url);
  expect(errors).toEqual([expect.stringMatching(new RegExp(`^forgetting the health of webhook ${key}, moved to another URL failed: .*the test refuses to forget health.*; the webhook is changed`))]);
  // The old receiver's open breaker is not the new one's.
  expect(await app.health(key)).toEqual({ webhookKey: key, breaker: 'closed', consecutiveFailures: 0 });
  await app.publish(new ThingHappened('to the new receiver'));
  // With the request the old receiver failed, brought forward by the move.
  const received = await working.waitFor(2, 5_000);
  expect(received.map((r) => (JSON.parse(r.text) as { id: string }).id).sort()).toEqual(['to the failing receiver', 'to the new receiver']);
});

it('deleted while the health store fails to forget: the delete resolves true (the webhook is gone), says the failure, and leaves no breaker series', async () => {
  const { app, key, file } = await brokenWebhook();
  refuseForgetting(file);

  expect(await app.webhooks.delete(key)).toBe(true);
  expect(await app.webhooks.get(key)).toBeUndefined();
  expect(errors).toEqual([expect.stringMatching(new RegExp(`^forgetting the health of deleted webhook ${key} failed: .*the test refuses to forget health`))]);
  expect((await app.metrics.scrape()).text).not.toContain(`webhook="${key}"`);
});
