import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestReceiver, type TestReceiver } from '../testing';
import { queueOf, startTestApp, ThingHappened } from '../test-support/test-app';
import { MemoryDeliveryLog, MemoryRequestQueue, MemoryWebhookRepository } from '../storage/memory/memory-storage';
import type { Hookwork, StorageBackend } from '../index';
import type { QueueEngine } from '../ports/queue-engine';
import { drainQueue, MAX_TRACKED_REQUESTS, OwnRequests } from './drain';

/** One in-memory store that two apps open in turn, as two runs of a script open one SQLite file. */
function durableMemory(): StorageBackend {
  const storage = { webhooks: new MemoryWebhookRepository(), queue: new MemoryRequestQueue(), deliveryLog: new MemoryDeliveryLog(), async close() {} };
  return { name: 'durable-memory', capabilities: { transactionalEnqueue: false, leaseRenewal: true, shared: false, crossProcessWake: false }, open: async () => storage };
}

describe('drain()', () => {
  let receiver: TestReceiver;
  const apps: Hookwork[] = [];
  beforeEach(async () => {
    receiver = await startTestReceiver((request, res) => void res.writeHead(request.path === '/down' ? 503 : 204).end());
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.stop();
    await receiver.close();
  });

  it('waits by default only for this app\'s own requests, not a retry an earlier run left in the store', async () => {
    const storage = durableMemory();
    // An earlier run: its request failed and is due again in an hour.
    const earlier = await startTestApp({ storage, settings: { retrySchedule: [3_600_000] } });
    const down = await earlier.webhooks.create({ url: `${receiver.origin}/down`, events: ['thing.happened'] });
    await earlier.publish(new ThingHappened('left over'));
    await receiver.waitFor(1);
    await earlier.stop();

    const app = await startTestApp({ storage });
    apps.push(app);
    const up = await app.webhooks.create({ url: `${receiver.origin}/up`, events: ['thing.happened'] });
    const enqueued = new Promise<string[]>((resolve) => app.lifecycle.once('enqueued', (requests) => resolve(requests.map((r) => r.requestId))));
    await app.publish(new ThingHappened('mine'));
    const [mine] = await enqueued;

    // Before, this waited 30 s for the leftover and failed.
    await app.drain({ timeoutMs: 10_000 });
    expect((await app.logs(up.key)).items.map((e) => e.outcome)).toEqual(['delivered']);
    await app.drain({ requestIds: [mine!], timeoutMs: 10_000 });
    await app.drain({ webhookKey: up.key, timeoutMs: 10_000 });

    // Asked for explicitly, the leftover is waited for, and the timeout says what is left.
    await expect(app.drain({ webhookKey: down.key, timeoutMs: 300 })).rejects.toThrow(/HOOKWORK_ERR_DRAIN_TIMEOUT: the queue was not drained within 300 ms: webhook .* has 1 pending and 0 in flight/);
    await expect(app.drain({ all: true, timeoutMs: 300 })).rejects.toThrow(/the queue has 1 pending and 0 in flight/);
  });

  it('refuses options of the wrong kind, and keys that are not options, instead of a quiet no-op', async () => {
    const app = await startTestApp();
    apps.push(app);
    await expect(app.drain({ timeoutMs: -1 })).rejects.toThrow(/HOOKWORK_ERR_INVALID_ARGUMENT: drain\(\) was given timeoutMs -1/);
    // Named as given: NaN (an unset variable read with Number()) was "was given timeoutMs null".
    await expect(app.drain({ timeoutMs: Number.NaN })).rejects.toThrow(/drain\(\) was given timeoutMs NaN, not a number of milliseconds >= 0/);
    await expect(app.drain({ timeoutMs: -Infinity })).rejects.toThrow(/drain\(\) was given timeoutMs -Infinity,/);
    await expect(app.drain({ timeout: 1 } as never)).rejects.toThrow(
      'HOOKWORK_ERR_INVALID_ARGUMENT: drain(): unknown option `timeout` (did you mean `timeoutMs`?); the options are `timeoutMs`, `requestIds`, `webhookKey`, `all`',
    );
    await expect(app.drain({ requestIds: 'msg_x' as never })).rejects.toThrow(/requestIds that are not a list/);
    await expect(app.drain({ webhookKey: 'k', all: true })).rejects.toThrow(/more than one of requestIds, webhookKey and all/);
  });

  // A typo returned at once, as though everything were delivered ("a typo must not read as all is well").
  it('refuses a webhook key and request ids that nothing knows; a request delivered and gone is done', async () => {
    const app = await startTestApp();
    apps.push(app);
    const up = await app.webhooks.create({ url: `${receiver.origin}/up`, events: ['thing.happened'] });
    await expect(app.drain({ webhookKey: 'nope' })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND' });
    const unknown = await app.drain({ requestIds: ['nope', 'nope', 'msg_none'] }).then(() => undefined, (e: Error & { details?: unknown }) => e);
    // The option at fault is named, as every coded input refusal names its field.
    expect(unknown).toMatchObject({ code: 'HOOKWORK_ERR_REQUEST_NOT_FOUND', details: [{ field: 'requestIds', problem: expect.stringMatching(/^holds "nope", "msg_none", which no queued request and no delivery log entry has/), ids: ['nope', 'msg_none'] }] });
    expect(unknown!.message).toMatch(/drain\(\) was given request ids "nope", "msg_none" that no queued request and no delivery log entry has/);

    const enqueued = new Promise<string[]>((resolve) => app.lifecycle.once('enqueued', (requests) => resolve(requests.map((r) => r.requestId))));
    await app.publish(new ThingHappened('delivered'));
    const [id] = await enqueued;
    await app.drain({ timeoutMs: 10_000 });
    // Delivered, so gone from the queue: known by its log entry, and done.
    expect(await queueOf(app).get(id!)).toBeUndefined();
    await app.drain({ requestIds: [id!], timeoutMs: 10_000 });
    await expect(app.drain({ requestIds: [id!, 'nope'], timeoutMs: 10_000 })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_REQUEST_NOT_FOUND', details: [{ field: 'requestIds', ids: ['nope'] }] });
    await app.drain({ webhookKey: up.key, timeoutMs: 10_000 });
  });

  it('gives up naming the requests it waited for, their webhook, next attempt and last error, not only a count', async () => {
    const app = await startTestApp({ settings: { retrySchedule: [3_600_000] } });
    apps.push(app);
    const down = await app.webhooks.create({ url: `${receiver.origin}/down`, events: ['thing.happened'] });
    const enqueued = new Promise<string[]>((resolve) => app.lifecycle.once('enqueued', (requests) => resolve(requests.map((r) => r.requestId))));
    await app.publish(new ThingHappened('failing'));
    const [id] = await enqueued;
    // The first attempt is over (logged) before drain looks: its request waits an hour for the next.
    while ((await app.logs(down.key)).total === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const error = await app.drain({ timeoutMs: 0 }).then(() => undefined, (e: Error) => e);
    expect(error).toMatchObject({ code: 'HOOKWORK_ERR_DRAIN_TIMEOUT' });
    // One request counted as one, not "1 … are".
    expect(error!.message).toMatch(/^HOOKWORK_ERR_DRAIN_TIMEOUT: the queue was not drained within 0 ms: 1 of this app's requests is not settled — /);
    await expect(app.drain({ requestIds: [id!], timeoutMs: 0 })).rejects.toThrow(`the queue was not drained within 0 ms: 1 of the given requests is not settled (${id})`);
    expect(error!.message).toMatch(new RegExp(`msg_\\w+ of webhook ${down.key}: pending, attempt 2 due \\d{4}-.*Z \\(last error: .*503`));
    expect(error!.message).toMatch(/the webhook may be disabled or its circuit breaker open/);
  });

  it('under way when stop() begins, ends with HOOKWORK_ERR_APP_STOPPED, whatever it waits for, not a timeout', async () => {
    const app = await startTestApp({ settings: { retrySchedule: [3_600_000] } });
    const down = await app.webhooks.create({ url: `${receiver.origin}/down`, events: ['thing.happened'] });
    const enqueued = new Promise<string[]>((resolve) => app.lifecycle.once('enqueued', (requests) => resolve(requests.map((r) => r.requestId))));
    await app.publish(new ThingHappened('retried in an hour'));
    const ids = await enqueued;
    await receiver.waitFor(1);
    // A drain given much longer than the stop takes: it used to wait all of it (memory) or fail on
    // the store stop() closed, as HOOKWORK_ERR_STORAGE (SQLite, PostgreSQL, Redis).
    const timeoutMs = 3_000;
    const drains = [{ timeoutMs }, { all: true, timeoutMs }, { webhookKey: down.key, timeoutMs }, { requestIds: ids, timeoutMs }].map((options) => app.drain(options).then(() => 'resolved', (error: { code?: string }) => error.code));
    await app.stop();
    expect(await Promise.all(drains)).toEqual(['HOOKWORK_ERR_APP_STOPPED', 'HOOKWORK_ERR_APP_STOPPED', 'HOOKWORK_ERR_APP_STOPPED', 'HOOKWORK_ERR_APP_STOPPED']);
  });

  it('waits for a dead letter of its own while core reads its webhook again after the write, though the store lists it dead already', async () => {
    // The dead-letter write is done; the settlement's read of the webhook (a deletion meanwhile
    // drops the request instead) is held. drain()'s look at the store found the request dead and took
    // it for one settled by another process: drain() returned before it was settled (dropped, or
    // announced as a dead letter).
    let written = false;
    let reached!: () => void;
    const readHeld = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    class WrittenQueue extends MemoryRequestQueue {
      override async deadLetter(...args: Parameters<MemoryRequestQueue['deadLetter']>): Promise<boolean> {
        const applied = await super.deadLetter(...args);
        written = true;
        return applied;
      }
    }
    class HeldWebhooks extends MemoryWebhookRepository {
      override async get(key: string) {
        if (written) {
          reached();
          await released;
        }
        return super.get(key);
      }
    }
    const storage = { webhooks: new HeldWebhooks(), queue: new WrittenQueue(), deliveryLog: new MemoryDeliveryLog(), async close() {} };
    const app = await startTestApp({
      storage: { name: 'held-memory', capabilities: { transactionalEnqueue: false, leaseRenewal: true, shared: false, crossProcessWake: false }, open: async () => storage },
      settings: { maximumRetries: 0 },
    });
    apps.push(app);
    await app.webhooks.create({ url: `${receiver.origin}/down`, events: ['thing.happened'] });
    const order: string[] = [];
    app.lifecycle.on('deadLettered', () => void order.push('deadLettered'));
    await app.publish(new ThingHappened('dead'));
    const drained = app.drain({ timeoutMs: 10_000 }).then(() => void order.push('drained'));
    await readHeld;
    // Several of drain()'s looks at the store (up to 4 a second) while the read is held.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    release();
    await drained;
    expect(order).toEqual(['deadLettered', 'drained']);
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 1 });
  });

  it('asks the store at its first look, so a short drain sees requests another process settled', async () => {
    // This app's request was delivered by another process sharing the store: the store no longer has it.
    const own = new OwnRequests();
    own.add(['msg_settled_elsewhere']);
    const engine = { get: async () => undefined, active: 0 } as unknown as QueueEngine<unknown>;
    await drainQueue(engine, own, { timeoutMs: 0 });
    expect(own.size).toBe(0);
  });
});

describe('many drain() calls at once', () => {
  it('make Node warn of no leak (MaxListenersExceededWarning on the app\'s stop signal), on the built package', async () => {
    // Node prints its warnings from the process itself, which a jest test cannot listen to: a child runs it.
    const script = `
      require('reflect-metadata');
      const { createHookwork } = require('@hookwork/core');
      const { startTestReceiver, thingComposer, ThingHappened } = require('@hookwork/core/testing');
      (async () => {
        const receiver = await startTestReceiver(async (_request, response) => { await new Promise((resolve) => setTimeout(resolve, 100)); response.end('ok'); });
        const app = createHookwork({ composers: [thingComposer], settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] } } });
        await app.start();
        await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
        for (let i = 0; i < 12; i++) await app.publish(new ThingHappened('n' + i));
        // Each waiting drain() listens to the app's stop; the eleventh made Node warn of a leak.
        await Promise.all(Array.from({ length: 12 }, () => app.drain({ timeoutMs: 20000 })));
        await app.stop();
        await receiver.close();
        console.log('drained');
      })();`;
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['-e', script], { cwd: __dirname, encoding: 'utf8' });
    expect(stdout.trim()).toBe('drained');
    expect(stderr).not.toMatch(/MaxListenersExceededWarning/);
  });
});

describe('drainQueue() looking at the store while a backlog drains', () => {
  /** An engine whose counts() busy-waits `costMs` (a synchronous store reading a backlog) while settlements come back to back. */
  function busyEngine(costMs: number, drainedAfterMs: number) {
    const listeners = new Set<() => void>();
    const started = performance.now();
    let looks = 0;
    let settling = true;
    const settle = () => {
      if (!settling) return;
      for (const listener of [...listeners]) listener();
      setImmediate(settle);
    };
    setImmediate(settle);
    const engine = {
      active: 0,
      onSettled: (listener: () => void) => (listeners.add(listener), () => listeners.delete(listener)),
      counts: async () => {
        const from = performance.now();
        while (performance.now() - from < costMs);
        looks++;
        const pending = performance.now() - started < drainedAfterMs ? 1 : 0;
        return { pending, inFlight: 0, dead: 0 };
      },
    } as unknown as QueueEngine<unknown>;
    // Each look costs at least costMs; one the machine interrupts costs more, and the next look waits
    // longer for it, so counting looks at their least cost bounds the share from above whatever the load.
    return { engine, share: () => (looks * costMs) / (performance.now() - started), stop: () => (settling = false) };
  }

  it('spends a small share of its time counting, not all of it (it counted after every settlement)', async () => {
    const busy = busyEngine(4, 400);
    await drainQueue(busy.engine, new OwnRequests(), { all: true, timeoutMs: 10_000 });
    busy.stop();
    // About 1/10 by design; looking after every settlement made it ~1.
    expect(busy.share()).toBeLessThan(0.35);
  });
});

describe('OwnRequests', () => {
  it('beyond its bound forgets the oldest it still tracks, one for one; a settled id added again counts from then', async () => {
    const own = new OwnRequests();
    own.add(Array.from({ length: MAX_TRACKED_REQUESTS }, (_, i) => `msg_${i}`));
    own.settled('msg_0');
    own.settled('msg_2');
    own.add(['msg_0']); // redelivered: now the newest
    own.add(['msg_3']); // tracked already: keeps its place
    expect(own.size).toBe(MAX_TRACKED_REQUESTS - 1);
    own.add(['msg_new_1', 'msg_new_2']);
    expect(own.size).toBe(MAX_TRACKED_REQUESTS);
    // prune() reads the oldest tracked first; a store holding them all lets none go.
    const oldest = async (limit: number) => {
      const asked: string[] = [];
      await own.prune({ get: async (id: string) => (asked.push(id), { id, state: 'pending' } as never) }, limit);
      return asked;
    };
    expect(await oldest(3)).toEqual(['msg_3', 'msg_4', 'msg_5']);
    own.add(['msg_new_3', 'msg_new_4']);
    expect(await oldest(2)).toEqual(['msg_5', 'msg_6']);
    // Forgetting everything up to the re-added msg_0, which is forgotten after msg_99999 only.
    own.add(Array.from({ length: MAX_TRACKED_REQUESTS - 6 }, (_, i) => `msg_more_${i}`));
    expect(await oldest(4)).toEqual([`msg_${MAX_TRACKED_REQUESTS - 1}`, 'msg_0', 'msg_new_1', 'msg_new_2']);
    expect(own.size).toBe(MAX_TRACKED_REQUESTS);
  });

  it('stays cheap once it is full of requests other processes delivered (it never sees them settle)', () => {
    // Compared with adds into a set far from full, in the same run and best of five each, so a
    // busy machine slows both: walking the set to its first entry made an add 20–30 µs, some 50
    // times an add below the limit (the bound, 20 ×, leaves room for a round the machine interrupts).
    const addsMs = (own: OwnRequests, prefix: string) => {
      const started = performance.now();
      for (let i = 0; i < 20_000; i++) own.add([`${prefix}${i}`]);
      return performance.now() - started;
    };
    const full = new OwnRequests();
    full.add(Array.from({ length: MAX_TRACKED_REQUESTS }, (_, i) => `msg_a${i}`));
    let belowLimit = Infinity;
    let atLimit = Infinity;
    for (let round = 0; round < 5; round++) {
      belowLimit = Math.min(belowLimit, addsMs(new OwnRequests(), `msg_c${round}_`));
      atLimit = Math.min(atLimit, addsMs(full, `msg_b${round}_`));
    }
    expect(atLimit).toBeLessThan(20 * Math.max(belowLimit, 1));
    expect(full.size).toBe(MAX_TRACKED_REQUESTS);
  });
});
