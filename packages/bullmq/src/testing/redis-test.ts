import { randomUUID } from 'node:crypto';
import { resolveSettings, silentLogger, systemClock, type Hookwork, type Logger, type QueueEngineContext } from '@hookwork/core';
import { Redis } from 'ioredis';

/** The shared Redis tests use (the machine's, at 127.0.0.1:6379 unless HOOKWORK_TEST_REDIS_URL says otherwise). */
export const TEST_REDIS_URL = process.env.HOOKWORK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * What an engine opened on its own, outside an app, is given: default settings, the system clock,
 * `logger` (silent unless given), and no store (the BullMQ engine keeps nothing in one).
 */
export function standaloneEngineContext(logger: Logger = silentLogger): QueueEngineContext {
  return { storage: undefined as never, storageBackend: undefined as never, settings: { current: resolveSettings({}) }, clock: systemClock, logger, onError() {} };
}

/** A key prefix no other test file (or helper sharing the Redis) uses. */
export function uniquePrefix(label: string): string {
  return `hookwork-test-${label}-${randomUUID().slice(0, 8)}`;
}

/** Deletes every key under `prefix:` (and nothing else): a test's cleanup, never FLUSHALL. */
export async function deleteKeys(prefix: string, url = TEST_REDIS_URL): Promise<number> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
  return deleted;
}

/** Kills the connections of `url`'s server whose client name contains one of `names` (CLIENT KILL ID); returns how many. */
export async function killConnections(names: readonly string[], url = TEST_REDIS_URL): Promise<number> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    const list = (await client.client('LIST')) as string;
    const ids = list
      .split('\n')
      .map((line) => ({ id: /(?:^| )id=(\d+)/.exec(line)?.[1], name: /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '' }))
      .filter((c) => c.id && names.some((name) => c.name.includes(name)))
      .map((c) => c.id!);
    for (const id of ids) await client.client('KILL', 'ID', id);
    return ids.length;
  } finally {
    client.disconnect();
  }
}

/** Resolves once the app's Redis connections answer again (its queue counts come back), after an outage or a restart of Redis; throws the last error after `timeoutMs`. */
export async function reconnected(app: Hookwork, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await app.queueCounts();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
