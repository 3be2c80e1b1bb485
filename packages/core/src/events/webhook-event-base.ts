/// <reference types="reflect-metadata" />
import type { Context } from '@opentelemetry/api';
import { HookworkError, shownValue } from '../errors/hookwork-error';
import type { FireOptions, FireRequest } from '../firing/webhook-firing-service';
import { PUBLISH_TALLY, type TalliedOptions } from '../firing/publish-tally';
import type { PayloadType } from '../settings/settings';
import type { WebhookInfo } from '../model/webhook-info';
import type { JsonSchema, PayloadDescriptionContext } from './payload-description';
import { isThenable } from '../runtime/thenable';
import { CORE_LOCATION, ownCoreRoot } from './core-copies';
import { WebhookEventDependencies } from './webhook-event-dependencies';
import { aliasPatternMatcher, getWebhookEventMetadata, WEBHOOK_EVENT_BASE_MARK, type WebhookEventMetadata } from './webhook-event.decorator';

/** A webhook subscribed to the event, and the alias under which it fires. */
export interface WebhookSubscription {
  /** The subscribed webhook, as event classes see it: frozen, with no secrets and sensitive header values redacted. */
  webhook: WebhookInfo;
  /** The alias that fired as the webhook spells it (a synonym, or a name-spaced variant). */
  alias: string;
}

const patternMatchers = new WeakMap<WebhookEventMetadata, readonly ((alias: string) => boolean)[]>();

/**
 * Refuses what getAliasesForNotification() returned unless it is a list of the event's own
 * aliases, each once. Unchecked, another event's alias sent this event's payload under it, a
 * string was iterated letter by letter, and a repeated alias enqueued every request twice.
 */
function checkFiredAliases(className: string, metadata: WebhookEventMetadata, aliases: unknown): asserts aliases is readonly string[] {
  const where = `${className}.getAliasesForNotification()`;
  const fail = (problem: string) => new HookworkError('HOOKWORK_ERR_INVALID_FIRED_ALIAS', `${where} ${problem}; nothing of ${metadata.alias} was sent for this notification`);
  if (!Array.isArray(aliases)) {
    const kind = typeof (aliases as { then?: unknown } | null)?.then === 'function' ? 'a promise (it is synchronous)' : typeof aliases === 'string' ? `a string, ${shownValue(aliases)}` : shownValue(aliases);
    throw fail(`returned ${kind}; return a list of aliases, e.g. [${JSON.stringify(metadata.alias)}]`);
  }
  let matchers = patternMatchers.get(metadata);
  if (!matchers) patternMatchers.set(metadata, (matchers = metadata.patterns.map(aliasPatternMatcher)));
  const seen = new Set<string>();
  for (const given of aliases as unknown[]) {
    if (typeof given !== 'string') throw fail(`returned ${shownValue(given)} in its list; each item is an alias string`);
    const own = given === metadata.alias || metadata.synonyms.includes(given) || matchers.some((matches) => matches(given));
    if (!own) {
      const declared = [metadata.alias, ...metadata.synonyms, ...metadata.patterns].join(', ');
      throw fail(`returned ${JSON.stringify(given)}, which is not this event's: an event fires only under its alias, its synonyms and its patterns' variants (${declared}). To send under another alias, publish a notification that event handles; to fire a variant, declare its pattern in @WebhookEvent`);
    }
    const canonical = metadata.synonyms.includes(given) ? metadata.alias : given;
    if (seen.has(canonical)) {
      throw fail(`returned ${JSON.stringify(given)} twice${canonical !== given ? ` (a synonym counts as the alias ${metadata.alias}: webhooks subscribed under any spelling get its request)` : ''}, which would send each of its requests twice; list each alias once`);
    }
    seen.add(canonical);
  }
}

/**
 * Refuses what shouldFireWebhookForNotification() answered unless it is a boolean: `undefined`
 * (a forgotten `return`) skipped the event silently, and `'no'` or `1` fired it.
 */
