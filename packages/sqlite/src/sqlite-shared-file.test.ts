import { createHookwork, webhookEtag, type Hookwork, type HookworkError } from '@hookwork/core';
import { headerRecord, thingComposer, ThingHappened, startTestReceiver as startReceiver, type ReceivedRequest, type TestReceiver as Receiver } from '@hookwork/core/testing';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { openSqliteStorage, sqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

const webhookIdOf = (request: ReceivedRequest) => String(request.headers['webhook-id']);

describe('an app sharing its SQLite file with another process', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let receiver: Receiver;
  let app: Hookwork | undefined;

  beforeEach(async () => {
    temp = makeTempDir();
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await app?.stop();
    await receiver.close();
    temp.remove();
  });

  it('is woken by the store when the other process enqueues, not at the next period', async () => {
    const file = temp.file();
    // The safety sweep is an hour away: only the store's watch() can wake this app in time.
    app = createHookwork({
      composers: [thingComposer],
      storage: sqliteStorage({ file, watchIntervalMs: 20 }),
      settings: { period: '01:00:00', ssrf: { allow: ['127.0.0.1'] } },
    });
    await app.start();
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });

    // The other process: a bare handle on the same file, with no dispatcher of its own.
    const other = openSqliteStorage({ file });
    const now = new Date();
    await other.queue.enqueue([{ id: 'msg_from_elsewhere', webhookKey: webhook.key, eventAlias: 'thing.happened', body: '{"id":"elsewhere"}', createdAt: now, dueAt: now }]);
    await other.close();

    await receiver.waitFor(1, 20_000);
    expect(receiver.requests.map((a) => [webhookIdOf(a), JSON.parse(a.text)])).toEqual([['msg_from_elsewhere', { id: 'elsewhere' }]]);
  });

  it('delivers to a webhook the other process created again under a deleted key, right after dropping the deleted one’s request', async () => {
    const file = temp.file();
    // A period of 10 s: the app keeps a webhook it read for a second.
    app = createHookwork({
      composers: [thingComposer],
      storage: sqliteStorage({ file, watchIntervalMs: 20 }),
      settings: { period: 10_000, ssrf: { allow: ['127.0.0.1'] } },
    });
    await app.start();
    await app.webhooks.create({ key: 'orders', url: receiver.url, events: ['thing.happened'] });

    // The other process replaces the webhook (delete, create under the same key) while a request
    // of the deleted one is queued: this app drops that one, and must see the new webhook at once.
    const other = openSqliteStorage({ file });
    const stored = (await other.webhooks.get('orders'))!;
    await other.webhooks.delete('orders');
    const enqueue = (id: string) => {
      const now = new Date();
      return other.queue.enqueue([{ id, webhookKey: 'orders', eventAlias: 'thing.happened', body: JSON.stringify({ id }), createdAt: now, dueAt: now }]);
    };
    const dropped = new Promise((resolve) => app!.lifecycle.once('requestDropped', resolve));
    await enqueue('msg_orphan');
    await dropped;
    await other.webhooks.create(stored);
    await enqueue('msg_fresh');
    await other.close();

    // Requests enqueued by the other process: drain waits for the whole queue.
    await app.drain({ all: true });
    expect(receiver.requests.map(webhookIdOf)).toEqual(['msg_fresh']);
    expect((await app.logs('orders')).items.map((e) => [e.requestId, e.outcome])).toEqual([
      ['msg_fresh', 'delivered'],
      ['msg_orphan', 'dropped'],
    ]);
  });
});

describe('an app delivering while another process on its file changes the webhook', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let receiver: Receiver;
  const apps: Hookwork[] = [];
  beforeEach(async () => {
    temp = makeTempDir();
    receiver = await startReceiver();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.stop();
    await receiver.close();
    temp.remove();
  });

  it('signs with a secret the other rotated in with no grace, and stops sending to a webhook the other disabled or deleted, at its next attempt', async () => {
    const file = temp.file();
    // The deliverer (period 10 s: without the store's own fresh answers it kept a webhook for a
    // second), and the operator's instance, which delivers nothing.
    const deliverer = createHookwork({ composers: [thingComposer], storage: sqliteStorage({ file, watchIntervalMs: 20 }), settings: { period: 10_000, ssrf: { allow: ['127.0.0.1'] } } });
    const operator = createHookwork({ composers: [thingComposer], storage: sqliteStorage({ file }), settings: { enabled: false, ssrf: { allow: ['127.0.0.1'] } } });
    for (const app of [deliverer, operator]) {
      await app.start();
      apps.push(app);
    }
    const created = await operator.webhooks.create({ url: receiver.url, events: ['thing.happened'], secret: true });
    await deliverer.publish(new ThingHappened('first'));
    await receiver.waitFor(1);

    // A leaked secret, replaced at once: the next request is signed with the new one only.
    const rotated = await operator.webhooks.rotateSecret(created.key, { gracePeriodMs: 0 });
    await deliverer.publish(new ThingHappened('after-rotation'));
    const [, second] = await receiver.waitFor(2);
    expect(String(second!.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => new StandardWebhook(rotated.secret).verify(second!.text, headerRecord(second!))).not.toThrow();
    expect(() => new StandardWebhook(created.secret!).verify(second!.text, headerRecord(second!))).toThrow();

    // Requests already queued (enqueued as the other process would), then the webhook disabled: none is sent.
    await operator.webhooks.update(created.key, { enabled: false });
    const other = openSqliteStorage({ file });
    const now = new Date();
    await other.queue.enqueue([{ id: 'msg_while_disabled', webhookKey: created.key, eventAlias: 'thing.happened', body: '{"id":"x"}', createdAt: created.createdAt, dueAt: now }]);
    await other.close();
    const held = new Promise((resolve) => deliverer.lifecycle.once('requestDeferred', resolve));
    await held;
    await operator.webhooks.delete(created.key);
    await deliverer.drain({ all: true });
    expect(receiver.requests).toHaveLength(2);
  });
});

