import type { FireRequest } from '../firing/webhook-firing-service';
import { isThenable } from '../runtime/thenable';
import { WebhookEventBase, type PayloadContext, type WebhookSubscription } from './webhook-event-base';

/**
 * The base of per-entity events: one request per entity per subscribed webhook (a publish of
 * three pages sends three requests). The webhook's content-type filter (`contentTypeKeys`)
 * applies when it is non-empty: an entity whose content type is not listed — or has none — is
 * skipped (unless the event opts out with {@link appliesContentTypeFilter}).
 */
export abstract class WebhookEventContentBase<TNotification extends object, TEntity> extends WebhookEventBase<TNotification> {
  /** The entities the notification is about (`notification.publishedEntities`). */
  abstract getEntitiesFromNotification(notification: TNotification): Iterable<TEntity>;

  /** The payload of one entity's request. */
  abstract convertEntityToRequestPayload(entity: TEntity, context: PayloadContext): unknown | Promise<unknown>;

  /**
   * Whether webhooks' content-type filters apply to this event. True for content and media;
   * an event whose entities have no content type (orders, users) returns false, so a webhook
   * with a filter still receives it.
   */
  protected get appliesContentTypeFilter(): boolean {
    return true;
  }

  /** The key of the entity's content type, for the filter. Default: `entity.contentType.key`. */
  getContentTypeKey(entity: TEntity): string | undefined {
    const contentType = (entity as { contentType?: { key?: unknown } } | undefined)?.contentType;
    return typeof contentType?.key === 'string' ? contentType.key : undefined;
  }

  /** One request per entity per subscription, each entity kept only when the webhook's content-type filter lets it through. */
  protected override async processWebhooks(notification: TNotification, subscriptions: readonly WebhookSubscription[]): Promise<FireRequest[]> {
    const entities = [...this.getEntitiesFromNotification(notification)];
    const requests: FireRequest[] = [];
    for (const { webhook, alias } of subscriptions) {
      const filter = webhook.contentTypeKeys.length > 0 && this.appliesContentTypeFilter ? new Set(webhook.contentTypeKeys) : undefined;
      for (const entity of entities) {
        if (filter) {
          const key = this.getContentTypeKey(entity);
          if (key === undefined || !filter.has(key)) continue;
        }
        let payload = this.convertEntityToRequestPayload(entity, { webhook, alias });
        // Awaited only when it is a promise: a plain value needs no turn of the microtask queue.
        if (isThenable(payload)) payload = await payload;
        requests.push({ webhook, alias, payload });
      }
    }
    return requests;
  }
}