function checkFireAnswer(className: string, answer: unknown): boolean {
  if (answer === true || answer === false) return answer;
  throw new HookworkError(
    'HOOKWORK_ERR_INVALID_EVENT_ANSWER',
    `${className}.shouldFireWebhookForNotification() answered ${answer === undefined ? 'undefined (a missing return?)' : shownValue(answer)}; it must answer true or false (or a promise of one). Nothing of this event was sent for this notification`,
  );
}

/**
 * The subscriptions of one spelling of an alias: its enabled webhooks, each once (a store lists a
 * webhook once per alias; the check is kept for one that does not). One webhook, the common case,
 * needs no set of keys, and its list is made at its size.
 */
function subscriptionsOf(webhooks: readonly WebhookInfo[], alias: string): WebhookSubscription[] {
  if (webhooks.length === 1) return webhooks[0]!.enabled ? [{ webhook: webhooks[0]!, alias }] : [];
  const result: WebhookSubscription[] = [];
  const seen = new Set<string>();
  for (const webhook of webhooks) {
    if (!webhook.enabled || seen.has(webhook.key)) continue;
    seen.add(webhook.key);
    result.push({ webhook, alias });
  }
  return result;
}

/** The content-type filter of a test send's example that the webhook's own filter would leave out: none. */
const NO_CONTENT_TYPES: readonly string[] = Object.freeze([]);

/**
 * What the payload converters get besides the notification or entity. Event classes are code a
 * plugin author writes and may put anything they get into a payload or a log line: the webhook
 * here is a {@link WebhookInfo}, which holds no signing secret and no sensitive header value.
 */
export interface PayloadContext {
  /** The webhook the payload is made for: frozen, with no secrets and sensitive header values redacted. */
  webhook: WebhookInfo;
  /** The alias that fired, as the webhook spells it. */
  alias: string;
}

/**
 * Options of one publish, passed down to the queue.
 * @typeParam TTransaction the app's host transaction type (its storage backend's or queue engine's).
 */
export interface PublishOptions<TTransaction = unknown> {
  /**
   * The host's open transaction, for backends that enqueue inside it (the transactional outbox):
   * the requests commit or roll back with the host's own change.
   */
  transaction?: TTransaction;
  /**
   * The OpenTelemetry context to trace in, instead of the active one. Given to `app.publish()`, it
   * is where the `hookwork.publish` span starts — a host without a context manager passes
   * `trace.setSpan(context.active(), itsSpan)` to nest the publish under its own span. An event's
   * {@link WebhookEventBase.handle} gets the publish span's context here and starts the enqueue
   * span in it, so publish and enqueue are one trace whether or not a context manager carries the
   * active span: an event class that overrides handle() passes `options` on to `super.handle()`.
   */
  traceContext?: Context;
  /**
   * Makes a retried publish safe: the key of this publish (1 to 200 visible ASCII characters, e.g.
   * the id of the change it reports, or of the host's outbox row). Each request's `webhook-id` is
   * then derived from the key, the webhook and the alias (see docs/delivery.md), not made afresh, so
   * publishing the same notification again with the same key — after HOOKWORK_ERR_ENQUEUE_UNCERTAIN,
   * a crash, a rolled-back-or-not commit — stores nothing that the store holds or remembers (queued,
   * dead, or delivered and still in the delivery log; 24 hours on BullMQ), and whatever a receiver
   * gets twice carries the same `webhook-id`. A key names one publish: reused for another
   * notification, the requests the first already stored are kept as they were (as Svix answers
   * with the first message) and only ones it did not make are stored.
   */
  idempotencyKey?: string;
}

/** Options an extension attaches to the event classes it adds (e.g. `{ payloadType: 'Legacy' }`). */
export type WebhookEventOptionsBag = Readonly<Record<string, unknown>>;

/** The payload shape of an event composed with `options`: its own `payloadType` option, else the setting. */
export function payloadTypeOf(options: WebhookEventOptionsBag, settings: { payloadType: PayloadType }): PayloadType {
  return (options.payloadType as PayloadType | undefined) ?? settings.payloadType;
}

/**
 * The base of every webhook event: one request per notification per subscribed webhook.
 * Subclasses are declared with @WebhookEvent and resolved from the app's container for each
 * notification, so their constructors may inject host services.
 *
 * The gates run in Umbraco's order: settings `enabled`, server role (Single or
 * SchedulingPublisher), {@link shouldFireWebhookForNotification}, then the enabled webhooks
 * subscribed to the alias (looked up through the alias index).
 */
