import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { Readable } from 'node:stream';
import { createFetchHandler, createNodeHandler, createReceiver, type DedupeStore, type Receiver, type ReceiverAnswer } from '@hookwork/receiver';
import { expressReceiver } from '@hookwork/receiver/express';
import { fastifyReceiver } from '@hookwork/receiver/fastify';
import type { SearchIndex } from './search-index';
import type { SiteEvent } from './site-events';

/** What {@link createSiteReceiver} takes. */
export interface SiteReceiverOptions {
  /** The webhook's signing secret(s): both the old and the new one during a rotation. */
  secrets: string | readonly string[];
  /** The index the events are applied to. */
  index: SearchIndex;
  /** Where processed webhook-ids are kept; default: in memory (one process). */
  dedupeStore?: DedupeStore;
  /** Told of every answer, with its outcome (an access log). */
  onAnswer?: (answer: ReceiverAnswer) => void;
}

/**
 * The site-search receiver: keeps the index in step with published documents. Each handler gets
 * its event's payload typed by alias; test sends are acknowledged without touching the index.
 */
export function createSiteReceiver(options: SiteReceiverOptions): Receiver<SiteEvent> {
  const { index } = options;
  const receiver = createReceiver<SiteEvent>({
    secrets: options.secrets,
    testSends: 'acknowledge',
    ...(options.dedupeStore ? { dedupe: { store: options.dedupeStore } } : {}),
    handlers: {
      'Umbraco.ContentPublish': async ({ payload }) => index.upsert({ id: payload.id, cultures: payload.cultures.map((c) => c.culture) }),
      'Umbraco.ContentUnpublish': async ({ payload }) => index.remove(payload.id),
      'Umbraco.ContentDelete': async ({ payload }) => index.remove(payload.id),
    },
  });
  const { onAnswer } = options;
  if (!onAnswer) return receiver;
  return {
    ...receiver,
    handle: async (request) => {
      const answer = await receiver.handle(request);
      onAnswer(answer);
      return answer;
    },
  };
}

/**
 * The web frameworks the example serves the receiver with: `fetch` is a fetch-style handler
 * (Hono, Next.js route handlers, Bun, Deno), here behind node:http as Hono's node server puts one.
 */
export type Framework = 'node' | 'express' | 'fastify' | 'fetch';

/** A running receiver: where to send, and how to stop it. */
export interface ServedReceiver {
  /** The webhook URL to give the sender. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a receiver at `/webhooks` on 127.0.0.1 with node:http, Express, Fastify or a fetch-style
 * handler — the same receiver, each with its adapter. `port` 0 picks a free port.
 */
export async function serveReceiver(receiver: Receiver<SiteEvent>, framework: Framework, port = 0, host = '127.0.0.1'): Promise<ServedReceiver> {
  if (framework === 'fastify') {
    const app = Fastify();
    await app.register(fastifyReceiver, { receiver, prefix: '/webhooks' });
    const origin = await app.listen({ port, host });
    return { url: `${origin}/webhooks`, close: () => app.close() };
  }
  let server: Server;
  if (framework === 'express') {
    const app = express();
    app.post('/webhooks', expressReceiver(receiver)); // before any express.json(): it reads the raw bytes itself
    server = createServer(app);
  } else if (framework === 'fetch') {
    const handler = createFetchHandler(receiver);
    server = createServer((request, response) => {
      if (request.url?.split('?', 1)[0] !== '/webhooks') return void response.writeHead(404).end();
      // What a fetch-style server hands its handler: a Request over the unread body stream.
      const headers = new Headers();
      for (let i = 0; i < request.rawHeaders.length; i += 2) headers.append(request.rawHeaders[i]!, request.rawHeaders[i + 1]!);
      const body = request.method === 'GET' || request.method === 'HEAD' ? {} : { body: Readable.toWeb(request) as ReadableStream<Uint8Array>, duplex: 'half' };
      void handler(new Request(`http://${host}${request.url}`, { method: request.method, headers, ...body } as RequestInit)).then(
        async (answer) => response.writeHead(answer.status, Object.fromEntries(answer.headers)).end(Buffer.from(await answer.arrayBuffer())),
        () => response.destroy(),
      );
    });
  } else {
    const handler = createNodeHandler(receiver);
    server = createServer((request, response) => {
      // The path alone: a webhook URL may carry a query string (/webhooks?site=main), as Express and Fastify route it.
      if (request.url?.split('?', 1)[0] === '/webhooks') handler(request, response);
      else response.writeHead(404).end();
    });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}/webhooks`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
