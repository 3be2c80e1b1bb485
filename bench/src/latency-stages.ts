/**
 * Where publish → arrival goes at a steady rate, event by event: hookwork on SQLite (default
 * settings, as the peers' latency case) or a direct axios POST, with what else happened in the
 * sending process meanwhile.
 *
 * ```
 * node bench/dist/latency-stages.js [--direct | --memory] [--rate 300] [--seconds 6] [--inline] [--undici] [--slowest]
 * ```
 *
 * Per event, on the shared clock of ./clock: publish → `publish()` resolved → the HTTP request
 * started (`http.client.request.start`) → arrival at the receiver child. Beside them: GC pauses
 * (`PerformanceObserver`), each SQLite transaction of the store (better-sqlite3's `immediate`
 * wrapped, so a commit's own time), and each checkpoint of the store's checkpoint thread (its
 * source instrumented). It prints each stage's distribution and, for the slowest 1 % (what a p99
 * reads), how many overlapped a GC pause, a checkpoint or a transaction longer than 1 ms.
 *
 * `--inline` runs the SQLite store with `checkpoint: 'inline'` (SQLite's own checkpoints, on the
 * event loop) instead of the checkpoint thread. `--slowest` also prints each of the slowest 1 %
 * with what overlapped it: the longest stall of the event loop (a 1 ms interval timer's gaps, so
 * a stall is seen whatever caused it, a sender without hookwork included), the store's
 * transactions, any statement slower than 0.3 ms with its SQL, and GC pauses; and how many stalls
 * of over 2, 3 and 4 ms the run had in all. It wraps every statement and runs a timer, so its own
 * figures are a little slower than a run without it.
 */
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import workerThreads from 'node:worker_threads';
import axios from 'axios';
import Database from 'better-sqlite3';
import { createHookwork, WebhookEvent, WebhookEventBase, WebhookEventTypes } from '@hookwork/core';
import { sqliteStorage } from '@hookwork/sqlite';
import { now, percentile } from './clock';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const mode = argv.includes('--direct') ? 'direct' : argv.includes('--memory') ? 'memory' : 'sqlite';
if (argv.includes('--undici') && mode === 'direct') {
  console.error("--undici is hookwork's transport setting: leave out --direct to use it (the direct POST is the axios one)");
  process.exit(2);
}
if (argv.includes('--inline') && mode !== 'sqlite') {
  console.error('--inline is a setting of the SQLite store: leave out --direct and --memory to use it');
  process.exit(2);
}
const rate = option('--rate', 300);
const seconds = option('--seconds', 6);
const TITLE = 'A benchmark event with a body of a realistic size: '.padEnd(120, '.');

/** [start, duration] on the clock of ./clock, ms. */
type Span = [number, number];
const gcPauses: Span[] = [];
const transactions: Span[] = [];
const checkpoints: Span[] = [];
const requestStarts = new Map<string, number>();
const slowest = argv.includes('--slowest');
/** [start, duration, SQL] of each statement slower than 0.3 ms (with `--slowest`). */
const slowStatements: [number, number, string][] = [];

// performance entries are on the process's own time origin: moved onto the shared clock.
const offset = now() - (performance.timeOrigin + performance.now());
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPauses.push([entry.startTime + performance.timeOrigin + offset, entry.duration]);
}).observe({ entryTypes: ['gc'] });

subscribe('http.client.request.start', (message) => {
  const { request } = message as { request: http.ClientRequest };
  const id = request.getHeader('webhook-id') ?? request.getHeader('x-bench-i');
  if (id !== undefined) requestStarts.set(String(id), now());
});
// The same stage with `--undici`: undici's request, its headers as [name, value, …] or as raw text.
subscribe('undici:request:create', (message) => {
  const { headers } = (message as { request: { headers: string[] | string } }).request;
  const id = Array.isArray(headers) ? headers[headers.findIndex((h, k) => k % 2 === 0 && h.toLowerCase() === 'webhook-id') + 1] : /^webhook-id: *(.*)$/im.exec(headers)?.[1]?.trim();
  if (id !== undefined) requestStarts.set(id, now());
});

