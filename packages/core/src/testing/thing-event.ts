import type { Composer } from '../composition/composer';
import { WebhookEventBase } from '../events/webhook-event-base';
import { WebhookEvent } from '../events/webhook-event.decorator';
import { WebhookEventTypes } from '../events/webhook-event-types';

/**
 * A host notification for a backend's or plugin's end-to-end tests: publish
 * `new ThingHappened('1')` to an app composed with {@link thingComposer}, and each subscribed
 * webhook receives `{ id: '1' }` for the alias `thing.happened`.
 */
export class ThingHappened {
  constructor(
    /** The payload's `id`, e.g. '1'. */
    readonly id: string,
  ) {}
}

/** Turns {@link ThingHappened} into `{ id }`; alias `thing.happened`, type `Other`. */
@WebhookEvent('Thing Happened', WebhookEventTypes.Other, { alias: 'thing.happened', notification: ThingHappened })
export class ThingHappenedEvent extends WebhookEventBase<ThingHappened> {
  /** The payload: `{ id }` of the notification. */
  override convertNotificationToRequestPayload(notification: ThingHappened) {
    return { id: notification.id };
  }
}

/** Composes {@link ThingHappenedEvent}: pass it in `createHookwork({ composers: [thingComposer] })`. */
export const thingComposer: Composer = {
  compose(builder) {
    builder.webhookEvents().add(ThingHappenedEvent);
  },
};
