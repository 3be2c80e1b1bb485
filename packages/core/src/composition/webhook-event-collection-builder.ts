import { HookworkError, shownValue } from '../errors/hookwork-error';
import type { WebhookEventOptionsBag } from '../events/webhook-event-base';
import type { WebhookEventEntry } from '../events/webhook-event-catalogue';
import { eventClassName, SAME_NAME_HINT } from '../events/event-class-name';
import { getWebhookEventMetadata, isWebhookEventClass, WEBHOOK_EVENT_BASE_MARK, type WebhookEventClass } from '../events/webhook-event.decorator';
import { builderMemberConflict, checkExtension, declaredExtensionOwners, reserveBuilderMembers, type CollectionExtension, type CollectionExtensionMethod } from './collection-extension';
import { PAYLOAD_TYPES } from '../settings/settings';
import { assertSynchronousComposition } from './synchronous-composition';

/** Who contributes a builder extension method, for the error when it was not composed. */
export interface ExtensionOwner {
  /** The npm package that contributes the method. */
  packageName: string;
  /** How an app composes the package (e.g. "cmsComposer()"), for the message. */
  composerHint?: string;
}


/**
 * Refuses options no event could read: a string (`'Legacy'`, spread into `{ 0: 'L', … }`) or a
 * `payloadType` that is not one. Accepted, the latter failed every publish of the event and the
 * catalogue advertised the shape.
 */
function checkEventOptions(options: unknown): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `addWithOptions() takes an options object first, such as addWithOptions({ payloadType: 'Legacy' }, MyEvent); got ${shownValue(options)}`);
  }
  const { payloadType } = options as WebhookEventOptionsBag;
  if (payloadType !== undefined && !PAYLOAD_TYPES.includes(payloadType as never)) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `addWithOptions(): payloadType must be one of ${PAYLOAD_TYPES.join(', ')} (case matters); got ${shownValue(payloadType)}`);
  }
}

/**
 * Refuses a replacement that stands in for nothing of the replaced event: it handles another
 * notification class and answers to none of its aliases. Umbraco's replace() is meant for a new
 * payload of the same event, and such a swap left the replaced notification firing nothing and
 * the webhooks subscribed to its alias getting nothing, without a word; a new webhook under that
 * alias was then refused with a "did you mean" to a neighbour. A replacement that keeps either —
 * the notification (a renamed alias) or the alias (another notification under the same name) — is
 * taken as meant.
 */
function assertStandIn(replaced: WebhookEventClass, replacement: WebhookEventClass): void {
  const old = getWebhookEventMetadata(replaced);
  const next = getWebhookEventMetadata(replacement);
  if (old === undefined || next === undefined || old.notification === next.notification) return;
  if (next.alias === old.alias || next.synonyms.includes(old.alias)) return;
  const notification = (type: Function) => (type.name ? type.name : 'an anonymous notification class');
  const from = eventClassName(replaced);
  const to = eventClassName(replacement);
  throw new HookworkError(
    'HOOKWORK_ERR_REPLACEMENT_UNRELATED',
    `cannot replace ${from} (alias ${old.alias}, for ${notification(old.notification)}) with ${to} (alias ${next.alias}, for ${notification(next.notification)}): ` +
      `it handles another notification under another alias, so ${notification(old.notification)} would fire nothing and webhooks subscribed to ${old.alias} would get nothing. ` +
      `To change ${from}'s payload, extend it (class My extends ${from}, decorated with @WebhookEvent: it keeps the alias and the notification); ` +
      `to compose another event in its stead, use remove(${from}).add(${to})`,
  );
}

/**
 * The ordered set of webhook event classes an app composes, with Umbraco's semantics: by class,
 * no duplicates, insertion order kept; re-adding moves a class to the end; `replace` keeps the
 * position. Packages contribute methods such as `addCms()` through {@link install}. Frozen once
 * the app is built: changing it then is HOOKWORK_ERR_COLLECTION_FROZEN.
 */
export class WebhookEventCollectionBuilder {
  private entries: WebhookEventEntry[] = [];
  private frozen = false;
  private readonly installed = new Map<string, string>();
  /** The composer running now, as messages name it (set by createHookwork around each compose()). */
  private composer: string | undefined;
  /** The composer that last removed each class (remove(), or replace() taking it out). */
  private readonly removedBy = new Map<WebhookEventClass, string>();
  /** Composers that called clear(): what they add afterwards is their own chosen set. */
  private readonly clearedBy = new Set<string>();
  /** Classes a composer added back after an earlier composer removed them. */
  private readonly readded = new Map<WebhookEventClass, { type: WebhookEventClass; removedBy: string; addedBy: string }>();
  /** The extension method running now (`webhookEvents().addCms() of @hookwork/cms`), as messages name it. */
  private extensionCall: string | undefined;
  /** Who added each class last, for HOOKWORK_ERR_DUPLICATE_ALIAS: the composer, and the extension method it went through. */
  private readonly origins = new Map<WebhookEventClass, string>();