export abstract class WebhookEventBase<TNotification extends object = object> {
  /** Options the composing extension attached to this class (see WebhookEventCollectionBuilder.addWithOptions). */
  eventOptions: WebhookEventOptionsBag = {};

  constructor(
    /** Core's services every event needs (settings, server role, webhooks, firing, logger); a subclass passes its `deps` on with `super(deps)`. */
    protected readonly deps: WebhookEventDependencies,
  ) {}

  /** This class's own @WebhookEvent declaration. */
  protected get metadata(): WebhookEventMetadata {
    const metadata = getWebhookEventMetadata(this.constructor);
    if (!metadata) {
      throw new HookworkError('HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT', `${this.constructor.name} is not decorated with @WebhookEvent; decorate the class itself (a parent's decoration does not count)`);
    }
    return metadata;
  }

  /** The alias webhooks subscribe to (`Umbraco.ContentPublish`). */
  get alias(): string {
    return this.metadata.alias;
  }

  /** The display name (`Content Published`). */
  get eventName(): string {
    return this.metadata.eventName;
  }

  /** Content, Media, Element, Member or Other (WebhookEventTypes), or a plugin's own string. */
  get eventType(): string {
    return this.metadata.eventType;
  }

  /** The payload shape for CMS-style events: this class's composed option, else the `payloadType` setting. */
  protected get payloadType(): PayloadType {
    return payloadTypeOf(this.eventOptions, this.deps.settings.current);
  }

  /**
   * Return false to skip this notification (e.g. a save that changed nothing). The default fires.
   * Answer `true` or `false` (or a promise of one): anything else, `undefined` from a missing
   * `return` among them, fails the event for that notification with HOOKWORK_ERR_INVALID_EVENT_ANSWER
   * (in publish()'s `failures`; the other events still fire).
   */
  shouldFireWebhookForNotification(_notification: TNotification): boolean | Promise<boolean> {
    return true;
  }

  /**
   * The payload of one request (the body is its `JSON.stringify`; a `Date` is sent as its ISO
   * string). The default sends the notification object itself. Return plain data, or `null` for an
   * empty body: `undefined`, a `Map`, `Set`, typed array, function, cycle, BigInt, invalid `Date` or an
   * object whose data is all in getters is HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE naming where, and a
   * body over `maxPayloadBytes` HOOKWORK_ERR_PAYLOAD_TOO_LARGE. Those, and whatever this throws (as the
   * `cause` of HOOKWORK_ERR_HANDLER_FAILED), are reported in publish()'s `failures` and the
   * `handlerFailed` lifecycle event, not thrown by publish(): this event's webhooks get nothing, the
   * other events still fire. See docs/events.md.
   */
  convertNotificationToRequestPayload(notification: TNotification, _context: PayloadContext): unknown | Promise<unknown> {
    return notification;
  }

  /**
   * The JSON Schema of the body this event sends (one request's payload), for the app's typed
   * catalogue (`createCatalogueDocument()`, `npx hookwork catalogue`) and the receiver types
   * generated from it. The default, undefined, means "any JSON": an event that knows its shape
   * returns it (`@hookwork/cms` does for its three payload shapes, the Cockpit plugin for its
   * envelope). A host that replaces an event's payload converter should describe its new
   * payload here too; the catalogue's own events describe nothing once their converter is replaced.
   * Called on an instance built as for a dispatch; it must not publish or look webhooks up.
   * `app.start()` calls it for the payload shape the app sends and fails with
   * HOOKWORK_ERR_INVALID_PAYLOAD_SCHEMA when it throws or returns anything but undefined or a
   * valid, plain-JSON JSON Schema object.
   */
  describePayload(_context: PayloadDescriptionContext): JsonSchema | undefined {
    return undefined;
  }

