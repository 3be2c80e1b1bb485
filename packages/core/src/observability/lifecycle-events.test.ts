import { createHookwork, operatorEventsComposer, type LifecycleEmitter, type LifecycleEvents, type Logger } from '../index';
import { startTestApp, thingComposer, ThingHappened } from '../test-support/test-app';
import { startTestReceiver } from '../testing/test-receiver';

describe('app.lifecycle', () => {
  it('refuses a listener under a name that is no lifecycle event, naming the one meant, instead of never calling it', () => {
    const app = createHookwork({});
    const listen = (method: 'on' | 'once' | 'addListener', name: string) => () => (app.lifecycle[method] as (event: string, fn: () => void) => unknown)(name, () => {});
    for (const method of ['on', 'once', 'addListener'] as const) {
      expect(listen(method, 'deadLetter')).toThrow(
        `HOOKWORK_ERR_INVALID_ARGUMENT: app.lifecycle.${method}() was given "deadLetter", which is not a lifecycle event (did you mean deadLettered?); the events are enqueued, attemptSucceeded, attemptFailed, attemptReleased, deadLettered,`,
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

  // off(event) without a listener and removeAllListeners() removed hookwork's own subscribers
  // with the host's: the metrics stopped counting and the operator webhooks stopped going out.
  it.each([
    ['off(event) without a listener', (lifecycle: LifecycleEmitter) => void lifecycle.off('operatorEvent').off('attemptSucceeded').off('enqueued').off('attemptFailed')],
    ['removeAllListeners(event)', (lifecycle: LifecycleEmitter) => void lifecycle.removeAllListeners('operatorEvent').removeAllListeners('attemptSucceeded').removeAllListeners('enqueued').removeAllListeners('attemptFailed')],
    ['removeAllListeners()', (lifecycle: LifecycleEmitter) => void lifecycle.removeAllListeners()],
  ])('keeps metrics and operator webhooks going after a host cleanup with %s, and counts only the host\'s listeners', async (_name, cleanUp) => {
    const receiver = await startTestReceiver((request, res) => {
      res.statusCode = request.path === '/gone' ? 410 : 200;
      res.end();
    });
    const app = await startTestApp({ composers: [thingComposer, operatorEventsComposer()] });
    try {
      expect(app.lifecycle.listenerCount('operatorEvent')).toBe(0);
      expect(app.lifecycle.listenerCount('attemptSucceeded')).toBe(0);
      const mine = () => {};
      app.lifecycle.on('operatorEvent', mine);
      app.lifecycle.on('attemptSucceeded', mine);
      expect(app.lifecycle.listenerCount('attemptSucceeded')).toBe(1);
      cleanUp(app.lifecycle);
      expect(app.lifecycle.listenerCount('operatorEvent')).toBe(0);
      expect(app.lifecycle.listenerCount('attemptSucceeded')).toBe(0);
      expect(app.lifecycle.listeners('operatorEvent')).toEqual([]);

      await app.webhooks.create({ url: `${receiver.origin}/ops`, events: ['webhook.disabled'] });
      await app.webhooks.create({ url: `${receiver.origin}/ok`, events: ['thing.happened'] });
      await app.webhooks.create({ url: `${receiver.origin}/gone`, events: ['thing.happened'] });
      await app.publish(new ThingHappened('c1'));
      const requests = await receiver.waitFor(3);
      await app.drain();
      expect(requests.map((r) => r.path).sort()).toEqual(['/gone', '/ok', '/ops']);
      expect(JSON.parse(requests.find((r) => r.path === '/ops')!.text).type).toBe('webhook.disabled');
      const text = (await app.metrics.scrape()).text;
      expect(text).toContain('hookwork_requests_enqueued_total 3');
      expect(text).toContain('hookwork_attempts_total{outcome="delivered",status_class="2xx"} 2');
      expect(text).toContain('hookwork_attempts_total{outcome="dead",status_class="4xx"} 1');
      expect(text).toContain('hookwork_operator_events_total{type="webhook.disabled"} 1');
    } finally {
      await app.stop();
      await receiver.close();
    }
  });
});
