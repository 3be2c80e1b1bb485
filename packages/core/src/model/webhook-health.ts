/** Where a webhook's circuit breaker stands: sending (`closed`), waiting (`open`), or one probe out (`half-open`). */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** A webhook's health as management shows it (`app.management.health(key)`). */
export interface WebhookHealth {
  /** The webhook's key. */
  webhookKey: string;
  /** Where its circuit breaker stands (`closed` while healthy). */
  breaker: BreakerState;
  /** When the breaker opened, while it is not closed. */
  openedAt?: Date;
  /** Open: when the next probe may go. Half-open: when the probe out now lapses. */
  probeAt?: Date;
  /** Failed attempts since the last success. */
  consecutiveFailures: number;
  /** The first failure since the last success; absent while healthy. */
  failingSince?: Date;
  /** The receiver asked (Retry-After) that nothing be sent before this. */
  pausedUntil?: Date;
}
