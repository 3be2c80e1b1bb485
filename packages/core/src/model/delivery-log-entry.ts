/**
 * Why an attempt failed without an HTTP response (or why it was not made). `invalid`: the request
 * was not sent because a header or the URL could not go on the wire unchanged (a webhook stored
 * before the rules, or a before-send hook's result); it is not retried.
 */
export type DeliveryErrorKind = 'timeout' | 'refused' | 'reset' | 'dns' | 'ssrf' | 'tls' | 'aborted' | 'invalid' | 'other';

/** What became of the request after this attempt. */
export type DeliveryOutcome =
  | 'delivered' // 2xx
  | 'retrying' // failed, rescheduled
  | 'dead' // failed, retries exhausted (or not retryable): dead-lettered
  | 'released' // cut off by the app's stop(): not counted, back in the queue as it was
  | 'dropped' // not sent: the webhook was deleted
  | 'test'; // sendTestEvent(): sent once, not queued

/** One attempt to deliver a request (or the record of dropping it). */
export interface DeliveryLogEntry {
  /** The entry's own id (`app.management.logEntry(key)`). */
  key: string;
  /** The key of the webhook the attempt was for. */
  webhookKey: string;
  /** The request's webhook-id. */
  requestId: string;
  /** The URL requested, in its canonical WHATWG form (the webhook's, or a before-send hook's). */
  url: string;
  /** The alias that fired (sent in the event header). */
  eventAlias: string;
  /** The retry-count header of this attempt (0 on the first). */
  retryCount: number;
  /** When the attempt started (UTC). */
  date: Date;
  /** The HTTP status, when a response arrived. */
  statusCode?: number;
  /**
   * The headers as they went out — the HTTP client's additions (accept, content-length, host,
   * connection) included — with the signature and sensitive values redacted.
   */
  requestHeaders: Record<string, string>;
  /** The body as sent (the payload JSON, or the CloudEvent wrapping it), uncapped. */
  requestBody: string;
  /** As received (lower-case names). */
  responseHeaders: Record<string, string>;
  /** As received, decoded per its Content-Encoding; capped at maxResponseBodyBytes. */
  responseBody: string;
  /** Why no response arrived (absent when one did: then `statusCode` is set). */
  errorKind?: DeliveryErrorKind;
  /**
   * Without a response: why. With one: the status's failure (`HTTP 503`, a redirect not
   * followed) and/or what went wrong with the body after the status line — `response body: the
   * connection closed before the body ended (2 bytes read)` — which never changes the outcome:
   * the status line decides, so a 2xx with such a note is `delivered`.
   */
  errorMessage?: string;
  /** How long the attempt took, ms (0 when it was not sent). */
  durationMs: number;
  /** What became of the request after this attempt. */
  outcome: DeliveryOutcome;
}
