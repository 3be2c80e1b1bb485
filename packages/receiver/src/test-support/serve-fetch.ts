import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

/**
 * A node:http server that hands each request over as a fetch `Request` and writes back the
 * `Response`, as Hono's node server, Next.js and the like do — real HTTP on 127.0.0.1 on both ends.
 * `before` runs on the Request first (a middleware that reads the body, say).
 */
export async function serveFetch(handler: (request: Request) => Promise<Response>, before?: (request: Request) => Promise<unknown>): Promise<{ url: string; server: Server }> {
  const server = createServer((incoming: IncomingMessage, outgoing) => {
    const headers = new Headers();
    for (let i = 0; i < incoming.rawHeaders.length; i += 2) headers.append(incoming.rawHeaders[i]!, incoming.rawHeaders[i + 1]!);
    const hasBody = incoming.method !== 'GET' && incoming.method !== 'HEAD';
    const request = new Request(`http://127.0.0.1${incoming.url}`, {
      method: incoming.method,
      headers,
      ...(hasBody ? { body: Readable.toWeb(incoming) as ReadableStream, duplex: 'half' } : {}),
    } as RequestInit);
    void (async () => {
      await before?.(request);
      const response = await handler(request);
      outgoing.writeHead(response.status, Object.fromEntries(response.headers));
      outgoing.end(Buffer.from(await response.arrayBuffer()));
    })().catch(() => outgoing.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`, server };
}
