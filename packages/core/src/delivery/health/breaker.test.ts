import type { Hookwork } from '../../composition/hookwork-app';
import type { OperatorEvent } from '../../observability/operator-events';
import { startTestReceiver, type ReceivedRequest, type TestReceiver } from '../../testing/test-receiver';
import { WebhookHealthStoreToken } from '../../ports/webhook-health-store';
import { resolveToken } from '../../runtime/tokens';
import { nextLifecycle, queueOf, startTestApp, ThingHappened } from '../../test-support/test-app';

const idOf = (r: ReceivedRequest) => (JSON.parse(r.text) as { id: string }).id;
const retryCountOf = (r: ReceivedRequest) => Number(r.headers['hookwork-retry-count']);
const arrivalTimes = new WeakMap<ReceivedRequest, number>();

describe('the circuit breaker, against a receiver that fails on cue', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;
  let healthy = false;
  let events: OperatorEvent[];

  beforeEach(async () => {
    healthy = false;
    receiver = await startTestReceiver((request, res) => {
      arrivalTimes.set(request, Date.now());
      res.statusCode = healthy ? 200 : 503;
      res.end();
    });
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver.close();
  });

  async function start(settings: Parameters<typeof startTestApp>[0] extends infer O ? (O extends { settings?: infer S } ? S : never) : never) {
    app = await startTestApp({ settings: { concurrency: { global: 8, perWebhook: 1 }, retrySchedule: [30], maximumRetries: 20, ...settings } });
    events = [];
    app.lifecycle.on('operatorEvent', (event) => events.push(event));
    return app;
  }

  it('forgets a webhook deleted while its attempts were out: no breaker series for it, and one created again under its key starts healthy', async () => {
    app = await start({ breaker: { failureThreshold: 2 }, concurrency: { global: 8, perWebhook: 2 } });
    const held: { end: () => void }[] = [];
    let bothArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (bothArrived = resolve));
    receiver.handler = (_request, res) => {
      held.push({
        end: () => {
          res.statusCode = 503;
          res.end();
        },
      });
      if (held.length === 2) bothArrived();
    };
    await app.webhooks.create({ key: 'gone', url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('one'));
    await app.publish(new ThingHappened('two'));
    await arrived;
    await app.webhooks.delete('gone');
    let failed = 0;
    const bothFailed = new Promise<void>((resolve) => app!.lifecycle.on('attemptFailed', () => ++failed === 2 && resolve()));
    for (const response of held) response.end();
    // attemptFailed follows the health write of its attempt.
    await bothFailed;

    expect((await app.metrics.scrape()).text).not.toContain('webhook="gone"');
    await app.webhooks.create({ key: 'gone', url: receiver.url, events: ['thing.happened'] });
    expect(await app.health('gone')).toEqual({ webhookKey: 'gone', breaker: 'closed', consecutiveFailures: 0 });
    expect(events.filter((e) => e.type === 'breaker.opened')).toEqual([]);
  });

  it('does not count attempts that end after their webhook was disabled: no breaker opened for it, no breaker series', async () => {
    // As when a 410 of one attempt disables the webhook while its other attempts are out.
    app = await start({ breaker: { failureThreshold: 2 }, concurrency: { global: 8, perWebhook: 2 } });
    const held: (() => void)[] = [];
    let bothArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (bothArrived = resolve));
    receiver.handler = (_request, res) => {
      held.push(() => void res.writeHead(503).end());
      if (held.length === 2) bothArrived();
    };
    await app.webhooks.create({ key: 'off', url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('one'));
    await app.publish(new ThingHappened('two'));
    await arrived;
    await app.webhooks.update('off', { enabled: false });
    let failed = 0;
    const bothFailed = new Promise<void>((resolve) => app!.lifecycle.on('attemptFailed', () => ++failed === 2 && resolve()));
    for (const end of held) end();
    // attemptFailed follows the health write of its attempt.
    await bothFailed;

    expect(events.filter((e) => e.type === 'breaker.opened')).toEqual([]);
    expect(await app.health('off')).toEqual({ webhookKey: 'off', breaker: 'closed', consecutiveFailures: 0 });
    expect((await app.metrics.scrape()).text).not.toContain('webhook="off"');
  });

  it('a webhook created under a key with health left over from an earlier one starts healthy', async () => {
    app = await start({});
    // Left by a deletion whose health write failed, or by a hookwork that let a late attempt write it back.
    const now = Date.now();
    await resolveToken(app.container, WebhookHealthStoreToken).compareAndSet('reused', 0, { breaker: 'open', consecutiveFailures: 10, failingSince: now - 60_000, openedAt: now, probeAt: now + 3_600_000 });
    await app.webhooks.create({ key: 'reused', url: receiver.url, events: ['thing.happened'] });
    expect(await app.health('reused')).toEqual({ webhookKey: 'reused', breaker: 'closed', consecutiveFailures: 0 });
    expect((await app.metrics.scrape()).text).not.toContain('webhook="reused"');
  });

  it('opens after failureThreshold failures in a row, holds every request without using attempts, probes once after the cool-down, and closes on success', async () => {
    const coolDown = 1500;
    app = await start({ breaker: { failureThreshold: 3, coolDown } });
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const ids: string[] = [];
    app.lifecycle.on('enqueued', (requests) => ids.push(...requests.map((r) => r.requestId)));
    const attemptsStored = async () => (await Promise.all(ids.map((id) => queueOf(app!).get(id)))).reduce((n, r) => n + r!.attempts, 0);
    const opened = nextLifecycle(app, 'operatorEvent', (e) => e.type === 'breaker.opened');
    for (let i = 0; i < 4; i++) await app.publish(new ThingHappened(`b${i}`));
    const openedEvent = await opened;
    const openedAt = Date.now();
    expect(receiver.requests).toHaveLength(3);
    expect(openedEvent).toMatchObject({ type: 'breaker.opened', data: { webhookKey: webhook.key, url: webhook.url, trigger: 'consecutive failures', consecutiveFailures: 3 } });
    expect(await app.health(webhook.key)).toMatchObject({ breaker: 'open', consecutiveFailures: 3 });

    // Open: the requests wait (deferred, no attempt used) and nothing reaches the receiver.
    const deferred = nextLifecycle(app, 'requestDeferred', (r) => r.webhookKey === webhook.key);
    expect(await deferred).toMatchObject({ reason: 'breaker open' });
    await new Promise((resolve) => setTimeout(resolve, coolDown / 2));
    expect(receiver.requests).toHaveLength(3);
    expect(await app.queueCounts({ webhookKey: webhook.key })).toEqual({ pending: 4, inFlight: 0, dead: 0 });
    expect(await attemptsStored()).toBe(3);

    // The receiver recovers; after the cool-down exactly one probe goes, then the rest.
    healthy = true;
    const closed = nextLifecycle(app, 'operatorEvent', (e) => e.type === 'breaker.closed');
    await receiver.waitFor(4, 10_000);
    const probe = receiver.requests[3]!;
    expect(arrivalTimes.get(probe)! - openedAt).toBeGreaterThanOrEqual(coolDown - 50);
    expect(await closed).toMatchObject({ data: { webhookKey: webhook.key } });
    await app.drain();
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    expect(events.map((e) => e.type)).toEqual(['breaker.opened', 'breaker.closed', 'webhook.recovered']);
    expect(await app.health(webhook.key)).toEqual({ webhookKey: webhook.key, breaker: 'closed', consecutiveFailures: 0 });

    // No attempt was used while the breaker held the requests: each request's retry counts run 0, 1, 2… without a gap.
    const counts = new Map<string, number[]>();
    for (const r of receiver.requests) counts.set(idOf(r), [...(counts.get(idOf(r)) ?? []), retryCountOf(r)]);
    expect([...counts.keys()].sort()).toEqual(['b0', 'b1', 'b2', 'b3']);
    for (const seen of counts.values()) expect(seen).toEqual(seen.map((_, i) => i));
    // Three failures and one success per request: nothing else was sent.
    expect(receiver.requests).toHaveLength(3 + 4);
  });

  it('a failed probe keeps the breaker open for another cool-down; requests are never dead-lettered while it holds them', async () => {
    const coolDown = 700;
    app = await start({ breaker: { failureThreshold: 2, coolDown }, maximumRetries: 2 });
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const opened = nextLifecycle(app, 'operatorEvent', (e) => e.type === 'breaker.opened');
    await app.publish(new ThingHappened('p0'));
    await app.publish(new ThingHappened('p1'));
    await opened;
    await receiver.waitFor(3, 10_000); // the first probe, failing
    const firstProbe = receiver.requests[2]!;
    healthy = true;
    await receiver.waitFor(4, 10_000); // the second probe, a cool-down later
    expect(arrivalTimes.get(receiver.requests[3]!)! - arrivalTimes.get(firstProbe)!).toBeGreaterThanOrEqual(coolDown - 50);
    await app.drain();
    // maximumRetries is 2 and the breaker was open for two cool-downs: nothing died.
    expect(await app.queueCounts({ webhookKey: webhook.key })).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    expect(events.filter((e) => e.type === 'breaker.opened')).toHaveLength(1);
    expect(events.map((e) => e.type)).toEqual(['breaker.opened', 'breaker.closed', 'webhook.recovered']);
    const delivered = (await app.logs(webhook.key, { limit: 100 })).items.filter((e) => e.outcome === 'delivered');
    expect(delivered.map((e) => JSON.parse(e.requestBody).id).sort()).toEqual(['p0', 'p1']);
  });

  it('a webhook with the breaker turned off keeps attempting and dead-letters as before', async () => {
    app = await start({ breaker: { failureThreshold: 2, coolDown: 60_000 }, maximumRetries: 3 });
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], breaker: { enabled: false } });
    const dead = nextLifecycle(app, 'deadLettered');
    await app.publish(new ThingHappened('off'));
    expect(await dead).toMatchObject({ retryCount: 3 });
    expect(receiver.requests).toHaveLength(4);
    expect(events.map((e) => e.type)).toEqual(['request.exhausted']);
    expect(events[0]).toMatchObject({ data: { webhookKey: webhook.key, attempts: 4, lastError: 'HTTP 503', statusCode: 503, reason: 'retries exhausted' } });
  });

  it('a breaker turned off while open reads closed once its webhook is attempted again, not open for ever', async () => {
    app = await start({ breaker: { failureThreshold: 1, coolDown: 60_000 }, maximumRetries: 0 });
    const webhook = await app.webhooks.create({ key: 'turned-off', url: receiver.url, events: ['thing.happened'] });
    const first = nextLifecycle(app, 'deadLettered');
    await app.publish(new ThingHappened('opens'));
    await first;
    expect((await app.health(webhook.key)).breaker).toBe('open');
    await app.webhooks.update(webhook.key, { breaker: { enabled: false } });
    const second = nextLifecycle(app, 'deadLettered');
    await app.publish(new ThingHappened('sent'));
    await second;
    expect(receiver.requests.map(idOf)).toEqual(['opens', 'sent']);
    // Requests go out, so the breaker is not open: the view and the gauge must not say it is.
    expect(await app.health(webhook.key)).toMatchObject({ breaker: 'closed', consecutiveFailures: 2 });
    expect(await app.health(webhook.key)).not.toHaveProperty('probeAt');
    expect((await app.metrics.scrape()).text).toContain('hookwork_breaker_state{webhook="turned-off"} 0');
  });

  it('other webhooks are not held by one webhook\'s open breaker', async () => {
    app = await start({ breaker: { failureThreshold: 2, coolDown: 60_000 } });
    const good = await startTestReceiver();
    try {
      const failing = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await app.webhooks.create({ url: good.url, events: ['thing.happened'] });
      const opened = nextLifecycle(app, 'operatorEvent', (e) => e.type === 'breaker.opened');
      for (let i = 0; i < 5; i++) await app.publish(new ThingHappened(`o${i}`));
      await opened;
      await good.waitFor(5, 10_000);
      expect(good.requests.map(idOf).sort()).toEqual(['o0', 'o1', 'o2', 'o3', 'o4']);
      expect((await app.health(failing.key)).breaker).toBe('open');
    } finally {
      await app.stop();
      await good.close();
    }
  });
});
