/**
 * hookwork on BullMQ next to what a user would write instead: a plain BullMQ worker that signs
 * (Standard Webhooks HMAC) and POSTs with axios at concurrency 64. Both run in this process
 * against a redis-server of the bench's own (no persistence, a free port), so Redis's CPU can be
 * read from /proc and nothing else shares it. Also: Redis memory per queued request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { GCProfiler } from 'node:v8';
import axios from 'axios';
import { bullmqQueue } from '@hookwork/bullmq';
import { createHookwork, generateSecret, resolveSettings, silentLogger, systemClock, type Composer, type NewWebhookRequest } from '@hookwork/core';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { now } from './clock';

/** The receiver child of run.ts, as this bench uses it. */
export interface BenchReceiver {
  readonly url: string;
  reset(): Promise<unknown>;
  stats(): Promise<{ count: number }>;
}

/** What one run measured. */
interface RunResult {
  rps: number;
  /** This process's and redis-server's CPU per delivery, µs. */
  cpuUsPerDelivery: number;
  redisCpuUsPerDelivery: number;
  /** Bytes this process allocated on V8's heap per delivery (GCProfiler: each collection's heap before it minus the one after the last). */
  allocBytesPerDelivery: number;
  /** Redis commands per delivery (INFO commandstats of the bench's own redis-server), by command. */
  redisCallsPerDelivery: Record<string, number>;
}

