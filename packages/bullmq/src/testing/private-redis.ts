import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A redis-server of a test's own, on a free loopback port, its files in a temp folder. */
export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Stops the server with `signal` (SIGKILL: a crash) and waits until it has exited (SIGKILL after 10 s). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and folder (an append-only file is replayed). */
  restart(): Promise<void>;
  /** Kills it and removes its folder. */
  remove(): Promise<void>;
}

/** How long a start, or an exit after a signal, may take before the helper gives up and says so. */
const WAIT_MS = 10_000;

/**
 * Resolves or rejects as `work` does, or rejects after `ms` with an error saying that `what` did
 * not finish: nothing a test's clean-up awaits may wait for ever (jest's timeout only abandons a
 * hook; what it awaited, and what that holds open, goes on).
 */
export async function within<T>(work: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what()} did not finish within ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** A TCP port free on 127.0.0.1 now (for a server a test starts next). */
export async function freePort(): Promise<number> {
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
 * `redis-server` dies with the process that started it (prctl PR_SET_PDEATHSIG, through
 * util-linux's setpriv, which then execs it: same pid): a test process killed, or one that ends
 * without a test's clean-up having run, leaves no server behind.
 */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));

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
  let child: ChildProcess | undefined;
  const named = (running: ChildProcess | undefined) => `the private redis-server (pid ${running?.pid}, port ${port}, log ${dir}/redis.log)`;
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    try {
      await within(exited, WAIT_MS, () => `${named(running)}'s exit after ${signal}`);
    } catch (error) {
      if (signal === 'SIGKILL') throw error;
      // A server that will not shut down on SIGTERM (a failed save) is crashed instead.
      running.kill('SIGKILL');
      await within(exited, WAIT_MS, () => `${named(running)}'s exit after ${signal} and then SIGKILL`);
      throw error;
    }
  };
  const start = async () => {
    const spawned = SETPRIV ? spawn(SETPRIV, ['--pdeathsig', 'SIGKILL', 'redis-server', file], { stdio: 'ignore' }) : spawn('redis-server', [file], { stdio: 'ignore' });
    child = spawned;
    // Its life is bounded by this process's (the death signal above) and by remove(): the handle
    // need not keep a test process alive whose clean-up was abandoned by a timeout.
    spawned.unref();
    let exit: Error | undefined;
    spawned.once('error', (error) => (exit = new Error(`${named(spawned)} could not be started: ${error.message}`)));
    spawned.once('exit', (code, signal) => (exit ??= new Error(`${named(spawned)} exited with ${code ?? signal} at start (port taken?); see its log`)));
    const deadline = Date.now() + WAIT_MS;
    try {
      for (;;) {
        if (exit) throw exit;
        // disconnectTimeout 0: a refused probe's disconnect() would otherwise leave a 2 s timer that
        // keeps a test process alive after its last test.
        const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, disconnectTimeout: 0, connectTimeout: 1000, commandTimeout: 1000, enableReadyCheck: false });
        probe.on('error', () => {});
        try {
          // A server replaying its append-only file answers LOADING until done. The pid: the port
          // may have been taken meanwhile by another test's server, which would answer as well.
          await within(probe.connect(), 2000, () => `a probe of ${named(spawned)}`);
          // (A server whose ACL denies INFO, as a test may configure, is taken on its PONG.)
          const info = await probe.info('server').catch((error: unknown) => (/NOPERM/.test(String(error)) ? `process_id:${spawned.pid}` : Promise.reject(error)));
          if (new RegExp(`^process_id:${spawned.pid}\\s*$`, 'm').test(info)) {
            // INFO is answered while an append-only file is replayed; PING only after (LOADING before).
            await probe.ping();
            return;
          }
          throw new Error(`port ${port} answered by another redis-server (${/^process_id:(\d+)/m.exec(info)?.[1]}), not ${named(spawned)}`);
        } catch (error) {
          if (exit) throw exit;
          if (Date.now() > deadline) throw new Error(`${named(spawned)} did not answer within ${WAIT_MS} ms (last: ${(error as Error).message})`, { cause: error });
          await new Promise((resolve) => setTimeout(resolve, 50));
        } finally {
          probe.disconnect();
        }
      }
    } catch (error) {
      // A server that is not answered is not left running: nobody would remove it.
      await kill('SIGKILL').catch(() => {});
      throw error;
    }
  };
  try {
    await start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    kill,
    restart: start,
    async remove() {
      try {
        await kill('SIGKILL');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Fills a private Redis started with `maxmemory-policy noeviction`: `maxmemory` is set just above
 * what the server uses and a write goes past it, so the next write of any size is refused (OOM).
 */
export async function fillRedis(admin: Redis): Promise<void> {
  const used = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1]);
  await admin.config('SET', 'maxmemory', String(used + 1000));
  await admin.set('filler', 'x'.repeat(50_000)).catch(() => undefined);
}
