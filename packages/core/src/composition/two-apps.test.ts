import { createHookwork } from './create-hookwork';
import type { Hookwork } from './hookwork-app';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { ThingHappened, thingComposer } from '../testing/thing-event';
import { memoryStorage } from '../storage/memory/memory-storage';
import { resolveSettings } from '../settings/resolve-settings';
import { createHttpTransport } from '../delivery/transport/http-transport';
import { createUndiciTransport } from '../delivery/transport/undici-transport';
import type { Transport } from '../ports/transport';

/** Two apps in one process, as a host with two tenants (or a test suite) has them. Real HTTP on 127.0.0.1. */

const settings = { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, stopTimeout: 2_000 };
const makers: Record<string, () => Transport> = {
  axios: () => createHttpTransport({ settings: { current: resolveSettings(settings) } }),
  undici: () => createUndiciTransport({ settings: { current: resolveSettings(settings) } }),
};

let receiver: TestReceiver;
const apps: Hookwork[] = [];
const app = (options: Parameters<typeof createHookwork>[0]) => {
  const made = createHookwork({ composers: [thingComposer], settings, storage: memoryStorage(), ...options });
  apps.push(made);
  return made;
};

beforeEach(async () => {
  receiver = await startTestReceiver();
});
afterEach(async () => {
  for (const each of apps.splice(0)) await each.stop();
  await receiver.close();
});

describe('two apps sharing a ready transport the host made', () => {
  it.each(Object.keys(makers))("one app's stop() leaves the %s transport open for the other, and the host closes it", async (kind) => {
    const transport = makers[kind]!();
    let closed = 0;
    const close = transport.close.bind(transport);
    transport.close = async () => {
      closed++;
      await close();
    };
    const first = app({ transport });
    const second = app({ transport });
    await first.start();
    await second.start();
    await first.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const webhook = await second.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await first.publish(new ThingHappened('before'));
    await first.drain({ timeoutMs: 10_000 });

    await first.stop();
    // The second app goes on sending through it: its stop() used to close it under the second,
    // whose attempts then ended "the transport was closed (the app is stopping)", over and over.
    await second.publish(new ThingHappened('after'));
    await second.drain({ timeoutMs: 10_000 });
    expect(receiver.requests.map((request) => JSON.parse(request.text).id)).toEqual(['before', 'after']);
    expect((await second.logs(webhook.key)).items.map((entry) => entry.outcome)).toEqual(['delivered']);

    await second.stop();
    expect(closed).toBe(0);
    await transport.close();
  });

  it('closes at stop() the transport it made, by name or with the host’s factory', async () => {
    const made: Transport[] = [];
    let closed = 0;
    const factory = (context: Parameters<typeof createUndiciTransport>[0]) => {
      const transport = createUndiciTransport(context);
      const close = transport.close.bind(transport);
      transport.close = async () => {
        closed++;
        await close();
      };
      made.push(transport);
      return transport;
    };
    const first = app({ transport: factory });
    const second = app({ transport: factory });
    await first.start();
    await second.start();
    await first.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await first.publish(new ThingHappened('one'));
    await first.drain({ timeoutMs: 10_000 });
    // One transport per app, each the app's own.
    expect(made).toHaveLength(2);
    await first.stop();
    expect(closed).toBe(1);
    await second.stop();
    expect(closed).toBe(2);
  });

  it.each(Object.keys(makers))('the %s transport, closed by its host under a running app, fails its attempts on the schedule, counted, not over and over', async (kind) => {
    const transport = makers[kind]!();
    const running = app({ transport, settings: { ...settings, maximumRetries: 1, retrySchedule: [50], retryJitter: 0 } });
    await running.start();
    const webhook = await running.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await transport.close();
    await running.publish(new ThingHappened('never sent'));
    await running.drain({ timeoutMs: 10_000 });
    // Released as if the app were stopping, the request was claimed again at once, without end,
    // each turn a log entry "the transport was closed (the app is stopping)".
    const log = (await running.logs(webhook.key)).items.map((entry) => [entry.retryCount, entry.outcome]);
    expect(log).toEqual([
      [1, 'dead'],
      [0, 'retrying'],
    ]);
    expect(await running.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 1 });
    expect(receiver.requests).toHaveLength(0);
  });
});
