import { WebhookEventBase, type JsonSchema, type PayloadContext } from '@hookwork/core';
import type { CockpitEnvelope } from './cockpit-envelope';
import { COCKPIT_NAMESPACE_CHARACTERS, namespaceOf, type CockpitEventDefinition } from './cockpit-event-definition';
import { cockpitExampleArgs } from './cockpit-examples';
import { CockpitEventNotification, type CockpitEventNotificationType } from './cockpit-event-notification';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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

  /**
   * An example trigger from an HTTP request (`backend: 1`), for test sends: made-up arguments shaped as
   * Cockpit passes them, for the collection, form, singleton and media events and those without
   * arguments; none (so the generic test body) for the others. For a name-spaced variant
   * (`collections.save.after.pages`) the example is about that collection, so it fires under it.
   */
  override createExampleNotification({ alias }: PayloadContext): CockpitEventNotification | undefined {
    const type = this.constructor as Partial<CockpitEventClass>;
    if (!type.cockpitEvent || !type.notification) return undefined;
    const definition = type.cockpitEvent;
    const variant = definition.namespaced && alias.startsWith(`${this.alias}.`) ? alias.slice(this.alias.length + 1) : undefined;
    const args = cockpitExampleArgs(definition, variant);
    if (!args) return undefined;
    return new type.notification(this.alias, Object.freeze(args), 1, definition.namespaced ? namespaceOf(args) : undefined);
  }

  /**
   * The JSON Schema of Cockpit's envelope for this event: `event` (the name, or a name-spaced
   * variant), `hook`, `backend` and the positional `args` (as many as the event has, described
   * by name; their values are whatever Cockpit passes). Undefined ("any JSON") once a subclass
   * replaced the envelope with its own payload.
   */
  override describePayload(): JsonSchema | undefined {
    const definition = (this.constructor as Partial<CockpitEventClass>).cockpitEvent;
    if (!definition || this.convertNotificationToRequestPayload !== CockpitWebhookEvent.prototype.convertNotificationToRequestPayload) return undefined;
    const { alias } = this;
    const args = definition.args;
    return {
      title: `${alias} (Cockpit envelope)`,
      description: `${definition.label}: the body Cockpit v1 POSTs, { event, hook, backend, args }.`,
      type: 'object',
      additionalProperties: false,
      required: ['event', 'hook', 'backend', 'args'],
      properties: {
        event: definition.namespaced
          ? { type: 'string', description: `"${alias}", or "${alias}.<name>" when the webhook subscribed to a name-spaced variant`, pattern: `^${escapeRegExp(alias)}(\\.${COCKPIT_NAMESPACE_CHARACTERS}+)?$` }
          : { const: alias, description: 'The event name.' },
        hook: { type: 'string', description: "The webhook's name (its key when it has none)." },
        backend: { enum: [0, 1], description: "Cockpit's COCKPIT_ADMIN: 1 when Cockpit served an HTTP request (admin pages and REST API alike), 0 from the CLI or embedded in another PHP site." },
        args: {
          type: 'array',
          description: args.length === 0 ? 'No arguments.' : `The positional arguments: ${args.map((a) => (a.description ? `${a.name} (${a.description})` : a.name)).join('; ')}.`,
          items: {},
          minItems: args.length,
          maxItems: args.length,
        },
      },
    };
  }

  /** Cockpit's envelope; `hook` is the webhook's name (its key when it has none). */
  override convertNotificationToRequestPayload(notification: CockpitEventNotification, { webhook, alias }: PayloadContext): CockpitEnvelope {
    return { event: alias, hook: webhook.name ?? webhook.key, backend: notification.backend, args: notification.args };
  }
}

/** A Cockpit webhook event class made by defineCockpitEvent: its definition and notification class ride along. */
export interface CockpitEventClass {
  /** Built by the app's container (its constructor takes the injected dependencies). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  new (...args: any[]): CockpitWebhookEvent;
  /** The table row the class was made from. */
  readonly cockpitEvent: CockpitEventDefinition;
  /** The notification class the host's trigger publishes for this event. */
  readonly notification: CockpitEventNotificationType;
}
