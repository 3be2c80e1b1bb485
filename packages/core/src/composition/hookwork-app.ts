import { setMaxListeners } from 'node:events';
import { context, INVALID_SPAN_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { DependencyContainer } from 'tsyringe';
import type { Attempt } from '../delivery/attempt';
import { WebhookDeliveryHandler } from '../delivery/delivery-handler';
import { PollingQueueEngine } from '../delivery/engine/polling-engine';
import type { DeliveryLogWriter } from '../delivery/delivery-log-writer';
import type { DroppedRequests } from '../delivery/dropped-requests';
import type { DeliveryFailureLog } from '../delivery/failure-log';
import type { CleanupResult, LogCleanup } from '../delivery/log-cleanup';
import type { WebhookCache } from '../delivery/webhook-cache';
import type { WebhookHealthMonitor } from '../delivery/health/webhook-health-monitor';
import { OperatorNotification } from '../events/operator-webhook-events';
import type { HookworkMetrics } from '../observability/metrics';
import type { OperatorEvent } from '../observability/operator-events';
import { HookworkError, isHookworkError, messageWithoutCode, shownValue } from '../errors/hookwork-error';
import { shownList } from '../errors/shown-list';
import { unknownOption } from '../errors/nearest-name';
import { readOrRefuse } from '../model/caller-input';
import { isPlainObject, objectKind } from '../model/plain-object';
import { cutOffText, EnqueueGate } from '../firing/enqueue-gate';
import { checkIdempotencyKey } from '../firing/idempotency-key';
import { PUBLISH_TALLY, PublishTally } from '../firing/publish-tally';
import type { HandlerOutcome, NotificationBus } from '../events/notification-bus';
import { payloadTypeOf, type PublishOptions } from '../events/webhook-event-base';
import { describeEventPayload } from '../events/payload-schema-check';
import type { WebhookEventCatalogue, WebhookEventDescriptor, WebhookEventEntry } from '../events/webhook-event-catalogue';
import type { WebhookEventResolver } from '../events/webhook-event-resolver';
import type { Management, ManagementService, RedeliverResult } from '../management/management-service';
import type { Webhooks } from '../management/webhook-service';
import type { DeliveryLogEntry } from '../model/delivery-log-entry';
import type { CursorPageRequest, Page } from '../model/page';
import type { WebhookRequest } from '../model/webhook-request';
import type { Webhook } from '../model/webhook';
import type { WebhookHealth } from '../model/webhook-health';
import type { LifecycleEmitter, LifecycleReporter } from '../observability/lifecycle-events';
import type { Logger } from '../observability/logger';
import type { WebhookRepository } from '../ports/webhook-repository';
import { customHeaderBytes, FRAMEWORK_HEADER_SET, MAX_CUSTOM_HEADER_BYTES } from '../model/framework-headers';
import type { DeliveryLogQuery } from '../ports/delivery-log';
import type { DeadLetterQuery, QueueCountsQuery, QueueEngine, QueueEngineProvider } from '../ports/queue-engine';
import type { QueueCounts, RedeliverSelector } from '../ports/request-queue';
import type { Storage, StorageBackend } from '../ports/storage-backend';
import type { TestEventResult } from '../management/test-send';
import type { CatalogueDocument, CatalogueDocumentOptions } from '../management/catalogue-document';
import type { Clock } from '../runtime/clock';
import { resolveSettings } from '../settings/resolve-settings';
import type { DeepReadonly, HookworkSettings, HookworkSettingsInput } from '../settings/settings';
import { checkCapabilities, checkFifoWebhooks } from './capability-check';
import { drainQueue, OwnRequests, type DrainOptions } from './drain';
import { checkDecoratorMetadata } from './decorator-metadata-check';
import { checkNoGlobalRegistration } from './global-registration-check';
import { webhookPages } from '../management/webhook-walk';

/** How often log cleanup runs (it reads its settings at each round). */
export const LOG_CLEANUP_INTERVAL_MS = 60 * 60 * 1000;

/** The options of publish()'s span: made once, not at every publish (a tracer only reads them). */
const PUBLISH_SPAN = { kind: SpanKind.INTERNAL };

/** The options publish() takes; any other key is refused. */
const PUBLISH_OPTIONS: readonly string[] = ['transaction', 'traceContext', 'idempotencyKey'] satisfies (keyof PublishOptions)[];

/**
 * The outcome of publish(): how many composed events handled the notification, how many webhook
 * requests it enqueued, and the handlers that failed (their webhooks got nothing; the others did).
 * `events: 0` means no composed event handles the notification's class (a forgotten
 * `webhookEvents().add(…)`, or a class the composers left out on purpose); `events` above 0 with
 * `enqueued: 0`, `alreadyEnqueued: 0` and no failures means the events ran and none fired
 * (settings `enabled: false`, the server role, shouldFireWebhookForNotification(), a content-type
 * filter), or no enabled webhook subscribes to the aliases they fired.
 */
export interface PublishResult {
  /**
   * Composed events that handled the notification — those whose notification is its exact class,
   * failed ones included — on every engine alike (it is counted before anything is stored). 0: no
   * composed event handles this class, so nothing could be sent whatever the webhooks.
   */
  events: number;
  /** One entry per failed handler: its alias and a HOOKWORK_ERR_HANDLER_FAILED error whose `cause` is what it threw. */
  failures: { eventAlias: string; error: HookworkError }[];
  /**
   * Webhook requests this publish stored durably — one per subscribed webhook (and per entity, for
   * content events), as the queue engine itself answered, on every engine — each now sent at least
   * once. Counted as the `enqueued` lifecycle event and `hookwork_requests_enqueued_total` count.
   * With `{ transaction }`, they are stored in the host's transaction: durable once it commits,
   * gone if it rolls back (the count is then what the commit makes durable).
   */
  enqueued: number;
  /**
   * Requests this publish made whose `webhook-id` the queue held or remembered already: a publish
   * repeated with the same `idempotencyKey` stores nothing twice and counts here what it did not
   * store again (0 without a key). A repeat of a publish that stored 3 reports
   * `{ enqueued: 0, alreadyEnqueued: 3 }`; one that stored part reports the rest as `enqueued`.
   */
  alreadyEnqueued: number;
}

/** Where an app is in its life: created → starting → started → stopping → stopped. */
export type HookworkState = 'created' | 'starting' | 'started' | 'stopping' | 'stopped';

/**
 * A hookwork app: composed events, webhooks, the queue and its delivery. Apps are independent:
 * each has its own container, settings, bus, storage and engine.
 *
 * @typeParam TTransaction the host transaction `publish(…, { transaction })` takes: the storage
 * backend's (or queue engine's) own type, e.g. a pg `PoolClient`; `never` when it takes none.
 */
export interface Hookwork<TTransaction = never> extends Management {
  /** The app's own tsyringe container. */
  readonly container: DependencyContainer;
  /** Lifecycle events: enqueued, attempts, dead letters, disabled webhooks, handler failures. */
  readonly lifecycle: LifecycleEmitter;
  /** Where the app is in its life. */
  readonly state: HookworkState;
  /** The current settings. */
  readonly settings: DeepReadonly<HookworkSettings>;
  /** Changes settings at run time (validated; running work reads the new values). HOOKWORK_ERR_APP_STOPPED once stop() was called. */
  updateSettings(input: HookworkSettingsInput): DeepReadonly<HookworkSettings>;
  /** The composed events in collection order. */
  events(): readonly WebhookEventDescriptor[];
  /** Opens storage and the queue engine, checks the composed events and starts delivery. */
  start(): Promise<void>;
  /**
   * Stops delivery, then closes the engine and storage. Publishes already under way finish enqueueing
   * first, then attempts in flight may finish, all within one `stopTimeout` (attempts still running
   * then are aborted); publish() calls made after stop() are refused with HOOKWORK_ERR_APP_STOPPED,
   * and so are, from the moment stop() is called, management reads and writes through the app
   * (`app.webhooks`, logs(), …) and updateSettings().
   * A second call resolves when the first stop is done.
   */
  stop(): Promise<void>;
  /**
   * Publishes a notification: every composed event handling its class runs; resolves when every
   * request is durably enqueued (never waits for HTTP). Rejects with HOOKWORK_ERR_ENQUEUE_FAILED
   * whenever the store fails under it and stored nothing of the failing event, whichever the backend
   * — storing the requests, or looking the webhooks up — with the store's own error
   * (HOOKWORK_ERR_STORAGE…) as `cause`; with HOOKWORK_ERR_ENQUEUE_UNCERTAIN when the store may have
   * stored them without saying so (its connection was lost before it answered): publish again with
   * the same `idempotencyKey` then, which stores nothing twice; with
   * HOOKWORK_ERR_INVALID_ARGUMENT for an unknown option or a bad `idempotencyKey`; with
   * HOOKWORK_ERR_INVALID_TRANSACTION for a refused `{ transaction }`; with
   * HOOKWORK_ERR_INVALID_NOTIFICATION for what is no notification: null, a primitive, a plain
   * object literal, a promise (await it first) or an array (publish each). A handler that throws
   * otherwise is reported in the result and the `handlerFailed` lifecycle event, and the other
   * events still fire.
   */
  publish(notification: object, options?: PublishOptions<TTransaction>): Promise<PublishResult>;
  /**
   * Resolves when this app's own requests (enqueued or redelivered through it) are settled —
   * delivered, dead-lettered or dropped — and their log entries written; or, with options, the
   * given requests, one webhook's queue or the whole queue. HOOKWORK_ERR_DRAIN_TIMEOUT after
   * `timeoutMs` (default 30 s); HOOKWORK_ERR_APP_STOPPED at once when stop() begins meanwhile.
   * A `webhookKey` that names no webhook and nothing queued is HOOKWORK_ERR_WEBHOOK_NOT_FOUND; a
   * request id neither queued nor in the delivery log (a delivered request is there until
   * keepLogsForDays) is HOOKWORK_ERR_REQUEST_NOT_FOUND — a typo must not read as done.
   */
  drain(options?: DrainOptions): Promise<void>;
  /** The one door of management the admin API wraps; the methods this interface inherits are it too. */
  readonly management: Management;
  /** The app's Prometheus metrics: `await app.metrics.scrape()` gives the text and its content type (see docs/health.md). */
  readonly metrics: HookworkMetrics;
}

/** What createHookwork() hands the app once composition is done. */
export interface HookworkParts {
  container: DependencyContainer;
  lifecycle: LifecycleEmitter;
  reporter: LifecycleReporter;
  logger: Logger;
  clock: Clock;
  settings: { get(): HookworkSettings; set(value: HookworkSettings): void };
  entries: readonly WebhookEventEntry[];
  catalogue: WebhookEventCatalogue;
  resolver: WebhookEventResolver;
  bus: NotificationBus;
  storageBackend: StorageBackend<unknown>;
  /** No `storage` was given: `storageBackend` is the in-memory default. */
  storageDefaulted: boolean;
  queueProvider: QueueEngineProvider<unknown>;
  /** Called once storage and the engine are open, and with nothing once they are closed. */
  opened(storage: Storage<unknown> | undefined, engine: QueueEngine<unknown> | undefined): void;
  management: ManagementService;
  webhookCache: WebhookCache;
  attempt: Attempt;
  /** Closes the transport if the app made it (a ready one the host passed is the host's to close). */
  closeTransport(): Promise<void>;
  logWriter: DeliveryLogWriter;
  /** The webhook key of a request's delivery log entries (undefined: none), this app's unwritten entries included. */
  logged: (requestId: string) => Promise<string | undefined>;
  dropped: DroppedRequests;
  /** Drops the queued requests of a webhook the store no longer holds (deleted, or replaced under its key), as its deletion does (see WebhookService.dropIfDeleted). */
  dropIfDeleted: (webhook: Pick<Webhook, 'key' | 'createdAt'>) => Promise<boolean>;
  failures: DeliveryFailureLog;
  own: OwnRequests;
  cleanup: LogCleanup;
  health: WebhookHealthMonitor;
  metrics: HookworkMetrics;
  tracer: Tracer;
}

/**
 * The app object: an explicit lifecycle (created → starting → started → stopping → stopped)
 * around what createHookwork() composed. Start opens storage, then the queue engine, checks
 * the composed events (their services and decorator metadata) and the backend's capabilities
 * against the settings, and starts delivery and log cleanup; stop undoes it in reverse.
 */
export class HookworkApp<TTransaction = never> implements Hookwork<TTransaction> {
  private current: HookworkState = 'created';
  /** publish() calls under way. */
  private publishing = 0;
  /** Called when {@link publishing} drops to 0 (stop() waits for it). */
  private publishesDone: (() => void) | undefined;
  /**
   * How to end each publish() whose events are still running, once stop() has closed the way into
   * the store: an event class whose converter (or shouldFireWebhookForNotification) never returns
   * held its publish() pending for ever, past stop(), though nothing of it could be stored any more.
   */
  private readonly cuttable = new Set<() => void>();
  /** The same for sendTestEvent() calls, ended once the transport is closed (which ends their requests). */
  private readonly cuttableTestSends = new Set<() => void>();
  private starting: Promise<void> | undefined;
  /** The stop under way or done (later stop() calls return it). */
  private stopping: Promise<void> | undefined;
  private storage: Storage<unknown> | undefined;
  private engine: QueueEngine<unknown> | undefined;
  private readonly unreported = new WeakSet<Function>();
  /** Whether the warning that this app composes no events at all was given (once per app). */
  private warnedNoEvents = false;
  /** Aborted when stop() begins: drains under way end then with HOOKWORK_ERR_APP_STOPPED. */
  private readonly stopRequested = new AbortController();

  constructor(private readonly parts: HookworkParts) {
    // On the lifecycle's internal channel, called before any host listener (each listener is
    // guarded, so a host listener that throws cannot silence them either), and out of reach of a
    // host's off('operatorEvent') without a listener, which removed these with its own.
    parts.lifecycle.subscribeInternal('operatorEvent', (event) => this.sendOperatorEvent(event), 'operator webhooks');
    // Every drain() under way listens to it (and stops listening when it returns): a host or a test
    // waiting on a dozen at once made Node warn of a leak (MaxListenersExceededWarning) that is none.
    setMaxListeners(0, this.stopRequested.signal);
  }

  get container(): DependencyContainer {
    return this.parts.container;
  }

  get lifecycle(): LifecycleEmitter {
    return this.parts.lifecycle;
  }

  get metrics(): HookworkMetrics {
    return this.parts.metrics;
  }

  get state(): HookworkState {
    return this.current;
  }

  get settings(): DeepReadonly<HookworkSettings> {
    return this.parts.settings.get();
  }

  updateSettings(input: HookworkSettingsInput): DeepReadonly<HookworkSettings> {
    if (this.current === 'stopping' || this.current === 'stopped') throw new HookworkError('HOOKWORK_ERR_APP_STOPPED', `updateSettings() was called on an app that is ${this.current}: it takes no more changes; create a new app with these settings`);
    const previous = this.parts.settings.get();
    const next = resolveSettings(input, previous);
    const engine = this.engine;
    if (engine) checkCapabilities(engine, next);
    this.parts.settings.set(next);
    if (this.current === 'started' && (next.headers.event.toLowerCase() !== previous.headers.event.toLowerCase() || next.headers.retryCount.toLowerCase() !== previous.headers.retryCount.toLowerCase())) {
      // Read after the change is made: a warning, never a refusal (the call is synchronous).
      warnOfStoredHeaders(this.storage!.webhooks, next.headers, this.parts.logger, { atStart: false }).catch((cause: unknown) => this.parts.logger.warn(`could not check the webhooks' custom headers against the new header names: ${(cause as Error)?.message ?? String(cause)}`));
    }
    try {
      engine?.wake();
    } catch (cause) {
      // The engine reads the settings it applies from the app, so they are stored first; an
      // engine that refuses them must not leave the app reporting settings it does not run with.
      this.parts.settings.set(previous);
      try {
        engine!.wake();
      } catch {
        // Back to what it ran with before; the refusal below is what the caller needs.
      }
      const problem = `the ${engine!.name} queue refused them (${(cause as Error)?.message ?? String(cause)})`;
      throw new HookworkError('HOOKWORK_ERR_INVALID_SETTINGS', `invalid settings: ${problem}; nothing changed — choose values it takes`, { cause, details: [{ key: '(queue)', problem }] });
    }
    return next;
  }

  events(): readonly WebhookEventDescriptor[] {
    return this.parts.catalogue.list();
  }

  get management(): Management {
    this.requireOpen();
    return this.parts.management;
  }

  get webhooks(): Webhooks {
    return this.management.webhooks;
  }

  async start(): Promise<void> {
    if (this.current === 'stopped' || this.current === 'stopping') throw new HookworkError('HOOKWORK_ERR_APP_STOPPED', 'start() was called on a stopped app; create a new app to go on');
    if (this.current !== 'created') throw new HookworkError('HOOKWORK_ERR_APP_ALREADY_STARTED', `start() was already called (the app is ${this.current}); call it once`);
    this.current = 'starting';
    // Kept so that a stop() asked for while starting (a SIGTERM during boot) waits for it, then
    // undoes all of it, rather than closing the store under a dispatcher that starts afterwards.
    this.starting = this.open();
    try {
      await this.starting;
    } finally {
      this.starting = undefined;
    }
  }

  /** start()'s work: open, check, then start delivery; the state is `starting` throughout. */
  private async open(): Promise<void> {
    const { parts } = this;
    let storage: Storage<unknown> | undefined;
    let engine: QueueEngine<unknown> | undefined;
    let delivering = false;
    // Which step of the start runs, for a store failure's message (see startFailure).
    let step = 'checking the composed events';
    // Every step that can fail is inside: a store that fails a later read (the webhooks listed for
    // the warning below) or an engine that fails to start used to leave the app `starting` for
    // good, its store and engine open, and a second start() refused as already started.
    try {
      // Build each composed event once now, so a missing host service, missing decorator
      // metadata or a broken payload schema fails start() with the fix rather than every
      // publish() or the first catalogue request later.
      checkDecoratorMetadata(parts.entries);
      checkNoGlobalRegistration(parts.entries);
      step = 'opening the store';
      storage = await parts.storageBackend.open({
        logger: parts.logger,
        clock: parts.clock,
        backgroundError: (task, error, instead) => parts.reporter.backgroundError(task, error, instead),
      });
      this.refuseIfStopped('opening the store');
      step = 'opening the queue engine';
      engine = await parts.queueProvider.open({
        storage,
        storageBackend: parts.storageBackend,
        settings: { get current() { return parts.settings.get(); } },
        clock: parts.clock,
        logger: parts.logger,
        onError: (task, error, instead) => parts.reporter.backgroundError(task, error, instead),
        publishesInFlight: () => this.publishing,
        leaseLapsed: (how, count) => parts.metrics.leaseLapsed(how, count),
      });
      this.refuseIfStopped('opening the queue engine');
      checkCapabilities(engine, parts.settings.get());
      step = 'reading the webhooks';
      await checkFifoWebhooks(engine, storage.webhooks);
      this.refuseIfStopped('reading the webhooks');
      if (!storage.health && parts.storageBackend.capabilities.shared) {
        parts.logger.warn(`the ${parts.storageBackend.name} store keeps no webhook health: circuit breakers, failing streaks and rate limits are counted by each process on its own`);
      }
      if (parts.storageBackend.capabilities.volatile) warnOfVolatileStorage(parts, engine);
      parts.health.queue = { name: engine.name, fifo: engine.capabilities.fifo === true };
      parts.opened(storage, engine);
      this.storage = storage;
      this.engine = engine;
      for (const entry of parts.entries) {
        const event = parts.resolver.instantiate(entry);
        describeEventPayload(event, payloadTypeOf(entry.options, parts.settings.get()));
      }
      const flagged = await parts.management.webhooks.listWithUnknownEvents();
      this.refuseIfStopped('reading the webhooks');
      for (const webhook of flagged) {
        parts.logger.warn(`webhook ${webhook.key} subscribes to events no composed event handles: ${shownList(webhook.unknownEvents, { show: (alias) => alias })}; it will not fire for them (list with app.webhooks.listWithUnknownEvents())`);
      }
      await warnOfStoredHeaders(storage.webhooks, parts.settings.get().headers, parts.logger, { atStart: true });
      this.refuseIfStopped('reading the webhooks');
      engine.onSettled((request, verdict) => {
        if (verdict.kind === 'delivered' || verdict.kind === 'dead' || verdict.kind === 'drop') parts.own.settled(request.id);
      });
      delivering = true;
      step = 'starting delivery';
      await engine.start(
        new WebhookDeliveryHandler({
          webhooks: parts.webhookCache,
          attempt: parts.attempt,
          settings: { get current() { return parts.settings.get(); } },
          clock: parts.clock,
          logWriter: parts.logWriter,
          dropped: parts.dropped,
          failures: parts.failures,
          reporter: parts.reporter,
          health: parts.health,
          tracer: parts.tracer,
          dropIfDeleted: parts.dropIfDeleted,
          settling: parts.own,
        }),
      );
      this.refuseIfStopped('starting delivery');
    } catch (error) {
      this.storage = undefined;
      this.engine = undefined;
      parts.opened(undefined, undefined);
      // A stop() that gave up waiting for this start has made the app `stopped` for good.
      if (this.current === 'starting') this.current = 'created';
      // An engine that started (or half started) stops first: the polling engine has no close().
      if (delivering) await engine?.stop(0).catch(() => undefined);
      await engine?.close?.().catch(() => undefined);
      await storage?.close().catch(() => undefined);
      throw this.current === 'created' ? startFailure(error, step) : error;
    }
    parts.cleanup.start(LOG_CLEANUP_INTERVAL_MS);
    this.current = 'started';
  }

  /**
   * Ends a start() that stop() stopped waiting for: what it opened meanwhile is closed again by
   * open()'s own undoing, and start() rejects with HOOKWORK_ERR_APP_STOPPED.
   */
  private refuseIfStopped(step: string): void {
    if (this.current === 'starting') return;
    throw new HookworkError('HOOKWORK_ERR_APP_STOPPED', `start() was still ${step} when stop() gave up waiting for it (stopTimeout); what it had opened is closed again — create a new app to go on`);
  }

  async stop(): Promise<void> {
    // A store that takes its whole connect timeout (PostgreSQL 5 s, Redis 12 s: a host that does
    // not answer) must not hold stop() past stopTimeout: past it, the start is left to undo itself.
    if (this.current === 'starting') await settledWithin(this.starting, this.parts.settings.get().stopTimeout);
    // A second call (a SIGTERM handler and a shutdown hook) resolves when the first is done, not before.
    if (this.current === 'stopping' || this.current === 'stopped') return this.stopping;
    this.stopping = this.stopOnce();
    return this.stopping;
  }

  private async stopOnce(): Promise<void> {
    const wasStarted = this.current === 'started';
    this.current = 'stopping';
    this.stopRequested.abort();
    const { parts } = this;
    parts.reporter.stopping(`what it held (claims of requests) is taken again, by this store's next app or another process, once its lease expires, within leaseDuration (${parts.settings.get().leaseDuration} ms)`);
    parts.cleanup.stop();
    // One budget for the whole stop: publishes under way, then attempts in flight, share stopTimeout.
    const stopTimeout = parts.settings.get().stopTimeout;
    const deadline = performance.now() + stopTimeout;
    // A health write (which an attempt in flight waits for) that keeps losing to other processes,
    // or finds the store locked, gives up once the budget is spent rather than hold the stop.
    parts.health.stopWithin(stopTimeout);
    // Publishes accepted before stop() finish enqueueing first, so each resolves as durably
    // enqueued and the engine's stop gives their requests back with the rest.
    if (this.publishing > 0) await this.publishesSettled(stopTimeout);
    // Those still under way store nothing more (HOOKWORK_ERR_APP_STOPPED); an enqueue already sent
    // gets its answer before the store closes, so each batch is stored whole or not at all.
    await parts.container.resolve(EnqueueGate).close();
    // What is still running now stores nothing (the gate refuses its enqueues): its publish() ends
    // rather than wait for an event that may never return.
    for (const cut of [...this.cuttable]) cut();
    this.cuttable.clear();
    if (wasStarted) await this.engine?.stop(Math.max(0, deadline - performance.now()));
    // The successes counted in memory are written, and every health write still being made is
    // waited for (each gives up once the stop's budget is spent, see stopWithin above).
    if (wasStarted) await parts.health.flush();
    if (wasStarted) await parts.health.settled();
    // What the failure log counted and has not told yet: told now, not lost with the process.
    parts.failures.flush();
    await parts.cleanup.idle();
    await parts.logWriter.flush();
    await parts.closeTransport();
    for (const cut of [...this.cuttableTestSends]) cut();
    this.cuttableTestSends.clear();
    parts.bus.clear();
    parts.lifecycle.removeAllListeners();
    const engine = this.engine;
    const storage = this.storage;
    this.engine = undefined;
    this.storage = undefined;
    parts.opened(undefined, undefined);
    this.current = 'stopped';
    // A start() this stop gave up waiting for closes what it opened itself (see refuseIfStopped).
    if (!wasStarted) return;
    await engine?.close?.();
    await storage?.close();
  }

  async publish(notification: object, given?: PublishOptions<TTransaction>): Promise<PublishResult> {
    // Read once, one level deep (the transaction and trace context are kept as given): a getter
    // that throws is refused coded, and what is checked is what is used.
    const options: PublishOptions<TTransaction> & { [PUBLISH_TALLY]?: PublishTally } =
      given === undefined ? {} : readOrRefuse(given, (path, problem) => new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `publish(): options${path ? `.${path}` : ''} ${problem}`), 1);
    // Counted so the engine knows whether other publishes will enqueue in a moment (group commit).
    this.publishing++;
    try {
      // One async function from here to the bus where there were three nested (publish, its
      // checks, the dispatch): each cost a promise and turns of the microtask queue per publish.
      const engine = this.checkPublish(notification, options);
      // Filled in as the events' batches are stored, it goes down in the options each event passes
      // on to fireMany. `options` is publish()'s own object (a literal, or the plain copy read above,
      // which checkPublish() has found to be one): the host's object is left as it was given.
      const tally = (options[PUBLISH_TALLY] = new PublishTally());
      // The engine checks the transaction here, not only when a request is enqueued in it: with
      // publishing disabled, no webhook subscribed or no event composed for the notification, a
      // wrong one (not in BEGIN, closed, of another database) used to pass silently, and the host
      // learnt of its mistake only once something fired. An empty enqueue stores nothing.
      if (options.transaction !== undefined) await this.checkTransaction(engine, options.transaction);
      const { parts } = this;
      if (!parts.bus.hasSubscribers(notification.constructor)) this.reportUnhandled(notification.constructor);
      const parent = options.traceContext ?? context.active();
      const span = parts.tracer.startSpan('hookwork.publish', PUBLISH_SPAN, parent);
      // Without an SDK the span is a no-op: entering a context for it would cost every publish. One
      // the SDK's sampler dropped is still handed down, so that the enqueue spans are dropped with it.
      if (!span.isRecording()) {
        span.end();
        const passed = span.spanContext() === INVALID_SPAN_CONTEXT ? options : { ...options, traceContext: trace.setSpan(parent, span) };
        return this.gather(notification, await this.runEvents(notification, passed), passed, tally);
      }
      return await this.publishInSpan(notification, options, parent, span, tally);
    } finally {
      if (--this.publishing === 0) this.publishesDone?.();
    }
  }

  /** Resolves when no publish() is under way, or after `timeoutMs`. */
  private publishesSettled(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.publishesDone = undefined;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.publishesDone = done;
    });
  }

  /** Refuses what publish() cannot take (HOOKWORK_ERR_INVALID_…, an app not started); returns the engine to enqueue in. */
  private checkPublish(notification: object, options: PublishOptions<TTransaction>): QueueEngine<unknown> {
    if (typeof notification === 'function') {
      // The class itself, a forgotten `new`: "got function" named neither.
      const name = (notification as Function).name || 'YourNotification';
      throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `publish() was given the class ${name}, not a notification; publish an instance of it: publish(new ${name}(…))`);
    }
    if (notification === null || typeof notification !== 'object') {
      throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `publish() takes a notification object (an instance of a notification class); got ${notification === null ? 'null' : typeof notification}`);
    }
    // Neither can reach an event, and both used to resolve with nothing sent and only a debug line:
    // a forgotten await, or a batch where publish() takes one notification.
    if (typeof (notification as { then?: unknown }).then === 'function') {
      throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `publish() was given a promise (a ${notification.constructor?.name ?? 'thenable'}), not a notification; await it first: publish(await makeNotification())`);
    }
    if (Array.isArray(notification)) {
      throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `publish() was given an array of ${notification.length}; it takes one notification: publish each (for (const n of notifications) await app.publish(n))`);
    }
    if (Object.getPrototypeOf(notification) === Object.prototype || Object.getPrototypeOf(notification) === null) {
      throw new HookworkError(
        'HOOKWORK_ERR_INVALID_NOTIFICATION',
        'publish() was given a plain object; notifications are routed by their class, so create an instance of a notification class (e.g. new ContentPublishedNotification(...)) instead of an object literal',
      );
    }
    const engine = this.requireStarted();
    if (!isPlainObject(options)) {
      throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `publish(): options must be a plain object such as { transaction } or { idempotencyKey: 'order-42' }; got ${options !== null && typeof options === 'object' ? objectKind(options) : shownValue(options)}`);
    }
    // A misspelt `{ tx }` would otherwise publish outside the host's transaction, silently.
    const unknown = unknownOption(options, PUBLISH_OPTIONS);
    if (unknown) throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `publish(): ${unknown.text}`);
    if (options.traceContext !== undefined && !isTraceContext(options.traceContext)) {
      throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `publish(notification, { traceContext }) takes an OpenTelemetry Context (context.active(), or trace.setSpan(context.active(), span)); got ${shownValue(options.traceContext)}`);
    }
    if (options.idempotencyKey !== undefined) checkIdempotencyKey(options.idempotencyKey);
    if (options.transaction !== undefined && !engine.capabilities.transactionalEnqueue) {
      // Refused even when nothing would fire: a host relying on the outbox must learn at once
      // that this store cannot give it, not at the first notification that has a subscriber.
      // With a storage that could (PostgreSQL) and a queue apart that cannot (BullMQ), the fix is to
      // drop the queue, not to "use a storage" the app already has.
      const backend = this.parts.storageBackend;
      throw new HookworkError(
        'HOOKWORK_ERR_INVALID_TRANSACTION',
        backend.capabilities.transactionalEnqueue
          ? `publish() was given a transaction, but the ${engine.name} queue cannot enqueue inside a host transaction, though the ${backend.name} storage could: leave out \`queue\` to have the ${backend.name} storage queue the requests too (the transactional outbox), or publish after your own commit`
          : `publish() was given a transaction, but the ${engine.name} queue cannot enqueue inside a host transaction; publish after your own commit, or use a storage with a transactional enqueue (@hookwork/postgres)`,
      );
    }
    return engine;
  }

  /** publish() in its recording span: the span is made active, handed down, and records failures. */
  private async publishInSpan(notification: object, options: PublishOptions<TTransaction>, parent: Context, span: Span, tally: PublishTally): Promise<PublishResult> {
    span.setAttribute('hookwork.notification', notification.constructor.name);
    try {
      // Handed down, not only made active: the enqueue spans nest in the publish span even when
      // no context manager carries the active span across the awaits (a `tracerProvider` given
      // to createHookwork() without a registered SDK).
      const traced = trace.setSpan(parent, span);
      const result = await context.with(traced, () => this.dispatch(notification, { ...options, traceContext: traced }, tally));
      span.setAttribute('hookwork.enqueued', result.enqueued);
      if (result.failures.length > 0) span.setStatus({ code: SpanStatusCode.ERROR, message: `${result.failures.length} event handler(s) failed` });
      return result;
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message ?? String(error) });
      throw error;
    } finally {
      span.end();
    }
  }

  /** Refuses a host transaction the engine could not enqueue in, as an enqueue in it would. */
  private async checkTransaction(engine: QueueEngine<unknown>, transaction: unknown): Promise<void> {
    try {
      await engine.enqueue([], { transaction });
    } catch (cause) {
      if (isHookworkError(cause, 'HOOKWORK_ERR_INVALID_TRANSACTION') || isHookworkError(cause, 'HOOKWORK_ERR_ENQUEUE_FAILED')) throw cause;
      // A probe of the transaction that failed (its connection broke): what the enqueue would say.
      throw new HookworkError('HOOKWORK_ERR_ENQUEUE_FAILED', `could not check the host transaction publish() was given: ${(cause as Error)?.message ?? cause}`, { cause });
    }
  }

  /** Runs every composed event handling the notification and gathers their failures. */
  private async dispatch(notification: object, options: PublishOptions<TTransaction>, tally: PublishTally): Promise<PublishResult> {
    return this.gather(notification, await this.runEvents(notification, options), options, tally);
  }

  /** The bus's publish, which stop() can end once nothing of it can be stored any more (see {@link cuttable}). */
  private runEvents(notification: object, options: PublishOptions<TTransaction>): Promise<HandlerOutcome[]> {
    return this.endedByStop(
      this.parts.bus.publish(notification, options),
      (stopTimeout) =>
        `publish() was cut off by stop(), which stopped waiting for it after stopTimeout (${stopTimeout} ms): nothing of the webhook events still handling it was stored (one had not returned: its payload converter, shouldFireWebhookForNotification() or getAliasesForNotification() still running); events that had finished before the cut stored what they fired. Make the event's work end (give its own I/O a timeout), and publish again on a running app`,
    );
  }

  /**
   * `running`, or HOOKWORK_ERR_APP_STOPPED with `message` once stop() has closed the way into the
   * store and given up waiting: code of an event class that never returns must not hold a
   * caller's promise for ever, past stop().
   */
  private endedByStop<T>(running: Promise<T>, message: (stopTimeout: number) => string, cuttable = this.cuttable): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const cut = () => reject(new HookworkError('HOOKWORK_ERR_APP_STOPPED', message(this.parts.settings.get().stopTimeout)));
      cuttable.add(cut);
      running.then(
        (value) => {
          cuttable.delete(cut);
          resolve(value);
        },
        (error: unknown) => {
          cuttable.delete(cut);
          reject(error);
        },
      );
    });
  }

  /** publish()'s result from the events' outcomes and what they enqueued; throws when the store failed under one of them. */
  private gather(notification: object, outcomes: readonly HandlerOutcome[], options: PublishOptions<TTransaction>, tally: PublishTally): PublishResult {
    const { parts } = this;
    const failures: PublishResult['failures'] = [];
    for (const outcome of outcomes) {
      if (outcome.ok) continue;
      // The store failed (enqueueing, or looking the webhooks up): nothing of this notification
      // is durable, so publish() fails as a whole and the host can retry or roll back.
      // Cut off by stop(): refused at the gate, or its lookups met the store closed under it (an
      // enqueue already sent was waited for): nothing of this event was stored.
      if (isHookworkError(outcome.error, 'HOOKWORK_ERR_APP_STOPPED') || (isStoreFailure(outcome.error) && parts.container.resolve(EnqueueGate).isClosed)) throw cutOff(notification, outcome.error, outcomes);
      if (isStoreFailure(outcome.error)) throw publishFailed(outcome.handlerName, outcome.error, outcomes, options.idempotencyKey);
      const cause = outcome.error;
      const error = new HookworkError('HOOKWORK_ERR_HANDLER_FAILED', `webhook event ${outcome.handlerName} failed on ${notification.constructor.name}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
      failures.push({ eventAlias: outcome.handlerName, error });
      parts.reporter.emit('handlerFailed', { eventAlias: outcome.handlerName, notification: notification.constructor.name, error: cause });
      parts.logger.error(error.message, { error: cause });
    }
    return { events: outcomes.length, failures, enqueued: tally.enqueued, alreadyEnqueued: tally.alreadyEnqueued };
  }

  /** An operator event goes to the webhooks subscribed to it, when the host composed the operator events. */
  private sendOperatorEvent(event: OperatorEvent): void {
    if (this.current !== 'started' || !this.parts.bus.hasSubscribers(OperatorNotification)) return;
    this.publish(new OperatorNotification(event)).catch((error: unknown) => {
      if (this.current === 'started') this.parts.reporter.backgroundError(`sending the ${event.type} operator event`, error);
    });
  }

  async drain(options?: DrainOptions): Promise<void> {
    const engine = this.requireStarted();
    const management = this.parts.management;
    await drainQueue(engine, this.parts.own, options, this.stopRequested.signal, {
      requireWebhook: async (webhookKey) => void (await management.queueCounts({ webhookKey })),
      logged: this.parts.logged,
    });
    await this.parts.logWriter.flush();
  }

  logs(query?: DeliveryLogQuery): Promise<Page<DeliveryLogEntry>>;
  logs(webhookKey: string, page?: CursorPageRequest): Promise<Page<DeliveryLogEntry>>;
  async logs(queryOrKey?: DeliveryLogQuery | string, page?: CursorPageRequest): Promise<Page<DeliveryLogEntry>> {
    this.requireStarted();
    return typeof queryOrKey === 'string' || page !== undefined ? this.parts.management.logs(queryOrKey as string, page) : this.parts.management.logs(queryOrKey);
  }

  async delivery(key: string): Promise<DeliveryLogEntry> {
    this.requireStarted();
    return this.parts.management.delivery(key);
  }

  async redeliver(selector: RedeliverSelector): Promise<RedeliverResult> {
    this.requireStarted();
    return this.parts.management.redeliver(selector);
  }

  async deadLetters(query?: DeadLetterQuery): Promise<Page<WebhookRequest>> {
    this.requireStarted();
    return this.parts.management.deadLetters(query);
  }

  async queueCounts(query?: QueueCountsQuery): Promise<QueueCounts> {
    this.requireStarted();
    return this.parts.management.queueCounts(query);
  }

  async sendTestEvent(webhookKey: string, options?: { alias?: string }): Promise<TestEventResult> {
    this.requireStarted();
    return this.endedByStop(
      this.parts.management.sendTestEvent(webhookKey, options),
      (stopTimeout) =>
        `sendTestEvent(${JSON.stringify(webhookKey)}) was cut off by stop() (stopTimeout ${stopTimeout} ms): it had not finished — the event's createExampleNotification() or payload converter had not returned, or the host's own transport had not answered. Make the event's work end (give its own I/O a timeout)`,
      this.cuttableTestSends,
    );
  }

  async runCleanup(): Promise<CleanupResult> {
    this.requireStarted();
    return this.parts.management.runCleanup();
  }

  async health(webhookKey: string): Promise<WebhookHealth> {
    this.requireStarted();
    return this.parts.management.health(webhookKey);
  }

  catalogueDocument(options?: CatalogueDocumentOptions): CatalogueDocument {
    return this.parts.management.catalogueDocument(options);
  }

  /**
   * A notification class no composed event handles: said once per class, at debug level — a CMS
   * host publishes every notification and composes a subset on purpose, and a warning for each
   * left-out class would be noise at every start. Said as a warning, once per app, when the app
   * composes no event at all: then nothing can ever be sent, which is never on purpose (a
   * newcomer's forgotten `webhookEvents().add(…)`). `events: 0` in the result says it every time.
   */
  private reportUnhandled(type: Function): void {
    if (this.unreported.has(type)) return;
    this.unreported.add(type);
    const name = type.name || 'this notification class';
    if (this.parts.entries.length === 0) {
      if (this.warnedNoEvents) return;
      this.warnedNoEvents = true;
      this.parts.logger.warn(
        `publish(): this app composes no webhook events, so nothing is sent for ${name} (nor for any notification); add the event that handles it in a composer: createHookwork({ composers: [{ compose: (builder) => builder.webhookEvents().add(MyEvent) }] }), where MyEvent's @WebhookEvent options name notification: ${name}. Said once; publish() answers events: 0 every time`,
      );
      return;
    }
    // Routing is by the exact class, as Umbraco's event aggregator does: a host's subclass of a
    // composed notification (class Scheduled extends ContentPublishedNotification) fired nothing
    // with only a debug line. Said as a warning, once, naming both classes and both fixes.
    const composedParent = this.parts.bus.composedAncestor(type);
    if (composedParent) {
      this.parts.logger.warn(
        `publish(): ${name} extends ${composedParent.name}, but notifications are routed by their exact class, so the events composed for ${composedParent.name} do not fire for it and nothing is sent; publish a ${composedParent.name}, or compose an event whose notification is ${name} (notification: ${name} in its @WebhookEvent options)`,
      );
      return;
    }
    this.parts.logger.debug(`publish(): no composed event handles ${name}; nothing is sent for it (compose an event whose notification is this class)`);
  }

  private requireOpen(): void {
    // Once stop() is called the app takes no more changes, as publish() and the listings refuse
    // already: a webhook created while stop() ran was stored and never delivered by this app.
    if (this.storage && this.current !== 'stopping' && this.current !== 'stopped') return;
    throw new HookworkError(
      this.current === 'stopped' || this.current === 'stopping' ? 'HOOKWORK_ERR_APP_STOPPED' : 'HOOKWORK_ERR_APP_NOT_STARTED',
      this.current === 'stopped' || this.current === 'stopping' ? 'the app was stopped; create a new app to go on' : 'storage is not open yet; await app.start() before managing webhooks or publishing',
    );
  }

  private requireStarted(): QueueEngine<unknown> {
    this.requireOpen();
    if (this.current === 'stopping' || this.current === 'stopped') throw new HookworkError('HOOKWORK_ERR_APP_STOPPED', 'the app is stopping or was stopped; create a new app to go on');
    if (this.current !== 'started' || !this.engine) throw new HookworkError('HOOKWORK_ERR_APP_NOT_STARTED', 'await app.start() first');
    return this.engine;
  }
}

