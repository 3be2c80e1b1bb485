import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { inject, injectable } from 'tsyringe';
import { HookworkError } from '../errors/hookwork-error';
import { WebhookEventResolver } from '../events/webhook-event-resolver';
import { newMessageId, WebhookFiringService } from '../firing/webhook-firing-service';
import { LifecycleToken } from '../observability/lifecycle-token';
import { ClockToken, type Clock } from '../runtime/clock';
import type { AttemptInfo, LifecycleEmitter, LifecycleEvents } from '../observability/lifecycle-events';
import { LoggerToken, type Logger } from '../observability/logger';
import { SettingsToken, type HookworkSettings, type SettingsAccessor } from '../settings/settings';
import { DeliveryLogToken, type DeliveryLog } from '../ports/delivery-log';
import { type DeliveryErrorKind, type DeliveryLogEntry, type DeliveryOutcome } from '../model/delivery-log-entry';
import { RequestQueueToken, type RedeliverSelector, type RequestQueue } from '../ports/request-queue';
import { type WebhookRequest } from '../model/webhook-request';
import type { Webhook } from '../model/webhook';
import { WebhookService } from '../management/webhook-service';
import { nextAttemptDelay } from './backoff';
import { CompletionBatcher } from './engine/completion-batcher';
import { DeliveryLogWriter } from './delivery-log-writer';
import { DeliveryOptionsToken, type BeforeSendRequest, type DeliveryOptions } from './delivery-options';
import { Dispatcher, type DispatchItem } from './engine/dispatcher';
import { LogCleanup, type CleanupResult } from './log-cleanup';
import { activeSecrets, buildRequestHeaders, redactHeaders, signRequest } from './request-headers';
import { TransportToken, type Transport, type TransportResult } from '../ports/transport';

/** What sendTestEvent() returns: the receiver's answer to one example request. */
export interface TestEventResult {
  ok: boolean;
  statusCode?: number;
  headers: Record<string, string>;
  body: string;
  durationMs: number;
  errorKind?: string;
  errorMessage?: string;
  /** The webhook-id of the test request. */
  requestId: string;
  /**
   * `example`: the body a real notification would send, from the event's
   * createExampleNotification(); `generic`: hookwork's generic test body (the event offers no
   * example, no composed event has the alias, or building the example failed).
   */
  payload: 'example' | 'generic';
  /** Why the example could not be built, when building it threw (the generic body was sent). */
  exampleError?: string;
}

/** How often log cleanup runs (it reads its settings at each round). */
export const LOG_CLEANUP_INTERVAL_MS = 60 * 60 * 1000;

type Attempt = {
  request: Pick<WebhookRequest, 'id' | 'webhookKey' | 'eventAlias' | 'body' | 'retryCount'>;
  webhook: Webhook;
  test: boolean;
};

type AttemptRecord = { url: string; headers: Record<string, string>; body: string; result: TransportResult; date: Date };

/**
 * The delivery side of an app: the dispatcher, signed HTTP attempts, retries with backoff,
 * dead letters, the delivery log, log cleanup and test sends.
 *
 * Decisions worth knowing (see docs/delivery.md):
 * - 2xx is success; 410 Gone disables the webhook and dead-letters the request; an SSRF refusal
 *   dead-letters at once; other 4xx are retried unless `retryClientErrors` is false (408 and
 *   429 always are); 3xx are not followed (a failure, logged with the Location).
 * - A request whose webhook was deleted is dropped (logged as `dropped`); one whose webhook is
 *   disabled stays pending and is looked at again each `period`, so re-enabling delivers it.
 * - A delivery log write that fails never changes delivery state (`logWriteFailed`).
 */
@injectable()
export class DeliveryEngine {
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly dispatcher: Dispatcher;
  private readonly logWriter: DeliveryLogWriter;
  private readonly cleanup: LogCleanup;
  private readonly completions: CompletionBatcher;
  private state: 'idle' | 'started' | 'stopped' = 'idle';

