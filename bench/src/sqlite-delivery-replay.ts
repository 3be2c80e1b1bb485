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
for (const method of ['run', 'get', 'all']) {
  const original = statementProto[method]!;
  statementProto[method] = function (this: { source: string }, ...args: unknown[]) {
    const key = this.source.replace(/\s+/g, ' ').slice(0, 70);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return original.apply(this, args);
  };
}

const N = Number(process.argv[2] ?? 2000);
const quiet = process.argv.includes('--quiet');
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
    counts.clear();
    const wal0 = walBytes();
    for (let i = 0; i < N; i++) {
      await nextTurn();
      const id = `msg_${i}`;
      const now = new Date();
      await storage.webhooks.getSharedByAlias!('bench.happened');
      await storage.queue.enqueueClaimed!([{ id, webhookKey: 'wh-1', eventAlias: 'bench.happened', body, createdAt: now, dueAt: now }], { owner, leaseMs: 60_000, now, ids: [id] });
      await storage.webhooks.getShared!('wh-1');
      completions.push(id);
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
    if (!quiet) {
      console.log(`${N} deliveries replayed: ${(frames / N).toFixed(2)} WAL frames per delivery; statements per delivery:`);
      for (const [sql, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`${(n / N).toFixed(3).padStart(8)}  ${sql}`);
    }
  } finally {
    await storage.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

void main();
