import 'reflect-metadata';
import { types } from 'node:util';
import type { TracerProvider } from '@opentelemetry/api';
import { container as rootContainer, instanceCachingFactory } from 'tsyringe';
import { Attempt } from '../delivery/attempt';
import { DeliveryLogWriter } from '../delivery/delivery-log-writer';
import { DroppedRequests } from '../delivery/dropped-requests';
import { DeliveryFailureLog } from '../delivery/failure-log';
import { WebhookHealthMonitor } from '../delivery/health/webhook-health-monitor';
import { stateFor } from '../delivery/health/health-policy';
import { LogCleanup } from '../delivery/log-cleanup';
import { DeliveryOptionsToken, deliveryOptionProblems, type DeliveryOptions } from '../delivery/delivery-options';
import { pollingQueue } from '../delivery/engine/polling-engine';
import { createTransport, isTransportChoice, TRANSPORT_CHOICE_EXPECTED, type TransportChoice } from '../delivery/transport/transport-choice';
import { WebhookCache } from '../delivery/webhook-cache';
import { HookworkError, shownValue } from '../errors/hookwork-error';
import { shownList } from '../errors/shown-list';
import { thrownMessage } from '../errors/thrown-message';
import { readOrRefuse } from '../model/caller-input';
import { isPlainObject, objectKind } from '../model/plain-object';
import { NotificationBus } from '../events/notification-bus';
import { WebhookEventCatalogue } from '../events/webhook-event-catalogue';
import { SubscribedWebhooks } from '../events/subscribed-webhooks';
import { WebhookEventDependencies } from '../events/webhook-event-dependencies';
import { WebhookEventResolver } from '../events/webhook-event-resolver';
import { getWebhookEventMetadata } from '../events/webhook-event.decorator';
import { EnqueueGate } from '../firing/enqueue-gate';
import { WebhookFiringService } from '../firing/webhook-firing-service';
import { createCatalogueDocument } from '../management/catalogue-document';
import { ManagementService } from '../management/management-service';
import { WebhookChanges } from '../management/webhook-changes';
import { TestSender } from '../management/test-send';
import { OpenQueueEngine, WebhookService } from '../management/webhook-service';
import { LifecycleEmitter, LifecycleReporter, LifecycleToken } from '../observability/lifecycle-events';
import { defaultLogger, guardedLogger, LoggerToken, type Logger } from '../observability/logger';
import { HookworkMetrics } from '../observability/metrics';
import { hookworkTracer, TracerToken } from '../observability/tracing';
import { DeliveryLogToken, type DeliveryLog } from '../ports/delivery-log';
import { QueueEngineToken, type QueueEngine, type QueueEngineProvider } from '../ports/queue-engine';
import { RequestQueueToken, type RequestQueue } from '../ports/request-queue';
import type { Storage, StorageBackend } from '../ports/storage-backend';
import { TransportToken, type Transport } from '../ports/transport';
import { WebhookHealthStoreToken, type WebhookHealthStore } from '../ports/webhook-health-store';
import { WebhookRepositoryToken, type WebhookRepository } from '../ports/webhook-repository';
import { ClockToken, systemClock, type Clock } from '../runtime/clock';
import { SERVER_ROLES, ServerRoleAccessorToken, fixedServerRole, type ServerRoleAccessor } from '../runtime/server-role';
import { resolveToken } from '../runtime/tokens';
import { resolveSettings } from '../settings/resolve-settings';
import { SettingsToken, type HookworkSettings, type HookworkSettingsInput, type SettingsAccessor } from '../settings/settings';
import { memoryStorage, MemoryWebhookHealthStore } from '../storage/memory/memory-storage';
import type { Composer, ComposerLike } from './composer';
import { OwnRequests } from './drain';
import { OwnRequestsToken } from '../firing/own-requests-token';
import { HookworkApp, type Hookwork } from './hookwork-app';
import { assertSynchronousComposition } from './synchronous-composition';
import type { ExtensionOwner, WebhookEventCollectionBuilder } from './webhook-event-collection-builder';
import { eventClassName } from '../events/event-class-name';
import { SettingsBuilder, WebhooksBuilder } from './webhooks-builder';
import { quoted } from '../errors/visible-text';

