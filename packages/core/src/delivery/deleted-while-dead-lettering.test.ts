import { createHookwork } from '../composition/create-hookwork';
import type { Hookwork } from '../composition/hookwork-app';
import type { StorageBackend } from '../ports/storage-backend';
import { MemoryDeliveryLog, MemoryRequestQueue, MemoryWebhookRepository } from '../storage/memory/memory-storage';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { ThingHappened, thingComposer } from '../testing/thing-event';

/** A memory queue whose next deadLetter() waits, once armed, until the test lets it go on. */
class GatedQueue extends MemoryRequestQueue {
  armed = false;
  reached: () => void = () => {};
  opened: Promise<void> = Promise.resolve();

  override async deadLetter(...args: Parameters<MemoryRequestQueue['deadLetter']>): ReturnType<MemoryRequestQueue['deadLetter']> {
    if (this.armed) {
      this.armed = false;
      this.reached();
      await this.opened;
    }
    return super.deadLetter(...args);
  }
}

/**
 * Was a bug (the flake of the concurrent-callers contract's "a redelivery of one dead
 * letter while its webhook is deleted …" on PostgreSQL, dead: 1). An attempt whose webhook is
 * deleted after unlessMoved() read it (still there: the verdict "dead" stands) and before the
 * engine writes that verdict: the deletion's discard skips the request (in flight), then the
 * engine makes it a dead letter of a webhook that no longer exists, listed and counted until the
 * next cleanup round. Same on SQLite and PostgreSQL (checked with this gate around their queues).
 * Now core reads the webhook again (uncached) once the dead letter is written, and drops it as
 * the deletion would when the webhook is gone (WebhookService.dropIfDeleted).
 */
describe('a webhook deleted between an attempt\'s last look at it and its dead-lettering', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;
  afterEach(async () => {
    await app?.stop();
    await receiver.close();
  });

  it('leaves no dead letter under the deleted key', async () => {
    receiver = await startTestReceiver((_request, res) => void res.writeHead(500).end());
    const queue = new GatedQueue();
    const storage = { webhooks: new MemoryWebhookRepository(), queue, deliveryLog: new MemoryDeliveryLog(), async close() {} };
    const backend: StorageBackend = { name: 'gated-memory', capabilities: { transactionalEnqueue: false, leaseRenewal: true, shared: false, crossProcessWake: false }, open: async () => storage };
    app = createHookwork({ composers: [thingComposer], storage: backend, settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, retryJitter: 0, maximumRetries: 0 } });
    await app.start();
    const { key } = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('dead'));
    await app.drain();
    const [letter] = (await app.deadLetters({ webhookKey: key })).items;
    const dropped: string[] = [];
    const deadLettered: string[] = [];
    app.lifecycle.on('requestDropped', (info) => void dropped.push(info.requestId));
    app.lifecycle.on('deadLettered', (info) => void deadLettered.push(info.requestId));
    let release!: () => void;
    queue.opened = new Promise<void>((resolve) => (release = resolve));
    const reached = new Promise<void>((resolve) => (queue.reached = resolve));
    queue.armed = true;
    expect(await app.redeliver({ ids: [letter!.id] })).toEqual({ redelivered: 1, skipped: 0 });
    // Its attempt failed for good (500, no retries) and the webhook was there when looked at again.
    await reached;
    expect(await app.webhooks.delete(key)).toBe(true);
    release();
    await app.drain();
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    // Dropped as the deletion drops what it finds (logged, told), and never announced as a dead letter.
    expect(dropped).toEqual([letter!.id]);
    expect(deadLettered).toEqual([]);
    expect((await storage.deliveryLog.list({ requestId: letter!.id })).items.map((entry) => entry.outcome)).toContain('dropped');
  });
  /**
   * Was a bug: the webhook created again under its key before the dead letter was written (as
   * infrastructure as code replaces one) made the read again find a webhook, and the request stayed
   * a dead letter — listed, counted and announced as the new webhook's. The new webhook is another
   * one: the request is dropped as the deletion would, and the new webhook's own requests stay.
   */
  it('leaves no dead letter for a webhook created again under the key', async () => {
    let answered = 0;
    receiver = await startTestReceiver((_request, res) => void res.writeHead(answered++ === 0 ? 500 : 204).end());
    const queue = new GatedQueue();
    const storage = { webhooks: new MemoryWebhookRepository(), queue, deliveryLog: new MemoryDeliveryLog(), async close() {} };
    const backend: StorageBackend = { name: 'gated-memory', capabilities: { transactionalEnqueue: false, leaseRenewal: true, shared: false, crossProcessWake: false }, open: async () => storage };
    app = createHookwork({ composers: [thingComposer], storage: backend, settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, retryJitter: 0, maximumRetries: 0 } });
    await app.start();
    const { key } = await app.webhooks.create({ key: 'replaced', url: receiver.url, events: ['thing.happened'] });
    const dropped: string[] = [];
    const deadLettered: string[] = [];
    const failed: string[] = [];
    app.lifecycle.on('requestDropped', (info) => void dropped.push(info.requestId));
    app.lifecycle.on('deadLettered', (info) => void deadLettered.push(info.requestId));
    app.lifecycle.on('attemptFailed', (info) => void failed.push(info.requestId));
    let release!: () => void;
    queue.opened = new Promise<void>((resolve) => (release = resolve));
    const reached = new Promise<void>((resolve) => (queue.reached = resolve));
    queue.armed = true;
    await app.publish(new ThingHappened('for the old webhook'));
    await reached;
    expect(await app.webhooks.delete(key)).toBe(true);
    await app.webhooks.create({ key, url: receiver.url, events: ['thing.happened'] });
    release();
    await app.drain();
    expect(failed).toHaveLength(1);
    expect(deadLettered).toEqual([]);
    expect(dropped).toEqual(failed);
    expect(await app.queueCounts({ webhookKey: key })).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    await app.publish(new ThingHappened('for the new webhook'));
    await app.drain();
    expect(answered).toBe(2);
    expect(await app.queueCounts({ webhookKey: key })).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });
});
