import type { FireRequest } from '../firing/webhook-firing-service';
import { HookworkError, shownValue } from '../errors/hookwork-error';
import { isThenable } from '../runtime/thenable';
import { WebhookEventBase, type PayloadContext, type WebhookSubscription } from './webhook-event-base';
import { PER_ENTITY_BASE_MARK } from './webhook-event.decorator';

const answerError = (message: string) => new HookworkError('HOOKWORK_ERR_INVALID_EVENT_ANSWER', `${message}. Nothing of this event was sent for this notification`);

/**
 * What getEntitiesFromNotification() returned, as a list; refuses what is no list of entities: a
 * string was iterated letter by letter (one request per character), a promise or undefined failed
 * with a TypeError naming neither the event nor the method.
 */
function entitiesOf<T>(className: string, entities: unknown): T[] {
  const where = `${className}.getEntitiesFromNotification()`;
  if (Array.isArray(entities)) return [...(entities as T[])];
  if (typeof entities === 'string') throw answerError(`${where} returned a string, ${shownValue(entities)}, which would send one request per character; return a list of entities, e.g. [notification.entity]`);
  if (isThenable(entities)) throw answerError(`${where} returned a promise; it is synchronous: return the list of entities the notification carries`);
  if (entities === null || typeof entities !== 'object' || typeof (entities as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function') {
    throw answerError(`${where} returned ${entities === undefined ? 'undefined (a missing return?)' : shownValue(entities)}; return a list (or other iterable) of entities, e.g. notification.publishedEntities`);
  }
  return [...(entities as Iterable<T>)];
}

const wrongKey = (className: string, key: unknown) =>
  answerError(`${className}.getContentTypeKey() answered ${shownValue(key)}; a content-type key is a string (or undefined for none), matched against the webhook's contentTypeKeys`);

/**
 * The base of per-entity events: one request per entity per subscribed webhook (a publish of
 * three pages sends three requests). The webhook's content-type filter (`contentTypeKeys`)
 * applies when it is non-empty: an entity whose content type is not listed — or has none — is
 * skipped (unless the event opts out with {@link appliesContentTypeFilter}).
 */
export abstract class WebhookEventContentBase<TNotification extends object, TEntity> extends WebhookEventBase<TNotification> {
  /**
   * The entities the notification is about (`notification.publishedEntities`): an array or another
   * iterable, one request each per webhook. A string, a promise or `undefined` (a missing `return`)
   * fails the event for that notification with HOOKWORK_ERR_INVALID_EVENT_ANSWER.
   */
  abstract getEntitiesFromNotification(notification: TNotification): Iterable<TEntity>;

  /** The payload of one entity's request: plain data, as {@link WebhookEventBase.convertNotificationToRequestPayload}'s (the same errors, reported the same way). */
  abstract convertEntityToRequestPayload(entity: TEntity, context: PayloadContext): unknown | Promise<unknown>;

  /**
   * Whether webhooks' content-type filters apply to this event. True for content and media;
   * an event whose entities have no content type (orders, users) returns false, so a webhook
   * with a filter still receives it.
   */
  protected get appliesContentTypeFilter(): boolean {
    return true;
  }

  /**
   * The key of the entity's content type, matched against a webhook's `contentTypeKeys`. Default:
   * `entity.contentType.key`. Answer a string, or `undefined` for none (then a webhook with a
   * filter skips the entity); anything else is HOOKWORK_ERR_INVALID_EVENT_ANSWER. A plugin whose
   * entities are grouped otherwise (a collection's name) returns that here.
   */
  getContentTypeKey(entity: TEntity): string | undefined {
    const contentType = (entity as { contentType?: { key?: unknown } } | undefined)?.contentType;
    return typeof contentType?.key === 'string' ? contentType.key : undefined;
  }

  /** One request per entity per subscription, each entity kept only when the webhook's content-type filter lets it through. */
  protected override async processWebhooks(notification: TNotification, subscriptions: readonly WebhookSubscription[]): Promise<FireRequest[]> {
    const entities = entitiesOf<TEntity>(this.constructor.name, this.getEntitiesFromNotification(notification));
    const requests: FireRequest[] = [];
    for (const { webhook, alias } of subscriptions) {
      const filter = webhook.contentTypeKeys.length > 0 && this.appliesContentTypeFilter ? new Set(webhook.contentTypeKeys) : undefined;
      for (const entity of entities) {
        if (filter) {
          const key = this.getContentTypeKey(entity);
          if (key !== undefined && typeof key !== 'string') throw wrongKey(this.constructor.name, key);
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

// What @WebhookEvent checks a per-entity event's converters against (see PER_ENTITY_BASE_MARK).
Object.defineProperty(WebhookEventContentBase.prototype, PER_ENTITY_BASE_MARK, { value: true });
