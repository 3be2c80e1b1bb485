import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** A request whose signature verified. */
export interface VerifiedRequest {
  path: string;
  event: string;
  /** The `webhook-id`: the same on every attempt of one request. */
  id: string;
  /** `hookwork-test: true` marks a test send. */
  test: boolean;
  body: unknown;
}

/** A local receiver that verifies every request with the `standardwebhooks` package, as a real one would. */
export interface Receiver {
  /** The URL of a path on this receiver (`http://127.0.0.1:<port>/<path>`). */
  url(path: string): string;
  /** The signing secret (`whsec_…`) requests to `path` are verified with. */
  trust(path: string, secret: string): void;
  /** Paths answered 503 (down for maintenance) until they are taken off this set. */
  readonly down: Set<string>;
  readonly verified: VerifiedRequest[];
  /** Requests refused with 401: no secret for the path, or the signature did not verify. */
  readonly refused: { path: string; reason: string }[];
  close(): Promise<void>;
}

/** Starts the receiver on 127.0.0.1 and a free port. */
export async function startReceiver(): Promise<Receiver> {
  const verifiers = new Map<string, Webhook>();
  const down = new Set<string>();
  const verified: VerifiedRequest[] = [];
  const refused: { path: string; reason: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const body = Buffer.concat(chunks).toString('utf8');
      const verifier = verifiers.get(path);
      try {
        if (!verifier) throw new Error(`no secret for ${path}`);
        // Verify the raw body, never re-serialised JSON; throws when forged or older than 5 minutes.
        verifier.verify(body, req.headers as Record<string, string>);
      } catch (error) {
        refused.push({ path, reason: (error as Error).message });
        res.writeHead(401).end();
        return;
      }
      if (down.has(path)) {
        res.writeHead(503).end('down for maintenance');
        return;
      }
      const test = req.headers['hookwork-test'] === 'true';
      verified.push({ path, event: String(req.headers['hookwork-event']), id: String(req.headers['webhook-id']), test, body: JSON.parse(body) as unknown });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    trust: (path, secret) => void verifiers.set(path, new Webhook(secret)),
    down,
    verified,
    refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
