/// <reference types="jest" />
import type { Hookwork } from '../composition/hookwork-app';
import { keyedMessageId } from '../firing/idempotency-key';
import type { TestReceiver } from './test-receiver';
import { ThingHappened } from './thing-event';

/** The value of `hookwork_requests_enqueued_total` in an app's Prometheus exposition. */
async function enqueuedTotal(app: Hookwork<never>): Promise<number> {
  const { text } = await app.metrics.scrape();
  return Number(/^hookwork_requests_enqueued_total (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
}

/** Counts the requests an app's `enqueued` lifecycle events name. */
function countEnqueued(app: Hookwork<never>): { ids: string[] } {
  const seen = { ids: [] as string[] };
  app.lifecycle.on('enqueued', (requests) => seen.ids.push(...requests.map((r) => r.requestId)));
  return seen;
}

/**
 * Checks on a backend (storage and queue engine) that a publish made again with its
 * `idempotencyKey` — whose requests the queue skips — counts as enqueued once: one `enqueued`
 * lifecycle event, `hookwork_requests_enqueued_total` 1, one request sent, publish() answering
 * `enqueued: 1` the first time and `{ enqueued: 0, alreadyEnqueued: 1 }` after; and that `drain()` does
 * not wait for a skipped request: another app on the same store (another process, or this one
 * restarted) publishing again what the first holds in flight drains at once. Call it from a jest
 * test; `startApp` starts another app on the one store at each call, composed with
 * `thingComposer`, allowed to send to `receiver`, with an attempt `timeout` of 2 s or more.
 * The apps are the caller's to stop.
 */
export async function expectRepeatedPublishEnqueuedOnce(startApp: () => Promise<Hookwork<never>>, receiver: TestReceiver): Promise<void> {
  const first = await startApp();
  const enqueued = countEnqueued(first);
  const webhook = await first.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
  const id = keyedMessageId('change-1', webhook.key, 'thing.happened', 0);
  // Again at once (queued or in flight), then again once delivered (remembered by its log entry):
  // each repeat says it stored nothing and that its one request was held already.
  const stored = { events: 1, failures: [], enqueued: 1, alreadyEnqueued: 0 };
  const repeated = { events: 1, failures: [], enqueued: 0, alreadyEnqueued: 1 };
  expect(await first.publish(new ThingHappened('1'), { idempotencyKey: 'change-1' })).toEqual(stored);
  expect(await first.publish(new ThingHappened('1'), { idempotencyKey: 'change-1' })).toEqual(repeated);
  await first.drain({ timeoutMs: 15_000 });
  expect(await first.publish(new ThingHappened('1'), { idempotencyKey: 'change-1' })).toEqual(repeated);
  await first.drain({ timeoutMs: 15_000 });
  expect(enqueued.ids).toEqual([id]);
  expect(await enqueuedTotal(first)).toBe(1);
  expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([id]);

  // Held in flight by the first app; the second's publish of it is skipped, so its drain has nothing of its own to wait for.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const handler = receiver.handler;
  receiver.handler = async (request, response, index) => {
    if (request.headers['webhook-id'] === keyedMessageId('change-2', webhook.key, 'thing.happened', 0)) await held;
    return handler(request, response, index);
  };
  try {
    expect(await first.publish(new ThingHappened('2'), { idempotencyKey: 'change-2' })).toEqual(stored);
    await receiver.waitFor(2, 15_000);
    const second = await startApp();
    const secondEnqueued = countEnqueued(second);
    expect(await second.publish(new ThingHappened('2'), { idempotencyKey: 'change-2' })).toEqual(repeated);
    await second.drain({ timeoutMs: 1_000 });
    expect(secondEnqueued.ids).toEqual([]);
    expect(await enqueuedTotal(second)).toBe(0);
  } finally {
    release();
    receiver.handler = handler;
  }
  await first.drain({ timeoutMs: 15_000 });
  expect(enqueued.ids).toEqual([id, keyedMessageId('change-2', webhook.key, 'thing.happened', 0)]);
  expect(await enqueuedTotal(first)).toBe(2);
  expect(receiver.requests).toHaveLength(2);
}
