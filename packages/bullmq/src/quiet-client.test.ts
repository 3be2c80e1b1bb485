import { createHookwork, memoryStorage, silentLogger, type Logger } from '@hookwork/core';
import { ThingHappened, thingComposer } from '@hookwork/core/testing';
import { bullmqQueue, type BullmqQueueOptions } from './bullmq-queue';
import { startPrivateRedis } from './testing/private-redis';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from './testing/redis-test';

// What ioredis and BullMQ print with console.warn bypasses the app's logger: silentLogger cannot
// silence it and a host's log collector never sees it. These tests watch the console itself.
const prefix = uniquePrefix('quiet');
afterAll(() => deleteKeys(prefix));

let printed: string[];
beforeEach(() => {
  printed = [];
  for (const method of ['log', 'info', 'warn', 'error'] as const) jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' ')));
});
afterEach(() => jest.restoreAllMocks());

/** Starts an app on `options`, publishes once, stops it; returns what its logger was told at warn. */
async function run(options: Omit<BullmqQueueOptions, 'prefix'>, logger?: Logger): Promise<string[]> {
  const warnings: string[] = [];
  // The store chosen in memory: with none given, the app warns that the queue outlives the webhooks.
  const app = createHookwork({ composers: [thingComposer], logger: logger ?? { debug() {}, info() {}, warn: (m) => void warnings.push(m), error: (m) => void warnings.push(`error: ${m}`) }, storage: memoryStorage(), queue: bullmqQueue({ prefix, ...options }) });
  await app.start();
  try {
    // The worker's blocking connection (a duplicate made by BullMQ) has connected too by now.
    await app.publish(new ThingHappened('x'));
  } finally {
    await app.stop();
  }
  return warnings;
}

describe('ioredis and BullMQ write nothing to the console past the app\'s logger', () => {
  it('a password Redis does not need is said once through the logger, with the fix; silentLogger silences it', async () => {
    const url = new URL(TEST_REDIS_URL);
    url.password = 'not-needed';
    // It used to print "[WARN] This Redis server's `default` user does not require a password…" once per connection.
    const warnings = await run({ connection: url.toString(), queueName: 'password', checkDurability: false });
    expect(warnings).toEqual([expect.stringMatching(/^Redis at redis:\/\/127\.0\.0\.1:6379 needs no password, but the BullMQ queue's connection gives one \(.*\); it connected without: leave the password out/)]);
    expect(warnings[0]).not.toContain('not-needed');
    expect(printed).toEqual([]);

    await run({ connection: url.toString(), queueName: 'password-silent', checkDurability: false }, silentLogger);
    expect(printed).toEqual([]);
  });

  it('an app stopped just after it started logs no lost connection for the connections it closes itself', async () => {
    // Its stop cut BullMQ's blocking connection, still connecting, and logged that as an outage:
    // "HOOKWORK_ERR_REDIS_UNAVAILABLE: lost the connection to … (Connection is closed.); reconnecting by itself".
    expect(await run({ connection: TEST_REDIS_URL, queueName: 'stopped-at-once', checkDurability: false })).toEqual([]);
    expect(printed).toEqual([]);
  });

  it('a Redis that evicts keys is warned of once, by the durability check, not by BullMQ on the console; with checkDurability false not at all', async () => {
    const server = await startPrivateRedis({ appendonly: 'yes', appendfsync: 'always', 'maxmemory-policy': 'allkeys-lru' });
    try {
      // BullMQ printed "IMPORTANT! Eviction policy is allkeys-lru. It should be "noeviction"" for each of its four connections.
      const warnings = await run({ connection: server.url, queueName: 'evicting' });
      expect(warnings).toEqual([expect.stringMatching(/evicts keys when it is full \(maxmemory-policy allkeys-lru\).*set maxmemory-policy noeviction/)]);
      expect(printed).toEqual([]);
      expect(await run({ connection: server.url, queueName: 'evicting-unchecked', checkDurability: false })).toEqual([]);
      expect(printed).toEqual([]);
    } finally {
      await server.remove();
    }
  });
});
