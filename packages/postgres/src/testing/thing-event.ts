import { WebhookEvent, WebhookEventBase, WebhookEventTypes, type Composer } from '@hookwork/core';

/** A host notification for the PostgreSQL end-to-end tests. */
export class ThingHappened {
  constructor(readonly id: string) {}
}

/** Turns {@link ThingHappened} into `{ id }`. */
@WebhookEvent('Thing Happened', WebhookEventTypes.Other, { alias: 'thing.happened', notification: ThingHappened })
export class ThingHappenedEvent extends WebhookEventBase<ThingHappened> {
  override convertNotificationToRequestPayload(notification: ThingHappened) {
    return { id: notification.id };
  }
}

/** Composes {@link ThingHappenedEvent}. */
export const thingComposer: Composer = {
  compose(builder) {
    builder.webhookEvents().add(ThingHappenedEvent);
  },
};
