import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHookwork, type Hookwork } from '@hookwork/core';
import { startTestReceiver, type TestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { sqliteStorage } from '@hookwork/sqlite';
import { bullmqQueue } from './bullmq-queue';
import { within } from './testing/private-redis';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from './testing/redis-test';

const prefix = uniquePrefix('room');
let queues = 0;

/**
 * The lanes' waiting room is shared by all webhooks (WebhookLanes): one busy webhook may fill it,
 * and a second busy one still gets its share by taking the first one's newest waiting jobs.
 */
describe('two busy webhooks on BullMQ at the default concurrency', () => {
  let dir: string;
  let receiver: TestReceiver;
  let app: Hookwork | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookwork-bullmq-room-'));
    receiver = await startTestReceiver();
  });
  afterEach(async () => {
    if (app) await within(app.stop(), 20_000, () => 'app.stop()');
    app = undefined;
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await deleteKeys(prefix);
  });

  /**
   * Publishes `backlog` events to webhook a, then `shared` to a and b, with the receiver holding
   * its answers until `held` attempts are running, then answering each in 20 ms; returns the
   * paths in arrival order and the most attempts each webhook had at once.
   */
  async function run(concurrency: { global: number; perWebhook: number } | undefined, backlog: number, shared: number, held: number) {
    app = createHookwork({
      composers: [thingComposer],
      storage: sqliteStorage({ file: join(dir, 'hookwork.db') }),
      queue: bullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName: `room${++queues}`, checkDurability: false }),
      // Jobs sent back to Redis return within a second.
      settings: { ssrf: { allow: ['127.0.0.1'] }, stopTimeout: 1000, period: 1000, ...(concurrency ? { concurrency } : {}) },
    });
    await app.start();
    const waiting: Array<() => void> = [];
    let holding = true;
    const inFlight = new Map<string, number>();
    const most = new Map<string, number>();
    receiver.handler = (request, res) => {
      const now = (inFlight.get(request.path) ?? 0) + 1;
      inFlight.set(request.path, now);
      most.set(request.path, Math.max(most.get(request.path) ?? 0, now));
      const answer = () =>
        setTimeout(() => {
          inFlight.set(request.path, inFlight.get(request.path)! - 1);
          res.writeHead(204).end();
        }, 20);
      if (holding) waiting.push(answer);
      else answer();
    };
    await app.webhooks.create({ url: `${receiver.origin}/a`, events: ['thing.happened'] });
    for (let i = 0; i < backlog; i++) await app.publish(new ThingHappened(`a${i}`));
    // From now on each event goes to both: b's jobs queue behind a's backlog.
    await app.webhooks.create({ url: `${receiver.origin}/b`, events: ['thing.happened'] });
    for (let i = 0; i < shared; i++) await app.publish(new ThingHappened(`ab${i}`));
    await receiver.waitFor(held, 30_000);
    holding = false;
    for (const answer of waiting.splice(0)) answer();
    await receiver.waitFor(backlog + 2 * shared, 60_000);
    const order = receiver.requests.map((request) => request.path);
    expect(order.filter((path) => path === '/a')).toHaveLength(backlog + shared);
    expect(order.filter((path) => path === '/b')).toHaveLength(shared);
    return { order, most };
  }

  /** b's share of the deliveries from its first to its `count`th. */
  function shareOfB(order: string[], count: number): number {
    const at = order.flatMap((path, index) => (path === '/b' ? [index] : []));
    const window = order.slice(at[0], at[count - 1]! + 1);
    if (process.env.HOOKWORK_ROOM_SHARE) console.log(`b: ${count} of ${window.length}, first at ${at[0]}, last at ${at[at.length - 1]} of ${order.length}`);
    return count / window.length;
  }

  it('interleave their deliveries though the first has a backlog ahead of the second, each within perWebhook', async () => {
    // The defaults, global 64 and perWebhook 16: both held at 16 attempts, the rest waiting.
    const { order, most } = await run(undefined, 600, 100, 32);
    // From b's first delivery to its 50th, b has (about) half: both run perWebhook attempts at
    // once to the same receiver.
    expect(shareOfB(order, 50)).toBeGreaterThan(0.4);
    expect(most.get('/a')).toBeLessThanOrEqual(16);
    expect(most.get('/b')).toBeLessThanOrEqual(16);
  }, 90_000);

  /**
   * A stuck webhook a (its attempts hang for the whole test: nothing times out and frees a slot)
   * with `aJobs` published at `before`; once its 2 attempts run and `settleMs` have passed,
   * `after` is set and webhook b's 3 jobs must all arrive, while a stays at its 2.
   */
  async function stuckThenRaisedOrLowered(before: { global: number; perWebhook: number }, aJobs: number, settleMs: number, after: { global: number; perWebhook: number }): Promise<void> {
    app = createHookwork({
      composers: [thingComposer],
      storage: sqliteStorage({ file: join(dir, 'hookwork.db') }),
      queue: bullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName: `room${++queues}`, checkDurability: false }),
      settings: { ssrf: { allow: ['127.0.0.1'] }, stopTimeout: 1000, period: 1000, timeout: '00:01:00', concurrency: before },
    });
    await app.start();
    const hung: Array<() => void> = [];
    receiver.handler = (request, res) => {
      if (request.path === '/a') hung.push(() => res.writeHead(204).end());
      else res.writeHead(204).end();
    };
    try {
      await app.webhooks.create({ url: `${receiver.origin}/a`, events: ['thing.happened'] });
      for (let i = 0; i < aJobs; i++) await app.publish(new ThingHappened(`a${i}`));
      await receiver.waitFor(2, 30_000);
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      app.updateSettings({ concurrency: after });
      await app.webhooks.create({ url: `${receiver.origin}/b`, events: ['thing.happened'] });
      // The first of b's jobs may be taken by a fetch BullMQ had already begun; the next ones need
      // fetches the Worker makes after the change.
      for (let i = 0; i < 3; i++) await app.publish(new ThingHappened(`b${i}`));
      const ofB = () => receiver.requests.filter((request) => request.path === '/b').length;
      const deadline = Date.now() + 20_000;
      while (ofB() < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(ofB()).toBe(3);
      expect(receiver.requests.filter((request) => request.path === '/a')).toHaveLength(2);
    } finally {
      for (const answer of hung.splice(0)) answer();
    }
  }

  it('shrink the room when updateSettings() lowers global, so a stuck webhook still leaves the Worker a fetch for another', async () => {
    // a runs its 2 attempts (hung) and its jobs fill the room of 8: the Worker (2 × 8) still fetches.
    // Lowered, the Worker fetches up to 2 × 3 = 6 jobs: with a's 2 running and 8 waiting kept, it
    // would fetch nothing until a's attempts time out (a minute), though a global slot is free.
    await stuckThenRaisedOrLowered({ global: 8, perWebhook: 2 }, 30, 1500, { global: 3, perWebhook: 2 });
  }, 90_000);

  it('fetch at once when updateSettings() raises global while a stuck webhook holds every Worker slot', async () => {
    // perWebhook = global: the Worker runs 2, both a's attempts, and waits for one to end before it
    // fetches. Raised, Worker concurrency 16: it must fetch b's jobs now, not once a's attempts time out.
    await stuckThenRaisedOrLowered({ global: 2, perWebhook: 2 }, 5, 500, { global: 8, perWebhook: 2 });
  }, 90_000);

  it("share freed global slots: a room full of the first webhook's jobs makes way for the second's", async () => {
    // global binds: a alone may take 3 of the 4 slots. Were b's jobs turned away from a room a's
    // backlog fills, every freed slot would go to a's waiting jobs until a's backlog is done.
    const { order, most } = await run({ global: 4, perWebhook: 3 }, 200, 50, 4);
    expect(shareOfB(order, 25)).toBeGreaterThan(0.35);
    expect(most.get('/a')).toBeLessThanOrEqual(3);
  }, 90_000);
});
