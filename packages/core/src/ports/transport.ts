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
  /** The body as text, cut at the cap. */
  body: string;
  bodyTruncated: boolean;
}

/** The result of one attempt: a response, or a transport failure. */
export type TransportResult =
  | { ok: true; response: TransportResponse; durationMs: number }
  | { ok: false; errorKind: DeliveryErrorKind; message: string; durationMs: number };

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
