import { WebhookEventBase, type PayloadContext } from '@hookwork/core';
import type { CockpitEnvelope } from './cockpit-envelope';
import type { CockpitEventDefinition } from './cockpit-event-definition';
import { CockpitEventNotification, type CockpitEventNotificationType } from './cockpit-event-notification';

/**
 * The base of every Cockpit webhook event: one request per subscribed webhook per fired name,
 * whose body is Cockpit's envelope. Subclasses are made by defineCockpitEvent (one per event);
 * a host replaces one with `replace(CockpitEvents['collections.save.after'], Mine)` where
 * `Mine` extends it and is decorated with `@WebhookEvent(...)` (alias and notification are
 * inherited).
 */
export abstract class CockpitWebhookEvent extends WebhookEventBase<CockpitEventNotification> {
  /**
   * Guards against a notification of another event reaching this class (possible when a
   * replacement shares the base CockpitEventNotification class): each class fires for its own name only.
   */
  override shouldFireWebhookForNotification(notification: CockpitEventNotification): boolean {
    return notification.event === this.alias;
  }

  /** The event's own name, and `<name>.<namespace>` for collection, singleton and form events. */
  override getAliasesForNotification(notification: CockpitEventNotification): readonly string[] {
    return notification.namespace === undefined ? [this.alias] : [this.alias, `${this.alias}.${notification.namespace}`];
  }

  /** Cockpit's envelope; `hook` is the webhook's name (its key when it has none). */
  override convertNotificationToRequestPayload(notification: CockpitEventNotification, { webhook, alias }: PayloadContext): CockpitEnvelope {
    return { event: alias, hook: webhook.name ?? webhook.key, backend: notification.backend, args: notification.args };
  }
}

/** A Cockpit webhook event class made by defineCockpitEvent: its definition and notification class ride along. */
export interface CockpitEventClass {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  new (...args: any[]): CockpitWebhookEvent;
  /** The table row the class was made from. */
  readonly cockpitEvent: CockpitEventDefinition;
  /** The notification class the host's trigger publishes for this event. */
  readonly notification: CockpitEventNotificationType;
}
