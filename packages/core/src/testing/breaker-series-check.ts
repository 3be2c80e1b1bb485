/// <reference types="jest" />
import type { Hookwork } from '../composition/hookwork-app';
import { WebhookHealthStoreToken } from '../ports/webhook-health-store';
import { resolveToken } from '../runtime/tokens';
import type { HookworkSettingsInput } from '../settings/settings';
import { startTestReceiver } from './test-receiver';
import { ThingHappened } from './thing-event';

/**
 * The settings {@link expectBreakerSeriesOnlyForLiveWebhooks} needs of the app it is given: a
 * breaker that opens at the first failure and probes every 100 ms, and auto-disable after 400 ms
 * of failing, so a receiver answering 503 gets a webhook's breaker opened, then the webhook
 * disabled, within a second.
 */
export const BREAKER_SERIES_SETTINGS: Readonly<HookworkSettingsInput> = Object.freeze({
  ssrf: { allow: ['127.0.0.1'] },
  period: 200,
  timeout: 2000,
  stopTimeout: 2000,
  retrySchedule: [50],
  retryJitter: 0,
  maximumRetries: 100,
  breaker: { failureThreshold: 1, coolDown: 100 },
  autoDisable: { after: 400 },
});

const seriesOf = async (app: Hookwork<unknown>, key: string) => (await app.metrics.scrape()).text.split('\n').filter((line) => line.startsWith(`hookwork_breaker_state{webhook="${key}"}`));

/**
 * Checks on a backend that `hookwork_breaker_state` has a series only for webhooks that exist and
 * are enabled, as the store holds them:
 * - a webhook auto-disabled after its breaker opened loses its series (it read 1, open, until an
 *   operator enabled or deleted it: an alert on `== 1` fired on for a webhook sent nothing);
 * - a webhook an operator disables with its breaker open loses it too;
 * - health left in the store under a key no webhook has (a deletion cut short before it forgot the
 *   health, or written by an earlier hookwork) makes none.
 *
 * `startApp` starts the app on the backend with `thingComposer` and at least
 * {@link BREAKER_SERIES_SETTINGS}; the app is the caller's to stop.
 */
export async function expectBreakerSeriesOnlyForLiveWebhooks<TTransaction>(startApp: () => Promise<Hookwork<TTransaction>>): Promise<void> {
  const receiver = await startTestReceiver((_request, res) => void res.writeHead(503).end());
  try {
    const app = await startApp();
    // Auto-disabled: five "days" (400 ms) of failures, the breaker open all along.
    const autoDisabled = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const disabled = new Promise<void>((resolve) => app.lifecycle.on('webhookDisabled', (info) => info.webhookKey === autoDisabled.key && resolve()));
    await app.publish(new ThingHappened('to a receiver that stays down'));
    await disabled;
    expect((await app.webhooks.get(autoDisabled.key))!.enabled).toBe(false);
    // Its health still says why it was disabled; the gauge no longer says "open" of it.
    expect((await app.health(autoDisabled.key)).breaker).not.toBe('closed');
    expect(await seriesOf(app, autoDisabled.key)).toEqual([]);

    // Disabled by an operator while its breaker is open.
    const turnedOff = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const opened = new Promise<void>((resolve) => app.lifecycle.on('operatorEvent', (event) => event.type === 'breaker.opened' && event.data.webhookKey === turnedOff.key && resolve()));
    await app.publish(new ThingHappened('to the same receiver, after the first webhook was disabled'));
    await opened;
    expect(await seriesOf(app, turnedOff.key)).toEqual([expect.stringMatching(/ [12]$/)]);
    await app.webhooks.update(turnedOff.key, { enabled: false });
    expect(await seriesOf(app, turnedOff.key)).toEqual([]);

    // Health under a key no webhook has: what a deletion killed before it forgot leaves.
    const now = Date.now();
    await resolveToken(app.container, WebhookHealthStoreToken).compareAndSet('deleted-before-forgetting', 0, { breaker: 'open', consecutiveFailures: 10, failingSince: now - 60_000, openedAt: now, probeAt: now + 3_600_000 });
    expect(await seriesOf(app, 'deleted-before-forgetting')).toEqual([]);
  } finally {
    await receiver.close();
  }
}
