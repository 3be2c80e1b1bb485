import { spawn, type ChildProcess } from 'node:child_process';
import type { ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import { createHookwork, type Hookwork, type HookworkSettingsInput, type StorageContext } from '@hookwork/core';
import { contractRequest, ThingHappened, thingComposer, startTestReceiver, type TestReceiver } from '@hookwork/core/testing';
import { openSqliteStorage, sqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

/**
 * Another program on the file: a bare better-sqlite3 connection in a process of its own that,
 * told `lock <ms>` on stdin, holds `BEGIN IMMEDIATE` for that long. Reports on stdout when it took
 * and released the lock (its clock is this machine's).
 */
const HOLDER = `
const Database = require(process.argv[1]);
const db = new Database(process.argv[2]);
const say = (type) => console.log(JSON.stringify({ type, at: Date.now() }));
let text = '';
process.stdin.setEncoding('utf8').on('data', (chunk) => {
  text += chunk;
  for (let end; (end = text.indexOf('\\n')) >= 0; text = text.slice(end + 1)) {
    const [command, ms] = text.slice(0, end).split(' ');
    if (command !== 'lock') continue;
    db.exec('BEGIN IMMEDIATE');
    say('locked');
    setTimeout(() => { db.exec('COMMIT'); say('released'); }, Number(ms));
  }
});
say('ready');
`;

interface Holder {
  /** Takes the write lock for `ms`; resolves once the other process holds it. */
  lock(ms: number): Promise<number>;
  /** Resolves with the time the other process committed (released the lock). */
  released: Promise<number>;
  stop(): void;
  child: ChildProcess;
}

async function startHolder(file: string): Promise<Holder> {
  const child: ChildProcess = spawn(process.execPath, ['-e', HOLDER, require.resolve('better-sqlite3'), file], { stdio: ['pipe', 'pipe', 'inherit'] });
  const seen = new Map<string, (at: number) => void>();
  const when = (type: string) => new Promise<number>((resolve) => seen.set(type, resolve));
  const ready = when('ready');
  const locked = when('locked');
  const released = when('released');
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const { type, at } = JSON.parse(line) as { type: string; at: number };
    seen.get(type)?.(at);
  });
  await ready;
  return {
    lock(ms) {
      child.stdin!.write(`lock ${ms}\n`);
      return locked;
    },
    released,
    stop: () => void child.kill(),
    child,
  };
}