/**
 * What createHookwork() takes. Every key is optional; an unknown key or a value of the wrong
 * kind is HOOKWORK_ERR_INVALID_OPTIONS at once. The options are read once when createHookwork()
 * takes them — each key, the `composers` list and `delivery` (with `tls` and `loggedHeaders`) —
 * so what is checked is what the app is made with; a getter or Proxy trap that throws is refused
 * with that code, naming it. Composers, the storage, the logger, the clock and the server role are
 * the host's objects and are kept as given: their methods (and `serverRole.currentServerRole`) are
 * asked each time they are used.
 *
 * @typeParam TStorageTransaction the host transaction of the storage backend.
 * @typeParam TQueueTransaction the host transaction of the queue engine (default: the storage's).
 */
export interface HookworkOptions<TStorageTransaction = never, TQueueTransaction = TStorageTransaction> {
  /** Composers, run in this order. */
  composers?: readonly ComposerLike[];
  /** Settings (validated; see docs/settings.md). Composers may adjust them further. */
  settings?: HookworkSettingsInput;
  /** Where webhooks, requests and logs live. Default: in memory (nothing survives the process). */
  storage?: StorageBackend<TStorageTransaction>;
  /**
   * How requests get from the queue to the attempt. Default: the built-in engine polling the
   * storage's request queue; e.g. `bullmqQueue({ connection })` from `@hookwork/bullmq`.
   */
  queue?: QueueEngineProvider<TQueueTransaction>;
  /** Default: warnings and errors to the console (silent when NODE_ENV is `test`, as under jest). */
  logger?: Logger;
  /**
   * Default: the wall clock. createHookwork() asks its now() once: one that answers no valid Date
   * (`clock: Date`, `{ now: Date.now }`, whose answer is a number) is HOOKWORK_ERR_INVALID_OPTIONS.
   */
  clock?: Clock;
  /** Default: `Single` (this process fires). */
  serverRole?: ServerRoleAccessor;
  /**
   * How requests go out. `'axios'` (the default: axios over keep-alive agents, configurable with
   * `delivery.configureAxios`), `'undici'` (the lean transport: same guarantees, less CPU per
   * delivery), a function making a transport from the app's settings, resolver and TLS trust,
   * or a ready {@link Transport}. The built-in ones apply `delivery.tls` and `delivery.resolver`.
   * The app closes at stop() the transport it makes (by name, or with the factory); a ready one
   * is the host's — several apps may share it — and the host closes it after the last of them stopped.
   * See docs/transport.md.
   */
  transport?: TransportChoice;
  /** Delivery hooks: a before-send hook, axios configuration, TLS trust, a host name resolver (tests). */
  delivery?: DeliveryOptions;
  /**
   * Where hookwork's OpenTelemetry spans go. Default: the OpenTelemetry API's global provider
   * (the host's SDK, or nothing when it registered none).
   */
  tracerProvider?: TracerProvider;
}

const OPTION_KINDS: Readonly<Record<keyof HookworkOptions, { check: (v: unknown) => boolean; expected: string }>> = {
  composers: { check: Array.isArray, expected: 'a list of composers, e.g. [cmsComposer(), MyComposer]' },
  settings: { check: isPlainObject, expected: 'a plain object of settings, e.g. { maximumRetries: 3 }' },
  storage: { check: (v) => hasMethod(v, 'open'), expected: 'a storage backend such as sqliteStorage({ file }) (not a path string)' },
  queue: { check: (v) => hasMethod(v, 'open'), expected: 'a queue engine provider such as bullmqQueue({ connection })' },
  logger: { check: (v) => ['debug', 'info', 'warn', 'error'].every((m) => hasMethod(v, m)), expected: 'a logger with debug, info, warn and error methods' },
  clock: { check: (v) => hasMethod(v, 'now'), expected: 'a clock with a now() method' },
  serverRole: { check: (v) => typeof v === 'object' && v !== null && 'currentServerRole' in v, expected: 'a server role accessor such as fixedServerRole("Single")' },
  transport: { check: isTransportChoice, expected: TRANSPORT_CHOICE_EXPECTED },
  delivery: { check: isPlainObject, expected: 'a plain object of delivery options such as { beforeSend }' },
  tracerProvider: { check: (v) => hasMethod(v, 'getTracer'), expected: 'an OpenTelemetry TracerProvider (with getTracer())' },
};

function hasMethod(value: unknown, name: string): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as Record<string, unknown>)[name] === 'function';
}

