import { container as rootContainer, instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import { DeliveryEngine, type TestEventResult } from '../delivery/delivery-engine';
import { TransportToken, type Transport } from '../ports/transport';
import { DeliveryOptionsToken, type DeliveryOptions } from '../delivery/delivery-options';
import { createHttpTransport } from '../delivery/transport/http-transport';
import { HookworkError } from '../errors/hookwork-error';
import { NotificationBus } from '../events/notification-bus';
import { WebhookEventDependencies } from '../events/webhook-event-dependencies';
import type { PublishOptions } from '../events/webhook-event-base';
import { getWebhookEventMetadata } from '../events/webhook-event.decorator';
import { WebhookFiringService } from '../firing/webhook-firing-service';
import { LifecycleToken } from '../observability/lifecycle-token';
import { resolveToken } from '../runtime/tokens';
import { ClockToken, systemClock, type Clock } from '../runtime/clock';
import { LifecycleEmitter } from '../observability/lifecycle-events';
import { consoleLogger, LoggerToken, silentLogger, type Logger } from '../observability/logger';
import { ServerRoleAccessorToken, fixedServerRole, type ServerRoleAccessor } from '../runtime/server-role';
import { resolveSettings } from '../settings/resolve-settings';
import { SettingsToken, type HookworkSettings, type HookworkSettingsInput, type SettingsAccessor } from '../settings/settings';
import { DeliveryLogToken, type DeliveryLog, type DeliveryLogPage } from '../ports/delivery-log';
import { memoryStorage } from '../storage/memory/memory-storage';
import { RequestQueueToken, type QueueCounts, type RedeliverSelector, type RequestQueue } from '../ports/request-queue';
import { type WebhookRequest } from '../model/webhook-request';
import type { Storage, StorageBackend } from '../ports/storage-backend';
import { WebhookRepositoryToken, type WebhookRepository } from '../ports/webhook-repository';
import { WebhookService } from '../management/webhook-service';
import type { ComposerLike, Composer } from './composer';
import { WebhookEventCatalogue, type WebhookEventDescriptor } from '../events/webhook-event-catalogue';
import { WebhookEventResolver } from '../events/webhook-event-resolver';
import type { ExtensionOwner } from './webhook-event-collection-builder';
import { SettingsBuilder, WebhooksBuilder } from './webhooks-builder';

/** Checks a listing's page; HOOKWORK_ERR_INVALID_PAGE names the bad part. */
function checkPage(method: string, page: { limit?: number; offset?: number } | undefined): { limit?: number; offset?: number } {
  if (page === undefined) return {};
  const { limit, offset } = page;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 1000)) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_PAGE', `${method}() was given limit ${String(limit)}; use a whole number from 1 to 1000 and page with offset`);
  }
  if (offset !== undefined && (!Number.isInteger(offset) || offset < 0)) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_PAGE', `${method}() was given offset ${String(offset)}; use a whole number from 0`);
  }
  return { ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}) };
}

/** What createHookwork() takes. */
export interface HookworkOptions {
  /** Composers, run in this order. */
  composers?: readonly ComposerLike[];
  /** Settings (validated; see docs/settings.md). Composers may adjust them further. */
  settings?: HookworkSettingsInput;
  /** Where webhooks, requests and logs live. Default: in memory (nothing survives the process). */
  storage?: StorageBackend;
  /** Default: warnings and errors to the console (silent when NODE_ENV is `test`, as under jest). */
  logger?: Logger;
  /** Default: the wall clock. */
  clock?: Clock;
  /** Default: `Single` (this process fires). */
  serverRole?: ServerRoleAccessor;
  /** Default: axios with keep-alive agents and the SSRF guard. */
  transport?: Transport;
  /** Delivery hooks: a before-send hook, axios configuration, a host name resolver (tests). */
  delivery?: DeliveryOptions;
}

/** The outcome of publish(): handlers that failed (their webhooks got nothing; the others did). */
export interface PublishResult {
  failures: { eventAlias: string; error: unknown }[];
}

/**
 * A hookwork app: composed events, webhooks, the queue and its delivery. Apps are independent:
 * each has its own container, settings, bus and storage.
 */
