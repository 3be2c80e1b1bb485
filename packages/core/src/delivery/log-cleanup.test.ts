import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Hookwork } from '../composition/hookwork-app';
import type { Clock } from '../runtime/clock';
import type { StorageBackend } from '../ports/storage-backend';
import type { DeliveryLog } from '../ports/delivery-log';
import { memoryStorage } from '../storage/memory/memory-storage';
import { CLEANUP_BATCH_SIZE, LogCleanup } from './log-cleanup';
import { contractLogEntry } from '../testing/delivery-log-contract';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { queueOf, startTestApp, ThingHappened } from '../test-support/test-app';
import { withStorageMember } from '../testing/health-store-wrappers';

const DAY = 24 * 60 * 60 * 1000;

/**
 * The memory store, calling `onDelete` as each retention delete of the delivery log begins;
 * `seed` writes to the log when the store opens.
 */
function storageOnLogDelete(onDelete: () => void, seed?: (log: DeliveryLog) => Promise<void>): StorageBackend {
  const inner = memoryStorage();
  return {
    ...inner,
    async open(context) {
      const opened = await inner.open(context);
      await seed?.(opened.deliveryLog);
      const deliveryLog = new Proxy(opened.deliveryLog, {
        get(target, property) {
          const value = Reflect.get(target, property, target) as unknown;
          if (typeof value !== 'function') return value;
          if (property !== 'deleteOlderThan') return value.bind(target);
          return (...args: unknown[]) => {
            onDelete();
            return value.apply(target, args);
          };
        },
      });
      return { ...opened, deliveryLog };
    },
  };
}

/**
 * The memory store, telling when the app's own first retention round (1 s after start) has
 * begun: a test that moves its clock must wait for it, or that round may run at the moved time.
 */
function storageWithFirstRound(): { storage: StorageBackend; firstRound: Promise<void> } {
  let began: () => void = () => undefined;
  const firstRound = new Promise<void>((resolve) => (began = resolve));
  return { storage: storageOnLogDelete(() => began()), firstRound };
}

describe('log cleanup', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;
  let now: Date;
  const clock: Clock = { now: () => now };

  beforeEach(async () => {
    now = new Date('2030-01-01T00:00:00Z');
    receiver = await startTestReceiver((r, res) => {
      res.statusCode = JSON.parse(r.text).id.startsWith('dead') ? 500 : 200;
      res.end();
    });
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver.close();
  });

  it('deletes log entries older than keepLogsForDays and dead letters older than keepDeadLettersForDays, reading the current settings', async () => {
    const { storage, firstRound } = storageWithFirstRound();
    app = await startTestApp({ clock, storage, settings: { maximumRetries: 0, keepLogsForDays: 30, keepDeadLettersForDays: 10 } });
    const engine = app.management;
    // The app's own round comes 1 s after start, on real time; on a busy machine that can be after
    // the clock below has moved 20 days. Let it pass at day 0 (runCleanup joins a running round);
    // the next one is an hour away.
    await firstRound;
    expect(await engine.runCleanup()).toEqual({ logEntries: 0, deadLetters: 0, droppedRequests: 0 });
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('old'));
    await app.publish(new ThingHappened('dead-old'));
    await app.drain();
    now = new Date(now.getTime() + 20 * DAY);
    await app.publish(new ThingHappened('recent'));
    await app.drain();
    expect((await app.logs(webhook.key)).total).toBe(3);
    expect((await app.deadLetters()).total).toBe(1);

    // Day 20: the dead letter (10 days) goes, the logs (30 days) stay.
    expect(await engine.runCleanup()).toEqual({ logEntries: 0, deadLetters: 1, droppedRequests: 0 });
    expect(await app.deadLetters()).toEqual({ items: [], total: 0 });

    // Settings changed at run time apply at the next round.
    app.updateSettings({ keepLogsForDays: 15 });
    expect(await engine.runCleanup()).toEqual({ logEntries: 2, deadLetters: 0, droppedRequests: 0 });
    const { items } = await app.logs(webhook.key);
    expect(items.map((e) => JSON.parse(e.requestBody).id)).toEqual(['recent']);

    app.updateSettings({ enableLoggingCleanup: false, keepLogsForDays: 1 });
    now = new Date(now.getTime() + 5 * DAY);
    expect(await engine.runCleanup()).toEqual({ logEntries: 0, deadLetters: 0, droppedRequests: 0 });
  });
});