/** A publish cut off by stop(): says that nothing of the failed event was stored, and whether other events of the notification had stored theirs (each batch whole). */
function cutOff(notification: object, error: unknown, outcomes: readonly { ok: boolean }[]): HookworkError {
  const refused = isHookworkError(error, 'HOOKWORK_ERR_APP_STOPPED')
    ? error.message
    : cutOffText(notification.constructor.name, `the store was closed under it: ${(error as Error)?.message ?? String(error)}`);
  const done = outcomes.filter((o) => o.ok).length;
  return new HookworkError('HOOKWORK_ERR_APP_STOPPED', done === 0 ? refused : `${refused}. ${done} other event(s) handling the same notification had finished before the cut: what they fired is stored`, { cause: error });
}

/** A failure of the store itself, which fails a publish as a whole rather than one handler. */
function isStoreFailure(error: unknown): error is HookworkError {
  // A refused { transaction } fails publish() too: the host must not commit believing it enqueued.
  return isHookworkError(error) && (ENQUEUE_CODES.has(error.code) || error.code === 'HOOKWORK_ERR_INVALID_TRANSACTION' || error.code.startsWith('HOOKWORK_ERR_STORAGE'));
}

/** What a failed enqueue is: nothing of it stored, or perhaps stored. */
const ENQUEUE_CODES: ReadonlySet<string> = new Set(['HOOKWORK_ERR_ENQUEUE_FAILED', 'HOOKWORK_ERR_ENQUEUE_UNCERTAIN']);

