import { ROOT_CONTEXT, trace, type Tracer } from '@opentelemetry/api';
import { isKeyedMessageId } from '../firing/idempotency-key';
import type { DeliveryLogEntry } from '../model/delivery-log-entry';
import type { Webhook } from '../model/webhook';
import type { WebhookRequest } from '../model/webhook-request';
import type { AttemptInfo, LifecycleReporter } from '../observability/lifecycle-events';
import type { DeliveryHandler, DeliveryVerdict, Settlement } from '../ports/queue-engine';
import type { Clock } from '../runtime/clock';
import type { SettingsAccessor } from '../settings/settings';
import { creationLinks, SUPPRESSED_ROOT } from '../observability/tracing';
import { redactedUrl } from '../observability/redacted-url';
import { endAttemptSpan, startAttemptSpan } from './attempt-span';
import { Attempt, type AttemptRecord } from './attempt';
import type { DeliveryLogWriter } from './delivery-log-writer';
import type { DroppedRequests } from './dropped-requests';
import { DROP_REASON } from '../observability/drop-reasons';
import type { DeliveryFailureLog, LoggedFailure } from './failure-log';
import type { WebhookHealthMonitor } from './health/webhook-health-monitor';
import { decideRetry, type RetryDecision } from './retry-policy';
import type { WebhookCache } from './webhook-cache';
import type { EveryKeyListed } from '../runtime/field-list';
import { predatesWebhook, sameWebhook } from '../model/webhook-identity';

/** What {@link WebhookDeliveryHandler} works with. */
export interface DeliveryHandlerDeps {
  webhooks: WebhookCache;
  attempt: Attempt;
  settings: SettingsAccessor;
  clock: Clock;
  logWriter: DeliveryLogWriter;
  dropped: DroppedRequests;
  /** Where failed attempts and dead letters are logged (summed up per webhook). */
  failures: DeliveryFailureLog;
  reporter: LifecycleReporter;
  health: WebhookHealthMonitor;
  tracer: Tracer;
  /**
   * Optional: after the engine made a request of `webhook` a dead letter, removes the requests of
   * its key as the webhook's deletion does (logged as `dropped`, with `requestDropped`) when the
   * store no longer holds that webhook — none under the key now, or one created again under it
   * since (only the requests published before its creation go) — and resolves true (see
   * WebhookService.dropIfDeleted). Without it, a dead letter is announced at once.
   */
  dropIfDeleted?: (webhook: Pick<Webhook, 'key' | 'createdAt'>) => Promise<boolean>;
  /**
   * Optional: told of a request about to be dead-lettered while {@link dropIfDeleted} will read its
   * webhook again after the write (`hold`), and when that settlement ends (`release`): stored dead
   * meanwhile, it is not settled yet (drain() waits for it).
   */
  settling?: { hold(requestId: string): void; release(requestId: string): void };
}

/** Why a request whose webhook key is free is not sent. */
const DELETED = DROP_REASON.deleted;

/** Why a request published before its webhook was created is not sent to it (see predatesWebhook). */
const PREDECESSOR = DROP_REASON.recreated;

/** Why a failed attempt at a URL its webhook was moved away from decides nothing (see WebhookDeliveryHandler.unlessMoved). */
const MOVED_NOTE = 'no longer the webhook\'s URL: sent again at once to its new one, this attempt not counted';

/** Why a failed attempt for a webhook deleted and created again meanwhile decides nothing (see WebhookDeliveryHandler.unlessMoved). */
const REPLACED_NOTE = 'its webhook was deleted and another created under its key meanwhile: dropped at once, not sent to the new one';

/** Why a failed attempt for a webhook deleted meanwhile decides nothing (see WebhookDeliveryHandler.unlessMoved). */
const DELETED_NOTE = 'its webhook was deleted meanwhile: dropped at once, not dead-lettered';

/** The fields settled() sets on an AttemptInfo: a field added to it fails to compile until it is set there too. */
const ATTEMPT_INFO_FIELDS_SET: EveryKeyListed<AttemptInfo, 'requestId' | 'webhookKey' | 'eventAlias' | 'url' | 'retryCount' | 'statusCode' | 'errorKind' | 'errorMessage' | 'durationMs' | 'outcome' | 'nextDueAt' | 'createdAt'> = true;
void ATTEMPT_INFO_FIELDS_SET;

