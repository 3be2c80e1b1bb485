import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHookwork, silentLogger, type Hookwork, type Storage, type StorageBackend, type WebhookRepository } from '@hookwork/core';
import { startTestReceiver, type TestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { sqliteStorage } from '@hookwork/sqlite';
import { bullmqQueue } from './bullmq-queue';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from './testing/redis-test';

const prefix = uniquePrefix('reread');

/**
 * A webhook store whose next `webhooks.get()`, once armed, reads the store and then holds its
 * answer until the test lets it go: an attempt's look at its webhook (or the read of it again
 * after the dead-letter write) caught at a chosen moment.
 */
class ReadGate {
  private armed = false;
  private reachedNow: () => void = () => {};
  private opened: Promise<void> = Promise.resolve();
  private open: () => void = () => {};

  /** Holds the next read; resolves once one is held. */
  arm(): Promise<void> {
    this.opened = new Promise<void>((resolve) => (this.open = resolve));
    const reached = new Promise<void>((resolve) => (this.reachedNow = resolve));
    this.armed = true;
    return reached;
  }

  release(): void {
    this.open();
  }

  /** Where a read waits: the held one, once (undefined for every other read). */
  hold(): Promise<void> | undefined {
    if (!this.armed) return undefined;
    this.armed = false;
    this.reachedNow();
    return this.opened;
  }
}

/** `inner`, opened with its webhook repository's reads going through `gate`. */
function gatedBackend(inner: StorageBackend, gate: ReadGate): StorageBackend {
  return {
    name: inner.name,
    capabilities: inner.capabilities,
    async open(context): Promise<Storage> {
      const storage = await inner.open(context);
      const webhooks: WebhookRepository = new Proxy(storage.webhooks, {
        get(target, property, receiver) {
          const found = Reflect.get(target, property, receiver) as unknown;
          if (typeof found !== 'function') return found;
          if (property !== 'get') return found.bind(target);
          return async (...args: unknown[]) => {
            const value = await (found as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            await gate.hold();
            return value;
          };
        },
      });
      return new Proxy(storage, {
        get(target, property, receiver) {
          if (property === 'webhooks') return webhooks;
          const found = Reflect.get(target, property, receiver) as unknown;
          return typeof found === 'function' ? found.bind(target) : found;
        },
      });
    },
  };
}

describe('a dead letter read again after its write, on BullMQ', () => {
  let dir: string;
  let receiver: TestReceiver;
  let app: Hookwork | undefined;
  let queues = 0;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookwork-bullmq-reread-'));
    receiver = await startTestReceiver((_request, res) => void res.writeHead(500).end());
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await deleteKeys(prefix);
  });

  function startApp(gate: ReadGate, queueName = `reread${++queues}`): Promise<Hookwork> {
    app = createHookwork({
      composers: [thingComposer],
      storage: gatedBackend(sqliteStorage({ file: join(dir, 'hookwork.db') }), gate),
      queue: bullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName, checkDurability: false }),
      settings: { ssrf: { allow: ['127.0.0.1'] }, retryJitter: 0, maximumRetries: 0, stopTimeout: 5000 },
      logger: silentLogger,
    });
    return app.start().then(() => app!);
  }

  /**
   * Was a bug: the engine started core's read of the webhook after a dead-letter write and did not
   * wait for it, so stop() resolved while it ran. What it then did came after the stop: the
   * `deadLettered` event (and the `request.exhausted` operator event, the dead-letter log line)
   * went to listeners the stop had removed — lost — and a drop of the request ran on the closed
   * connections. stop() now waits for it.
   */
  it('stop() waits for the read in progress, so the dead letter is announced before it resolves', async () => {
    const gate = new ReadGate();
    const running = await startApp(gate);
    const { key } = await running.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const deadLettered: string[] = [];
    running.lifecycle.on('deadLettered', (info) => void deadLettered.push(info.requestId));
    // attemptFailed comes just before the read again (the dead letter is written by then).
    let held: Promise<void> | undefined;
    const requestIds: string[] = [];
    running.lifecycle.on('attemptFailed', (info) => {
      requestIds.push(info.requestId);
      held ??= gate.arm();
    });
    await running.publish(new ThingHappened('dead'));
    await new Promise<void>((resolve) => {
      const wait = () => (held ? void held.then(resolve) : setTimeout(wait, 5));
      wait();
    });
    const stopping = running.stop();
    let stopped = false;
    const seenAtStop: string[] = [];
    void stopping.then(() => {
      stopped = true;
      seenAtStop.push(...deadLettered);
    });
    // The read goes on once stop() resolved (it did not wait: the bug), or after 2 s (it waits).
    await Promise.race([stopping, new Promise((resolve) => setTimeout(resolve, 2000))]);
    gate.release();
    await stopping;
    expect(stopped).toBe(true);
    expect(seenAtStop).toEqual(requestIds);
    app = undefined;
    // The dead letter stays in Redis under its webhook, as it was written.
    const again = await startApp(new ReadGate(), `reread${queues}`);
    expect((await again.deadLetters({ webhookKey: key })).items.map((letter) => letter.id)).toEqual(requestIds);
  });
});
