import type { Composer } from '../composition/composer';
import type { Hookwork } from '../composition/hookwork-app';
import { isHookworkError } from '../errors/hookwork-error';
import { WebhookEvent } from '../events/webhook-event.decorator';
import { WebhookEventContentBase } from '../events/webhook-event-content-base';
import { WebhookEventTypes } from '../events/webhook-event-types';
import { memoryStorage } from '../storage/memory/memory-storage';
import { silentLogger } from '../observability/logger';
import { systemClock } from '../runtime/clock';
import type { Storage, StorageBackend } from '../ports/storage-backend';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { expectPublishAgainAfterDropNotSent, expectPublishAgainBeforeLogEntryNotSentAgain } from '../testing/log-gap-check';
import { expectRepeatedPublishEnqueuedOnce } from '../testing/repeated-publish-check';
import { expectKeyedPublishOfTwoBatchesKeepsBoth } from '../testing/keyed-batches-check';
import { thingComposer as testingThingComposer } from '../testing/thing-event';
import { startTestApp, ThingHappened, thingComposer } from '../test-support/test-app';
import { isKeyedMessageId, keyedMessageId, MAX_IDEMPOTENCY_KEY_LENGTH } from './idempotency-key';
import { newMessageId } from './webhook-firing-service';

class PagesPublished {
  constructor(readonly pages: { id: string }[]) {}
}

/** One request per page: a keyed publish's requests to one webhook differ by position. */
@WebhookEvent('Pages Published', WebhookEventTypes.Content, { alias: 'pages.published', notification: PagesPublished })
class PagesPublishedEvent extends WebhookEventContentBase<PagesPublished, { id: string }> {
  override getEntitiesFromNotification(notification: PagesPublished) {
    return notification.pages;
  }
  override convertEntityToRequestPayload(page: { id: string }) {
    return { page: page.id };
  }
}

const pagesComposer: Composer = { compose: (builder) => void builder.webhookEvents().add(PagesPublishedEvent) };