describe('two apps on one SQLite file changing one webhook at once', () => {
  let temp: ReturnType<typeof makeTempDir>;
  const apps: Hookwork[] = [];
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.stop();
    temp.remove();
  });

  it('keeps every edit and every rotated secret made through either app', async () => {
    // Two apps, as two processes on one file: one app's one-at-a-time ordering cannot see the
    // other's calls; each change reads and writes in one BEGIN IMMEDIATE transaction.
    const file = temp.file();
    for (let i = 0; i < 2; i++) {
      const app = createHookwork({ composers: [thingComposer], storage: sqliteStorage({ file }), settings: { ssrf: { allow: ['127.0.0.1'] } } });
      await app.start();
      apps.push(app);
    }
    const [a, b] = apps as [Hookwork, Hookwork];
    const { key, secrets } = await a.webhooks.create({ url: 'https://example.com/hooks', events: ['thing.happened'], secret: true });
    await Promise.all([a.webhooks.update(key, { name: 'Orders' }), b.webhooks.update(key, { enabled: false }), a.webhooks.update(key, { description: 'the shop' }), b.webhooks.update(key, { contentTypeKeys: ['product'] })]);
    expect(await b.webhooks.get(key)).toMatchObject({ name: 'Orders', enabled: false, description: 'the shop', contentTypeKeys: ['product'] });
    const rotated = await Promise.all([a, b, a, b].map((app) => app.webhooks.rotateSecret(key)));
    expect((await a.webhooks.get(key))!.secrets.map((s) => s.id).sort()).toEqual([secrets[0]!.id, ...rotated.map((r) => r.secretId)].sort());
  });
});

describe('two apps on one SQLite file changing one webhook under the same tag ({ ifMatch })', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let a: Hookwork;
  let b: Hookwork;
  beforeEach(async () => {
    temp = makeTempDir();
    const file = temp.file();
    [a, b] = [0, 1].map(() => createHookwork({ composers: [thingComposer], storage: sqliteStorage({ file }), settings: { ssrf: { allow: ['127.0.0.1'] } } })) as [Hookwork, Hookwork];
    await a.start();
    await b.start();
  });
  afterEach(async () => {
    await a.stop();
    await b.stop();
    temp.remove();
  });

  /**
   * Both apps read the webhook's tag, then both change it with that tag at once: which is made and
   * what the other was refused with. SQLite's driver is synchronous, so the two calls interleave
   * the same way on every run: each reads before either writes.
   */
  async function race(key: string, changes: [(tag: string) => Promise<unknown>, (tag: string) => Promise<unknown>]): Promise<{ made: number; refusal: HookworkError }> {
    const [tagA, tagB] = [webhookEtag((await a.webhooks.get(key))!), webhookEtag((await b.webhooks.get(key))!)];
    expect(tagB).toBe(tagA);
    const outcomes = await Promise.allSettled([changes[0](tagA), changes[1](tagB)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const made = outcomes.findIndex((o) => o.status === 'fulfilled');
    return { made, refusal: (outcomes[1 - made] as PromiseRejectedResult).reason as HookworkError };
  }

  it('makes exactly one of two edits; the other is refused with the webhook as the winner left it, nothing of it stored', async () => {
    const { key } = await a.webhooks.create({ url: 'https://example.com/hooks', events: ['thing.happened'], name: 'Orders' });
    const { made, refusal } = await race(key, [(tag) => a.webhooks.update(key, { name: 'Renamed in A' }, { ifMatch: tag }), (tag) => b.webhooks.update(key, { enabled: false }, { ifMatch: tag })]);
    const stored = (await b.webhooks.get(key))!;
    expect(stored).toMatchObject(made === 0 ? { name: 'Renamed in A', enabled: true } : { name: 'Orders', enabled: false });
    expect([refusal.code, refusal.details]).toEqual(['HOOKWORK_ERR_WEBHOOK_CHANGED', { key, etag: webhookEtag(stored), current: stored }]);
  });
});
