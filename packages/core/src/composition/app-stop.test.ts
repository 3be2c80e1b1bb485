import { createHookwork } from './create-hookwork';
import type { Hookwork } from './hookwork-app';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { ThingHappened, thingComposer } from '../testing/thing-event';
import { memoryStorage } from '../storage/memory/memory-storage';
import type { Storage, StorageBackend } from '../ports/storage-backend';
import { SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { AttemptInfo } from '../observability/lifecycle-events';
import { WebhookEvent } from '../events/webhook-event.decorator';
import { WebhookEventBase } from '../events/webhook-event-base';
import { WebhookEventTypes } from '../events/webhook-event-types';

/** stop() as a host's shutdown code meets it: called twice, and with work under way. Real HTTP on 127.0.0.1. */

let receiver: TestReceiver;
let app: Hookwork;

beforeEach(async () => {
  receiver = await startTestReceiver();
  app = createHookwork({ composers: [thingComposer], settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, stopTimeout: 2_000 } });
  await app.start();
  await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
});

afterEach(async () => {
  await app.stop();
  await receiver.close();
});

/** Publishes once and resolves when the attempt is in flight (the receiver holds its answer until `answer()`). */
async function attemptInFlight(): Promise<{ answer: () => void }> {
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  receiver.handler = async (_request, response) => {
    await answered;
    response.end('ok');
  };
  await app.publish(new ThingHappened('held'));
  await receiver.waitFor(1);
  return { answer };
}

describe('app.stop()', () => {
  it('a second call resolves only once the first stop is done', async () => {
    const { answer } = await attemptInFlight();
    const first = app.stop();
    const second = app.stop();
    const order: string[] = [];
    void first.then(() => order.push('first'));
    void second.then(() => order.push(`second (${app.state})`));
    answer();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second (stopped)']);
    // The attempt in flight finished within stopTimeout: delivered, not aborted.
    expect(receiver.requests).toHaveLength(1);
  });

  it('refuses a publish while stopping with HOOKWORK_ERR_APP_STOPPED, naming what to do', async () => {
    const { answer } = await attemptInFlight();
    const stopping = app.stop();
    expect(app.state).toBe('stopping');
    await expect(app.publish(new ThingHappened('late'))).rejects.toMatchObject({ code: 'HOOKWORK_ERR_APP_STOPPED', message: expect.stringContaining('create a new app') });
    answer();
    await stopping;
  });
});

describe('an attempt cut off by stop()', () => {
  // It was reported as a failed, retrying attempt — attemptFailed, hookwork_attempts_total
  // {outcome="retrying"}, an ERROR span — while the request's retry count was untouched.
  it('is released: its own outcome in the log, the lifecycle and the metrics, no attemptFailed, no ERROR span, the retry count unchanged', async () => {
    const exporter = new InMemorySpanExporter();
    const inner = memoryStorage();
    let opened: Storage | undefined;
    const storage: StorageBackend = { ...inner, open: async (context) => (opened = await inner.open(context)) };
    const held = createHookwork({
      composers: [thingComposer],
      storage,
      tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
      settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, stopTimeout: 200 },
    });
    await held.start();
    const events: [string, AttemptInfo][] = [];
    held.lifecycle.on('attemptFailed', (info) => events.push(['attemptFailed', info]));
    held.lifecycle.on('attemptReleased', (info) => events.push(['attemptReleased', info]));
    receiver.handler = () => {}; // never answers
    const webhook = await held.webhooks.create({ url: `${receiver.origin}/held`, events: ['thing.happened'] });
    await held.publish(new ThingHappened('cut-off'));
    await receiver.waitFor(1);
    await held.stop();

    expect(events.map(([name, info]) => [name, info.outcome, info.errorKind])).toEqual([['attemptReleased', 'released', 'aborted']]);
    const text = (await held.metrics.scrape()).text;
    expect(text).toContain('hookwork_attempts_total{outcome="released",status_class="none"} 1');
    expect(text).not.toMatch(/^hookwork_attempts_total\{outcome="retrying"/m);
    const [span] = exporter.getFinishedSpans().filter((s) => s.name === 'POST');
    expect(span!.attributes['hookwork.outcome']).toBe('released');
    expect(span!.status.code).not.toBe(SpanStatusCode.ERROR);
    const { items } = await opened!.deliveryLog.list({ webhookKey: webhook.key });
    expect(items.map((e) => [e.outcome, e.errorKind])).toEqual([['released', 'aborted']]);
    expect(await opened!.queue.get(items[0]!.requestId)).toMatchObject({ state: 'pending', attempts: 0 });
  });
});

describe('app.stop() when the store fails it', () => {
  it('says the release of its claims is not tried again and when the requests come back, not "it will be tried again"', async () => {
    const lines: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (message: string) => void lines.push(message) };
    const inner = memoryStorage();
    const storage: StorageBackend = {
      ...inner,
      async open(context) {
        const opened = await inner.open(context);
        // The store went away as the app stops: giving the claims back fails.
        const queue = Object.assign(Object.create(opened.queue), { release: () => Promise.reject(new Error('Connection terminated unexpectedly')) });
        return { ...opened, queue };
      },
    };
    const failing = createHookwork({ composers: [thingComposer], storage, logger, settings: { leaseDuration: 30_000 } });
    await failing.start();
    await failing.stop();
    expect(lines).toEqual([expect.stringMatching(/^release failed while the app was stopping, and is not tried again by it: Connection terminated unexpectedly; what it held \(claims of requests\) is taken again, .* once its lease expires, within leaseDuration \(30000 ms\)$/)]);
  });
});

