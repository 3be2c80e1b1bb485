/**
 * A separate process whose BullMQ start fails, for failed-start.test.ts: what the test watches is
 * whether the process then ends by itself (no connection left open) and without an unhandled
 * error. Runs as built JS (dist/test-fixtures/failed-start.js); prints one JSON line, the error.
 *
 *   node failed-start.js app <connection JSON> <prefix>       an app's start()
 *   node failed-start.js clients <connection JSON> <prefix>   RedisClients itself, past bullmqQueue()'s checks
 */
import 'reflect-metadata';
import { createHookwork, silentLogger } from '@hookwork/core';
import { thingComposer } from '@hookwork/core/testing';
import { bullmqQueue } from '../bullmq-queue';
import { RedisClients } from '../redis-connection';

const [mode, connectionJson, prefix] = process.argv.slice(2);
const connection = JSON.parse(connectionJson!) as never;

async function main(): Promise<void> {
  if (mode === 'app') {
    const app = createHookwork({ composers: [thingComposer], logger: silentLogger, queue: bullmqQueue({ connection, prefix: prefix!, queueName: 'failed-start', checkDurability: false }) });
    await app.start();
  } else {
    const redis = new RedisClients(connection, `${prefix}:failed-start`, 2000);
    await redis.connect();
    redis.disconnect();
  }
}

main().then(
  () => console.log(JSON.stringify({ started: true })),
  (error: { code?: string; message?: string }) => console.log(JSON.stringify({ code: error.code, message: error.message })),
);
