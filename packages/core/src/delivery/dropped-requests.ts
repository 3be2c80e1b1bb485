import type { WebhookRequest } from '../model/webhook-request';
import type { LifecycleReporter } from '../observability/lifecycle-events';
import type { Clock } from '../runtime/clock';
import { timeOrderedUuid } from '../runtime/time-ordered-uuid';
import type { DeliveryLogWriter } from './delivery-log-writer';
import type { DeliveryLogEntry } from '../model/delivery-log-entry';

/** What {@link DroppedRequests} reads of a dropped request. */
type DroppedRequest = Pick<WebhookRequest, 'id' | 'webhookKey' | 'eventAlias' | 'attempts' | 'body'>;

/**
 * Tells of a request removed unsent: a delivery log entry of outcome `dropped` (under its webhook's
 * key, saying why) and a `requestDropped` lifecycle event. The same whether delivery met the
 * request of a deleted webhook or the deletion removed it from the queue.
 */
export class DroppedRequests {
  constructor(private readonly deps: { logWriter: DeliveryLogWriter; reporter: LifecycleReporter; clock: Clock }) {}

  report(request: DroppedRequest, reason: string): void {
    this.told(request, reason, this.entry(request, reason));
  }

  /** The `dropped` log entry of `request`, for an engine that writes it with the request's removal (then {@link told} without it). */
  entry(request: DroppedRequest, reason: string): DeliveryLogEntry {
    return {
      key: timeOrderedUuid(),
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
    };
  }

  /** {@link report} of a request whose entry is written already (`entry` undefined) or is to be written now. */
  told(request: DroppedRequest, reason: string, entry: DeliveryLogEntry | undefined): void {
    if (entry) this.deps.logWriter.write(entry);
    this.deps.reporter.emit('requestDropped', { requestId: request.id, webhookKey: request.webhookKey, eventAlias: request.eventAlias, reason });
  }

  /** Resolves once every entry reported so far is in the store (or its failure reported as `logWriteFailed`): one append, never a rejection. */
  flush(): Promise<void> {
    return this.deps.logWriter.flush();
  }
}
