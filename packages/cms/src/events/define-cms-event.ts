import { CMS_ERRORS } from '../cms-errors';
import {
  HookworkError,
  WebhookEvent,
  WebhookEventBase,
  WebhookEventContentBase,
  WebhookEventTypes,
  isHookworkError,
  messageWithoutCode,
  shownValue,
  unknownOption,
  type FireRequest,
  type JsonSchema,
  type NotificationType,
  type PayloadContext,
  type PayloadDescriptionContext,
  type PayloadType,
  type WebhookEventDependencies,
  type WebhookSubscription,
} from '@hookwork/core';
import type { PayloadVariants } from '../payloads/payload-variants';
import { createCmsExampleNotification } from './example-notifications';

/** The CMS events' types, as Umbraco's: content, media and (Umbraco 18) element events, and the rest. */
export type CmsEventType = typeof WebhookEventTypes.Content | typeof WebhookEventTypes.Media | typeof WebhookEventTypes.Element | typeof WebhookEventTypes.Other;

/** The types whose items have a content type, so webhooks' content-type filters apply to them. */
const FILTERED_TYPES: ReadonlySet<string> = new Set([WebhookEventTypes.Content, WebhookEventTypes.Media, WebhookEventTypes.Element]);

/** What every catalogue entry declares. */
/** What every CMS event definition row has, whatever its kind. */
export interface CmsEventDefinitionCommon<N extends object> {
  /** The generated class's name (`ContentPublishedWebhookEvent`), as errors and stack traces show it. */
  readonly className: string;
  /** The display name (`Content Published`). */
  readonly name: string;
  /** The alias webhooks subscribe to, exactly as Umbraco's (`Umbraco.ContentPublish`). */
  readonly alias: string;
  /** The event type it is grouped under (`Content`, `Media`, `Member`, `Other`). */
  readonly type: CmsEventType;
  /** The event's own notification class. */
  readonly notification: NotificationType<N>;
  /** Other accepted spellings of the alias (`UserGroupDeleted`). */
  readonly synonyms?: readonly string[];
  /**
   * A realistic notification for test sends (createExampleNotification). Default: the built-in
   * example of `alias` (cmsExampleNotifications()), none for an alias it does not have.
   */
  readonly example?: () => N;
  /**
   * Whether the notification sends anything in `payloadType` (the event's
   * shouldFireWebhookForNotification). Default: always. Umbraco's Legacy Content Versions Deleted
   * sends nothing for a document it has no numeric id for.
   */
  shouldFire?(notification: N, payloadType: PayloadType): boolean;
}

/** One request per entity per webhook; the webhook's content-type filter applies. */
export interface CmsEntityEventDefinition<N extends object, E> extends CmsEventDefinitionCommon<N> {
  /** One request per entity. */
  readonly kind: 'entity';
  /** The entities the notification is about. */
  entities(notification: N): Iterable<E>;
  /** The entity's content-type key for the filter. Default: `entity.contentType.key`. */
  contentTypeKey?(entity: NoInfer<E>): string | undefined;
  /** The entity's payload in each shape. */
  readonly payload: PayloadVariants<NoInfer<E>>;
}

/**
 * One request per notification per webhook carrying an array of items. For content, media and
 * element events the content-type filter keeps the matching items (and sends nothing when none match).
 */
export interface CmsListEventDefinition<N extends object, E> extends CmsEventDefinitionCommon<N> {
  /** One request per notification, carrying a list. */
  readonly kind: 'list';
  /** The items the notification is about. */
  items(notification: N): Iterable<E>;
  /** The item's content-type key for the filter. Default: `item.contentType.key`. */
  contentTypeKey?(item: NoInfer<E>): string | undefined;
  /** The list's payload in each shape. */
  readonly payload: PayloadVariants<readonly NoInfer<E>[]>;
}

/** One request per notification per webhook, converted from the notification itself. */
export interface CmsNotificationEventDefinition<N extends object> extends CmsEventDefinitionCommon<N> {
  /** One request per notification. */
  readonly kind: 'notification';
  /** The notification's payload in each shape. */
  readonly payload: PayloadVariants<NoInfer<N>>;
}

/** A catalogue entry: the data one generated event class is made from. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CmsEventDefinition = CmsEntityEventDefinition<any, any> | CmsListEventDefinition<any, any> | CmsNotificationEventDefinition<any>;

const definitions = new WeakMap<Function, CmsEventDefinition>();

/**
 * The catalogue entry behind a CMS event class or any subclass of one (a host's replacement
 * inherits its parent's payloads and schemas); undefined for other classes.
 */
