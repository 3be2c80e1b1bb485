/// <reference types="jest" />
import { createHookwork } from '../composition/create-hookwork';
import type { Hookwork } from '../composition/hookwork-app';
import { keyedMessageId } from '../firing/idempotency-key';
import type { DeliveryLog } from '../ports/delivery-log';
import type { QueueEngineProvider } from '../ports/queue-engine';
import type { RequestQueue } from '../ports/request-queue';
import type { Storage, StorageBackend } from '../ports/storage-backend';
import { startTestReceiver } from './test-receiver';
import { ThingHappened, thingComposer } from './thing-event';

/** How {@link expectPublishAgainBeforeLogEntryNotSentAgain} treats the store's queue. */
export interface LogGapCheckOptions {
  /**
   * `'fails'`: the queue's `completeAndLog` (the removal and the log entries in one write) rejects,
   * as when the store refuses an entry, so core's fallback is checked; `'absent'`: the queue is
   * checked as one without it (a store of your own may lack it). Leave it out to check the store
   * as it is. Only for the built-in (polling) engine.
   */
  completeAndLog?: 'fails' | 'absent';
}

/** A gate: `wait` resolves once `open()` was called. */
function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/** `target` with `overrides` in place of some of its members; its own methods stay bound to it (their state is its). */
function overridden<T extends object>(target: T, overrides: Partial<Record<keyof T, unknown>>): T {
  return new Proxy(target, {
    get(t, property) {
      if (Object.prototype.hasOwnProperty.call(overrides, property)) return overrides[property as keyof T];
      const value: unknown = Reflect.get(t, property, t);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(t) : value;
    },
  });
}

/**
 * `storage` whose every `DeliveryLog.append` waits for `released` (and tells `appending` of its
 * entries first), and whose queue gets `queueOverrides` (given the opened queue).
 */
function heldLogStorage(storage: StorageBackend, released: Promise<void>, appending: (requestIds: string[]) => void, queueOverrides: (queue: RequestQueue<unknown>) => Partial<Record<keyof RequestQueue<unknown>, unknown>> = () => ({})): StorageBackend {
  return {
    name: `held-log(${storage.name})`,
    capabilities: storage.capabilities,
    async open(context): Promise<Storage> {
      const opened = await storage.open(context);
      const deliveryLog: DeliveryLog = overridden(opened.deliveryLog, {
        append: async (entries: Parameters<DeliveryLog['append']>[0]) => {
          appending(entries.map((e) => e.requestId));
          await released;
          return opened.deliveryLog.append(entries);
        },
      });
      return { ...opened, queue: overridden(opened.queue, queueOverrides(opened.queue)), deliveryLog, close: () => opened.close() };
    },
  };
}

/** The checks' app on `storage` (and `queue`, when given), and the ids its `enqueued` events name. */
function checkedApp(storage: StorageBackend, queue?: QueueEngineProvider): { app: Hookwork; enqueued: string[] } {
  const app: Hookwork = createHookwork({
    composers: [thingComposer],
    settings: { ssrf: { allow: ['127.0.0.1'] }, timeout: 10_000, stopTimeout: 2_000, period: '00:01:00' },
    storage,
    ...(queue ? { queue } : {}),
  });
  const enqueued: string[] = [];
  app.lifecycle.on('enqueued', (requests) => enqueued.push(...requests.map((r) => r.requestId)));
  return { app, enqueued };
}

/**
 * Checks on a backend that a publish made again with its `idempotencyKey` right after its request
 * was delivered — the request gone from the queue, its delivery log entry not yet written — is
 * skipped, not stored and sent again. A store remembers a delivered request by its log entry, so
 * the request's removal and that entry must be one write, or the entry written first: with the
 * entry written after (SQLite gathered entries for 30 ms, memory for a turn, and core logged
 * apart when the combined write failed), a CMS saving twice in that time sent its webhook twice.
 * Nothing is timed: every append through `DeliveryLog.append` is held until the second publish
 * has resolved, and the second publish is made as soon as the request's delivery is told
 * (`attemptSucceeded`) or its entry reaches `append`, whichever comes first.
 *
 * `storage` is a fresh backend (an empty store); `queue` an engine other than the built-in polling
 * one, when the backend is checked with it; `options` see {@link LogGapCheckOptions}. The check
 * starts and stops its app itself.
 */
