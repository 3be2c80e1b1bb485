/**
 * A separate process that claims requests from a SQLite store, for the crash-safety tests.
 * Runs as built JS (dist/test-fixtures/claim-worker.js). Reports on stdout, one JSON line per
 * event, each written with a blocking write (reportLine), so a line written is a line the test
 * sees, even when the process is killed right after.
 *
 *   node claim-worker.js hold <file> <owner> <limit> <leaseMs>   claim once, then wait to be killed
 *   node claim-worker.js loop <file> <owner> <batch> <leaseMs> <holdMs>
 *       claim and complete until nothing is pending or in flight (waits for "go" on stdin first)
 */
import 'reflect-metadata';
import { reportLine } from '@hookwork/core/testing';
import { openSqliteStorage } from '../sqlite-storage';

const [mode, file, owner, limitText, leaseText, holdText] = process.argv.slice(2);
const limit = Number(limitText);
const leaseMs = Number(leaseText);
const holdMs = Number(holdText ?? 0);

const emit = reportLine;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function hold(): Promise<void> {
  const storage = openSqliteStorage({ file: file! });
  const claimed = await storage.queue.claim({ owner: owner!, limit, leaseMs, now: new Date() });
  emit({ type: 'claimed', ids: claimed.map((r) => r.id), leaseExpiresAt: claimed[0]?.leaseExpiresAt?.getTime() });
  // Keep the process (and its claims) alive until the test kills it.
  setInterval(() => {}, 60_000);
}

async function loop(): Promise<void> {
  const storage = openSqliteStorage({ file: file!, busyTimeoutMs: 10_000 });
  emit({ type: 'ready' });
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  for (;;) {
    const claimed = await storage.queue.claim({ owner: owner!, limit, leaseMs, now: new Date() });
    if (claimed.length === 0) {
      const counts = await storage.queue.counts();
      if (counts.pending + counts.inFlight === 0) break;
      const next = (await storage.queue.nextDueAt())?.getTime() ?? Date.now() + 50;
      await sleep(Math.min(Math.max(next - Date.now(), 5), 100));
      continue;
    }
    const at = Date.now();
    for (const r of claimed) emit({ type: 'claimed', id: r.id, at, leaseExpiresAt: r.leaseExpiresAt!.getTime() });
    for (const r of claimed) {
      if (holdMs > 0) await sleep(holdMs);
      const ok = await storage.queue.complete(r.id, owner!);
      emit({ type: 'completed', id: r.id, ok, at: Date.now(), request: { ...r, createdAt: r.createdAt.getTime(), dueAt: r.dueAt.getTime() } });
    }
  }
  await storage.close();
  emit({ type: 'done' });
  process.exit(0);
}

(mode === 'hold' ? hold() : loop()).catch((error: unknown) => {
  emit({ type: 'error', message: (error as Error).message });
  process.exit(1);
});
