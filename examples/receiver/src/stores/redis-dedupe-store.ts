import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ReceiverError, type DedupeClaim, type DedupeStore } from '@hookwork/receiver';

// One key per webhook-id: "processing:<token>" with the lease as its TTL, then "done" with the
// retention as its TTL. Redis expires keys itself, so nothing needs cleaning up. Each operation is
// one Lua script, which Redis runs atomically: two workers can't both claim one id, and a worker
// whose lease ran out can't end the claim another worker has taken since.
const CLAIM = `
if redis.call('SET', KEYS[1], 'processing:' .. ARGV[1], 'NX', 'PX', ARGV[2]) then return 'claimed' end
if redis.call('GET', KEYS[1]) == 'done' then return 'done' end
return 'in-progress'`;
const COMPLETE = `
if redis.call('GET', KEYS[1]) ~= 'processing:' .. ARGV[1] then return 0 end
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
return 1`;
const RELEASE = `
if redis.call('GET', KEYS[1]) ~= 'processing:' .. ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`;

/**
 * A {@link DedupeStore} on Redis (ioredis), shared by every worker that uses the same Redis and
 * `prefix`. Keys are `<prefix><webhook-id>`.
 *
 * Give it a client that fails fast when Redis is down —
 * `new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false })`. With ioredis's
 * defaults a command waits in the offline queue through 20 reconnection attempts: the receiver's
 * answer (503 with Retry-After, so the sender backs off) comes after about 10 seconds, close to a sender's timeout
 * (hookwork's is 15 s), and every request meanwhile holds a connection open. (The receiver stops
 * waiting after its `dedupe.timeoutMs`, 5 s by default, whatever the client does.)
 *
 * A command that fails while the client is not connected (its `status` is not `ready`: Redis down,
 * restarting, the connection lost) is thrown as RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE, answered 503
 * with Retry-After: ioredis gives most of these failures no code and no class of their own, and
 * its connection state says what its messages only suggest.
 */
export function redisDedupeStore(redis: Redis, prefix = 'webhook-id:'): DedupeStore {
  const run = async (operation: string, script: string, id: string, ...args: (string | number)[]): Promise<unknown> => {
    try {
      return await redis.eval(script, 1, prefix + id, ...args);
    } catch (error) {
      if (redis.status === 'ready') throw error;
      const { host, port } = redis.options;
      throw new ReceiverError('RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE', `could not ${operation} ${id}: Redis at ${host}:${port} is not connected (ioredis status ${redis.status}): ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
  };
  return {
    async claim(id: string, leaseMs: number): Promise<DedupeClaim> {
      const token = randomUUID();
      const status = (await run('claim', CLAIM, id, token, leaseMs)) as 'claimed' | 'done' | 'in-progress';
      return status === 'claimed' ? { status, token } : { status };
    },
    async complete(id: string, token: string, retainMs: number): Promise<void> {
      await run('complete', COMPLETE, id, token, retainMs);
    },
    async release(id: string, token: string): Promise<void> {
      await run('release', RELEASE, id, token);
    },
  };
}
