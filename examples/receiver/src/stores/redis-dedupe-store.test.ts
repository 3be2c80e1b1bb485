import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createNodeHandler, createReceiver } from '@hookwork/receiver';
import { describeDedupeStoreContract } from '@hookwork/receiver/testing';
import { redisDedupeStore } from './redis-dedupe-store';

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
    client?.disconnect();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it('answers 503 with Retry-After at once with the client options the docs give (no offline queue, one retry), so the sender backs off instead of waiting out its timeout', async () => {
    // A port nothing listens on: taken, then let go.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, enableOfflineQueue: false });
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
