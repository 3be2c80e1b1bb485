import type { WebhookRequest } from '../model/webhook-request';
import type { LifecycleReporter } from '../observability/lifecycle-events';
import type { Clock } from '../runtime/clock';
import { timeOrderedUuid } from '../runtime/time-ordered-uuid';
import type { DeliveryLogWriter } from './delivery-log-writer';

/**
 * Tells of a request removed unsent: a delivery log entry of outcome `dropped` (under its webhook's
 * key, saying why) and a `requestDropped` lifecycle event. The same whether delivery met the
 * request of a deleted webhook or the deletion removed it from the queue.
 */
export class DroppedRequests {
  constructor(private readonly deps: { logWriter: DeliveryLogWriter; reporter: LifecycleReporter; clock: Clock }) {}

  report(request: Pick<WebhookRequest, 'id' | 'webhookKey' | 'eventAlias' | 'attempts' | 'body'>, reason: string): void {
    this.deps.logWriter.write({
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
    });
    this.deps.reporter.emit('requestDropped', { requestId: request.id, webhookKey: request.webhookKey, eventAlias: request.eventAlias, reason });
  }

  /** Resolves once every entry reported so far is in the store (or its failure reported as `logWriteFailed`): one append, never a rejection. */
  flush(): Promise<void> {
    return this.deps.logWriter.flush();
  }
}
