import type { OperatorEvent, OperatorEventType } from '../observability/operator-events';
import { redactedUrl, redactUrlsIn } from '../observability/redacted-url';
import { WebhookEventBase, type PayloadContext, type WebhookSubscription } from './webhook-event-base';
import { WebhookEvent, type WebhookEventClass } from './webhook-event.decorator';
import { WebhookEventTypes } from './webhook-event-types';

/** The notification the app publishes for each operator event, when operator events are composed. */
export class OperatorNotification {
  constructor(
    /** The operator event it carries. */
    readonly event: OperatorEvent,
  ) {}
}

/**
 * The JSON body of an operator webhook: the event with its time as an ISO string (Svix's
 * operational webhooks: `{ type, data }`), and the URL of the webhook it is about as
 * `scheme://host:port/…`: that URL's path or query is often its secret (Slack's, Discord's), and
 * the body leaves for the operator endpoint and stays in its delivery log (so do URLs quoted in
 * `lastError`, a redirect's target). `data.webhookKey`
 * names the webhook; the lifecycle's `operatorEvent`, in the process, carries the whole URL.
 */
export function operatorPayload(event: OperatorEvent): unknown {
  const payload = JSON.parse(JSON.stringify(event)) as { data: { url?: unknown; lastError?: unknown } };
  if (typeof payload.data?.url === 'string') payload.data.url = redactedUrl(payload.data.url);
  // A redirect's failure names where it pointed: the same secret path, often (http → https).
  if (typeof payload.data?.lastError === 'string') payload.data.lastError = redactUrlsIn(payload.data.lastError);
  return payload;
}

/**
 * The base of the operator events: fires for operator events of its own type, never to the
 * webhook the event is about (an operator endpoint that fails would otherwise be told so by
 * itself, once it is back).
 */
export abstract class OperatorWebhookEventBase extends WebhookEventBase<OperatorNotification> {
  /** Fires only for the operator event type this class stands for. */
  override shouldFireWebhookForNotification(notification: OperatorNotification): boolean {
    return notification.event.type === this.alias;
  }

  /** The payload: the operator event's type, timestamp and data. */
  override convertNotificationToRequestPayload(notification: OperatorNotification): unknown {
    return operatorPayload(notification.event);
  }

  /** An example event of this type, for test sends. */
  override createExampleNotification(context: PayloadContext): OperatorNotification {
    return new OperatorNotification(exampleEvent(this.alias as OperatorEventType, context.webhook.key));
  }

  /** The subscribed webhooks, except the one the event is about (a failing webhook is not told of its own failure). */
  protected override async getSubscriptions(notification: OperatorNotification): Promise<WebhookSubscription[]> {
    const about = notification.event.data.webhookKey;
    return (await super.getSubscriptions(notification)).filter((s) => s.webhook.key !== about);
  }
}

function exampleEvent(type: OperatorEventType, webhookKey: string): OperatorEvent {
  const timestamp = new Date();
  const base = { webhookKey: `example-of-${webhookKey}`, url: 'https://receiver.example.com/hooks' };
  const hourAgo = new Date(timestamp.getTime() - 3_600_000);
  switch (type) {
    case 'breaker.opened':
      return { type, timestamp, data: { ...base, trigger: 'consecutive failures', consecutiveFailures: 10, probeAt: new Date(timestamp.getTime() + 30_000) } };
    case 'breaker.closed':
      return { type, timestamp, data: { ...base, openedAt: hourAgo } };
    case 'webhook.recovered':
      return { type, timestamp, data: { ...base, failingSince: hourAgo } };
    case 'webhook.disabled':
      return { type, timestamp, data: { ...base, reason: 'failing', message: 'every attempt failed for 5 days', failingSince: new Date(timestamp.getTime() - 5 * 86_400_000) } };
    case 'request.exhausted':
      return { type, timestamp, data: { ...base, requestId: 'msg_2xUvh1M8v8bSpq0MDLxu3cGzaRq', eventAlias: 'Umbraco.ContentPublish', attempts: 6, lastError: 'HTTP 503', statusCode: 503, reason: 'retries exhausted' } };
  }
}

/** `breaker.opened`: a webhook's circuit breaker opened; its requests wait. */
@WebhookEvent('Breaker Opened', WebhookEventTypes.Other, { alias: 'breaker.opened', notification: OperatorNotification })
export class BreakerOpenedOperatorEvent extends OperatorWebhookEventBase {}

/** `breaker.closed`: a probe succeeded and the webhook's breaker closed. */
@WebhookEvent('Breaker Closed', WebhookEventTypes.Other, { alias: 'breaker.closed', notification: OperatorNotification })
export class BreakerClosedOperatorEvent extends OperatorWebhookEventBase {}

/** `webhook.recovered`: a webhook that had been failing delivered again. */
@WebhookEvent('Webhook Recovered', WebhookEventTypes.Other, { alias: 'webhook.recovered', notification: OperatorNotification })
export class WebhookRecoveredOperatorEvent extends OperatorWebhookEventBase {}

/** `webhook.disabled`: hookwork disabled a webhook (410 Gone, or failing for `autoDisable.after`). */
@WebhookEvent('Webhook Disabled', WebhookEventTypes.Other, { alias: 'webhook.disabled', notification: OperatorNotification })
export class WebhookDisabledOperatorEvent extends OperatorWebhookEventBase {}

/** `request.exhausted`: a request was dead-lettered (retries exhausted, or a failure not worth retrying). */
@WebhookEvent('Request Exhausted', WebhookEventTypes.Other, { alias: 'request.exhausted', notification: OperatorNotification })
export class RequestExhaustedOperatorEvent extends OperatorWebhookEventBase {}

/** The operator event classes, in the order of {@link OPERATOR_EVENT_TYPES}. */
export const OPERATOR_WEBHOOK_EVENTS: readonly WebhookEventClass[] = Object.freeze([
  BreakerOpenedOperatorEvent,
  BreakerClosedOperatorEvent,
  WebhookRecoveredOperatorEvent,
  WebhookDisabledOperatorEvent,
  RequestExhaustedOperatorEvent,
]);
