/**
 * An app on the memory store (the default when only `queue` is given) and a BullMQ queue, in a
 * process of its own, for queue-claim.test.ts: it starts, prints one JSON line, and runs until it
 * is killed (SIGKILL: no stop(), so its claim on the queue is left in Redis). Runs as built JS
 * (dist/test-fixtures/memory-store-app.js).
 *
 *   node memory-store-app.js <redis URL> <prefix> <queueName>
 */
import 'reflect-metadata';
import { createHookwork, silentLogger } from '@hookwork/core';
import { thingComposer } from '@hookwork/core/testing';
import { bullmqQueue } from '../bullmq-queue';

const [connection, prefix, queueName] = process.argv.slice(2);

const app = createHookwork({ composers: [thingComposer], logger: silentLogger, queue: bullmqQueue({ connection: connection!, prefix: prefix!, queueName: queueName!, checkDurability: false }) });
app.start().then(
  () => {
    console.log(JSON.stringify({ started: true }));
    // Kept alive until killed: the app's own handles are unref'd where they can be.
    setInterval(() => {}, 60_000);
  },
  (error: { code?: string; message?: string }) => console.log(JSON.stringify({ code: error.code, message: error.message })),
);
