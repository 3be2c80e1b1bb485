import { memoryStorage } from '@hookwork/core';
import { describeKeyRulesContract, describeQueueEngineContract, queueEngineHarness } from '@hookwork/core/testing';
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

afterAll(async () => {
  await deleteKeys(prefix);
});