export function getCmsEventDefinition(type: Function): CmsEventDefinition | undefined {
  for (let current: unknown = type; typeof current === 'function' && current !== Function.prototype; current = Object.getPrototypeOf(current)) {
    const definition = definitions.get(current);
    if (definition) return definition;
  }
  return undefined;
}

function definitionOf(event: object): CmsEventDefinition {
  const definition = getCmsEventDefinition(event.constructor);
  if (!definition) throw new HookworkError('HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT', `${event.constructor.name} extends a CMS event base class directly; extend a catalogue class such as ContentPublishedWebhookEvent instead`);
  return definition;
}

function convert<I>(event: WebhookEventBase, payloadType: PayloadType, payload: PayloadVariants<I>, input: I, notification?: unknown): unknown {
  const converter = payload[payloadType];
  if (!converter) {
    throw CMS_ERRORS.create('HOOKWORK_ERR_INVALID_CMS_OPTIONS', `${event.constructor.name}: payloadType "${String(payloadType)}" is not one of Minimal, Extended, Legacy`);
  }
  try {
    return converter.convert(input, notification);
  } catch (cause) {
    if (isHookworkError(cause)) {
      throw new HookworkError(cause.code, `${event.constructor.name} (${event.alias}, ${payloadType}): ${messageWithoutCode(cause)}`, { cause });
    }
    throw cause;
  }
}

/** The schema of one definition's payload in one shape, titled `<alias> (<shape>)`. */
export function cmsPayloadSchemaOf(definition: CmsEventDefinition, payloadType: PayloadType): JsonSchema {
  return { title: `${definition.alias} (${payloadType})`, ...definition.payload[payloadType].schema };
}

/**
 * The catalogue's schema of `event`'s payload — undefined ("any JSON") when its class replaced
 * one of `converters` (a host's own payload, which only the host can describe) or the shape is unknown.
 */
function describeCmsPayload(event: WebhookEventBase, payloadType: PayloadType, base: object, converters: readonly string[]): JsonSchema | undefined {
  const replaced = converters.some((name) => (event as unknown as Record<string, unknown>)[name] !== (base as Record<string, unknown>)[name]);
  const definition = definitionOf(event);
  return replaced || !definition.payload[payloadType] ? undefined : cmsPayloadSchemaOf(definition, payloadType);
}

function filterOf(webhook: { contentTypeKeys: readonly string[] }): ReadonlySet<string> | undefined {
  return webhook.contentTypeKeys.length > 0 ? new Set(webhook.contentTypeKeys) : undefined;
}

const defaultContentTypeKey = (item: unknown): string | undefined => {
  const key = (item as { contentType?: { key?: unknown } } | null | undefined)?.contentType?.key;
  return typeof key === 'string' ? key : undefined;
};

/**
 * The base of the catalogue's per-entity events (ContentPublished, MediaSaved, …). A host
 * replacing one extends the catalogue class and overrides {@link convertEntityToRequestPayload},
 * calling `super` for the standard payload in the configured shape.
 */
export abstract class CmsEntityWebhookEvent<N extends object, E> extends WebhookEventContentBase<N, E> {
  /** The entities the notification is about, as the definition's `entities` reads them. */
  getEntitiesFromNotification(notification: N): Iterable<E> {
    return (definitionOf(this) as CmsEntityEventDefinition<N, E>).entities(notification);
  }

  /**
   * The standard payload of `entity` in the configured shape (Minimal, Extended or Legacy);
   * override it to send your own.
   */
  convertEntityToRequestPayload(entity: E, _context: PayloadContext): unknown {
    return convert(this, this.payloadType, (definitionOf(this) as CmsEntityEventDefinition<N, E>).payload, entity);
  }

  /** The entity's content-type key for the filter: the definition's `contentTypeKey`, else `entity.contentType.key`. */
  override getContentTypeKey(entity: E): string | undefined {
    const { contentTypeKey } = definitionOf(this) as CmsEntityEventDefinition<N, E>;
    return contentTypeKey ? contentTypeKey(entity) : super.getContentTypeKey(entity);
  }

  /** The schema of one entity's payload in `payloadType` (undefined once a subclass replaced the converter). */
  override describePayload({ payloadType }: PayloadDescriptionContext): JsonSchema | undefined {
    return describeCmsPayload(this, payloadType, CmsEntityWebhookEvent.prototype, ['convertEntityToRequestPayload']);
  }
}

/**
 * What a list event's converters get besides the items: the payload context and the
 * notification the items came from (for bodies with a notification field beside the items).
 */
export interface CmsListPayloadContext<N> extends PayloadContext {
  /** The notification the items came from; a host's override that makes its own context may leave it out. */
  readonly notification?: N;
}