describe('a scheduled cleanup round that fails', () => {
  /** The first backgroundError of the app's own round (1 s after start) on `storage`. */
  async function firstFailure(storage: StorageBackend): Promise<{ task: string; error: unknown }> {
    const app = await startTestApp({ storage, logger: { debug() {}, info() {}, warn() {}, error() {} } });
    try {
      return await new Promise((resolve) => app.lifecycle.once('backgroundError', resolve));
    } finally {
      await app.stop();
    }
  }

  it('names the step that failed in the backgroundError task: deleting old log entries, deleting old dead letters', async () => {
    const logFailed = await firstFailure(
      storageOnLogDelete(() => {
        throw new Error('log table locked');
      }),
    );
    expect(logFailed).toEqual({ task: 'log cleanup: deleting old delivery log entries', error: new Error('log table locked') });
    const deadFailed = await firstFailure(
      withStorageMember(memoryStorage(), 'queue', (queue) =>
        Object.assign(Object.create(queue) as typeof queue, {
          deleteDeadOlderThan: () => Promise.reject(new Error('queue table locked')),
        }),
      ),
    );
    expect(deadFailed).toEqual({ task: 'log cleanup: deleting old dead letters', error: new Error('queue table locked') });
  });
});

describe('log cleanup stopped while a round runs', () => {
  afterEach(() => jest.useRealTimers());

  it('schedules no further round once stopped, even when the round in progress ends after stop()', async () => {
    // setImmediate stays real: a round yields with it between batches.
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    let rounds = 0;
    let finishRound: () => void = () => undefined;
    const log = {
      deleteOlderThan: () => {
        rounds++;
        return new Promise<number>((resolve) => (finishRound = () => resolve(0)));
      },
    };
    const queue = { deleteDeadOlderThan: async () => 0 };
    const settings = { get current() { return { enableLoggingCleanup: true, keepLogsForDays: 30, keepDeadLettersForDays: 30 } as never; } };
    const cleanup = new LogCleanup(log, queue, settings, { now: () => new Date() }, (error) => { throw error; });

    cleanup.start(60_000, 10);
    jest.advanceTimersByTime(10);
    expect(rounds).toBe(1);
    cleanup.stop();
    finishRound();
    await cleanup.idle();
    await new Promise((resolve) => setImmediate(resolve));

    // Before the fix the ending round armed the next one: a ref'd hourly timer that kept Node alive.
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(2 * 60_000);
    expect(rounds).toBe(1);
  });

  it('app.stop() ends a round over a large log after the batch it is deleting, instead of waiting for the whole backlog', async () => {
    // 2.5 batches of entries past retention; the app stops from inside the round's first delete.
    let deletes = 0;
    let stopping: Promise<void> | undefined;
    const old = new Date(Date.now() - 60 * DAY);
    const storage = storageOnLogDelete(
      () => {
        deletes++;
        stopping ??= app.stop();
      },
      (log) => log.append(Array.from({ length: 2.5 * CLEANUP_BATCH_SIZE }, (_, i) => contractLogEntry(`old-${i}`, { date: old }))),
    );
    const app = await startTestApp({ storage });
    const round = await app.runCleanup();
    await stopping;
    expect({ deletes, round, state: app.state }).toEqual({ deletes: 1, round: { logEntries: CLEANUP_BATCH_SIZE, deadLetters: 0, droppedRequests: 0 }, state: 'stopped' });
  });

  it('an app stopped during its first retention round lets the process exit by itself (built output, child process)', async () => {
    // The child stops its app from inside the round's first delete, so stop() lands mid-round
    // every time; then nothing may keep the process alive.
    const core = join(__dirname, '..', '..', 'dist', 'index.js');
    const source = `
      const { createHookwork, memoryStorage } = require(${JSON.stringify(core)});
      const inner = memoryStorage();
      let stopping;
      const storage = {
        name: inner.name,
        capabilities: inner.capabilities,
        async open(context) {
          const opened = await inner.open(context);
          const deliveryLog = new Proxy(opened.deliveryLog, {
            get(target, property) {
              const value = Reflect.get(target, property, target);
              if (property !== 'deleteOlderThan') return typeof value === 'function' ? value.bind(target) : value;
              return async (...args) => {
                stopping ??= app.stop().then(() => console.log(JSON.stringify({ type: 'stopped' })));
                return value.apply(target, args);
              };
            },
          });
          return { ...opened, deliveryLog, close: () => opened.close() };
        },
      };
      const app = createHookwork({ storage });
      app.start().then(() => console.log(JSON.stringify({ type: 'started' })));
    `;
    const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // An upper bound for "it exits": the first round starts 1 s after start(); before the fix the
    // process stayed up for the hour until the next round.
    const code = await Promise.race([exited, new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 20_000).unref())]);
    if (code === 'running') child.kill('SIGKILL');
    expect({ code, stdout: stdout.trim().split('\n'), stderr }).toEqual({ code: 0, stdout: ['{"type":"started"}', '{"type":"stopped"}'], stderr: '' });
  });
});

