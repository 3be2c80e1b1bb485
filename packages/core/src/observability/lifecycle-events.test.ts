import { createHookwork, type LifecycleEvents, type Logger } from '../index';
import { startTestApp, ThingHappened } from '../test-support/test-app';
import { startTestReceiver } from '../testing/test-receiver';

describe('app.lifecycle', () => {
  it('refuses a listener under a name that is no lifecycle event, naming the one meant, instead of never calling it', () => {
    const app = createHookwork({});
    const listen = (method: 'on' | 'once' | 'addListener', name: string) => () => (app.lifecycle[method] as (event: string, fn: () => void) => unknown)(name, () => {});
    for (const method of ['on', 'once', 'addListener'] as const) {
      expect(listen(method, 'deadLetter')).toThrow(
        `HOOKWORK_ERR_INVALID_ARGUMENT: app.lifecycle.${method}() was given "deadLetter", which is not a lifecycle event (did you mean deadLettered?); the events are enqueued, attemptSucceeded, attemptFailed, deadLettered,`,
      );
    }
    expect(listen('on', 'dead-lettered')).toThrow(expect.objectContaining({ code: 'HOOKWORK_ERR_INVALID_ARGUMENT' }));
    expect(app.lifecycle.listenerCount('deadLetter' as keyof LifecycleEvents)).toBe(0);
  });

  it('calls a listener under a lifecycle event name', () => {
    const app = createHookwork({});
    const seen: string[] = [];
    app.lifecycle.on('webhookDisabled', (info) => seen.push(info.webhookKey));
    app.lifecycle.once('webhookDisabled', (info) => seen.push(`once ${info.webhookKey}`));
    app.lifecycle.emit('webhookDisabled', { webhookKey: 'w1', reason: 'test' });
    app.lifecycle.emit('webhookDisabled', { webhookKey: 'w2', reason: 'test' });
    expect(seen).toEqual(['w1', 'once w1', 'w2']);
  });

  // A sync listener that throws was logged; an async one's rejection was unhandled, which ends a
  // Node process: `app.lifecycle.on('deadLettered', async (a) => notifySlack(a))` with Slack down.
  it('logs the rejected promise of an async listener, as a throwing one, instead of leaving it unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const receiver = await startTestReceiver();
    const errors: string[] = [];
    const logger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: (message) => errors.push(message) };
    const app = await startTestApp({ logger });
    try {
      const notify = async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        throw new Error('slack is down');
      };
      const others = app.lifecycle.listenerCount('attemptSucceeded');
      app.lifecycle.on('attemptSucceeded', notify);
      expect(app.lifecycle.listeners('attemptSucceeded')).toContain(notify);
      await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await app.publish(new ThingHappened('n1'));
      await app.drain();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(errors).toContainEqual(expect.stringMatching(/^a attemptSucceeded lifecycle listener's promise rejected \(listeners must not throw; catch inside an async listener\): slack is down$/));
      expect(unhandled).toEqual([]);
      // off() finds the listener as it was added.
      app.lifecycle.off('attemptSucceeded', notify);
      expect(app.lifecycle.listenerCount('attemptSucceeded')).toBe(others);
      expect(app.lifecycle.listeners('attemptSucceeded')).not.toContain(notify);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await app.stop();
      await receiver.close();
    }
  });
});
