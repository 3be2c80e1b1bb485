import { createHookwork } from '../../composition/create-hookwork';
import type { Hookwork } from '../../composition/hookwork-app';
import type { StorageBackend } from '../../ports/storage-backend';
import { memoryStorage } from '../../storage/memory/memory-storage';
import { contractWebhook } from '../../testing/webhook-repository-contract';
import { startTestReceiver, type ReceivedRequest, type TestReceiver } from '../../testing/test-receiver';
import { startTestApp, thingComposer, ThingHappened } from '../../test-support/test-app';

const idOf = (r: ReceivedRequest) => (JSON.parse(r.text) as { id: string }).id;

describe('FIFO webhooks', () => {
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

  /** The receiver fails the requests `failing` says, per id and attempt. */
  function failWhen(failing: (id: string, attempt: number) => boolean) {
    const attempts = new Map<string, number>();
    receiver.handler = (request, res) => {
      const id = idOf(request);
      const attempt = attempts.get(id) ?? 0;
      attempts.set(id, attempt + 1);
      res.statusCode = failing(id, attempt) ? 500 : 200;
      res.end();
    };
  }

  it('delivers in publish order, one at a time, the head\'s retries holding the ones behind it', async () => {
    app = await startTestApp({ settings: { retrySchedule: [40] } });
    failWhen((id, attempt) => id === 'f3' && attempt < 2);
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], fifo: true });
    expect(webhook.fifo).toEqual({ onDeadLetter: 'skip' });
    let open = 0;
    let maxOpen = 0;
    const inner = receiver.handler;
    receiver.handler = (request, res, index) => {
      maxOpen = Math.max(maxOpen, ++open);
      res.on('finish', () => open--);
      setTimeout(() => void inner(request, res, index), 5);
    };
    for (let i = 0; i < 10; i++) await app.publish(new ThingHappened(`f${i}`));
    await app.drain();
    expect(receiver.requests.map(idOf)).toEqual(['f0', 'f1', 'f2', 'f3', 'f3', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9']);
    expect(maxOpen).toBe(1);
  });

  it('skip: a dead-lettered head is set aside and the next goes; redelivered, it goes again', async () => {
    app = await startTestApp({ settings: { retrySchedule: [20], maximumRetries: 1 } });
    let broken = true;
    failWhen((id) => broken && id === 'f1');
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], fifo: { onDeadLetter: 'skip' } });
    for (let i = 0; i < 4; i++) await app.publish(new ThingHappened(`f${i}`));
    await app.drain();
    expect(receiver.requests.map(idOf)).toEqual(['f0', 'f1', 'f1', 'f2', 'f3']);
    const dead = await app.deadLetters({ webhookKey: webhook.key });
    expect(dead.items.map((r) => r.fifo)).toEqual(['skip']);
    broken = false;
    await app.redeliver({ webhookKey: webhook.key });
    await app.drain();
    expect(receiver.requests.map(idOf).slice(5)).toEqual(['f1']);
  });

  it('block: a dead-lettered head holds every request behind it until it is redelivered and delivered', async () => {
    app = await startTestApp({ settings: { retrySchedule: [20], maximumRetries: 1 } });
    let broken = true;
    failWhen((id) => broken && id === 'f1');
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], fifo: { onDeadLetter: 'block' } });
    const exhausted = new Promise((resolve) => app!.lifecycle.on('operatorEvent', (e) => e.type === 'request.exhausted' && resolve(e)));
    for (let i = 0; i < 4; i++) await app.publish(new ThingHappened(`f${i}`));
    expect(await exhausted).toMatchObject({ data: { webhookKey: webhook.key, reason: 'retries exhausted' } });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(receiver.requests.map(idOf)).toEqual(['f0', 'f1', 'f1']);
    expect(await app.queueCounts({ webhookKey: webhook.key })).toEqual({ pending: 2, inFlight: 0, dead: 1 });
    broken = false;
    await app.redeliver({ webhookKey: webhook.key });
    await app.drain();
    expect(receiver.requests.map(idOf)).toEqual(['f0', 'f1', 'f1', 'f1', 'f2', 'f3']);
  });

  it('a plain webhook beside a FIFO one goes concurrently; turning FIFO off applies to requests published from then on', async () => {
    app = await startTestApp();
    const open = new Map<string, number>();
    const maxOpen = new Map<string, number>();
    receiver.handler = (request, res) => {
      const path = request.path;
      open.set(path, (open.get(path) ?? 0) + 1);
      maxOpen.set(path, Math.max(maxOpen.get(path) ?? 0, open.get(path)!));
      setTimeout(() => {
        open.set(path, open.get(path)! - 1);
        res.end();
      }, 60);
    };
    const ordered = await app.webhooks.create({ url: `${receiver.origin}/ordered`, events: ['thing.happened'], fifo: true });
    await app.webhooks.create({ url: `${receiver.origin}/plain`, events: ['thing.happened'] });
    for (let i = 0; i < 4; i++) await app.publish(new ThingHappened(`a${i}`));
    await app.drain();
    expect(maxOpen.get('/ordered')).toBe(1);
    expect(maxOpen.get('/plain')).toBeGreaterThan(1);
    expect(receiver.requests.filter((r) => r.path === '/ordered').map(idOf)).toEqual(['a0', 'a1', 'a2', 'a3']);

    expect((await app.webhooks.update(ordered.key, { fifo: false })).fifo).toBeUndefined();
    maxOpen.clear();
    for (let i = 0; i < 4; i++) await app.publish(new ThingHappened(`b${i}`));
    await app.drain();
    expect(maxOpen.get('/ordered')).toBeGreaterThan(1);
  });

  it('refuses fifo on a queue that cannot keep the order: at create and update, and at start for stored FIFO webhooks', async () => {
    const opened = await memoryStorage().open({ logger: { debug() {}, info() {}, warn() {}, error() {} }, clock: { now: () => new Date() } });
    const noFifo: StorageBackend = { name: 'unordered', capabilities: { transactionalEnqueue: false, leaseRenewal: true, shared: false, crossProcessWake: false }, open: async () => opened };
    const plainApp = createHookwork({ composers: [thingComposer], storage: noFifo });
    await plainApp.start();
    try {
      const error = await plainApp.webhooks.create({ url: receiver.url, events: ['thing.happened'], fifo: true }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_WEBHOOK', details: [{ field: 'fifo', problem: expect.stringContaining('polling(unordered) queue cannot keep FIFO order') }] });
      const created = await plainApp.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await expect(plainApp.webhooks.update(created.key, { fifo: true })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_WEBHOOK' });
      expect(await plainApp.webhooks.list()).toMatchObject({ total: 1, items: [{ key: created.key }] });
    } finally {
      await plainApp.stop();
    }
    // A FIFO webhook stored earlier (say, with another queue): start() says which and how to fix it.
    await opened.webhooks.create(contractWebhook('ordered-one', { url: receiver.url, events: ['thing.happened'], fifo: { onDeadLetter: 'skip' } }));
    const again = createHookwork({ composers: [thingComposer], storage: noFifo });
    await expect(again.start()).rejects.toMatchObject({ code: 'HOOKWORK_ERR_CAPABILITY_MISSING', message: expect.stringContaining('webhook ordered-one asks for FIFO delivery, which the polling(unordered) queue cannot keep') });
    expect(again.state).toBe('created');
  });
});