describe('cleanup round: requests of webhooks that no longer exist (a deletion cut short)', () => {
  let app: Hookwork | undefined;
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  it('drops and logs the pending and dead requests of a key no webhook has, even with retention off; a key with a webhook keeps its own', async () => {
    app = await startTestApp({ settings: { enabled: false, enableLoggingCleanup: false } });
    const kept = await app.webhooks.create({ key: 'kept', url: 'https://receiver.example/hook', events: ['thing.happened'] });
    const queue = queueOf(app);
    const published = new Date(Date.now() - 60_000);
    const request = (id: string, webhookKey: string, dueAt = published) => ({ id, webhookKey, eventAlias: 'thing.happened', body: '{}', createdAt: published, dueAt });
    // What a deletion of "gone" killed after the webhook's removal left: a dead letter and a retry waiting an hour.
    await queue.enqueue([request('gone-dead', 'gone'), request('kept-dead', kept.key)]);
    await queue.claim({ owner: 'test', limit: 10, leaseMs: 60_000, now: new Date() });
    await queue.deadLetter('gone-dead', 'test', { attempts: 6, now: new Date() });
    await queue.deadLetter('kept-dead', 'test', { attempts: 6, now: new Date() });
    await queue.enqueue([request('gone-waiting', 'gone', new Date(Date.now() + 3_600_000)), request('kept-waiting', kept.key, new Date(Date.now() + 3_600_000))]);
    const dropped: string[] = [];
    app.lifecycle.on('requestDropped', (r) => dropped.push(r.requestId));

    // Counted in the answer, apart from retention's: those two leave the queue (one of them the
    // dead-letter listing); an answer of 0 told an operator nothing had gone.
    expect(await app.runCleanup()).toEqual({ logEntries: 0, deadLetters: 0, droppedRequests: 2 });

    expect(dropped.sort()).toEqual(['gone-dead', 'gone-waiting']);
    expect(await queue.counts({ webhookKey: 'gone' })).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    expect(await app.queueCounts()).toEqual({ pending: 1, inFlight: 0, dead: 1 });
    const log = await app.logs({ outcomes: ['dropped'] });
    expect(log.items.map((e) => e.requestId).sort()).toEqual(['gone-dead', 'gone-waiting']);
    // Nothing left to do: a second round drops nothing more.
    expect(await app.runCleanup()).toEqual({ logEntries: 0, deadLetters: 0, droppedRequests: 0 });
    expect(dropped).toHaveLength(2);
  });

  // A lookup failing after some keys' requests were dropped threw out of the sweep: the round answered
  // 0 for requests it had removed and logged as dropped.
  it('counts what it dropped before a webhook lookup failed, and tells the failure', async () => {
    let lookups: number | undefined;
    const inner = memoryStorage();
    const storage: StorageBackend = {
      ...inner,
      async open(context) {
        const opened = await inner.open(context);
        const webhooks = new Proxy(opened.webhooks, {
          get(target, property) {
            const value = Reflect.get(target, property, target) as unknown;
            if (typeof value !== 'function') return value;
            if (property !== 'get') return value.bind(target);
            return (...args: unknown[]) => {
              if (lookups !== undefined && ++lookups === 2) return Promise.reject(new Error('connection reset'));
              return value.apply(target, args) as unknown;
            };
          },
        });
        return { ...opened, webhooks };
      },
    };
    app = await startTestApp({ storage, settings: { enabled: false, enableLoggingCleanup: false } });
    const errors: string[] = [];
    app.lifecycle.on('backgroundError', ({ task, error }) => errors.push(`${task}: ${String(error)}`));
    const published = new Date(Date.now() - 60_000);
    await queueOf(app).enqueue(['gone-1', 'gone-2'].map((key) => ({ id: `${key}-waiting`, webhookKey: key, eventAlias: 'thing.happened', body: '{}', createdAt: published, dueAt: new Date(Date.now() + 3_600_000) })));
    lookups = 0;
    expect(await app.runCleanup()).toEqual({ logEntries: 0, deadLetters: 0, droppedRequests: 1 });
    expect(await app.queueCounts()).toEqual({ pending: 1, inFlight: 0, dead: 0 });
    expect(errors).toEqual([expect.stringContaining('connection reset')]);
    // The next round goes on with the rest.
    lookups = undefined;
    expect(await app.runCleanup()).toEqual({ logEntries: 0, deadLetters: 0, droppedRequests: 1 });
  });
});