  constructor(
    @inject(RequestQueueToken) private readonly queue: RequestQueue,
    @inject(DeliveryLogToken) deliveryLog: DeliveryLog,
    private readonly webhooks: WebhookService,
    @inject(SettingsToken) private readonly settings: SettingsAccessor,
    @inject(ClockToken) private readonly clock: Clock,
    @inject(LoggerToken) private readonly logger: Logger,
    @inject(LifecycleToken) private readonly lifecycle: LifecycleEmitter,
    @inject(TransportToken) private readonly transport: Transport,
    @inject(DeliveryOptionsToken) private readonly options: DeliveryOptions,
    private readonly events: WebhookEventResolver,
    private readonly firing: WebhookFiringService,
  ) {
    this.logWriter = new DeliveryLogWriter(deliveryLog, lifecycle, logger);
    this.completions = new CompletionBatcher(queue, this.owner);
    this.cleanup = new LogCleanup(deliveryLog, queue, settings, clock, (error) => this.backgroundError('cleanup', error));
    this.dispatcher = new Dispatcher({
      queue,
      settings,
      clock,
      owner: this.owner,
      loadWebhooks: async (keys) => new Map(await Promise.all(keys.map(async (key) => [key, await this.webhooks.getStored(key)] as const))),
      process: (item, signal) => this.process(item, signal),
      onError: (task, error) => this.backgroundError(task, error),
    });
  }