describe('an app whose SQLite file another program holds locked', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let receiver: TestReceiver | undefined;
  let app: Hookwork | undefined;
  let holder: Holder | undefined;

  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(async () => {
    holder?.stop();
    await app?.stop();
    await receiver?.close();
    temp.remove();
  });

  it('a start() that finds the file locked past busyTimeoutMs says it failed opening the store and the app is back in `created`, and start() again passes once the lock is gone', async () => {
    const file = temp.file();
    await openSqliteStorage({ file }).close();
    holder = await startHolder(file);
    await holder.lock(600_000);
    app = createHookwork({ composers: [thingComposer], storage: sqliteStorage({ file, busyTimeoutMs: 200 }) });
    const error = await app.start().then(() => undefined, (caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'HOOKWORK_ERR_STORAGE_LOCKED', cause: { code: 'HOOKWORK_ERR_STORAGE_LOCKED' } });
    expect((error as Error).message).toMatch(
      new RegExp(`^HOOKWORK_ERR_STORAGE_LOCKED: start\\(\\) failed while opening the store: the SQLite store ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} stayed locked .*; the app is not started but back in \`created\`, and nothing retries the start: call start\\(\\) again once the lock is released$`),
    );
    expect(app.state).toBe('created');

    // The other program ends (its lock with it): start() again, as the message says, starts the app.
    const exited = new Promise((resolve) => holder!.child.once('exit', resolve));
    holder.stop();
    await exited;
    await app.start();
    expect(app.state).toBe('started');
  });

  it('keeps the event loop running while a write waits for the lock: the response in flight is read, not timed out and sent again', async () => {
    const file = temp.file();
    const LOCK_MS = 2000;
    holder = await startHolder(file);
    const beats: number[] = [];
    let lockedAt = 0;
    let secondPublished: Promise<number> | undefined;
    // The first request: the other program takes the lock, a second publish starts (and must wait
    // for it), and only then does the receiver answer, well inside the attempt timeout.
    receiver = await startTestReceiver(async (_request, response, index) => {
      if (index === 0) {
        lockedAt = await holder!.lock(LOCK_MS);
        secondPublished = app!.publish(new ThingHappened('second')).then(() => Date.now());
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      response.end('ok');
    });
    // The attempt times out 1.5 s after it was sent, before the lock is released: an event loop
    // stopped by a synchronous wait for the lock reads the 200 only after the timeout fired.
    const settings: HookworkSettingsInput = { ssrf: { allow: ['127.0.0.1'] }, timeout: 1500, retrySchedule: [100], retryJitter: 0, period: 100 };
    app = createHookwork({ composers: [thingComposer], settings, storage: sqliteStorage({ file, busyTimeoutMs: 10_000 }) });
    await app.start();
    await app.webhooks.create({ key: 'orders', url: receiver.url, events: ['thing.happened'] });

    const heartbeat = setInterval(() => beats.push(Date.now()), 20);
    try {
      await app.publish(new ThingHappened('first'));
      await receiver.waitFor(1, 10_000);
      while (!secondPublished) await new Promise((resolve) => setTimeout(resolve, 10));
      const publishedAt = await secondPublished;
      const releasedAt = await holder.released;

      // The loop ran while the other program held the lock, and the publish waited for it.
      expect(beats.some((at) => at > lockedAt + 300 && at < releasedAt)).toBe(true);
      expect(publishedAt).toBeGreaterThanOrEqual(releasedAt);
      await app.drain();
    } finally {
      clearInterval(heartbeat);
    }
    // Each delivered once: the first request's 200 was read in time.
    const ids = receiver.requests.map((r) => String(r.headers['webhook-id']));
    expect([ids.length, new Set(ids).size]).toEqual([2, 2]);
    const log = (await app.logs('orders')).items;
    expect(log.map((e) => e.outcome).sort()).toEqual(['delivered', 'delivered']);
  }, 30_000);

  it('failed attempts whose health writes find the file locked for longer than busyTimeoutMs are each counted once it is free', async () => {
    const file = temp.file();
    const COUNT = 8;
    holder = await startHolder(file);
    const held: ServerResponse[] = [];
    let allIn!: () => void;
    const arrived = new Promise<void>((resolve) => (allIn = resolve));
    receiver = await startTestReceiver((_request, response) => {
      if (held.length === COUNT) return void response.writeHead(500).end();
      held.push(response);
      if (held.length === COUNT) allIn();
    });
    // A short lease: a dead-lettering that found the file locked leaves its request in flight until
    // the lease ends; it is then attempted again (and that attempt counted too).
    const settings: HookworkSettingsInput = { ssrf: { allow: ['127.0.0.1'] }, maximumRetries: 0, retryJitter: 0, period: 100, leaseDuration: 1000, concurrency: { global: COUNT, perWebhook: COUNT }, breaker: { failureThreshold: 1000 } };
    app = createHookwork({ composers: [thingComposer], settings, storage: sqliteStorage({ file, busyTimeoutMs: 200 }) });
    const backgroundErrors: string[] = [];
    app.lifecycle.on('backgroundError', (info) => backgroundErrors.push(`${info.task}: ${(info.error as Error).message}`));
    await app.start();
    await app.webhooks.create({ key: 'orders', url: receiver.url, events: ['thing.happened'] });
    for (let i = 0; i < COUNT; i++) await app.publish(new ThingHappened(`n${i}`));
    await arrived;
    // Every attempt is out; the other program takes the file for 1.5 s (over seven busy timeouts),
    // and then they all fail: their health writes find the file locked, wait and try again.
    await holder.lock(1500);
    for (const response of held) response.writeHead(500).end();
    await holder.released;
    await app.drain({ timeoutMs: 20_000 });

    // Each attempt that reached the receiver is counted (before, those whose write found the file
    // locked went uncounted, each a backgroundError "recording the health of webhook orders").
    expect(await app.health('orders')).toMatchObject({ consecutiveFailures: receiver.requests.length });
    expect(receiver.requests.length).toBeGreaterThanOrEqual(COUNT);
    expect(backgroundErrors.filter((line) => /health/.test(line))).toEqual([]);
  }, 30_000);

  it('stop() does not wait for a file that stays locked to write the health of attempts that failed: past stopTimeout it gives up, saying so', async () => {
    const file = temp.file();
    const COUNT = 4;
    holder = await startHolder(file);
    const held: ServerResponse[] = [];
    let allIn!: () => void;
    const arrived = new Promise<void>((resolve) => (allIn = resolve));
    receiver = await startTestReceiver((_request, response) => {
      held.push(response);
      if (held.length === COUNT) allIn();
    });
    const warned: string[] = [];
    const quiet = () => {};
    const settings: HookworkSettingsInput = { ssrf: { allow: ['127.0.0.1'] }, maximumRetries: 0, period: 100, stopTimeout: 1000, concurrency: { global: COUNT, perWebhook: COUNT } };
    app = createHookwork({ composers: [thingComposer], settings, storage: sqliteStorage({ file, busyTimeoutMs: 200 }), logger: { debug: quiet, info: quiet, error: quiet, warn: (line) => void warned.push(line) } });
    await app.start();
    await app.webhooks.create({ key: 'orders', url: receiver.url, events: ['thing.happened'] });
    for (let i = 0; i < COUNT; i++) await app.publish(new ThingHappened(`n${i}`));
    await arrived;
    let released = false;
    void holder.released.then(() => (released = true));
    // Held far longer than the stop may take.
    await holder.lock(60_000);
    for (const response of held) response.writeHead(500).end();
    // Their health writes meet the lock (after busyTimeoutMs each), and wait to try again.
    await new Promise((resolve) => setTimeout(resolve, 600));
    await app.stop();

    expect(released).toBe(false);
    expect(warned.filter((line) => /health of webhook orders was not written before the app's stop ended \(stopTimeout\): the store stayed locked by another connection; (one attempt|\d+ attempts) of this process not counted/.test(line))).not.toEqual([]);
  }, 30_000);
});

describe('a SQLite file locked by a process that was stopped while writing (docker pause, SIGSTOP, a debugger)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.remove());

  it('fails writes as HOOKWORK_ERR_STORAGE_LOCKED whose message names that cause and its fix, and opens as LOCKED saying so too', async () => {
    const file = temp.file();
    await openSqliteStorage({ file }).close();
    const storage = openSqliteStorage({ file, busyTimeoutMs: 200 });
    const holder = await startHolder(file);
    const child = holder.child;
    await holder.lock(600_000);
    // Stopped with the write lock held: it keeps it until it is resumed, whatever the others wait.
    child.kill('SIGSTOP');
    try {
      const error = await storage.queue.enqueue([contractRequest('r1')]).then(() => undefined, (caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'HOOKWORK_ERR_ENQUEUE_FAILED', cause: { code: 'HOOKWORK_ERR_STORAGE_LOCKED' } });
      const { message } = (error as { cause: Error }).cause;
      expect(message).toContain(`the SQLite store ${file} stayed locked by another connection`);
      expect(message).toContain('a process on the file that is paused or stopped (docker pause, SIGSTOP, a debugger) holds it until it is resumed');
      const opening = await sqliteStorage({ file, busyTimeoutMs: 200 }).open({} as StorageContext).then(() => undefined, (caught: unknown) => caught);
      expect(opening).toMatchObject({ code: 'HOOKWORK_ERR_STORAGE_LOCKED' });
      expect((opening as Error).message).toContain('a process on the file that is paused or stopped (docker pause, SIGSTOP, a debugger) holds it until it is resumed');
    } finally {
      child.kill('SIGCONT');
      holder.stop();
      await storage.close();
    }
  });
});
