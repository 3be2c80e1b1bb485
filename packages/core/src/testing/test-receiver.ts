import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as a {@link TestReceiver} got it. */
export interface ReceivedRequest {
  /** The HTTP method (`POST`). */
  method: string;
  /** The path and query (`/hook?x=1`). */
  path: string;
  /** The headers as Node read them (lower-case names). */
  headers: IncomingHttpHeaders;
  /** The raw body, as the signature covers it. */
  body: Buffer;
  /** The body decoded as UTF-8. */
  text: string;
}

/**
 * A received request's headers as one string each (repeated headers joined with ", ", as HTTP
 * reads them), the shape `standardwebhooks`' `verify()` and the CloudEvents SDK take.
 */
export function headerRecord(request: Pick<ReceivedRequest, 'headers'>): Record<string, string> {
  return Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]));
}

/** Answers one request; the default answers 200 "ok". A handler may keep the response open. */
export type TestReceiverHandler = (request: ReceivedRequest, response: ServerResponse, index: number) => void | Promise<void>;

/**
 * A real HTTP receiver on 127.0.0.1 for tests and examples: it records what arrived and answers
 * with a handler the test can change. Delivery is tested against real receivers, never mocks.
 */
export interface TestReceiver {
  /** `http://127.0.0.1:<port>/hook`. */
  readonly url: string;
  /** `http://127.0.0.1:<port>`: append a path of your own per webhook. */
  readonly origin: string;
  /** The port it listens on (the one asked for, or one the system chose). */
  readonly port: number;
  /** Requests in arrival order. */
  readonly requests: ReceivedRequest[];
  /** How it answers the next requests; replace it to fail, delay or hold answers. */
  handler: TestReceiverHandler;
  /** Resolves when `count` requests have arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Stops listening and closes every connection, answered or not. */
  close(): Promise<void>;
}

/** Starts a {@link TestReceiver} on 127.0.0.1 on a free port (or the given one). */
export async function startTestReceiver(handler: TestReceiverHandler = (_r, res) => void res.end('ok'), port = 0): Promise<TestReceiver> {
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  const receiver: TestReceiver = {
    url: '',
    origin: '',
    port: 0,
    requests,
    handler,
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(requests.slice(0, count));
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`receiver got ${requests.length} of ${count} requests within ${timeoutMs} ms`));
        }, timeoutMs).unref();
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise((resolve) => {
        // Delivery keeps connections alive; close them so the process can exit at once.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const received: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, text: body.toString('utf8') };
      const index = requests.push(received) - 1;
      void Promise.resolve(receiver.handler(received, res, index)).catch(() => res.destroy());
      for (const waiter of [...waiters]) waiter();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  Object.assign(receiver, { port: address.port, origin: `http://127.0.0.1:${address.port}`, url: `http://127.0.0.1:${address.port}/hook` });
  return receiver;
}

/** A port on 127.0.0.1 where nothing listens (connection refused). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