/** The base of the catalogue's array events (ContentSorted, DataTypeSaved, …). */
export abstract class CmsListWebhookEvent<N extends object, E> extends WebhookEventBase<N> {
  /** The items the notification carries. */
  getItemsFromNotification(notification: N): Iterable<E> {
    return (definitionOf(this) as CmsListEventDefinition<N, E>).items(notification);
  }

  /** The payload of one request: the (filtered) items in the configured shape. */
  convertItemsToRequestPayload(items: readonly E[], context: CmsListPayloadContext<N>): unknown {
    return convert(this, this.payloadType, (definitionOf(this) as CmsListEventDefinition<N, E>).payload, items, context.notification);
  }

  /** The payload of the request: every item of the notification, in the configured shape. */
  override convertNotificationToRequestPayload(notification: N, context: PayloadContext): unknown {
    return this.convertItemsToRequestPayload([...this.getItemsFromNotification(notification)], { ...context, notification });
  }

  /** One request per subscription carrying the items; for content, media and element events only the items the webhook's content-type filter lets through, and none when none do. */
  protected override async processWebhooks(notification: N, subscriptions: readonly WebhookSubscription[]): Promise<FireRequest[]> {
    const definition = definitionOf(this) as CmsListEventDefinition<N, E>;
    const filtered = FILTERED_TYPES.has(definition.type);
    const keyOf = definition.contentTypeKey ?? defaultContentTypeKey;
    const items = [...this.getItemsFromNotification(notification)];
    const requests: FireRequest[] = [];
    for (const { webhook, alias } of subscriptions) {
      const filter = filtered ? filterOf(webhook) : undefined;
      const kept = filter ? items.filter((item) => filter.has(keyOf(item) ?? '\u0000')) : items;
      if (filter && kept.length === 0) continue;
      requests.push({ webhook, alias, payload: await this.convertItemsToRequestPayload(kept, { webhook, alias, notification }) });
    }
    return requests;
  }

  /** The schema of the items' payload in `payloadType` (undefined once a subclass replaced a converter). */
  override describePayload({ payloadType }: PayloadDescriptionContext): JsonSchema | undefined {
    return describeCmsPayload(this, payloadType, CmsListWebhookEvent.prototype, ['convertItemsToRequestPayload', 'convertNotificationToRequestPayload']);
  }
}

/** The base of the catalogue's notification-level events (UserLoginSuccess, HealthCheckCompleted, …). */
export abstract class CmsNotificationWebhookEvent<N extends object> extends WebhookEventBase<N> {
  /** The payload of the request: the notification itself in the configured shape. */
  override convertNotificationToRequestPayload(notification: N, _context: PayloadContext): unknown {
    return convert(this, this.payloadType, (definitionOf(this) as CmsNotificationEventDefinition<N>).payload, notification);
  }

  /** The schema of the notification's payload in `payloadType` (undefined once a subclass replaced the converter). */
  override describePayload({ payloadType }: PayloadDescriptionContext): JsonSchema | undefined {
    return describeCmsPayload(this, payloadType, CmsNotificationWebhookEvent.prototype, ['convertNotificationToRequestPayload']);
  }
}

/** A generated per-entity event class (`ContentPublishedWebhookEvent`). */
export type CmsEntityEventClass<N extends object, E> = new (deps: WebhookEventDependencies) => CmsEntityWebhookEvent<N, E>;
/** A generated array event class (`ContentSortedWebhookEvent`). */
export type CmsListEventClass<N extends object, E> = new (deps: WebhookEventDependencies) => CmsListWebhookEvent<N, E>;
/** A generated notification-level event class (`UserLoginSuccessWebhookEvent`). */
export type CmsNotificationEventClass<N extends object> = new (deps: WebhookEventDependencies) => CmsNotificationWebhookEvent<N>;

const COMMON_KEYS = ['kind', 'className', 'name', 'alias', 'type', 'notification', 'synonyms', 'example', 'shouldFire', 'payload'];
const KIND_KEYS: Readonly<Record<string, readonly string[]>> = { entity: ['entities', 'contentTypeKey'], list: ['items', 'contentTypeKey'], notification: [] };
const CLASS_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Refuses a definition a plugin author got wrong, naming the field: it used to fail later as a
 * TypeError (`Class extends value undefined`) or when the event fired. Name, alias, type and
 * notification are checked by @WebhookEvent.
 */
