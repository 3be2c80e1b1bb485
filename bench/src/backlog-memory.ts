/**
 * Memory with a large backlog in the SQLite queue: enqueue 100,000 pending requests, then claim
 * and complete them in batches as the dispatcher does, sampling RSS and heap. The target
 * (issue 5): the backlog raises memory by no more than ~100 MB, because claims read batches,
 * never the whole queue. The in-memory queue is measured beside it for reference (it holds
 * every request in RAM by design).
 *
 * `npm run bench` runs it in a child process of its own (clean memory figures); alone:
 *   npm run build && node bench/dist/backlog-memory.js [count]
 *
 * Prints its settings, a table, and one JSON line with every figure. Not a test: no pass/fail.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryStorage, systemClock, silentLogger, type NewWebhookRequest, type Storage } from '@hookwork/core';
import { sqliteStorage } from '@hookwork/sqlite';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  // Memory figures need a forced collection before each baseline: rerun with --expose-gc.
  const rerun = spawnSync(process.execPath, ['--expose-gc', ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(rerun.status ?? 1);
}

const COUNT = Number(process.argv[2] ?? 100_000);
const ENQUEUE_BATCH = 1000;
const CLAIM_BATCH = 100;
const MB = 1024 * 1024;

interface Figures {
  backend: string;
  count: number;
  rssBaselineMB: number;
  rssAfterEnqueueMB: number;
  peakRssGrowthMB: number;
  heapGrowthAfterEnqueueMB: number;
  peakHeapGrowthMB: number;
  enqueuePerSec: number;
  claimCompletePerSec: number;
  fileMB?: number;
}

const round = (n: number) => Math.round(n * 10) / 10;

function payload(i: number): string {
  return JSON.stringify({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, name: `Page ${i}`, contentType: 'article', culture: 'en-US', url: `/articles/page-${i}`, updatedAt: new Date(0).toISOString() });
}

async function measure(backend: string, storage: Storage, file?: string): Promise<Figures> {
  gc!();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };

  const t0 = Date.now();
  const enqueueStart = performance.now();
  for (let i = 0; i < COUNT; i += ENQUEUE_BATCH) {
    const batch: NewWebhookRequest[] = [];
    for (let j = i; j < Math.min(COUNT, i + ENQUEUE_BATCH); j++) {
      batch.push({ id: `msg_${j}`, webhookKey: `wh-${j % 10}`, eventAlias: 'contentPublished', body: payload(j), createdAt: new Date(t0), dueAt: new Date(t0 + j) });
    }
    await storage.queue.enqueue(batch);
    sample();
  }
  const enqueueMs = performance.now() - enqueueStart;
  gc!();
  const afterEnqueue = process.memoryUsage();

  const drainStart = performance.now();
  let done = 0;
  for (;;) {
    const claimed = await storage.queue.claim({ owner: 'bench', limit: CLAIM_BATCH, leaseMs: 60_000, now: new Date(t0 + COUNT) });
    if (claimed.length === 0) break;
    for (const r of claimed) await storage.queue.complete(r.id, 'bench');
    done += claimed.length;
    sample();
  }
  const drainMs = performance.now() - drainStart;
  if (done !== COUNT) throw new Error(`claimed ${done} of ${COUNT}`);

  return {
    backend,
    count: COUNT,
    rssBaselineMB: round(base.rss / MB),
    rssAfterEnqueueMB: round(afterEnqueue.rss / MB),
    peakRssGrowthMB: round((peakRss - base.rss) / MB),
    heapGrowthAfterEnqueueMB: round((afterEnqueue.heapUsed - base.heapUsed) / MB),
    peakHeapGrowthMB: round((peakHeap - base.heapUsed) / MB),
    enqueuePerSec: Math.round(COUNT / (enqueueMs / 1000)),
    claimCompletePerSec: Math.round(COUNT / (drainMs / 1000)),
    ...(file ? { fileMB: round((statSync(file).size + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0)) / MB) } : {}),
  };
}

async function main(): Promise<void> {
  console.log(`backlog-memory: ${COUNT} pending requests, enqueued in batches of ${ENQUEUE_BATCH}, claimed and completed in batches of ${CLAIM_BATCH}; node ${process.version}`);
  const dir = mkdtempSync(join(tmpdir(), 'hookwork-bench-'));
  const results: Figures[] = [];
  try {
    const file = join(dir, 'backlog.db');
    const sqlite = await sqliteStorage({ file }).open({ logger: silentLogger, clock: systemClock });
    results.push(await measure('sqlite (WAL, synchronous=normal)', sqlite, file));
    await sqlite.close();
    const memory = await memoryStorage().open({ logger: silentLogger, clock: systemClock });
    results.push(await measure('memory', memory));
    await memory.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.table(results);
  console.log(JSON.stringify({ bench: 'backlog-memory', results }));
}

void main();
