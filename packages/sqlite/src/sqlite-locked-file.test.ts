import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createHookwork, type Hookwork, type HookworkSettingsInput } from '@hookwork/core';
import { ThingHappened, thingComposer, startTestReceiver, type TestReceiver } from '@hookwork/core/testing';
import { sqliteStorage } from './sqlite-storage';
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
});