// Writes were taken while stop() ran (and stored, never delivered by this app) where reads and publish were refused.
describe('once stop() is called', () => {
  it('management (app.webhooks, logs()) and updateSettings() are refused with HOOKWORK_ERR_APP_STOPPED, and the settings stay', async () => {
    const other = createHookwork({ composers: [thingComposer] });
    await other.start();
    const stopping = other.stop();
    expect(other.state).toBe('stopping');
    expect(() => other.webhooks).toThrow(/HOOKWORK_ERR_APP_STOPPED/);
    expect(() => other.updateSettings({ maximumRetries: 1 })).toThrow(/HOOKWORK_ERR_APP_STOPPED: updateSettings\(\) was called on an app that is stopping/);
    await expect(other.logs()).rejects.toMatchObject({ code: 'HOOKWORK_ERR_APP_STOPPED' });
    await stopping;
    expect(() => other.webhooks).toThrow(/HOOKWORK_ERR_APP_STOPPED/);
    expect(() => other.updateSettings({ maximumRetries: 1 })).toThrow(/HOOKWORK_ERR_APP_STOPPED/);
    expect(other.settings.maximumRetries).not.toBe(1);
  });
});

describe('a publish whose event never returns', () => {
  class Stuck {
    constructor(readonly id: string) {}
  }
  @WebhookEvent('Stuck', WebhookEventTypes.Other, { alias: 'stuck.happened', notification: Stuck })
  class StuckEvent extends WebhookEventBase<Stuck> {
    override convertNotificationToRequestPayload(notification: Stuck) {
      // A converter awaiting I/O that never answers (a fetch without a timeout).
      return notification.id === 'hangs' ? new Promise<never>(() => {}) : { id: notification.id };
    }
  }
  @WebhookEvent('Stuck Too', WebhookEventTypes.Other, { alias: 'stuck.gate', notification: Stuck })
  class StuckGateEvent extends WebhookEventBase<Stuck> {
    override shouldFireWebhookForNotification(notification: Stuck) {
      return notification.id === 'hangs' ? new Promise<boolean>(() => {}) : true;
    }
  }

  it.each([
    ['its payload converter', StuckEvent, 'stuck.happened'],
    ['its shouldFireWebhookForNotification()', StuckGateEvent, 'stuck.gate'],
  ])('is ended by stop() with HOOKWORK_ERR_APP_STOPPED when %s never returns, nothing of it stored', async (_what, type, alias) => {
    const stuckApp = createHookwork({
      composers: [{ compose: (builder) => void builder.webhookEvents().add(type) }],
      settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, stopTimeout: 200 },
    });
    await stuckApp.start();
    await stuckApp.webhooks.create({ url: receiver.url, events: [alias] });
    await stuckApp.publish(new Stuck('before'));
    await stuckApp.drain({ timeoutMs: 10_000 });
    let outcome: unknown = 'pending';
    const publishing = stuckApp.publish(new Stuck('hangs')).then(
      () => (outcome = 'resolved'),
      (error: unknown) => (outcome = error),
    );
    await stuckApp.stop();
    await new Promise((resolve) => setImmediate(resolve));
    // It used to stay pending for ever, past stop(): a host awaiting it in its shutdown never went on.
    expect(outcome).toMatchObject({ code: 'HOOKWORK_ERR_APP_STOPPED', message: expect.stringContaining('had not returned') });
    await publishing;
    expect(receiver.requests.map((request) => JSON.parse(request.text).id)).toEqual(['before']);
  });
});

describe('a test send whose event never returns', () => {
  class Slow {}
  @WebhookEvent('Slow', WebhookEventTypes.Other, { alias: 'slow.happened', notification: Slow })
  class SlowEvent extends WebhookEventBase<Slow> {
    override createExampleNotification() {
      // An example loaded from a service that never answers.
      return new Promise<Slow>(() => {});
    }
  }

  it('is ended by stop() with HOOKWORK_ERR_APP_STOPPED, nothing sent', async () => {
    const slowApp = createHookwork({
      composers: [{ compose: (builder) => void builder.webhookEvents().add(SlowEvent) }],
      settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, stopTimeout: 200 },
    });
    await slowApp.start();
    const webhook = await slowApp.webhooks.create({ url: receiver.url, events: ['slow.happened'] });
    let outcome: unknown = 'pending';
    const sending = slowApp.sendTestEvent(webhook.key).then(
      () => (outcome = 'resolved'),
      (error: unknown) => (outcome = error),
    );
    await slowApp.stop();
    await new Promise((resolve) => setImmediate(resolve));
    // It used to stay pending for ever: an admin API request for it never got an answer.
    expect(outcome).toMatchObject({ code: 'HOOKWORK_ERR_APP_STOPPED', message: expect.stringContaining('sendTestEvent') });
    await sending;
    expect(receiver.requests).toHaveLength(0);
  });
});
