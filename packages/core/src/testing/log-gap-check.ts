/// <reference types="jest" />
import { createHookwork } from '../composition/create-hookwork';
import type { Hookwork } from '../composition/hookwork-app';
import { keyedMessageId } from '../firing/idempotency-key';
import type { DeliveryLog } from '../ports/delivery-log';
import type { QueueEngineProvider } from '../ports/queue-engine';
import type { Storage, StorageBackend } from '../ports/storage-backend';
import { startTestReceiver } from './test-receiver';
import { ThingHappened, thingComposer } from './thing-event';

/**
 * Checks on a backend that a publish made again with its `idempotencyKey` right after its request
 * was delivered — the request gone from the queue, its delivery log entry not yet written — is
 * skipped, not stored and sent again. A store remembers a delivered request by its log entry, so
 * the request's removal and that entry must be one write: with the entry written apart (SQLite
 * gathered entries for 30 ms, memory for a turn), a CMS saving twice in that time sent its
 * webhook twice. Nothing is timed: every append through `DeliveryLog.append` is held until the
 * second publish has resolved, so an entry written apart is not there when it is looked for.
 *
 * `storage` is a fresh backend (an empty store); `queue` an engine other than the built-in polling
 * one, when the backend is checked with it. The check starts and stops its app itself.
 */
export async function expectPublishAgainBeforeLogEntryNotSentAgain(storage: StorageBackend, queue?: QueueEngineProvider): Promise<void> {
  const receiver = await startTestReceiver();
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const held: StorageBackend = {
    name: `held-log(${storage.name})`,
    capabilities: storage.capabilities,
    async open(context): Promise<Storage> {
      const opened = await storage.open(context);
      const deliveryLog: DeliveryLog = Object.create(opened.deliveryLog) as DeliveryLog;
      deliveryLog.append = async (entries) => {
        await released;
        return opened.deliveryLog.append(entries);
      };
      return { ...opened, deliveryLog, close: () => opened.close() };
    },
  };
  const app: Hookwork = createHookwork({
    composers: [thingComposer],
    settings: { ssrf: { allow: ['127.0.0.1'] }, timeout: 10_000, stopTimeout: 2_000, period: '00:01:00' },
    storage: held,
    ...(queue ? { queue } : {}),
  });
  const enqueued: string[] = [];
  app.lifecycle.on('enqueued', (requests) => enqueued.push(...requests.map((r) => r.requestId)));
  try {
    await app.start();
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const id = keyedMessageId('saved-twice', webhook.key, 'thing.happened', 0);
    const delivered = new Promise<void>((resolve) => app.lifecycle.on('attemptSucceeded', (info) => info.requestId === id && resolve()));
    await app.publish(new ThingHappened('1'), { idempotencyKey: 'saved-twice' });
    // Told once the request's completion is written (and its log entry, when that is one write).
    await delivered;
    await app.publish(new ThingHappened('1'), { idempotencyKey: 'saved-twice' });
    release();
    await app.drain({ all: true, timeoutMs: 15_000 });
    // A second attempt, had the publish stored the request again, arrives within this wait.
    await receiver.waitFor(2, 1_000).catch(() => undefined);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([id]);
    expect(enqueued).toEqual([id]);
    expect((await app.logs({ webhookKey: webhook.key })).items.map((e) => [e.requestId, e.outcome])).toEqual([[id, 'delivered']]);
  } finally {
    release();
    await app.stop();
    await receiver.close();
  }
}
