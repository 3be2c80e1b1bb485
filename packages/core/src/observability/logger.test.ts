import type { Hookwork } from '../composition/hookwork-app';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { startTestApp, ThingHappened } from '../test-support/test-app';

describe('a host logger that throws', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;
  let emitWarning: jest.SpyInstance;

  beforeEach(async () => {
    receiver = await startTestReceiver();
    // Observed at the call (jest's sandboxed process object does not see 'warning' events), and kept out of the test output.
    emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    emitWarning.mockRestore();
    await app?.stop();
    app = undefined;
    await receiver.close();
  });

  it('costs its messages, never a delivery: the attempt is logged and settled, and the failure is one process warning', async () => {
    // It threw from the breaker's warning inside the health write, then from the handler of that
    // failure: the attempt, already sent, was neither logged nor settled (sent again at its
    // lease's end), and the last throw became an unhandled rejection, which ends a process.
    const broken = () => {
      throw new Error('log transport closed');
    };
    app = await startTestApp({ logger: { debug: broken, info: broken, warn: broken, error: broken }, settings: { breaker: { failureThreshold: 1 }, maximumRetries: 0 } });
    receiver.handler = (_request, res) => void res.writeHead(500).end();
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('logged'));
    await app.drain();
    expect((await app.logs(webhook.key)).items).toMatchObject([{ outcome: 'dead', statusCode: 500 }]);
    expect(await app.management.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 1 });
    expect((await app.health(webhook.key)).breaker).toBe('open');
    expect(emitWarning.mock.calls.filter(([, options]) => (options as { code?: string } | undefined)?.code === 'HOOKWORK_LOGGER_FAILED')).toEqual([[expect.stringContaining('log transport closed'), { code: 'HOOKWORK_LOGGER_FAILED' }]]);
    expect(receiver.requests).toHaveLength(1);
  });
});