describe('keyedMessageId', () => {
  it('is msg_ and 32 hex digits in a UUIDv8 layout, the same for the same fields and different for any other', () => {
    const id = keyedMessageId('order-42:paid', 'wh-1', 'thing.happened', 0);
    expect(id).toMatch(/^msg_[0-9a-f]{12}8[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
    expect(keyedMessageId('order-42:paid', 'wh-1', 'thing.happened', 0)).toBe(id);
    const others = [keyedMessageId('order-42:paid ', 'wh-1', 'thing.happened', 0), keyedMessageId('order-42:paid', 'wh-2', 'thing.happened', 0), keyedMessageId('order-42:paid', 'wh-1', 'thing.other', 0), keyedMessageId('order-42:paid', 'wh-1', 'thing.happened', 1)];
    expect(new Set([id, ...others]).size).toBe(5);
    // Fields are not run together: moving a character from one to the next makes another id.
    expect(keyedMessageId('ab', 'c', 'x', 0)).not.toBe(keyedMessageId('a', 'bc', 'x', 0));
  });
});

describe('isKeyedMessageId', () => {
  it('knows the ids a keyed publish makes (and makes again) from the ones newMessageId makes once', () => {
    for (let i = 0; i < 50; i++) {
      expect(isKeyedMessageId(keyedMessageId(`order-${i}`, 'wh-1', 'thing.happened', i % 3))).toBe(true);
      expect(isKeyedMessageId(newMessageId())).toBe(false);
    }
    for (const other of ['', 'msg_', 'order-42', keyedMessageId('k', 'w', 'a', 0).replace('msg_', 'evt_'), `${keyedMessageId('k', 'w', 'a', 0)}0`]) expect(isKeyedMessageId(other)).toBe(false);
  });
});

describe('publish(notification, { idempotencyKey })', () => {
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

  it('sends the webhook-id derived from the key; publishing again with the key stores nothing, queued or delivered', async () => {
    app = await startTestApp();
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('1'), { idempotencyKey: 'change-1' });
    // Again at once (still queued or in flight), then once delivered and logged.
    await app.publish(new ThingHappened('1'), { idempotencyKey: 'change-1' });
    await app.drain();
    await app.publish(new ThingHappened('1'), { idempotencyKey: 'change-1' });
    await app.drain();
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([keyedMessageId('change-1', webhook.key, 'thing.happened', 0)]);
    // Another key is another publish.
    await app.publish(new ThingHappened('1'), { idempotencyKey: 'change-2' });
    await app.drain();
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([keyedMessageId('change-1', webhook.key, 'thing.happened', 0), keyedMessageId('change-2', webhook.key, 'thing.happened', 0)]);
  });

  it('a publish made again counts as enqueued once (lifecycle event, metric), and drain() does not wait for what it skipped', async () => {
    // Every app opens the one store, as processes sharing it (or a restart on a durable one) do.
    const shared = await memoryStorage().open({ logger: silentLogger, clock: systemClock });
    const backend: StorageBackend = { ...memoryStorage(), open: async (): Promise<Storage> => ({ ...shared, close: async () => {} }) };
    const apps: Hookwork[] = [];
    try {
      await expectRepeatedPublishEnqueuedOnce(async () => {
        // The helper publishes the ThingHappened of core/testing, as other packages' tests do.
        const started = await startTestApp({ storage: backend, composers: [testingThingComposer] });
        apps.push(started);
        return started;
      }, receiver);
    } finally {
      for (const started of apps) await started.stop();
    }
  });

  it('enqueues with a key what it does without one when an event enqueues twice in one publish (ids numbered per publish, not per batch); the repeat stores none', async () => {
    await expectKeyedPublishOfTwoBatchesKeepsBoth(async (composers) => (app = await startTestApp({ composers: [...composers] })), receiver);
  });

  it('a publish made again right after its request was delivered, before the delivery log entry is written, is skipped, not sent again', async () => {
    await expectPublishAgainBeforeLogEntryNotSentAgain(memoryStorage());
  });

  it.each(['fails', 'absent'] as const)('a publish made again right after delivery is skipped when the queue’s completeAndLog %s: the entry is written before the removal', async (completeAndLog) => {
    await expectPublishAgainBeforeLogEntryNotSentAgain(memoryStorage(), undefined, { completeAndLog });
  });

  it('a publish made again right after delivery dropped its request (its webhook replaced) is skipped, not sent to the new webhook', async () => {
    await expectPublishAgainAfterDropNotSent(memoryStorage());
  });

  it('a publish made again right after the webhook’s deletion removed its request (the webhook created again under its key) is skipped', async () => {
    await expectPublishAgainAfterDropNotSent(memoryStorage(), 'deletion');
  });

  it('gives each request of a keyed publish its own id (per webhook, per entity), and a retry stores only what is missing', async () => {
    app = await startTestApp({ composers: [pagesComposer] });
    const a = await app.webhooks.create({ url: `${receiver.origin}/a`, events: ['pages.published'] });
    const b = await app.webhooks.create({ url: `${receiver.origin}/b`, events: ['pages.published'] });
    await app.publish(new PagesPublished([{ id: 'p1' }, { id: 'p2' }]), { idempotencyKey: 'batch-7' });
    await app.drain();
    const ids = receiver.requests.map((r) => r.headers['webhook-id'] as string);
    expect(ids.sort()).toEqual([0, 1].flatMap((n) => [keyedMessageId('batch-7', a.key, 'pages.published', n), keyedMessageId('batch-7', b.key, 'pages.published', n)]).sort());
    // The key reused with a notification of three pages: the two already sent stay as they were, the third is new.
    await app.publish(new PagesPublished([{ id: 'p1-changed' }, { id: 'p2-changed' }, { id: 'p3' }]), { idempotencyKey: 'batch-7' });
    await app.drain();
    const later = receiver.requests.slice(4);
    expect(later.map((r) => r.text).sort()).toEqual(['{"page":"p3"}', '{"page":"p3"}']);
    expect(later.map((r) => r.headers['webhook-id']).sort()).toEqual([keyedMessageId('batch-7', a.key, 'pages.published', 2), keyedMessageId('batch-7', b.key, 'pages.published', 2)].sort());
  });

  it.each([
    ['a number', 42, /takes a string key; got 42/],
    ['an empty string', '', /was given an empty key/],
    ['a key too long', 'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH + 1), new RegExp(`a key of ${MAX_IDEMPOTENCY_KEY_LENGTH + 1} characters, over ${MAX_IDEMPOTENCY_KEY_LENGTH}`)],
    ['a space', 'order 42', /a key with a space in it/],
    ['a character beyond ASCII', 'commande-été', /the character U\+00E9/],
    ['a control character', 'a\nb', /the character U\+000A/],
  ])('refuses %s as a key with HOOKWORK_ERR_INVALID_ARGUMENT, sending nothing', async (_what, key, message) => {
    app = await startTestApp();
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const error = await app.publish(new ThingHappened('1'), { idempotencyKey: key as string }).then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/1 to 200 visible ASCII characters/);
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });

  it('takes the longest key allowed', async () => {
    app = await startTestApp();
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('1'), { idempotencyKey: '~'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH) });
    await receiver.waitFor(1);
  });

  it('an uncertain failure says how to retry: with the key it had, or that a publish without one may send twice', async () => {
    const lost = new Error('connection lost before the answer');
    const uncertain: StorageBackend = {
      name: 'uncertain',
      capabilities: memoryStorage().capabilities,
      async open(context): Promise<Storage> {
        const storage = await memoryStorage().open(context);
        return { ...storage, queue: Object.assign(Object.create(storage.queue), { enqueue: async () => Promise.reject(lost) }) };
      },
    };
    app = await startTestApp({ composers: [thingComposer], storage: uncertain });
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const keyed = await app.publish(new ThingHappened('1'), { idempotencyKey: 'change-9' }).then(() => undefined, (e: unknown) => e);
    expect(keyed).toMatchObject({ code: 'HOOKWORK_ERR_ENQUEUE_UNCERTAIN', cause: lost });
    expect((keyed as Error).message).toMatch(/may|did not say/);
    expect((keyed as Error).message).toContain('publish the same notification again with the same idempotencyKey ("change-9")');
    const unkeyed = await app.publish(new ThingHappened('1')).then(() => undefined, (e: unknown) => e);
    expect(unkeyed).toMatchObject({ code: 'HOOKWORK_ERR_ENQUEUE_UNCERTAIN' });
    expect((unkeyed as Error).message).toContain('publishing again now may deliver them twice, under new webhook-ids; publish with { idempotencyKey }');
  });
});