// Each transaction the store runs, timed: the connection makes its transaction function once, at open.
type TransactionFn = ((...args: unknown[]) => unknown) & { immediate: (...args: unknown[]) => unknown; deferred: unknown; exclusive: unknown };
const databaseProto = Database.prototype as unknown as { transaction(fn: (...args: unknown[]) => unknown): TransactionFn };
const makeTransaction = databaseProto.transaction;
databaseProto.transaction = function (this: unknown, fn) {
  const made = makeTransaction.call(this, fn);
  const timed = Object.assign((...args: unknown[]) => made(...args), made, {
    immediate: (...args: unknown[]) => {
      const at = now();
      try {
        return made.immediate(...args);
      } finally {
        transactions.push([at, now() - at]);
      }
    },
  });
  return timed;
};

// With --slowest, each statement (prepared, exec'd or a pragma) slower than 0.3 ms, with its SQL.
type Timed = (...args: unknown[]) => unknown;
const timedCall = (sql: string, call: Timed): Timed => (...args) => {
  const at = now();
  try {
    return call(...args);
  } finally {
    const took = now() - at;
    if (took > 0.3) slowStatements.push([at, took, sql.replace(/\s+/g, ' ').slice(0, 60)]);
  }
};
if (slowest) {
  const proto = Database.prototype as unknown as Record<'prepare' | 'exec' | 'pragma', Timed>;
  const { prepare, exec, pragma } = proto;
  proto.prepare = function (this: unknown, sql: unknown) {
    const statement = prepare.call(this, sql) as Record<'run' | 'get' | 'all', Timed>;
    for (const method of ['run', 'get', 'all'] as const) statement[method] = timedCall(String(sql), statement[method].bind(statement));
    return statement;
  };
  proto.exec = function (this: unknown, sql: unknown) {
    return timedCall(`exec ${String(sql)}`, (...args) => exec.apply(this, args))(sql);
  };
  proto.pragma = function (this: unknown, sql: unknown, options?: unknown) {
    return timedCall(`pragma ${String(sql)}`, (...args) => pragma.apply(this, args))(sql, options);
  };
}

// The checkpoint thread's checkpoints, reported back with their times (the same monotonic clock in every thread).
const BaseWorker = workerThreads.Worker;
(workerThreads as { Worker: unknown }).Worker = class extends BaseWorker {
  constructor(source: string | URL, options?: workerThreads.WorkerOptions) {
    const instrumented = options?.eval === true && String(source).includes("db.pragma('wal_checkpoint(PASSIVE)');");
    super(
      instrumented
        ? String(source).replace(
            "db.pragma('wal_checkpoint(PASSIVE)');",
            "const checkpointStart = Number(process.hrtime.bigint()) / 1e6; db.pragma('wal_checkpoint(PASSIVE)'); parentPort.postMessage({ checkpoint: [checkpointStart, Number(process.hrtime.bigint()) / 1e6 - checkpointStart] });",
          )
        : source,
      options,
    );
    if (instrumented) this.on('message', (message: { checkpoint?: Span }) => message.checkpoint && checkpoints.push(message.checkpoint));
  }
};

class BenchHappened {
  constructor(
    readonly i: number,
    readonly sentAt: number,
  ) {}
}

@WebhookEvent('Bench Happened', WebhookEventTypes.Other, { alias: 'bench.happened', notification: BenchHappened })
class BenchHappenedEvent extends WebhookEventBase<BenchHappened> {
  override convertNotificationToRequestPayload(n: BenchHappened) {
    return { event: 'bench.happened', i: n.i, sentAt: n.sentAt, title: TITLE };
  }
}