/** Redis's command counts, by command (INFO commandstats). */
async function commandCounts(url: string): Promise<Map<string, number>> {
  const client = new Redis(url);
  try {
    const counts = new Map<string, number>();
    for (const match of (await client.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) counts.set(match[1]!, Number(match[2]));
    return counts;
  } finally {
    client.disconnect();
  }
}

const TITLE = 'A benchmark event with a body of a realistic size: '.padEnd(120, '.');

/** A redis-server of the bench's own. */
export async function startRedis(): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hookwork-bench-redis-'));
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as { port: number };
      server.close(() => resolve(p));
    });
  });
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      break;
    } catch {
      probe.disconnect();
      if (i > 200) throw new Error('redis-server did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** CPU time of a process from /proc, µs. */
export function processCpuUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
  return (ticks * 1_000_000) / 100; // USER_HZ is 100 on Linux
}

async function until(receiver: BenchReceiver, count: number): Promise<void> {
  const deadline = Date.now() + 300_000;
  while ((await receiver.stats()).count < count) {
    if (Date.now() > deadline) throw new Error(`only ${(await receiver.stats()).count} of ${count} arrived`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs `publish(i)` for `events` events after a warm-up and measures until all arrived. */
async function measure(side: string, receiver: BenchReceiver, redis: { url: string; pid: number }, events: number, publish: (i: number) => Promise<unknown>): Promise<RunResult> {
  for (let i = 0; i < 1000; i++) await publish(i);
  await until(receiver, 1000);
  await receiver.reset();
  const commands0 = await commandCounts(redis.url);
  const gc = new GCProfiler();
  gc.start();
  const t0 = now();
  const cpu0 = process.cpuUsage();
  const redis0 = processCpuUs(redis.pid);
  for (let i = 0; i < events; i++) await publish(i);
  await until(receiver, events);
  const seconds = (now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const redisUs = processCpuUs(redis.pid) - redis0;
  const collections = gc.stop().statistics;
  const commands = await commandCounts(redis.url);
  // Allocated = what each collection found on the heap minus what the previous one left, plus the growth since the last.
  let allocated = 0;
  let left: number | undefined;
  for (const { beforeGC, afterGC } of collections) {
    if (left !== undefined) allocated += beforeGC.heapStatistics.usedHeapSize - left;
    left = afterGC.heapStatistics.usedHeapSize;
  }
  const redisCallsPerDelivery: Record<string, number> = {};
  for (const [command, calls] of commands) {
    const delta = calls - (commands0.get(command) ?? 0) - (command === 'info' ? 1 : 0);
    if (delta > 0) redisCallsPerDelivery[command] = Math.round((delta / events) * 100) / 100;
  }
  const result = {
    rps: events / seconds,
    cpuUsPerDelivery: (cpu.user + cpu.system + redisUs) / events,
    redisCpuUsPerDelivery: redisUs / events,
    // Between the first and the last collection (the heap's size at the ends is noise of when they ran).
    allocBytesPerDelivery: collections.length > 1 ? allocated / events : NaN,
    redisCallsPerDelivery,
  };
  console.log(
    `  ${side}: ${result.rps.toFixed(0)}/s, ${result.cpuUsPerDelivery.toFixed(0)} µs CPU per delivery (Redis ${result.redisCpuUsPerDelivery.toFixed(0)}), ` +
      `${(result.allocBytesPerDelivery / 1024).toFixed(1)} KiB allocated per delivery (${collections.length} collections), Redis commands per delivery ${JSON.stringify(redisCallsPerDelivery)}`,
  );
  return result;
}

/** The DIY worker: BullMQ's Queue.add per event, a Worker at concurrency 64 signing and POSTing with axios. */
async function diy(receiver: BenchReceiver, redis: { url: string; pid: number }, events: number): Promise<RunResult> {
  const name = `diy-${randomUUID().slice(0, 8)}`;
  const secret = Buffer.from(generateSecret().slice('whsec_'.length), 'base64');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const client = axios.create({ httpAgent: agent, maxRedirects: 0, proxy: false, timeout: 15_000 });
  const connection = { url: redis.url };
  const queue = new Queue(name, { connection });
  const worker = new Worker(
    name,
    async (job) => {
      const body = JSON.stringify(job.data);
      const timestamp = Math.floor(Date.now() / 1000);
      const signature = createHmac('sha256', secret).update(`${job.id}.${timestamp}.${body}`).digest('base64');
      const response = await client.post(receiver.url, body, {
        headers: { 'content-type': 'application/json', 'webhook-id': job.id!, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` },
        validateStatus: () => true,
      });
      if (response.status < 200 || response.status >= 300) throw new Error(`HTTP ${response.status}`);
    },
    { connection, concurrency: 64 },
  );
  try {
    return await measure('plain worker', receiver, redis, events, (i) =>
      queue.add('bench.happened', { event: 'bench.happened', i, sentAt: now(), title: TITLE }, { jobId: `msg_${randomUUID()}`, attempts: 6, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: true }),
    );
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    agent.destroy();
  }
}

/**
 * hookwork on BullMQ: publish → core's firing, the engine, core's signing, transport and (in-memory) log;
 * with the default (axios) transport, or with `transport: 'undici'`.
 */
async function hookwork(receiver: BenchReceiver, redis: { url: string; pid: number }, events: number, composer: Composer, notify: (i: number) => object, perWebhook: number, transport?: 'undici'): Promise<RunResult> {
  const queueName = `hookwork-${randomUUID().slice(0, 8)}`;
  const app = createHookwork({
    composers: [composer],
    ...(transport ? { transport } : {}),
    queue: bullmqQueue({ connection: redis.url, queueName, checkDurability: false }),
    settings: { concurrency: { global: 64, perWebhook }, ssrf: { allowInternal: false, allow: ['127.0.0.1'] } },
  });
  await app.start();
  try {
    await app.webhooks.create({ url: receiver.url, events: ['bench.happened'], secret: true });
    return await measure(transport ? `hookwork, ${transport}` : 'hookwork', receiver, redis, events, (i) => app.publish(notify(i)));
  } finally {
    await app.stop();
    const cleanup = new Queue(queueName, { connection: { url: redis.url } });
    await cleanup.obliterate({ force: true });
    await cleanup.close();
  }
}

/** Redis memory per queued request: `count` requests of the bench's body size, due in an hour. */
async function memoryPerRequest(redis: { url: string }, count: number): Promise<number> {
  const client = new Redis(redis.url);
  const queueName = `backlog-${randomUUID().slice(0, 8)}`;
  const engine = await bullmqQueue({ connection: redis.url, queueName, checkDurability: false }).open({
    storage: undefined as never,
    storageBackend: undefined as never,
    settings: { current: resolveSettings({}) },
    clock: systemClock,
    logger: silentLogger,
    onError() {},
  });
  try {
    const used = async () => Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);
    const before = await used();
    const due = new Date(Date.now() + 3_600_000);
    for (let i = 0; i < count; i += 1000) {
      const batch: NewWebhookRequest[] = Array.from({ length: Math.min(1000, count - i) }, (_, j) => ({
        id: `msg_${randomUUID()}`,
        webhookKey: 'f0a7c2de-0d5e-4a43-9a36-3c1b7f5e2a91',
        eventAlias: 'bench.happened',
        body: JSON.stringify({ event: 'bench.happened', i: i + j, sentAt: now(), title: TITLE }),
        createdAt: new Date(),
        dueAt: due,
      }));
      await engine.enqueue(batch);
    }
    return ((await used()) - before) / count;
  } finally {
    await engine.close?.();
    const cleanup = new Queue(queueName, { connection: { url: redis.url } });
    await cleanup.obliterate({ force: true });
    await cleanup.close();
    client.disconnect();
  }
}

/** The sides of the BullMQ section: the plain worker, hookwork with its default transport, hookwork with undici. */
export type BullmqBenchSide = 'diy' | 'hookwork' | 'undici';

/**
 * The BullMQ section of the bench: best of `rounds` alternating runs of each side, and the memory
 * figure. hookwork runs at `concurrency.global` 64 and `perWebhook` 64 (the plain worker's 64 at
 * once to the one webhook) unless `perWebhook` says otherwise (16, the default, shows what the
 * lanes' waiting room costs one busy webhook).
 */
export async function bullmqBench(
  receiver: BenchReceiver,
  options: { events: number; rounds: number; backlog: number; composer: Composer; notify: (i: number) => object; only?: BullmqBenchSide; perWebhook?: number },
): Promise<{ diy: RunResult; hookwork: RunResult; undici: RunResult; redisBytesPerRequest: number } | undefined> {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  try {
    redis = await startRedis();
  } catch (error) {
    console.log(`BullMQ runs skipped: could not start redis-server (${(error as Error).message})`);
    return undefined;
  }
  try {
    const perWebhook = options.perWebhook ?? 64;
    const skipped: RunResult = { rps: NaN, cpuUsPerDelivery: NaN, redisCpuUsPerDelivery: NaN, allocBytesPerDelivery: NaN, redisCallsPerDelivery: {} };
    const runs: Record<BullmqBenchSide, () => Promise<RunResult>> = {
      diy: () => diy(receiver, redis, options.events),
      hookwork: () => hookwork(receiver, redis, options.events, options.composer, options.notify, perWebhook),
      undici: () => hookwork(receiver, redis, options.events, options.composer, options.notify, perWebhook, 'undici'),
    };
    const best: Partial<Record<BullmqBenchSide, RunResult>> = {};
    for (let r = 0; r < options.rounds; r++) {
      for (const side of ['diy', 'hookwork', 'undici'] as const) {
        const run = !options.only || options.only === side ? await runs[side]() : skipped;
        if (!best[side] || run.rps > best[side]!.rps) best[side] = run;
      }
    }
    const redisBytesPerRequest = options.only ? NaN : await memoryPerRequest(redis, options.backlog);
    return { diy: best.diy!, hookwork: best.hookwork!, undici: best.undici!, redisBytesPerRequest };
  } finally {
    await redis.stop();
  }
}

/**
 * The do-it-yourself BullMQ peer of run.ts's peer section, started once and driven by the caller:
 * `queue.add()` per event, a Worker at concurrency 64 signing (Standard Webhooks HMAC-SHA256) and
 * POSTing with axios over a keep-alive agent — the same worker as {@link diy}.
 */
export async function startDiyPeer(url: string, redisUrl: string): Promise<{ publish(body: object): Promise<unknown>; close(): Promise<void> }> {
  const name = `peer-${randomUUID().slice(0, 8)}`;
  const secret = Buffer.from(generateSecret().slice('whsec_'.length), 'base64');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const client = axios.create({ httpAgent: agent, maxRedirects: 0, proxy: false, timeout: 15_000 });
  const connection = { url: redisUrl };
  const queue = new Queue(name, { connection });
  const worker = new Worker(
    name,
    async (job) => {
      const body = JSON.stringify(job.data);
      const timestamp = Math.floor(Date.now() / 1000);
      const signature = createHmac('sha256', secret).update(`${job.id}.${timestamp}.${body}`).digest('base64');
      const response = await client.post(url, body, {
        headers: { 'content-type': 'application/json', 'webhook-id': job.id!, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` },
        validateStatus: () => true,
      });
      if (response.status < 200 || response.status >= 300) throw new Error(`HTTP ${response.status}`);
    },
    { connection, concurrency: 64 },
  );
  await worker.waitUntilReady();
  return {
    publish: (body) => queue.add('bench.happened', body, { jobId: `msg_${randomUUID()}`, attempts: 6, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: true }),
    async close() {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      agent.destroy();
    },
  };
}