/**
 * What publish() rejects with when the store failed under it: HOOKWORK_ERR_ENQUEUE_FAILED, whichever
 * backend and whichever step (looking the webhooks up, or storing the requests), so a host catches one
 * code for "nothing of it is durable: retry or roll back" — or HOOKWORK_ERR_ENQUEUE_UNCERTAIN, as the
 * engine said, when the requests may have been stored. The store's own error (HOOKWORK_ERR_STORAGE,
 * …_PERMISSION_DENIED with its GRANT, …_LOCKED) is the cause, and its message is kept. A refused
 * transaction is the host's mistake, not the store's, and keeps its code. When other events of the
 * notification had stored theirs and the publish had no idempotency key, the message says that a
 * retry would store those twice.
 */
function publishFailed(handlerName: string, error: HookworkError, outcomes: readonly { ok: boolean }[], idempotencyKey: string | undefined): HookworkError {
  if (error.code === 'HOOKWORK_ERR_INVALID_TRANSACTION') return error;
  const failed = ENQUEUE_CODES.has(error.code) ? error : new HookworkError('HOOKWORK_ERR_ENQUEUE_FAILED', `nothing was enqueued for ${handlerName}: the store failed before its requests could be stored (${error.message}); publish again once it is back, or roll back`, { cause: error });
  // Other events of the notification stored theirs: "publish again" would store those twice, unless keyed.
  const done = outcomes.filter((o) => o.ok).length;
  if (done === 0 || idempotencyKey !== undefined) return failed;
  return new HookworkError(
    failed.code,
    `${messageWithoutCode(failed)}. ${done} other event(s) handling the same notification had finished, and what they fired is stored: publishing it again stores that twice, under new webhook-ids — publish with { idempotencyKey } to make a retry store only what is missing`,
    { cause: failed.cause ?? failed },
  );
}