/**
 * Core's delivery handler, the same for every queue engine: for one request it loads the
 * webhook and
 * - drops the request when the webhook was deleted (logged as `dropped`), also when another
 *   webhook was created under its key since: a request published before its webhook was created
 *   was made for the deleted one (its event, its owner), never for the new one;
 * - defers it, holding the whole webhook, when the webhook is disabled (by one `period`), its
 *   circuit breaker is open or another process probes it, its rate limit is spent, or its
 *   receiver asked it to wait (Retry-After): kept, not sent, no attempt used;
 * - otherwise makes the signed attempt (in an OpenTelemetry CLIENT span of its own trace, linked
 *   to the enqueue span the request was created in), counts its outcome into the webhook's health,
 *   and asks the retry policy for the verdict.
 * Once the engine applied the verdict, it writes one delivery log entry (unless the engine wrote
 * it with the verdict, see {@link Settlement.logEntry}) and emits the
 * lifecycle events (`attemptSucceeded` / `attemptFailed` / `attemptReleased`, then `deadLettered` and the
 * `request.exhausted` operator event), tells the app's logger of a failed attempt or a dead letter
 * (summed up per webhook, see DeliveryFailureLog), and disables a webhook whose receiver answered 410 Gone.
 */
export class WebhookDeliveryHandler implements DeliveryHandler {
  constructor(private readonly deps: DeliveryHandlerDeps) {}

  async handle(request: WebhookRequest, signal: AbortSignal): Promise<Settlement> {
    const { settings, clock, health } = this.deps;
    const webhook = await this.deps.webhooks.get(request.webhookKey);
    if (!webhook) return this.drop(request, DELETED);
    if (predatesWebhook(request, webhook, clock)) return this.drop(request, PREDECESSOR);
    if (!webhook.enabled) return this.defer(request, new Date(clock.now().getTime() + settings.current.period), 'webhook disabled');
    // Known at once for a healthy webhook (most deliveries): no promise nor microtask turn then.
    const admission = health.admitAtOnce(webhook) ?? (await health.admit(webhook));
    if (admission.kind === 'hold') return this.defer(request, admission.until, admission.reason);
    // A trace of its own, linked to the enqueue span: see creationLinks. The attempt's context is
    // already its send context (see SUPPRESSED_ROOT): one context made per attempt, not two.
    const span = startAttemptSpan(this.deps.tracer, webhook, request, { parent: ROOT_CONTEXT, links: creationLinks(request.traceparent, request.tracestate), probe: admission.probe });
    const record = await this.deps.attempt.run(request, webhook, false, signal, trace.setSpan(SUPPRESSED_ROOT, span));
    const decided = decideRetry({ result: record.result, retryCount: request.attempts, settings: settings.current, now: clock.now(), url: record.url, stopping: signal.aborted });
    const moved = decided.verdict.kind === 'retry' || decided.verdict.kind === 'dead' ? await this.unlessMoved(webhook, request, decided) : undefined;
    const decision = moved?.decision ?? decided;
    endAttemptSpan(span, webhook, record, decision.outcome, decision.failure);
    if (!health.recordQuietSuccess(webhook, record.result, admission.probe)) await health.recordAttempt(webhook, record.result, admission.probe);
    const entry = this.deps.attempt.logEntry(webhook, request, record, decision.outcome);
    // The log says why this failure was not counted, as lastError does.
    if (moved) entry.errorMessage = entry.errorMessage ? `${entry.errorMessage}; ${moved.note}` : moved.note;
    if (decision.verdict.kind === 'dead' && this.deps.dropIfDeleted) this.deps.settling?.hold(request.id);
    return { verdict: decision.verdict, logEntry: entry, writeLog: () => this.deps.logWriter.writeNow(entry), settled: (applied, logged) => this.settled(request, webhook, record, decision, entry, logged === true, applied) };
  }

