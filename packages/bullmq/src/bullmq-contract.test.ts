import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryStorage } from '@hookwork/core';
import { describeConcurrentCallersContract, describeKeyRulesContract, describeQueueEngineContract, queueEngineHarness } from '@hookwork/core/testing';
import { sqliteStorage } from '@hookwork/sqlite';
import { bullmqQueue } from './bullmq-queue';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from './testing/redis-test';

// Every harness gets a queue of its own under this file's prefix; all its keys are deleted after.
const prefix = uniquePrefix('contract');
let queues = 0;

describeQueueEngineContract(
  'bullmq',
  () => queueEngineHarness(bullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName: `q${++queues}`, checkDurability: false }), memoryStorage()),
);

describeKeyRulesContract('bullmq', () => ({
  subject: { storage: memoryStorage(), queue: bullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName: `q${++queues}`, checkDurability: false }) },
}));

// BullMQ keeps requests; the webhooks and their health stay in the storage backend (SQLite here).
describeConcurrentCallersContract('bullmq on sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookwork-bullmq-concurrent-'));
  return {
    subject: { storage: sqliteStorage({ file: join(dir, 'hookwork.db') }), queue: bullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName: `q${++queues}`, checkDurability: false }) },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

afterAll(async () => {
  await deleteKeys(prefix);
});
