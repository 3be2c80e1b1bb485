import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHookwork, LifecycleEmitter, operatorEventsComposer, type LifecycleEvents, type Logger } from '../index';
import { startTestApp, thingComposer, ThingHappened } from '../test-support/test-app';
import { LifecycleReporter } from './lifecycle-events';
import { startTestReceiver } from '../testing/test-receiver';

/** Every lifecycle event; the type check keeps it equal to LifecycleEvents' keys. */
const EVENTS = Object.keys({
  enqueued: 0, attemptSucceeded: 0, attemptFailed: 0, attemptReleased: 0, deadLettered: 0, requestDropped: 0, webhookDisabled: 0,
  webhookUrlBlocked: 0, requestDeferred: 0, operatorEvent: 0, handlerFailed: 0, logWriteFailed: 0, backgroundError: 0, audit: 0,
} satisfies Record<keyof LifecycleEvents, 0>) as (keyof LifecycleEvents)[];

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
    app.lifecycle.emit('webhookDisabled', { webhookKey: 'w1', reason: 'gone', message: 'HTTP 410 Gone' });
    app.lifecycle.emit('webhookDisabled', { webhookKey: 'w2', reason: 'gone', message: 'HTTP 410 Gone' });
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
      expect(errors).toEqual([
        'the attemptSucceeded lifecycle listener "notify" returned a promise that rejected (listeners must not throw; catch inside an async listener): slack is down; the event\'s other listeners were called all the same',
      ]);
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

  /** A logger keeping what it was given at error. */
  function errorLines() {
    const lines: { message: string; meta?: Record<string, unknown> }[] = [];
    const logger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: (message, meta) => void lines.push({ message, ...(meta ? { meta } : {}) }) };
    return { lines, logger };
  }

  it('docs/delivery.md lists every lifecycle event once, in a table with what its listener gets', () => {
    const text = readFileSync(join(__dirname, '../../../../docs/delivery.md'), 'utf8');
    const section = text.slice(text.indexOf('## Lifecycle events'), text.indexOf('\n## ', text.indexOf('## Lifecycle events') + 1));
    const rows = [...section.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
    expect(rows.sort()).toEqual([...EVENTS].sort());
  });

  // eventemitter3 calls no listener after one that throws: a host's metrics listener that threw
  // kept its pager listener from ever hearing of a dead letter.
  it('calls every listener of every event when one before it throws or rejects, and logs each failure once, naming the event and the listener', async () => {
    const { lines, logger } = errorLines();
    const app = createHookwork({ logger });
    const events = EVENTS;
    const heard: string[] = [];
    for (const event of events) {
      const emit = app.lifecycle.emit as (event: keyof LifecycleEvents, ...args: unknown[]) => boolean;
      const on = app.lifecycle.on as (event: keyof LifecycleEvents, fn: (...args: unknown[]) => unknown) => unknown;
      const sinkDown = function metricsSink() {
        throw new Error(`${event} sink down`);
      };
      on.call(app.lifecycle, event, sinkDown);
      on.call(app.lifecycle, event, async () => {
        throw new Error(`${event} relay down`);
      });
      on.call(app.lifecycle, event, () => void heard.push(event));
      expect(() => emit.call(app.lifecycle, event, { webhookKey: 'w1' })).not.toThrow();
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toEqual(events);
    // (hookwork's own subscribers choke on the made-up arguments, and are logged as such: not checked here.)
    expect(lines.map((l) => l.message).filter((m) => !m.includes("(hookwork's")).sort()).toEqual(
      events
        .flatMap((event) => [
          `the ${event} lifecycle listener "metricsSink" threw (listeners must not throw): ${event} sink down; the event's other listeners were called all the same`,
          `the ${event} lifecycle listener (anonymous: async () => { throw new Error(\`\${event} relay down\`); }) returned a promise that rejected (listeners must not throw; catch inside an async listener): ${event} relay down; the event's other listeners were called all the same`,
        ])
        .sort(),
    );
    expect(lines.find((l) => l.message.includes('enqueued sink down'))!.meta).toEqual({ event: 'enqueued', listener: '"metricsSink"', error: new Error('enqueued sink down') });
  });

  it('a dead letter reaches the host\'s second deadLettered listener, and hookwork\'s metrics, when the first one throws', async () => {
    const { lines, logger } = errorLines();
    const receiver = await startTestReceiver((_request, res) => void res.writeHead(500).end());
    const app = await startTestApp({ logger, settings: { maximumRetries: 0 } });
    try {
      let paged = 0;
      app.lifecycle.on('deadLettered', () => {
        throw new Error('metrics sink down');
      });
      app.lifecycle.on('deadLettered', () => void paged++);
      await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await app.publish(new ThingHappened('d1'));
      await app.drain();
      expect(paged).toBe(1);
      expect((await app.metrics.scrape()).text).toContain('hookwork_attempts_total{outcome="dead",status_class="5xx"} 1');
      expect(lines.filter((l) => l.message.includes('metrics sink down'))).toHaveLength(1);
    } finally {
      await app.stop();
      await receiver.close();
    }
  });

  it('a hookwork subscriber that throws is logged under its name, and the host\'s listeners are called all the same', () => {
    const { lines, logger } = errorLines();
    const app = createHookwork({ logger });
    app.lifecycle.subscribeInternal('requestDropped', () => {
      throw new Error('broken counter');
    }, 'metrics');
    const heard: string[] = [];
    app.lifecycle.on('requestDropped', (info) => void heard.push(info.requestId));
    app.lifecycle.emit('requestDropped', { requestId: 'r1', webhookKey: 'w1', eventAlias: 'a', reason: 'the webhook was deleted' });
    expect(heard).toEqual(['r1']);
    expect(lines.map((l) => l.message)).toEqual(["the requestDropped lifecycle listener (hookwork's metrics) threw (listeners must not throw): broken counter; the event's other listeners were called all the same"]);
  });

  it('an emitter made by hand, with no app to log for it, calls every listener and then throws what the first one threw', () => {
    const lifecycle = new LifecycleEmitter();
    const heard: string[] = [];
    lifecycle.on('webhookDisabled', () => {
      throw new Error('first');
    });
    lifecycle.on('webhookDisabled', () => {
      throw new Error('second');
    });
    lifecycle.on('webhookDisabled', (info) => void heard.push(info.webhookKey));
    expect(() => lifecycle.emit('webhookDisabled', { webhookKey: 'w1', reason: 'gone', message: 'HTTP 410' })).toThrow('first');
    expect(heard).toEqual(['w1']);
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

describe('LifecycleReporter.backgroundError', () => {
  it('logs "it will be tried again", or once the app stops what follows instead; given what was done instead, says that either way; and emits backgroundError each time', () => {
    const lifecycle = new LifecycleEmitter();
    const lines: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn() {}, error: (message) => void lines.push(message) };
    const reporter = new LifecycleReporter(lifecycle, logger);
    const emitted: string[] = [];
    lifecycle.on('backgroundError', (info) => void emitted.push(`${info.task}: ${(info.error as Error).message}`));
    const error = new Error('the store is away');
    reporter.backgroundError('claiming due requests', error);
    reporter.backgroundError('removing the queued requests of deleted webhook w with their log entries', error, 'removing them alone instead, their entries logged after');
    reporter.stopping('what it held is taken again once its lease expires');
    reporter.backgroundError('claiming due requests', error);
    reporter.backgroundError('removing the queued requests of deleted webhook w with their log entries', error, 'removing them alone instead, their entries logged after');
    expect(lines).toEqual([
      'claiming due requests failed; it will be tried again: the store is away',
      'removing the queued requests of deleted webhook w with their log entries failed: the store is away; removing them alone instead, their entries logged after',
      'claiming due requests failed while the app was stopping, and is not tried again by it: the store is away; what it held is taken again once its lease expires',
      'removing the queued requests of deleted webhook w with their log entries failed: the store is away; removing them alone instead, their entries logged after',
    ]);
    expect(emitted).toEqual([
      'claiming due requests: the store is away',
      'removing the queued requests of deleted webhook w with their log entries: the store is away',
      'claiming due requests: the store is away',
      'removing the queued requests of deleted webhook w with their log entries: the store is away',
    ]);
  });
});
