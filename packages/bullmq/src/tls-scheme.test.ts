import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as connectTcp, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHookwork, isHookworkError, silentLogger, type Hookwork } from '@hookwork/core';
import { TEST_RECEIVER_CERT, TEST_RECEIVER_KEY, thingComposer } from '@hookwork/core/testing';
import { Redis, type RedisOptions } from 'ioredis';
import { bullmqQueue } from './bullmq-queue';
import type { RedisConnectionInput } from './redis-connection';
import { removeBullmqQueue } from './remove-queue';
import { freePort, startPrivateRedis, type PrivateRedis } from './testing/private-redis';
import { deleteKeys, uniquePrefix } from './testing/redis-test';

// A wrong scheme — rediss:// at a plain Redis, redis:// at a TLS one — on a redis-server of the
// test's own that listens both ways: plain on `port`, TLS on `tlsPort`.
const prefix = uniquePrefix('tls');
let server: PrivateRedis;
let tlsPort: number;
let certDir: string;
const apps: Hookwork[] = [];

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'hookwork-redis-tls-'));
  writeFileSync(join(certDir, 'cert.pem'), TEST_RECEIVER_CERT);
  writeFileSync(join(certDir, 'key.pem'), TEST_RECEIVER_KEY);
  tlsPort = await freePort();
  server = await startPrivateRedis({ 'tls-port': String(tlsPort), 'tls-cert-file': join(certDir, 'cert.pem'), 'tls-key-file': join(certDir, 'key.pem'), 'tls-auth-clients': 'no' });
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop().catch(() => {});
});
afterAll(async () => {
  await deleteKeys(prefix, server.url);
  await server.remove();
  rmSync(certDir, { recursive: true, force: true });
});

async function startError(connection: RedisConnectionInput): Promise<unknown> {
  const app = createHookwork({ composers: [thingComposer], logger: silentLogger, queue: bullmqQueue({ connection, prefix, queueName: 'scheme', checkDurability: false }) });
  apps.push(app);
  return app.start().then(() => undefined, (error: unknown) => error);
}

/** An ioredis client a host made (hookwork duplicates its options, never uses it). */
function hostClient(options: RedisOptions): Redis {
  return new Redis({ ...options, lazyConnect: true });
}

describe('a connection whose scheme does not match the server fails start() with the fix', () => {
  const plainRedisSaid = (where: string, option = 'bullmqQueue') =>
    new RegExp(`^HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS: the server at ${where.replace(/[/.]/g, '\\$&')} speaks plain Redis, not TLS: ${option}\\(\\{ connection \\}\\) asks for TLS .*and the TLS handshake (got no answer|failed \\(.*\\)) while a plain PING was answered as Redis answers; connect with redis:// \\(without a tls option\\)`);

  it.each<[string, () => RedisConnectionInput]>([
    ['a rediss:// URL (its password not shown)', () => `rediss://:s3cret@127.0.0.1:${server.port}`],
    ['ioredis options with tls', () => ({ host: '127.0.0.1', port: server.port, tls: {} })],
    ['an ioredis client with tls', () => hostClient({ host: '127.0.0.1', port: server.port, tls: {} })],
  ])('TLS asked of a plain Redis: %s', async (_how, connection) => {
    // ioredis alone waited for its connectTimeout (10 s), then said `connect ETIMEDOUT` (a plain
    // Redis waits for the end of the "inline command" the ClientHello seems to start).
    const error = await startError(connection());
    expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS' as never)).toBe(true);
    expect((error as Error).message).toMatch(plainRedisSaid(`rediss://127.0.0.1:${server.port}`));
    expect((error as Error).message).not.toMatch(/s3cret|ETIMEDOUT/);
  });

  it.each<[string, () => RedisConnectionInput]>([
    ['a redis:// URL', () => `redis://:s3cret@127.0.0.1:${tlsPort}`],
    ['ioredis options without tls', () => ({ host: '127.0.0.1', port: tlsPort })],
    ['an ioredis client without tls', () => hostClient({ host: '127.0.0.1', port: tlsPort })],
  ])('no TLS asked of a TLS Redis: %s', async (_how, connection) => {
    // It used to say `could not connect … (Connection is closed.); start Redis`.
    const error = await startError(connection());
    expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS' as never)).toBe(true);
    expect((error as Error).message).toMatch(
      new RegExp(`^HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS: the server at redis://127\\.0\\.0\\.1:${tlsPort} speaks TLS: bullmqQueue\\(\\{ connection \\}\\) connects without TLS .*while it completed a TLS handshake; connect with rediss://`),
    );
    expect((error as Error).message).not.toMatch(/s3cret|start Redis/);
  });

  it('no TLS asked of a TLS endpoint that neither answers nor closes a plain connection (it waits for a TLS record): said, not waited for', async () => {
    // A TLS handshake (first byte 0x16) is passed to the TLS Redis; anything else is read and never answered.
    const sockets = new Set<Socket>();
    const endpoint: Server = createServer((socket) => {
      sockets.add(socket);
      socket.once('data', (first) => {
        if (first[0] !== 0x16) return socket.resume();
        const upstream = connectTcp(tlsPort, '127.0.0.1', () => upstream.write(first));
        socket.pipe(upstream).pipe(socket);
        upstream.on('error', () => socket.destroy());
        socket.on('error', () => upstream.destroy());
      });
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const port = (endpoint.address() as { port: number }).port;
    try {
      // It used to wait for ever: the Worker's connection has no command deadline.
      const error = await startError(`redis://127.0.0.1:${port}`);
      expect((error as Error).message).toMatch(
        new RegExp(`^HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS: the server at redis://127\\.0\\.0\\.1:${port} speaks TLS: .*the server did not answer the plain connection while it completed a TLS handshake; connect with rediss://`),
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => endpoint.close(resolve));
    }
  });

  it('removeBullmqQueue() says the same, in its own name', async () => {
    const plain = await removeBullmqQueue({ connection: `rediss://127.0.0.1:${server.port}`, prefix, queueName: 'scheme' }).then(() => undefined, (e: unknown) => e);
    expect((plain as Error).message).toMatch(plainRedisSaid(`rediss://127.0.0.1:${server.port}`, 'removeBullmqQueue'));
    const tls = await removeBullmqQueue({ connection: `redis://127.0.0.1:${tlsPort}`, prefix, queueName: 'scheme' }).then(() => undefined, (e: unknown) => e);
    expect((tls as Error).message).toMatch(/speaks TLS: removeBullmqQueue\(\{ connection \}\) connects without TLS .*connect with rediss:\/\//);
  });

  it('each scheme at its own port starts (the check costs a matching connection nothing)', async () => {
    for (const connection of [server.url, { host: '127.0.0.1', port: tlsPort, tls: { ca: TEST_RECEIVER_CERT } }] as RedisConnectionInput[]) {
      const app = createHookwork({ composers: [thingComposer], logger: silentLogger, queue: bullmqQueue({ connection, prefix, queueName: 'scheme', checkDurability: false }) });
      apps.push(app);
      await app.start();
      expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
      await app.stop();
    }
  });
});
