import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHookwork, isHookworkError, type Hookwork, type Logger } from '@hookwork/core';
import { startTestReceiver, type TestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { sqliteStorage } from '@hookwork/sqlite';
import { Redis } from 'ioredis';
import { bullmqQueue } from './bullmq-queue';
import { fillRedis, startPrivateRedis, within, type PrivateRedis } from './testing/private-redis';

function recordingLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const record = (level: string) => (message: string) => void lines.push({ level, message });
  return { lines, debug: () => {}, info: record('info'), warn: record('warn'), error: record('error') };
}

/** A Redis with `maxmemory` reached and `noeviction` (its own: the shared one is never filled). */
describe('BullMQ on a full Redis', () => {
  let dir: string;
  let receiver: TestReceiver;
  let server: PrivateRedis;
  let admin: Redis;
  let app: Hookwork | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookwork-bullmq-full-'));
    receiver = await startTestReceiver();
    server = await startPrivateRedis({ 'maxmemory-policy': 'noeviction' });
    admin = new Redis(server.url, { disconnectTimeout: 0 });
  });
  afterEach(async () => {
    if (app) await within(app.stop(), 20_000, () => 'app.stop()');
    app = undefined;
    admin.disconnect();
    await receiver.close();
    await server.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails a publish (to one webhook and to several) coded, saying Redis is full and what frees it, and stores nothing', async () => {
    const logger = recordingLogger();
    app = createHookwork({
      composers: [thingComposer],
      logger,
      storage: sqliteStorage({ file: join(dir, 'hookwork.db') }),
      queue: bullmqQueue({ connection: server.url, checkDurability: false }),
      settings: { ssrf: { allow: ['127.0.0.1'] }, stopTimeout: 1000 },
    });
    await app.start();
    await app.webhooks.create({ url: `${receiver.origin}/a`, events: ['thing.happened'] });
    await fillRedis(admin);
    const refusal = async () => app!.publish(new ThingHappened('full')).then(() => undefined, (error: unknown) => error);
    const single = await refusal();
    // Two webhooks: one MULTI, which Redis aborts whole (EXECABORT, "previous errors") — the OOM was said only there.
    await app.webhooks.create({ url: `${receiver.origin}/b`, events: ['thing.happened'] });
    const batch = await refusal();
    for (const error of [batch, single]) {
      expect(isHookworkError(error, 'HOOKWORK_ERR_ENQUEUE_FAILED')).toBe(true);
      expect((error as Error).message).toMatch(/Redis is full: .*maxmemory.*raise maxmemory .*keepDeadLettersForDays.*nothing of them was stored — publish again once Redis has room$/);
      expect((error as Error).message).not.toMatch(/EXECABORT|user_script/);
    }
    // The Worker's own writes (its fetches, the stalled-job check) are refused too: said as such,
    // not as BullMQ's error with the whole Lua script it ran.
    const full = () => logger.lines.filter((line) => line.level === 'error' && /HOOKWORK_ERR_REDIS_UNAVAILABLE: .*refused a move.*Redis is full: .*raise maxmemory/.test(line.message));
    for (const deadline = Date.now() + 20_000; full().length === 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(full().length).toBeGreaterThan(0);
    expect(logger.lines.filter((line) => /redis\.call|local /.test(line.message))).toEqual([]);
    await admin.config('SET', 'maxmemory', '0');
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    expect(receiver.requests).toHaveLength(0);
    await app.publish(new ThingHappened('room again'));
    await receiver.waitFor(2, 10_000);
  }, 30_000);
});
