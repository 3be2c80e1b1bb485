import type { Webhook } from '../model/webhook';
import type { WebhookRequest } from '../model/webhook-request';
import type { AttemptInfo, LifecycleReporter } from '../observability/lifecycle-events';
import type { Logger } from '../observability/logger';
import type { DeliveryHandler, Settlement } from '../ports/queue-engine';
import type { WebhookRepository } from '../ports/webhook-repository';
import type { Clock } from '../runtime/clock';
import type { SettingsAccessor } from '../settings/settings';
import { Attempt, attemptLogEntry, type AttemptRecord } from './attempt';
import type { DeliveryLogWriter } from './delivery-log-writer';
import { decideRetry, type RetryDecision } from './retry-policy';
import type { WebhookCache } from './webhook-cache';

/** What {@link WebhookDeliveryHandler} works with. */
export interface DeliveryHandlerDeps {
  webhooks: WebhookCache;
  repository: Pick<WebhookRepository, 'get' | 'update'>;
  attempt: Attempt;
  settings: SettingsAccessor;
  clock: Clock;
  logWriter: DeliveryLogWriter;
  reporter: LifecycleReporter;
  logger: Logger;
}

/**
 * Core's delivery handler, the same for every queue engine: for one request it loads the
 * webhook and
 * - drops the request when the webhook was deleted (logged as `dropped`);
 * - defers it by one `period` when the webhook is disabled (kept, not sent, no attempt used:
 *   re-enabling the webhook delivers it);
 * - otherwise makes the signed attempt and asks the retry policy for the verdict.
 * Once the engine applied the verdict, it writes one delivery log entry and emits the
 * lifecycle events (`attemptSucceeded` / `attemptFailed`, then `deadLettered`), and disables a
 * webhook whose receiver answered 410 Gone.
 */
export class WebhookDeliveryHandler implements DeliveryHandler {
  constructor(private readonly deps: DeliveryHandlerDeps) {}

  async handle(request: WebhookRequest, signal: AbortSignal): Promise<Settlement> {
    const { settings, clock } = this.deps;
    const webhook = await this.deps.webhooks.get(request.webhookKey);
    if (!webhook) return this.drop(request);
    if (!webhook.enabled) {
      return { verdict: { kind: 'defer', dueAt: new Date(clock.now().getTime() + settings.current.period), reason: 'webhook disabled' }, settled() {} };
    }
    const record = await this.deps.attempt.run(request, webhook, false, signal);
    const decision = decideRetry({ result: record.result, retryCount: request.attempts, settings: settings.current, now: clock.now(), url: record.url });
    return { verdict: decision.verdict, settled: () => this.settled(request, webhook, record, decision) };
  }

  private drop(request: WebhookRequest): Settlement {
    const reason = 'the webhook was deleted';
    return {
      verdict: { kind: 'drop', reason },
      settled: (applied) => {
        // Not applied: another process took the request and drops (and logs) it itself.
        if (!applied) return;
        this.deps.logWriter.write({
          key: crypto.randomUUID(),
          webhookKey: request.webhookKey,
          requestId: request.id,
          url: '',
          eventAlias: request.eventAlias,
          retryCount: request.attempts,
          date: this.deps.clock.now(),
          requestHeaders: {},
          requestBody: request.body,
          responseHeaders: {},
          responseBody: '',
          errorMessage: `not sent: ${reason}`,
          durationMs: 0,
          outcome: 'dropped',
        });
        this.deps.reporter.emit('requestDropped', { requestId: request.id, webhookKey: request.webhookKey, eventAlias: request.eventAlias, reason });
      },
    };
  }

  /** After the engine applied the verdict: the log entry (an attempt was made either way), events, a 410's disable. */
  private settled(request: WebhookRequest, webhook: Webhook, record: AttemptRecord, decision: RetryDecision): void {
    const { verdict, outcome } = decision;
    const entry = attemptLogEntry(webhook, request, record, outcome);
    this.deps.logWriter.write(entry);
    const info: AttemptInfo = {
      requestId: request.id,
      webhookKey: webhook.key,
      eventAlias: request.eventAlias,
      url: record.url,
      retryCount: request.attempts,
      ...(entry.statusCode !== undefined ? { statusCode: entry.statusCode } : {}),
      ...(entry.errorKind ? { errorKind: entry.errorKind } : {}),
      ...(entry.errorMessage ? { errorMessage: entry.errorMessage } : {}),
      durationMs: record.result.durationMs,
      outcome,
      ...(verdict.kind === 'retry' ? { nextDueAt: verdict.dueAt } : {}),
    };
    this.deps.reporter.emit(outcome === 'delivered' ? 'attemptSucceeded' : 'attemptFailed', info);
    if (decision.disableWebhook) void this.disable(webhook.key, `${decision.disableWebhook} to request ${request.id}`);
    if (outcome === 'dead') this.deps.reporter.emit('deadLettered', info);
  }

  private async disable(webhookKey: string, reason: string): Promise<void> {
    try {
      const current = await this.deps.repository.get(webhookKey);
      if (!current || !current.enabled) return;
      await this.deps.repository.update({ ...current, enabled: false, updatedAt: this.deps.clock.now() });
      this.deps.webhooks.invalidate(webhookKey);
    } catch (error) {
      this.deps.reporter.backgroundError('disabling a webhook', error);
      return;
    }
    this.deps.logger.warn(`webhook ${webhookKey} was disabled: ${reason}`);
    this.deps.reporter.emit('webhookDisabled', { webhookKey, reason });
  }
}
