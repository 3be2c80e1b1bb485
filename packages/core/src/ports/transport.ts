import { createToken } from '../runtime/tokens';
import type { DeliveryErrorKind } from '../model/delivery-log-entry';

/** One HTTP request to send: the body is the exact bytes that were signed. */
export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** A response that arrived (any status). */
export interface TransportResponse {
  statusCode: number;
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
  signal?: AbortSignal;
}

/**
 * Sends HTTP requests. The default is axios with keep-alive agents and the SSRF guard; tests
 * and hosts may provide their own. `send` never throws for HTTP or network failures: they are
 * results.
 */
export interface Transport {
  send(request: OutgoingRequest, options: SendOptions): Promise<TransportResult>;
  /** Closes agents and sockets. */
  close(): Promise<void>;
}

/** Injection token of the app's {@link Transport}. */
export const TransportToken = createToken<Transport>('hookwork.Transport');
