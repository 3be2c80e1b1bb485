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

  /**
   * Whether the read being made now is the one to hold (once). The app's cleanup round (a second
   * after start) reads the webhooks of queued keys too: told by its caller on the stack, taken at
   * the call, its read is never the one held.
   */
  takes(): boolean {
    if (!this.armed || new Error().stack?.includes('discardOrphaned')) return false;
    this.armed = false;
    return true;
  }

  /** Holds the read taken (once it has read the store) until {@link release}. */
  hold(): Promise<void> {
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
            const taken = gate.takes();
            const value = await (found as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            if (taken) await gate.hold();
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
  /**
   * Was a bug: a webhook deleted and created again under its key (as infrastructure as code
   * replaces one) while an attempt of the deleted one was out, after that attempt's last look at
   * its webhook and before its dead-letter write. The deletion skipped the request (in flight), and
   * the read again after the write found a webhook under the key — the new one — so the request
   * stayed a dead letter: listed and counted as the new webhook's, announced as its dead letter
   * (`deadLettered`, `request.exhausted`), and "redelivered" by a redelivery of the new webhook's
   * dead letters only to be dropped then. docs/webhooks.md says a re-created webhook is another
   * one, with nothing of the deleted one's queued for it, dead letters included: it is now dropped
   * as the deletion drops (logged `dropped`, `requestDropped`), and the new webhook's own requests
   * are kept.
   */
  it('drops a dead letter whose webhook was deleted and created again under its key before it was written', async () => {
    const gate = new ReadGate();
    let held: Promise<void> | undefined;
    let answered = 0;
    receiver.handler = (_request, res) => {
      // The first request (the old webhook's) fails for good; the next attempt's look is held.
      if (answered++ === 0) {
        held = gate.arm();
        res.writeHead(500).end();
      } else res.writeHead(204).end();
    };
    const running = await startApp(gate);
    const { key, createdAt } = await running.webhooks.create({ key: 'replaced', url: receiver.url, events: ['thing.happened'] });
    const dropped: string[] = [];
    const deadLettered: string[] = [];
    const failed: string[] = [];
    running.lifecycle.on('requestDropped', (info) => void dropped.push(info.requestId));
    running.lifecycle.on('deadLettered', (info) => void deadLettered.push(info.requestId));
    running.lifecycle.on('attemptFailed', (info) => void failed.push(info.requestId));
    await running.publish(new ThingHappened('for the old webhook'));
    await new Promise<void>((resolve) => {
      const wait = () => (held ? void held.then(resolve) : setTimeout(wait, 5));
      wait();
    });
    // The attempt has read its webhook (still the old one); now it is replaced under its key.
    expect(await running.webhooks.delete(key)).toBe(true);
    const replaced = await running.webhooks.create({ key, url: receiver.url, events: ['thing.happened'] });
    expect(replaced.createdAt.getTime()).toBeGreaterThan(createdAt.getTime());
    gate.release();
    await running.drain();
    expect(failed).toHaveLength(1);
    const [old] = failed;
    expect(deadLettered).toEqual([]);
    expect(dropped).toEqual([old]);
    expect((await running.deadLetters({ webhookKey: key })).items).toEqual([]);
    expect(await running.queueCounts({ webhookKey: key })).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    expect((await running.logs({ webhookKey: key })).items.filter((entry) => entry.requestId === old).map((entry) => entry.outcome)).toContain('dropped');
    // The new webhook's own requests are its own: delivered.
    await running.publish(new ThingHappened('for the new webhook'));
    await running.drain();
    expect(answered).toBe(2);
    expect(await running.queueCounts({ webhookKey: key })).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });
});