  /** Starts the dispatcher and the log cleanup schedule. */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'started';
    this.dispatcher.start();
    this.cleanup.start(LOG_CLEANUP_INTERVAL_MS);
  }

  /** Due work may be waiting (called on enqueue): look now rather than at the next sweep. */
  wake(): void {
    this.dispatcher.wake();
  }

  /**
   * Stops claiming, waits for running attempts up to `stopTimeout` (then aborts them), gives the
   * claims back, writes the pending log entries and closes the transport's sockets.
   */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const wasStarted = this.state === 'started';
    this.state = 'stopped';
    this.cleanup.stop();
    if (wasStarted) await this.dispatcher.stop(this.settings.current.stopTimeout);
    await this.cleanup.idle();
    await this.logWriter.flush();
    await this.transport.close();
  }

  /**
   * Resolves when no request is pending or in flight (dead letters stay) and the log entries
   * of finished attempts are written; HOOKWORK_ERR_DRAIN_TIMEOUT after `timeoutMs` (default 30 s).
   */
  async drain(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await this.queue.counts();
      if (counts.pending + counts.inFlight === 0 && this.dispatcher.inFlight === 0) break;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new HookworkError(
          'HOOKWORK_ERR_DRAIN_TIMEOUT',
          `the queue was not drained within ${timeoutMs} ms (${counts.pending} pending, ${counts.inFlight} in flight); retries may be scheduled later than that, delivery may be disabled (settings.enabled), or pass a longer { timeoutMs }`,
          { details: counts },
        );
      }
      // Woken when this dispatcher goes idle (asking the store after every attempt would cost a
      // count per delivery); the recheck bound covers retries coming due and other processes.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 250));
        const dispatcher = this.dispatcher;
        const unsubscribe = dispatcher.onSettled(() => {
          if (dispatcher.inFlight <= 1) setImmediate(done);
        });
        function done() {
          clearTimeout(timer);
          unsubscribe();
          resolve();
        }
      });
    }
    await this.logWriter.flush();
  }

  /**
   * Sends an example request to a webhook now, once: no queue, no retry. The body is what a real
   * notification of `alias` (default: the webhook's first event) would send to this webhook,
   * built by the composed event's createExampleNotification() and its own payload conversion;
   * hookwork's generic test body when the event offers no example. It carries the
   * `hookwork-test: true` header, is signed and guarded like any delivery, is logged with
   * outcome `test`, and works on a disabled webhook too.
   */
  async sendTestEvent(webhookKey: string, options: { alias?: string } = {}): Promise<TestEventResult> {
    const webhook = typeof webhookKey === 'string' ? await this.webhooks.getStored(webhookKey) : undefined;
    if (!webhook) throw new HookworkError('HOOKWORK_ERR_WEBHOOK_NOT_FOUND', `no webhook has the key ${JSON.stringify(webhookKey)}; list them with app.webhooks.list()`);
    const alias = options?.alias ?? webhook.events[0];
    if (typeof alias !== 'string' || !webhook.events.includes(alias)) {
      throw new HookworkError(
        'HOOKWORK_ERR_ALIAS_NOT_SUBSCRIBED',
        `sendTestEvent(): webhook ${webhook.key} does not subscribe to ${JSON.stringify(alias)}; pass one of its events as { alias } (${webhook.events.map((e) => JSON.stringify(e)).join(', ')}) or omit it for the first`,
      );
    }
    const id = newMessageId();
    const example = await this.exampleBody(webhook, alias);
    const body = example.body ?? JSON.stringify(genericTestPayload(alias, webhook, id, this.clock.now()));
    const record = await this.attempt({ request: { id, webhookKey: webhook.key, eventAlias: alias, body, retryCount: 0 }, webhook, test: true });
    this.log(webhook, { id, eventAlias: alias, retryCount: 0 }, record, 'test');
    await this.logWriter.flush();
    const { result } = record;
    const about = { requestId: id, payload: example.body === undefined ? ('generic' as const) : ('example' as const), ...(example.error ? { exampleError: example.error } : {}) };
    return result.ok
      ? { ok: isSuccess(result.response.statusCode), statusCode: result.response.statusCode, headers: result.response.headers, body: result.response.body, durationMs: result.durationMs, ...about }
      : { ok: false, headers: {}, body: '', durationMs: result.durationMs, errorKind: result.errorKind, errorMessage: result.message, ...about };
  }

  /**
   * The serialised example of `alias` for this webhook, from the composed event that owns the
   * alias; no body when there is none. A converter that throws on the example (e.g. a host's
   * replacement that looks the example's entity up in its own store) must not make the webhook
   * untestable: its error is logged and returned, and the generic body is sent.
   */
  private async exampleBody(webhook: Webhook, alias: string): Promise<{ body?: string; error?: string }> {
    const event = this.events.resolve(alias);
    if (!event) return {};
    try {
      const request = await event.buildExampleRequest({ webhook, alias });
      return request ? { body: this.firing.serialize(request.payload, alias) } : {};
    } catch (error) {
      const message = `${event.constructor.name} could not build its example for ${alias}: ${(error as Error)?.message ?? error}`;
      this.logger.warn(`${message}; the test send to webhook ${webhook.key} carries the generic test body`, { error });
      return { error: message };
    }
  }

  /**
   * Puts dead-lettered requests back in the queue, due now, retry count reset: by `ids`, or all
   * of a webhook's (optionally only those dead since `deadSince`). Returns how many.
   */
  async redeliver(selector: RedeliverSelector): Promise<number> {
    const problem = selectorProblem(selector);
    if (problem) throw new HookworkError('HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR', `redeliver() ${problem}; pass { ids: [...] } or { webhookKey, deadSince? }`);
    if (selector.ids && selector.ids.length === 1) {
      const request = await this.queue.get(selector.ids[0]!);
      if (!request) throw new HookworkError('HOOKWORK_ERR_REQUEST_NOT_FOUND', `no queued or dead-lettered request has the id ${selector.ids[0]}; list dead letters with app.deadLetters()`);
    }
    const count = await this.queue.redeliver(selector, this.clock.now());
    if (count > 0) this.wake();
    return count;
  }

  /** Dead-lettered requests, newest dead first. */
  async listDeadLetters(query: { webhookKey?: string; limit?: number; offset?: number } = {}): Promise<WebhookRequest[]> {
    return this.queue.listDead(query);
  }

  /** Runs a log cleanup round now (it also runs on a schedule); resolves with what was deleted. */
  runCleanup(): Promise<CleanupResult> {
    return this.cleanup.run();
  }

  /** One claimed request: drop, hold, or attempt it and settle it in the queue. Never throws. */
  private async process(item: DispatchItem, signal: AbortSignal): Promise<void> {
    const { request, webhook } = item;
    try {
      if (!webhook) return await this.drop(request);
      if (!webhook.enabled) {
        // Kept, not sent: looked at again each period, so re-enabling the webhook delivers it.
        const dueAt = new Date(this.clock.now().getTime() + this.settings.current.period);
        await this.queue.reschedule(request.id, this.owner, { dueAt, retryCount: request.retryCount, lastError: 'webhook disabled' });
        return;
      }
      const record = await this.attempt({ request, webhook, test: false }, signal);
      await this.settle(request, webhook, record);
    } catch (error) {
      // A storage failure: the lease expires and the request is claimed again.
      this.backgroundError('deliver', error);
    }
  }

  private async drop(request: WebhookRequest): Promise<void> {
    const reason = 'the webhook was deleted';
    if (!(await this.completions.complete(request.id))) return;
    this.logWriter.write({
      key: randomUUID(),
      webhookKey: request.webhookKey,
      requestId: request.id,
      url: '',
      eventAlias: request.eventAlias,
      retryCount: request.retryCount,
      date: this.clock.now(),
      requestHeaders: {},
      requestBody: request.body,
      responseHeaders: {},
      responseBody: '',
      errorMessage: `not sent: ${reason}`,
      durationMs: 0,
      outcome: 'dropped',
    });
    this.emit('requestDropped', { requestId: request.id, webhookKey: request.webhookKey, eventAlias: request.eventAlias, reason });
  }

  /** Builds, hooks, signs and sends one attempt. */
  private async attempt(attempt: Attempt, signal?: AbortSignal): Promise<AttemptRecord> {
    const settings = this.settings.current;
    const { request, webhook } = attempt;
    const date = this.clock.now();
    let outgoing: BeforeSendRequest = {
      url: webhook.url,
      headers: buildRequestHeaders({ webhook, eventAlias: request.eventAlias, retryCount: request.retryCount, settings, test: attempt.test }),
      body: request.body,
    };
    if (this.options.beforeSend) {
      try {
        const { secrets: _secrets, ...publicWebhook } = webhook;
        const changed = await this.options.beforeSend(outgoing, { webhook: publicWebhook, eventAlias: request.eventAlias, requestId: request.id, retryCount: request.retryCount, test: attempt.test });
        if (changed) outgoing = changed;
      } catch (error) {
        const message = `the beforeSend hook threw: ${(error as Error)?.message ?? error}`;
        return { url: outgoing.url, headers: outgoing.headers, body: outgoing.body, date, result: { ok: false, errorKind: 'other', message, durationMs: 0 } };
      }
    }
    const body = Buffer.from(outgoing.body);
    const headers = { ...outgoing.headers };
    signRequest(headers, activeSecrets(webhook, date), request.id, this.clock.now(), body);
    const result = await this.transport.send(
      { url: outgoing.url, headers, body },
      { timeoutMs: settings.timeout, maxResponseBodyBytes: settings.maxResponseBodyBytes, ...(signal ? { signal } : {}) },
    );
    return { url: outgoing.url, headers, body: outgoing.body, result, date };
  }

  /** Completes, reschedules or dead-letters after an attempt, logs it and tells the lifecycle. */
  private async settle(request: WebhookRequest, webhook: Webhook, record: AttemptRecord): Promise<void> {
    const settings = this.settings.current;
    const { result } = record;
    const status = result.ok ? result.response.statusCode : undefined;
    const attempts = request.retryCount + 1;
    let outcome: DeliveryOutcome;
    let nextDueAt: Date | undefined;
    let disable = false;
    if (status !== undefined && isSuccess(status)) {
      outcome = 'delivered';
      await this.completions.complete(request.id);
    } else if (!result.ok && result.errorKind === 'aborted') {
      // Stopped mid-attempt: stop() gives the claim back; the attempt does not count.
      outcome = 'retrying';
    } else {
      disable = status === 410;
      const final = disable || (!result.ok && result.errorKind === 'ssrf') || (status !== undefined && !retryable(status, settings)) || request.retryCount >= settings.maximumRetries;
      const lastError = failureMessage(record);
      if (final) {
        outcome = 'dead';
        await this.queue.deadLetter(request.id, this.owner, { retryCount: attempts, lastError, now: this.clock.now() });
      } else {
        outcome = 'retrying';
        const now = this.clock.now();
        const { delayMs } = nextAttemptDelay(attempts, settings, result.ok ? { statusCode: status!, retryAfter: result.response.headers['retry-after'] } : {}, now);
        nextDueAt = new Date(now.getTime() + delayMs);
        await this.queue.reschedule(request.id, this.owner, { dueAt: nextDueAt, retryCount: attempts, lastError });
        this.dispatcher.noteDueAt(nextDueAt);
      }
    }
    const entry = this.log(webhook, request, record, outcome);
    const info: AttemptInfo = {
      requestId: request.id,
      webhookKey: webhook.key,
      eventAlias: request.eventAlias,
      url: record.url,
      retryCount: request.retryCount,
      ...(status !== undefined ? { statusCode: status } : {}),
      ...(entry.errorKind ? { errorKind: entry.errorKind } : {}),
      ...(entry.errorMessage ? { errorMessage: entry.errorMessage } : {}),
      durationMs: result.durationMs,
      outcome,
      ...(nextDueAt ? { nextDueAt } : {}),
    };
    this.emit(outcome === 'delivered' ? 'attemptSucceeded' : 'attemptFailed', info);
    if (disable) await this.disableWebhook(webhook.key, `the receiver answered 410 Gone to request ${request.id}`);
    if (outcome === 'dead') this.emit('deadLettered', info);
  }

  private async disableWebhook(webhookKey: string, reason: string): Promise<void> {
    try {
      await this.webhooks.update(webhookKey, { enabled: false });
    } catch (error) {
      this.backgroundError('disable webhook', error);
      return;
    }
    this.logger.warn(`webhook ${webhookKey} was disabled: ${reason}`);
    this.emit('webhookDisabled', { webhookKey, reason });
  }

  private log(webhook: Webhook, request: Pick<WebhookRequest, 'id' | 'eventAlias' | 'retryCount'>, record: AttemptRecord, outcome: DeliveryOutcome): DeliveryLogEntry {
    const { result } = record;
    const response = result.ok ? result.response : undefined;
    const errorKind: DeliveryErrorKind | undefined = result.ok ? undefined : result.errorKind;
    const errorMessage = result.ok ? (isSuccess(result.response.statusCode) ? undefined : failureMessage(record)) : result.message;
    const entry: DeliveryLogEntry = {
      key: randomUUID(),
      webhookKey: webhook.key,
      requestId: request.id,
      url: record.url,
      eventAlias: request.eventAlias,
      retryCount: request.retryCount,
      date: record.date,
      ...(response ? { statusCode: response.statusCode } : {}),
      requestHeaders: redactHeaders(record.headers, webhook.sensitiveHeaders),
      requestBody: record.body,
      responseHeaders: response?.headers ?? {},
      responseBody: response?.body ?? '',
      ...(errorKind ? { errorKind } : {}),
      ...(errorMessage ? { errorMessage } : {}),
      durationMs: result.durationMs,
      outcome,
    };
    this.logWriter.write(entry);
    return entry;
  }

  private emit<E extends keyof LifecycleEvents>(event: E, ...args: Parameters<LifecycleEvents[E]>): void {
    try {
      (this.lifecycle.emit as (event: E, ...args: Parameters<LifecycleEvents[E]>) => boolean)(event, ...args);
    } catch (error) {
      this.logger.error(`a ${event} lifecycle listener threw (listeners must not throw): ${(error as Error)?.message ?? error}`, { error });
    }
  }

  private backgroundError(task: string, error: unknown): void {
    this.logger.error(`delivery ${task} failed; it will be tried again: ${(error as Error)?.message ?? error}`, { error });
    this.emit('backgroundError', { task, error });
  }
}

