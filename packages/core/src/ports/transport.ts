import { createToken } from '../runtime/tokens';
import type { DeliveryErrorKind } from '../model/delivery-log-entry';

/** One HTTP request to send: the body is the exact bytes that were signed. */
export interface OutgoingRequest {
  /** The absolute http(s) URL, in canonical WHATWG form (as the webhook stores it). */
  url: string;
  /** The request headers, signature and custom headers included; names as they are sent. */
  headers: Record<string, string>;
  /** The body bytes exactly as signed: send them unchanged or the signature breaks. */
  body: Buffer;
}

/** A response that arrived (any status). */
export interface TransportResponse {
  /** The HTTP status code (any: a 4xx or 5xx is a response, not a transport failure). */
  statusCode: number;
  /** The response headers, lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body as text (decoded per its Content-Encoding), cut at the cap. */
  body: string;
  /** True when the body was longer than the cap: the rest was not read. */
  bodyTruncated: boolean;
  /**
   * The body broke off after the status line (the connection closed before Content-Length was
   * reached, a reset, a Content-Encoding that does not decode, the deadline): what happened.
   * The status still decides the attempt; `body` holds what arrived.
   */
  bodyError?: string;
}

/**
 * The result of one attempt: a response, or a transport failure. `sentHeaders`, when the
 * transport knows them, are the request headers as they went out — the HTTP client's own
 * additions (accept, content-length, host, connection) included — and are what the delivery
 * log records.
 */
export type TransportResult = (
  | { ok: true; response: TransportResponse; durationMs: number }
  | { ok: false; errorKind: DeliveryErrorKind; message: string; durationMs: number }
) & { sentHeaders?: Record<string, string> };

/** Options of one send. */
export interface SendOptions {
  /** Total deadline of the attempt, ms. */
  timeoutMs: number;
  /** Response bodies are cut at this many bytes. */
  maxResponseBodyBytes: number;
  /** Aborts the attempt (the app stopping): the result is then a transport failure, not a throw. */
  signal?: AbortSignal;
}

/**
 * Sends HTTP requests. The default is axios with keep-alive agents and the SSRF guard; tests
 * and hosts may provide their own. `send` never throws for HTTP or network failures: they are
 * results. `send` is called with the attempt's OpenTelemetry span active and tracing suppressed
 * (OpenTelemetry's suppress-tracing context key), so a host's HTTP instrumentation makes no second
 * span of the request and injects no header in place of hookwork's `traceparent`.
 */
export interface Transport {
  /** Sends one request; resolves with its result, never rejects for an HTTP or network failure. */
  send(request: OutgoingRequest, options: SendOptions): Promise<TransportResult>;
  /** Closes agents and sockets. */
  close(): Promise<void>;
}

/** Injection token of the app's {@link Transport}. */
export const TransportToken = createToken<Transport>('hookwork.Transport');
