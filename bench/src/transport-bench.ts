/**
 * The transports side by side (issue 17's lean transport): hookwork end to end with the undici
 * transport, on the in-memory and the SQLite store, next to the axios transport on the same
 * stores and a raw `node:http` keep-alive POST loop — no durability, no signing, no log: the
 * limit of what this machine can send. Runs alternate and the best of each is kept, as the rest
 * of run.ts does; CPU µs per delivery is this process's.
 */
import http from 'node:http';
import { createHookwork, type Composer, type StorageBackend, type TransportName } from '@hookwork/core';
import { now } from './clock';

/** The receiver child of run.ts, as this bench uses it. */
export interface BenchReceiver {
  readonly url: string;
  reset(): Promise<unknown>;
  stats(): Promise<{ count: number }>;
}

/** One measured run: deliveries per second and this process's CPU per delivery. */
export interface TransportRun {
  rps: number;
  cpuUs: number;
}

const TITLE = 'A benchmark event with a body of a realistic size: '.padEnd(120, '.');
const CONCURRENCY = 64;

/** A raw `node:http` POST over a keep-alive agent of 64 sockets, the response drained: the least a sender can do. */
export function rawHttpPoster(): { post(url: string, body: Buffer): Promise<void>; close(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY, maxFreeSockets: CONCURRENCY });
  const post = (url: string, body: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const target = new URL(url);
      const request = http.request(
        { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } },
        (response) => {
          response.resume();
          response.on('end', resolve).on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  return { post, close: () => agent.destroy() };
}

/**
 * The raw `node:http` loop: 64 workers POSTing over a keep-alive agent with 64 sockets, the
 * response drained, nothing else — what a sender without durability, signing or logging costs.
 */
export async function rawHttpLoop(receiver: BenchReceiver, requests: number): Promise<TransportRun> {
  const { post: postTo, close } = rawHttpPoster();
  const post = (body: Buffer) => postTo(receiver.url, body);
  const run = async (n: number) => {
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const i = next++;
        await post(Buffer.from(JSON.stringify({ event: 'bench.happened', i, sentAt: now(), title: TITLE })));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  };
  try {
    await run(2000);
    await receiver.reset();
    const t0 = now();
    const cpu0 = process.cpuUsage();
    await run(requests);
    const seconds = (now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const { count } = await receiver.stats();
    if (count !== requests) throw new Error(`raw node:http loop: receiver counted ${count} of ${requests}`);
    return { rps: requests / seconds, cpuUs: (cpu.user + cpu.system) / requests };
  } finally {
    close();
  }
}

/** What an end-to-end run with a given transport needs from run.ts. */
export interface TransportE2eOptions {
  composer: Composer;
  notify: (i: number) => object;
  transport: TransportName;
  events: number;
  storage?: () => StorageBackend;
  /** Concurrent publishers, each awaiting its publish before the next (1 unless given). */
  publishers?: number;
}

/** End to end with one webhook, signing and logging on, concurrency 64, through `transport`. */
export async function transportEndToEnd(receiver: BenchReceiver, options: TransportE2eOptions): Promise<TransportRun> {
  const app = createHookwork({
    composers: [options.composer],
    transport: options.transport,
    ...(options.storage ? { storage: options.storage() } : {}),
    settings: { concurrency: { global: CONCURRENCY, perWebhook: CONCURRENCY }, ssrf: { allowInternal: false, allow: ['127.0.0.1'] } },
  });
  await app.start();
  try {
    await app.webhooks.create({ url: receiver.url, events: ['bench.happened'], secret: true });
    for (let i = 0; i < 2000; i++) await app.publish(options.notify(i));
    await app.drain({ timeoutMs: 120_000 });
    await receiver.reset();
    const t0 = now();
    const cpu0 = process.cpuUsage();
    let next = 0;
    const publisher = async () => {
      while (next < options.events) await app.publish(options.notify(next++));
    };
    await Promise.all(Array.from({ length: options.publishers ?? 1 }, publisher));
    await app.drain({ timeoutMs: 300_000 });
    const seconds = (now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const { count } = await receiver.stats();
    if (count !== options.events) throw new Error(`end to end (${options.transport}): receiver counted ${count} of ${options.events}`);
    return { rps: options.events / seconds, cpuUs: (cpu.user + cpu.system) / options.events };
  } finally {
    await app.stop();
  }
}

/** The figures of {@link transportBench}, best of the rounds. */
export interface TransportBenchResult {
  raw: TransportRun;
  memory: Record<TransportName, TransportRun>;
  sqlite: Record<TransportName, TransportRun>;
  /** SQLite with undici and {@link SQLITE_PUBLISHERS} concurrent publishers (their publishes share commits). */
  sqliteUndiciPublishers: TransportRun;
}

/** The concurrent publishers of the transport bench's many-publisher SQLite run, as in the peer section. */
export const SQLITE_PUBLISHERS = 16;

/**
 * Raw loop, then memory and SQLite with each transport, `rounds` times alternating; the best
 * rate of each (and the lowest CPU per delivery) is kept.
 */
export async function transportBench(
  receiver: BenchReceiver,
  options: { composer: Composer; notify: (i: number) => object; rounds: number; rawRequests: number; memoryEvents: number; sqliteEvents: number; sqliteFile: () => StorageBackend },
): Promise<TransportBenchResult> {
  const best = (a: TransportRun | undefined, b: TransportRun): TransportRun => (a ? { rps: Math.max(a.rps, b.rps), cpuUs: Math.min(a.cpuUs, b.cpuUs) } : b);
  let raw: TransportRun | undefined;
  const memory: Partial<Record<TransportName, TransportRun>> = {};
  const sqlite: Partial<Record<TransportName, TransportRun>> = {};
  let sqliteUndiciPublishers: TransportRun | undefined;
  for (let r = 0; r < options.rounds; r++) {
    raw = best(raw, await rawHttpLoop(receiver, options.rawRequests));
    for (const transport of ['undici', 'axios'] as const) {
      memory[transport] = best(memory[transport], await transportEndToEnd(receiver, { composer: options.composer, notify: options.notify, transport, events: options.memoryEvents }));
      sqlite[transport] = best(sqlite[transport], await transportEndToEnd(receiver, { composer: options.composer, notify: options.notify, transport, events: options.sqliteEvents, storage: options.sqliteFile }));
    }
    const publishers = { composer: options.composer, notify: options.notify, transport: 'undici' as const, events: options.sqliteEvents, storage: options.sqliteFile, publishers: SQLITE_PUBLISHERS };
    sqliteUndiciPublishers = best(sqliteUndiciPublishers, await transportEndToEnd(receiver, publishers));
  }
  return { raw: raw!, memory: memory as Record<TransportName, TransportRun>, sqlite: sqlite as Record<TransportName, TransportRun>, sqliteUndiciPublishers: sqliteUndiciPublishers! };
}