  /** @internal created by WebhooksBuilder; `pendingOwners` names packages whose composers run later. */
  constructor(private readonly pendingOwners: ReadonlyMap<string, ExtensionOwner> = new Map()) {}

  /** Adds event classes at the end; a class already present moves to the end (keeping its options). */
  add(...types: WebhookEventClass[]): this {
    return this.addEntries(types, undefined);
  }

  /**
   * Adds event classes with options the events read (`this.eventOptions`), e.g.
   * `{ payloadType: 'Legacy' }`. Used by extensions such as `addCms({ payloadType })`.
   */
  addWithOptions(options: WebhookEventOptionsBag, ...types: WebhookEventClass[]): this {
    checkEventOptions(options);
    return this.addEntries(types, Object.freeze({ ...options }));
  }

  /** Removes a class; nothing happens when it is absent. HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT for what is no event class (an alias string). */
  remove(type: WebhookEventClass): this {
    this.assertMutable('remove');
    // What is not an event class is never in the collection: removing it "did nothing" silently,
    // and remove('Umbraco.ContentPublish') from JavaScript left the event composed.
    this.assertEventClass(type, 'remove');
    this.entries = this.entries.filter((entry) => entry.type !== type);
    this.noteRemoved(type);
    return this;
  }

  /**
   * Puts `replacement` where `replaced` is, with its options. A `replacement` already in the
   * collection is removed from its old place first. Nothing happens when both are the same class.
   * HOOKWORK_ERR_REPLACE_TARGET_MISSING when `replaced` is absent; HOOKWORK_ERR_REPLACEMENT_UNRELATED
   * when `replacement` is no stand-in for it (another notification and none of its aliases).
   */
  replace(replaced: WebhookEventClass, replacement: WebhookEventClass): this {
    this.assertMutable('replace');
    this.assertEventClass(replaced, 'replace');
    this.assertEventClass(replacement, 'replace');
    if (replaced === replacement) return this;
    const index = this.entries.findIndex((entry) => entry.type === replaced);
    if (index < 0) {
      // A class of the same name in the collection is another copy of it: "add it first" would compose both.
      const namesake = replaced.name !== '' && this.entries.some((entry) => entry.type.name === replaced.name);
      throw new HookworkError(
        'HOOKWORK_ERR_REPLACE_TARGET_MISSING',
        namesake
          ? `cannot replace ${eventClassName(replaced)} with ${eventClassName(replacement)}: the collection holds a different class named ${eventClassName(replaced)}, not the one given. Most likely ${SAME_NAME_HINT}`
          : `cannot replace ${eventClassName(replaced)} with ${eventClassName(replacement)}: ${eventClassName(replaced)} is not in the collection (add it first, use add(${eventClassName(replacement)}), or check that the composer adding it runs before this one)`,
      );
    }
    assertStandIn(replaced, replacement);
    const options = this.entries[index]!.options;
    const next = this.entries.filter((entry) => entry.type !== replacement);
    next.splice(next.findIndex((entry) => entry.type === replaced), 1, { type: replacement, options });
    const present = this.entries.some((entry) => entry.type === replacement);
    this.entries = next;
    this.noteRemoved(replaced);
    this.noteAdded(replacement, present);
    this.noteOrigin(replacement);
    return this;
  }

  /** Removes every class. */
  clear(): this {
    this.assertMutable('clear');
    this.entries = [];
    // Nothing re-added before stays; what is added after is noted afresh.
    this.readded.clear();
    if (this.composer !== undefined) this.clearedBy.add(this.composer);
    return this;
  }

  /** True when the class is in the collection. HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT for what is no event class (an alias string). */
  has(type: WebhookEventClass): boolean {
    this.assertEventClass(type, 'has');
    return this.entries.some((entry) => entry.type === type);
  }

  /** The composed classes, in order. */
  get types(): readonly WebhookEventClass[] {
    return this.entries.map((entry) => entry.type);
  }

  /** The composed classes with their options, in order. */
  getEntries(): readonly WebhookEventEntry[] {
    return [...this.entries];
  }

