/// <reference types="jest" />
import type { Composer } from '../composition/composer';
import type { Hookwork } from '../composition/hookwork-app';
import { WebhookEventBase, type PublishOptions } from '../events/webhook-event-base';
import { WebhookEvent } from '../events/webhook-event.decorator';
import { WebhookEventTypes } from '../events/webhook-event-types';
import { keyedMessageId } from '../firing/idempotency-key';
import type { TestReceiver } from './test-receiver';
import { ThingHappened, ThingHappenedEvent } from './thing-event';

/** An event that enqueues twice for one notification: its handle() calls super.handle() two times, one batch after the other. */
@WebhookEvent('Thing Happened Twice', WebhookEventTypes.Other, { alias: 'thing.twice', notification: ThingHappened })
class ThingHappenedTwiceEvent extends WebhookEventBase<ThingHappened> {
  override convertNotificationToRequestPayload(notification: ThingHappened) {
    return { id: notification.id };
  }

  override async handle(notification: ThingHappened, options?: PublishOptions): Promise<void> {
    await super.handle(notification, options);
    await super.handle(notification, options);
  }
}

const twiceComposer: Composer = {
  name: 'ThingHappenedTwiceComposer',
  compose(builder) {
    builder.webhookEvents().add(ThingHappenedEvent, ThingHappenedTwiceEvent);
  },
};

/**
 * Checks on a backend (storage and queue engine) that a publish with an `idempotencyKey` enqueues
 * what the same publish without one does, when an event enqueues in two batches: the keyed ids are
 * numbered per publish (webhook × alias), not per batch, so the second batch is not taken for the
 * first's repeat. One webhook subscribed to `thing.happened` (one request) and `thing.twice` (two,
 * one per batch): 3 enqueued and 3 delivered, their `webhook-id`s the keyed ids 0 of `thing.happened`
 * and 0 and 1 of `thing.twice`; the publish made again enqueues none of them (`alreadyEnqueued: 3`).
 * Call it from a jest test; `startApp(composers)` starts an app on a fresh store composed with
 * `composers` (instead of `thingComposer`), allowed to send to `receiver`. The app is the caller's to stop.
 */
export async function expectKeyedPublishOfTwoBatchesKeepsBoth(startApp: (composers: readonly Composer[]) => Promise<Hookwork<never>>, receiver: TestReceiver): Promise<void> {
  const app = await startApp([twiceComposer]);
  const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened', 'thing.twice'] });
  // Without a key: three requests, as the answer to compare with.
  expect(await app.publish(new ThingHappened('unkeyed'))).toEqual({ events: 2, failures: [], enqueued: 3, alreadyEnqueued: 0 });
  await app.drain({ timeoutMs: 15_000 });
  expect(receiver.requests).toHaveLength(3);

  const key = 'change-twice';
  expect(await app.publish(new ThingHappened('keyed'), { idempotencyKey: key })).toEqual({ events: 2, failures: [], enqueued: 3, alreadyEnqueued: 0 });
  await app.drain({ timeoutMs: 15_000 });
  const keyed = receiver.requests.slice(3);
  const ids = [keyedMessageId(key, webhook.key, 'thing.happened', 0), keyedMessageId(key, webhook.key, 'thing.twice', 0), keyedMessageId(key, webhook.key, 'thing.twice', 1)];
  expect(keyed.map((r) => r.headers['webhook-id']).sort()).toEqual([...ids].sort());
  expect(keyed.map((r) => r.text)).toEqual(['{"id":"keyed"}', '{"id":"keyed"}', '{"id":"keyed"}']);

  // The same publish made again makes the same three ids: each is skipped.
  expect(await app.publish(new ThingHappened('keyed'), { idempotencyKey: key })).toEqual({ events: 2, failures: [], enqueued: 0, alreadyEnqueued: 3 });
  await app.drain({ timeoutMs: 15_000 });
  expect(receiver.requests).toHaveLength(6);
}
