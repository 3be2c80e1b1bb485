import type { ServerResponse } from 'node:http';
import type { Hookwork } from '../../composition/hookwork-app';
import { WebhookFiringService } from '../../firing/webhook-firing-service';
import { startTestReceiver, type TestReceiver } from '../../testing/test-receiver';
import { WebhookEventBase } from '../../events/webhook-event-base';
import { WebhookEvent } from '../../events/webhook-event.decorator';
import { WebhookEventTypes } from '../../events/webhook-event-types';
import { nextLifecycle, queueOf, startTestApp, ThingHappened } from '../../test-support/test-app';
import { memoryStorage } from '../../storage/memory/memory-storage';
import type { RequestQueue } from '../../ports/request-queue';
import type { Storage, StorageBackend } from '../../ports/storage-backend';

class SlowThing {
  constructor(readonly id: string) {}
}

/** An event whose payload is made only once `release()` is called: a host's slow converter (a database read, say). */
const slowGate = { entered: () => {}, release: () => {} };

@WebhookEvent('Slow Thing', WebhookEventTypes.Other, { alias: 'slow.thing', notification: SlowThing })
class SlowThingEvent extends WebhookEventBase<SlowThing> {
  override async convertNotificationToRequestPayload(notification: SlowThing) {
    slowGate.entered();
    await new Promise<void>((resolve) => (slowGate.release = resolve));
    return { id: notification.id };
  }
}