/**
 * The options as read once, where createHookwork() takes them ({@link readOrRefuse}): each option,
 * each `delivery` option (with `tls` and `loggedHeaders`) and each entry of `composers` a single
 * time, so a getter or Proxy trap that throws is HOOKWORK_ERR_INVALID_OPTIONS naming it
 * (`delivery.tls`, `composers[1]`), and a getter answering differently on a second read cannot make
 * what {@link checkOptions} checks differ from what the app is made with. `settings` is read so by
 * resolveSettings(). What an option holds is otherwise kept as given — a composer, the storage, the
 * logger, the clock, the server role are the host's objects, whose methods and accessors
 * (`serverRole.currentServerRole`) are meant to be asked whenever they are used.
 */
function readOptions(given: unknown): unknown {
  const refusal = (path: string, problem: string) =>
    new HookworkError('HOOKWORK_ERR_INVALID_OPTIONS', `createHookwork() was given bad options: ${path || 'the options'} ${problem}`, { details: [{ key: path || '(root)', problem }] });
  const options = readOrRefuse(given, refusal, 1);
  if (!isPlainObject(options)) return options;
  const read = options as Record<string, unknown>;
  const under = (key: string) => (path: string, problem: string) => refusal(path === '' ? key : path.startsWith('[') ? `${key}${path}` : `${key}.${path}`, problem);
  // Own keys only, as checkOptions() takes them: a `__proto__` key stays a key for it to refuse.
  if (Object.hasOwn(read, 'delivery') && isPlainObject(read.delivery)) read.delivery = readOrRefuse(read.delivery, under('delivery'), 3);
  if (Object.hasOwn(read, 'composers') && Array.isArray(read.composers)) read.composers = readOrRefuse(read.composers, under('composers'), 1);
  return read;
}

/**
 * One option's check: true, or its problem. A getter or Proxy trap of the host's object that
 * throws while it is looked at is the option's problem too, not a bare error out of createHookwork().
 */
function checked(check: () => true | string): true | string {
  try {
    return check();
  } catch (error) {
    // thrownMessage(), not instanceof: a clock's now() may throw anything — an Error of another
    // realm (was quoted as `({})`) or a Proxy whose traps throw (instanceof threw out of here raw).
    return `could not be read: looking at it threw (${thrownMessage(error, { named: false })}); give an object without throwing getters or Proxy traps`;
  }
}

/** Refuses an unknown option (a typo such as `composer`, from JavaScript) or a value of the wrong kind, naming every one. */
function checkOptions(options: unknown): void {
  if (!isPlainObject(options)) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_OPTIONS', `createHookwork() takes an options object such as { composers: [...], storage: sqliteStorage({ file }) }${options !== null && typeof options === 'object' ? `; got ${objectKind(options)}` : ''}`);
  }
  const problems: { key: string; problem: string }[] = [];
  for (const [key, value] of Object.entries(options)) {
    // Own keys only: `constructor` or `__proto__` (JSON.parse makes it an own key) found Object's.
    const kind = Object.hasOwn(OPTION_KINDS, key) ? OPTION_KINDS[key as keyof HookworkOptions] : undefined;
    if (!kind) {
      const near = Object.keys(OPTION_KINDS).find((k) => k.toLowerCase().startsWith(key.toLowerCase().slice(0, 4)));
      problems.push({ key, problem: `is not an option${near ? ` (did you mean ${near}?)` : ''}; the options are ${Object.keys(OPTION_KINDS).join(', ')}` });
    } else if (value !== undefined) {
      const verdict = checked(() => kind.check(value) || `must be ${kind.expected}`);
      if (verdict !== true) problems.push({ key, problem: verdict });
    }
  }
  const { delivery, transport, serverRole, clock } = options as HookworkOptions;
  // Given and of its kind: the loop above found no problem with it.
  const fine = (key: keyof HookworkOptions, value: unknown) => value !== undefined && !problems.some((p) => p.key === key);
  if (transport !== undefined && transport !== 'axios' && fine('transport', transport) && typeof delivery === 'object' && delivery?.configureAxios) {
    problems.push({ key: 'delivery.configureAxios', problem: `configures the axios transport, and transport is ${typeof transport === 'string' ? `'${transport}'` : 'the host\'s own'}; remove configureAxios or use transport: 'axios'` });
  }
  // A ready transport object is built already: the resolver and TLS trust cannot reach it.
  if (fine('delivery', delivery)) problems.push(...deliveryOptionProblems(delivery!, typeof transport === 'object' && transport !== null));
  if (fine('serverRole', serverRole)) {
    // Asked here and whenever the app fires: an accessor's role may change (a host's leader election).
    const verdict = checked(() => {
      const role = serverRole!.currentServerRole;
      return SERVER_ROLES.includes(role) || `is ${quoted(role)}; it must be one of ${SERVER_ROLES.join(', ')} (case matters)`;
    });
    if (verdict !== true) problems.push({ key: 'serverRole.currentServerRole', problem: verdict });
  }
  if (fine('clock', clock)) {
    const verdict = checked(() => clockProblem(clock!));
    if (verdict !== true) problems.push({ key: 'clock.now()', problem: verdict });
  }
  const composers = (options as HookworkOptions).composers;
  if (Array.isArray(composers)) {
    composers.forEach((c, i) => {
      const verdict = checked(() => {
        if (typeof c !== 'function') return hasMethod(c, 'compose') || `must be an object with compose(builder) or a class of one; got ${c === null ? 'null' : typeof c}${pascalCompose(c)}`;
        if (isComposerClass(c)) return true;
        // A package's composer factory given uncalled (`composers: [cmsComposer]`, the `()` forgotten):
        // "wrap it as { compose: cmsComposer }" called it with the builder as its options, another refusal.
        if (/Composer$/.test(c.name)) return `is a function (${c.name}), not a composer: it looks like a function that makes one, given without calling it; call it: ${c.name}() (or, if it is the compose step itself, wrap it as { compose: ${c.name} })`;
        return `is a function (${c.name || 'anonymous'}), not a composer: a composer is an object with compose(builder), or a class with a compose(builder) method; wrap the function as { compose: ${c.name || '(builder) => …'} }`;
      });
      if (verdict !== true) problems.push({ key: `composers[${i}]`, problem: verdict });
    });
  }
  if (problems.length > 0) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_OPTIONS', `createHookwork() was given bad options: ${shownList(problems, { show: (p) => `${p.key} ${p.problem}`, separator: '; ' })}`, { details: problems });
  }
}

