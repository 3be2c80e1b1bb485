/// <reference types="jest" />
import type { Hookwork } from '../composition/hookwork-app';
import type { TestReceiver } from './test-receiver';
import { ThingHappened } from './thing-event';

/** A notification no event of `thingComposer` handles. */
class NothingComposedForThis {}

/**
 * Checks on a backend (storage and queue engine) what `publish()` answers, so that a host can tell
 * "sent to 3 webhooks" from "matched nothing", and "no event composed" from "no webhook": `events: 0`
 * and `enqueued: 0` for a notification no composed event handles; `events: 1` and `enqueued: 0` for
 * one no webhook subscribes to, and for one whose only webhook is disabled; `enqueued:
 * 3` for one notification to three subscribed webhooks (a disabled one left out), as many as the `enqueued` lifecycle event names and the receiver gets.
 * Call it from a jest test; `startApp` starts an app on a fresh store, composed with
 * `thingComposer`, allowed to send to `receiver`. The app is the caller's to stop.
 */
export async function expectPublishResultCounts(startApp: () => Promise<Hookwork<never>>, receiver: TestReceiver): Promise<void> {
  const app = await startApp();
  expect(await app.publish(new NothingComposedForThis())).toEqual({ events: 0, failures: [], enqueued: 0, alreadyEnqueued: 0 });
  const nothing = { events: 1, failures: [], enqueued: 0, alreadyEnqueued: 0 };
  expect(await app.publish(new ThingHappened('no webhook yet'))).toEqual(nothing);
  await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], enabled: false });
  expect(await app.publish(new ThingHappened('only a disabled webhook'))).toEqual(nothing);

  const enqueued: string[] = [];
  app.lifecycle.on('enqueued', (requests) => enqueued.push(...requests.map((r) => r.requestId)));
  for (let i = 0; i < 3; i++) await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
  expect(await app.publish(new ThingHappened('1'))).toEqual({ events: 1, failures: [], enqueued: 3, alreadyEnqueued: 0 });
  expect(enqueued).toHaveLength(3);
  await app.drain({ timeoutMs: 15_000 });
  expect(receiver.requests.map((r) => r.headers['webhook-id']).sort()).toEqual([...enqueued].sort());
}
