/**
 * A separate process for the full-disk test, started under a file-size limit (`ulimit -f`: Node
 * ignores SIGXFSZ, so a write past the limit fails with EFBIG, as on a full disk or quota): it
 * publishes 100 KB requests until one is refused, then reports the refusal and what the store
 * holds. Runs as built JS (dist/test-fixtures/full-disk-worker.js).
 *
 *   bash -c 'ulimit -f <KiB>; exec node full-disk-worker.js <store file>'
 */
import 'reflect-metadata';
import { contractRequest, reportLine } from '@hookwork/core/testing';
import { openSqliteStorage } from '../sqlite-storage';

async function main(): Promise<void> {
  const storage = openSqliteStorage({ file: process.argv[2]! });
  const body = JSON.stringify({ text: 'x'.repeat(100_000) });
  const stored: string[] = [];
  let refusal: { code?: unknown; message: string; causeCode?: unknown; causeMessage?: string } | undefined;
  for (let i = 0; i < 1000 && !refusal; i++) {
    try {
      await storage.queue.enqueue([contractRequest(`r${i}`, { body })]);
      stored.push(`r${i}`);
    } catch (error) {
      const cause = (error as { cause?: { code?: unknown; message?: string } }).cause;
      refusal = { code: (error as { code?: unknown }).code, message: (error as Error).message, causeCode: cause?.code, causeMessage: cause?.message };
    }
  }
  const counts = await storage.queue.counts();
  reportLine({ type: 'done', refusal, stored, counts });
  await storage.close();
}

void main();