/**
 * Asks the host's clock once what time it is: `clock: Date` (whose static now() is Date.now(), a
 * number of milliseconds) or `{ now: Date.now }` has a now() method and used to pass, and the app
 * then failed later with a bare TypeError — `webhooks.create()` (`createdAt.getTime is not a
 * function`), the dispatcher, and `stop()` itself.
 */
function clockProblem(clock: Clock): true | string {
  const now: unknown = clock.now();
  if (types.isDate(now) && !Number.isNaN(now.getTime())) return true;
  const got =
    types.isDate(now) ? 'an invalid Date' : now === null || now === undefined ? String(now) : `${/^[aeiou]/.test(typeof now) ? 'an' : 'a'} ${typeof now} ${shownValue(now)}`;
  const what = clock === (Date as unknown) ? 'the Date class, whose now() is Date.now()' : typeof now === 'number' ? 'a number of milliseconds, as Date.now() does' : 'no Date';
  return `must return a Date; it returned ${got} (${what}). Give { now: () => new Date() }, or leave clock out for the wall clock (systemClock)`;
}

/**
 * "; it has Compose(): the method is compose, in lower case" for a composer written as Umbraco's
 * IComposer is (`Compose(builder)`), else nothing: "must be an object with compose(builder)" did
 * not say why an object that has one in C#'s casing is none.
 */
function pascalCompose(value: unknown): string {
  try {
    return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { Compose?: unknown }).Compose === 'function'
      ? '; it has Compose(): the method is compose(builder), in lower case (Umbraco\'s IComposer.Compose)'
      : '';
  } catch {
    return '';
  }
}

/**
 * True for a composer class: one whose prototype has compose() (a compose arrow field counts
 * when the class is written with `class`). A plain function looks the same to `typeof` (a
 * function declaration even has a prototype), and used to be called with `new` and no builder,
 * failing with the function's own TypeError, or as "not a constructor" for an arrow function.
 */
function isComposerClass(type: Function): boolean {
  return typeof (type.prototype as { compose?: unknown } | undefined)?.compose === 'function' || /^class\b/.test(Function.prototype.toString.call(type));
}

/** A composer as messages name it: its name, else its class, else (an object literal, or one whose name can't be read) its place in `composers`. */
function composerName(composer: Composer, index: number): string {
  try {
    if (typeof composer.name === 'string' && composer.name) return composer.name;
    const type = (composer as object).constructor;
    if (type && type !== Object && type.name) return type.name;
  } catch {
    // A getter that throws: the place names it.
  }
  return `composers[${index}]`;
}