  /**
   * A realistic notification for test sends and editors' previews: what the host would publish
   * when this event happens, built from made-up but plausible data. The default, undefined,
   * means the event offers none, and a test send carries hookwork's generic example body.
   * `context` names the webhook and the alias the example is for, so an event with name-spaced
   * variants can make one that fires under that variant (`collections.save.after.posts`).
   * Return an instance of the event's notification class: another class's instance, `null` or a
   * primitive (or an example whose aliases leave out the one asked for) is
   * HOOKWORK_ERR_INVALID_EVENT_ANSWER, and the test send falls back to the generic body with that
   * error in its `exampleError`.
   */
  createExampleNotification(_context: PayloadContext): TNotification | undefined | Promise<TNotification | undefined> {
    return undefined;
  }

  /**
   * The request a real notification would send to `subscription`, made from
   * {@link createExampleNotification} through the same conversion as a dispatch (per-entity
   * requests, payload shapes and a host's replaced converters included); undefined when the
   * event offers no example. The gates (settings `enabled`, server role,
   * shouldFireWebhookForNotification) do not apply: a test send is asked for explicitly. When
   * the webhook's content-type filter keeps nothing of the example, the filter is ignored for
   * it, so a filtered webhook can still be tested; when the example yields several requests,
   * the first is used.
   */
  async buildExampleRequest(subscription: WebhookSubscription): Promise<FireRequest | undefined> {
    const notification = await this.createExampleNotification(subscription);
    if (notification === undefined) return undefined;
    const type = this.metadata.notification;
    // Sent as it was, an instance of another class (or a number) made a test body no publish could.
    if (!(notification instanceof type)) {
      throw new HookworkError(
        'HOOKWORK_ERR_INVALID_EVENT_ANSWER',
        `${this.constructor.name}.createExampleNotification() returned ${notification === null ? 'null' : typeof notification === 'object' ? `an instance of ${(notification as object).constructor?.name || 'a plain object'}` : shownValue(notification)}; return an instance of ${type.name}, the notification this event handles (new ${type.name}(…)), or undefined for no example. Nothing was sent`,
      );
    }
    // A variant the example does not fire under would carry another variant's body under its header.
    const { alias } = subscription;
    if (alias !== this.metadata.alias && !this.metadata.synonyms.includes(alias)) {
      const fired: unknown = this.getAliasesForNotification(notification);
      if (Array.isArray(fired) && !fired.includes(alias)) {
        throw new HookworkError(
          'HOOKWORK_ERR_INVALID_EVENT_ANSWER',
          `${this.constructor.name}.createExampleNotification() returned a notification that fires under ${fired.join(', ')}, not ${alias}, the variant this test send is for; make the example from the alias it is given (createExampleNotification({ alias })), or return undefined for no example`,
        );
      }
    }
    const [request] = await this.processWebhooks(notification, [subscription]);
    if (request) return request;
    // Frozen as every WebhookInfo is: an event class is handed this one as it is handed the others.
    const unfiltered = { ...subscription, webhook: Object.freeze({ ...subscription.webhook, contentTypeKeys: NO_CONTENT_TYPES }) };
    return (await this.processWebhooks(notification, [unfiltered]))[0];
  }

  /**
   * The aliases this notification fires under. Default: the event's alias. An event with
   * name-spaced variants returns those too (`collections.save.after`, `collections.save.after.posts`):
   * a webhook subscribed to both gets a request for each. Each must be the event's alias, one of
   * its synonyms (which counts as the alias: webhooks subscribed under any spelling get one request)
   * or a variant of one of its patterns, and be listed once; anything else fails the event for this
   * notification with HOOKWORK_ERR_INVALID_FIRED_ALIAS (in publish()'s failures, nothing of it stored).
   */
  getAliasesForNotification(_notification: TNotification): readonly string[] {
    return [this.alias];
  }

