/** Why an attempt failed without an HTTP response (or why it was not made). */
export type DeliveryErrorKind = 'timeout' | 'refused' | 'reset' | 'dns' | 'ssrf' | 'tls' | 'aborted' | 'other';

/** What became of the request after this attempt. */
export type DeliveryOutcome =
  | 'delivered' // 2xx
  | 'retrying' // failed, rescheduled
  | 'dead' // failed, retries exhausted (or not retryable): dead-lettered
  | 'dropped' // not sent: the webhook was deleted
  | 'test'; // sendTestEvent(): sent once, not queued

/** One attempt to deliver a request (or the record of dropping it). */
export interface DeliveryLogEntry {
  key: string;
  webhookKey: string;
  /** The request's webhook-id. */
  requestId: string;
  url: string;
  eventAlias: string;
  /** The retry-count header of this attempt (0 on the first). */
  retryCount: number;
  /** When the attempt started (UTC). */
  date: Date;
  /** The HTTP status, when a response arrived. */
  statusCode?: number;
  /** As sent; secrets and sensitive headers redacted. */
  requestHeaders: Record<string, string>;
  requestBody: string;
  responseHeaders: Record<string, string>;
  /** Capped at maxResponseBodyBytes. */
  responseBody: string;
  errorKind?: DeliveryErrorKind;
  errorMessage?: string;
  durationMs: number;
  outcome: DeliveryOutcome;
}
