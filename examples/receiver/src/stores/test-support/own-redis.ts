import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A redis-server of one test's own (the machine's binary), on a free port of 127.0.0.1, its files in a temp folder. */
export interface OwnRedis {
  readonly port: number;
  /** Stops it (SIGKILL: an outage as abrupt as a crash) and waits for its exit. */
  stop(): Promise<void>;
  /** Stops it and removes its folder. */
  remove(): Promise<void>;
}

/**
 * Starts `redis-server` (with `config`, directive → value as in redis.conf) for a test that pauses or stops it — never the shared Redis on 6379, which
 * other tests (and other helpers' test runs) use meanwhile.
 */
export async function startOwnRedis(config: Record<string, string> = {}): Promise<OwnRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'hookwork-receiver-redis-'));
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    });
  });
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--logfile', join(dir, 'redis.log'), ...Object.entries(config).flatMap(([name, value]) => [`--${name}`, value])], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const probe = new Redis({ port, lazyConnect: true, retryStrategy: () => 20, maxRetriesPerRequest: null });
  probe.on('error', () => {});
  try {
    await Promise.race([probe.ping(), exited.then(() => Promise.reject(new Error(`redis-server on port ${port} exited at start (log: ${dir}/redis.log)`)))]);
  } finally {
    probe.disconnect();
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return { port, stop, remove: async () => (await stop(), rmSync(dir, { recursive: true, force: true })) };
}