  /**
   * Installs a package's extension methods on this builder (idempotent for the same package).
   * HOOKWORK_ERR_EXTENSION_CONFLICT when another package already installed a method of that name.
   */
  install(extension: CollectionExtension): this {
    this.assertMutable('install');
    if (extension === null || typeof extension !== 'object') {
      throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `install() takes what defineCollectionExtension(packageName, { addSomething() { … } }) returns; got ${shownValue(extension)}`);
    }
    checkExtension(extension.packageName, extension.methods, `install(${shownValue(extension.packageName)})`);
    for (const [method, implementation] of Object.entries(extension.methods)) {
      const owner = this.installed.get(method);
      if (owner !== undefined && owner !== extension.packageName) {
        throw new HookworkError(
          'HOOKWORK_ERR_EXTENSION_CONFLICT',
          `${extension.packageName} contributes webhookEvents().${method}(), but ${owner} already installed a method of that name; compose only one of them`,
        );
      }
      if (owner === undefined && method in this) {
        throw builderMemberConflict(extension.packageName, method);
      }
      this.installed.set(method, extension.packageName);
      Object.defineProperty(this, method, { value: synchronousMethod(method, implementation, extension.packageName), configurable: true, enumerable: false, writable: false });
    }
    return this;
  }

  /**
   * @internal who added `type` last, as messages name it: `App (composers[2])`, with `through
   * webhookEvents().addMyCms() of hookwork-plugin-mycms` when an extension method added it;
   * undefined outside createHookwork()'s composers.
   */
  originOf(type: WebhookEventClass): string | undefined {
    return this.origins.get(type);
  }

  /** @internal runs an installed extension method, so what it adds is known to have come through it. */
  callExtension<T>(call: string, run: () => T): T {
    const outer = this.extensionCall;
    this.extensionCall ??= call;
    try {
      return run();
    } finally {
      this.extensionCall = outer;
    }
  }

  private noteOrigin(type: WebhookEventClass): void {
    if (this.composer === undefined) return;
    this.origins.set(type, this.extensionCall === undefined ? this.composer : `${this.composer} through ${this.extensionCall}`);
  }

  /** @internal names the composer whose compose() runs now (undefined once composition ends). */
  composing(composer: string | undefined): void {
    this.composer = composer;
  }

  /**
   * @internal classes one composer removed and a later composer added again, still composed at the
   * end: remove() takes out only what is in the collection when it runs (Umbraco's semantics), so a
   * composer listed before the one adding the class removed nothing that lasts.
   */
  readdedAfterRemoval(): readonly { type: WebhookEventClass; removedBy: string; addedBy: string }[] {
    return [...this.readded.values()].filter((readded) => this.entries.some((entry) => entry.type === readded.type));
  }

  private noteRemoved(type: WebhookEventClass): void {
    if (this.composer === undefined) return;
    this.removedBy.set(type, this.composer);
    this.readded.delete(type);
  }

  /**
   * Notes an add that undoes another composer's removal: the class was absent when added, another
   * composer's remove() or replace() took it out last, and the adding composer has not called
   * clear(). Not when it was present (its removal was undone already, and an add only moves it), nor
   * when the composer that removed it adds it again (its own choice, e.g. moving it to the end), nor
   * after the adding composer's own clear() (what follows is the set it chose).
   */
  private noteAdded(type: WebhookEventClass, present: boolean): void {
    if (this.composer === undefined || present) return;
    const removedBy = this.removedBy.get(type);
    if (removedBy === undefined) return;
    if (removedBy === this.composer || this.clearedBy.has(this.composer)) {
      this.removedBy.delete(type);
      return;
    }
    this.readded.set(type, { type, removedBy, addedBy: this.composer });
  }

  /** @internal freezes the collection when the app is built. */
  freeze(): void {
    this.frozen = true;
  }

  /** @internal the error for an extension method that no composed package installed. */
  missingExtension(method: string): HookworkError {
    const pending = this.pendingOwners.get(method);
    if (pending) {
      return new HookworkError(
        'HOOKWORK_ERR_EXTENSION_NOT_COMPOSED',
        `webhookEvents().${method}() comes from ${pending.packageName}, whose composer has not run yet: list ${pending.composerHint ?? `${pending.packageName}'s composer`} before the composer that calls ${method}()`,
      );
    }
    // Core knows no package by name; a package whose module is loaded declared its methods.
    const composerOf = (owner: ExtensionOwner) => owner.composerHint ?? `${owner.packageName}'s composer`;
    const owners = declaredExtensionOwners(method);
    if (owners.length === 1) {
      return new HookworkError(
        'HOOKWORK_ERR_EXTENSION_NOT_COMPOSED',
        `webhookEvents().${method}() comes from ${owners[0]!.packageName}, which this app does not compose: add ${composerOf(owners[0]!)} to createHookwork({ composers: [...] }), before the composer that calls ${method}()`,
      );
    }
    if (owners.length > 1) {
      return new HookworkError(
        'HOOKWORK_ERR_EXTENSION_NOT_COMPOSED',
        `webhookEvents().${method}() is not installed on this app's builder: ${owners.map((owner) => owner.packageName).join(' and ')} each declare it, and this app composes neither. Add the composer of the one you mean (${owners.map(composerOf).join(' or ')}) to createHookwork({ composers: [...] }), before the composer that calls ${method}()`,
      );
    }
    return new HookworkError(
      'HOOKWORK_ERR_EXTENSION_NOT_COMPOSED',
      `webhookEvents().${method}() is not installed on this app's builder: no composer of this app contributes it, and no package loaded in this process declares it. Add the composer of the package that provides ${method}() (its README names it) to createHookwork({ composers: [...] }), before the composer that calls it`,
    );
  }

  private addEntries(types: readonly WebhookEventClass[], options: WebhookEventOptionsBag | undefined): this {
    this.assertMutable('add');
    for (const type of types) this.assertEventClass(type, 'add');
    for (const type of types) {
      const existing = this.entries.find((entry) => entry.type === type);
      this.entries = this.entries.filter((entry) => entry.type !== type);
      this.entries.push({ type, options: options ?? existing?.options ?? {} });
      this.noteAdded(type, existing !== undefined);
      this.noteOrigin(type);
    }
    return this;
  }

  private assertEventClass(type: unknown, operation: string): asserts type is WebhookEventClass {
    if (isWebhookEventClass(type)) return;
    if (typeof type !== 'function') {
      // The collection holds classes; an alias names a webhook's subscription, not a class. A list
      // (add([A, B]), a plugin's exported array) was shown as "[null]" with no word of spreading it.
      const fix =
        typeof type === 'string'
          ? 'pass the event class (e.g. ContentPublishedWebhookEvent), not an alias'
          : Array.isArray(type)
            ? `it takes the classes one by one, not a list: spread it, ${operation}(...events)`
            : 'pass an event class decorated with @WebhookEvent(name, type)';
      if (Array.isArray(type)) throw new HookworkError('HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT', `${operation}(an array of ${type.length}): not a webhook event class; ${fix}`);
      throw new HookworkError('HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT', `${operation}(${shownValue(type)}): not a webhook event class; ${fix}`);
    }
    const name = eventClassName(type);
    if ((type.prototype as Record<symbol, unknown> | undefined)?.[WEBHOOK_EVENT_BASE_MARK] !== true) {
      // A notification, a composer or a service: "decorate it with @WebhookEvent" was no fix for those.
      const handler = this.entries.find((entry) => getWebhookEventMetadata(entry.type)?.notification === type);
      throw new HookworkError(
        'HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT',
        `${operation}(${name}): ${name} does not extend WebhookEventBase, so it is no webhook event class; the collection takes event classes (class MyEvent extends WebhookEventBase<MyNotification>, decorated with @WebhookEvent), not notifications, composers or services${handler ? `. The composed event handling ${name} is ${eventClassName(handler.type)}` : ''}`,
      );
    }
    throw new HookworkError(
      'HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT',
      `${operation}(${name}): ${name} is not a webhook event class; decorate the class itself with @WebhookEvent(name, type) (a parent's decoration is not inherited)`,
    );
  }

  private assertMutable(operation: string): void {
    if (this.frozen) {
      throw new HookworkError('HOOKWORK_ERR_COLLECTION_FROZEN', `webhookEvents().${operation}() was called after the app was built; compose events inside a composer passed to createHookwork()`);
    }
  }
}

