import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { createNodeHandler } from '../adapters/node-http';
import { expressReceiver } from '../adapters/express';
import { fastifyReceiver } from '../adapters/fastify';
import { createFetchHandler } from '../adapters/fetch';
import type { AnyReceiver } from '../receiver';
import { serveFetch } from './serve-fetch';

const servers: Server[] = [];
const closers: (() => Promise<unknown>)[] = [];

/** Listens on a free port of 127.0.0.1 and gives the URL of its `/webhooks` path. */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
}

/** Serves a receiver through one adapter (with its maxBodyBytes, when given) and gives the URL to POST to. */
export type ServeWith = (receiver: AnyReceiver, maxBodyBytes?: number) => Promise<string>;

/** The receiver behind each adapter, each on its own port: for `describe.each(adapters)`. */
export const adapters: [string, ServeWith][] = [
  ['node:http', (receiver, maxBodyBytes) => listen(createServer(createNodeHandler(receiver, { maxBodyBytes })))],
  [
    'Express',
    (receiver, maxBodyBytes) => {
      const app = express();
      app.post('/webhooks', expressReceiver(receiver, { maxBodyBytes }));
      return listen(createServer(app));
    },
  ],
  [
    'Fastify',
    async (receiver, maxBodyBytes) => {
      const app = Fastify();
      await app.register(fastifyReceiver, { receiver, prefix: '/webhooks', maxBodyBytes });
      closers.push(() => app.close());
      return `${await app.listen({ port: 0, host: '127.0.0.1' })}/webhooks`;
    },
  ],
];

/** {@link adapters} and the fetch handler behind {@link serveFetch}: every way a receiver is served. */
export const everyAdapter: [string, ServeWith][] = [
  ...adapters,
  [
    'fetch handler',
    async (receiver, maxBodyBytes) => {
      const { url, server } = await serveFetch(maxBodyBytes === undefined ? createFetchHandler(receiver) : createFetchHandler(receiver, { maxBodyBytes }));
      servers.push(server);
      return url;
    },
  ],
];

/** Closes every server the adapters opened; call it in `afterEach`. */
export async function closeServers(): Promise<void> {
  // closeAllConnections: a receiver that never answers must fail its test, not hang the suite.
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections()))));
  await Promise.all(closers.splice(0).map((close) => close()));
}

/**
 * POSTs `body` with header lines as given — raw HTTP, as node:http's client can neither repeat a
 * header nor send bytes outside Latin-1 as they are — and gives the status and the JSON answer.
 * A value given as a Buffer is sent as its bytes (UTF-8 text in a header, as a careless sender writes it).
 */
export async function sendRaw(url: string, lines: readonly (readonly [string, string | Buffer])[], body: string): Promise<{ status: number; body: { outcome?: string; id?: string; error?: { code: string; message: string } } }> {
  const { hostname, port, pathname } = new URL(url);
  const head = Buffer.concat(lines.map(([name, value]) => Buffer.concat([Buffer.from(`${name}: `), Buffer.isBuffer(value) ? value : Buffer.from(value, 'latin1'), Buffer.from('\r\n')])));
  const text = Buffer.concat([
    Buffer.from(`POST ${pathname} HTTP/1.1\r\nhost: ${hostname}\r\n`),
    head,
    Buffer.from(`content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`),
  ]);
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
  });
  const at = raw.indexOf('\r\n\r\n');
  const answer = raw.slice(at + 4);
  return { status: Number(raw.slice(0, at).split(' ')[1]), body: answer ? JSON.parse(answer) : {} };
}
