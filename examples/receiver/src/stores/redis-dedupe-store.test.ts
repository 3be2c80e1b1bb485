import { Redis } from 'ioredis';
import { describeDedupeStoreContract } from '@hookwork/receiver/testing';
import { redisDedupeStore } from './redis-dedupe-store';

// Against the real Redis at 127.0.0.1:6379; each test uses its own key prefix and deletes its keys.
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let sequence = 0;

describeDedupeStoreContract('redis', async () => {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const prefix = `hookwork-receiver-test:${process.pid}:${Date.now()}:${++sequence}:`;
  return {
    store: redisDedupeStore(redis, prefix),
    close: async () => {
      // SCAN rather than KEYS: this Redis is shared, and KEYS would block it.
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await redis.quit();
    },
  };
});
