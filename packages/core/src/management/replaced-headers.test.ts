import type { Hookwork } from '../composition/hookwork-app';
import type { Logger } from '../observability/logger';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { startTestApp, ThingHappened } from '../test-support/test-app';

// The headers.event and headers.retryCount settings name headers hookwork sets. create() and
// update() refuse a custom header of those names, but a webhook stored before a setting took its
// name (set at start, or changed by updateSettings()) had its header's value replaced by
// hookwork's on every request, and nothing said so: a tenant id sent as X-Event-Name arrived as
// the alias that fired. (At start: packages/sqlite/src/replaced-headers.test.ts, a store that outlives an app.)

jest.setTimeout(30_000);

let receiver: TestReceiver;
const apps: Hookwork[] = [];
beforeEach(async () => {
  receiver = await startTestReceiver();
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
  await receiver.close();
});

/** A logger keeping warnings, and a promise of the first that matches. */
function warnings(match: RegExp) {
  const seen: string[] = [];
  let resolve: (line: string) => void = () => undefined;
  const first = new Promise<string>((r) => (resolve = r));
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    error: () => undefined,
    warn: (message: string) => {
      seen.push(message);
      if (match.test(message)) resolve(message);
    },
  };
  return { logger, seen, first };
}

const WARNING = /^webhook tenant has the custom header X-Event-Name, the name the headers\.event setting gives a header hookwork sets: hookwork's value replaces the webhook's on every request; give the setting another name, or the webhook's header \(app\.webhooks\.update\(\)\)$/;

describe("a stored webhook's custom header that a header-name setting takes over", () => {
  it('is warned of when updateSettings() gives the event header its name', async () => {
    const { logger, seen, first } = warnings(WARNING);
    const app = await startTestApp({ logger });
    apps.push(app);
    await app.webhooks.create({ key: 'tenant', url: receiver.url, events: ['thing.happened'], headers: { 'X-Event-Name': 'tenant-42' } });
    await app.webhooks.create({ key: 'other', url: `${receiver.origin}/other`, events: ['thing.happened'], headers: { 'X-Other': 'x' } });
    app.updateSettings({ headers: { event: 'x-event-name' } });
    await first;
    expect(seen.filter((line) => /custom header/.test(line))).toHaveLength(1);
    // What the warning is about: the webhook's value does not go out.
    await app.publish(new ThingHappened('t1'));
    await app.drain();
    expect(receiver.requests.filter((request) => request.path === '/hook').map((request) => request.headers['x-event-name'])).toEqual(['thing.happened']);
  });

  it('is not warned of when the names differ', async () => {
    const { logger, seen } = warnings(/custom header/);
    const app = await startTestApp({ logger });
    apps.push(app);
    await app.webhooks.create({ key: 'tenant', url: receiver.url, events: ['thing.happened'], headers: { 'X-Event-Name': 'tenant-42' } });
    app.updateSettings({ headers: { event: 'X-Hook-Event' } });
    await app.publish(new ThingHappened('t1'));
    await app.drain();
    expect(receiver.requests.map((request) => request.headers['x-event-name'])).toEqual(['tenant-42']);
    expect(seen).toEqual([]);
  });
});
