import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver got it. */
export interface ReceivedRequest {
  method: string;
  /** The request path (`/hooks/rebuild`). */
  path: string;
  /** Header names in lower case, as node:http gives them. */
  headers: IncomingHttpHeaders;
  /** The raw body, exactly as sent. */
  body: string;
}

/** A running receiver: where to send, what arrived, how to stop it. */
export interface Receiver {
  /** `http://127.0.0.1:<port>` — append a path per webhook. */
  readonly url: string;
  /** Requests in arrival order. */
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * A webhook receiver on 127.0.0.1 (a random free port) that records every request and answers
 * 200, standing in for the search index or frontend a real webhook would call.
 */
export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Delivery uses keep-alive connections; close them so the process can exit at once.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