/** Resolves when `work` settles (either way), or after `timeoutMs`, whichever is first. */
function settledWithin(work: Promise<unknown> | undefined, timeoutMs: number): Promise<void> {
  if (!work) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    work.then(done, done);
  });
}

/** True for an OpenTelemetry Context: what `context.active()` and `trace.setSpan()` return. */
function isTraceContext(value: unknown): value is Context {
  const candidate = value as Partial<Context> | null;
  return typeof value === 'object' && value !== null && typeof candidate!.getValue === 'function' && typeof candidate!.setValue === 'function' && typeof candidate!.deleteValue === 'function';
}

/**
 * Warns of each stored webhook with a custom header of the name the `headers.event` or
 * `headers.retryCount` setting gives hookwork's own: create() and update() refuse such a header,
 * but one stored before the setting took that name (at start, or by updateSettings()) was
 * replaced by hookwork's value on every request without a word. `atStart`, also of each whose
 * custom headers hold more than MAX_CUSTOM_HEADER_BYTES in all (create() and update() refuse
 * such headers, but one stored before the cap is kept and sent as it is, a receiver with larger
 * limits takes it, while most receivers refuse every request of it), and of each with a custom
 * header of a name hookwork sets itself ({@link FRAMEWORK_HEADERS}: refused since, such as
 * `Content-Encoding`, a body checksum or `tracestate`), which is never sent. One read of the
 * webhooks for all.
 */