function checkDefinition(definition: CmsEventDefinition): void {
  const label = (definition as { className?: unknown } | undefined)?.className;
  const where = `defineCmsEvent(${typeof label === 'string' ? label : shownValue(label)})`;
  const refuse = (problem: string) => new HookworkError('HOOKWORK_ERR_INVALID_EVENT_DECLARATION', `${where}: ${problem}`);
  if (definition === null || typeof definition !== 'object' || Array.isArray(definition)) throw refuse(`takes a definition object { kind, className, name, alias, type, notification, payload, … }; got ${shownValue(definition)}`);
  const kindKeys = KIND_KEYS[definition.kind as string];
  if (!Object.prototype.hasOwnProperty.call(KIND_KEYS, definition.kind) || !kindKeys) throw refuse(`kind must be 'entity' (one request per entity), 'list' (one request carrying the items) or 'notification'; got ${shownValue(definition.kind)}`);
  const unknown = unknownOption(definition, [...COMMON_KEYS, ...kindKeys]);
  if (unknown) throw refuse(`${unknown.text.replace('unknown option', 'unknown field')} (for kind '${definition.kind}')`);
  if (typeof definition.className !== 'string' || !CLASS_NAME.test(definition.className)) throw refuse('className must be the generated class\'s name, an identifier such as "OrderPlacedWebhookEvent"');
  const read = definition.kind === 'entity' ? 'entities' : definition.kind === 'list' ? 'items' : undefined;
  if (read && typeof (definition as unknown as Record<string, unknown>)[read] !== 'function') throw refuse(`${read} must be a function (notification) => the ${read} the notification is about`);
  const { contentTypeKey, example, synonyms, shouldFire } = definition as { contentTypeKey?: unknown; example?: unknown; synonyms?: unknown; shouldFire?: unknown };
  if (shouldFire !== undefined && typeof shouldFire !== 'function') throw refuse('shouldFire must be a function (notification, payloadType) => whether it sends anything');
  if (contentTypeKey !== undefined && typeof contentTypeKey !== 'function') throw refuse('contentTypeKey must be a function (item) => its content-type key');
  if (example !== undefined && typeof example !== 'function') throw refuse('example must be a function () => a notification, for test sends');
  if (synonyms !== undefined && !Array.isArray(synonyms)) throw refuse(`synonyms must be a list of other spellings of the alias; got ${shownValue(synonyms)}`);
  const payload = definition.payload as unknown as Record<string, { convert?: unknown; schema?: unknown } | undefined> | undefined;
  for (const payloadType of ['Minimal', 'Extended', 'Legacy']) {
    const converter = payload?.[payloadType];
    if (!converter || typeof converter.convert !== 'function' || converter.schema === null || typeof converter.schema !== 'object') {
      throw refuse(`payload.${payloadType} must be { convert(input), schema } (objectPayload(), listPayload() make all three); every payload type needs one`);
    }
  }
}

/**
 * Makes one catalogue event class from its data: its own class named `className`, decorated with
 * @WebhookEvent (alias, display name, type, notification, synonyms), so `replace(Old, New)` works
 * by class and a host can subclass it. The class has no constructor of its own and inherits
 * WebhookEventBase's injection metadata. Its createExampleNotification() gives the definition's
 * `example`, else the built-in example of its alias, so test sends carry a real payload.
 */
export function defineCmsEvent<N extends object, E>(definition: CmsEntityEventDefinition<N, E>): CmsEntityEventClass<N, E>;
/** Makes a list event class (one request per notification, carrying the matching items). */
export function defineCmsEvent<N extends object, E>(definition: CmsListEventDefinition<N, E>): CmsListEventClass<N, E>;
/** Makes a notification-level event class (one request per notification). */
export function defineCmsEvent<N extends object>(definition: CmsNotificationEventDefinition<N>): CmsNotificationEventClass<N>;
export function defineCmsEvent(definition: CmsEventDefinition): Function {
  checkDefinition(definition);
  const base = { entity: CmsEntityWebhookEvent, list: CmsListWebhookEvent, notification: CmsNotificationWebhookEvent }[definition.kind] as unknown as new (
    deps: WebhookEventDependencies,
  ) => WebhookEventBase;
  const type = class extends base {
    override createExampleNotification(): object | undefined {
      return definition.example ? definition.example() : createCmsExampleNotification(definition.alias);
    }

    override shouldFireWebhookForNotification(notification: object): boolean {
      return definition.shouldFire ? definition.shouldFire(notification, this.payloadType) : true;
    }
  };
  Object.defineProperty(type, 'name', { value: definition.className });
  definitions.set(type, Object.freeze({ ...definition }));
  WebhookEvent(definition.name, definition.type, { alias: definition.alias, notification: definition.notification, synonyms: definition.synonyms ?? [] })(type);
  return type;
}
