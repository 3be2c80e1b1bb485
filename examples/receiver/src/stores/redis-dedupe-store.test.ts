import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { createHookwork, generateSecret } from '@hookwork/core';
import { cmsComposer, ContentPublishedNotification, exampleCmsContent } from '@hookwork/cms';
import { createNodeHandler, createReceiver } from '@hookwork/receiver';
import { describeDedupeStoreContract } from '@hookwork/receiver/testing';
import { redisDedupeStore } from './redis-dedupe-store';
import { startOwnRedis, type OwnRedis } from './test-support/own-redis';
import { signedSender } from './test-support/send-signed';
import { waitFor } from './test-support/wait-for';

// Against the real Redis at 127.0.0.1:6379; each test uses its own key prefix and deletes its keys.
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let sequence = 0;

describeDedupeStoreContract('redis', async () => {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  // A second worker's client: claims are raced across the two connections.
  const other = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await Promise.all([redis.connect(), other.connect()]);
  const prefix = `hookwork-receiver-test:${process.pid}:${Date.now()}:${++sequence}:`;
  return {
    store: redisDedupeStore(redis, prefix),
    sibling: redisDedupeStore(other, prefix),
    close: async () => {
      // SCAN rather than KEYS: this Redis is shared, and KEYS would block it.
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await Promise.all([redis.quit(), other.quit()]);
    },
  };
}, { shared: true });