async function warnOfStoredHeaders(repository: Pick<WebhookRepository, 'list' | 'listPage'>, names: DeepReadonly<HookworkSettings>['headers'], logger: Logger, options: { atStart: boolean }): Promise<void> {
  const settingOf = new Map([
    [names.retryCount.toLowerCase(), 'headers.retryCount'],
    [names.event.toLowerCase(), 'headers.event'],
  ]);
  // Page by page, as listWithUnknownEvents() reads them.
  for await (const page of webhookPages(repository)) {
    for (const webhook of page) {
      for (const name of Object.keys(webhook.headers)) {
        const setting = settingOf.get(name.toLowerCase());
        if (setting) logger.warn(`webhook ${webhook.key} has the custom header ${name}, the name the ${setting} setting gives a header hookwork sets: hookwork's value replaces the webhook's on every request; give the setting another name, or the webhook's header (app.webhooks.update())`);
      }
      if (options.atStart) {
        const own = Object.keys(webhook.headers).filter((name) => FRAMEWORK_HEADER_SET.has(name.toLowerCase()) && !settingOf.has(name.toLowerCase()));
        if (own.length > 0) {
          logger.warn(
            `webhook ${webhook.key} has the custom header${own.length === 1 ? '' : 's'} ${own.join(', ')}, ${own.length === 1 ? 'a name' : 'names'} hookwork sets itself or never lets a webhook send (stored before ${own.length === 1 ? 'it was' : 'they were'} refused): ${own.length === 1 ? 'it is' : 'they are'} left out of every request; remove ${own.length === 1 ? 'it' : 'them'} with app.webhooks.update() (docs/webhooks.md, custom headers)`,
            { webhookKey: webhook.key },
          );
        }
      }
      const total = options.atStart ? customHeaderBytes(webhook.headers) : 0;
      if (total > MAX_CUSTOM_HEADER_BYTES) {
        logger.warn(
          `webhook ${webhook.key} has custom headers of ${total.toLocaleString('en-US')} bytes in all (names and values), more than the ${MAX_CUSTOM_HEADER_BYTES.toLocaleString('en-US')} a webhook may now hold: it was stored before the cap and is sent as it is, but most receivers refuse headers that large (Node 16 KiB in all, Tomcat and Jetty 8 KiB; 431 or 400) on every attempt. Shorten or remove some with app.webhooks.update() (an update that gives headers must bring them under the cap)`,
          { webhookKey: webhook.key },
        );
      }
    }
  }
}

