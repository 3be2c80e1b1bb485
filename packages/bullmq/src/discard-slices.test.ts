import type { NewWebhookRequest, QueueEngine, Settlement } from '@hookwork/core';
import { engineRequest } from '@hookwork/core/testing';
import { bullmqQueue } from './bullmq-queue';
import { Redis } from 'ioredis';
import { startPrivateRedis, type PrivateRedis } from './testing/private-redis';
import { standaloneEngineContext } from './testing/redis-test';

// discard() (a webhook's deletion, and each keyed creation) read every waiting, delayed and dead
// job in one script: against a queue of a million jobs Redis, single-threaded, answered nobody
// else for about a second per call. It reads a slice of a state per script call now (1,000 ids,
// KEYS_SLICE); here each state spans several slices, and the key's jobs are spread over them with
// the oldest anywhere. What each script read is Redis's own record: a redis-server of the test's
// own logs every command (SLOWLOG, no threshold), those a script calls among them, the script
// itself after its own.

let server: PrivateRedis;
let admin: Redis | undefined;
const engines: QueueEngine<unknown>[] = [];
const open = () => bullmqQueue({ connection: server.url, prefix: 'hookwork', queueName: 'q', checkDurability: false }).open(standaloneEngineContext());

beforeAll(async () => {
  server = await startPrivateRedis({ 'slowlog-log-slower-than': '0', 'slowlog-max-len': '100000' });
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close?.()));
});
afterAll(async () => {
  admin?.disconnect();
  await server.remove();
});

/** Slice size of the engine's scripts (KEYS_SLICE). */
const SLICE = 1000;
const byAge = (a: NewWebhookRequest, b: NewWebhookRequest) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

it('discard finds every job of the key across slices of every state, oldest first, and no script call reads more than a slice', async () => {
  const t = Date.now();
  const cut = new Date(t - 1);
  // Three dead letters, made by an engine of their own.
  const dead = [0, 1, 2].map((i) => engineRequest(`dead${i}`, { createdAt: new Date(t - 50_000 + i) }));
  const dying = await open();
  engines.push(dying);
  let died = 0;
  const allDead = new Promise<void>((resolve) => {
    void dying.start({
      async handle(): Promise<Settlement> {
        return { verdict: { kind: 'dead', attempts: 1, lastError: 'HTTP 400' }, settled: () => void (++died === dead.length && resolve()) };
      },
    });
  });
  await dying.enqueue(dead);
  dying.wake();
  await allDead;
  await dying.close?.();

  // 1,500 waiting and 1,200 delayed (none started), every third wh-1's, created in an order the
  // queue's does not follow (some in one millisecond: then by id); a few of wh-1's after the cut.
  const later = new Date(t + 3_600_000);
  const queued = Array.from({ length: 2700 }, (_, i) => {
    const mine = i % 3 === 0;
    const createdAt = mine && i % 300 === 0 ? new Date(t + 1_000) : new Date(t - 10_000 - ((i * 7919) % 1000));
    return engineRequest(`j${i}`, { webhookKey: mine ? 'wh-1' : 'wh-2', createdAt, ...(i >= 1500 ? { dueAt: later } : {}) });
  });
  const engine = await open();
  engines.push(engine);
  for (let i = 0; i < queued.length; i += 500) await engine.enqueue(queued.slice(i, i + 500));

  admin = new Redis(server.url);
  await admin.slowlog('RESET');
  const expected = [...dead, ...queued.filter((r) => r.webhookKey === 'wh-1' && r.createdAt <= cut)].sort(byAge).map((r) => r.id);
  expect(expected.length).toBeGreaterThan(2 * 400);
  const discarded: string[] = [];
  for (let calls = 0; ; calls++) {
    const batch = await engine.discard!('wh-1', cut, 400);
    discarded.push(...batch.map((r) => r.id));
    if (calls === 0) {
      // The first call's job reads (a job's name, data and timestamp) by script call, oldest
      // command first: a script's own commands are logged before it, after the script before.
      const log = ((await admin.slowlog('GET', -1)) as [number, number, number, string[]][]).reverse();
      const runs: number[] = [];
      let reads = 0;
      for (const [, , , [command, , ...args]] of log) {
        if (/^EVAL/i.test(command!)) {
          if (reads > 0) runs.push(reads);
          reads = 0;
        } else if (/^HMGET$/i.test(command!) && args.join() === 'name,data,timestamp') reads++;
      }
      expect({ read: runs.reduce((sum, n) => sum + n, 0), most: Math.max(...runs) }).toEqual({ read: dead.length + queued.length, most: SLICE });
    }
    if (batch.length < 400) break;
  }
  expect(discarded).toEqual(expected);
  expect(await engine.counts({ webhookKey: 'wh-1' })).toEqual({ pending: queued.filter((r) => r.webhookKey === 'wh-1' && r.createdAt > cut).length, inFlight: 0, dead: 0 });
  expect(await engine.counts({ webhookKey: 'wh-2' })).toEqual({ pending: queued.filter((r) => r.webhookKey === 'wh-2').length, inFlight: 0, dead: 0 });
});