describe('the dispatcher', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;

  beforeEach(async () => {
    receiver = await startTestReceiver();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver.close();
  });

  const fire = (target: Hookwork, webhookKey: string, id: string) => target.container.resolve(WebhookFiringService).fire({ key: webhookKey }, 'thing.happened', { id });

  it('serves a fast endpoint while a slow one holds more requests than the global limit', async () => {
    app = await startTestApp({ settings: { concurrency: { global: 4, perWebhook: 2 } } });
    const slow = await startTestReceiver();
    const held: ServerResponse[] = [];
    let open = 0;
    let maxOpen = 0;
    slow.handler = (_r, res) => {
      open++;
      maxOpen = Math.max(maxOpen, open);
      res.on('finish', () => open--);
      held.push(res);
    };
    try {
      const slowHook = await app.webhooks.create({ url: slow.url, events: ['thing.happened'] });
      for (let i = 0; i < 10; i++) await app.publish(new ThingHappened(`slow-${i}`));
      await slow.waitFor(2);
      await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      for (let i = 0; i < 3; i++) await app.publish(new ThingHappened(`both-${i}`));
      // Every request of the fast endpoint arrives while the slow one still holds its two.
      await receiver.waitFor(3);
      expect(slow.requests).toHaveLength(2);
      expect(receiver.requests.map((r) => JSON.parse(r.text).id).sort()).toEqual(['both-0', 'both-1', 'both-2']);

      // Let the slow endpoint go: everything is delivered, never more than 2 at once there.
      slow.handler = (_r, res) => void res.end();
      for (const res of held.splice(0)) res.end();
      const releaseLater = setInterval(() => held.splice(0).forEach((res) => res.end()), 10);
      await app.drain();
      clearInterval(releaseLater);
      expect(slow.requests).toHaveLength(13);
      expect(maxOpen).toBeLessThanOrEqual(2);
      expect((await app.logs(slowHook.key, { limit: 100 })).items.every((e) => e.outcome === 'delivered')).toBe(true);
    } finally {
      for (const res of held) res.end();
      await app.stop();
      await slow.close();
    }
  });

  it('gives each webhook its own lanes: one whose receiver hangs never starves another on the same host and port', async () => {
    // An automation service or API gateway: two owners' webhooks on one scheme://host:port.
    app = await startTestApp({ settings: { timeout: 6000, stopTimeout: 100 } });
    const held: ServerResponse[] = [];
    receiver.handler = (request, res) => {
      if (request.path === '/stuck') held.push(res);
      else res.end('ok');
    };
    try {
      const stuck = await app.webhooks.create({ url: `${receiver.origin}/stuck`, events: ['thing.happened'] });
      await app.webhooks.create({ url: `${receiver.origin}/healthy`, events: ['thing.happened'] });
      const firstTimeout = nextLifecycle(app, 'attemptFailed', (a) => a.webhookKey === stuck.key, 30_000).then(() => 'a stuck attempt timed out');
      for (let i = 0; i < 40; i++) await app.publish(new ThingHappened(`e-${i}`));
      const healthy = () => receiver.requests.filter((r) => r.path === '/healthy').length;
      const allHealthy = (async () => {
        while (healthy() < 40) await new Promise((resolve) => setTimeout(resolve, 20));
        return 'all 40 healthy requests arrived';
      })();
      expect(await Promise.race([allHealthy, firstTimeout])).toBe('all 40 healthy requests arrived');
      // The stuck webhook holds only its own lane: perWebhook (the default) attempts, not the host's.
      expect(held.length).toBe(app.settings.concurrency.perWebhook);
    } finally {
      for (const res of held) res.end();
    }
  });

  it('never runs more attempts at once than the global limit', async () => {
    app = await startTestApp({ settings: { concurrency: { global: 3, perWebhook: 3 } } });
    const receivers = [receiver, await startTestReceiver(), await startTestReceiver()];
    let open = 0;
    let maxOpen = 0;
    for (const r of receivers) {
      r.handler = (_req, res) => {
        open++;
        maxOpen = Math.max(maxOpen, open);
        setTimeout(() => {
          open--;
          res.end();
        }, 5);
      };
      await app.webhooks.create({ url: r.url, events: ['thing.happened'] });
    }
    try {
      for (let i = 0; i < 20; i++) await app.publish(new ThingHappened(`g-${i}`));
      await app.drain();
      expect(receivers.map((r) => r.requests.length)).toEqual([20, 20, 20]);
      expect(maxOpen).toBeLessThanOrEqual(3);
    } finally {
      await receivers[1]!.close();
      await receivers[2]!.close();
    }
  });

  it('sends nothing while settings.enabled is false, keeps the requests, and sends them once enabled again', async () => {
    app = await startTestApp();
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    app.updateSettings({ enabled: false });
    // Requests stored before the switch (e.g. by a previous run of a durable store).
    await fire(app, webhook.key, 'kept-1');
    await fire(app, webhook.key, 'kept-2');
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.requests).toHaveLength(0);
    expect(await app.queueCounts()).toEqual({ pending: 2, inFlight: 0, dead: 0 });
    await expect(app.drain({ timeoutMs: 300 })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_DRAIN_TIMEOUT' });
    app.updateSettings({ enabled: true });
    await app.drain();
    expect(receiver.requests.map((r) => JSON.parse(r.text).id).sort()).toEqual(['kept-1', 'kept-2']);
  });

  it('drops the queued requests of a deleted webhook as it is deleted, with a log entry and a lifecycle event', async () => {
    app = await startTestApp();
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    app.updateSettings({ enabled: false });
    const request = await fire(app, webhook.key, 'orphan');
    const dropped = nextLifecycle(app, 'requestDropped');
    await app.webhooks.delete(webhook.key);
    app.updateSettings({ enabled: true });
    expect(await dropped).toMatchObject({ requestId: request.id, webhookKey: webhook.key, reason: 'the webhook was deleted' });
    await app.drain();
    expect(receiver.requests).toHaveLength(0);
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    const { items } = await app.logs(webhook.key);
    expect(items.map((e) => [e.requestId, e.outcome])).toEqual([[request.id, 'dropped']]);
  });

  it('removes a deleted webhook\'s queued requests alone, logging them after, when the store refuses them with their entries (discardAndLog), and says so', async () => {
    const backend = memoryStorage();
    const refusing: StorageBackend = {
      ...backend,
      async open(context): Promise<Storage> {
        const opened = await backend.open(context);
        const queue = Object.create(opened.queue) as RequestQueue;
        queue.discardAndLog = () => Promise.reject(new Error('value too long for the log'));
        return { ...opened, queue, close: () => opened.close() };
      },
    };
    const lines: string[] = [];
    app = await startTestApp({ storage: refusing, logger: { debug() {}, info() {}, warn() {}, error: (message) => void lines.push(message) } });
    const errors: string[] = [];
    app.lifecycle.on('backgroundError', (info) => errors.push(`${info.task}: ${(info.error as Error).message}`));
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    app.updateSettings({ enabled: false });
    const request = await fire(app, webhook.key, 'orphan');
    const dropped = nextLifecycle(app, 'requestDropped');
    await app.webhooks.delete(webhook.key);
    expect(await dropped).toMatchObject({ requestId: request.id, reason: 'the webhook was deleted' });
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    expect((await app.logs(webhook.key)).items.map((e) => [e.requestId, e.outcome])).toEqual([[request.id, 'dropped']]);
    expect(errors).toEqual([`removing the queued requests of deleted webhook ${webhook.key} with their log entries: value too long for the log`]);
    // Reported as every background failure is (the reporter's backgroundError), saying what was done instead, not "it will be tried again".
    expect(lines).toEqual([`removing the queued requests of deleted webhook ${webhook.key} with their log entries failed: value too long for the log; removing them alone instead, their entries logged after`]);
  });

  it('delivers the request of a webhook created again with a deleted one’s key, right after the deleted one’s request was dropped', async () => {
    // The period makes the app keep a webhook it read for a second (WebhookCache): long enough
    // for a drop, a create and a publish to fit in, on any machine.
    app = await startTestApp({ settings: { period: 10_000 } });
    const first = await app.webhooks.create({ key: 'orders', url: receiver.url, events: ['thing.happened'] });
    app.updateSettings({ enabled: false });
    await fire(app, first.key, 'orphan');
    const dropped = nextLifecycle(app, 'requestDropped');
    await app.webhooks.delete(first.key);
    app.updateSettings({ enabled: true });
    await dropped;
    // Infrastructure as code replaces a webhook this way: delete, then create under the same key.
    await app.webhooks.create({ key: 'orders', url: receiver.url, events: ['thing.happened'] });
    const fresh = await fire(app, 'orders', 'fresh');
    await app.drain();
    expect(receiver.requests.map((r) => JSON.parse(r.text).id)).toEqual(['fresh']);
    expect((await app.logs('orders')).items.map((e) => [e.requestId, e.outcome])).toEqual([
      [fresh.id, 'delivered'],
      [expect.any(String), 'dropped'],
    ]);
  });

  it('drops, as the deleted webhook\'s, a request whose publish read its webhook before it was deleted and created again under its key', async () => {
    app = await startTestApp({ composers: [{ compose: (builder) => builder.webhookEvents().add(SlowThingEvent) }] });
    const old = await startTestReceiver();
    try {
      await app.webhooks.create({ key: 'orders', url: old.url, events: ['slow.thing'] });
      const converting = new Promise<void>((resolve) => (slowGate.entered = resolve));
      const published = app.publish(new SlowThing('made-for-the-old-one'));
      await converting;
      // Infrastructure as code replaces the webhook while the payload is being made: another URL, another secret.
      await app.webhooks.delete('orders');
      await app.webhooks.create({ key: 'orders', url: receiver.url, events: ['slow.thing'], secret: true });
      const dropped = nextLifecycle(app, 'requestDropped');
      slowGate.release();
      expect((await published).failures).toEqual([]);
      await dropped;
      await app.drain();
      // Stamped when it was enqueued, the request went to the new webhook, signed with its secret.
      expect(receiver.requests).toEqual([]);
      expect(old.requests).toEqual([]);
      expect((await app.logs('orders')).items.map((e) => [e.outcome, e.errorMessage])).toEqual([['dropped', expect.stringContaining('the webhook it was published for was deleted')]]);
    } finally {
      await old.close();
    }
  });

  it('keeps the requests of a disabled webhook pending and delivers them once it is enabled again', async () => {
    app = await startTestApp();
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], enabled: false });
    await fire(app, webhook.key, 'waiting');
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.requests).toHaveLength(0);
    expect(await app.queueCounts()).toEqual({ pending: 1, inFlight: 0, dead: 0 });
    await app.webhooks.update(webhook.key, { enabled: true });
    await app.drain();
    expect(receiver.requests.map((r) => JSON.parse(r.text).id)).toEqual(['waiting']);
    expect((await app.logs(webhook.key)).items.map((e) => [e.retryCount, e.outcome])).toEqual([[0, 'delivered']]);
  });

  it('delivers a request whose lease was held by a process that died, once the lease expires', async () => {
    app = await startTestApp({ settings: { enabled: false } });
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const request = await fire(app, webhook.key, 'orphaned-claim');
    const queue = queueOf(app);
    // A lease far longer than the check below, so a late timer on a busy machine cannot let it
    // expire before the "not yet" assertion.
    const [claimed] = await queue.claim({ owner: 'dead-process', limit: 10, leaseMs: 2_500, now: new Date() });
    expect(claimed!.id).toBe(request.id);
    app.updateSettings({ enabled: true });
    await new Promise((r) => setTimeout(r, 150));
    expect(receiver.requests).toHaveLength(0);
    await app.drain();
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([request.id]);
  });

  it('stop() waits for an attempt up to stopTimeout, then aborts it and gives the claim back', async () => {
    app = await startTestApp({ settings: { stopTimeout: 200 } });
    receiver.handler = () => undefined; // never answers
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('interrupted'));
    await receiver.waitFor(1);
    const queue = queueOf(app);
    await app.stop();
    expect(await queue.counts()).toEqual({ pending: 1, inFlight: 0, dead: 0 });
    const stored = (await queue.get(receiver.requests[0]!.headers['webhook-id'] as string))!;
    expect(stored).toMatchObject({ state: 'pending', attempts: 0 });
    expect(webhook.key).toBeDefined();
    app = undefined;
  });

  it('stop() leaves no timer, socket or server handle behind', async () => {
    const count = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'TCPSocketWrap' || r === 'Immediate').length;
    await receiver.close();
    await new Promise((r) => setTimeout(r, 50));
    const before = count();
    const local = await startTestReceiver();
    app = await startTestApp({ settings: { retrySchedule: [60_000] } });
    local.handler = (r, res) => {
      res.statusCode = JSON.parse(r.text).id === 'fails' ? 500 : 200;
      res.end();
    };
    await app.webhooks.create({ url: local.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('ok'));
    await app.publish(new ThingHappened('fails'));
    await local.waitFor(2);
    await app.stop();
    app = undefined;
    await local.close();
    // Sockets finish closing asynchronously; on a busy machine that can take a moment. A leaked
    // handle (the 60 s retry timer this test schedules, an agent socket) outlives the wait.
    for (let waited = 0; count() > before && waited < 2_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    const left = count();
    if (left > before) throw new Error(`${left - before} handle(s) left after stop(): ${process.getActiveResourcesInfo().join(', ')}`);
    expect(left).toBeLessThanOrEqual(before);
    receiver = await startTestReceiver();
  });

  it('sleeps until a retry is due rather than until the next period', async () => {
    app = await startTestApp({ settings: { period: 60_000, retrySchedule: [100] } });
    receiver.handler = (_r, res, index) => {
      res.statusCode = index === 0 ? 500 : 200;
      res.end();
    };
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('soon'));
    // Well under the 60 s period: the retry went at its due time.
    await receiver.waitFor(2, 10_000);
    await app.drain();
  });
});
