import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHookwork, type Hookwork } from '@hookwork/core';
import { startTestReceiver, type TestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { sqliteStorage } from '@hookwork/sqlite';
import { Redis } from 'ioredis';
import { bullmqQueue } from './bullmq-queue';
import { startPrivateRedis, within, type PrivateRedis } from './testing/private-redis';

/**
 * A publish to several webhooks is one MULTI of BullMQ's add scripts (FlowProducer.addBulk), sent
 * as EVALSHA once the connection has loaded them. After a SCRIPT FLUSH — on a Redis of the test's
 * own: on the shared one it would break other tests' batches — Redis refuses each inside the EXEC.
 */
describe('BullMQ after SCRIPT FLUSH', () => {
  let dir: string;
  let receiver: TestReceiver;
  let server: PrivateRedis;
  let app: Hookwork | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookwork-bullmq-flush-'));
    receiver = await startTestReceiver();
    server = await startPrivateRedis();
  });
  afterEach(async () => {
    if (app) await within(app.stop(), 20_000, () => 'app.stop()');
    app = undefined;
    await receiver.close();
    await server.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores and delivers a publish to several webhooks, which resolved with nothing stored', async () => {
    app = createHookwork({
      composers: [thingComposer],
      storage: sqliteStorage({ file: join(dir, 'hookwork.db') }),
      queue: bullmqQueue({ connection: server.url, checkDurability: false }),
      settings: { ssrf: { allow: ['127.0.0.1'] }, stopTimeout: 1000 },
    });
    await app.start();
    await app.webhooks.create({ url: `${receiver.origin}/a`, events: ['thing.happened'] });
    await app.webhooks.create({ url: `${receiver.origin}/b`, events: ['thing.happened'] });
    // The connection loads BullMQ's add scripts (EVAL), then sends them by their SHA.
    await app.publish(new ThingHappened('before'));
    await receiver.waitFor(2, 10_000);
    const admin = new Redis(server.url, { lazyConnect: true, disconnectTimeout: 0 });
    try {
      await admin.connect();
      await admin.script('FLUSH');
    } finally {
      admin.disconnect();
    }
    // Resolved with every request stored, none was: a fan-out lost without a word.
    await app.publish(new ThingHappened('after'));
    await app.publish(new ThingHappened('again'));
    await receiver.waitFor(6, 10_000).catch(() => undefined);
    expect(receiver.requests).toHaveLength(6);
    await app.drain();
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  }, 30_000);
});
