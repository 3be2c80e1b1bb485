import type { OutgoingRequest, SendOptions, Transport, TransportResult } from '../ports/transport';

/** A request a {@link RecordingTransport} received, with the body as text. */
export interface RecordedRequest {
  /** The URL it was to go to. */
  url: string;
  /** Its headers, signature included. */
  headers: Record<string, string>;
  /** Its body as text. */
  body: string;
}

/** A {@link Transport} that sends nothing and records every request. */
export interface RecordingTransport extends Transport {
  /** Every request it was asked to send, in order. */
  readonly requests: RecordedRequest[];
}

/**
 * A Transport that records requests and answers with `status` (default 200) without touching
 * the network: for tests of events, payloads and composition that are not about HTTP, so no
 * test ever reaches an address outside loopback. Delivery itself is tested with real receivers.
 */
export function recordingTransport(options: { status?: number } = {}): RecordingTransport {
  const requests: RecordedRequest[] = [];
  return {
    requests,
    async send(request: OutgoingRequest, _options: SendOptions): Promise<TransportResult> {
      requests.push({ url: request.url, headers: { ...request.headers }, body: request.body.toString('utf8') });
      return { ok: true, durationMs: 0, response: { statusCode: options.status ?? 200, headers: {}, body: '', bodyTruncated: false } };
    },
    async close() {},
  };
}
