import { createHookwork, isHookworkError, silentLogger, type Hookwork } from '@hookwork/core';
import { closedPort, startTestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { Cluster, Redis } from 'ioredis';
import { bullmqQueue, type BullmqQueueOptions } from './bullmq-queue';
import { removeBullmqQueue } from './remove-queue';
import { startPrivateRedis } from './testing/private-redis';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from './testing/redis-test';

// Where the queue's keys go is what a host relies on to keep apps apart: these tests look in Redis.
const prefix = uniquePrefix('conn');
/** The test Redis with database `db` selected. */
const inDatabase = (db: number) => `${TEST_REDIS_URL.replace(/\/\d*$/, '')}/${db}`;

async function keysIn(db: number): Promise<string[]> {
  const client = new Redis(inDatabase(db), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    return await client.keys(`${prefix}:*`);
  } finally {
    client.disconnect();
  }
}

const apps: Hookwork[] = [];
async function start(options: Omit<BullmqQueueOptions, 'prefix' | 'checkDurability'>): Promise<Hookwork> {
  const app = createHookwork({ composers: [thingComposer], logger: silentLogger, queue: bullmqQueue({ prefix, checkDurability: false, commandTimeoutMs: 2000, ...options }) });
  apps.push(app);
  await app.start();
  return app;
}

afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop().catch(() => {});
});
afterAll(async () => {
  for (const db of [0, 2]) await deleteKeys(prefix, inDatabase(db));
});

