import type { FifoDeadLetterPolicy } from './webhook';

/** Where a request is: waiting (or waiting to retry), claimed by a dispatcher, or dead-lettered. */
export type RequestState = 'pending' | 'inflight' | 'dead';

/** A webhook request as the firing service enqueues it: the payload already serialised. */
export interface NewWebhookRequest {
  /** The Standard Webhooks `webhook-id` (`msg_…`): stable across retries; receivers deduplicate by it. */
  id: string;
  /** The key of the webhook it goes to. */
  webhookKey: string;
  /** The alias that fired (sent in the event header). */
  eventAlias: string;
  /** The JSON body, exactly as it will be signed and sent. */
  body: string;
  /** When it was enqueued (the notification was published). */
  createdAt: Date;
  /** When it may first be sent. */
  dueAt: Date;
  /**
   * Present for a request of a FIFO webhook: it is claimed only as the head of its webhook's
   * line (see RequestQueue.claim), and this says what it does to the line once dead-lettered.
   */
  fifo?: FifoDeadLetterPolicy;
  /**
   * The W3C `traceparent` of the span that enqueued it, when tracing was on: its attempts join
   * that trace (and a receiver too, with the `tracing.traceparent` setting).
   */
  traceparent?: string;
}

/** A stored webhook request. */
export interface WebhookRequest extends NewWebhookRequest {
  /** Waiting, claimed or dead-lettered. */
  state: RequestState;
  /**
   * Attempts made so far (0 before the first). The next attempt's retry-count header carries
   * this number, so a log entry's `retryCount` is the `attempts` of its request before it.
   */
  attempts: number;
  /** Why the last attempt failed (`HTTP 503`, `timeout: …`); absent before the first failure. */
  lastError?: string;
  /** Who holds the claim, while `inflight`. */
  leaseOwner?: string;
  /** When the claim lapses and another dispatcher may take the request, while `inflight`. */
  leaseExpiresAt?: Date;
  /** When it was dead-lettered. */
  deadAt?: Date;
}