/**
 * Wraps a collection builder so that calling an `add…` extension method that no composed
 * package installed is a coded error naming the package, not "is not a function".
 * @internal
 */
export function guardExtensions(builder: WebhookEventCollectionBuilder): WebhookEventCollectionBuilder {
  return new Proxy(builder, {
    get(target, property, receiver) {
      if (typeof property === 'string' && !(property in target) && /^add[A-Z]/.test(property)) {
        return () => {
          throw target.missingExtension(property);
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

/**
 * An extension method that refuses to be async: it must return the builder, not a promise of it.
 * One that ends without `return this` (plain JavaScript compiles it) returns the builder all the
 * same: the app's next call in the chain (`.addCommerce().replace(…)`) failed with "Cannot read
 * properties of undefined", which named neither the package nor its method.
 */
function synchronousMethod(name: string, implementation: CollectionExtensionMethod, packageName: string): CollectionExtensionMethod {
  return function (this: WebhookEventCollectionBuilder, ...args: unknown[]) {
    const call = `webhookEvents().${name}() of ${packageName}`;
    const result = this.callExtension(call, () => implementation.apply(this, args));
    assertSynchronousComposition(result, call);
    return result === undefined ? this : result;
  };
}

// What defineCollectionExtension() refuses as a method name when a package declares it.
reserveBuilderMembers(Object.getOwnPropertyNames(WebhookEventCollectionBuilder.prototype));
