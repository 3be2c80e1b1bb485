import { context } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Composer } from './composer';
import type { Hookwork } from './hookwork-app';
import { WebhookEvent } from '../events/webhook-event.decorator';
import { WebhookEventBase, type PublishOptions } from '../events/webhook-event-base';
import { WebhookEventTypes } from '../events/webhook-event-types';
import { memoryStorage } from '../storage/memory/memory-storage';
import { expectPublishResultCounts } from '../testing/publish-result-check';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { thingComposer as testingThingComposer } from '../testing/thing-event';
import { startTestApp, ThingHappened, thingComposer } from '../test-support/test-app';

/** A second event on ThingHappened that overrides handle() and passes the options on, as the docs ask. */
@WebhookEvent('Thing Audited', WebhookEventTypes.Other, { alias: 'thing.audited', notification: ThingHappened })
class ThingAuditedEvent extends WebhookEventBase<ThingHappened> {
  override async handle(notification: ThingHappened, options?: PublishOptions): Promise<void> {
    await super.handle(notification, options);
  }
}

/** A third event on ThingHappened whose payload converter throws: a handler failure, not a store failure. */
@WebhookEvent('Thing Broken', WebhookEventTypes.Other, { alias: 'thing.broken', notification: ThingHappened })
class ThingBrokenEvent extends WebhookEventBase<ThingHappened> {
  override convertNotificationToRequestPayload(): unknown {
    throw new Error('converter broke');
  }
}

const moreEvents: Composer = { compose: (builder) => builder.webhookEvents().add(ThingAuditedEvent, ThingBrokenEvent) };

let receiver: TestReceiver;
const apps: Hookwork[] = [];
async function app(options: Parameters<typeof startTestApp>[0] = {}): Promise<Hookwork> {
  const started = await startTestApp(options);
  apps.push(started);
  return started;
}

beforeEach(async () => {
  receiver = await startTestReceiver();
});
afterEach(async () => {
  for (const started of apps.splice(0)) await started.stop();
  await receiver.close();
});

describe('PublishResult.enqueued on the in-memory store', () => {
  it('is 0 when the notification matched nothing, and N for one notification to N webhooks', async () => {
    await expectPublishResultCounts(() => app({ storage: memoryStorage(), composers: [testingThingComposer] }) as Promise<Hookwork<never>>, receiver);
  });

  it('sums every event the notification fires, counts an event that overrides handle() and passes the options on, and keeps a failed event out', async () => {
    const a = await app({ composers: [thingComposer, moreEvents] });
    await a.webhooks.create({ url: receiver.url, events: ['thing.happened', 'thing.audited', 'thing.broken'] });
    await a.webhooks.create({ url: receiver.url, events: ['thing.audited'] });
    const result = await a.publish(new ThingHappened('1'));
    expect(result.failures.map((f) => f.eventAlias)).toEqual(['thing.broken']);
    expect(result).toMatchObject({ enqueued: 3, alreadyEnqueued: 0 });
  });

  it('counts alike when the host passes options (a copy carries the count; its own object is left as given) and inside a recording span', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const a = await app({ tracerProvider: provider });
    await a.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await a.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const options = { traceContext: context.active(), idempotencyKey: 'order-1' };
    expect(await a.publish(new ThingHappened('1'), options)).toEqual({ events: 1, failures: [], enqueued: 2, alreadyEnqueued: 0 });
    expect(Object.getOwnPropertySymbols(options)).toEqual([]);
    expect(Object.keys(options)).toEqual(['traceContext', 'idempotencyKey']);
    expect(await a.publish(new ThingHappened('1'), options)).toEqual({ events: 1, failures: [], enqueued: 0, alreadyEnqueued: 2 });
    const spans = exporter.getFinishedSpans().filter((s) => s.name === 'hookwork.publish');
    expect(spans.map((s) => s.attributes['hookwork.enqueued'])).toEqual([2, 0]);
  });

  it('is 0 with publishing disabled (settings enabled: false), and counts each publish on its own when several run at once', async () => {
    const a = await app();
    await a.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    a.updateSettings({ enabled: false });
    expect(await a.publish(new ThingHappened('off'))).toEqual({ events: 1, failures: [], enqueued: 0, alreadyEnqueued: 0 });
    a.updateSettings({ enabled: true });
    await a.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const results = await Promise.all([1, 2, 3].map((i) => a.publish(new ThingHappened(String(i)))));
    expect(results.map((r) => r.enqueued)).toEqual([2, 2, 2]);
  });
});