  /**
   * A failed attempt at a URL its webhook no longer has — moved while the attempt ran, or moved
   * by another process within the second this one keeps a webhook — decides nothing about the
   * request: not the old receiver's Retry-After or backoff (up to an hour), not a dead letter (its
   * 410 or 4xx), and it uses up no attempt. The request is due again at once, for the new URL.
   * Read anew only after a failure (the success path reads nothing more).
   *
   * A webhook deleted and created again under the key meanwhile is another webhook, not this one
   * moved: the request is due again at once too, where handle() drops it (logged, with
   * `requestDropped`) instead of sending it to the new webhook. Not a retry at the old backoff,
   * nor a dead letter that would be listed, counted and redelivered as the new webhook's, and its
   * receiver's 410 disables nothing.
   *
   * A webhook deleted meanwhile (an operator deleting it while its attempt was out, which the
   * deletion leaves in the queue) likewise: the request is due again at once, where handle() drops
   * it, logged as `dropped` with `requestDropped`, as the deletion did its queued requests. Its
   * last attempt failing made it a dead letter of a webhook that no longer exists: listed and
   * counted until the next cleanup round, announced with `deadLettered` and `request.exhausted`,
   * and refused by redeliver() (HOOKWORK_ERR_DEAD_LETTER_WEBHOOK_DELETED). A deletion committing
   * after this read and before the engine's dead-letter write is met by settled(), which reads the
   * webhook again once the dead letter is written (see DeliveryHandlerDeps.dropIfDeleted).
   * Undefined: the decision stands (also when the webhook cannot be read: the store failing).
   */
  private async unlessMoved(webhook: Webhook, request: WebhookRequest, decision: RetryDecision): Promise<{ decision: RetryDecision; note: string } | undefined> {
    this.deps.webhooks.invalidate(webhook.key);
    const current = await this.deps.webhooks.get(webhook.key).then(
      (found) => found ?? null,
      () => undefined,
    );
    if (current === undefined) return undefined;
    const replaced = current !== null && !sameWebhook(current, webhook);
    if (current !== null && !replaced && current.url === webhook.url) return undefined;
    const note = current === null ? DELETED_NOTE : replaced ? REPLACED_NOTE : MOVED_NOTE;
    const failure = `${decision.failure ?? 'failed'} (at ${redactedUrl(webhook.url)}; ${note})`;
    return { decision: { verdict: { kind: 'retry', dueAt: this.deps.clock.now(), attempts: request.attempts, lastError: failure }, outcome: 'retrying', failure }, note };
  }

  /** Not attempted: kept until `dueAt`, and the engine may hold the webhook's other requests until then. */
  private defer(request: WebhookRequest, dueAt: Date, reason: string): Settlement {
    return {
      verdict: { kind: 'defer', dueAt, reason, holdsWebhook: true },
      settled: (applied) => {
        if (applied) this.deps.reporter.emit('requestDeferred', { requestId: request.id, webhookKey: request.webhookKey, eventAlias: request.eventAlias, reason, dueAt });
      },
    };
  }

  /**
   * Removed unsent, with its `dropped` log entry in the removal's write when the engine can (or
   * written before it): the entry is what remembers the id, so a publish made again with its
   * `idempotencyKey` — its webhook created again under the key meanwhile — is skipped whenever it
   * comes, as it is while the request is queued, not stored and sent to the new webhook only if it
   * came between the removal and a later log write. (Written so, the entry is written even when
   * another process had taken the request: it then logs its own drop too.) A random id is never
   * published again: its entry is written once the drop is applied, as before.
   */
  private drop(request: WebhookRequest, reason: string): Settlement {
    const entry = this.deps.dropped.entry(request, reason);
    const dropped: Settlement = {
      verdict: { kind: 'drop', reason },
      settled: (applied, logged) => {
        // Not applied: another process took the request and drops (and logs) it itself.
        if (applied) this.deps.dropped.told(request, reason, logged === true ? undefined : entry);
      },
    };
    return isKeyedMessageId(request.id) ? { ...dropped, logEntry: entry, writeLog: () => this.deps.logWriter.writeNow(entry) } : dropped;
  }

