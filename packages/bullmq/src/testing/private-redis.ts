import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A redis-server of a test's own, on a free loopback port, its files in a temp folder. */
export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Stops the server with `signal` (SIGKILL: a crash) and waits until it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and folder (an append-only file is replayed). */
  restart(): Promise<void>;
  /** Kills it and removes its folder. */
  remove(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `redis-server` (the binary on the machine) with `config` (directive → value as in
 * redis.conf, e.g. `{ appendonly: 'yes', appendfsync: 'always' }`); it keeps no snapshots
 * unless `save` is given.
 */
export async function startPrivateRedis(config: Record<string, string> = {}): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'hookwork-redis-'));
  const port = await freePort();
  // A config file, so directives such as `rename-command CONFIG ""` are read as written.
  const file = join(dir, 'redis.conf');
  const lines = { port: String(port), bind: '127.0.0.1', dir, save: '""', daemonize: 'no', logfile: join(dir, 'redis.log'), ...config };
  writeFileSync(file, Object.entries(lines).map(([key, value]) => `${key} ${value}`).join('\n') + '\n');
  const args = [file];
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    const spawned = child;
    const failed = new Promise<never>((_, reject) => spawned.once('exit', (code) => reject(new Error(`redis-server exited with ${code} at start; see ${dir}/redis.log`))));
    failed.catch(() => {});
    const deadline = Date.now() + 10_000;
    for (;;) {
      // disconnectTimeout 0: a refused probe's disconnect() would otherwise leave a 2 s timer that
      // keeps a test process alive after its last test.
      const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, disconnectTimeout: 0 });
      probe.on('error', () => {});
      try {
        await Promise.race([probe.connect(), failed]);
        // A server replaying its append-only file answers LOADING until done.
        if ((await probe.ping()) === 'PONG') return;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port} within 10 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        probe.disconnect();
      }
    }
  };
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    kill,
    restart: start,
    async remove() {
      await kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
