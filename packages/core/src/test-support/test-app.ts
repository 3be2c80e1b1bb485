import { createHookwork, type HookworkOptions } from '../composition/create-hookwork';
import type { Hookwork } from '../composition/hookwork-app';
import type { Composer } from '../composition/composer';
import { WebhookEventBase } from '../events/webhook-event-base';
import { WebhookEvent } from '../events/webhook-event.decorator';
import { WebhookEventTypes } from '../events/webhook-event-types';
import type { LifecycleEvents } from '../observability/lifecycle-events';
import { resolveToken } from '../runtime/tokens';
import { isHookworkError, type HookworkError } from '../errors/hookwork-error';
import { RequestQueueToken, type RequestQueue } from '../ports/request-queue';

/** A host notification for delivery tests. */
export class ThingHappened {
  constructor(
    readonly id: string,
    readonly extra: Record<string, unknown> = {},
  ) {}
}

/** The event that turns {@link ThingHappened} into `{ id, ...extra }`. */
@WebhookEvent('Thing Happened', WebhookEventTypes.Other, { alias: 'thing.happened', notification: ThingHappened })
export class ThingHappenedEvent extends WebhookEventBase<ThingHappened> {
  override convertNotificationToRequestPayload(notification: ThingHappened) {
    return { id: notification.id, ...notification.extra };
  }
}

/** Composes the test event. */
export const thingComposer: Composer = {
  compose(builder) {
    builder.webhookEvents().add(ThingHappenedEvent);
  },
};

/**
 * A started app for delivery tests: loopback allowed (receivers are on 127.0.0.1), a tight
 * retry schedule without jitter, a short sweep period.
 */
export async function startTestApp(options: HookworkOptions = {}): Promise<Hookwork> {
  const app = createHookwork({
    composers: [thingComposer],
    ...options,
    settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, retrySchedule: [50, 100], retryJitter: 0, period: 200, timeout: 2000, stopTimeout: 2000, ...options.settings },
  });
  await app.start();
  return app;
}

/** The app's request queue (to check stored states and due times). */
export const queueOf = (app: Hookwork): RequestQueue => resolveToken(app.container, RequestQueueToken);

/** Resolves with the next emission of a lifecycle event that passes `filter`. */
export function nextLifecycle<E extends keyof LifecycleEvents>(app: Hookwork, event: E, filter: (...args: Parameters<LifecycleEvents[E]>) => boolean = () => true, timeoutMs = 10_000): Promise<Parameters<LifecycleEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const listener = ((...args: Parameters<LifecycleEvents[E]>) => {
      if (!filter(...args)) return;
      clearTimeout(timer);
      app.lifecycle.off(event, listener as never);
      resolve(args[0]);
    }) as LifecycleEvents[E];
    // Unref'd: a wait that lost a race (the test went on without the event) must not keep jest
    // from exiting for the rest of its timeout (jest runs in band, without forceExit).
    const timer = setTimeout(() => {
      app.lifecycle.off(event, listener as never);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs).unref();
    app.lifecycle.on(event, listener as never);
  });
}

/** The coded error `call` rejects with; fails the test when it resolves or rejects with anything else. */
export async function refusal(call: () => Promise<unknown>): Promise<HookworkError> {
  try {
    await call();
  } catch (error) {
    if (isHookworkError(error)) return error;
    throw error;
  }
  throw new Error('not refused');
}