/**
 * Says at start that the store keeps nothing past the process. The in-memory store is the default,
 * so an app given no `storage` started without a word and lost its webhooks at the first restart;
 * given a queue engine that keeps its requests elsewhere (BullMQ in Redis) it was worse, as the
 * requests outlived the webhooks and the log they belong to: that is a warning, naming the fix. A
 * store chosen in memory (tests, demos), or everything in memory, is an info line.
 */
function warnOfVolatileStorage(parts: HookworkParts, engine: QueueEngine<unknown>): void {
  const fix = 'give a durable store: createHookwork({ storage: sqliteStorage({ file }) }) from @hookwork/sqlite, or postgresStorage({ connectionString }) from @hookwork/postgres';
  const meta = { storage: parts.storageBackend.name, queue: engine.name };
  const lost = 'lost when the process exits';
  // The polling engine keeps its requests in the store itself (the memory store, SQLite's :memory:);
  // another engine (BullMQ) keeps them elsewhere, where they outlive what the store forgets.
  if (engine instanceof PollingQueueEngine) {
    const where = parts.storageDefaulted ? 'no storage was given: webhooks, the queue and the delivery log are kept in memory and' : `the ${parts.storageBackend.name} store keeps webhooks, the queue and the delivery log in memory,`;
    parts.logger.info(`${where} ${lost}; to keep them, ${fix}`, meta);
  } else if (parts.storageDefaulted) {
    parts.logger.warn(`no storage was given, so webhooks and the delivery log are kept in memory and ${lost}, while the ${engine.name} queue keeps its requests: after a restart they belong to webhooks that are gone, and their attempts are logged nowhere; ${fix}`, meta);
  } else {
    parts.logger.info(`the ${parts.storageBackend.name} store keeps webhooks and the delivery log in memory, ${lost}, while the ${engine.name} queue keeps its requests; to keep them all, ${fix}`, meta);
  }
}

