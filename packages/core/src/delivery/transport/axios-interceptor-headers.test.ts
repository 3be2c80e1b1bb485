import type { AxiosInstance } from 'axios';
import { createHookwork } from '../../composition/create-hookwork';
import type { Hookwork } from '../../composition/hookwork-app';
import { startTestReceiver, type TestReceiver } from '../../testing/test-receiver';
import { ThingHappened, thingComposer } from '../../testing/thing-event';

/**
 * A host's axios interceptor runs after the attempt's checks and signing: a Host, a
 * Content-Length other than the signed body's or a connection header it sets is refused where
 * the request is handed to Node (kind `invalid`, not retried), as the attempt refuses them from
 * a before-send hook. Real HTTP on 127.0.0.1.
 */

let app: Hookwork | undefined;
let receiver: TestReceiver | undefined;

afterEach(async () => {
  await app?.stop();
  await receiver?.close();
  app = undefined;
  receiver = undefined;
});

async function deliverOnce(configureAxios: (instance: AxiosInstance) => void) {
  receiver = await startTestReceiver();
  app = createHookwork({
    composers: [thingComposer],
    transport: 'axios',
    delivery: { configureAxios },
    settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, maximumRetries: 2, retrySchedule: [50, 100], retryJitter: 0, timeout: 2_000, stopTimeout: 2_000 },
  });
  await app.start();
  const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
  await app.publish(new ThingHappened('i1'));
  await app.drain();
  return (await app.logs(webhook.key, { limit: 100 })).items.reverse();
}

describe("headers a host's axios interceptor sets", () => {
  it.each([
    ['Content-Length', '5'],
    ['Host', 'evil.internal'],
    ['Transfer-Encoding', 'chunked'],
    ['Trailer', 'x-checksum'],
  ])('refuses %s: not sent, invalid, not retried', async (name, value) => {
    const log = await deliverOnce((instance) => {
      instance.interceptors.request.use((config) => {
        config.headers.set(name, value);
        return config;
      });
    });
    expect(receiver!.requests).toHaveLength(0);
    expect(log.map((e) => [e.errorKind, e.outcome])).toEqual([['invalid', 'dead']]);
    expect(log[0]!.errorMessage).toContain(`an axios interceptor (or the instance's default headers) set ${name}: ${value}`);
  });

  it("keeps axios' own Content-Length, the signed body's (the control)", async () => {
    const log = await deliverOnce((instance) => {
      instance.interceptors.request.use((config) => {
        config.headers.set('X-Added', 'yes');
        return config;
      });
    });
    expect(log.map((e) => e.outcome)).toEqual(['delivered']);
    expect(receiver!.requests[0]!.headers['x-added']).toBe('yes');
  });
});
