import type { Hookwork } from '../composition/hookwork-app';
import type { Clock } from '../runtime/clock';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { startTestApp, ThingHappened } from '../test-support/test-app';

const DAY = 24 * 60 * 60 * 1000;

describe('log cleanup', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;
  let now: Date;
  const clock: Clock = { now: () => now };

  beforeEach(async () => {
    now = new Date('2030-01-01T00:00:00Z');
    receiver = await startTestReceiver((r, res) => {
      res.statusCode = JSON.parse(r.text).id.startsWith('dead') ? 500 : 200;
      res.end();
    });
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver.close();
  });

  it('deletes log entries older than keepLogsForDays and dead letters older than keepDeadLettersForDays, reading the current settings', async () => {
    app = await startTestApp({ clock, settings: { maximumRetries: 0, keepLogsForDays: 30, keepDeadLettersForDays: 10 } });
    const engine = app.management;
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('old'));
    await app.publish(new ThingHappened('dead-old'));
    await app.drain();
    now = new Date(now.getTime() + 20 * DAY);
    await app.publish(new ThingHappened('recent'));
    await app.drain();
    expect((await app.logs(webhook.key)).total).toBe(3);
    expect((await app.deadLetters()).total).toBe(1);

    // Day 20: the dead letter (10 days) goes, the logs (30 days) stay.
    expect(await engine.runCleanup()).toEqual({ logEntries: 0, deadLetters: 1 });
    expect(await app.deadLetters()).toEqual({ items: [], total: 0 });

    // Settings changed at run time apply at the next round.
    app.updateSettings({ keepLogsForDays: 15 });
    expect(await engine.runCleanup()).toEqual({ logEntries: 2, deadLetters: 0 });
    const { items } = await app.logs(webhook.key);
    expect(items.map((e) => JSON.parse(e.requestBody).id)).toEqual(['recent']);

    app.updateSettings({ enableLoggingCleanup: false, keepLogsForDays: 1 });
    now = new Date(now.getTime() + 5 * DAY);
    expect(await engine.runCleanup()).toEqual({ logEntries: 0, deadLetters: 0 });
  });
});
