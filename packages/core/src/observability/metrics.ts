import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LeaseLapse } from './lease-lapse';
import type { LifecycleEmitter } from './lifecycle-events';
import { silentLogger, type Logger } from './logger';
import { OPERATOR_EVENT_TYPES } from './operator-events';
import { DROP_REASON } from './drop-reasons';

/** What the gauges read at each scrape; each returns undefined while the app is not started. */
export interface MetricsSources {
  /** Requests by state. */
  counts(): Promise<{ pending: number; inFlight: number; dead: number } | undefined>;
  /**
   * When the oldest pending request was created: null when none is pending, undefined when it
   * cannot be told (the app is not started, or its queue engine does not offer it).
   */
  oldestPendingCreatedAt(): Promise<Date | null | undefined>;
  /** The breaker of every webhook whose breaker is open or half-open, or that has failed since its last success. */
  breakers(): Promise<readonly { webhookKey: string; breaker: 'closed' | 'open' | 'half-open' }[] | undefined>;
  /** The time of the scrape (the app's clock). */
  now(): Date;
}

/** The gauges read from the store at each scrape: the `gauge` label of `hookwork_metrics_collect_errors_total`. */
export type CollectedGauge = 'queue_requests' | 'queue_oldest_pending_age' | 'breaker_state';

/** How often a gauge whose reading keeps failing is logged (a scrape every 15 s would log every 15 s). */
export const COLLECT_ERROR_LOG_INTERVAL_MS = 60_000;

/** A scrape: the text exposition and the content type to serve it with. */
export interface MetricsScrape {
  /** The content type to serve `text` with (Prometheus text format 0.0.4). */
  contentType: string;
  /** The metrics in Prometheus's text exposition format. */
  text: string;
}

/**
 * The `reason` label of `hookwork_requests_deferred_total` for each deferral reason the lifecycle's
 * `requestDeferred` tells (the delivery handler's `HoldReason`s, in words): a bounded set of
 * snake_case values, as Prometheus label values should be. A reason not in it (a queue engine's
 * own) is counted as `other`, so free text never makes a series of its own.
 */
export const DEFERRAL_REASON_LABELS = Object.freeze({
  'breaker open': 'breaker_open',
  'probe in flight': 'probe_in_flight',
  'rate limit': 'rate_limit',
  'receiver asked to wait (Retry-After)': 'retry_after',
  'webhook disabled': 'webhook_disabled',
} as const);

/**
 * Every `reason` of `hookwork_requests_deferred_total`, each series served from 0: the labels of
 * {@link DEFERRAL_REASON_LABELS} and `other`.
 */
export const DEFERRAL_REASONS = Object.freeze(['breaker_open', 'probe_in_flight', 'rate_limit', 'retry_after', 'webhook_disabled', 'other'] as const);

/** The `reason` label of a deferral told with `reason`: one of {@link DEFERRAL_REASONS}. */
function deferralLabel(reason: string): string {
  return Object.prototype.hasOwnProperty.call(DEFERRAL_REASON_LABELS, reason) ? DEFERRAL_REASON_LABELS[reason as keyof typeof DEFERRAL_REASON_LABELS] : 'other';
}

/**
 * The `reason` label of `hookwork_requests_dropped_total` for each reason the lifecycle's
 * `requestDropped` tells: `webhook_deleted` (removed by the webhook's deletion or by the cleanup
 * round, or met by delivery after it), `webhook_recreated` (met by delivery after its webhook was
 * deleted and another created under its key). A reason not in it (a queue engine's own) is
 * counted as `other`.
 */
export const DROP_REASON_LABELS = Object.freeze({
  [DROP_REASON.deleted]: 'webhook_deleted',
  [DROP_REASON.recreated]: 'webhook_recreated',
} as const);

/**
 * Every `reason` of `hookwork_requests_dropped_total`, each series served from 0: the labels of
 * {@link DROP_REASON_LABELS} and `other`.
 */
export const DROP_REASONS = Object.freeze(['webhook_deleted', 'webhook_recreated', 'other'] as const);

/** The `reason` label of a drop told with `reason`: one of {@link DROP_REASONS}. */
function dropLabel(reason: string): string {
  return Object.prototype.hasOwnProperty.call(DROP_REASON_LABELS, reason) ? DROP_REASON_LABELS[reason as keyof typeof DROP_REASON_LABELS] : 'other';
}

/** The value of `hookwork_breaker_state` for each breaker state. */
export const BREAKER_STATE_VALUES = Object.freeze({ closed: 0, open: 1, 'half-open': 2 });