async function main(): Promise<void> {
  const child = fork(path.join(__dirname, 'receiver-child.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  const url = `http://127.0.0.1:${port}/hook`;
  const ask = <T>(message: { cmd: string; latency?: boolean }) =>
    new Promise<T>((resolve) => {
      const onMessage = (m: { cmd: string }) => {
        if (m.cmd !== message.cmd) return;
        child.off('message', onMessage);
        resolve(m as T);
      };
      child.on('message', onMessage);
      child.send(message);
    });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hookwork-stages-'));
  const sentAt = new Map<number, number>();
  const resolvedAt = new Map<number, number>();
  let send: (i: number) => Promise<unknown>;
  let settle = async () => {};
  let close: () => Promise<void>;
  if (mode === 'direct') {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 });
    const instance = axios.create({ httpAgent: agent, maxRedirects: 0, proxy: false, responseType: 'stream', transformRequest: [(data: unknown) => data], validateStatus: () => true });
    send = async (i) => {
      const at = now();
      sentAt.set(i, at);
      const response = await instance.post<NodeJS.ReadableStream>(url, Buffer.from(JSON.stringify({ event: 'bench.happened', i, sentAt: at, title: TITLE })), { headers: { 'content-type': 'application/json', 'x-bench-i': String(i) } });
      response.data.resume();
      await new Promise((resolve, reject) => response.data.on('end', resolve).on('error', reject));
    };
    close = async () => agent.destroy();
  } else {
    const app = createHookwork({
      composers: [{ compose: (builder) => void builder.webhookEvents().add(BenchHappenedEvent) }],
      ...(mode === 'sqlite' ? { storage: sqliteStorage({ file: path.join(tmp, 'stages.db'), checkpoint: argv.includes('--inline') ? 'inline' : 'background' }) } : {}),
      settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] } },
      ...(argv.includes('--undici') ? { transport: 'undici' as const } : {}),
    });
    await app.start();
    await app.webhooks.create({ url, events: ['bench.happened'], secret: true });
    send = (i) => {
      const at = now();
      sentAt.set(i, at);
      const published = app.publish(new BenchHappened(i, at));
      published.then(
        () => resolvedAt.set(i, now()),
        () => undefined,
      );
      return published;
    };
    settle = () => app.drain({ timeoutMs: 120_000 });
    close = () => app.stop();
  }
  const inFlight = new Set<Promise<unknown>>();
  const steady = async (secs: number) => {
    const total = Math.round(rate * secs);
    const t0 = now();
    let i = 0;
    while (i < total) {
      while (i < total && (i * 1000) / rate <= now() - t0) {
        const p: Promise<unknown> = send(i++).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(inFlight);
    await settle();
  };
  // One second of warm-up at the same rate, then the measured seconds.
  await ask({ cmd: 'reset' });
  await steady(1);
  await ask({ cmd: 'reset', latency: true });
  sentAt.clear();
  resolvedAt.clear();
  requestStarts.clear();
  const measuredFrom = now();
  // A stall of the event loop, whatever its cause, shows as a gap between two ticks of this timer.
  const ticks: number[] = [];
  const ticker = slowest ? setInterval(() => ticks.push(now()), 1) : undefined;
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  await steady(seconds);
  loopDelay.disable();
  clearInterval(ticker);
  const { latencies, ids, requestIds } = await ask<{ latencies: number[]; ids: number[]; requestIds: string[] }>({ cmd: 'stats' });
  await close();
  child.send({ cmd: 'exit' });
  rmSync(tmp, { recursive: true, force: true });

  const events = latencies.map((total, k) => {
    const i = ids[k]!;
    const sent = sentAt.get(i)!;
    const started = requestStarts.get(mode === 'direct' ? String(i) : requestIds[k]!);
    const resolved = resolvedAt.get(i);
    return { total, sent, arrived: sent + total, resolved: resolved === undefined ? undefined : resolved - sent, started: started === undefined ? undefined : started - sent };
  });
  const spread = (values: (number | undefined)[]) => {
    const known = values.filter((v): v is number => v !== undefined);
    if (known.length === 0) return '-';
    return ['50', '90', '99'].map((p) => `p${p} ${percentile(known, Number(p)).toFixed(2)}`).join(', ') + `, max ${Math.max(...known).toFixed(2)} ms`;
  };
  const after = (spans: Span[]) => spans.filter(([at]) => at >= measuredFrom);
  const overlaps = (spans: Span[], from: number, to: number) => spans.some(([at, duration]) => at < to && at + duration > from);
  const label = mode === 'direct' ? 'direct axios POST' : `hookwork, ${mode === 'sqlite' ? 'SQLite' : 'in-memory store'}, default settings`;
  console.log(`${label}, ${rate} events/s for ${seconds} s (${events.length} events):`);
  console.log(`  publish → arrival          ${spread(events.map((e) => e.total))}`);
  if (mode !== 'direct') console.log(`  publish → resolved         ${spread(events.map((e) => e.resolved))}`);
  console.log(`  publish → request started  ${spread(events.map((e) => e.started))}`);
  console.log(`  request started → arrival  ${spread(events.map((e) => (e.started === undefined ? undefined : e.total - e.started)))}`);
  console.log(`  event loop delay           p50 ${(loopDelay.percentile(50) / 1e6).toFixed(2)}, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(2)}, max ${(loopDelay.max / 1e6).toFixed(2)} ms`);
  const gc = after(gcPauses);
  console.log(`  GC pauses                  ${gc.length}, ${spread(gc.map(([, d]) => d))}`);
  const tx = after(transactions);
  if (tx.length > 0) console.log(`  store transactions         ${tx.length}, ${spread(tx.map(([, d]) => d))}`);
  const ck = after(checkpoints);
  if (mode === 'sqlite') console.log(`  checkpoints (thread)       ${ck.length}, ${spread(ck.map(([, d]) => d))}; ${((100 * ck.reduce((sum, [, d]) => sum + d, 0)) / (seconds * 1000)).toFixed(1)} % of the time`);
  const slowestEvents = [...events].sort((a, b) => b.total - a.total).slice(0, Math.ceil(events.length / 100));
  const count = (spans: Span[]) => slowestEvents.filter((e) => overlaps(spans, e.sent, e.arrived)).length;
  console.log(
    `  the slowest 1 % (${slowestEvents.length}, from ${slowestEvents.at(-1)!.total.toFixed(2)} ms) overlapped: a GC pause ${count(gc)}` +
      (mode === 'sqlite' ? `, a checkpoint ${count(ck)}, a store transaction over 1 ms ${count(tx.filter(([, d]) => d > 1))}` : ''),
  );
  if (!slowest) return;
  const gaps = ticks.slice(1).map((t, k) => t - ticks[k]!);
  console.log(`  event loop stalls (gaps between 1 ms ticks): over 2 ms ${gaps.filter((g) => g > 2).length}, over 3 ms ${gaps.filter((g) => g > 3).length}, over 4 ms ${gaps.filter((g) => g > 4).length}`);
  console.log('  each of the slowest 1 % (ms from its publish; overlapping spans as start+duration):');
  for (const e of slowestEvents) {
    const within = (spans: Span[]) => spans.filter(([at, d]) => at < e.arrived && at + d > e.sent).map(([at, d]) => `${(at - e.sent).toFixed(2)}+${d.toFixed(2)}`);
    const statements = slowStatements.filter(([at, d]) => at < e.arrived && at + d > e.sent).map(([at, d, sql]) => `${(at - e.sent).toFixed(2)}+${d.toFixed(2)} ${sql}`);
    let stall = 0;
    for (let k = 1; k < ticks.length; k++) if (ticks[k]! > e.sent && ticks[k - 1]! < e.arrived) stall = Math.max(stall, ticks[k]! - ticks[k - 1]!);
    const others = events.filter((o) => o !== e && o.sent < e.arrived && o.arrived > e.sent).length;
    console.log(
      `    ${e.total.toFixed(2)}: resolved ${e.resolved?.toFixed(2) ?? '-'}, request started ${e.started?.toFixed(2) ?? '-'}, longest loop stall ${stall.toFixed(2)}, other events in flight ${others}` +
        `; transactions [${within(tx).join(' ')}]; statements over 0.3 ms [${statements.join('; ')}]; GC [${within(gc).join(' ')}]`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
