import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startPrivateRedis } from './testing/private-redis';
import { TEST_REDIS_URL, uniquePrefix } from './testing/redis-test';

// A failed start() must leave nothing behind: no client still connected (the process would not
// end) and none whose late error ends the process. Watched in a process of its own, as a host's.
const FIXTURE = join(__dirname, '..', 'dist', 'test-fixtures', 'failed-start.js');
const prefix = uniquePrefix('failed-start');
const { hostname: host, port } = new URL(TEST_REDIS_URL);

function failedStart(...args: string[]): { status: number | null; error: { code?: string; message?: string } | undefined; stderr: string } {
  // Past the timeout the process is killed (status null): it would have stayed up for good.
  const run = spawnSync(process.execPath, [FIXTURE, ...args], { encoding: 'utf8', timeout: 30_000 });
  const line = run.stdout.trim().split('\n').find((l) => l.startsWith('{'));
  return { status: run.status, error: line ? (JSON.parse(line) as { code?: string; message?: string }) : undefined, stderr: run.stderr };
}

describe('a failed start() of the BullMQ queue', () => {
  it('refused by Redis (a database index beyond its `databases`) ends, and the process with it, with no error of its own', () => {
    const run = failedStart('app', JSON.stringify({ host, port: Number(port || 6379), db: 99 }), prefix);
    expect(run.error).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS', message: expect.stringMatching(/refused database 99 \(ERR DB index is out of range\)/) });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('made with a database ioredis reads as NaN, past bullmqQueue()\'s checks, is refused before connecting, and no unhandled SELECT ends the process', () => {
    // ioredis's ready handler sent SELECT NaN (NaN !== NaN) with nobody to catch its failure:
    // "ReplyError: ERR value is not an integer", exit 1, after start() had already failed.
    const run = failedStart('clients', JSON.stringify({ host, port: Number(port || 6379), db: 'one' }), prefix);
    expect(run.error).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS', message: expect.stringMatching(/selects database NaN; the database must be a whole number from 0/) });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  // An ACL can allow every command yet not the queue's keys (~other:*): start() succeeded, and
  // BullMQ's fetches then failed with NOPERM for ever, logged uncoded with a 10 KB Lua script.
  it('by a Redis user whose ACL does not cover the queue\'s keys fails, naming the key pattern to allow', async () => {
    const server = await startPrivateRedis();
    try {
      const admin = new Redis(server.url);
      await admin.call('ACL', 'SETUSER', 'nokeys', 'on', '>pw', '~other:*', '&*', '+@all');
      admin.disconnect();
      const run = failedStart('app', JSON.stringify({ host: '127.0.0.1', port: server.port, username: 'nokeys', password: 'pw' }), prefix);
      expect(run.error).toMatchObject({ code: 'HOOKWORK_ERR_REDIS_UNAVAILABLE', message: expect.stringContaining(`NOPERM`) });
      expect(run.error!.message).toContain(`~${prefix}:*`);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    } finally {
      await server.remove();
    }
  });
});
