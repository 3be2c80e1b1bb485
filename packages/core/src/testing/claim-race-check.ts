/// <reference types="jest" />
import { stat } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createHookwork } from '../composition/create-hookwork';
import type { Hookwork } from '../composition/hookwork-app';
import type { WebhookRequest } from '../model/webhook-request';
import type { RequestQueue } from '../ports/request-queue';
import type { Storage, StorageBackend } from '../ports/storage-backend';
import { startTestReceiver } from './test-receiver';
import { ThingHappened, thingComposer } from './thing-event';

/**
 * Checks on a storage backend with the built-in polling engine that a request whose attempt ends
 * while a claim that returns it is under way is not sent again: the claim read the request while
 * its attempt ran (its lease had run out), and by the time the claim's answer comes the attempt has
 * delivered it and its verdict is written. Nothing is timed: the app's clock is moved past the
 * lease (no renewal runs meanwhile: the lease is 30 s), the backend's `claim` is held after it
 * took the request until the attempt's verdict is written, and only then answers. The receiver
 * must see the `webhook-id` once, the request must be gone from the queue, with one log entry.
 *
 * `storage` is a fresh backend (an empty store); the check starts and stops its app itself.
 */
export async function expectAttemptEndingDuringClaimNotSentAgain(storage: StorageBackend): Promise<void> {
  const held: ServerResponse[] = [];
  const receiver = await startTestReceiver((_request, res, index) => {
    if (index === 0) held.push(res);
    else res.end('ok');
  });
  // A claim that returns `waitFor` is held after the store answered, until `release()`.
  let waitFor: string | undefined;
  let tookIt!: () => void;
  const took = new Promise<void>((resolve) => (tookIt = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const gated: StorageBackend = {
    name: `gated(${storage.name})`,
    capabilities: storage.capabilities,
    async open(context): Promise<Storage> {
      const opened = await storage.open(context);
      const queue: RequestQueue = Object.create(opened.queue) as RequestQueue;
      queue.claim = async (options): Promise<WebhookRequest[]> => {
        const claimed = await opened.queue.claim(options);
        if (waitFor !== undefined && claimed.some((request) => request.id === waitFor)) {
          waitFor = undefined;
          tookIt();
          await released;
        }
        return claimed;
      };
      return { ...opened, queue, close: () => opened.close() };
    },
  };
  let ahead = 0;
  const app: Hookwork = createHookwork({
    composers: [thingComposer],
    settings: { ssrf: { allow: ['127.0.0.1'] }, leaseDuration: 30_000, timeout: 20_000, stopTimeout: 2_000, period: '00:01:00', concurrency: { global: 8, perWebhook: 4 } },
    storage: gated,
    clock: { now: () => new Date(Date.now() + ahead) },
  });
  try {
    await app.start();
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('held'));
    await receiver.waitFor(1, 10_000);
    const id = String(receiver.requests[0]!.headers['webhook-id']);
    // Past the rounds that started the attempt.
    await new Promise((resolve) => setTimeout(resolve, 200));
    waitFor = id;
    // The attempt's lease has run out by the app's clock; the dispatcher looks now, from an I/O
    // callback so that its claim runs before any timer.
    await new Promise<void>((resolve) =>
      stat(__filename, () => {
        ahead = 31_000;
        app.updateSettings({});
        resolve();
      }),
    );
    await took;
    // The claim took the request (its attempt still runs); now the attempt ends and is settled.
    const settled = new Promise<void>((resolve) => app.lifecycle.on('attemptSucceeded', (info) => info.requestId === id && resolve()));
    for (const res of held.splice(0)) res.end('ok');
    await settled;
    // A turn: the dispatcher has seen the attempt end (its promise's callbacks ran) before the claim answers.
    await new Promise((resolve) => setImmediate(resolve));
    release();
    // A second attempt, if one is started, arrives within this wait.
    await receiver.waitFor(2, 3_000).catch(() => undefined);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([id]);
    await app.drain({ all: true, timeoutMs: 15_000 });
    expect(await app.queueCounts({ webhookKey: webhook.key })).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    expect((await app.logs({ webhookKey: webhook.key, requestId: id })).items.map((e) => e.outcome)).toEqual(['delivered']);
  } finally {
    release();
    for (const res of held.splice(0)) res.end('ok');
    await app.stop();
    await receiver.close();
  }
}