/**
 * Says, once the composers have run, which class a composer removed and a later one added again.
 * remove() of a class not (yet) in the collection does nothing, as Umbraco's does, so a remove()
 * listed before the composer adding the class left it composed without a word — where replace() in
 * that place throws HOOKWORK_ERR_REPLACE_TARGET_MISSING. A warning, not an error: the result is
 * what Umbraco composes too, and a host may mean it.
 */
function warnReaddedAfterRemoval(collection: WebhookEventCollectionBuilder, logger: Logger): void {
  for (const { type, removedBy, addedBy } of collection.readdedAfterRemoval()) {
    const event = eventClassName(type);
    logger.warn(
      `webhookEvents(): ${removedBy} removed ${event}, but ${addedBy}, listed after it, added it again, so ${event} is composed: remove() takes out only what is in the collection when it runs (as Umbraco's does). To leave it out, list ${removedBy} after ${addedBy} in createHookwork({ composers: [...] })`,
    );
  }
}

/** `new type()` for a composer given as a class; its constructor's own error becomes {@link failingAs}'s. */
function composerOf(type: new () => Composer, index: number): Composer {
  return failingAs(`new ${type.name || `composers[${index}]`}()`, () => new type());
}

/**
 * Runs one step of composition. A plain error it throws becomes HOOKWORK_ERR_COMPOSER_FAILED naming
 * the step (`MyComposer.compose()`), with the error as its cause: the stack alone left the user to
 * find which of the app's composers had failed. A coded error passes unchanged — it names its own
 * fix, and callers check its code.
 */
function failingAs<T>(step: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    // No instanceof on a Proxy, whose getPrototypeOf trap may throw (that error left createHookwork() raw);
    // an Error of another realm (a vm context, jest's sandbox) is told by its message, not as `{}`.
    if (!types.isProxy(error) && error instanceof HookworkError) throw error;
    const reason = types.isNativeError(error) || types.isProxy(error) ? thrownMessage(error, { named: false }) : shownValue(error);
    throw new HookworkError('HOOKWORK_ERR_COMPOSER_FAILED', `${step} threw: ${reason}; the app was not created. Fix that composer (the original error, with its stack, is this error's cause)`, { cause: error });
  }
}

/**
 * Creates an app: runs the composers in order, freezes the event collection and wires every
 * service into the app's own child container. Nothing global is touched; nothing is opened
 * until `start()`.
 *
 * ```ts
 * const app = createHookwork({ composers: [cmsComposer(), MyComposer], storage: sqliteStorage({ file: './hookwork.db' }) });
 * await app.start();
 * ```
 *
 * The options are read once, here: a getter or Proxy trap that throws is refused, and a getter
 * answering differently later changes nothing (see {@link HookworkOptions}).
 *
 * @throws HOOKWORK_ERR_INVALID_OPTIONS for an unknown option, a value of the wrong kind, or one
 * that could not be read (a getter or Proxy trap threw), naming it (`delivery.tls.ca`);
 * HOOKWORK_ERR_INVALID_SETTINGS for bad settings; HOOKWORK_ERR_COMPOSER_FAILED naming the composer
 * whose constructor or compose() threw (a coded error it throws passes unchanged).
 */
