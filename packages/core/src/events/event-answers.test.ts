import { createHookwork } from '../composition/create-hookwork';
import type { Hookwork } from '../composition/hookwork-app';
import type { WebhooksBuilder } from '../composition/webhooks-builder';
import { memoryStorage } from '../storage/memory/memory-storage';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { WebhookEventBase } from './webhook-event-base';
import { WebhookEventContentBase } from './webhook-event-content-base';
import { WebhookEvent } from './webhook-event.decorator';

/**
 * What an event class's hooks answer is checked: an answer of the wrong kind fails that event for
 * that notification (HOOKWORK_ERR_INVALID_EVENT_ANSWER), nothing of it stored, instead of skipping
 * it, firing it or sending one request per character. Real HTTP on 127.0.0.1.
 */

class Decided {
  constructor(readonly answer: unknown) {}
}
class Shipped {
  constructor(
    readonly entities: unknown,
    readonly key: unknown = 'box',
  ) {}
}
class Plain {}

@WebhookEvent('Decided', 'Other', { alias: 'answers.decided', notification: Decided })
class DecidedEvent extends WebhookEventBase<Decided> {
  override shouldFireWebhookForNotification(notification: Decided) {
    return notification.answer as boolean;
  }
  override convertNotificationToRequestPayload() {
    return { event: 'decided' };
  }
}
@WebhookEvent('Shipped', 'Other', { alias: 'answers.shipped', notification: Shipped })
class ShippedEvent extends WebhookEventContentBase<Shipped, unknown> {
  getEntitiesFromNotification(notification: Shipped) {
    return notification.entities as Iterable<unknown>;
  }
  override getContentTypeKey() {
    return this.currentKey as string;
  }
  private currentKey: unknown;
  override async handle(notification: Shipped) {
    this.currentKey = notification.key;
    return super.handle(notification);
  }
  convertEntityToRequestPayload(entity: unknown) {
    return { entity };
  }
}
@WebhookEvent('Plain', 'Other', { alias: 'answers.plain', notification: Plain })
class PlainEvent extends WebhookEventBase<Plain> {}

let receiver: TestReceiver;
let app: Hookwork;

beforeEach(async () => {
  receiver = await startTestReceiver();
  app = createHookwork({
    composers: [{ compose: (builder: WebhooksBuilder) => void builder.webhookEvents().add(DecidedEvent, ShippedEvent, PlainEvent) }],
    storage: memoryStorage(),
    settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, stopTimeout: 2_000 },
  });
  await app.start();
  await app.webhooks.create({ url: receiver.url, events: ['answers.decided', 'answers.plain'] });
  await app.webhooks.create({ url: receiver.url, events: ['answers.shipped'], contentTypeKeys: ['box'] });
});
afterEach(async () => {
  await app.stop();
  await receiver.close();
});

const failureOf = async (notification: object) => {
  const { failures } = await app.publish(notification);
  expect(failures).toHaveLength(1);
  return failures[0]!.error.cause;
};

describe("shouldFireWebhookForNotification()'s answer", () => {
  it.each([
    ['undefined (a forgotten return)', undefined, 'answered undefined (a missing return?)'],
    ["a truthy string 'no'", 'no', 'answered "no"'],
    ['a number', 1, 'answered 1'],
    ['a promise of undefined', Promise.resolve(undefined), 'answered undefined'],
  ])('is refused when it is %s, nothing sent', async (_what, answer, text) => {
    expect(await failureOf(new Decided(answer))).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_EVENT_ANSWER', message: expect.stringContaining(`DecidedEvent.shouldFireWebhookForNotification() ${text}`) });
    await app.publish(new Plain());
    await app.drain({ timeoutMs: 10_000 });
    // Only the other event's request: 'no' used to fire the event, undefined to skip it silently.
    expect(receiver.requests.map((request) => request.text)).toEqual(['{}']);
  });

  it('true, false and promises of them work as before', async () => {
    for (const answer of [true, false, Promise.resolve(true), Promise.resolve(false)]) expect((await app.publish(new Decided(answer))).failures).toEqual([]);
    await app.drain({ timeoutMs: 10_000 });
    expect(receiver.requests.map((request) => request.text)).toEqual(['{"event":"decided"}', '{"event":"decided"}']);
  });
});

describe("getEntitiesFromNotification()'s and getContentTypeKey()'s answers", () => {
  it.each([
    ['a string (one request per character)', 'abc', 'returned a string, "abc"'],
    ['undefined', undefined, 'returned undefined (a missing return?)'],
    ['a promise', Promise.resolve([1]), 'returned a promise'],
    ['a number', 7, 'returned 7'],
  ])('an entity list that is %s is refused, nothing sent', async (_what, entities, text) => {
    expect(await failureOf(new Shipped(entities))).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_EVENT_ANSWER', message: expect.stringContaining(`ShippedEvent.getEntitiesFromNotification() ${text}`) });
    await app.publish(new Shipped([{ id: 'after' }]));
    await app.drain({ timeoutMs: 10_000 });
    expect(receiver.requests.map((request) => request.text)).toEqual(['{"entity":{"id":"after"}}']);
  });

  it('a content-type key that is no string is refused, not matched silently against none', async () => {
    expect(await failureOf(new Shipped([{ id: 'a' }], 42))).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_EVENT_ANSWER', message: expect.stringContaining('ShippedEvent.getContentTypeKey() answered 42') });
    expect((await app.publish(new Shipped(new Set([{ id: 'set' }])))).failures).toEqual([]);
    await app.drain({ timeoutMs: 10_000 });
    expect(receiver.requests.map((request) => request.text)).toEqual(['{"entity":{"id":"set"}}']);
  });
});
