/**
 * Replays what one awaiting publisher's deliveries ask of the SQLite store, through the store's own
 * API, with no HTTP: per delivery the publish's webhook lookup (`getSharedByAlias`), its enqueue
 * handed off in flight (`enqueueClaimed`), the attempt's webhook lookup (`getShared`), in one turn;
 * completions in batches of 8 and log entries in batches of 75, in the turns' group commits. Prints
 * the statements run (by SQL text, BEGIN and COMMIT included) and the WAL frames written per
 * delivery (autocheckpoint off, so the WAL's growth counts them): exact, whatever the machine's
 * load. Under `valgrind --tool=callgrind`, two runs (N = 500 and 1,500) give the instructions of
 * 1,000 deliveries by their difference:
 *
 * ```
 * node bench/dist/sqlite-delivery-replay.js 2000
 * valgrind --tool=callgrind node bench/dist/sqlite-delivery-replay.js 500 --quiet
 * ```
 *
 * `--via-claim`: each delivery goes the other way a request reaches an attempt, the way nearly
 * every delivery of the e2e bench goes (its publisher outruns the sends, so the handoff stands
 * aside for the backlog: 3,972 of 4,000 requests claimed, about 10 per claim): the publish stores
 * it pending behind a backlog of 64, and every 10th delivery a bounded claim as the dispatcher
 * makes it (limit 48, `perWebhookLimit` 16, the webhook's bound 10: its free slots) leases the
 * 10 oldest.
 *
 * Bytes allocated per delivery (Node 20 has no allocation counter): run it under `--trace-gc`; it
 * prints `replay: measured from` and `replay: measured to` lines with the heap in use, and what
 * the collections between them freed plus the heap's growth is what the deliveries allocated:
 *
 * ```
 * node --trace-gc bench/dist/sqlite-delivery-replay.js 4000 --via-claim --quiet | node bench/dist/sqlite-delivery-replay.js --sum-gc
 * ```
 */
import { statSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { DeliveryLogEntry } from '@hookwork/core';
import { contractWebhook } from '@hookwork/core/testing';
import { openSqliteStorage } from '@hookwork/sqlite';

const counts = new Map<string, number>();
const probe = new Database(':memory:');
const statementProto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, (...args: unknown[]) => unknown>;
probe.close();
/** `--quiet`: no counting (its wrapper's calls and arrays would be measured with the store's), only the frames. */
const quiet = process.argv.includes('--quiet');
for (const method of quiet ? [] : ['run', 'get', 'all', 'iterate']) {
  const original = statementProto[method]!;
  statementProto[method] = function (this: { source: string }, ...args: unknown[]) {
    // By the statement's own text (the same string each run: no allocation while measuring), shortened when printed.
    counts.set(this.source, (counts.get(this.source) ?? 0) + 1);
    return original.apply(this, args);
  };
}

const N = Number(process.argv[2] ?? 2000);
const viaClaim = process.argv.includes('--via-claim');
const BACKLOG = 64;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hookwork-replay-'));
  const file = path.join(tmp, 'replay.db');
  const storage = openSqliteStorage({ file, checkpoint: 'inline' });
  try {
    storage.database.pragma('wal_autocheckpoint = 0');
    const webhook = contractWebhook('wh-1', { events: ['bench.happened'], url: 'http://127.0.0.1:9/hook' });
    await storage.webhooks.create(webhook);
    const owner = 'replay-dispatcher';
    const body = JSON.stringify({ event: 'bench.happened', i: 0, title: 'x'.repeat(40) });
    let completions: string[] = [];
    let entries: DeliveryLogEntry[] = [];
    const waiting: Promise<unknown>[] = [];
    const walBytes = () => { try { return statSync(`${file}-wal`).size; } catch { return 0; } };
    const request = (id: string, now: Date) => ({ id, webhookKey: 'wh-1', eventAlias: 'bench.happened', body, createdAt: now, dueAt: now });
    if (viaClaim) for (let i = 0; i < BACKLOG; i++) await storage.queue.enqueue([request(`backlog_${i}`, new Date())]);
    const bound = new Map([['wh-1', 10]]);
    const leased: string[] = [];
    counts.clear();
    const wal0 = walBytes();
    console.log(`replay: measured from ${process.memoryUsage().heapUsed}`);
    for (let i = 0; i < N; i++) {
      await nextTurn();
      const id = `msg_${i}`;
      const now = new Date();
      await storage.webhooks.getSharedByAlias!('bench.happened');
      let sent = id;
      if (viaClaim) {
        await storage.queue.enqueue([request(id, now)]);
        if (leased.length === 0) for (const claimed of await storage.queue.claim({ owner, limit: 48, leaseMs: 60_000, now, excludeWebhookKeys: [], perWebhookLimit: 16, webhookLimits: bound })) leased.push(claimed.id);
        sent = leased.shift()!;
      } else await storage.queue.enqueueClaimed!([request(id, now)], { owner, leaseMs: 60_000, now, ids: [id] });
      await storage.webhooks.getShared!('wh-1');
      completions.push(sent);
      entries.push({
        key: `log_${i}`, webhookKey: 'wh-1', requestId: id, url: webhook.url, eventAlias: 'bench.happened', retryCount: 0, date: now, statusCode: 200,
        requestHeaders: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': '1700000000', 'webhook-signature': 'v1,abcdefabcdefabcdefabcdefabcdefabcdefabcdefab=' },
        requestBody: body, responseHeaders: { 'content-type': 'text/plain', 'content-length': '2' }, responseBody: 'ok', durationMs: 1, outcome: 'delivered',
      });
      if (completions.length === 8) {
        waiting.push(storage.queue.completeMany!(completions, owner));
        completions = [];
      }
      if (entries.length === 75) {
        waiting.push(storage.deliveryLog.append(entries));
        entries = [];
      }
    }
    waiting.push(storage.queue.completeMany!(completions, owner), storage.deliveryLog.append(entries));
    await Promise.all(waiting);
    const frames = (walBytes() - wal0) / (4096 + 24);
    console.log(`replay: measured to ${process.memoryUsage().heapUsed}`);
    console.log(`${N} deliveries replayed${viaClaim ? ' through claims' : ''}: ${(frames / N).toFixed(2)} WAL frames per delivery${quiet ? '' : '; statements per delivery:'}`);
    if (!quiet) {
      for (const [sql, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`${(n / N).toFixed(3).padStart(8)}  ${sql.replace(/\s+/g, ' ').slice(0, 70)}`);
    }
  } finally {
    await storage.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * `--sum-gc`: reads a `--trace-gc` run of this replay on stdin and prints the bytes allocated per
 * delivery between its two `replay: measured` lines (freed by each collection, plus the growth).
 */
async function sumGc(): Promise<void> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  let measuring = false;
  let from = 0;
  let freedMb = 0;
  let deliveries = 0;
  let bytes = 0;
  for (const line of text.split('\n')) {
    const marker = /replay: measured (from|to) (\d+)/.exec(line);
    if (marker?.[1] === 'from') [measuring, from] = [true, Number(marker[2])];
    else if (marker?.[1] === 'to') {
      bytes = freedMb * 1024 * 1024 + Number(marker[2]) - from;
      measuring = false;
    }
    const replayed = /^(\d+) deliveries replayed/.exec(line);
    if (replayed) deliveries = Number(replayed[1]);
    const gc = /(?:Scavenge|Mark-Compact|Mark-sweep)[^\d]*([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB/.exec(line);
    if (measuring && gc) freedMb += Number(gc[1]) - Number(gc[3]);
  }
  console.log(`${(bytes / deliveries / 1024).toFixed(1)} KiB allocated per delivery (${deliveries} deliveries)`);
}

if (process.argv.includes('--sum-gc')) void sumGc();
else void main();