export function createHookwork<TStorageTransaction = never, TQueueTransaction = TStorageTransaction>(
  options: HookworkOptions<TStorageTransaction, TQueueTransaction> = {},
): Hookwork<TQueueTransaction> {
  // From here on, the copy read once: what is checked is what the app is made with.
  options = readOptions(options) as HookworkOptions<TStorageTransaction, TQueueTransaction>;
  checkOptions(options);
  const container = rootContainer.createChildContainer();
  const settingsBuilder = new SettingsBuilder(resolveSettings(options.settings ?? {}));
  const composers = (options.composers ?? []).map((c, index): Composer => (typeof c === 'function' ? composerOf(c, index) : c));

  // Core's services are registered before the composers run, so a composer can replace them
  // through builder.services, as Umbraco's core registers its defaults before user composers.
  let settings: HookworkSettings | undefined;
  const settingsAccessor: SettingsAccessor = { get current() { return settings ?? settingsBuilder.current; } };
  const lifecycle = new LifecycleEmitter();
  container.registerInstance(SettingsToken, settingsAccessor);
  container.registerInstance(LifecycleToken, lifecycle);
  // Warnings and errors reach the console unless the host passes its own logger; jest runs
  // with NODE_ENV=test, where the default stays quiet.
  container.registerInstance(LoggerToken, options.logger ?? defaultLogger());
  container.registerInstance(ClockToken, options.clock ?? systemClock);
  container.registerInstance(ServerRoleAccessorToken, options.serverRole ?? fixedServerRole('Single'));

  // Each composer's compose and extensions read once: what is checked is what runs.
  const steps = composers.map((composer, index) => {
    const name = composer ? composerName(composer, index) : `composers[${index}]`;
    const compose = composer ? failingAs(`${name}.compose`, () => composer.compose) : undefined;
    if (typeof compose !== 'function') {
      // A class written with `class` passes the options check, and is made before its compose() is looked for.
      const problem = `is a class whose instances have no compose(builder) method${pascalCompose(composer)}`;
      throw new HookworkError('HOOKWORK_ERR_INVALID_OPTIONS', `createHookwork() was given bad options: composers[${index}] (${name}) ${problem}`, { details: [{ key: `composers[${index}]`, problem }] });
    }
    const extensions = failingAs(`${name}.extensions`, () => [...(composer.extensions ?? [])]);
    return { composer, compose, extensions, name, step: `${name}.compose()` };
  });
  const pendingOwners = new Map<string, ExtensionOwner>();
  for (const { extensions } of steps) {
    for (const extension of extensions) {
      for (const method of Object.keys(extension.methods)) pendingOwners.set(method, { packageName: extension.packageName, composerHint: extension.composerHint });
    }
  }
  const builder = new WebhooksBuilder(container, settingsBuilder, pendingOwners);
  for (const [index, { composer, compose, extensions, step, name }] of steps.entries()) {
    builder.webhookEvents().composing(name === `composers[${index}]` ? name : `${name} (composers[${index}])`);
    assertSynchronousComposition(failingAs(step, () => compose.call(composer, builder)), step);
    for (const extension of extensions) for (const method of Object.keys(extension.methods)) pendingOwners.delete(method);
  }
  const collection = builder.webhookEvents();
  collection.composing(undefined);
  collection.freeze();
  settingsBuilder.freeze();
  const entries = collection.getEntries();
  const catalogue = new WebhookEventCatalogue(entries, (type) => collection.originOf(type));

  settings = settingsBuilder.current as HookworkSettings;
  // A composer may have replaced these defaults (e.g. the host's own logger). Whatever the logger,
  // hookwork and what it resolves from the container call it guarded: it must not throw into delivery.
  const logger = guardedLogger(resolveToken(container, LoggerToken));
  container.registerInstance(LoggerToken, logger);
  warnReaddedAfterRemoval(collection, logger);
  const clock = resolveToken(container, ClockToken);
  const reporter = new LifecycleReporter(lifecycle, logger);
  container.registerInstance(LifecycleReporter, reporter);
  // What drain() waits for: the firing service adds what it stores, as it stores it.
  const own = new OwnRequests();
  container.registerInstance(OwnRequestsToken, own);

  let storage: Storage<unknown> | undefined;
  let engine: QueueEngine<unknown> | undefined;
  const opened = <T>(pick: (s: Storage<unknown>) => T): T => {
    if (storage) return pick(storage);
    throw new HookworkError('HOOKWORK_ERR_APP_NOT_STARTED', 'storage is not open yet; await app.start() before managing webhooks or publishing');
  };
  container.registerInstance(WebhookEventCatalogue, catalogue);
  const resolver = new WebhookEventResolver(container, catalogue);
  container.registerInstance(WebhookEventResolver, resolver);
  // Each is the store (or engine) opened last, not the one open when a singleton was built: a
  // start() that failed after opening closes them, and the start() after it opens new ones. The
  // singletons built meanwhile (management's webhooks, the firing service) kept the closed ones, and
  // the start() the failed one's error asked for failed in turn (a PostgreSQL pool ended, for one).
  // After stop() they stay the last ones, as a resolved store always was.
  let lastStorage: Storage<unknown> | undefined;
  let lastEngine: QueueEngine<unknown> | undefined;
  const last = <T>(pick: (s: Storage<unknown>) => T): T => (lastStorage ? pick(lastStorage) : opened(pick));
  container.register<WebhookRepository>(WebhookRepositoryToken, { useValue: openedNow(() => last((s) => s.webhooks)) });
  container.register<RequestQueue<unknown>>(RequestQueueToken, { useValue: openedNow(() => last((s) => s.queue)) });
  container.register<DeliveryLog>(DeliveryLogToken, { useValue: openedNow(() => last((s) => s.deliveryLog)) });
  container.register<QueueEngine<unknown>>(QueueEngineToken, { useValue: openedNow(() => lastEngine ?? opened(() => undefined as never)) });
  // What the app makes (a built-in transport by name, or the host's factory's) is the app's, closed
  // by its stop(); a ready transport the host passed, or one a composer registered, is the host's:
  // other apps may be sending through it, and one app's stop() closed it under them.
  let madeTransport: Transport | undefined;
  container.register<Transport>(TransportToken, {
    useFactory: instanceCachingFactory(() => {
      const choice = options.transport ?? 'axios';
      const made = createTransport(choice, { settings: settingsAccessor, resolver: options.delivery?.resolver, tls: options.delivery?.tls }, options.delivery?.configureAxios);
      if (typeof choice !== 'object') madeTransport = made;
      return made;
    }),
  });
  const deliveryOptions = options.delivery ?? {};
  container.registerInstance(DeliveryOptionsToken, deliveryOptions);
  const webhookCache = new WebhookCache(() => opened((s) => s.webhooks), () => Math.min(1000, settingsAccessor.current.period));
  container.registerInstance(WebhookCache, webhookCache);
  // A store without health of its own: each process keeps it in memory (start() says so when the store is shared).
  const localHealth = new MemoryWebhookHealthStore();
  const healthStore = (): WebhookHealthStore => opened((s) => s.health ?? localHealth);
  container.register<WebhookHealthStore>(WebhookHealthStoreToken, { useFactory: healthStore });
  // Every change of a stored webhook goes through it: an operator's edit and an auto-disable never undo each other.
  const webhookChanges = new WebhookChanges(() => opened((s) => s.webhooks));
  container.registerInstance(WebhookChanges, webhookChanges);
  const health = new WebhookHealthMonitor({
    store: healthStore,
    modifyWebhook: (key, change) => webhookChanges.modify(key, change),
    storedWebhook: (key) => opened((s) => s.webhooks).get(key),
    endHold: (key) => engine?.endHold?.(key),
    webhooks: webhookCache,
    settings: settingsAccessor,
    clock,
    reporter,
    logger,
  });
  container.registerInstance(WebhookHealthMonitor, health);
  const tracer = hookworkTracer(options.tracerProvider, logger);
  container.registerInstance(TracerToken, tracer);
  const metrics = new HookworkMetrics(lifecycle, {
    counts: async () => engine?.counts(),
    oldestPendingCreatedAt: async () => (engine?.oldestPendingCreatedAt ? ((await engine.oldestPendingCreatedAt()) ?? null) : undefined),
    // Only webhooks failing now or whose breaker is not closed: a 429's Retry-After pause or a
    // rate limit stores a health record too, and made a series for a webhook that never failed.
    // A state left by a webhook's earlier URL (its forgetting cut short) is not its receiver's: no series.
    // Nor one of a webhook that is disabled (sent nothing: an auto-disabled webhook's open breaker
    // read 1 until an operator acted, and an alert on == 1 fired on) or that no longer exists
    // (health a deletion cut short left behind): their series would never end.
    breakers: async () => {
      if (!storage) return undefined;
      const failing = (await healthStore().list()).filter((r) => r.state.breaker !== 'closed' || r.state.consecutiveFailures > 0 || r.state.failingSince !== undefined);
      const judged = await Promise.all(failing.map(async (r) => await webhookCache.get(r.webhookKey).then((webhook) => (webhook !== undefined && webhook.enabled && stateFor(r.state, webhook) ? r : undefined), () => r)));
      return judged.filter((r) => r !== undefined).map((r) => ({ webhookKey: r.webhookKey, breaker: r.state.breaker }));
    },
    now: () => clock.now(),
  }, logger);
  container.registerInstance(OpenQueueEngine, new OpenQueueEngine(() => engine));
  container.registerSingleton(WebhookService);
  container.registerSingleton(EnqueueGate);
  container.registerSingleton(WebhookFiringService);
  container.registerSingleton(SubscribedWebhooks);
  // Holds only the app's singletons: one per app, not one per dispatched event.
  container.registerSingleton(WebhookEventDependencies);

  const bus = new NotificationBus();
  for (const entry of entries) {
    const metadata = getWebhookEventMetadata(entry.type)!;
    bus.subscribe(
      metadata.notification,
      // Resolved per dispatch (by the resolver test sends use too), so event classes may depend on
      // scoped or changing host services. Not an async wrapper: the bus awaits what handle() returns
      // and catches what instantiate() throws, and a wrapper cost a promise and a turn per publish.
      (notification, publishOptions) => resolver.instantiate(entry).handle(notification, publishOptions),
      metadata.alias,
    );
  }

  const transport = resolveToken(container, TransportToken);
  const attempt = new Attempt(transport, settingsAccessor, clock, deliveryOptions);
  const logWriter = new DeliveryLogWriter(
    {
      append: (entries) => opened((s) => s.deliveryLog).append(entries),
      get appendWindowMs() {
        return storage?.deliveryLog.appendWindowMs;
      },
    },
    reporter,
    logger,
  );
  const dropped = new DroppedRequests({ logWriter, reporter, clock });
  container.registerInstance(DroppedRequests, dropped);
  const cleanup = new LogCleanup(
    { deleteOlderThan: (before, limit) => opened((s) => s.deliveryLog).deleteOlderThan(before, limit) },
    { deleteDeadOlderThan: (before, limit) => (engine ?? opened(() => undefined as never)).deleteDeadOlderThan(before, limit) },
    settingsAccessor,
    clock,
    (error, task) => reporter.backgroundError(task, error),
    { discardOrphaned: (halted) => webhookService().discardOrphaned(halted) },
  );
  const webhookService = (): WebhookService => container.resolve(WebhookService);
  /**
   * The webhook key of a request's entries in the log, undefined when it holds none (drain()'s and
   * redeliver()'s "not a typo"; redeliver()'s "its webhook was deleted").
   */
  const logged = async (requestId: string): Promise<string | undefined> => {
    // This app's own settled requests may still be in the log writer's batch.
    await logWriter.flush();
    return (await opened((s) => s.deliveryLog).list({ requestId, limit: 1 })).items[0]?.webhookKey;
  };
  const management = new ManagementService({
    get webhooks() {
      return webhookService();
    },
    catalogue,
    deliveryLog: () => opened((s) => s.deliveryLog),
    logged,
    engine: () => engine ?? opened(() => undefined as never),
    testSender: new TestSender({
      repository: { get: (key) => opened((s) => s.webhooks).get(key) },
      events: resolver,
      firing: { serialize: (payload, alias) => container.resolve(WebhookFiringService).serialize(payload, alias) },
      attempt,
      logWriter,
      clock,
      logger,
      tracer,
    }),
    clock,
    cleanup,
    health,
    catalogueDocument: (documentOptions) => createCatalogueDocument(app, documentOptions),
    onRedelivered: (ids) => own.add(ids),
  });

  const app: HookworkApp<TQueueTransaction> = new HookworkApp<TQueueTransaction>({
    container,
    lifecycle,
    reporter,
    logger,
    clock,
    settings: {
      get: () => settingsAccessor.current as HookworkSettings,
      set: (value) => {
        settings = value;
      },
    },
    entries,
    catalogue,
    resolver,
    bus,
    storageBackend: (options.storage ?? memoryStorage()) as StorageBackend<unknown>,
    storageDefaulted: options.storage === undefined,
    queueProvider: (options.queue ?? pollingQueue()) as QueueEngineProvider<unknown>,
    opened(s, e) {
      storage = s;
      engine = e;
      if (s) lastStorage = s;
      if (e) lastEngine = e;
    },
    management,
    webhookCache,
    attempt,
    closeTransport: async () => madeTransport?.close(),
    logWriter,
    logged,
    dropped,
    dropIfDeleted: (webhook) => webhookService().dropIfDeleted(webhook.key, webhook),
    failures: new DeliveryFailureLog(logger),
    own,
    cleanup,
    health,
    metrics,
    tracer,
  });
  return app;
}

/**
 * Stands for what `current()` gives at each use (the store or engine the app opened last): its
 * members are read and set on it then, its methods called on it, `instanceof` asks it. Before
 * start() each use throws as `current()` does (HOOKWORK_ERR_APP_NOT_STARTED).
 */
function openedNow<T extends object>(current: () => T): T {
  return new Proxy({} as T, {
    get(_target, property) {
      const target = current();
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    has: (_target, property) => Reflect.has(current(), property),
    // A member replaced (a test's fault put in a store's method) is replaced on what is open.
    set: (_target, property, value) => Reflect.set(current(), property, value),
    deleteProperty: (_target, property) => Reflect.deleteProperty(current(), property),
    getPrototypeOf: () => Reflect.getPrototypeOf(current()),
  });
}