export interface Hookwork {
  /** The app's own tsyringe container. */
  readonly container: DependencyContainer;
  /** Lifecycle events: enqueued, attempts, dead letters, disabled webhooks, handler failures. */
  readonly lifecycle: LifecycleEmitter;
  /** Webhook management: create, get, update, delete, list, secrets. Usable after start(). */
  readonly webhooks: WebhookService;
  /** The current settings. */
  readonly settings: Readonly<HookworkSettings>;
  /** Changes settings at run time (validated; running work reads the new values). */
  updateSettings(input: HookworkSettingsInput): Readonly<HookworkSettings>;
  /** The composed events in collection order. */
  events(): readonly WebhookEventDescriptor[];
  /** Opens storage and starts delivery. */
  start(): Promise<void>;
  /** Stops delivery (waiting for in-flight attempts up to stopTimeout) and closes storage. */
  stop(): Promise<void>;
  /**
   * Publishes a notification: every composed event handling its class runs; resolves when every
   * request is durably enqueued (never waits for HTTP). Rejects with HOOKWORK_ERR_ENQUEUE_FAILED
   * when the queue fails; a handler that throws otherwise is reported in the result and the
   * `handlerFailed` lifecycle event, and the other events still fire.
   */
  publish(notification: object, options?: PublishOptions): Promise<PublishResult>;
  /** A webhook's delivery log, newest first. */
  logs(webhookKey: string, page?: { limit?: number; offset?: number }): Promise<DeliveryLogPage>;
  /** Puts dead-lettered requests back in the queue. */
  redeliver(selector: RedeliverSelector): Promise<number>;
  /** Dead-lettered requests, newest first. */
  deadLetters(query?: { webhookKey?: string; limit?: number; offset?: number }): Promise<WebhookRequest[]>;
  /** Requests by state. */
  queueCounts(): Promise<QueueCounts>;
  /** Resolves when nothing is pending or in flight (dead letters stay). */
  drain(options?: { timeoutMs?: number }): Promise<void>;
  /** Sends an example request to a webhook now, once, and returns the receiver's answer. */
  sendTestEvent(webhookKey: string, options?: { alias?: string }): Promise<TestEventResult>;
}


/**
 * Creates an app: runs the composers in order, freezes the event collection and wires every
 * service into the app's own child container. Nothing global is touched.
 *
 * ```ts
 * const app = createHookwork({ composers: [cmsComposer(), MyComposer], settings: { maximumRetries: 3 } });
 * await app.start();
 * ```
 */