describe('redisDedupeStore with Redis down', () => {
  let server: Server | undefined;
  let client: Redis | undefined;
  afterEach(async () => {
    // disconnectTimeout: ioredis waits that long (2 s by default) for a socket that never connected to close.
    client?.disconnect();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it('answers 503 with Retry-After at once with the client options the docs give (no offline queue, one retry), so the sender backs off instead of waiting out its timeout', async () => {
    // A port nothing listens on: taken, then let go.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, enableOfflineQueue: false, disconnectTimeout: 50 });
    client.on('error', () => {}); // refused connections, reported by the store's answer instead
    const errors: string[] = [];
    const key = randomBytes(24);
    const secret = `whsec_${key.toString('base64')}`;
    const receiver = createReceiver({ secrets: secret, handle: () => {}, dedupe: { store: redisDedupeStore(client) }, onError: (error) => void errors.push((error as { code?: string }).code ?? '') });
    server = createServer(createNodeHandler(receiver));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const id = `msg_down_${process.pid}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const body = '{"id":"doc-1"}';
    const signature = `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
    const started = Date.now();
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
      method: 'POST',
      headers: { 'hookwork-event': 'Umbraco.ContentPublish', 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature },
      body,
    });
    // ioredis's defaults (an offline queue, 20 retries) held this answer 10.5 s; a sender's timeout is 15 s.
    expect(Date.now() - started).toBeLessThan(5_000);
    // Redis down is an outage, not a bug: 503, and the sender waits the Retry-After before retrying.
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toMatchObject({ outcome: 'failed', error: { code: 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE' } });
    expect(errors).toEqual(['RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE']);
  });
});

describe('a hookwork app sending to a receiver whose Redis is down, then back', () => {
  it('is answered 503 RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE while it is down, and the same request is processed once when it is back', async () => {
    // Redis's address for the receiver: a closed port of 127.0.0.1 at first, then a proxy to the real Redis.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const redisUrl = new URL(url);
    const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => 20 });
    client.on('error', () => {}); // refused connections, reported by the store's answer instead
    const prefix = `hookwork-receiver-test:${process.pid}:${Date.now()}:down-then-back:`;
    const secret = generateSecret();
    const handled: string[] = [];
    const receiver = createReceiver<{ alias: 'Umbraco.ContentPublish'; payload: { id: string } }>({
      secrets: secret,
      retryAfterSeconds: 1,
      dedupe: { store: redisDedupeStore(client, prefix) },
      handlers: { 'Umbraco.ContentPublish': async ({ id }) => void handled.push(id) },
      onError: () => {},
    });
    const receiverServer = createServer(createNodeHandler(receiver));
    await new Promise<void>((resolve) => receiverServer.listen(0, '127.0.0.1', resolve));
    const sockets = new Set<Socket>();
    const proxy = createNetServer((socket) => {
      const upstream = connect(Number(redisUrl.port || 6379), redisUrl.hostname);
      sockets.add(socket).add(upstream);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    const app = createHookwork({ composers: [cmsComposer()], settings: { ssrf: { allow: ['127.0.0.1'] }, retrySchedule: [100], retryJitter: 0, maximumRetries: 20 } });
    await app.start();
    try {
      const { key } = await app.webhooks.create({ url: `http://127.0.0.1:${(receiverServer.address() as AddressInfo).port}/`, events: ['Umbraco.ContentPublish'], secret });
      await app.publish(new ContentPublishedNotification({ publishedEntities: [exampleCmsContent('doc-1')] }));
      const logged = async () => (await app.logs(key)).items.map((entry) => [entry.statusCode, JSON.parse(entry.responseBody) as { outcome: string; error?: { code: string } }] as const);
      const whileDown = await waitFor('an answer while Redis is down', async () => {
        const answers = await logged();
        return answers.length > 0 ? answers : undefined;
      });
      for (const answer of whileDown) expect(answer).toEqual([503, expect.objectContaining({ outcome: 'failed', error: { code: 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE' } })]);
      expect(handled).toEqual([]);

      await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
      await waitFor('the request processed once Redis is back', async () => ((await logged()).some(([status]) => status === 200) ? true : undefined));
      const answers = await logged();
      expect(answers.filter(([status]) => status === 200)).toEqual([[200, expect.objectContaining({ outcome: 'processed' })]]);
      expect(answers.filter(([status]) => status !== 200).every(([status, body]) => status === 503 && body.error?.code === 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE')).toBe(true);
      expect(handled).toHaveLength(1);
    } finally {
      await app.stop();
      for (const id of handled) await client.del(`${prefix}${id}`).catch(() => {});
      client.disconnect();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
      await new Promise((resolve) => (receiverServer.closeAllConnections(), receiverServer.close(resolve)));
    }
  });
});

describe('redisDedupeStore on a Redis that hangs (CLIENT PAUSE) or goes away, on a redis-server of the test\'s own', () => {
  let own: OwnRedis | undefined;
  const clients: Redis[] = [];
  let receiverServer: Server | undefined;
  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await new Promise((resolve) => (receiverServer ? (receiverServer.closeAllConnections(), receiverServer.close(resolve)) : resolve(undefined)));
    receiverServer = undefined;
    await own?.remove();
    own = undefined;
  });

  /** A receiver on a store over the own Redis, served on node:http; `send(id)` posts a freshly signed request with that id. */
  async function serveOn(client: Redis, options: { timeoutMs?: number } = {}) {
    const key = randomBytes(24);
    const handled: string[] = [];
    const errors: string[] = [];
    const messages: string[] = [];
    const receiver = createReceiver({
      secrets: `whsec_${key.toString('base64')}`,
      retryAfterSeconds: 1,
      dedupe: { store: redisDedupeStore(client, 'receiver-test:'), ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) },
      handle: ({ id }) => void handled.push(id),
      onError: (error) => void (errors.push((error as { code?: string }).code ?? ''), messages.push((error as Error).message)),
    });
    receiverServer = createServer(createNodeHandler(receiver));
    await new Promise<void>((resolve) => receiverServer!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiverServer.address() as AddressInfo).port}/`;
    const send = signedSender(url, key);
    return { send, handled, errors, messages };
  }

  function connect(port: number, options: RedisOptions = {}): Redis {
    const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, enableOfflineQueue: false, disconnectTimeout: 50, ...options });
    client.on('error', () => {}); // the outage, reported by the receiver's answers instead
    clients.push(client);
    return client;
  }

  /** Connected: without an offline queue, a command sent before would fail. */
  const ready = (client: Redis) => new Promise<void>((resolve) => (client.status === 'ready' ? resolve() : client.once('ready', () => resolve())));

  it('answers 503 with Retry-After after dedupe.timeoutMs while Redis is paused, never handles that request, and releases the claim Redis makes once unpaused, so the retry is processed', async () => {
    own = await startOwnRedis();
    const client = connect(own.port);
    const admin = connect(own.port);
    await Promise.all([ready(client), ready(admin)]);
    const { send, handled, errors } = await serveOn(client, { timeoutMs: 300 });
    // WRITE: every script (the claim is one) waits, as on a Redis failing over or under a long pause.
    await admin.call('CLIENT', 'PAUSE', '60000', 'WRITE');
    const id = `msg_paused_${process.pid}`;
    // Before: the request waited the whole pause (60 s here), past any sender's timeout.
    expect(await send(id)).toEqual({ status: 503, retryAfter: '1', body: { outcome: 'failed', id, error: { code: 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE' } } });
    expect(errors).toEqual(['RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE']);
    await admin.call('CLIENT', 'UNPAUSE');
    // The paused claim now runs, and claims the id; kept, it would answer the retries 503
    // in-progress for the 5-minute lease. Released, a retry is processed — once.
    const retried = await waitFor('the retry processed', async () => {
      const answer = await send(id);
      return answer.status === 200 ? answer : (expect(answer).toMatchObject({ status: 503, body: { outcome: 'in-progress' } }), undefined);
    }, 5_000);
    expect(retried.body).toEqual({ outcome: 'processed', id });
    expect(handled).toEqual([id]);
    expect(await send(id)).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
  });

  it('answers 503 RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE when the redis-server is stopped, recognised by the client\'s connection state, not by ioredis\'s message', async () => {
    own = await startOwnRedis();
    const client = connect(own.port, { retryStrategy: () => 50 });
    await ready(client);
    const { send, handled, errors, messages } = await serveOn(client);
    await own.stop();
    await waitFor('ioredis to see the connection gone', async () => (client.status !== 'ready' ? true : undefined));
    expect(await send(`msg_stopped_${process.pid}`)).toMatchObject({ status: 503, retryAfter: '1', body: { outcome: 'failed', error: { code: 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE' } } });
    expect(errors).toEqual(['RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE']);
    // Said by the store from the client's state, not guessed by the kit from ioredis's message.
    expect(messages[0]).toMatch(new RegExp(`^RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE: could not claim msg_stopped_\\d+: Redis at 127\\.0\\.0\\.1:${own.port} is not connected \\(ioredis status (connecting|reconnecting|close|end)\\)`));
    expect(handled).toEqual([]);
  });

  it('answers 503 RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE while Redis is busy running a slow script (its BUSY reply), and processes the retry once it is done', async () => {
    own = await startOwnRedis({ 'busy-reply-threshold': '50' });
    const client = connect(own.port);
    const scripter = connect(own.port);
    const admin = connect(own.port);
    await Promise.all([ready(client), ready(scripter), ready(admin)]);
    const { send, handled, errors, messages } = await serveOn(client);
    // A read-only script that spins (so SCRIPT KILL can end it): Redis answers everyone else BUSY meanwhile.
    const spinning = scripter.eval("local t = redis.call('TIME'); while true do local n = redis.call('TIME'); if (n[1] - t[1]) > 30 then return 1 end end", 0).catch(() => 'killed');
    const id = `msg_busy_${process.pid}`;
    await waitFor('Redis to answer BUSY', () => admin.ping().then(() => undefined, (error: Error) => (error.message.startsWith('BUSY') ? true : undefined)));
    const answer = await send(id);
    // Before: a ReplyError with no code the kit read — answered 500, as a bug of the store.
    expect(answer).toEqual({ status: 503, retryAfter: '1', body: { outcome: 'failed', id, error: { code: 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE' } } });
    expect(errors).toEqual(['RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE']);
    expect(messages[0]).toMatch(/the dedupe store is unavailable \(BUSY /);
    expect(handled).toEqual([]);
    await admin.call('SCRIPT', 'KILL');
    expect(await spinning).toBe('killed');
    expect(await send(id)).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    expect(handled).toEqual([id]);
  });
});