export async function expectPublishAgainBeforeLogEntryNotSentAgain(storage: StorageBackend, queue?: QueueEngineProvider, options: LogGapCheckOptions = {}): Promise<void> {
  const receiver = await startTestReceiver();
  const appends = gate();
  const told = gate();
  let id = '';
  const held = heldLogStorage(
    storage,
    appends.wait,
    (ids) => ids.includes(id) && told.open(),
    () =>
      options.completeAndLog === 'fails'
        ? { completeAndLog: () => Promise.reject(new Error('the store refused a delivery log entry (as the check asked)')) }
        : options.completeAndLog === 'absent'
          ? { completeAndLog: undefined }
          : {},
  );
  const { app, enqueued } = checkedApp(held, queue);
  // The combined write's failure, when the check asked for it, is told as a background error.
  app.lifecycle.on('backgroundError', () => {});
  try {
    await app.start();
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    id = keyedMessageId('saved-twice', webhook.key, 'thing.happened', 0);
    app.lifecycle.on('attemptSucceeded', (info) => info.requestId === id && told.open());
    await app.publish(new ThingHappened('1'), { idempotencyKey: 'saved-twice' });
    // Told once the request's completion is written (and its log entry, when that is one write),
    // or its entry is being written (before the completion, when it cannot be one write).
    await told.wait;
    await app.publish(new ThingHappened('1'), { idempotencyKey: 'saved-twice' });
    appends.open();
    await app.drain({ all: true, timeoutMs: 15_000 });
    // A second attempt, had the publish stored the request again, arrives within this wait.
    await receiver.waitFor(2, 1_000).catch(() => undefined);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([id]);
    expect(enqueued).toEqual([id]);
    expect((await app.logs({ webhookKey: webhook.key })).items.map((e) => [e.requestId, e.outcome])).toEqual([[id, 'delivered']]);
  } finally {
    appends.open();
    await app.stop();
    await receiver.close();
  }
}

/**
 * Checks on a backend, with the built-in (polling) engine, that a publish made again with its
 * `idempotencyKey` right after its request was dropped — the webhook it was published for deleted
 * and another created under the key — is skipped whenever it comes, as it is while the request is
 * queued: the `dropped` log entry remembers the id, and must be written with the removal (or
 * before it). Written after it, a publish made in between was stored and sent to the new webhook,
 * one made a moment later not. `at`: `'delivery'` (the default) drops it as delivery meets it
 * (see predatesWebhook; the deletion removes nothing from the queue, as with an engine that
 * cannot); `'deletion'` has the deletion remove it (`discard`), the webhook created again before
 * the deletion's log write, as another process may. Nothing is timed: the queue's claims wait
 * until the webhook was replaced, and every `DeliveryLog.append` is held until the second publish
 * resolved.
 *
 * `storage` is a fresh backend (an empty store); the check starts and stops its app itself.
 */
export async function expectPublishAgainAfterDropNotSent(storage: StorageBackend, at: 'delivery' | 'deletion' = 'delivery'): Promise<void> {
  const receiver = await startTestReceiver();
  const appends = gate();
  const claims = gate();
  const told = gate();
  let id = '';
  const held = heldLogStorage(
    storage,
    appends.wait,
    (ids) => ids.includes(id) && told.open(),
    (queue) => ({
      // Stored pending, never handed to the dispatcher at once (and left in the queue at the deletion).
      enqueueClaimed: undefined,
      ...(at === 'delivery' ? { discard: undefined, discardAndLog: undefined } : {}),
      claim: async (...args: Parameters<RequestQueue['claim']>) => {
        await claims.wait;
        return queue.claim(...args);
      },
    }),
  );
  const { app, enqueued } = checkedApp(held);
  try {
    await app.start();
    await app.webhooks.create({ key: 'replaced', url: receiver.url, events: ['thing.happened'] });
    id = keyedMessageId('saved-twice', 'replaced', 'thing.happened', 0);
    app.lifecycle.on('requestDropped', (info) => info.requestId === id && told.open());
    await app.publish(new ThingHappened('1'), { idempotencyKey: 'saved-twice' });
    // Resolves once the deletion's log entries are written: with them written apart, after the
    // removal, that waits for the held append, which tells `told` first.
    const deleted = app.webhooks.delete('replaced');
    if (at === 'deletion') await Promise.race([deleted, told.wait]);
    else await deleted;
    await app.webhooks.create({ key: 'replaced', url: receiver.url, events: ['thing.happened'] });
    claims.open();
    await told.wait;
    await app.publish(new ThingHappened('1'), { idempotencyKey: 'saved-twice' });
    appends.open();
    await deleted;
    await app.drain({ all: true, timeoutMs: 15_000 });
    // A request stored again is sent to the new webhook within this wait.
    await receiver.waitFor(1, 1_000).catch(() => undefined);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([]);
    expect(enqueued).toEqual([id]);
    expect((await app.logs({ webhookKey: 'replaced' })).items.map((e) => [e.requestId, e.outcome])).toEqual([[id, 'dropped']]);
  } finally {
    claims.open();
    appends.open();
    await app.stop();
    await receiver.close();
  }
}