/**
 * The app's Prometheus metrics (prom-client), in a registry of its own — nothing goes to
 * prom-client's global registry, so two apps in one process never mix. Counters and histograms
 * follow the lifecycle events; the gauges read the queue and the health store at each scrape.
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `hookwork_attempts_total` | counter | `outcome` (delivered, retrying, dead, released: cut off by stop()), `status_class` (1xx…9xx, or none: no response) |
 * | `hookwork_attempt_duration_seconds` | histogram | `outcome` |
 * | `hookwork_delivery_latency_seconds` | histogram: publish → the 2xx | |
 * | `hookwork_requests_enqueued_total` | counter of requests stored (in a host transaction, once it commits) | |
 * | `hookwork_requests_deferred_total` | counter of deferrals (a request deferred again counts again) | `reason` (breaker_open, probe_in_flight, rate_limit, retry_after, webhook_disabled, other) |
 * | `hookwork_operator_events_total` | counter | `type` |
 * | `hookwork_handler_failures_total` | counter: webhook events that failed on a published notification (their webhooks got nothing for it) | |
 * | `hookwork_requests_dropped_total` | counter: requests removed unsent, each logged as `dropped` (their webhook was deleted) | `reason` (webhook_deleted, webhook_recreated, other) |
 * | `hookwork_delivery_log_write_failures_total` | counter: delivery log entries the store refused (delivery went on; the log lacks them) | |
 * | `hookwork_background_errors_total` | counter: work in the background that failed (a claim, a health write, a cleanup round, a Redis connection lost); which and why: the error log | |
 * | `hookwork_leases_lapsed_total` | counter: attempts running here whose lease ran out before they ended | `how` (reclaimed, renewed_late, lost) |
 * | `hookwork_queue_requests` | gauge, store-wide | `state` (pending, inflight, dead) |
 * | `hookwork_queue_oldest_pending_age_seconds` | gauge, store-wide: the oldest pending request, due or not (no sample when the queue engine cannot tell) | |
 * | `hookwork_breaker_state` | gauge, store-wide: 0 closed, 1 open, 2 half-open | `webhook` (enabled webhooks failing now or with a breaker not closed) |
 * | `hookwork_metrics_collect_errors_total` | counter: a gauge's reading failed, so it gave no sample | `gauge` |
 *
 * Every known `type`, `reason`, `how` and `gauge` label of the counters is served from 0, so that
 * `increase()` sees the first event of each; `hookwork_attempts_total`'s series appear with their
 * first attempt.
 *
 * The gauges are read from the store, so every process on one store reports the same values:
 * aggregate them across replicas with `max()`, not `sum()` (the counters and histograms are the
 * process's own: `sum()` them).
 *
 * A store that fails while a scrape reads it costs that scrape only the gauges read from it:
 * they give no sample, `hookwork_metrics_collect_errors_total{gauge}` counts the failure in the
 * same scrape (alert on its `increase()`), and the logger hears of it at warn level at most once a
 * minute per gauge. The counters and histograms are served as ever.
 *
 * Mount it with `await app.metrics.scrape()` (the admin package serves it at `/metrics`), or
 * merge `app.metrics.registry` into the host's own with prom-client's `Registry.merge`.
 */
export class HookworkMetrics {
  /** The prom-client registry holding hookwork's metrics. */
  readonly registry = new Registry();
  private readonly lapses: Counter<'how'>;

