import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the test receiver got it. */
export interface Arrival {
  webhookId: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP receiver on 127.0.0.1 for the SQLite end-to-end tests. */
export interface Receiver {
  url: string;
  arrivals: Arrival[];
  /** How to answer: default 200 at once. A handler may keep `res` open to hold the request. */
  handler: (arrival: Arrival, res: ServerResponse) => void;
  /** Resolves once `count` requests have arrived in total. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a receiver on an ephemeral loopback port. */
export async function startReceiver(): Promise<Receiver> {
  const arrivals: Arrival[] = [];
  let notify = () => {};
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const arrival = { webhookId: String(req.headers['webhook-id']), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      arrivals.push(arrival);
      receiver.handler(arrival, res);
      notify();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const receiver: Receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrivals,
    handler: (_arrival, res) => res.writeHead(200).end('ok'),
    waitFor(count, timeoutMs = 20_000) {
      if (arrivals.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${arrivals.length} of ${count} requests arrived within ${timeoutMs} ms`)), timeoutMs);
        const previous = notify;
        notify = () => {
          previous();
          if (arrivals.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        };
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}
