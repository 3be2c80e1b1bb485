/**
 * hookwork's benchmark (`npm run bench`): ratios measured in one run, never pass/fail on
 * absolute times. Every figure ends up in one JSON line at the end, so runs can be compared.
 *
 * 1. Baseline: a tuned axios keep-alive POST loop (no redirects, no proxy) at concurrency 64 to
 *    a receiver in a child process.
 * 2. End to end with signing and logging on: publish → delivered, global and per-webhook
 *    concurrency 64; 1 webhook, and 10 webhooks per event; in-memory queue, then SQLite.
 * 3. Latency: publish → receiver arrival at a steady rate, p50/p99, next to a direct axios POST
 *    at the same rate.
 * 4. Publish cost: 10 webhooks vs 10,000 webhooks of which 10 subscribe to the alias.
 * 5. Memory with a backlog of 100,000 pending requests in SQLite (bench/src/backlog-memory.ts).
 * 6. hookwork on BullMQ next to a plain BullMQ worker, and Redis memory per queued request
 *    (bench/src/bullmq-bench.ts; `--only-bullmq` runs this part alone).
 * 7. FIFO: one webhook delivering in publish order, one request at a time, next to the same run
 *    without FIFO (memory, then SQLite) — what ordering costs in throughput.
 * 8. Transports: hookwork with the undici and the axios transport (memory, SQLite) next to a raw
 *    `node:http` keep-alive loop, the machine's limit (bench/src/transport-bench.ts;
 *    `--only-transport` runs this part alone).
 * 9. Peers: a raw `node:http` loop, the tuned axios loop, hookwork (memory; SQLite with 1 and 16
 *    publishers) and a do-it-yourself BullMQ worker with 1 and 16 publishers, CPU µs per delivery
 *    for each, and publish → arrival at 300/s (`--only-peers`); per-webhook limits 8–64 on SQLite
 *    (`--only-per-webhook`).
 * 10. PostgreSQL: end to end, two processes vs one, claim cost at 1,000,000 pending, latency at
 *    300/s, publish in a host transaction (bench/src/postgres-bench.ts; `--only-postgres` alone).
 */
import 'reflect-metadata';
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import axios from 'axios';
import {
  createHookwork,
  WebhookEvent,
  WebhookEventBase,
  WebhookEventTypes,
  pollingQueue,
  RequestQueueToken,
  resolveToken,
  type Composer,
  type Hookwork,
  type QueueEngineProvider,
  type StorageBackend,
} from '@hookwork/core';
import { postgresStorage } from '@hookwork/postgres';
import pg from 'pg';
import { sqliteStorage } from '@hookwork/sqlite';
import Database from 'better-sqlite3';
import { bullmqBench, processCpuUs, startDiyPeer, startRedis, type BullmqBenchSide } from './bullmq-bench';
import { postgresBench } from './postgres-bench';
import { rawHttpPoster, SQLITE_PUBLISHERS, transportBench, transportEndToEnd } from './transport-bench';
import { now, percentile } from './clock';

const TITLE = 'A benchmark event with a body of a realistic size: '.padEnd(120, '.');

class BenchHappened {
  constructor(
    readonly i: number,
    readonly sentAt: number,
  ) {}
}
class OtherHappened {}

@WebhookEvent('Bench Happened', WebhookEventTypes.Other, { alias: 'bench.happened', notification: BenchHappened })
class BenchHappenedEvent extends WebhookEventBase<BenchHappened> {
  override convertNotificationToRequestPayload(n: BenchHappened) {
    return { event: 'bench.happened', i: n.i, sentAt: n.sentAt, title: TITLE };
  }
}

@WebhookEvent('Other Happened', WebhookEventTypes.Other, { alias: 'bench.other', notification: OtherHappened })
class OtherHappenedEvent extends WebhookEventBase<OtherHappened> {}

const benchComposer: Composer = {
  compose(builder) {
    builder.webhookEvents().add(BenchHappenedEvent, OtherHappenedEvent);
  },
};

/** The receiver child process. */
class ChildReceiver {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(): Promise<ChildReceiver> {
    const child = fork(path.join(__dirname, 'receiver-child.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
    return new ChildReceiver(child, `http://127.0.0.1:${port}/hook`);
  }

  private ask<T>(message: object, reply: string): Promise<T> {
    return new Promise((resolve) => {
      const onMessage = (m: { cmd: string }) => {
        if (m.cmd !== reply) return;
        this.child.off('message', onMessage);
        resolve(m as T);
      };
      this.child.on('message', onMessage);
      this.child.send(message);
    });
  }

  reset(latency = false): Promise<unknown> {
    return this.ask({ cmd: 'reset', latency }, 'reset');
  }

  stats(): Promise<{ count: number; latencies: number[] }> {
    return this.ask({ cmd: 'stats' }, 'stats');
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ cmd: 'exit' });
    await exited;
  }
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function tunedAxios() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 });
  // The strongest plain-axios loop we know: the response streamed and drained, not parsed.
  const instance = axios.create({
    httpAgent: agent,
    maxRedirects: 0,
    proxy: false,
    responseType: 'stream',
    transformRequest: [(data: unknown) => data],
    validateStatus: () => true,
  });
  const post = async (url: string, body: Buffer) => {
    const response = await instance.post<NodeJS.ReadableStream>(url, body, { headers: { 'content-type': 'application/json' } });
    response.data.resume();
    await new Promise((resolve, reject) => response.data.on('end', resolve).on('error', reject));
  };
  return { post, close: () => agent.destroy() };
}

const benchBody = (i: number, sentAt: number) => Buffer.from(JSON.stringify({ event: 'bench.happened', i, sentAt, title: TITLE }));

/** Baseline: 64 workers each POSTing in a loop, keep-alive. */
async function baseline(receiver: ChildReceiver, requests: number): Promise<number> {
  const { post, close } = tunedAxios();
  const run = async (n: number) => {
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const i = next++;
        await post(receiver.url, benchBody(i, now()));
      }
    };
    await Promise.all(Array.from({ length: 64 }, worker));
  };
  await run(2000);
  await receiver.reset();
  const t0 = now();
  await run(requests);
  const seconds = (now() - t0) / 1000;
  const { count } = await receiver.stats();
  if (count !== requests) throw new Error(`baseline: receiver counted ${count} of ${requests}`);
  close();
  return requests / seconds;
}

/** The per-webhook limit of the runs that do not say otherwise: the baseline's concurrency. */
const BENCH_PER_WEBHOOK = 64;
/** The default `concurrency.perWebhook`: one webhook at this limit is the quickstart's case. */
const DEFAULT_PER_WEBHOOK = 16;

async function newApp(storage?: StorageBackend, perWebhook = BENCH_PER_WEBHOOK, queue?: QueueEngineProvider, transport?: 'axios' | 'undici'): Promise<Hookwork> {
  const app = createHookwork({
    composers: [benchComposer],
    ...(storage ? { storage } : {}),
    ...(queue ? { queue } : {}),
    ...(transport ? { transport } : {}),
    settings: { concurrency: { global: 64, perWebhook }, ssrf: { allowInternal: false, allow: ['127.0.0.1'] } },
  });
  await app.start();
  return app;
}

