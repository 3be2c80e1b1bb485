import type { Logger } from '@hookwork/core';
import { Redis } from 'ioredis';
import { bullmqQueue } from './bullmq-queue';
import { checkRedisDurability } from './redis-durability';
import { startPrivateRedis, within, type PrivateRedis } from './testing/private-redis';
import { standaloneEngineContext } from './testing/redis-test';

/** The findings for a private redis-server started with `config`. */
async function findingsFor(config: Record<string, string>) {
  const server = await startPrivateRedis(config);
  const client = new Redis(server.url);
  try {
    return await checkRedisDurability(client, 'test-redis');
  } finally {
    client.disconnect();
    await server.remove();
  }
}

describe('the durability check at start', () => {
  it('warns that a Redis keeping nothing on disk loses the queue on restart', async () => {
    const findings = await findingsFor({});
    expect(findings).toEqual([expect.objectContaining({ level: 'warn', message: expect.stringMatching(/keeps nothing on disk.*appendonly yes/) })]);
  });

  it('says nothing alarming for appendonly yes, appendfsync always, maxmemory-policy noeviction', async () => {
    expect(await findingsFor({ appendonly: 'yes', appendfsync: 'always', 'maxmemory-policy': 'noeviction' })).toEqual([]);
  });

  it('warns about eviction, and tells what appendfsync everysec guarantees', async () => {
    const findings = await findingsFor({ appendonly: 'yes', appendfsync: 'everysec', 'maxmemory-policy': 'allkeys-lru' });
    expect(findings).toEqual([
      { level: 'warn', message: expect.stringMatching(/evicts keys.*allkeys-lru.*noeviction/) },
      { level: 'info', message: expect.stringMatching(/everysec.*1 s/) },
    ]);
  });

  it('falls back to INFO when CONFIG is disabled, and says so', async () => {
    const findings = await findingsFor({ 'rename-command': 'CONFIG ""', 'maxmemory-policy': 'volatile-lru' });
    expect(findings.map((f) => f.level)).toEqual(['info', 'warn', 'warn']);
    expect(findings[0]!.message).toMatch(/could not read.*CONFIG GET/);
    expect(findings[1]!.message).toMatch(/volatile-lru/);
    expect(findings[2]!.message).toMatch(/keeps nothing on disk/);
  });

  it('the engine logs the findings through the app\'s logger when it opens', async () => {
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn: (m) => void warnings.push(m), error() {} };
    const server: PrivateRedis = await startPrivateRedis();
    try {
      const engine = await bullmqQueue({ connection: server.url }).open(standaloneEngineContext(logger));
      await within(engine.close?.() ?? Promise.resolve(), 20_000, () => 'the engine\'s close()');
      expect(warnings).toEqual([expect.stringContaining(`Redis at redis://127.0.0.1:${server.port} keeps nothing on disk`)]);
    } finally {
      await server.remove();
    }
  });
});