const isSuccess = (status: number) => status >= 200 && status < 300;

/** Whether a non-2xx status may be retried: 5xx, 3xx, 408 and 429 always; other 4xx per `retryClientErrors`. */
function retryable(status: number, settings: Pick<HookworkSettings, 'retryClientErrors'>): boolean {
  if (status === 410) return false;
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return settings.retryClientErrors;
  return true;
}

function failureMessage(record: AttemptRecord): string {
  const { result } = record;
  if (!result.ok) return `${result.errorKind}: ${result.message}`;
  const { statusCode, headers } = result.response;
  if (statusCode >= 300 && statusCode < 400) return `HTTP ${statusCode}: redirect to ${headers.location ?? '(no Location)'} not followed; update the webhook URL`;
  return `HTTP ${statusCode}`;
}

function selectorProblem(selector: RedeliverSelector | undefined): string | undefined {
  if (!selector || typeof selector !== 'object') return 'needs a selector object';
  const { ids, webhookKey, deadSince } = selector;
  if (ids !== undefined && (!Array.isArray(ids) || ids.length === 0 || ids.some((id) => typeof id !== 'string'))) return 'was given ids that are not a non-empty array of request ids';
  if (webhookKey !== undefined && typeof webhookKey !== 'string') return 'was given a webhookKey that is not a string';
  if (deadSince !== undefined && (!(deadSince instanceof Date) || Number.isNaN(deadSince.getTime()))) return 'was given a deadSince that is not a valid Date';
  if (ids === undefined && webhookKey === undefined) return 'needs ids or a webhookKey (redelivering every dead letter at once is not offered)';
  return undefined;
}

/**
 * The body of a test send whose event offers no example (createExampleNotification): a generic
 * body that names itself as a test.
 */
function genericTestPayload(alias: string, webhook: Webhook, id: string, now: Date): unknown {
  return {
    event: alias,
    test: true,
    id,
    createdAt: now.toISOString(),
    webhook: { key: webhook.key, ...(webhook.name ? { name: webhook.name } : {}) },
    data: { message: `This is a test of the ${alias} webhook sent by hookwork; it does not describe a real change.` },
  };
}