  /**
   * Handles one notification: runs the gates, builds the payloads and enqueues them in one batch.
   * Called by the notification bus; resolves when the requests are durably enqueued.
   */
  async handle(notification: TNotification, options: PublishOptions = {}): Promise<void> {
    const { settings, serverRoleAccessor } = this.deps;
    if (!settings.current.enabled) return;
    const role = serverRoleAccessor.currentServerRole;
    if (role !== 'Single' && role !== 'SchedulingPublisher') return;
    // A boolean (the usual answer) is taken as it is: awaited, it cost a promise and a turn per publish.
    let fire = this.shouldFireWebhookForNotification(notification);
    if (fire !== true && fire !== false) fire = checkFireAnswer(this.constructor.name, isThenable(fire) ? await fire : fire);
    if (!fire) return;
    // Read before the lookup: the requests belong to the webhooks as they were then (see FireOptions.webhooksReadAt).
    const webhooksReadAt = this.deps.firingService.now();
    const subscriptions = await this.getSubscriptions(notification);
    if (subscriptions.length === 0) return;
    const requests = await this.processWebhooks(notification, subscriptions);
    // Named, not spread ({ ...options, webhooksReadAt }): a spread of a non-empty object cost 200
    // bytes more at every publish, the literal 30. `satisfies` makes a field added to FireOptions
    // fail to compile here until it is passed on.
    const fireOptions = {
      transaction: options.transaction,
      traceContext: options.traceContext,
      idempotencyKey: options.idempotencyKey,
      webhooksReadAt,
      [PUBLISH_TALLY]: (options as TalliedOptions)[PUBLISH_TALLY],
    } satisfies { [K in keyof Required<FireOptions>]: FireOptions[K] } & TalliedOptions;
    await this.deps.firingService.fireMany(requests, fireOptions);
  }

  /**
   * The enabled webhooks subscribed to each fired alias, one per (webhook, fired alias).
   * For the event's own alias, webhooks subscribed under a synonym count too, and the
   * request carries the spelling the webhook subscribed with. Each webhook is its
   * {@link WebhookInfo}, made once per stored webhook object, not at each publish.
   */
  protected async getSubscriptions(notification: TNotification): Promise<WebhookSubscription[]> {
    const metadata = this.metadata;
    const { alias, synonyms } = metadata;
    const aliases = this.getAliasesForNotification(notification);
    // The default's answer needs no check; anything else could send this event's payload under another's alias.
    if (!(Array.isArray(aliases) && aliases.length === 1 && aliases[0] === alias)) checkFiredAliases(this.constructor.name, metadata, aliases);
    // One alias and one spelling of it (the common case): one lookup, and no list of spellings to build.
    if (aliases.length === 1 && synonyms.length === 0) return subscriptionsOf(await this.deps.webhooks.byAlias(aliases[0]!), aliases[0]!);
    const result: WebhookSubscription[] = [];
    for (const given of aliases) {
      const fired = synonyms.includes(given) ? alias : given;
      const seen = new Set<string>();
      for (const spelling of fired === alias ? [alias, ...synonyms] : [fired]) {
        for (const webhook of await this.deps.webhooks.byAlias(spelling)) {
          if (!webhook.enabled || seen.has(webhook.key)) continue;
          seen.add(webhook.key);
          result.push({ webhook, alias: spelling });
        }
      }
    }
    return result;
  }

  /** One request per subscription. WebhookEventContentBase overrides this for one per entity. */
  protected async processWebhooks(notification: TNotification, subscriptions: readonly WebhookSubscription[]): Promise<FireRequest[]> {
    // Made at its size: a list grown from empty by push() takes three times the memory for one request.
    const requests = new Array<FireRequest>(subscriptions.length);
    for (let i = 0; i < subscriptions.length; i++) {
      const { webhook, alias } = subscriptions[i]!;
      let payload = this.convertNotificationToRequestPayload(notification, { webhook, alias });
      // Awaited only when it is a promise: a plain value (the usual payload) needs no turn of the microtask queue.
      if (isThenable(payload)) payload = await payload;
      requests[i] = { webhook, alias, payload };
    }
    return requests;
  }
}

// The base is not decorated, so TypeScript emits no constructor metadata for it; subclasses
// without their own constructor (including generated catalogue classes) inherit this.
Reflect.defineMetadata('design:paramtypes', [WebhookEventDependencies], WebhookEventBase);
// What @WebhookEvent checks it decorates (see WEBHOOK_EVENT_BASE_MARK).
Object.defineProperty(WebhookEventBase.prototype, WEBHOOK_EVENT_BASE_MARK, { value: true });
// Where this copy of @hookwork/core lives, for the message when an app loads classes of two copies.
Object.defineProperty(WebhookEventBase, CORE_LOCATION, { get: ownCoreRoot });