describe('bullmqQueue({ connection }) reaches the Redis it names, or fails start()', () => {
  it('an ioredis client of another copy of ioredis (the host\'s own dependency) is used at its address and database, not 127.0.0.1:6379', async () => {
    let Foreign: typeof Redis | undefined;
    jest.isolateModules(() => {
      Foreign = (jest.requireActual('ioredis') as { Redis: typeof Redis }).Redis;
    });
    expect(Foreign).not.toBe(Redis);
    const port = await closedPort();
    const nowhere = new Foreign!({ host: '127.0.0.1', port, lazyConnect: true });
    const error = await start({ connection: nowhere as unknown as Redis, queueName: 'foreign-closed' }).then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_REDIS_UNAVAILABLE' as never)).toBe(true);
    expect((error as Error).message).toContain(`redis://127.0.0.1:${port}`);

    const url = new URL(TEST_REDIS_URL);
    const there = new Foreign!({ host: url.hostname, port: Number(url.port || 6379), db: 2, lazyConnect: true });
    const app = await start({ connection: there as unknown as Redis, queueName: 'foreign-db2' });
    await app.webhooks.create({ url: 'https://example.com/hook', events: ['thing.happened'] });
    await app.publish(new ThingHappened('in-db-2'));
    expect((await keysIn(2)).filter((key) => key.includes(':foreign-db2:')).length).toBeGreaterThan(0);
    expect((await keysIn(0)).filter((key) => key.includes(':foreign-db2:'))).toEqual([]);
    expect(there.status).toBe('wait'); // the host's client itself is never used
  });

  it('a database index the server does not have fails start() naming it, and nothing lands in database 0', async () => {
    const error = await start({ connection: inDatabase(99), queueName: 'db99' }).then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS' as never)).toBe(true);
    expect((error as Error).message).toMatch(/Redis at redis:\/\/127\.0\.0\.1:6379\/99 refused database 99 \(ERR DB index is out of range\); give bullmqQueue\(\{ connection \}\) a database index the server has/);
    expect((await keysIn(0)).filter((key) => key.includes(':db99:'))).toEqual([]);
    // removeBullmqQueue would have looked at (and deleted from) database 0 too.
    const removal = await removeBullmqQueue({ connection: inDatabase(99), prefix, queueName: 'db99' }).then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(removal, 'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS' as never)).toBe(true);
  });

  it('ioredis options are used as bullmqQueue() checked them, whatever the host does to its object afterwards', async () => {
    // The object was kept: db changed to 'one' after the check reached ioredis as database NaN.
    const url = new URL(TEST_REDIS_URL);
    const connection: Record<string, unknown> = { host: url.hostname, port: Number(url.port || 6379), db: 2 };
    const app = createHookwork({ composers: [thingComposer], logger: silentLogger, queue: bullmqQueue({ connection, prefix, queueName: 'checked-db2', checkDurability: false, commandTimeoutMs: 2000 }) });
    apps.push(app);
    connection.db = 'one';
    await app.start();
    await app.webhooks.create({ url: 'https://example.com/hook', events: ['thing.happened'] });
    await app.publish(new ThingHappened('in-db-2'));
    expect((await keysIn(2)).filter((key) => key.includes(':checked-db2:')).length).toBeGreaterThan(0);
  });

  it('an ioredis Cluster is refused at once instead of connecting to 127.0.0.1:6379', () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: 7000 }], { lazyConnect: true });
    expect(() => bullmqQueue({ connection: cluster as unknown as Redis })).toThrow(/connection is an ioredis Cluster, which the BullMQ queue does not support: give it one Redis server/);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['Bull\'s { url }', { url: 'redis://127.0.0.1:6399' }, /connection has url, which ioredis does not know and would ignore, connecting to 127\.0\.0\.1:6379 instead: pass the URL itself as connection/],
    ['node-redis\'s { socket }', { socket: { host: '127.0.0.1', port: 6399 } }, /connection has socket, .*ioredis's \{ host, port, tls \} at the top level/],
    ['node-redis\'s { database }', { host: '127.0.0.1', database: 3 }, /connection has database, .*ioredis calls it db/],
    ['a URL as host', { host: 'redis://:s3cret@127.0.0.1', port: 6379 }, /connection\.host is a URL \("redis:\/\/\*\*\*@127\.0\.0\.1"\); pass the URL itself as connection/],
  ])('ioredis options with %s are refused at once, naming the ioredis spelling, instead of starting on 127.0.0.1:6379 database 0', (_what, connection, message) => {
    // { url } and { socket } used to start, without a word, on the default Redis (another app's, perhaps).
    expect(() => bullmqQueue({ connection, prefix, queueName: 'foreign' })).toThrow(message);
    expect(() => bullmqQueue({ connection: { url: 'redis://127.0.0.1:6399' } as never })).toThrow(/HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS/);
    expect(() => bullmqQueue({ connection, prefix, queueName: 'foreign' })).not.toThrow(/s3cret/);
  });

  it('a refused login says so and names the fix, instead of "Connection is closed" and "start Redis"', async () => {
    const url = new URL(TEST_REDIS_URL);
    url.username = `hookwork-test-no-such-user-${process.pid}`;
    url.password = 's3cret';
    const error = await start({ connection: url.toString(), queueName: 'login' }).then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_REDIS_UNAVAILABLE' as never)).toBe(true);
    expect((error as Error).message).toMatch(/refused the BullMQ queue's login \(WRONGPASS .*\); check the user and password of bullmqQueue\(\{ connection \}\)/);
    expect((error as Error).message).not.toMatch(/s3cret|start Redis/);
  });

  it('a Redis user whose ACL denies INFO fails start() naming the ACL as the fix, and logs no background error besides', async () => {
    const server = await startPrivateRedis({ user: 'default on nopass ~* &* +@all -info' });
    const logged: string[] = [];
    try {
      const app = createHookwork({
        composers: [thingComposer],
        logger: { debug() {}, info() {}, warn: (m) => void logged.push(`warn ${m}`), error: (m) => void logged.push(`error ${m}`) },
        queue: bullmqQueue({ connection: server.url, prefix, checkDurability: false, commandTimeoutMs: 2000 }),
      });
      const error = await app.start().then(() => undefined, (e: unknown) => e);
      expect(isHookworkError(error, 'HOOKWORK_ERR_REDIS_UNAVAILABLE' as never)).toBe(true);
      expect((error as Error).message).toMatch(/could not start on redis:\/\/127\.0\.0\.1:\d+ \(NOPERM .*'info'.*\); the Redis user's ACL denies a command or key BullMQ needs: allow it/);
      // It also logged "redis connection failed; it will be tried again: NOPERM …" for the start that had failed.
      expect(logged).toEqual([expect.stringMatching(/^warn Redis at .* does not let this user run INFO .*allow it in the user's ACL \(\+info\)/)]);
    } finally {
      await server.remove();
    }
  });

  it('a TLS connection to a server without TLS is named as TLS, with the fix, also when its connectTimeout ends first', async () => {
    const url = new URL(TEST_REDIS_URL);
    // ioredis's connectTimeout: the TLS handshake gets no answer from a plain server (tls-scheme.test.ts has the rest).
    const error = await start({ connection: { host: url.hostname, port: Number(url.port || 6379), tls: {}, connectTimeout: 500 }, queueName: 'tls' }).then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS' as never)).toBe(true);
    expect((error as Error).message).toMatch(/the server at rediss:\/\/.* speaks plain Redis, not TLS: .*the TLS handshake failed \(connect ETIMEDOUT\) while a plain PING was answered as Redis answers; connect with redis:\/\//);
  });

  it('a server that is not Redis (an HTTP server) fails start() and removeBullmqQueue() saying it did not answer as Redis does, not that nothing answered', async () => {
    const http = await startTestReceiver();
    try {
      const url = `redis://127.0.0.1:${new URL(http.url).port}`;
      const error = await start({ connection: url, queueName: 'not-redis' }).then(() => undefined, (e: unknown) => e);
      expect(isHookworkError(error, 'HOOKWORK_ERR_REDIS_UNAVAILABLE' as never)).toBe(true);
      // It used to say "could not connect … (Stream isn't writeable and enableOfflineQueue options is false); start Redis".
      expect((error as Error).message).toMatch(/the server at redis:\/\/127\.0\.0\.1:\d+ answered the BullMQ queue, but not as Redis does \(Protocol error, got "H" as reply type byte.*\); check that bullmqQueue\(\{ connection \}\) names the host and port of a Redis server \(one that wants TLS: connect with rediss:\/\/\)/);
      const removal = await removeBullmqQueue({ connection: url, prefix, queueName: 'not-redis' }).then(() => undefined, (e: unknown) => e);
      expect((removal as Error).message).toMatch(/but not as Redis does .*check that removeBullmqQueue\(\{ connection \}\) names/);
    } finally {
      await http.close();
    }
  });

  it('a Redis Cluster node given as a URL fails start() and removeBullmqQueue() naming cluster mode, instead of starting and failing every publish with CROSSSLOT', async () => {
    const server = await startPrivateRedis({ 'cluster-enabled': 'yes', 'cluster-config-file': 'nodes.conf' });
    const admin = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await admin.connect();
      // One node serving every slot: a working cluster, as far as its own clients go.
      await admin.cluster('ADDSLOTSRANGE', 0, 16383);
      for (let i = 0; i < 100 && !(await admin.cluster('INFO')).includes('cluster_state:ok'); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      const error = await start({ connection: server.url, queueName: 'cluster' }).then(() => undefined, (e: unknown) => e);
      expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS' as never)).toBe(true);
      expect((error as Error).message).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ runs in cluster mode \(cluster_enabled:1\), which the BullMQ queue does not support: .*CROSSSLOT.*give bullmqQueue\(\{ connection \}\) a standalone Redis server/);
      const removal = await removeBullmqQueue({ connection: server.url, prefix, queueName: 'cluster' }).then(() => undefined, (e: unknown) => e);
      expect((removal as Error).message).toMatch(/runs in cluster mode .*give removeBullmqQueue\(\{ connection \}\) a standalone Redis server/);
      expect(await admin.dbsize()).toBe(0);
      // Nothing is left connected to it but the test's own client.
      expect(((await admin.client('LIST')) as string).trim().split('\n')).toHaveLength(1);
    } finally {
      admin.disconnect();
      await server.remove();
    }
  });

  it('a replica fails start() naming its primary, instead of BullMQ\'s READONLY script error', async () => {
    const primary = await startPrivateRedis();
    const replica = await startPrivateRedis({ replicaof: `127.0.0.1 ${primary.port}` });
    try {
      const error = await start({ connection: replica.url, queueName: 'replica' }).then(() => undefined, (e: unknown) => e);
      expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS' as never)).toBe(true);
      expect((error as Error).message).toBe(
        `HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS: Redis at ${replica.url} is a replica (role:slave, of 127.0.0.1:${primary.port}), which refuses the BullMQ queue's writes (READONLY) or loses them at its next sync; give bullmqQueue({ connection }) the primary`,
      );
    } finally {
      await replica.remove();
      await primary.remove();
    }
  });

  it('a connection whose options ask ioredis for numbers as strings (stringNumbers) delivers, and counts in numbers', async () => {
    const receiver = await startTestReceiver();
    const errors: string[] = [];
    try {
      const app = createHookwork({
        composers: [thingComposer],
        logger: { debug() {}, info() {}, warn() {}, error: (m) => void errors.push(m) },
        settings: { ssrf: { allow: ['127.0.0.1'] } },
        queue: bullmqQueue({ connection: { ...hostAndPort(), stringNumbers: true }, prefix, queueName: 'string-numbers', checkDurability: false, commandTimeoutMs: 2000 }),
      });
      apps.push(app);
      await app.start();
      await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      for (let i = 0; i < 3; i++) await app.publish(new ThingHappened(String(i)));
      await app.drain({ timeoutMs: 10_000 });
      // Every completion failed in BullMQ ("Unknown code -1 error for 0. moveToFinished"), and the counts were "000".
      expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
      expect(receiver.requests).toHaveLength(3);
      expect(errors).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it.each<[string, () => BullmqQueueOptions['connection']]>([
    ['ioredis options', () => ({ ...hostAndPort(), commandTimeout: 300, socketTimeout: 300 })],
    ['an ioredis client', () => new Redis({ ...hostAndPort(), lazyConnect: true, commandTimeout: 300, socketTimeout: 300 })],
  ])('a commandTimeout or socketTimeout in a connection given as %s, shorter than BullMQ\'s blocking fetch, does not stop delivery', async (_what, connection) => {
    const receiver = await startTestReceiver();
    const errors: string[] = [];
    try {
      const app = createHookwork({
        composers: [thingComposer],
        logger: { debug() {}, info() {}, warn() {}, error: (m) => void errors.push(m) },
        settings: { ssrf: { allow: ['127.0.0.1'] } },
        queue: bullmqQueue({ connection: connection(), prefix, queueName: `timeouts-${_what.length}`, checkDurability: false, commandTimeoutMs: 2000 }),
      });
      apps.push(app);
      await app.start();
      await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await app.publish(new ThingHappened('1'));
      await receiver.waitFor(1);
      // The Worker idle on its blocking fetch (BullMQ blocks for seconds) past both deadlines.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await app.publish(new ThingHappened('2'));
      // Each deadline used to cut the fetch ("Command timed out"), and the Worker fetched nothing more.
      await receiver.waitFor(2, 8000);
      expect(errors).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});

/** The test Redis's host and port, as ioredis options. */
function hostAndPort(): { host: string; port: number } {
  const url = new URL(TEST_REDIS_URL);
  return { host: url.hostname, port: Number(url.port || 6379) };
}
