import { createHookwork, isHookworkError, type Composer, type Hookwork } from '@hookwork/core';
import { recordingTransport } from '@hookwork/core/testing';
import { cockpitComposer, cockpitHost } from '@hookwork/plugin-cockpit';
import { CollectionsStore } from './collections-store';

const collections: Composer = { name: 'store-test', compose: (b) => b.webhookEvents().addCockpit((c) => c.addCollections()) };

describe("the example's collections store", () => {
  let app: Hookwork;
  let enqueued: number;
  beforeEach(async () => {
    app = createHookwork({ composers: [cockpitComposer(), collections], transport: recordingTransport(), settings: { maxPayloadBytes: 2000 } });
    await app.start();
    enqueued = 0;
    app.lifecycle.on('enqueued', (requests) => (enqueued += requests.length));
    await app.webhooks.create({ name: 'h', url: 'https://hooks.example.test/cockpit', events: ['collections.save.after', 'collections.remove.after'] });
  });
  afterEach(() => app.stop());

  it('stores nothing when the trigger is refused: arguments over maxPayloadBytes', async () => {
    const store = new CollectionsStore(cockpitHost(app));
    const error = await store.save('posts', { body: 'x'.repeat(3000) }).then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_PAYLOAD_TOO_LARGE')).toBe(true);
    expect(store.find('posts')).toEqual([]);
    expect(enqueued).toBe(0);
  });

  // Arguments under the limit, Cockpit's envelope around them over it: trigger() resolves, with the failure in its result.
  it('stores nothing when the trigger resolved with failures, and says why', async () => {
    const store = new CollectionsStore(cockpitHost(app));
    await expect(store.save('posts', { body: 'x'.repeat(1950) })).rejects.toThrow(/^the webhooks got nothing, so the change was not made: collections.save.after: HOOKWORK_ERR_PAYLOAD_TOO_LARGE/);
    expect(store.find('posts')).toEqual([]);
    expect(enqueued).toBe(0);
    const saved = await store.save('posts', { title: 'small' });
    expect(store.find('posts')).toEqual([saved]);
    expect(await store.remove('posts', { title: 'small' })).toBe(1);
    expect(store.find('posts')).toEqual([]);
    expect(enqueued).toBe(2);
  });
});