export function createHookwork(options: HookworkOptions = {}): Hookwork {
  const container = rootContainer.createChildContainer();
  const settingsBuilder = new SettingsBuilder(resolveSettings(options.settings ?? {}));
  const composers = (options.composers ?? []).map((c): Composer => (typeof c === 'function' ? new c() : c));

  // Core's services are registered before the composers run, so a composer can replace them
  // through builder.services, as Umbraco's core registers its defaults before user composers.
  let settings: HookworkSettings | undefined;
  const settingsAccessor: SettingsAccessor = { get current() { return settings ?? settingsBuilder.current; } };
  const lifecycle = new LifecycleEmitter();
  container.registerInstance(SettingsToken, settingsAccessor);
  container.registerInstance(LifecycleToken, lifecycle);
  // Warnings and errors reach the console unless the host passes its own logger; jest runs
  // with NODE_ENV=test, where the default stays quiet.
  container.registerInstance(LoggerToken, options.logger ?? (process.env.NODE_ENV === 'test' ? silentLogger : consoleLogger()));
  container.registerInstance(ClockToken, options.clock ?? systemClock);
  container.registerInstance(ServerRoleAccessorToken, options.serverRole ?? fixedServerRole('Single'));

  const pendingOwners = new Map<string, ExtensionOwner>();
  for (const composer of composers) {
    for (const extension of composer.extensions ?? []) {
      for (const method of Object.keys(extension.methods)) pendingOwners.set(method, { packageName: extension.packageName, composerHint: extension.composerHint });
    }
  }
  const builder = new WebhooksBuilder(container, settingsBuilder, pendingOwners);
  for (const composer of composers) {
    if (!composer || typeof composer.compose !== 'function') {
      throw new HookworkError('HOOKWORK_ERR_INVALID_SETTINGS', `composers must be objects with compose(builder) or classes of them; got ${String(composer)}`);
    }
    composer.compose(builder);
    for (const extension of composer.extensions ?? []) for (const method of Object.keys(extension.methods)) pendingOwners.delete(method);
  }
  const collection = builder.webhookEvents();
  collection.freeze();
  const entries = collection.getEntries();
  const catalogue = new WebhookEventCatalogue(entries);

  settings = settingsBuilder.current as HookworkSettings;
  // A composer may have replaced these defaults (e.g. the host's own logger).
  const logger = resolveToken(container, LoggerToken);
  const clock = resolveToken(container, ClockToken);
  let storage: Storage | undefined;
  let state: 'created' | 'starting' | 'started' | 'stopped' = 'created';
  let unwatch: (() => void) | undefined;
  const opened = (): Storage => {
    if (storage) return storage;
    throw new HookworkError(
      state === 'stopped' ? 'HOOKWORK_ERR_APP_STOPPED' : 'HOOKWORK_ERR_APP_NOT_STARTED',
      state === 'stopped' ? 'the app was stopped; create a new app to go on' : 'storage is not open yet; await app.start() before managing webhooks or publishing',
    );
  };

  container.registerInstance(WebhookEventCatalogue, catalogue);
  const resolver = new WebhookEventResolver(container, catalogue);
  container.registerInstance(WebhookEventResolver, resolver);
  container.register<WebhookRepository>(WebhookRepositoryToken, { useFactory: () => opened().webhooks });
  container.register<RequestQueue>(RequestQueueToken, { useFactory: () => opened().queue });
  container.register<DeliveryLog>(DeliveryLogToken, { useFactory: () => opened().deliveryLog });
  if (options.transport) container.registerInstance(TransportToken, options.transport);
  else container.register<Transport>(TransportToken, { useFactory: instanceCachingFactory(() => createHttpTransport({ settings: settingsAccessor, resolver: options.delivery?.resolver, configureAxios: options.delivery?.configureAxios, tls: options.delivery?.tls })) });
  container.registerInstance(DeliveryOptionsToken, options.delivery ?? {});
  container.registerSingleton(WebhookService);
  container.registerSingleton(WebhookFiringService);
  // Holds only the app's singletons: one per app, not one per dispatched event.
  container.registerSingleton(WebhookEventDependencies);
  container.registerSingleton(DeliveryEngine);

  const bus = new NotificationBus();
  for (const entry of entries) {
    const metadata = getWebhookEventMetadata(entry.type)!;
    bus.subscribe(
      metadata.notification,
      async (notification, publishOptions) => {
        // Resolved per dispatch (by the resolver test sends use too), so event classes may
        // depend on scoped or changing host services.
        await resolver.instantiate(entry).handle(notification, publishOptions);
      },
      metadata.alias,
    );
  }

  const engine = () => container.resolve(DeliveryEngine);
  const started = () => {
    opened();
    if (state !== 'started') throw new HookworkError('HOOKWORK_ERR_APP_NOT_STARTED', 'await app.start() first');
  };

  const app: Hookwork = {
    container,
    lifecycle,
    get webhooks() {
      opened();
      return container.resolve(WebhookService);
    },
    get settings() {
      return settingsAccessor.current;
    },
    updateSettings(input) {
      settings = resolveSettings(input, settingsAccessor.current);
      return settings;
    },
    events: () => catalogue.list(),
    async start() {
      if (state === 'stopped') throw new HookworkError('HOOKWORK_ERR_APP_STOPPED', 'start() was called on a stopped app; create a new app to go on');
      if (state !== 'created') throw new HookworkError('HOOKWORK_ERR_APP_ALREADY_STARTED', `start() was already called (the app is ${state}); call it once`);
      state = 'starting';
      const backend = options.storage ?? memoryStorage();
      try {
        storage = await backend.open({ logger, clock });
      } catch (error) {
        state = 'created';
        throw error;
      }
      // Build each composed event once now, so a missing host service fails start() with the
      // fix rather than every publish() later.
      try {
        for (const entry of entries) resolver.instantiate(entry);
      } catch (error) {
        const opened = storage;
        storage = undefined;
        state = 'created';
        await opened.close();
        throw error;
      }
      state = 'started';
      const flagged = await container.resolve(WebhookService).listWithUnknownEvents();
      for (const webhook of flagged) {
        logger.warn(`webhook ${webhook.key} subscribes to events no composed event handles: ${webhook.unknownEvents.join(', ')}; it will not fire for them (list with app.webhooks.listWithUnknownEvents())`);
      }
      lifecycle.on('enqueued', () => engine().wake());
      // Another process sharing the store (a second app on one SQLite file) enqueued: look now.
      unwatch = storage.queue.watch?.(() => engine().wake());
      engine().start();
    },
    async stop() {
      if (state === 'stopped') return;
      const wasStarted = state === 'started';
      state = 'stopped';
      unwatch?.();
      unwatch = undefined;
      if (wasStarted) await engine().stop();
      bus.clear();
      lifecycle.removeAllListeners();
      const closing = storage;
      storage = undefined;
      await closing?.close();
    },
    async publish(notification, publishOptions = {}) {
      if (notification === null || typeof notification !== 'object') {
        throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `publish() takes a notification object (an instance of a notification class); got ${notification === null ? 'null' : typeof notification}`);
      }
      started();
      const outcomes = await bus.publish(notification, publishOptions);
      const failures: PublishResult['failures'] = [];
      for (const outcome of outcomes) {
        if (outcome.ok) continue;
        if (outcome.error instanceof HookworkError && outcome.error.code === 'HOOKWORK_ERR_ENQUEUE_FAILED') throw outcome.error;
        failures.push({ eventAlias: outcome.handlerName, error: outcome.error });
        lifecycle.emit('handlerFailed', { eventAlias: outcome.handlerName, notification: notification.constructor.name, error: outcome.error });
        logger.error(`webhook event ${outcome.handlerName} failed on ${notification.constructor.name}: ${(outcome.error as Error)?.message ?? outcome.error}`, { error: outcome.error });
      }
      return { failures };
    },
    async logs(webhookKey, page) {
      started();
      return opened().deliveryLog.list(webhookKey, checkPage('logs', page));
    },
    async redeliver(selector) {
      started();
      return engine().redeliver(selector);
    },
    async deadLetters(query) {
      started();
      return engine().listDeadLetters({ ...query, ...checkPage('deadLetters', query) });
    },
    async queueCounts() {
      started();
      return opened().queue.counts();
    },
    async drain(drainOptions) {
      started();
      return engine().drain(drainOptions);
    },
    async sendTestEvent(webhookKey, testOptions) {
      started();
      return engine().sendTestEvent(webhookKey, testOptions);
    },
  };
  return app;
}