  /**
   * @param lifecycle - the app's lifecycle, whose events the counters and histograms follow
   * @param sources - what the gauges read at each scrape
   * @param logger - hears (at warn level, at most once a minute per gauge) of a gauge whose reading failed
   */
  constructor(lifecycle: LifecycleEmitter, sources: MetricsSources, logger: Logger = silentLogger) {
    const registers = [this.registry];
    // A gauge's reading that rejects made prom-client reject the whole scrape: a store outage
    // took the counters with it, and Prometheus saw the target down rather than the store.
    const reading = new Set<Promise<unknown>>();
    const failures = new Map<CollectedGauge, { lastLoggedAt: number; unlogged: number }>();
    // Registered after the gauges (below): prom-client starts every metric's collect() at once,
    // in registration order, so this scrape's readings are under way when its collect() waits
    // for them, and their failures are counted in this scrape, not the next.
    const collectErrors = new Counter({
      name: 'hookwork_metrics_collect_errors_total',
      help: 'Readings of a gauge from the store that failed at a scrape (that gauge gave no sample in it), by gauge.',
      labelNames: ['gauge'] as const,
      registers: [],
      async collect() {
        await Promise.all(reading);
      },
    });
    const read = <T>(gauge: CollectedGauge, source: () => Promise<T>): Promise<{ value: T } | undefined> => {
      const done = (async () => {
        try {
          return { value: await source() };
        } catch (error) {
          collectErrors.inc({ gauge });
          const now = Date.now();
          const failure = failures.get(gauge) ?? { lastLoggedAt: -Infinity, unlogged: 0 };
          failures.set(gauge, failure);
          if (now - failure.lastLoggedAt < COLLECT_ERROR_LOG_INTERVAL_MS) failure.unlogged++;
          else {
            const more = failure.unlogged > 0 ? ` (${failure.unlogged} more failure(s) since the last report)` : '';
            logger.warn(`metrics: the ${gauge} gauge could not be read${more}; scrapes go on without it (hookwork_metrics_collect_errors_total counts each failure): ${(error as Error)?.message ?? error}`, { error, gauge });
            failure.lastLoggedAt = now;
            failure.unlogged = 0;
          }
          return undefined;
        }
      })();
      reading.add(done);
      void done.finally(() => reading.delete(done));
      return done;
    };
    const attempts = new Counter({ name: 'hookwork_attempts_total', help: 'Delivery attempts by outcome and HTTP status class (none: no response).', labelNames: ['outcome', 'status_class'] as const, registers });
    const duration = new Histogram({
      name: 'hookwork_attempt_duration_seconds',
      help: 'Duration of delivery attempts, from sending to the response (or the failure).',
      labelNames: ['outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
      registers,
    });
    const latency = new Histogram({
      name: 'hookwork_delivery_latency_seconds',
      help: 'Time from publish (the request was created) to its successful delivery, retries included.',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300, 1800, 3600, 21_600, 86_400],
      registers,
    });
    const enqueued = new Counter({ name: 'hookwork_requests_enqueued_total', help: 'Webhook requests durably enqueued (one published in a host transaction once it commits; one skipped as stored already is not counted again).', registers });
    const deferred = new Counter({ name: 'hookwork_requests_deferred_total', help: 'Deferrals of requests without an attempt (disabled webhook, open breaker, rate limit, Retry-After); a request deferred again counts again.', labelNames: ['reason'] as const, registers });
    this.lapses = new Counter({
      name: 'hookwork_leases_lapsed_total',
      help: 'Attempts running in this process whose lease ran out before they ended (the event loop or the store was late past leaseDuration), by how it was met: reclaimed (claimed again here, not sent again), renewed_late, lost (another process took it and may send it again).',
      labelNames: ['how'] as const,
      registers,
    });
    for (const how of ['reclaimed', 'renewed_late', 'lost'] as const) this.lapses.inc({ how }, 0);
    // A payload converter that throws on every publish (a host deploy, a changed entity) stops
    // the webhooks of its event without an attempt to fail: only this (and the error log) shows it.
    const handlerFailures = new Counter({
      name: 'hookwork_handler_failures_total',
      help: 'Webhook events that failed on a published notification (their payload converter or shouldFireWebhookForNotification() threw, or their payload cannot be sent as JSON), so their webhooks got nothing for it; which event and why: the handlerFailed lifecycle event and the error log.',
      registers,
    });
    // Each of these was only a lifecycle event and a log line: an operator's alert had nothing to
    // read when deletions dropped requests, the log stopped taking entries, or a store kept failing
    // a claim or a health write in the background.
    const dropped = new Counter({
      name: 'hookwork_requests_dropped_total',
      help: 'Requests removed unsent, each logged as dropped, by reason: webhook_deleted (by the webhook\'s deletion, the cleanup round, or delivery meeting it after), webhook_recreated (its webhook deleted and another created under its key since), other.',
      labelNames: ['reason'] as const,
      registers,
    });
    for (const reason of DROP_REASONS) dropped.inc({ reason }, 0);
    const logWriteFailures = new Counter({
      name: 'hookwork_delivery_log_write_failures_total',
      help: 'Delivery log entries the store could not write (delivery went on unaffected; the log lacks them); why: the error log and the logWriteFailed lifecycle event.',
      registers,
    });
    const backgroundErrors = new Counter({
      name: 'hookwork_background_errors_total',
      help: 'Work in the background that failed (a claim, a release, a lease renewal, a health write, a cleanup round, an operator event, a Redis connection lost, work of the store itself such as a lost LISTEN connection or a failed checkpoint thread): tried again, or what was done instead is in the log line; which task and why: the error log and the backgroundError lifecycle event.',
      registers,
    });
    const operator = new Counter({ name: 'hookwork_operator_events_total', help: 'Operator events (breaker.opened, breaker.closed, webhook.recovered, webhook.disabled, request.exhausted).', labelNames: ['type'] as const, registers });
    // Each known series from 0, as the lapses above: a series first scraped at 1 has no earlier
    // sample, so increase() and rate() never saw the first webhook.disabled or request.exhausted
    // of a process (often its only one), and an alert on them stayed silent.
    for (const type of OPERATOR_EVENT_TYPES) operator.inc({ type }, 0);
    for (const reason of DEFERRAL_REASONS) deferred.inc({ reason }, 0);
    new Gauge({
      name: 'hookwork_queue_requests',
      help: 'Requests in the store\'s queue by state (pending includes those waiting to retry or held); store-wide: every process on the store reports the same, aggregate with max().',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        const counts = (await read('queue_requests', () => sources.counts()))?.value;
        this.reset();
        if (!counts) return;
        this.set({ state: 'pending' }, counts.pending);
        this.set({ state: 'inflight' }, counts.inFlight);
        this.set({ state: 'dead' }, counts.dead);
      },
    });
    new Gauge({
      name: 'hookwork_queue_oldest_pending_age_seconds',
      help: 'Age since publish of the store\'s oldest pending request, due or not (waiting to retry or held counts; 0 when none is pending; no sample when the queue engine cannot tell); store-wide: aggregate with max().',
      registers,
      async collect() {
        const oldest = (await read('queue_oldest_pending_age', () => sources.oldestPendingCreatedAt()))?.value;
        // No sample rather than 0: an engine that cannot tell (BullMQ) read as "nothing waits",
        // so an alert on the age never fired however long requests waited.
        if (oldest === undefined) this.remove();
        else this.set(oldest ? Math.max(0, (sources.now().getTime() - oldest.getTime()) / 1000) : 0);
      },
    });
    new Gauge({
      name: 'hookwork_breaker_state',
      help: 'Circuit breaker of each enabled webhook failing now or whose breaker is not closed (a disabled or deleted webhook has no series): 0 closed, 1 open, 2 half-open (a probe is out); store-wide: aggregate with max().',
      labelNames: ['webhook'] as const,
      registers,
      async collect() {
        const breakers = (await read('breaker_state', () => sources.breakers()))?.value;
        this.reset();
        for (const { webhookKey, breaker } of breakers ?? []) this.set({ webhook: webhookKey }, BREAKER_STATE_VALUES[breaker]);
      },
    });
    this.registry.registerMetric(collectErrors);
    for (const gauge of ['queue_requests', 'queue_oldest_pending_age', 'breaker_state'] as const) collectErrors.inc({ gauge }, 0);