/** Drops the benchmark's own PostgreSQL schema. */
async function dropSchema(connectionString: string, schema: string): Promise<void> {
  const pool = new pg.Pool({ connectionString, max: 1 });
  try {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await pool.end();
  }
}

/** CPU time of this process per delivery in the last end-to-end run, µs: less disturbed by other work on the machine than the rate. */
let lastCpuUsPerDelivery = NaN;

/** End to end: publish `events` notifications, each to `webhooks` webhooks, until all are delivered. */
async function endToEnd(
  receiver: ChildReceiver,
  options: { webhooks: number; events: number; storage?: () => StorageBackend; perWebhook?: number; fifo?: boolean; publishers?: number; transport?: 'axios' | 'undici' },
): Promise<number> {
  const app = await newApp(options.storage?.(), options.perWebhook, undefined, options.transport);
  try {
    for (let w = 0; w < options.webhooks; w++) await app.webhooks.create({ url: receiver.url, events: ['bench.happened'], secret: true, ...(options.fifo ? { fifo: true } : {}) });
    // Warm up (JIT, sockets); a FIFO line goes one request at a time, so a shorter warm-up does.
    for (let i = 0; i < (options.fifo ? 300 : 2000); i++) await app.publish(new BenchHappened(i, now()));
    await app.drain({ timeoutMs: 120_000 });
    await receiver.reset();
    const t0 = now();
    const cpu0 = process.cpuUsage();
    // `publishers` loops, each awaiting its publish before the next (one by default).
    let next = 0;
    const publisher = async () => {
      while (next < options.events) await app.publish(new BenchHappened(next++, now()));
    };
    await Promise.all(Array.from({ length: options.publishers ?? 1 }, publisher));
    await app.drain({ timeoutMs: 300_000 });
    const seconds = (now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const deliveries = options.events * options.webhooks;
    lastCpuUsPerDelivery = (cpu.user + cpu.system) / deliveries;
    const { count } = await receiver.stats();
    if (count !== deliveries) throw new Error(`end to end: receiver counted ${count} of ${deliveries}`);
    return deliveries / seconds;
  } finally {
    await app.stop();
  }
}

/** Calls `fire(i)` at a steady `rate` per second for `seconds`, catching up when a tick is late. */
async function steady(rate: number, seconds: number, fire: (i: number) => void): Promise<void> {
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const t0 = now();
  let i = 0;
  while (i < total) {
    const elapsed = now() - t0;
    while (i < total && i * interval <= elapsed) fire(i++);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/**
 * publish → arrival at a steady `rate` for hookwork on `storage` (memory when absent) and for a
 * direct axios POST, in `rounds` alternating rounds: p50 and p99 are the medians of the rounds
 * (one round's p99 is its few slowest events, which one stall of the machine moves by ms).
 */
async function latency(
  receiver: ChildReceiver,
  rate: number,
  seconds: number,
  storage?: () => StorageBackend,
  rounds = 3,
): Promise<{ hookwork: { p50: number; p99: number; p99s: number[] }; direct: { p50: number; p99: number; p99s: number[] } }> {
  const hookworkRound = async () => {
    const app = await newApp(storage?.());
    try {
      await app.webhooks.create({ url: receiver.url, events: ['bench.happened'], secret: true });
      await steady(rate, 1, (i) => void app.publish(new BenchHappened(i, now())));
      await app.drain({ timeoutMs: 60_000 });
      await receiver.reset(true);
      await steady(rate, seconds, (i) => void app.publish(new BenchHappened(i, now())));
      await app.drain({ timeoutMs: 60_000 });
      return (await receiver.stats()).latencies;
    } finally {
      await app.stop();
    }
  };
  const directRound = async () => {
    const { post, close } = tunedAxios();
    const inFlight = new Set<Promise<unknown>>();
    const send = (i: number) => {
      const p = post(receiver.url, benchBody(i, now())).finally(() => inFlight.delete(p));
      inFlight.add(p);
    };
    await steady(rate, 1, send);
    await Promise.all(inFlight);
    await receiver.reset(true);
    await steady(rate, seconds, send);
    await Promise.all(inFlight);
    const latencies = (await receiver.stats()).latencies;
    close();
    return latencies;
  };
  const runs = { hookwork: [] as number[][], direct: [] as number[][] };
  for (let r = 0; r < rounds; r++) {
    runs.hookwork.push(await hookworkRound());
    runs.direct.push(await directRound());
  }
  const figure = (of: number[][]) => {
    const p99s = of.map((l) => round(percentile(l, 99)));
    return { p50: round(percentile(of.map((l) => percentile(l, 50)), 50)), p99: round(percentile(p99s, 50)), p99s };
  };
  return { hookwork: figure(runs.hookwork), direct: figure(runs.direct) };
}

/**
 * The built-in queue engine with delivery never started: publish cost is measured alone. Since
 * publish() lets the event loop turn every few ms, a live dispatcher would deliver during the
 * measured loop and its work would count as publishing (before, it ran only after the loop).
 */
function parkedQueue(): QueueEngineProvider {
  const polling = pollingQueue();
  return {
    name: 'parked',
    async open(context) {
      const engine = await polling.open(context);
      engine.start = () => undefined;
      return engine;
    },
  };
}

/**
 * Empties a parked app's queue through the store, as delivery would without the HTTP: each
 * measured round starts from an empty queue, as it did when rounds were drained.
 */
async function emptyQueue(app: Hookwork): Promise<void> {
  const queue = resolveToken(app.container, RequestQueueToken);
  for (;;) {
    const claimed = await queue.claim({ owner: 'bench', limit: 1000, leaseMs: 60_000, now: new Date() });
    if (claimed.length === 0) return;
    const ids = claimed.map((r) => r.id);
    if (queue.completeMany) await queue.completeMany(ids, 'bench');
    else for (const id of ids) await queue.complete(id, 'bench');
  }
}

/** The cost of one publish(), µs: wall time, and this process's CPU time (steadier when other work shares the machine). */
interface PublishCost {
  us: number;
  cpuUs: number;
}

/** µs per publish() (each enqueuing 10 requests) with `total` webhooks of which 10 subscribe, delivery parked. */
async function publishCost(receiver: ChildReceiver, total: number, publishes: number, storage?: StorageBackend): Promise<PublishCost> {
  const app = await newApp(storage, BENCH_PER_WEBHOOK, parkedQueue());
  try {
    for (let w = 0; w < total; w++) {
      await app.webhooks.create({ url: receiver.url, events: [w < 10 ? 'bench.happened' : 'bench.other'] });
    }
    const measure = async (): Promise<PublishCost> => {
      const t0 = now();
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < publishes; i++) await app.publish(new BenchHappened(i, now()));
      const cpu = process.cpuUsage(cpu0);
      const cost = { us: ((now() - t0) * 1000) / publishes, cpuUs: (cpu.user + cpu.system) / publishes };
      await emptyQueue(app);
      return cost;
    };
    await measure();
    // The best of three rounds: the lookup's cost, not the garbage collector's timing.
    const rounds = [await measure(), await measure(), await measure()];
    return { us: Math.min(...rounds.map((r) => r.us)), cpuUs: Math.min(...rounds.map((r) => r.cpuUs)) };
  } finally {
    await app.stop();
  }
}

/** Section 6, printed; its figures for the JSON line. */
async function bullmqSection(receiver: ChildReceiver, quick: boolean, only?: BullmqBenchSide, perWebhook?: number): Promise<Record<string, number>> {
  const result = await bullmqBench(receiver, { events: quick ? 4_000 : 20_000, rounds: quick ? 1 : 3, backlog: quick ? 20_000 : 100_000, composer: benchComposer, notify: (i) => new BenchHappened(i, now()), ...(only ? { only } : {}), ...(perWebhook ? { perWebhook } : {}) });
  if (!result) return {};
  const { diy, hookwork, undici, redisBytesPerRequest } = result;
  const ratio = hookwork.rps / diy.rps;
  console.log(`plain BullMQ worker (axios, c=64), 1 webhook:  ${diy.rps.toFixed(0)} deliveries/s, ${diy.cpuUsPerDelivery.toFixed(0)} µs CPU per delivery (Redis ${diy.redisCpuUsPerDelivery.toFixed(0)})`);
  console.log(
    `end to end, BullMQ queue, 1 webhook:           ${hookwork.rps.toFixed(0)} deliveries/s, ${hookwork.cpuUsPerDelivery.toFixed(0)} µs CPU per delivery (Redis ${hookwork.redisCpuUsPerDelivery.toFixed(0)})  (${ratio.toFixed(2)} × the plain worker; target ≥ 1.0, CPU no higher)`,
  );
  console.log(
    `  the same with transport: 'undici':            ${undici.rps.toFixed(0)} deliveries/s, ${undici.cpuUsPerDelivery.toFixed(0)} µs CPU per delivery (Redis ${undici.redisCpuUsPerDelivery.toFixed(0)})  (${(undici.rps / diy.rps).toFixed(2)} × the plain worker)`,
  );
  console.log(`Redis memory per queued request (BullMQ job):  ${Math.round(redisBytesPerRequest)} bytes`);
  return {
    bullmqRps: round(hookwork.rps, 0),
    bullmqDiyRps: round(diy.rps, 0),
    bullmqVsDiyRatio: round(ratio),
    bullmqCpuUsPerDelivery: round(hookwork.cpuUsPerDelivery, 0),
    bullmqDiyCpuUsPerDelivery: round(diy.cpuUsPerDelivery, 0),
    bullmqCpuRatio: round(hookwork.cpuUsPerDelivery / diy.cpuUsPerDelivery),
    bullmqUndiciRps: round(undici.rps, 0),
    bullmqUndiciVsDiyRatio: round(undici.rps / diy.rps),
    bullmqUndiciCpuUsPerDelivery: round(undici.cpuUsPerDelivery, 0),
    bullmqUndiciCpuRatio: round(undici.cpuUsPerDelivery / diy.cpuUsPerDelivery),
    bullmqRedisBytesPerRequest: Math.round(redisBytesPerRequest),
  };
}

/** Section 8, printed; its figures for the JSON line. */
async function transportSection(receiver: ChildReceiver, quick: boolean, sqliteFile: () => StorageBackend): Promise<Record<string, number>> {
  const { raw, memory, sqlite, sqliteUndiciPublishers } = await transportBench(receiver, {
    composer: benchComposer,
    notify: (i) => new BenchHappened(i, now()),
    rounds: quick ? 1 : 3,
    rawRequests: quick ? 4_000 : 20_000,
    memoryEvents: quick ? 4_000 : 20_000,
    sqliteEvents: quick ? 1_000 : 5_000,
    sqliteFile,
  });
  const line = (what: string, run: { rps: number; cpuUs: number }) =>
    console.log(`${what.padEnd(46)} ${run.rps.toFixed(0)} deliveries/s  (${(run.rps / raw.rps).toFixed(2)} × raw node:http), ${run.cpuUs.toFixed(0)} µs CPU per delivery`);
  console.log(`raw node:http keep-alive POST loop, c=64:       ${raw.rps.toFixed(0)} req/s, ${raw.cpuUs.toFixed(0)} µs CPU per request`);
  line('end to end, memory queue, undici transport:', memory.undici);
  line('end to end, memory queue, axios transport:', memory.axios);
  line('end to end, SQLite queue, undici transport:', sqlite.undici);
  line(`  … with ${SQLITE_PUBLISHERS} concurrent publishers:`, sqliteUndiciPublishers);
  console.log('  (target: SQLite with undici ≥ 0.50 × raw node:http)');
  line('end to end, SQLite queue, axios transport:', sqlite.axios);
  return {
    rawHttpRps: round(raw.rps, 0),
    rawHttpCpuUs: round(raw.cpuUs, 0),
    undiciMemoryRps: round(memory.undici.rps, 0),
    undiciMemoryToRawRatio: round(memory.undici.rps / raw.rps),
    undiciMemoryCpuUs: round(memory.undici.cpuUs, 0),
    axiosMemoryRps: round(memory.axios.rps, 0),
    axiosMemoryCpuUs: round(memory.axios.cpuUs, 0),
    undiciSqliteRps: round(sqlite.undici.rps, 0),
    undiciSqliteToRawRatio: round(sqlite.undici.rps / raw.rps),
    undiciSqliteCpuUs: round(sqlite.undici.cpuUs, 0),
    undiciSqlitePublishersRps: round(sqliteUndiciPublishers.rps, 0),
    undiciSqlitePublishersToRawRatio: round(sqliteUndiciPublishers.rps / raw.rps),
    undiciSqlitePublishersCpuUs: round(sqliteUndiciPublishers.cpuUs, 0),
    axiosSqliteRps: round(sqlite.axios.rps, 0),
    axiosSqliteToRawRatio: round(sqlite.axios.rps / raw.rps),
    axiosSqliteCpuUs: round(sqlite.axios.cpuUs, 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Peers (issue 17): hookwork next to what a user would write instead, measured in one run.
// ---------------------------------------------------------------------------------------------

/** A sender's figures: deliveries per second, and CPU per delivery of this process plus its store server's, µs. */
interface SenderFigure {
  rps: number;
  cpuUs: number;
}

const cpuUsNow = () => {
  const cpu = process.cpuUsage();
  return cpu.user + cpu.system;
};

/** `loops` loops share calls `send(0 … count-1)`; each loop awaits one call before starting the next. */
async function loops(count: number, concurrency: number, send: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await send(next++);
    }),
  );
}

async function receiverCounted(receiver: ChildReceiver, count: number): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const { count: got } = await receiver.stats();
    if (got >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${got} of ${count} arrived`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Measures one sender: a warm-up, then `events` sends from `publishers` concurrent loops, until
 * `done()` says all were delivered. CPU is this process's plus `serverPid`'s (redis-server).
 */
async function measureSender(receiver: ChildReceiver, events: number, publishers: number, send: (i: number) => Promise<unknown>, done: (count: number) => Promise<void>, serverPid?: number): Promise<SenderFigure> {
  await receiver.reset();
  await loops(1000, publishers, send);
  await done(1000);
  await receiver.reset();
  const t0 = now();
  const cpu0 = cpuUsNow() + (serverPid ? processCpuUs(serverPid) : 0);
  await loops(events, publishers, send);
  await done(events);
  const seconds = (now() - t0) / 1000;
  const cpu = cpuUsNow() + (serverPid ? processCpuUs(serverPid) : 0) - cpu0;
  const { count } = await receiver.stats();
  if (count !== events) throw new Error(`receiver counted ${count} of ${events}`);
  return { rps: events / seconds, cpuUs: cpu / events };
}

/** A direct loop at concurrency 64 (no durability): the raw `node:http` limit or the tuned axios loop. */
async function directLoop(receiver: ChildReceiver, events: number, kind: 'raw' | 'axios'): Promise<SenderFigure> {
  const { post, close } = kind === 'raw' ? rawHttpPoster() : tunedAxios();
  try {
    return await measureSender(receiver, events, 64, (i) => post(receiver.url, benchBody(i, now())), (n) => receiverCounted(receiver, n));
  } finally {
    close();
  }
}

/**
 * The floor of a durable SQLite sender, with no hookwork at all: each send INSERTs its event (a
 * WAL file with `synchronous = NORMAL`, as hookwork's SQLite store) and returns, as a resolved
 * `publish()` does; the event is POSTed at once (at most 64 in flight, the rest waiting in
 * order) and DELETEd when its response has arrived, the deletes of one event-loop turn in one
 * transaction. No claim, no lease, no signing, no log: what storing each event before sending
 * it costs in the least code, with the tuned axios POST or the raw `node:http` one.
 */
async function sqliteFloorSender(receiver: ChildReceiver, events: number, file: string, kind: 'axios' | 'raw'): Promise<SenderFigure> {
  const { post, close } = kind === 'raw' ? rawHttpPoster() : tunedAxios();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE requests (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, body BLOB NOT NULL, due_at INTEGER NOT NULL)');
  const insert = db.prepare('INSERT INTO requests (id, body, due_at) VALUES (?, ?, ?)');
  const remove = db.prepare('DELETE FROM requests WHERE id = ?');
  const removeAll = db.transaction((ids: string[]) => {
    for (const id of ids) remove.run(id);
  });
  let done: string[] = [];
  const flush = () => {
    const ids = done;
    done = [];
    removeAll(ids);
  };
  const waiting: { id: string; body: Buffer }[] = [];
  let inFlight = 0;
  let sequence = 0;
  const start = (item: { id: string; body: Buffer }) => {
    inFlight++;
    void post(receiver.url, item.body).then(() => {
      inFlight--;
      if (done.length === 0) setImmediate(flush);
      done.push(item.id);
      const next = waiting.shift();
      if (next) start(next);
    });
  };
  try {
    return await measureSender(
      receiver,
      events,
      1,
      async (i) => {
        const item = { id: `floor_${sequence++}`, body: benchBody(i, now()) };
        insert.run(item.id, item.body, Date.now());
        if (inFlight < 64) start(item);
        else waiting.push(item);
      },
      async (n) => {
        await receiverCounted(receiver, n);
        while (inFlight > 0 || done.length > 0) await new Promise((resolve) => setTimeout(resolve, 1));
      },
    );
  } finally {
    db.close();
    close();
  }
}

/** hookwork with its default settings (only the SSRF guard told that the loopback receiver is fine), one webhook, signing and the log on. */
async function defaultApp(receiver: ChildReceiver, storage?: StorageBackend, perWebhook?: number): Promise<Hookwork> {
  const app = createHookwork({
    composers: [benchComposer],
    ...(storage ? { storage } : {}),
    settings: { ...(perWebhook ? { concurrency: { perWebhook } } : {}), ssrf: { allowInternal: false, allow: ['127.0.0.1'] } },
  });
  await app.start();
  await app.webhooks.create({ url: receiver.url, events: ['bench.happened'], secret: true });
  return app;
}

async function hookworkSender(receiver: ChildReceiver, events: number, publishers: number, storage?: StorageBackend, perWebhook?: number): Promise<SenderFigure> {
  const app = await defaultApp(receiver, storage, perWebhook);
  try {
    return await measureSender(
      receiver,
      events,
      publishers,
      (i) => app.publish(new BenchHappened(i, now())),
      async (n) => {
        await app.drain({ timeoutMs: 300_000 });
        await receiverCounted(receiver, n);
      },
    );
  } finally {
    await app.stop();
  }
}

async function bullmqPeerSender(receiver: ChildReceiver, redis: { url: string; pid: number }, events: number, publishers: number): Promise<SenderFigure> {
  const peer = await startDiyPeer(receiver.url, redis.url);
  try {
    return await measureSender(receiver, events, publishers, (i) => peer.publish({ event: 'bench.happened', i, sentAt: now(), title: TITLE }), (n) => receiverCounted(receiver, n), redis.pid);
  } finally {
    await peer.close();
  }
}

/** publish → arrival at a steady `rate`: p50/p99 of `send`, after a 1 s warm-up at the same rate. */
async function steadyLatency(receiver: ChildReceiver, rate: number, seconds: number, send: (i: number) => Promise<unknown>, settle: () => Promise<void>): Promise<{ p50: number; p99: number }> {
  const inFlight = new Set<Promise<unknown>>();
  let fired = 0;
  const fire = (i: number) => {
    fired++;
    const p = send(i).finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  await receiver.reset();
  await steady(rate, 1, fire);
  await Promise.all(inFlight);
  await settle();
  await receiverCounted(receiver, fired);
  await receiver.reset(true);
  fired = 0;
  await steady(rate, seconds, fire);
  await Promise.all(inFlight);
  await settle();
  await receiverCounted(receiver, fired);
  const { latencies } = await receiver.stats();
  if (latencies.length !== Math.round(rate * seconds)) throw new Error(`latency: ${latencies.length} of ${Math.round(rate * seconds)} arrived`);
  return { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)) };
}

/** The peer section: every sender measured side by side, best of `rounds` alternating rounds; ratios against the baselines of this run. */
async function peerSection(receiver: ChildReceiver, tmp: string, options: { events: number; rounds: number; latencyRate: number; latencySeconds: number; latencyOnly?: boolean }): Promise<Record<string, number>> {
  let file = 0;
  const sqliteFile = () => sqliteStorage({ file: path.join(tmp, `peer-${file++}.db`) });
  let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
  try {
    redis = await startRedis();
  } catch (error) {
    console.log(`BullMQ peer skipped: could not start redis-server (${(error as Error).message})`);
  }
  const { events } = options;
  const cases: [string, string, () => Promise<SenderFigure>][] = [
    ['raw', 'raw node:http keep-alive loop, c=64 (the limit)', () => directLoop(receiver, events, 'raw')],
    ['axios', 'tuned axios loop, c=64 (no durability)', () => directLoop(receiver, events, 'axios')],
    ['memory', 'hookwork, in-memory store, default settings', () => hookworkSender(receiver, events, 1)],
    ['sqlite', 'hookwork, SQLite, default settings', () => hookworkSender(receiver, events, 1, sqliteFile())],
    ['sqlite16', 'hookwork, SQLite, default settings, 16 publishers', () => hookworkSender(receiver, events, 16, sqliteFile())],
    ['sqliteFloor', 'floor: INSERT, tuned axios POST, DELETE (SQLite, no hookwork)', () => sqliteFloorSender(receiver, events, path.join(tmp, `floor-${file++}.db`), 'axios')],
    ['sqliteFloorRaw', 'floor: INSERT, raw node:http POST, DELETE (SQLite, no hookwork)', () => sqliteFloorSender(receiver, events, path.join(tmp, `floor-${file++}.db`), 'raw')],
    ...(redis
      ? ([
          ['bullmq', 'BullMQ + axios worker (Redis), c=64', () => bullmqPeerSender(receiver, redis!, events, 1)],
          ['bullmq16', 'BullMQ + axios worker, 16 publishers', () => bullmqPeerSender(receiver, redis!, events, 16)],
        ] as [string, string, () => Promise<SenderFigure>][])
      : []),
  ];
  const best = new Map<string, SenderFigure>();
  const figures: Record<string, number> = {};
  try {
    for (let r = 0; r < (options.latencyOnly ? 0 : options.rounds); r++) {
      for (const [key, , run] of cases) {
        const figure = await run();
        const previous = best.get(key);
        // The best rate of the rounds, and the least CPU: each is the run least disturbed by other work.
        best.set(key, { rps: Math.max(previous?.rps ?? 0, figure.rps), cpuUs: Math.min(previous?.cpuUs ?? Infinity, figure.cpuUs) });
      }
    }
    const printPeers = () => {
    const axiosRps = best.get('axios')!.rps;
    const rawRps = best.get('raw')!.rps;
    const bullmqRps = best.get('bullmq')?.rps ?? NaN;
    console.log(`\npeers, ${events} events to one webhook, best of ${options.rounds} alternating rounds:`);
    console.log('| sender | deliveries/s | × tuned axios | × raw node:http | × BullMQ peer | CPU µs per delivery (incl. its store server) |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const [key, label] of cases) {
      const f = best.get(key)!;
      const versus = key === 'sqlite16' ? best.get('bullmq16')?.rps ?? NaN : bullmqRps;
      console.log(`| ${label} | ${f.rps.toFixed(0)} | ${(f.rps / axiosRps).toFixed(2)} | ${(f.rps / rawRps).toFixed(2)} | ${(f.rps / versus).toFixed(2)} | ${f.cpuUs.toFixed(0)} |`);
      figures[`peer_${key}_rps`] = round(f.rps, 0);
      figures[`peer_${key}_cpuUs`] = round(f.cpuUs, 0);
      figures[`peer_${key}_toAxios`] = round(f.rps / axiosRps);
    }
    figures.peer_sqlite_toBullmq = round(best.get('sqlite')!.rps / bullmqRps);
    figures.peer_sqlite16_toBullmq16 = round(best.get('sqlite16')!.rps / (best.get('bullmq16')?.rps ?? NaN));
    figures.peer_sqlite16_toSqlite1 = round(best.get('sqlite16')!.rps / best.get('sqlite')!.rps);
    // hookwork on SQLite (axios) as a share of the floor with the same HTTP client.
    figures.peer_sqlite_toFloor = round(best.get('sqlite')!.rps / best.get('sqliteFloor')!.rps);
    console.log(`hookwork on SQLite is ${figures.peer_sqlite_toFloor.toFixed(2)} × the floor with the same axios POST; the floor itself is ${(best.get('sqliteFloor')!.rps / axiosRps).toFixed(2)} × the tuned axios loop, and ${(best.get('sqliteFloorRaw')!.rps / rawRps).toFixed(2)} × raw node:http with the raw POST`);
    };
    if (!options.latencyOnly) printPeers();

    const { latencyRate: rate, latencySeconds: seconds, rounds } = options;
    // A p99 of one run is set by the few slowest of rate × seconds events, and one stall of the
    // machine (a neighbour's burst, a GC) moves it by milliseconds: each sender runs once per
    // round, the senders alternating, and the median of its rounds is reported.
    type Latency = { p50: number; p99: number };
    const senders: [string, string, () => Promise<Latency>][] = [
      [
        'direct',
        'direct axios POST',
        async () => {
          const direct = tunedAxios();
          try {
            return await steadyLatency(receiver, rate, seconds, (i) => direct.post(receiver.url, benchBody(i, now())), async () => undefined);
          } finally {
            direct.close();
          }
        },
      ],
      [
        'sqlite',
        'hookwork, SQLite, default settings',
        async () => {
          const app = await defaultApp(receiver, sqliteFile());
          try {
            return await steadyLatency(receiver, rate, seconds, (i) => app.publish(new BenchHappened(i, now())), () => app.drain({ timeoutMs: 60_000 }));
          } finally {
            await app.stop();
          }
        },
      ],
    ];
    if (redis) {
      const url = redis.url;
      senders.push([
        'bullmq',
        'BullMQ + axios worker',
        async () => {
          const peer = await startDiyPeer(receiver.url, url);
          try {
            return await steadyLatency(receiver, rate, seconds, (i) => peer.publish({ event: 'bench.happened', i, sentAt: now(), title: TITLE }), async () => undefined);
          } finally {
            await peer.close();
          }
        },
      ]);
    }
    const latencyRounds = Math.max(1, rounds);
    const runs = new Map<string, Latency[]>(senders.map(([key]) => [key, []]));
    for (let r = 0; r < latencyRounds; r++) for (const [key, , run] of senders) runs.get(key)!.push(await run());
    const lat = (key: string) => {
      const rs = runs.get(key) ?? [];
      return { p50: round(percentile(rs.map((x) => x.p50), 50)), p99: round(percentile(rs.map((x) => x.p99), 50)), p99s: rs.map((x) => x.p99) };
    };
    const directLat = lat('direct');
    const sqliteLat = lat('sqlite');
    const bullmqLat = lat('bullmq');
    const how = latencyRounds === 1 ? 'one round' : `${latencyRounds} alternating rounds (the median of the rounds; each round's p99 in brackets)`;
    console.log(`\npublish → arrival at a steady ${rate} events/s for ${seconds} s, ${how}:`);
    console.log(`| sender | p50 ms | p99 ms | p99 × direct POST |`);
    console.log('|---|---:|---:|---:|');
    for (const [key, label] of senders) {
      const l = lat(key);
      console.log(`| ${label} | ${l.p50} | ${l.p99}${l.p99s.length > 1 ? ` (${l.p99s.join(', ')})` : ''} | ${(l.p99 / directLat.p99).toFixed(2)} |`);
    }
    Object.assign(figures, {
      peerLatencyRate: rate,
      peerLatencySqliteP50Ms: sqliteLat.p50,
      peerLatencySqliteP99Ms: sqliteLat.p99,
      peerLatencyDirectP50Ms: directLat.p50,
      peerLatencyDirectP99Ms: directLat.p99,
      peerLatencyBullmqP50Ms: bullmqLat.p50,
      peerLatencyBullmqP99Ms: bullmqLat.p99,
      peerLatencySqliteToDirectP99: round(sqliteLat.p99 / directLat.p99),
    });
    return figures;
  } finally {
    await redis?.stop();
  }
}

/** Per-webhook concurrency from measurements: one fast receiver, SQLite, default settings but `perWebhook`. */
async function perWebhookSection(receiver: ChildReceiver, tmp: string, events: number, rounds: number): Promise<Record<string, number>> {
  let file = 0;
  const limits = [8, 16, 32, 64];
  const best = new Map<number, SenderFigure>();
  for (let r = 0; r < rounds; r++) {
    for (const limit of limits) {
      const f = await hookworkSender(receiver, events, 1, sqliteStorage({ file: path.join(tmp, `pw-${file++}.db`) }), limit);
      const previous = best.get(limit);
      best.set(limit, { rps: Math.max(previous?.rps ?? 0, f.rps), cpuUs: Math.min(previous?.cpuUs ?? Infinity, f.cpuUs) });
    }
  }
  console.log(`\nper-webhook concurrency, SQLite, one fast receiver, ${events} events, best of ${rounds}:`);
  const figures: Record<string, number> = {};
  for (const limit of limits) {
    const f = best.get(limit)!;
    console.log(`  perWebhook ${String(limit).padEnd(3)} ${f.rps.toFixed(0)} deliveries/s (${(f.rps / best.get(8)!.rps).toFixed(2)} × 8), ${f.cpuUs.toFixed(0)} µs CPU per delivery`);
    figures[`perWebhook${limit}Rps`] = round(f.rps, 0);
    figures[`perWebhook${limit}CpuUs`] = round(f.cpuUs, 0);
  }
  return figures;
}

function postgresSection(receiver: ChildReceiver, quick: boolean, only?: string[]): Promise<Record<string, number | string>> {
  const scale = quick ? 0.2 : 1;
  return postgresBench(
    {
      receiver,
      composer: benchComposer,
      notify: (i) => new BenchHappened(i, now()),
      baseline: (requests) => baseline(receiver, requests),
      tunedPost: () => tunedAxios(),
      benchBody,
      measureSender: (events, send, drained) =>
        measureSender(receiver, events, 1, send, async (n) => {
          await drained();
          await receiverCounted(receiver, n);
        }),
      endToEnd: (storage, events, publishers) => endToEnd(receiver, { webhooks: 1, events, storage, ...(publishers ? { publishers } : {}) }),
      latency: (storage, rate, seconds) => latency(receiver, rate, seconds, storage),
      parkedQueue,
    },
    { quick, rounds: quick ? 1 : 3, baselineRequests: Math.round(20_000 * scale), events: Math.round(5_000 * scale), ...(only ? { only } : {}) },
  );
}

/** A command-line value the bench refuses: printed without a stack, exit code 2. */
class UsageError extends Error {}

/** A whole number of 1 or more given as `name n`, or `fallback` when `name` is left out. */
function countOption(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (Number.isInteger(value) && value >= 1) return value;
  throw new UsageError(`${name} takes a whole number, 1 or more (was ${JSON.stringify(process.argv[at + 1] ?? null)}); leave it out for ${fallback}`);
}

/** The value after `name`, one of `choices` (`fallback` when the option is absent); refused with a UsageError otherwise. */
function choiceOption<T extends string>(name: string, choices: readonly T[], fallback: T): T {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = process.argv[at + 1];
  if ((choices as readonly (string | undefined)[]).includes(value)) return value as T;
  throw new UsageError(`${name} takes one of ${choices.join(', ')} (was ${JSON.stringify(value ?? null)}); leave it out for ${fallback}`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--only-postgres')) {
    // node bench/dist/run.js --only-postgres [--quick] [e2e] [processes] [claim] [latency] [publish]
    const parts = ['e2e', 'processes', 'claim', 'latency', 'publish'].filter((part) => process.argv.includes(part));
    const receiver = await ChildReceiver.start();
    try {
      console.log(JSON.stringify(await postgresSection(receiver, process.argv.includes('--quick'), parts)));
    } finally {
      await receiver.stop();
    }
    return;
  }
  if (process.argv.includes('--only-bullmq')) {
    // Read before the receiver starts: a bad value stops here with nothing to clean up.
    const perWebhook = countOption('--per-webhook', 64);
    const receiver = await ChildReceiver.start();
    try {
      // For profiling one side: --only-bullmq [--quick] [hookwork|undici|diy] [--per-webhook N (hookwork's, 64 unless given)]
      const only = (['hookwork', 'undici', 'diy'] as const).find((side) => process.argv.includes(side));
      console.log(JSON.stringify(await bullmqSection(receiver, process.argv.includes('--quick'), only, perWebhook)));
    } finally {
      await receiver.stop();
    }
    return;
  }
  if (process.argv.includes('--only-transport')) {
    // The transports alone: node bench/dist/run.js --only-transport [--quick]
    // One run, for profiling: node --cpu-prof bench/dist/run.js --only-transport --case undici|axios [--sqlite] [--events n]
    const receiver = await ChildReceiver.start();
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'hookwork-bench-'));
    let file = 0;
    const sqliteFile = () => sqliteStorage({ file: path.join(tmp, `bench-${file++}.db`) });
    const at = process.argv.indexOf('--case');
    try {
      if (at >= 0) {
        const transport = process.argv[at + 1] === 'axios' ? 'axios' : 'undici';
        const sqlite = process.argv.includes('--sqlite');
        const eventsAt = process.argv.indexOf('--events');
        const events = eventsAt >= 0 ? Number(process.argv[eventsAt + 1]) : sqlite ? 5_000 : 20_000;
        const run = await transportEndToEnd(receiver, { composer: benchComposer, notify: (i) => new BenchHappened(i, now()), transport, events, ...(sqlite ? { storage: sqliteFile } : {}) });
        console.log(`e2e ${sqlite ? 'SQLite' : 'memory'}, ${transport} transport: ${run.rps.toFixed(0)} deliveries/s, ${run.cpuUs.toFixed(0)} µs CPU per delivery`);
        return;
      }
      console.log(JSON.stringify(await transportSection(receiver, process.argv.includes('--quick'), sqliteFile)));
    } finally {
      await receiver.stop();
      rmSync(tmp, { recursive: true, force: true });
    }
    return;
  }
  if (process.argv.includes('--only-peers') || process.argv.includes('--only-per-webhook')) {
    // The peer section alone: node bench/dist/run.js --only-peers [--quick]; per-webhook limits: --only-per-webhook
    const quickRun = process.argv.includes('--quick');
    const receiver = await ChildReceiver.start();
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'hookwork-bench-'));
    try {
      const figures = process.argv.includes('--only-peers')
        ? await peerSection(receiver, tmp, { events: quickRun ? 2_000 : 5_000, rounds: quickRun ? 1 : 3, latencyRate: 300, latencySeconds: quickRun ? 3 : 6, latencyOnly: process.argv.includes('--latency') })
        : await perWebhookSection(receiver, tmp, quickRun ? 2_000 : 5_000, quickRun ? 1 : 3);
      console.log(JSON.stringify(figures));
    } finally {
      await receiver.stop();
      rmSync(tmp, { recursive: true, force: true });
    }
    return;
  }
  if (process.argv.includes('--only-e2e')) {
    const cleanups: (() => Promise<void>)[] = [];
    // For profiling: node --cpu-prof bench/dist/run.js --only-e2e [--sqlite [--checkpoint-inline] | --postgres <url> [--synchronous-commit enqueue|all|none]] [--fifo] [--webhooks n] [--per-webhook n] [--events n] [--publishers n] [--transport axios|undici]
    // Read before the receiver starts: a bad value stops here with nothing to clean up.
    const transport = choiceOption('--transport', ['axios', 'undici'] as const, 'axios');
    const webhooks = countOption('--webhooks', 1);
    const perWebhook = countOption('--per-webhook', BENCH_PER_WEBHOOK);
    const events = countOption('--events', Math.round(10_000 / webhooks));
    const publishers = countOption('--publishers', 1);
    const receiver = await ChildReceiver.start();
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'hookwork-bench-'));
    try {
      const postgresAt = process.argv.indexOf('--postgres');
      // --postgres: a schema of its own, dropped afterwards.
      const schema = `hookwork_bench_${process.pid}`;
      const postgres = postgresAt >= 0 ? process.argv[postgresAt + 1] : undefined;
      if (postgres) cleanups.push(() => dropSchema(postgres, schema));
      const storage = postgres
        ? () => postgresStorage({ connectionString: postgres, schema, synchronousCommit: (process.argv.includes('--synchronous-commit') ? process.argv[process.argv.indexOf('--synchronous-commit') + 1] : 'enqueue') as 'enqueue' })
        : process.argv.includes('--sqlite')
          ? () => sqliteStorage({ file: path.join(tmp, 'bench.db'), ...(process.argv.includes('--checkpoint-inline') ? { checkpoint: 'inline' as const } : {}) })
          : undefined;
      const fifo = process.argv.includes('--fifo');
      const rps = await endToEnd(receiver, { webhooks, events, perWebhook, fifo, publishers, transport, ...(storage ? { storage } : {}) });
      console.log(`e2e ${postgres ? 'PostgreSQL' : storage ? 'SQLite' : 'memory'}${fifo ? ' FIFO' : ''}, ${transport}, ${webhooks} webhook(s), perWebhook ${perWebhook}, ${publishers} publisher(s): ${rps.toFixed(0)} deliveries/s, ${lastCpuUsPerDelivery.toFixed(0)} µs CPU per delivery`);
    } finally {
      await receiver.stop();
      for (const cleanup of cleanups) await cleanup();
      rmSync(tmp, { recursive: true, force: true });
    }
    return;
  }
  if (process.argv.includes('--only-publish')) {
    // Publish cost alone, to compare two builds quickly: node bench/dist/run.js --only-publish
    const receiver = await ChildReceiver.start();
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'hookwork-bench-'));
    try {
      const cost10 = await publishCost(receiver, 10, 2_000);
      const cost10k = await publishCost(receiver, 10_000, 2_000);
      const cost10Sqlite = await publishCost(receiver, 10, 2_000, sqliteStorage({ file: path.join(tmp, 'bench.db') }));
      console.log(
        JSON.stringify({
          publishUs10: round(cost10.us, 1),
          publishCpuUs10: round(cost10.cpuUs, 1),
          publishUs10k: round(cost10k.us, 1),
          publishCpuUs10k: round(cost10k.cpuUs, 1),
          publishUs10Sqlite: round(cost10Sqlite.us, 1),
          publishCpuUs10Sqlite: round(cost10Sqlite.cpuUs, 1),
        }),
      );
    } finally {
      await receiver.stop();
      rmSync(tmp, { recursive: true, force: true });
    }
    return;
  }
  const quick = process.argv.includes('--quick');
  const scale = quick ? 0.2 : 1;
  const settings = {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    concurrency: 64,
    // JSON keys kept from before the setting's rename (concurrency.perEndpoint), so runs compare.
    perEndpoint: BENCH_PER_WEBHOOK,
    sqliteDefaultPerEndpoint: DEFAULT_PER_WEBHOOK,
    rounds: quick ? 1 : 3,
    baselineRequests: Math.round(20_000 * scale),
    e2eEvents1: Math.round(20_000 * scale),
    e2eEvents10: Math.round(2_000 * scale),
    sqliteEvents: Math.round(5_000 * scale),
    fifoEvents: Math.round(2_000 * scale),
    latencyRate: 500,
    latencySeconds: quick ? 2 : 6,
    publishes: Math.round(2_000 * scale),
  };
  console.log('hookwork benchmark');
  console.log(`settings: ${JSON.stringify(settings)}`);
  const receiver = await ChildReceiver.start();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hookwork-bench-'));
  try {
    // Baseline and the 1-webhook end-to-end runs alternate, best of each kept: on a shared
    // machine, the run least disturbed by other work is the one that shows what the code costs.
    let baselineRps = 0;
    let e2e1 = 0;
    let sqlite = 0;
    let sqliteDefault = 0;
    let file = 0;
    const sqliteFile = () => sqliteStorage({ file: path.join(tmp, `bench-${file++}.db`) });
    for (let r = 0; r < settings.rounds; r++) {
      baselineRps = Math.max(baselineRps, await baseline(receiver, settings.baselineRequests));
      e2e1 = Math.max(e2e1, await endToEnd(receiver, { webhooks: 1, events: settings.e2eEvents1 }));
      sqlite = Math.max(sqlite, await endToEnd(receiver, { webhooks: 1, events: settings.sqliteEvents, storage: sqliteFile }));
      sqliteDefault = Math.max(sqliteDefault, await endToEnd(receiver, { webhooks: 1, events: settings.sqliteEvents, perWebhook: DEFAULT_PER_WEBHOOK, storage: sqliteFile }));
    }
    console.log(`baseline axios keep-alive POST, c=64:          ${baselineRps.toFixed(0)} req/s`);
    console.log(`end to end, memory queue, 1 webhook:          ${e2e1.toFixed(0)} deliveries/s  (${(e2e1 / baselineRps).toFixed(2)} × baseline; target ≥ 0.70)`);
    const e2e10 = await endToEnd(receiver, { webhooks: 10, events: settings.e2eEvents10 });
    console.log(`end to end, memory queue, 10 webhooks/event:  ${e2e10.toFixed(0)} deliveries/s  (${(e2e10 / baselineRps).toFixed(2)} × baseline)`);
    console.log(`end to end, SQLite queue, 1 webhook:          ${sqlite.toFixed(0)} deliveries/s  (${(sqlite / baselineRps).toFixed(2)} × baseline; target ≥ 0.50)`);
    console.log(`  same, default perWebhook ${DEFAULT_PER_WEBHOOK}:               ${sqliteDefault.toFixed(0)} deliveries/s  (${(sqliteDefault / baselineRps).toFixed(2)} × baseline)`);
    const fifoMemory = await endToEnd(receiver, { webhooks: 1, events: settings.fifoEvents, fifo: true });
    const fifoSqlite = await endToEnd(receiver, { webhooks: 1, events: settings.fifoEvents, fifo: true, storage: sqliteFile });
    console.log(`FIFO, memory queue, 1 webhook:                ${fifoMemory.toFixed(0)} deliveries/s  (${(fifoMemory / e2e1).toFixed(3)} × the same without FIFO)`);
    console.log(`FIFO, SQLite queue, 1 webhook:                ${fifoSqlite.toFixed(0)} deliveries/s  (${(fifoSqlite / sqlite).toFixed(3)} × the same without FIFO)`);
    const lat = await latency(receiver, settings.latencyRate, settings.latencySeconds);
    const p99Ratio = lat.hookwork.p99 / lat.direct.p99;
    console.log(`latency at ${settings.latencyRate}/s, publish → arrival:      p50 ${lat.hookwork.p50} ms, p99 ${lat.hookwork.p99} ms  (median of 3 rounds: ${lat.hookwork.p99s.join(', ')})`);
    console.log(`latency at ${settings.latencyRate}/s, direct axios POST:      p50 ${lat.direct.p50} ms, p99 ${lat.direct.p99} ms  (${lat.direct.p99s.join(', ')}; p99 ratio ${p99Ratio.toFixed(2)}; target ≤ 3)`);
    const cost10 = await publishCost(receiver, 10, settings.publishes);
    const cost10k = await publishCost(receiver, 10_000, settings.publishes);
    const cost10Sqlite = await publishCost(receiver, 10, settings.publishes, sqliteFile());
    console.log(`publish cost, 10 webhooks:                    ${cost10.us.toFixed(1)} µs/publish (10 requests each; ${cost10.cpuUs.toFixed(1)} µs CPU)`);
    console.log(`publish cost, 10,000 webhooks (10 subscribe): ${cost10k.us.toFixed(1)} µs/publish  (${(cost10k.us / cost10.us).toFixed(2)} ×; target ≤ 1.5; ${cost10k.cpuUs.toFixed(1)} µs CPU)`);
    console.log(`publish cost, 10 webhooks, SQLite:            ${cost10Sqlite.us.toFixed(1)} µs/publish (10 requests each, one transaction; ${cost10Sqlite.cpuUs.toFixed(1)} µs CPU)`);
    const backlog = backlogMemory(quick ? 20_000 : 100_000);
    const sqliteBacklog = backlog.find((r) => r.backend.startsWith('sqlite'))!;
    const memoryBacklog = backlog.find((r) => r.backend === 'memory')!;
    console.log(
      `backlog of ${sqliteBacklog.count} pending, SQLite: peak RSS +${sqliteBacklog.peakRssGrowthMB} MB (target ≤ ~100 MB; ${(sqliteBacklog.peakRssGrowthMB / memoryBacklog.peakRssGrowthMB).toFixed(2)} × the in-memory queue's +${memoryBacklog.peakRssGrowthMB} MB)`,
    );
    const bullmq = await bullmqSection(receiver, quick);
    const transports = await transportSection(receiver, quick, sqliteFile);
    const peers = await peerSection(receiver, tmp, { events: Math.round(5_000 * scale), rounds: settings.rounds, latencyRate: 300, latencySeconds: settings.latencySeconds });
    const perWebhookLimits = await perWebhookSection(receiver, tmp, Math.round(5_000 * scale), settings.rounds);
    const postgres = await postgresSection(receiver, quick);
    console.log(
      JSON.stringify({
        settings,
        baselineRps: round(baselineRps, 0),
        e2eMemory1Rps: round(e2e1, 0),
        e2eMemory1Ratio: round(e2e1 / baselineRps),
        e2eMemory10Rps: round(e2e10, 0),
        e2eMemory10Ratio: round(e2e10 / baselineRps),
        e2eSqlite1Rps: round(sqlite, 0),
        e2eSqlite1Ratio: round(sqlite / baselineRps),
        e2eSqlite1DefaultPerEndpointRps: round(sqliteDefault, 0),
        e2eSqlite1DefaultPerEndpointRatio: round(sqliteDefault / baselineRps),
        fifoMemoryRps: round(fifoMemory, 0),
        fifoMemoryToDefaultRatio: round(fifoMemory / e2e1, 3),
        fifoSqliteRps: round(fifoSqlite, 0),
        fifoSqliteToDefaultRatio: round(fifoSqlite / sqlite, 3),
        latencyP50Ms: lat.hookwork.p50,
        latencyP99Ms: lat.hookwork.p99,
        directP50Ms: lat.direct.p50,
        directP99Ms: lat.direct.p99,
        latencyP99Ratio: round(p99Ratio),
        publishUs10: round(cost10.us, 1),
        publishUs10k: round(cost10k.us, 1),
        publishCostRatio: round(cost10k.us / cost10.us),
        publishUs10Sqlite: round(cost10Sqlite.us, 1),
        publishCpuUs10: round(cost10.cpuUs, 1),
        publishCpuUs10k: round(cost10k.cpuUs, 1),
        publishCpuUs10Sqlite: round(cost10Sqlite.cpuUs, 1),
        backlogCount: sqliteBacklog.count,
        backlogSqlitePeakRssGrowthMB: sqliteBacklog.peakRssGrowthMB,
        backlogMemoryPeakRssGrowthMB: memoryBacklog.peakRssGrowthMB,
        backlogSqliteToMemoryRatio: round(sqliteBacklog.peakRssGrowthMB / memoryBacklog.peakRssGrowthMB),
        ...bullmq,
        ...transports,
        ...peers,
        ...perWebhookLimits,
        ...postgres,
      }),
    );
  } finally {
    await receiver.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Memory with a large backlog, measured in a child process of its own (clean heap, --expose-gc). */
function backlogMemory(count: number): { backend: string; count: number; peakRssGrowthMB: number }[] {
  const child = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'backlog-memory.js'), String(count)], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`backlog-memory failed (${child.status}): ${child.stderr}`);
  const line = child.stdout.trim().split('\n').pop()!;
  return (JSON.parse(line) as { results: { backend: string; count: number; peakRssGrowthMB: number }[] }).results;
}

main().catch((error) => {
  console.error(error instanceof UsageError ? error.message : error);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
