import { createHookwork, memoryStorage, type Logger, type StorageBackend } from '@hookwork/core';
import { thingComposer } from '@hookwork/core/testing';
import { bullmqQueue } from './bullmq-queue';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from './testing/redis-test';

const prefix = uniquePrefix('volatile');
let apps = 0;
afterAll(() => deleteKeys(prefix));

/** Starts and stops an app on a BullMQ queue; returns the lines its logger was told about a store in memory. */
async function startLines(storage: StorageBackend | undefined): Promise<{ level: string; message: string }[]> {
  const lines: { level: string; message: string }[] = [];
  const record = (level: string) => (message: string) => void lines.push({ level, message });
  const logger: Logger = { debug() {}, info: record('info'), warn: record('warn'), error: record('error') };
  const app = createHookwork({ composers: [thingComposer], logger, queue: bullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName: `q${++apps}`, checkDurability: false }), ...(storage ? { storage } : {}) });
  await app.start();
  await app.stop();
  return lines.filter((line) => /in memory/.test(line.message));
}

describe('a BullMQ queue with the in-memory store', () => {
  it('warns at start when no storage was given: the queue keeps its requests in Redis, while the webhooks and the log are lost at exit', async () => {
    // It started without a word: after a restart the queue's requests belonged to webhooks that were gone.
    expect(await startLines(undefined)).toEqual([
      {
        level: 'warn',
        message: expect.stringMatching(/^no storage was given, so webhooks and the delivery log are kept in memory and lost when the process exits, while the bullmq queue keeps its requests: .*; give a durable store: createHookwork\({ storage: sqliteStorage\({ file }\) }\) from @hookwork\/sqlite, or postgresStorage\({ connectionString }\) from @hookwork\/postgres$/),
      },
    ]);
  });

  it('says so at info when memoryStorage() was chosen', async () => {
    expect(await startLines(memoryStorage())).toEqual([{ level: 'info', message: expect.stringMatching(/^the memory store keeps webhooks and the delivery log in memory, lost when the process exits, while the bullmq queue keeps its requests; to keep them all, give a durable store: .*sqliteStorage/) }]);
  });
});