    // Labelled children are kept, so an attempt costs no label hashing (it runs for every delivery);
    // by outcome, then by status code (-1: none), so that no label text nor key is made per attempt.
    const attemptChildren = new Map<string, Map<number, { inc(): void }>>();
    const durationChildren = new Map<string, { observe(value: number): void }>();
    const attempted = (info: { outcome: string; statusCode?: number; durationMs: number }) => {
      const code = info.statusCode ?? -1;
      let byCode = attemptChildren.get(info.outcome);
      if (!byCode) attemptChildren.set(info.outcome, (byCode = new Map()));
      let counter = byCode.get(code);
      if (!counter) byCode.set(code, (counter = attempts.labels({ outcome: info.outcome, status_class: info.statusCode === undefined ? 'none' : `${Math.floor(info.statusCode / 100)}xx` })));
      counter.inc();
      let histogram = durationChildren.get(info.outcome);
      if (!histogram) durationChildren.set(info.outcome, (histogram = duration.labels({ outcome: info.outcome })));
      histogram.observe(info.durationMs / 1000);
    };
    lifecycle.subscribeInternal('attemptSucceeded', (info) => {
      attempted(info);
      // An unreadable creation time (an engine's bad record) costs the sample, not the listener.
      if (info.createdAt && Number.isFinite(info.createdAt.getTime())) latency.observe(Math.max(0, (sources.now().getTime() - info.createdAt.getTime()) / 1000));
    }, 'metrics');
    lifecycle.subscribeInternal('attemptFailed', attempted, 'metrics');
    lifecycle.subscribeInternal('attemptReleased', attempted, 'metrics');
    lifecycle.subscribeInternal('enqueued', (requests) => enqueued.inc(requests.length), 'metrics');
    lifecycle.subscribeInternal('requestDeferred', (request) => deferred.inc({ reason: deferralLabel(request.reason) }), 'metrics');
    lifecycle.subscribeInternal('operatorEvent', (event) => operator.inc({ type: event.type }), 'metrics');
    lifecycle.subscribeInternal('handlerFailed', () => handlerFailures.inc(), 'metrics');
    lifecycle.subscribeInternal('requestDropped', (request) => dropped.inc({ reason: dropLabel(request.reason) }), 'metrics');
    lifecycle.subscribeInternal('logWriteFailed', () => logWriteFailures.inc(), 'metrics');
    lifecycle.subscribeInternal('backgroundError', () => backgroundErrors.inc(), 'metrics');
  }

  /** Counts `count` attempts whose lease ran out under them, met as `how` (the queue engine tells: QueueEngineContext.leaseLapsed). */
  leaseLapsed(how: LeaseLapse, count: number): void {
    this.lapses.inc({ how }, count);
  }

  /** The metrics in the Prometheus text format, and the content type to answer `/metrics` with. */
  async scrape(): Promise<MetricsScrape> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
