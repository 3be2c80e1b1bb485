import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request the receiver accepted. */
export interface ReceivedRequest {
  id: string;
  event: string;
  retryCount: number;
  body: unknown;
  headers: IncomingHttpHeaders;
}

/** A local receiver that checks every signature with the `standardwebhooks` package. */
export interface VerifyingReceiver {
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** Requests whose signature did not verify (answered 401). */
  readonly rejected: { id: string; reason: string }[];
  close(): Promise<void>;
}

/**
 * Starts an HTTP receiver on 127.0.0.1 that verifies each request as a Standard Webhooks
 * receiver would, and answers 503 (with Retry-After: 1) to the first attempt of requests for
 * which `refuseFirst` says so — so a retry is visible.
 */
export async function startVerifyingReceiver(options: {
  secret: string;
  eventHeader: string;
  retryHeader: string;
  refuseFirst?: (event: string) => boolean;
}): Promise<VerifyingReceiver> {
  const verifier = new Webhook(options.secret);
  const received: ReceivedRequest[] = [];
  const rejected: { id: string; reason: string }[] = [];
  const refused = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id'] ?? '');
      const event = String(req.headers[options.eventHeader] ?? '');
      try {
        verifier.verify(body, req.headers as Record<string, string>);
      } catch (error) {
        rejected.push({ id, reason: (error as Error).message });
        res.writeHead(401).end('signature did not verify');
        return;
      }
      if (options.refuseFirst?.(event) && !refused.has(id)) {
        refused.add(id);
        res.writeHead(503, { 'retry-after': '1', 'content-type': 'text/plain' }).end('busy, try again');
        return;
      }
      received.push({ id, event, retryCount: Number(req.headers[options.retryHeader] ?? -1), body: JSON.parse(body) as unknown, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    rejected,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