  /**
   * After the engine applied the verdict: the log entry (an attempt was made either way), events, a
   * 410's disable. A verdict not `applied` (the lease ran out and another process took the request:
   * that process settles it, and the engine told the operator) is not announced as done: no "retried
   * at" line, and no dead letter — no `deadLettered`, no `request.exhausted`, no dead-letter line.
   */
  private settled(request: WebhookRequest, webhook: Webhook, record: AttemptRecord, decision: RetryDecision, entry: DeliveryLogEntry, logged: boolean, applied: boolean): Promise<void> | undefined {
    const { verdict, outcome } = decision;
    if (!logged) this.deps.logWriter.write(entry);
    // Field by field in this order, not with conditional spreads (an object made and copied on
    // V8's slow path for each, at every attempt); every field is set (see ATTEMPT_INFO_FIELDS_SET).
    const info = { requestId: request.id, webhookKey: webhook.key, eventAlias: request.eventAlias, url: record.url, retryCount: request.attempts } as AttemptInfo;
    if (entry.statusCode !== undefined) info.statusCode = entry.statusCode;
    if (entry.errorKind) info.errorKind = entry.errorKind;
    if (entry.errorMessage) info.errorMessage = entry.errorMessage;
    info.durationMs = record.result.durationMs;
    info.outcome = outcome;
    if (verdict.kind === 'retry') info.nextDueAt = verdict.dueAt;
    info.createdAt = request.createdAt;
    this.deps.reporter.emit(outcome === 'delivered' ? 'attemptSucceeded' : outcome === 'released' ? 'attemptReleased' : 'attemptFailed', info);
    const failure: LoggedFailure | undefined =
      verdict.kind === 'retry' || verdict.kind === 'dead'
        ? { webhookKey: webhook.key, url: webhook.url, requestId: request.id, eventAlias: request.eventAlias, retryCount: request.attempts, failure: decision.failure ?? verdict.lastError, statusCode: entry.statusCode, errorKind: entry.errorKind }
        : undefined;
    if (verdict.kind === 'retry' && applied) this.deps.failures.retrying(failure!, verdict.dueAt);
    if (decision.disableWebhook) void this.deps.health.disable(webhook, 'gone', `${decision.disableWebhook} to request ${request.id}`);
    if (verdict.kind !== 'dead') return undefined;
    const dropIfDeleted = this.deps.dropIfDeleted;
    if (!applied) {
      if (dropIfDeleted) this.deps.settling?.release(request.id);
      return undefined;
    }
    if (!dropIfDeleted) {
      this.deadLettered(request, webhook, verdict, entry, info, failure!);
      return undefined;
    }
    // The webhook was there when unlessMoved() read it, but a deletion committing between that read
    // and the engine's dead-letter write skipped the request (in flight then): it would stay a dead
    // letter under the deleted key — or of the webhook created again under it meanwhile, listed and
    // announced as that one's. Read again, from the store, after the write: gone or replaced, the
    // request is dropped as the deletion drops, and no dead letter is announced. Still there, a deletion
    // committing later finds the request dead and removes it itself. A failed read announces it.
    return dropIfDeleted(webhook)
      .then(
        (gone) => {
          if (!gone) this.deadLettered(request, webhook, verdict, entry, info, failure!);
        },
        () => this.deadLettered(request, webhook, verdict, entry, info, failure!),
      )
      .finally(() => this.deps.settling?.release(request.id));
  }

  /** A dead letter that stays one: its log line, `deadLettered` and the `request.exhausted` operator event. */
  private deadLettered(request: WebhookRequest, webhook: Webhook, verdict: Extract<DeliveryVerdict, { kind: 'dead' }>, entry: DeliveryLogEntry, info: AttemptInfo, failure: LoggedFailure): void {
    const exhausted = request.attempts >= this.deps.settings.current.maximumRetries;
    this.deps.failures.deadLettered(failure, verdict.attempts, exhausted ? 'retries exhausted' : 'not retryable');
    this.deps.reporter.emit('deadLettered', info);
    this.deps.health.emit({
      type: 'request.exhausted',
      timestamp: this.deps.clock.now(),
      data: {
        webhookKey: webhook.key,
        url: webhook.url,
        requestId: request.id,
        eventAlias: request.eventAlias,
        attempts: verdict.attempts,
        lastError: verdict.lastError,
        ...(entry.statusCode !== undefined ? { statusCode: entry.statusCode } : {}),
        reason: exhausted ? 'retries exhausted' : 'not retryable',
      },
    });
  }
}
