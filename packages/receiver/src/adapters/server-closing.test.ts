import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { createReceiver, type AnyReceiver } from '../receiver';
import { newSecret, signedRequest } from '../test-support/signed-request';
import { post } from '../test-support/post';
import { createNodeHandler } from './node-http';
import { expressReceiver } from './express';
import { fastifyReceiver } from './fastify';

// A real server closed (server.close(), app.close()) with a request in flight and one arriving on
// a connection still open, over raw HTTP/1.1 on 127.0.0.1. Whatever the adapter: the request in
// flight is answered as ever, every answer meanwhile says Connection: close, and a 503 — Fastify's
// own, for a request arriving while it closes — carries the receiver's Retry-After.

const secret = newSecret();
const sockets: Socket[] = [];
const gates: (() => void)[] = [];

afterEach(() => {
  for (const open of gates.splice(0)) open();
  for (const socket of sockets.splice(0)) socket.destroy();
});

/** Serves `receiver` on a free port of 127.0.0.1; `close()` starts closing the server and resolves once it has closed. */
type Closable = (receiver: AnyReceiver) => Promise<{ port: number; server: Server; close: () => Promise<unknown> }>;

const nodeServer = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server, close: () => new Promise((resolve) => server.close(resolve)) };
};

const closables: [string, Closable][] = [
  ['node:http', (receiver) => nodeServer(createServer(createNodeHandler(receiver)))],
  [
    'Express',
    (receiver) => {
      const app = express();
      app.post('/webhooks', expressReceiver(receiver));
      return nodeServer(createServer(app));
    },
  ],
  [
    'Fastify',
    async (receiver) => {
      const app = Fastify();
      await app.register(fastifyReceiver, { receiver, prefix: '/webhooks' });
      await app.listen({ port: 0, host: '127.0.0.1' });
      return { port: (app.server.address() as AddressInfo).port, server: app.server, close: () => app.close() };
    },
  ],
];

/** A keep-alive connection to the server, open before it starts closing. */
async function openConnection(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return socket;
}

/** Sends a signed POST on `socket` and gives the status and headers of the answer (or `closed`, if the server closed the connection without one). */
function send(socket: Socket): Promise<{ status: number; headers: Record<string, string> } | 'closed'> {
  const { headers, body } = signedRequest({ secrets: [secret] });
  const lines = Object.entries({ ...headers, 'content-length': String(Buffer.byteLength(body)) }).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.write(`POST /webhooks HTTP/1.1\r\nhost: 127.0.0.1\r\n${lines.join('')}\r\n${body}`);
  return new Promise((resolve) => {
    let received = '';
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) return;
      const [statusLine, ...fields] = received.slice(0, end).split('\r\n');
      const headerMap = Object.fromEntries(fields.map((field) => [field.slice(0, field.indexOf(':')).toLowerCase(), field.slice(field.indexOf(':') + 1).trim()]));
      if (received.length - end - 4 < Number(headerMap['content-length'] ?? 0)) return;
      socket.off('data', onData);
      resolve({ status: Number(statusLine!.split(' ')[1]), headers: headerMap });
    };
    socket.on('data', onData);
    socket.once('close', () => resolve('closed'));
  });
}

describe.each(closables)('a receiver through %s, its server closing', (name, serve) => {
  it('answers the request in flight as ever, with Connection: close; one arriving on an open connection meanwhile is handled (node:http, Express) or refused 503 with the receiver\'s Retry-After (Fastify)', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    gates.push(open);
    let first!: () => void;
    const started = new Promise<void>((resolve) => (first = resolve));
    const handled: string[] = [];
    const receiver = createReceiver({
      secrets: secret,
      retryAfterSeconds: 7,
      onError: () => {},
      handle: async ({ id }) => {
        first();
        await gate;
        handled.push(id);
      },
    });
    const { port, server, close } = await serve(receiver);
    const [inFlight, arriving] = [await openConnection(port), await openConnection(port)];
    const firstAnswer = send(inFlight);
    await started;
    const closed = close();
    // Closing has begun — the server no longer listens (Fastify: its preClose hooks have run) — before the second request is sent.
    while (server.listening) await new Promise((resolve) => setImmediate(resolve));
    const secondAnswer = send(arriving);
    if (name === 'Fastify') {
      // Before: 503 with no Retry-After, so the sender retried on its own schedule.
      expect(await secondAnswer).toEqual({ status: 503, headers: expect.objectContaining({ 'retry-after': '7', connection: 'close' }) });
    }
    open();
    expect(await firstAnswer).toEqual({ status: 200, headers: expect.objectContaining({ connection: 'close' }) });
    if (name !== 'Fastify') expect(await secondAnswer).toEqual({ status: 200, headers: expect.objectContaining({ connection: 'close' }) });
    expect(handled).toHaveLength(name === 'Fastify' ? 1 : 2);
    await closed;
  });
});

describe('fastifyReceiver while its app closes, before the plugin\'s own preClose hook has run', () => {
  // app.close() marks Fastify's routes closing, then runs the preClose hooks — the root instance's
  // before the plugin's. A request answered from the app's own preClose hook arrives in that window.
  it('adds the receiver\'s Retry-After to the 503 Fastify answers then, on the receiver\'s route only', async () => {
    const receiver = createReceiver({ secrets: secret, retryAfterSeconds: 7, onError: () => {}, handle: async () => {} });
    const app = Fastify();
    const answers: Awaited<ReturnType<typeof post>>[] = [];
    app.addHook('preClose', async () => {
      const { headers, body } = signedRequest({ secrets: [secret] });
      answers.push(await post(`http://127.0.0.1:${port}/webhooks`, { headers, body }));
      answers.push(await post(`http://127.0.0.1:${port}/elsewhere`, { headers: {}, body: '{}' }));
    });
    app.post('/elsewhere', async () => ({}));
    await app.register(fastifyReceiver, { receiver, prefix: '/webhooks' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    await app.close();
    // Before: the first was 503 without Retry-After — the plugin's listener came at its preClose hook, after this one.
    expect(answers.map(({ status, headers }) => [status, headers['retry-after'], headers.connection])).toEqual([
      [503, '7', 'close'],
      [503, undefined, 'close'],
    ]);
  });

  it('keeps the Retry-After a 503 on its route already has, and adds its own to one without', async () => {
    let busy: string | undefined;
    const receiver = createReceiver({ secrets: secret, retryAfterSeconds: 7, onError: () => {}, handle: async () => {} });
    const app = Fastify();
    // An app's load-shedding hook (as @fastify/under-pressure answers), with a Retry-After of its own or none.
    app.addHook('onRequest', async (_request, reply) => {
      if (busy === undefined) return;
      if (busy !== '') void reply.header('retry-after', busy);
      return reply.code(503).send({ busy: true });
    });
    await app.register(fastifyReceiver, { receiver, prefix: '/webhooks' });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const answered = async () => (await post(`${url}/webhooks`, signedRequest({ secrets: [secret] }))).headers['retry-after'];
      busy = '30';
      expect(await answered()).toBe('30');
      busy = '';
      expect(await answered()).toBe('7');
    } finally {
      await app.close();
    }
  });
});