/** The store failures a start() may meet by chance (a connection ended, a lock held): start() again may pass. */
const TRANSIENT_AT_START = new Set(['HOOKWORK_ERR_STORAGE', 'HOOKWORK_ERR_STORAGE_LOCKED']);

/**
 * What a store's message adds for a running app, untrue of a start: no pool left open reconnects
 * (start() closed the store). PostgreSQL's, its message's last clause; the other stores' messages
 * met at start say nothing of the kind (BullMQ's engine says its own start failed).
 */
const RUNNING_TIME_CLAUSES = [/; hookwork reconnects by itself when the server is back$/];

/**
 * The error start() rejects with for a store failure met while starting (`step`): the store's
 * message was written for a running app ("hookwork reconnects by itself"), but nothing retries a
 * start — the app is back in `created` and the host must call start() again. Same code, the
 * store's error as the cause; other errors pass unchanged.
 */
function startFailure(error: unknown, step: string): unknown {
  if (!isHookworkError(error) || !TRANSIENT_AT_START.has(error.code)) return error;
  const said = RUNNING_TIME_CLAUSES.reduce((text, clause) => text.replace(clause, ''), messageWithoutCode(error));
  const fix = error.code === 'HOOKWORK_ERR_STORAGE_LOCKED' ? 'once the lock is released' : 'once the store answers';
  return new HookworkError(error.code, `start() failed while ${step}: ${said}; the app is not started but back in \`created\`, and nothing retries the start: call start() again ${fix}`, { cause: error });
}
