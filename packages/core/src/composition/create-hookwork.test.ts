import { runInNewContext } from 'node:vm';
import { inject, injectable, singleton } from 'tsyringe';
import {
  createHookwork,
  HookworkError,
  fixedServerRole,
  isHookworkError,
  memoryStorage,
  ServerRoleAccessorToken,
  WebhookEvent,
  WebhookEventBase,
  WebhookEventContentBase,
  WebhookEventDependencies,
  WebhookEventTypes,
  type Composer,
  type Hookwork,
  type HookworkOptions,
  type Storage,
  type StorageBackend,
  type WebhooksBuilder,
  resolveToken,
  WebhookRepositoryToken,
} from '../index';
import { capturingStorage, recordingTransport, type CapturingStorage } from '../testing';

interface Page {
  key: string;
  name: string;
  contentType?: { key: string; alias: string };
  self?: Page;
}
class PagesPublished {
  constructor(readonly pages: Page[]) {}
}
class Pinged {
  constructor(readonly n: number) {}
}

@WebhookEvent('Page Published', WebhookEventTypes.Content, { alias: 'pagePublished', notification: PagesPublished })
class PagePublishedEvent extends WebhookEventContentBase<PagesPublished, Page> {
  getEntitiesFromNotification(notification: PagesPublished) {
    return notification.pages;
  }
  convertEntityToRequestPayload(page: Page) {
    return { id: page.key, name: page.name };
  }
}

@WebhookEvent('Pinged', WebhookEventTypes.Other, { alias: 'pinged', notification: Pinged, synonyms: ['Pinged.Legacy'], patterns: ['pinged.*'] })
class PingedEvent extends WebhookEventBase<Pinged> {
  override shouldFireWebhookForNotification(n: Pinged) {
    return n.n >= 0;
  }
  override getAliasesForNotification(n: Pinged) {
    return n.n > 100 ? ['pinged', 'pinged.big'] : ['pinged'];
  }
  override convertNotificationToRequestPayload(n: Pinged) {
    return { n: n.n };
  }
}

/** A host service, as Umbraco's documented custom event injects a content cache. */
@injectable()
class Greeting {
  text = 'hello';
}

@WebhookEvent('Greeted', WebhookEventTypes.Other, { alias: 'greeted', notification: Pinged })
class GreetedEvent extends WebhookEventBase<Pinged> {
  constructor(deps: WebhookEventDependencies, private readonly greeting: Greeting) {
    super(deps);
  }
  override convertNotificationToRequestPayload(n: Pinged) {
    return { greeting: this.greeting.text, n: n.n };
  }
}

const composer: Composer = { name: 'test', compose: (b) => b.webhookEvents().add(PagePublishedEvent, PingedEvent) };

const started: Hookwork[] = [];
async function startApp(options: HookworkOptions = {}): Promise<{ app: Hookwork; storage: CapturingStorage }> {
  const storage = capturingStorage(options.storage);
  const app = createHookwork({ composers: [composer], transport: recordingTransport(), ...options, storage });
  await app.start();
  started.push(app);
  return { app, storage };
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((app) => app.stop()));
});

const page = (key: string, typeKey = 'type-a'): Page => ({ key, name: `Page ${key}`, contentType: { key: typeKey, alias: typeKey } });
const hook = (events: string[], extra: Record<string, unknown> = {}) => ({ url: 'https://receiver.invalid/hook', events, ...extra });

describe('publishing through composed events', () => {
  it('enqueues one request per entity per subscribed webhook, with the converted payload', async () => {
    const { app, storage } = await startApp();
    const one = await app.webhooks.create(hook(['pagePublished']));
    const two = await app.webhooks.create(hook(['pagePublished', 'pinged']));
    await app.publish(new PagesPublished([page('1'), page('2')]));
    expect(storage.enqueued.map((r) => [r.webhookKey, r.eventAlias, JSON.parse(r.body)])).toEqual([
      [one.key, 'pagePublished', { id: '1', name: 'Page 1' }],
      [one.key, 'pagePublished', { id: '2', name: 'Page 2' }],
      [two.key, 'pagePublished', { id: '1', name: 'Page 1' }],
      [two.key, 'pagePublished', { id: '2', name: 'Page 2' }],
    ]);
    expect(new Set(storage.enqueued.map((r) => r.id)).size).toBe(4);
    expect(storage.enqueued.every((r) => /^msg_[0-9a-f]{32}$/.test(r.id))).toBe(true);
  });

  it('sends nothing when the enabled setting is false', async () => {
    const { app, storage } = await startApp({ settings: { enabled: false } });
    await app.webhooks.create(hook(['pinged']));
    await app.publish(new Pinged(1));
    expect(storage.enqueued).toEqual([]);
    app.updateSettings({ enabled: true });
    await app.publish(new Pinged(2));
    expect(storage.payloads()).toEqual([{ n: 2 }]);
  });

  it('fires only on Single and SchedulingPublisher servers', async () => {
    for (const [role, expected] of [['Subscriber', 0], ['Unknown', 0], ['SchedulingPublisher', 1], ['Single', 1]] as const) {
      const { app, storage } = await startApp({ serverRole: fixedServerRole(role) });
      await app.webhooks.create(hook(['pinged']));
      await app.publish(new Pinged(1));
      expect([role, storage.enqueued.length]).toEqual([role, expected]);
    }
  });

  it('skips a notification when shouldFireWebhookForNotification is false', async () => {
    const { app, storage } = await startApp();
    await app.webhooks.create(hook(['pinged']));
    await app.publish(new Pinged(-1));
    await app.publish(new Pinged(1));
    expect(storage.payloads()).toEqual([{ n: 1 }]);
  });

  it('skips disabled webhooks', async () => {
    const { app, storage } = await startApp();
    const off = await app.webhooks.create(hook(['pinged'], { enabled: false }));
    const on = await app.webhooks.create(hook(['pinged']));
    await app.publish(new Pinged(1));
    expect(storage.enqueued.map((r) => r.webhookKey)).toEqual([on.key]);
    await app.webhooks.update(off.key, { enabled: true });
    await app.publish(new Pinged(2));
    expect(storage.enqueued.slice(1).map((r) => r.webhookKey).sort()).toEqual([on.key, off.key].sort());
  });

  it('applies the content-type filter to per-entity events when it is not empty', async () => {
    const { app, storage } = await startApp();
    const filtered = await app.webhooks.create(hook(['pagePublished'], { contentTypeKeys: ['type-b'] }));
    const all = await app.webhooks.create(hook(['pagePublished']));
    await app.publish(new PagesPublished([page('1', 'type-a'), page('2', 'type-b'), { key: '3', name: 'no type' }]));
    expect(storage.enqueued.map((r) => [r.webhookKey, JSON.parse(r.body).id])).toEqual([
      [filtered.key, '2'],
      [all.key, '1'],
      [all.key, '2'],
      [all.key, '3'],
    ]);
  });

  it('lets a per-entity event whose entities have no content type opt out of the filter', async () => {
    @WebhookEvent('Orders shipped', WebhookEventTypes.Other, { alias: 'ordersShipped', notification: PagesPublished })
    class OrdersShippedEvent extends WebhookEventContentBase<PagesPublished, Page> {
      protected override get appliesContentTypeFilter() {
        return false;
      }
      getEntitiesFromNotification(n: PagesPublished) {
        return n.pages;
      }
      convertEntityToRequestPayload(p: Page) {
        return { order: p.key };
      }
    }
    const storage = capturingStorage();
    const app = createHookwork({ composers: [{ compose: (b) => b.webhookEvents().add(OrdersShippedEvent, PagePublishedEvent) }], storage, transport: recordingTransport() });
    await app.start();
    started.push(app);
    await app.webhooks.create(hook(['ordersShipped', 'pagePublished'], { contentTypeKeys: ['type-b'] }));
    await app.publish(new PagesPublished([{ key: 'o-1', name: 'order' }, page('2', 'type-a')]));
    expect(storage.enqueued.map((r) => [r.eventAlias, JSON.parse(r.body)])).toEqual([
      ['ordersShipped', { order: 'o-1' }],
      ['ordersShipped', { order: '2' }],
    ]);
  });

  it('fires under synonyms and name-spaced patterns with the alias the webhook subscribed to', async () => {
    const { app, storage } = await startApp();
    const legacy = await app.webhooks.create(hook(['Pinged.Legacy']));
    const both = await app.webhooks.create(hook(['pinged', 'Pinged.Legacy', 'pinged.big']));
    await app.publish(new Pinged(500));
    expect(storage.enqueued.map((r) => [r.webhookKey, r.eventAlias])).toEqual([
      [both.key, 'pinged'],
      [legacy.key, 'Pinged.Legacy'],
      [both.key, 'pinged.big'],
    ]);
  });

  // Unchecked, another event's alias carried this event's payload, a string fired letter by letter
  // (each a lookup), and a repeated alias enqueued every request twice.
  it("fails an event whose getAliasesForNotification() returns what is not its own aliases, each once, and still fires the others", async () => {
    class Saved {
      constructor(readonly aliases: unknown) {}
    }
    @WebhookEvent('Saved', WebhookEventTypes.Other, { alias: 'col.save', notification: Saved, synonyms: ['CollectionSaved'], patterns: ['col.save.*'] })
    class SavedEvent extends WebhookEventBase<Saved> {
      override getAliasesForNotification(n: Saved) {
        return n.aliases as string[];
      }
      override convertNotificationToRequestPayload(_n: Saved, context: { alias: string }) {
        return { alias: context.alias };
      }
    }
    @WebhookEvent('Saved too', WebhookEventTypes.Other, { alias: 'saved.too', notification: Saved })
    class SavedTooEvent extends WebhookEventBase<Saved> {
      // Not the notification itself: one holding a promise is a payload JSON would send as {}, refused.
      override convertNotificationToRequestPayload(n: Saved) {
        return { aliases: n.aliases instanceof Promise ? 'a promise' : n.aliases };
      }
    }
    const storage = capturingStorage();
    const app = createHookwork({ composers: [{ compose: (b) => b.webhookEvents().add(SavedEvent, SavedTooEvent, PingedEvent) }], storage, transport: recordingTransport() });
    await app.start();
    started.push(app);
    await app.webhooks.create(hook(['col.save', 'col.save.posts', 'pinged', 'saved.too']));
    const failureOf = async (aliases: unknown) => {
      const before = storage.enqueued.length;
      const { failures } = await app.publish(new Saved(aliases));
      expect(failures.map((f) => [f.eventAlias, f.error.code, (f.error.cause as { code?: string }).code])).toEqual([['col.save', 'HOOKWORK_ERR_HANDLER_FAILED', 'HOOKWORK_ERR_INVALID_FIRED_ALIAS']]);
      // The other event on the notification still fired; nothing of the failed one was stored.
      expect(storage.enqueued.slice(before).map((r) => r.eventAlias)).toEqual(['saved.too']);
      return (failures[0]!.error.cause as Error).message;
    };
    expect(await failureOf(['col.save', 'pinged'])).toBe(
      'HOOKWORK_ERR_INVALID_FIRED_ALIAS: SavedEvent.getAliasesForNotification() returned "pinged", which is not this event\'s: an event fires only under its alias, its synonyms and its patterns\' variants (col.save, CollectionSaved, col.save.*). To send under another alias, publish a notification that event handles; to fire a variant, declare its pattern in @WebhookEvent; nothing of col.save was sent for this notification',
    );
    expect(await failureOf(['col.save.posts', 'col.save.posts'])).toMatch(/returned "col.save.posts" twice, which would send each of its requests twice; list each alias once/);
    expect(await failureOf(['col.save', 'CollectionSaved'])).toMatch(/returned "CollectionSaved" twice \(a synonym counts as the alias col.save: webhooks subscribed under any spelling get its request\)/);
    expect(await failureOf('col.save')).toMatch(/returned a string, "col.save"; return a list of aliases, e\.g\. \["col.save"\]/);
    expect(await failureOf(Promise.resolve(['col.save']))).toMatch(/returned a promise \(it is synchronous\)/);
    expect(await failureOf(['col.save.*'])).toMatch(/returned "col.save.\*", which is not this event's/);
    expect(await failureOf([5])).toMatch(/returned 5 in its list; each item is an alias string/);
    // Its own alias and a variant still fire, once each.
    const before = storage.enqueued.length;
    expect((await app.publish(new Saved(['col.save', 'col.save.posts']))).failures).toEqual([]);
    expect(storage.enqueued.slice(before).map((r) => [r.eventAlias, JSON.parse(r.body)]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['col.save', { alias: 'col.save' }],
      ['col.save.posts', { alias: 'col.save.posts' }],
      ['saved.too', { aliases: ['col.save', 'col.save.posts'] }],
    ]);
  });

  it('snapshots the payload when the event fires', async () => {
    const { app, storage } = await startApp();
    await app.webhooks.create(hook(['pagePublished']));
    const entity = page('1');
    await app.publish(new PagesPublished([entity]));
    entity.name = 'changed after publish';
    expect(storage.payloads()).toEqual([{ id: '1', name: 'Page 1' }]);
  });

  it('reports a payload JSON cannot hold as a coded error, and still fires the other events', async () => {
    @WebhookEvent('Raw page', WebhookEventTypes.Content, { alias: 'rawPage', notification: PagesPublished })
    class RawPageEvent extends WebhookEventContentBase<PagesPublished, Page> {
      getEntitiesFromNotification(n: PagesPublished) {
        return n.pages;
      }
      convertEntityToRequestPayload(p: Page) {
        return p; // the live entity, with its cycle: must not crash the host
      }
    }
    const failures: string[] = [];
    const storage = capturingStorage();
    const app = createHookwork({ composers: [{ compose: (b) => b.webhookEvents().add(RawPageEvent, PagePublishedEvent) }], storage, transport: recordingTransport() });
    await app.start();
    started.push(app);
    app.lifecycle.on('handlerFailed', (info) => failures.push(info.eventAlias));
    await app.webhooks.create(hook(['rawPage', 'pagePublished']));
    const cyclic = page('1');
    cyclic.self = cyclic;
    const result = await app.publish(new PagesPublished([cyclic]));
    expect(result.failures.map((f) => [f.eventAlias, f.error.code, (f.error.cause as { code?: string }).code])).toEqual([['rawPage', 'HOOKWORK_ERR_HANDLER_FAILED', 'HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE']]);
    // The failure survives JSON (a log line, an API answer), cause included.
    expect(JSON.parse(JSON.stringify(result.failures[0]))).toMatchObject({ eventAlias: 'rawPage', error: { code: 'HOOKWORK_ERR_HANDLER_FAILED', cause: { code: 'HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE' } } });
    expect(failures).toEqual(['rawPage']);
    expect(storage.enqueued.map((r) => r.eventAlias)).toEqual(['pagePublished']);
  });

  it('refuses a payload JSON would silently change (a Map sent as {}, NaN sent as null), naming the value and where it is', async () => {
    @WebhookEvent('Mapped page', WebhookEventTypes.Content, { alias: 'mappedPage', notification: PagesPublished })
    class MappedPageEvent extends WebhookEventContentBase<PagesPublished, Page> {
      getEntitiesFromNotification(n: PagesPublished) {
        return n.pages;
      }
      convertEntityToRequestPayload(p: Page) {
        return { key: p.key, cultures: new Map([['en-US', p.name]]) };
      }
    }
    const storage = capturingStorage();
    const app = createHookwork({ composers: [{ compose: (b) => b.webhookEvents().add(MappedPageEvent, PagePublishedEvent) }], storage, transport: recordingTransport() });
    await app.start();
    started.push(app);
    await app.webhooks.create(hook(['mappedPage', 'pagePublished']));
    const result = await app.publish(new PagesPublished([page('1')]));
    const cause = result.failures[0]?.error.cause as Error & { code?: string };
    expect(result.failures.map((f) => f.eventAlias)).toEqual(['mappedPage']);
    expect(cause.code).toBe('HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE');
    expect(cause.message).toContain('the payload of mappedPage has a Map of 1 (JSON.stringify sends {}, without its entries; convert it with Object.fromEntries(map)) at payload.cultures');
    // Nothing of the refused event is stored; the other event is.
    expect(storage.enqueued.map((r) => r.eventAlias)).toEqual(['pagePublished']);
  });

  it('names a function or symbol payload as such, not as undefined, and refuses nested functions and typed arrays as it refuses a Map', async () => {
    class Shaped {
      constructor(readonly payload: unknown) {}
    }
    @WebhookEvent('Shaped', WebhookEventTypes.Other, { alias: 'shaped', notification: Shaped })
    class ShapedEvent extends WebhookEventBase<Shaped> {
      override convertNotificationToRequestPayload(n: Shaped) {
        return n.payload;
      }
    }
    const storage = capturingStorage();
    const app = createHookwork({ composers: [{ compose: (b) => b.webhookEvents().add(ShapedEvent) }], storage, transport: recordingTransport() });
    await app.start();
    started.push(app);
    await app.webhooks.create(hook(['shaped']));
    const refusal = async (payload: unknown) => {
      const { failures } = await app.publish(new Shaped(payload));
      const cause = failures[0]?.error.cause as { code?: string; message: string } | undefined;
      expect(cause?.code).toBe('HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE');
      return cause!.message;
    };
    expect(await refusal(function total() {})).toMatch(/^HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE: the payload of shaped is a function \(total\) \(JSON.stringify leaves it out/);
    expect(await refusal(Symbol('x'))).toMatch(/the payload of shaped is a symbol, Symbol\(x\)/);
    expect(await refusal({ id: 1, format: () => 'x' })).toMatch(/the payload of shaped has a function \(format\) .* at payload.format; return plain data/);
    expect(await refusal({ id: 1, bytes: new Uint8Array([1, 2, 3]) })).toMatch(/the payload of shaped has a Uint8Array of 3 \(JSON.stringify sends an object of its items by index/);
    expect(await refusal(undefined)).toMatch(/the payload of shaped is undefined; the payload converter must return a JSON value/);
    // What JSON.stringify throws on, named where it is, on one line: a nesting too deep was told
    // "no circular references or BigInt", and a cycle quoted V8's several lines.
    const order: Record<string, unknown> = { id: 'o-1' };
    order.lines = [{ sku: 'a', order }];
    expect(await refusal({ order })).toBe('HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE: the payload of shaped cannot be serialised to JSON: it holds a circular reference at payload.order.lines[0].order, back to payload.order: JSON cannot hold a cycle (send an id instead of the object); return plain data from the payload converter');
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 50_000; i++) deep = { parent: deep };
    expect(await refusal({ deep })).toMatch(/: it holds a value nested more than 1000 levels deep at payload\.deep\.parent\.parent\.parent\.parent\.parent… \(1000 steps\): deeper than JSON\.stringify can go \(flatten it, or send ids/);
    expect(await refusal({ total: 12n })).toMatch(/: it holds a BigInt at payload\.total: JSON has no form for it/);
    // A getter that answered JSON.stringify and threw at the check's second read escaped as a bare Error.
    let reads = 0;
    const session = {
      get user() {
        if (reads++ > 0) throw new Error('session closed');
        return 'ann';
      },
    };
    expect(await refusal({ session })).toMatch(/the payload of shaped has a value that threw when read again \(session closed\) .* at payload\.session\.user; return plain data/);
    // An invalid Date's own toJSON() sent null where a date-time string was promised, without a word.
    class Entity {
      #id = 7;
      get id() {
        return this.#id;
      }
    }
    expect(await refusal({ entry: new Entity() })).toMatch(/the payload of shaped has an Entity whose data is in getters \(id\) \(JSON.stringify sends \{\}; .*\) at payload.entry; return plain data/);
    expect(await refusal({ id: 1, publishedAt: new Date('not a date') })).toMatch(/the payload of shaped has an invalid Date \(JSON.stringify sends null; .*\) at payload.publishedAt; return plain data/);
    expect(storage.enqueued).toEqual([]);
    // What JSON holds as the author meant still goes: a Buffer (its own toJSON), an undefined field left out.
    expect((await app.publish(new Shaped({ id: 1, raw: Buffer.from('hi'), none: undefined }))).failures).toEqual([]);
    expect(storage.payloads()).toEqual([{ id: 1, raw: { type: 'Buffer', data: [104, 105] } }]);
  });

  it('refuses a payload over maxPayloadBytes', async () => {
    const { app, storage } = await startApp({ settings: { maxPayloadBytes: 64 } });
    await app.webhooks.create(hook(['pagePublished']));
    const result = await app.publish(new PagesPublished([{ key: '1', name: 'x'.repeat(100) }]));
    expect((result.failures[0]?.error as Error).message).toMatch(/HOOKWORK_ERR_PAYLOAD_TOO_LARGE: the payload of pagePublished is \d+ bytes, over maxPayloadBytes \(64\)/);
    expect(storage.enqueued).toEqual([]);
  });

  it('counts maxPayloadBytes in UTF-8 bytes, not characters', async () => {
    const { app, storage } = await startApp({ settings: { maxPayloadBytes: 200 } });
    await app.webhooks.create(hook(['pagePublished']));
    // 70 characters of 3 bytes each: under the limit in characters, over it in bytes.
    const refused = await app.publish(new PagesPublished([{ key: '1', name: '€'.repeat(70) }]));
    expect((refused.failures[0]?.error as Error).message).toMatch(/HOOKWORK_ERR_PAYLOAD_TOO_LARGE: the payload of pagePublished is 2\d\d bytes, over maxPayloadBytes \(200\)/);
    expect(storage.enqueued).toEqual([]);
    // 40 of them, and the rest ASCII: more than a third of the limit in characters, within it in bytes.
    expect((await app.publish(new PagesPublished([{ key: '1', name: '€'.repeat(40) }]))).failures).toEqual([]);
    expect(storage.enqueued).toHaveLength(1);
    expect(Buffer.byteLength(storage.enqueued[0]!.body)).toBeGreaterThan(200 / 3);
    expect(Buffer.byteLength(storage.enqueued[0]!.body)).toBeLessThanOrEqual(200);
  });

  it('rejects publish with the cause when enqueueing fails, as uncertain when the queue does not say whether it stored anything', async () => {
    const diskFull = new Error('disk full');
    const failing: StorageBackend = {
      name: 'failing',
      capabilities: memoryStorage().capabilities,
      async open(context): Promise<Storage> {
        const storage = await memoryStorage().open(context);
        return { ...storage, queue: Object.assign(Object.create(storage.queue), { enqueue: async () => Promise.reject(diskFull) }) };
      },
    };
    const app = createHookwork({ composers: [composer], storage: failing, transport: recordingTransport() });
    await app.start();
    started.push(app);
    await app.webhooks.create(hook(['pinged']));
    const error = await app.publish(new Pinged(1)).then(() => undefined, (e: unknown) => e);
    // An uncoded error says neither "nothing stored" nor "stored": publish() does not guess.
    expect(isHookworkError(error, 'HOOKWORK_ERR_ENQUEUE_UNCERTAIN')).toBe(true);
    expect((error as Error).cause).toBe(diskFull);
    expect((error as Error).message).toContain('disk full');
    expect((error as Error).message).toMatch(/did not say whether it stored them .*publish with \{ idempotencyKey \}/);
  });

  it('rejects publish with HOOKWORK_ERR_ENQUEUE_FAILED when the store cannot look the webhooks up (it is down), as when it cannot enqueue', async () => {
    const down = new HookworkError('HOOKWORK_ERR_STORAGE', 'the database is unreachable');
    const unreachable: StorageBackend = {
      name: 'unreachable',
      capabilities: memoryStorage().capabilities,
      async open(context): Promise<Storage> {
        const storage = await memoryStorage().open(context);
        return { ...storage, webhooks: Object.assign(Object.create(storage.webhooks), { getByAlias: async () => Promise.reject(down), getSharedByAlias: async () => Promise.reject(down) }) };
      },
    };
    const app = createHookwork({ composers: [composer], storage: unreachable, transport: recordingTransport() });
    await app.start();
    started.push(app);
    // One code for "the store failed, nothing is durable", whichever step failed; the store's own error is the cause.
    const error = await app.publish(new Pinged(1)).then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_ENQUEUE_FAILED')).toBe(true);
    expect((error as Error).cause).toBe(down);
    expect((error as Error).message).toContain('HOOKWORK_ERR_STORAGE: the database is unreachable');
  });

  it('resolves with nothing to do for a notification no event handles', async () => {
    const { app, storage } = await startApp();
    await expect(app.publish(new (class Unrelated {})())).resolves.toEqual({ events: 0, failures: [], enqueued: 0, alreadyEnqueued: 0 });
    expect(storage.enqueued).toEqual([]);
  });

  it('refuses what is not a notification, and use before start or after stop', async () => {
    const app = createHookwork({ composers: [composer], transport: recordingTransport() });
    await expect(app.publish(new Pinged(1))).rejects.toThrow(/HOOKWORK_ERR_APP_NOT_STARTED/);
    expect(() => app.webhooks).toThrow(/HOOKWORK_ERR_APP_NOT_STARTED: storage is not open yet; await app.start\(\)/);
    await app.start();
    await expect(app.publish(null as unknown as object)).rejects.toThrow(/HOOKWORK_ERR_INVALID_NOTIFICATION/);
    await expect(app.publish('content published' as unknown as object)).rejects.toThrow(/HOOKWORK_ERR_INVALID_NOTIFICATION/);
    await app.stop();
    await expect(app.publish(new Pinged(1))).rejects.toThrow(/HOOKWORK_ERR_APP_STOPPED/);
  });
});

describe('createHookwork() options', () => {
  it('refuses an unknown option and a value of the wrong kind, naming each and the fix', () => {
    const attempt = (options: unknown) => {
      try {
        createHookwork(options as HookworkOptions);
      } catch (error) {
        return error as { code: string; message: string; details: { key: string; problem: string }[] };
      }
      throw new Error('createHookwork accepted bad options');
    };
    // A typo from JavaScript used to start an app with no events.
    const typo = attempt({ composer: [composer] });
    expect(typo.code).toBe('HOOKWORK_ERR_INVALID_OPTIONS');
    expect(typo.message).toMatch(/composer is not an option \(did you mean composers\?\)/);
    // A path where a backend belongs used to fail at start() with "backend.open is not a function".
    const path = attempt({ storage: './x.db', logger: console.log, composers: [{}] });
    expect(path.details.map((d) => d.key)).toEqual(['storage', 'logger', 'composers[0]']);
    expect(path.message).toContain('storage must be a storage backend such as sqliteStorage({ file }) (not a path string)');
    expect(attempt('./x.db').message).toMatch(/HOOKWORK_ERR_INVALID_OPTIONS: createHookwork\(\) takes an options object/);
  });

  // Looked up through the prototype chain, these found Object's own functions: "TypeError: kind.check is not a function".
  it.each([['__proto__', JSON.parse('{"__proto__":{}}') as unknown], ['constructor', { constructor: 1 }], ['toString', { toString: 1 }], ['hasOwnProperty', { hasOwnProperty: 1 }], ['valueOf', { valueOf: 1 }]])(
    'refuses the key %s as an unknown option, coded',
    (key, options) => {
      expect(() => createHookwork(options as HookworkOptions)).toThrow(new RegExp(`HOOKWORK_ERR_INVALID_OPTIONS: createHookwork\\(\\) was given bad options: ${key} is not an option`));
    },
  );

  it('refuses a settings key named as an Object function, and settings or delivery that are not plain objects', () => {
    expect(() => createHookwork({ settings: { constructor: 1 } as never })).toThrow(/HOOKWORK_ERR_INVALID_SETTINGS: .*constructor is not a known setting/);
    expect(() => createHookwork({ settings: { constructor: 1 } as never })).not.toThrow(/was renamed/);
    expect(() => createHookwork({ settings: new Map([['maximumRetries', 1]]) as never })).toThrow(/HOOKWORK_ERR_INVALID_OPTIONS: .*settings must be a plain object/);
    expect(() => createHookwork({ settings: { ssrf: new Map([['allowInternal', true]]) } as never })).toThrow(/HOOKWORK_ERR_INVALID_SETTINGS: settings: ssrf is a Map, not a plain object/);
    expect(() => createHookwork({ delivery: new Date() as never })).toThrow(/delivery must be a plain object/);
    // The fix names what the key takes: a list, a duration — not "an object literal" for every one.
    expect(() => createHookwork({ settings: { ssrf: { allow: new Set(['127.0.0.1:3000']) } } as never })).toThrow('settings: ssrf.allow is a Set, not an array; give an array ([...set] makes one) (see docs/settings.md)');
    expect(() => createHookwork({ settings: { retrySchedule: new Set([1000]) } as never })).toThrow(/retrySchedule is a Set, not an array/);
    expect(() => createHookwork({ settings: { period: new Date() } as never })).toThrow('settings: period is a Date, not a number or a string; give a number or a string (see docs/settings.md)');
    expect(() => createHookwork(new Map() as never)).toThrow(/takes an options object .*; got a Map/);
  });

  // A plain function was taken for a class: `new fn()` with no builder failed with the function's
  // own TypeError (or "is not a constructor" for an arrow), as a composer that had thrown.
  it('refuses a plain function as a composer, suggesting { compose: fn }, and still takes a class', () => {
    function myCompose(builder: WebhooksBuilder) {
      builder.webhookEvents().add(PingedEvent);
    }
    const refusal = (composers: unknown[]) => {
      try {
        createHookwork({ composers } as HookworkOptions);
      } catch (error) {
        expect(error).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_OPTIONS' });
        return (error as { details: { key: string; problem: string }[] }).details;
      }
      throw new Error('createHookwork accepted a function as a composer');
    };
    expect(refusal([myCompose, (b: WebhooksBuilder) => b.webhookEvents().add(PingedEvent)])).toEqual([
      { key: 'composers[0]', problem: 'is a function (myCompose), not a composer: a composer is an object with compose(builder), or a class with a compose(builder) method; wrap the function as { compose: myCompose }' },
      { key: 'composers[1]', problem: expect.stringMatching(/^is a function \(anonymous\), not a composer: .*wrap the function as \{ compose: \(builder\) => … \}$/) },
    ]);
    // Classes stay composers: with compose() on the prototype, or as an arrow field.
    class MethodComposer {
      compose(builder: WebhooksBuilder) {
        builder.webhookEvents().add(PingedEvent);
      }
    }
    class FieldComposer {
      compose = (builder: WebhooksBuilder) => void builder.webhookEvents().add(PagePublishedEvent);
    }
    expect(createHookwork({ composers: [MethodComposer, FieldComposer] }).events().map((e) => e.alias)).toEqual(['pinged', 'pagePublished']);
    expect(createHookwork({ composers: [{ compose: myCompose }] }).events().map((e) => e.alias)).toEqual(['pinged']);
  });

  // composers: [cmsComposer] — the () forgotten — was told to wrap it as { compose: cmsComposer }, which
  // then called cmsComposer(builder) and was refused again (unknown option `services`).
  // Umbraco's IComposer has Compose(builder): "must be an object with compose(builder)" did not say why it was none,
  // and a class with it was refused as "composers must be objects … got {}", without its place.
  it('names a Compose() written in C#\'s casing, for an object and for a class, with its place', () => {
    class UmbracoStyleComposer {
      Compose(builder: WebhooksBuilder) {
        return builder;
      }
    }
    expect(problemsOf({ composers: [{ Compose: () => undefined }] })).toEqual([
      { key: 'composers[0]', problem: "must be an object with compose(builder) or a class of one; got object; it has Compose(): the method is compose(builder), in lower case (Umbraco's IComposer.Compose)" },
    ]);
    expect(() => createHookwork({ composers: [{ compose: () => undefined }, UmbracoStyleComposer as never] })).toThrow(
      "HOOKWORK_ERR_INVALID_OPTIONS: createHookwork() was given bad options: composers[1] (UmbracoStyleComposer) is a class whose instances have no compose(builder) method; it has Compose(): the method is compose(builder), in lower case (Umbraco's IComposer.Compose)",
    );
  });

  it('says to call a composer factory given uncalled, naming it', () => {
    const shopComposer = (options: { currency?: string } = {}): Composer => ({ name: 'shop', compose: () => void options });
    expect(problemsOf({ composers: [shopComposer] })).toEqual([
      { key: 'composers[0]', problem: 'is a function (shopComposer), not a composer: it looks like a function that makes one, given without calling it; call it: shopComposer() (or, if it is the compose step itself, wrap it as { compose: shopComposer })' },
    ]);
    expect(() => createHookwork({ composers: [shopComposer()] })).not.toThrow();
  });

  const problemsOf = (options: unknown) => {
    try {
      createHookwork(options as HookworkOptions);
    } catch (error) {
      expect(error).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_OPTIONS' });
      return (error as { details: { key: string; problem: string }[] }).details;
    }
    throw new Error('createHookwork accepted bad options');
  };

  it('refuses delivery options it does not know or cannot use, so a typo never leaves a hook unrun', () => {
    const beforeSend = () => {};
    expect(problemsOf({ delivery: { beforeSent: beforeSend } })).toEqual([{ key: 'delivery.beforeSent', problem: expect.stringMatching(/is not a delivery option \(did you mean beforeSend\?\); they are beforeSend, configureAxios, loggedHeaders, resolver, tls/) }]);
    expect(problemsOf({ delivery: { beforeSend: 'sign', resolver: {}, tls: { ca: 42, rejectUnauthorized: false } } }).map((p) => [p.key, p.problem])).toEqual([
      ['delivery.beforeSend', 'must be a function; got string'],
      ['delivery.resolver', 'must be a function; got object'],
      ['delivery.tls.rejectUnauthorized', expect.stringMatching(/is not a TLS option; .*certificates are always verified/)],
      ['delivery.tls.ca', 'must be PEM text or a Buffer, or a list of them'],
    ]);
  });

  it('refuses a loggedHeaders list that is no list of header names, or names a header the log always redacts', () => {
    expect(problemsOf({ delivery: { loggedHeaders: 'x-request-id' } })).toEqual([{ key: 'delivery.loggedHeaders', problem: 'must be a list of header names such as ["x-request-id"]' }]);
    expect(problemsOf({ delivery: { loggedHeaders: ['x-request-id', 'Authorization', 'x bad', 7] } }).map((p) => [p.key, p.problem])).toEqual([
      ['delivery.loggedHeaders[1]', expect.stringMatching(/^\("Authorization"\) is always redacted in the log/)],
      ['delivery.loggedHeaders[2]', expect.stringMatching(/^\("x bad"\) contains U\+0020 \(space\) at character 2; a header name is/)],
      ['delivery.loggedHeaders[3]', '(number) is not a string'],
    ]);
    expect(() => createHookwork({ delivery: { loggedHeaders: ['X-Request-Id'] } })).not.toThrow();
  });

  it('refuses the resolver and TLS trust beside a ready transport object, where they would be ignored', () => {
    const problems = problemsOf({ transport: recordingTransport(), delivery: { beforeSend: () => {}, resolver: async () => [], tls: { ca: 'PEM' } } });
    expect(problems.map((p) => p.key)).toEqual(['delivery.resolver', 'delivery.tls']);
    expect(problems[1]!.problem).toMatch(/your transport is made already, so it would be ignored; configure that transport itself, or pass transport a function/);
    // beforeSend runs whatever the transport; a factory and the built-in transports are given the resolver and TLS trust.
    expect(() => createHookwork({ transport: recordingTransport(), delivery: { beforeSend: () => {} } })).not.toThrow();
    expect(() => createHookwork({ transport: 'undici', delivery: { resolver: async () => [], tls: { ca: 'PEM' } } })).not.toThrow();
    expect(() => createHookwork({ transport: () => recordingTransport(), delivery: { tls: { ca: 'PEM' } } })).not.toThrow();
  });

  it('refuses a server role that is not one, which would otherwise never fire (or always fire)', () => {
    expect(problemsOf({ serverRole: { currentServerRole: 'single' } })).toEqual([{ key: 'serverRole.currentServerRole', problem: 'is "single"; it must be one of Single, SchedulingPublisher, Subscriber, Unknown (case matters)' }]);
    expect(problemsOf({ serverRole: 'Single' })[0]).toMatchObject({ key: 'serverRole', problem: expect.stringMatching(/fixedServerRole/) });
    expect(() => createHookwork({ serverRole: fixedServerRole('Subscriber') })).not.toThrow();
  });

  // `clock: Date` has a now() — Date.now(), a number — and passed; webhooks.create() then threw a bare
  // TypeError (createdAt.getTime is not a function), and so did stop().
  it('refuses a clock whose now() answers no Date (clock: Date, { now: Date.now }), naming the fix', () => {
    expect(problemsOf({ clock: Date })).toEqual([
      { key: 'clock.now()', problem: expect.stringMatching(/^must return a Date; it returned a number \d+ \(the Date class, whose now\(\) is Date\.now\(\)\)\. Give \{ now: \(\) => new Date\(\) \}, or leave clock out/) },
    ]);
    expect(problemsOf({ clock: { now: Date.now } })[0]!.problem).toMatch(/it returned a number \d+ \(a number of milliseconds, as Date\.now\(\) does\)/);
    expect(problemsOf({ clock: { now: () => new Date(Number.NaN) } })[0]!.problem).toMatch(/it returned an invalid Date/);
    expect(problemsOf({ clock: { now: () => '2026-01-01' } })[0]!.problem).toMatch(/it returned a string "2026-01-01" \(no Date\)/);
    expect(problemsOf({ clock: { now: () => { throw new Error('no time'); } } })[0]!.problem).toMatch(/could not be read: .*no time/);
    expect(() => createHookwork({ clock: { now: () => new Date(0) } })).not.toThrow();
  });

  // The check calls the host's now(), which may throw anything: a Proxy whose traps throw made
  // `error instanceof Error` throw out of createHookwork() raw, and another realm's Error was `({})`.
  it("refuses a clock whose now() throws a value that cannot be read, or another realm's Error, as bad options naming what it says", () => {
    const trap = (): never => {
      throw new Error('trap sprung');
    };
    const unreadable = new Proxy({}, { get: trap, getPrototypeOf: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap });
    expect(problemsOf({ clock: { now: () => { throw unreadable; } } })).toEqual([
      { key: 'clock.now()', problem: expect.stringMatching(/^could not be read: looking at it threw \(a thrown object that cannot be read or turned into text\)/) },
    ]);
    expect(problemsOf({ clock: { now: () => { throw runInNewContext('new Error("clock not synchronised")'); } } })[0]!.problem).toMatch(/threw \(clock not synchronised\)/);
  });
});

describe('publish() says what it got wrong', () => {
  it('refuses a plain object, which could never reach an event, with the fix', async () => {
    const { app, storage } = await startApp();
    await app.webhooks.create(hook(['pinged']));
    await expect(app.publish({ n: 1 })).rejects.toThrow(/HOOKWORK_ERR_INVALID_NOTIFICATION: publish\(\) was given a plain object; .*create an instance of a notification class/);
    await expect(app.publish(Object.create(null) as object)).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_NOTIFICATION' });
    expect(storage.enqueued).toEqual([]);
  });

  // A forgotten `new` (from JavaScript, or past a cast) was "got function", naming neither the class nor the fix.
  it('refuses the notification class itself, naming it and the `new` it lacks', async () => {
    const { app, storage } = await startApp();
    await app.webhooks.create(hook(['pinged']));
    await expect(app.publish(Pinged)).rejects.toThrow('HOOKWORK_ERR_INVALID_NOTIFICATION: publish() was given the class Pinged, not a notification; publish an instance of it: publish(new Pinged(…))');
    expect(storage.enqueued).toEqual([]);
  });

  // Both resolved with nothing sent and only a debug line: a forgotten await, a batch.
  it('refuses a promise (await it) and an array (publish each), which no event could handle', async () => {
    const { app, storage } = await startApp();
    await app.webhooks.create(hook(['pinged']));
    await expect(app.publish(Promise.resolve(new Pinged(1)))).rejects.toThrow(
      'HOOKWORK_ERR_INVALID_NOTIFICATION: publish() was given a promise (a Promise), not a notification; await it first: publish(await makeNotification())',
    );
    await expect(app.publish({ then: () => undefined, constructor: undefined } as unknown as object)).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_NOTIFICATION' });
    await expect(app.publish([new Pinged(1), new Pinged(2)])).rejects.toThrow(
      'HOOKWORK_ERR_INVALID_NOTIFICATION: publish() was given an array of 2; it takes one notification: publish each (for (const n of notifications) await app.publish(n))',
    );
    expect(storage.enqueued).toEqual([]);
    await app.publish(await Promise.resolve(new Pinged(1)));
    expect(storage.enqueued.map((r) => r.eventAlias)).toEqual(['pinged']);
  });

  it('says once per class, at debug level, that no composed event handles a notification class', async () => {
    const debug: string[] = [];
    const logger = { debug: (m: string) => void debug.push(m), info() {}, warn() {}, error() {} };
    const { app } = await startApp({ logger });
    class Unrelated {}
    class AlsoUnrelated {}
    await app.publish(new Unrelated());
    await app.publish(new Unrelated());
    await app.publish(new AlsoUnrelated());
    await app.publish(new Pinged(1));
    expect(debug).toEqual([
      'publish(): no composed event handles Unrelated; nothing is sent for it (compose an event whose notification is this class)',
      'publish(): no composed event handles AlsoUnrelated; nothing is sent for it (compose an event whose notification is this class)',
    ]);
  });
  it('warns once per app when the app composes no event at all (a forgotten add()), and answers events: 0 at every publish', async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} };
    const { app } = await startApp({ logger, composers: [] });
    class OrderPlaced {
      constructor(readonly orderId: string) {}
    }
    class OrderShipped {}
    expect(await app.publish(new OrderPlaced('1'))).toEqual({ events: 0, failures: [], enqueued: 0, alreadyEnqueued: 0 });
    expect(await app.publish(new OrderPlaced('2'))).toMatchObject({ events: 0 });
    expect(await app.publish(new OrderShipped())).toMatchObject({ events: 0 });
    expect(warnings).toEqual([
      "publish(): this app composes no webhook events, so nothing is sent for OrderPlaced (nor for any notification); add the event that handles it in a composer: createHookwork({ composers: [{ compose: (builder) => builder.webhookEvents().add(MyEvent) }] }), where MyEvent's @WebhookEvent options name notification: OrderPlaced. Said once; publish() answers events: 0 every time",
    ]);
    // An app that composes events and publishes a class it left out on purpose (a CMS host's subset): no warning.
    const quiet: string[] = [];
    const { app: composed } = await startApp({ logger: { ...logger, warn: (m: string) => void quiet.push(m) } });
    expect(await composed.publish(new OrderPlaced('1'))).toMatchObject({ events: 0, enqueued: 0 });
    expect(await composed.publish(new Pinged(1))).toMatchObject({ events: 1 });
    expect(quiet).toEqual([]);
  });
  it('warns once, naming both classes, when a subclass of a composed notification is published: routing is by the exact class', async () => {
    const warnings: string[] = [];
    const debug: string[] = [];
    const logger = { debug: (m: string) => void debug.push(m), info() {}, warn: (m: string) => void warnings.push(m), error() {} };
    const { app, storage } = await startApp({ logger });
    await app.webhooks.create(hook(['pinged']));
    class ScheduledPing extends Pinged {}
    class LaterPing extends ScheduledPing {}
    await app.publish(new ScheduledPing(1));
    await app.publish(new ScheduledPing(2));
    await app.publish(new LaterPing(3));
    expect(storage.enqueued).toEqual([]);
    expect(warnings).toEqual([
      'publish(): ScheduledPing extends Pinged, but notifications are routed by their exact class, so the events composed for Pinged do not fire for it and nothing is sent; publish a Pinged, or compose an event whose notification is ScheduledPing (notification: ScheduledPing in its @WebhookEvent options)',
      'publish(): LaterPing extends Pinged, but notifications are routed by their exact class, so the events composed for Pinged do not fire for it and nothing is sent; publish a Pinged, or compose an event whose notification is LaterPing (notification: LaterPing in its @WebhookEvent options)',
    ]);
    expect(debug).toEqual([]);
  });
});

describe('the app object guards its lifecycle', () => {
  it('refuses every storage-backed call before start() with a coded error', async () => {
    const app = createHookwork({ composers: [composer], transport: recordingTransport() });
    const calls: [string, () => Promise<unknown>][] = [
      ['publish', () => app.publish(new Pinged(1))],
      ['logs', () => app.logs('k')],
      ['deadLetters', () => app.deadLetters()],
      ['redeliver', () => app.redeliver({ webhookKey: 'k' })],
      ['queueCounts', () => app.queueCounts()],
      ['drain', () => app.drain()],
      ['sendTestEvent', () => app.sendTestEvent('k')],
    ];
    for (const [name, call] of calls) {
      const error = await call().then(() => undefined, (e: unknown) => e);
      expect([name, (error as { code?: string })?.code]).toEqual([name, 'HOOKWORK_ERR_APP_NOT_STARTED']);
    }
  });

  it('waits for a start() under way when stopped meanwhile (a SIGTERM during boot), and leaves nothing running', async () => {
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (message: string) => void errors.push(message) };
    let closed = false;
    let claimsAfterClose = 0;
    const watched: StorageBackend = {
      name: 'watched',
      capabilities: memoryStorage().capabilities,
      async open(context): Promise<Storage> {
        const storage = await memoryStorage().open(context);
        const queue = Object.assign(Object.create(storage.queue), {
          claim: (options: Parameters<typeof storage.queue.claim>[0]) => (closed ? (claimsAfterClose++, Promise.reject(new Error('the database connection is not open'))) : storage.queue.claim(options)),
        });
        return { ...storage, queue, close: async () => void (closed = true) };
      },
    };
    const app = createHookwork({ composers: [composer], storage: watched, transport: recordingTransport(), logger, settings: { period: 100 } });
    const starting = app.start();
    await app.stop();
    await starting;
    expect([app.state, closed]).toEqual(['stopped', true]);
    // Nothing goes on claiming from the closed store afterwards.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect([claimsAfterClose, errors]).toEqual([0, []]);
    await expect(app.queueCounts()).rejects.toMatchObject({ code: 'HOOKWORK_ERR_APP_STOPPED' });
  });

  it('a start() that fails once the store is open closes it and can be called again, as one that fails opening it', async () => {
    // The store fails the first read start() makes after opening it (the webhooks it lists to
    // warn of unknown events): a connection lost at boot, which a host retries.
    let lists = 0;
    const closes: number[] = [];
    const flaky: StorageBackend = {
      name: 'flaky',
      capabilities: memoryStorage().capabilities,
      async open(context): Promise<Storage> {
        const storage = await memoryStorage().open(context);
        // Start reads the webhooks page by page, by position (listPage), as every walk of them does.
        const webhooks = Object.assign(Object.create(storage.webhooks), {
          listPage: (query: Parameters<NonNullable<typeof storage.webhooks.listPage>>[0]) => (++lists === 1 ? Promise.reject(new Error('Connection terminated unexpectedly')) : storage.webhooks.listPage!(query)),
        });
        return { ...storage, webhooks, close: async () => void closes.push(lists) };
      },
    };
    const app = createHookwork({ composers: [composer], storage: flaky, transport: recordingTransport() });
    await expect(app.start()).rejects.toThrow('Connection terminated unexpectedly');
    expect([app.state, closes]).toEqual(['created', [1]]);
    await app.start();
    expect(app.state).toBe('started');
    await app.stop();
    // The second start() reads the webhooks twice: for unknown events, and for custom headers
    // the header-name settings take over.
    expect(closes).toEqual([1, 3]);
  });

  it('refuses a second start() and any start() after stop()', async () => {
    const app = createHookwork({ composers: [composer], transport: recordingTransport() });
    await app.start();
    await expect(app.start()).rejects.toMatchObject({ code: 'HOOKWORK_ERR_APP_ALREADY_STARTED' });
    await app.stop();
    await expect(app.start()).rejects.toMatchObject({ code: 'HOOKWORK_ERR_APP_STOPPED' });
  });

  // app.logs(hook) listed the webhook's own fields as "not filters"; webhooks.get(hook) said "key that is object".
  it('says to pass hook.key where the webhook itself was given in its place', async () => {
    const { app, storage } = await startApp();
    const webhook = await app.webhooks.create(hook(['pinged'], { key: 'w1' }));
    const given = webhook as never;
    await expect(app.logs(given)).rejects.toThrow('HOOKWORK_ERR_INVALID_QUERY: logs() was given a webhook, not its key; pass its key: logs(hook.key) or logs({ webhookKey: hook.key }) (here "w1")');
    await expect(app.deadLetters(given)).rejects.toThrow('HOOKWORK_ERR_INVALID_QUERY: deadLetters() was given a webhook, not a query; pass its key: deadLetters({ webhookKey: hook.key }) (here "w1")');
    await expect(app.redeliver(given)).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR', message: expect.stringMatching(/redeliver\(\) was given a webhook, not a selector; pass its key: redeliver\(\{ webhookKey: hook\.key \}\) \(here "w1"\)$/) });
    const keyFix = (call: string) => `HOOKWORK_ERR_INVALID_ARGUMENT: ${call} was given key that is a webhook, not its key; pass its key (hook.key, here "w1")`;
    await expect(app.webhooks.get(given)).rejects.toThrow(keyFix('webhooks.get()'));
    await expect(app.webhooks.update(given, { enabled: false })).rejects.toThrow(keyFix('webhooks.update()'));
    await expect(app.webhooks.delete(given)).rejects.toThrow(keyFix('webhooks.delete()'));
    await expect(app.sendTestEvent(given)).rejects.toThrow(/sendTestEvent\(\) was given webhookKey that is a webhook, not its key; pass its key \(hook\.key, here "w1"\)/);
    await expect(app.webhooks.get('w1')).resolves.toMatchObject({ key: 'w1', enabled: true });
    expect(storage.enqueued).toEqual([]);
  });

  it('refuses a filter, selector or option that is not one, instead of widening to everything', async () => {
    const { app } = await startApp();
    const webhook = await app.webhooks.create(hook(['pinged']));
    await expect(app.logs({ webhookkey: webhook.key } as never)).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_QUERY', message: expect.stringMatching(/"webhookkey", which is not a filter/) });
    await expect(app.logs({ outcome: ['dead'] } as never)).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_QUERY' });
    await expect(app.logs(undefined as never, { limit: 20 })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_QUERY', message: expect.stringMatching(/a page with a webhook key that is undefined/) });
    await expect(app.logs({ statusClasses: ['4xx', '6xx'] } as never)).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_QUERY', message: expect.stringMatching(/statusClasses \["4xx", "6xx"\]; use a list of 1xx, 2xx, 3xx, 4xx, 5xx, none/) });
    await expect(app.logs({ statusClasses: '5xx' } as never)).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_QUERY', message: expect.stringMatching(/statusClasses "5xx"/) });
    await expect(app.logs({ statusClass: ['5xx'] } as never)).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_QUERY', message: expect.stringMatching(/"statusClass", which is not a filter; the filters are .*statusClasses/) });
    await expect(app.deadLetters({ take: 1 } as never)).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_QUERY' });
    // The filter meant is named, as a misspelt setting or webhook field is.
    await expect(app.logs({ lmit: 20 } as never)).rejects.toThrow(/"lmit", which is not a filter; the filters are .*; did you mean limit for "lmit"\?$/);
    await expect(app.deadLetters({ webhook: webhook.key } as never)).rejects.toThrow(/"webhook", which is not a filter; the filters are .*; did you mean webhookKey for "webhook"\?$/);
    // Umbraco's skip/take, which the admin API keeps: no edit away from limit/offset, so they were named by nothing.
    await expect(app.logs({ webhookKey: webhook.key, take: 5, skip: 10 } as never)).rejects.toThrow(/"take", "skip", which are not filters; the filters are .*; did you mean limit for "take", offset for "skip"\?$/);
    await expect(app.deadLetters({ pageSize: 5 } as never)).rejects.toThrow(/did you mean limit for "pageSize"\?$/);
    // A page too big is told to page by the cursor these listings take, not by the offset that is unstable under writes.
    await expect(app.logs({ limit: 5000 })).rejects.toThrow(/logs\(\) was given limit 5000; use a whole number from 1 to 1000 and page with after \(the next of the page before\)$/);
    await expect(app.webhooks.list({ limit: 5000 })).rejects.toThrow(/webhooks\.list\(\) was given limit 5000; use a whole number from 1 to 1000 and page with after \(the next of the page before\)$/);
    // Each was "not a valid Date" — puzzling for the ISO string the admin API takes: what was given is named, and the fix.
    const refusals: [unknown, string][] = [
      ['2026-01-31T12:00:00Z', 'a string ("2026-01-31T12:00:00Z"), not a Date; pass new Date("2026-01-31T12:00:00Z") (the admin API takes the string, core takes a Date)'],
      ['yesterday', 'a string ("yesterday") that is not a date-time either, not a Date; pass a Date such as new Date(\'2026-01-31T12:00:00Z\')'],
      [1769860800000, 'a number (1769860800000), not a Date; pass new Date(1769860800000) if it is milliseconds since 1970-01-01T00:00:00Z, or a Date such as new Date(\'2026-01-31T12:00:00Z\')'],
      [new Date('not a date'), 'an Invalid Date (new Date() of something it could not read as a date); pass a Date such as new Date(\'2026-01-31T12:00:00Z\')'],
      [{ since: 1 }, 'an object ({"since":1}), not a Date; pass a Date such as new Date(\'2026-01-31T12:00:00Z\')'],
    ];
    for (const [deadSince, problem] of refusals) {
      await expect(app.deadLetters({ deadSince } as never)).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_QUERY', message: `HOOKWORK_ERR_INVALID_QUERY: deadLetters() was given a deadSince that is ${problem}` });
      await expect(app.redeliver({ deadSince } as never)).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR', message: expect.stringContaining(`redeliver() was given a deadSince that is ${problem}; pass exactly one of`) });
    }
    // A window that ends before it starts holds nothing: redeliver() refused it while deadLetters()
    // answered an empty page, read as "nothing died then". Both refuse it now, in one wording.
    const [since, until] = [new Date('2026-02-01T00:00:00Z'), new Date('2026-01-31T00:00:00Z')];
    await expect(app.deadLetters({ deadSince: since, deadUntil: until })).rejects.toMatchObject({
      code: 'HOOKWORK_ERR_INVALID_QUERY',
      message: 'HOOKWORK_ERR_INVALID_QUERY: deadLetters() was given a deadUntil (2026-01-31T00:00:00.000Z) before its deadSince (2026-02-01T00:00:00.000Z), which lists nothing; pass a deadUntil at or after deadSince',
      details: [{ field: 'deadUntil', problem: expect.stringMatching(/before its deadSince/) }],
    });
    await expect(app.redeliver({ deadSince: since, deadUntil: until })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR', message: expect.stringContaining('before its deadSince (2026-02-01T00:00:00.000Z), which selects nothing') });
    await expect(app.deadLetters({ deadSince: since, deadUntil: since })).resolves.toMatchObject({ total: 0 });
    await expect(app.redeliver({ all: true, webhook: 'x' } as never)).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR', message: expect.stringMatching(/"webhook", which is not part of a selector/) });
    await expect(app.publish(new Pinged(1), { tx: {} } as never)).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_ARGUMENT', message: 'HOOKWORK_ERR_INVALID_ARGUMENT: publish(): unknown option `tx` (did you mean `transaction`?); the options are `transaction`, `traceContext`, `idempotencyKey`' });
    await expect(app.publish(new Pinged(1), { transacton: {} } as never)).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_ARGUMENT', message: expect.stringMatching(/unknown option `transacton` \(did you mean `transaction`\?\)/) });
    await expect(app.publish(new Pinged(1), null as never)).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_ARGUMENT', message: expect.stringMatching(/publish\(\): options must be a plain object .*; got null/) });
  });

  it('answers a key nothing knows with WEBHOOK_NOT_FOUND in every listing, and an empty result for a known webhook', async () => {
    const { app } = await startApp();
    const webhook = await app.webhooks.create(hook(['pinged']));
    for (const call of [() => app.deadLetters({ webhookKey: 'nope' }), () => app.queueCounts({ webhookKey: 'nope' }), () => app.redeliver({ webhookKey: 'nope' }), () => app.logs('nope')]) {
      await expect(call()).rejects.toMatchObject({ code: 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND' });
    }
    expect(await app.deadLetters({ webhookKey: webhook.key })).toEqual({ items: [], total: 0 });
    expect(await app.queueCounts({ webhookKey: webhook.key })).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    expect(await app.redeliver({ webhookKey: webhook.key })).toEqual({ redelivered: 0, skipped: 0 });
  });

  it('answers an empty listing, not WEBHOOK_NOT_FOUND, for a deleted webhook whose log holds nothing matching the filters', async () => {
    const { app } = await startApp({ transport: recordingTransport({ status: 500 }), settings: { maximumRetries: 0 } });
    const webhook = await app.webhooks.create(hook(['pinged']));
    await app.publish(new Pinged(1));
    await app.drain();
    await app.webhooks.delete(webhook.key);
    const later = new Date(Date.now() + 60_000);
    // Its dead letter went with it (logged as dropped, once the log writer's batch is written):
    // the log still holds the webhook's entries.
    const outcomes = async () => (await app.logs({ webhookKey: webhook.key })).items.map((entry) => entry.outcome).sort();
    for (let i = 0; i < 100 && (await outcomes()).length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await outcomes()).toEqual(['dead', 'dropped']);
    expect(await app.logs({ webhookKey: webhook.key, outcomes: ['delivered'] })).toEqual({ items: [], total: 0 });
    expect(await app.logs({ webhookKey: webhook.key, statusClasses: ['2xx'] })).toEqual({ items: [], total: 0 });
    // A key nothing is of is still unknown, filtered or not.
    for (const call of [() => app.deadLetters({ webhookKey: 'nope', deadSince: later }), () => app.redeliver({ webhookKey: 'nope', deadSince: later }), () => app.logs({ webhookKey: 'nope', outcomes: ['delivered'] }), () => app.deadLetters({ webhookKey: webhook.key })]) {
      await expect(call()).rejects.toMatchObject({ code: 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND' });
    }
  });

  it('refuses a bad page of the delivery log', async () => {
    const { app } = await startApp();
    await expect(app.logs('k', { limit: -5 })).rejects.toThrow(/HOOKWORK_ERR_INVALID_PAGE: logs\(\) was given limit -5/);
    await expect(app.logs('k', { limit: 10, offset: 1.5 })).rejects.toThrow(/offset 1.5/);
    // A string is shown as one: "limit 20" read as if 20 were refused.
    await expect(app.logs('k', { limit: '20' } as never)).rejects.toThrow('logs() was given limit "20"; use a whole number from 1 to 1000');
    await expect(app.logs('k', { offset: '0' } as never)).rejects.toThrow('logs() was given offset "0"; use a whole number from 0 to');
    // Past 2^53 − 1 a store would refuse the offset as a failure of its own.
    await expect(app.logs({ offset: 2 ** 64 })).rejects.toThrow(/HOOKWORK_ERR_INVALID_PAGE: logs\(\) was given offset 18446744073709552000; use a whole number from 0 to 9007199254740991/);
    await expect(app.deadLetters({ offset: Number.MAX_SAFE_INTEGER + 1 })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_PAGE' });
    await expect(app.webhooks.list({ offset: Number.MAX_SAFE_INTEGER })).resolves.toEqual({ items: [], total: 0 });
    await expect(app.logs('k', { limit: 10 })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND' });
    const webhook = await app.webhooks.create(hook(['pinged']));
    await expect(app.logs(webhook.key, { limit: 10 })).resolves.toEqual({ items: [], total: 0 });
  });

  it('fails start() naming an event whose injected service is not registered, and starts once it is', async () => {
    const ClockLikeToken = Symbol('ClockLike');
    @WebhookEvent('Needs a service', WebhookEventTypes.Other, { alias: 'needsService', notification: Pinged })
    class NeedsServiceEvent extends WebhookEventBase<Pinged> {
      constructor(deps: WebhookEventDependencies, @inject(ClockLikeToken) readonly clock: { now(): number }) {
        super(deps);
      }
    }
    const app = createHookwork({ composers: [{ compose: (b) => b.webhookEvents().add(NeedsServiceEvent) }], transport: recordingTransport() });
    const error = await app.start().then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_EVENT_NOT_RESOLVABLE')).toBe(true);
    expect((error as Error).message).toMatch(/cannot create NeedsServiceEvent: .*Register the services its constructor injects through builder.services/);
    app.container.registerInstance(ClockLikeToken, { now: () => 1 });
    await app.start();
    started.push(app);
    expect(app.events().map((e) => e.alias)).toEqual(['needsService']);
  });
});

describe('event classes with host services', () => {
  it("fails start() when an event inherits a constructor whose parameter types TypeScript did not record (an undecorated base class), instead of passing undefined at every publish", async () => {
    class Formatter {
      format(n: number) {
        return `€${n}`;
      }
    }
    // An undecorated shared base: TypeScript emits constructor parameter types only for decorated
    // classes, so tsyringe would read WebhookEventBase's one parameter and never pass the formatter.
    abstract class PricedEventBase<N extends object> extends WebhookEventBase<N> {
      constructor(deps: WebhookEventDependencies, protected readonly formatter: Formatter) {
        super(deps);
      }
    }
    @WebhookEvent('Priced', WebhookEventTypes.Other, { alias: 'priced', notification: Pinged })
    class PricedEvent extends PricedEventBase<Pinged> {
      override convertNotificationToRequestPayload(n: Pinged) {
        return { price: this.formatter.format(n.n) };
      }
    }
    const app = createHookwork({ composers: [{ compose: (b) => { b.services.registerSingleton(Formatter); b.webhookEvents().add(PricedEvent); } }], transport: recordingTransport() });
    const error = await app.start().then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_DECORATOR_METADATA_MISSING')).toBe(true);
    expect((error as Error).message).toBe(
      'HOOKWORK_ERR_DECORATOR_METADATA_MISSING: PricedEvent inherits the constructor of PricedEventBase, which takes 2 parameters, but PricedEventBase is not decorated, so TypeScript recorded no parameter types for it and only WebhookEventBase\'s 1 would be injected; give PricedEvent a constructor that declares the same parameters with their types and passes them to super(…)',
    );
    expect(app.state).toBe('created');

    // The fix the message gives: the decorated class declares the parameters itself.
    @WebhookEvent('Priced', WebhookEventTypes.Other, { alias: 'priced', notification: Pinged })
    class FixedPricedEvent extends PricedEventBase<Pinged> {
      constructor(deps: WebhookEventDependencies, formatter: Formatter) {
        super(deps, formatter);
      }
      override convertNotificationToRequestPayload(n: Pinged) {
        return { price: this.formatter.format(n.n) };
      }
    }
    const { app: fixed, storage } = await startApp({ composers: [{ compose: (b) => { b.services.registerSingleton(Formatter); b.webhookEvents().add(FixedPricedEvent); } }] });
    await fixed.webhooks.create(hook(['priced']));
    await fixed.publish(new Pinged(3));
    expect(storage.payloads()).toEqual([{ price: '€3' }]);
  });

  it('starts an event with an undecorated base whose constructor takes no more than WebhookEventBase\'s', async () => {
    abstract class CountingBase<N extends object> extends WebhookEventBase<N> {
      readonly built: number;
      constructor(deps: WebhookEventDependencies) {
        super(deps);
        this.built = 1;
      }
    }
    @WebhookEvent('Counting', WebhookEventTypes.Other, { alias: 'counting', notification: Pinged })
    class CountingEvent extends CountingBase<Pinged> {
      override convertNotificationToRequestPayload() {
        return { built: this.built };
      }
    }
    const { app, storage } = await startApp({ composers: [{ compose: (b) => void b.webhookEvents().add(CountingEvent) }] });
    await app.webhooks.create(hook(['counting']));
    await app.publish(new Pinged(1));
    expect(storage.payloads()).toEqual([{ built: 1 }]);
  });

  it('builds an unregistered host class afresh for each dispatch, as tsyringe does, and one instance once it is registered', async () => {
    class Counter {
      count = 0;
    }
    @WebhookEvent('Counted', WebhookEventTypes.Other, { alias: 'counted', notification: Pinged })
    class CountedEvent extends WebhookEventBase<Pinged> {
      constructor(deps: WebhookEventDependencies, private readonly counter: Counter) {
        super(deps);
      }
      override convertNotificationToRequestPayload() {
        return { count: ++this.counter.count };
      }
    }
    const counts = async (register: boolean) => {
      const { app, storage } = await startApp({ composers: [{ compose: (b) => { if (register) b.services.registerSingleton(Counter); b.webhookEvents().add(CountedEvent); } }] });
      await app.webhooks.create(hook(['counted']));
      await app.publish(new Pinged(1));
      await app.publish(new Pinged(2));
      return storage.enqueued.map((r) => JSON.parse(r.body).count);
    };
    // Not HOOKWORK_ERR_EVENT_NOT_RESOLVABLE: tsyringe builds the class, a new one every time.
    expect(await counts(false)).toEqual([1, 1]);
    expect(await counts(true)).toEqual([1, 2]);
  });
  it("fails start() naming an event whose constructor does not pass its WebhookEventDependencies on to super(), instead of a TypeError at every publish", async () => {
    class Cache {
      get(n: number) {
        return { n };
      }
    }
    // The two ways it is written by mistake: nothing for deps, or the host service in its place.
    @WebhookEvent('No deps', WebhookEventTypes.Other, { alias: 'noDeps', notification: Pinged })
    class NoDepsEvent extends WebhookEventBase<Pinged> {
      constructor(readonly cache: Cache) {
        super(undefined as never);
      }
    }
    @WebhookEvent('Wrong deps', WebhookEventTypes.Other, { alias: 'wrongDeps', notification: Pinged })
    class WrongDepsEvent extends WebhookEventBase<Pinged> {
      constructor(readonly cache: Cache) {
        super(cache as never);
      }
    }
    // Deps kept from the first app built (a static cache): the second app's events enqueued through the first's firing service.
    let firstDeps: WebhookEventDependencies | undefined;
    @WebhookEvent('Kept deps', WebhookEventTypes.Other, { alias: 'keptDeps', notification: Pinged })
    class KeptDepsEvent extends WebhookEventBase<Pinged> {
      constructor(deps: WebhookEventDependencies) {
        firstDeps ??= deps;
        super(firstDeps);
      }
    }
    for (const [type, given] of [[NoDepsEvent, 'undefined'], [WrongDepsEvent, 'an instance of Cache'], [KeptDepsEvent, "another app's WebhookEventDependencies"]] as const) {
      if (type === KeptDepsEvent) await startApp({ composers: [{ compose: (b) => void b.webhookEvents().add(type) }] });
      const app = createHookwork({ composers: [{ compose: (b) => void b.webhookEvents().add(type) }], transport: recordingTransport() });
      const error = await app.start().then(() => void started.push(app), (e: unknown) => e);
      expect(isHookworkError(error, 'HOOKWORK_ERR_EVENT_NOT_RESOLVABLE')).toBe(true);
      expect((error as Error).message).toContain(`${type.name} passed ${given} to WebhookEventBase instead of the WebhookEventDependencies its constructor was given`);
      expect((error as Error).message).toContain('declare `deps: WebhookEventDependencies` as a constructor parameter and call super(deps)');
      expect(app.state).toBe('created');
    }
  });

  it("names an anonymous event class by its event in start()'s refusals, not as an empty name", async () => {
    // Decorated by a call, as plain JavaScript does: no parameter types are recorded for its constructor.
    const anonymous = (() => class extends WebhookEventBase<Pinged> {
      constructor(deps: WebhookEventDependencies, readonly extra: unknown) {
        super(deps);
      }
    })();
    WebhookEvent('Anonymous', WebhookEventTypes.Other, { alias: 'anonymous', notification: Pinged })(anonymous);
    const app = createHookwork({ composers: [{ compose: (b) => void b.webhookEvents().add(anonymous) }], transport: recordingTransport() });
    const error = await app.start().then(() => void started.push(app), (e: unknown) => e);
    expect((error as Error).message).toMatch(/^HOOKWORK_ERR_DECORATOR_METADATA_MISSING: the anonymous event class "Anonymous" \(alias anonymous\) was compiled without decorator metadata/);
  });

  it('injects a host service registered by a composer', async () => {
    const storage = capturingStorage();
    const app = createHookwork({
      composers: [{ compose: (b) => { b.webhookEvents().add(GreetedEvent); b.services.registerSingleton(Greeting); } }],
      storage,
      transport: recordingTransport(),
    });
    await app.start();
    started.push(app);
    await app.webhooks.create(hook(['greeted']));
    await app.publish(new Pinged(7));
    expect(storage.payloads()).toEqual([{ greeting: 'hello', n: 7 }]);
  });

  it('lets a composer replace core services, such as the server role', async () => {
    const storage = capturingStorage();
    const app = createHookwork({
      composers: [composer, { compose: (b) => void b.services.registerInstance(ServerRoleAccessorToken, fixedServerRole('Subscriber')) }],
      storage,
      transport: recordingTransport(),
    });
    await app.start();
    started.push(app);
    await app.webhooks.create(hook(['pinged']));
    await app.publish(new Pinged(1));
    expect(storage.enqueued).toEqual([]);
  });

  it('keeps two apps in one process apart: services, webhooks and events', async () => {
    const make = (text: string) => {
      const storage = capturingStorage();
      const app = createHookwork({
        composers: [{ compose: (b) => { b.webhookEvents().add(GreetedEvent); b.services.registerInstance(Greeting, Object.assign(new Greeting(), { text })); } }],
        storage,
        transport: recordingTransport(),
      });
      started.push(app);
      return { app, storage };
    };
    const first = make('bonjour');
    const second = make('hallo');
    await first.app.start();
    await second.app.start();
    const firstHook = await first.app.webhooks.create(hook(['greeted']));
    const secondHook = await second.app.webhooks.create(hook(['greeted']));
    await first.app.publish(new Pinged(1));
    await second.app.publish(new Pinged(2));
    expect(first.storage.enqueued.map((r) => [r.webhookKey, JSON.parse(r.body)])).toEqual([[firstHook.key, { greeting: 'bonjour', n: 1 }]]);
    expect(second.storage.enqueued.map((r) => [r.webhookKey, JSON.parse(r.body)])).toEqual([[secondHook.key, { greeting: 'hallo', n: 2 }]]);
    expect((await first.app.webhooks.list()).total).toBe(1);
    const third = createHookwork({ composers: [composer], transport: recordingTransport() });
    expect(third.events().map((e) => e.alias)).toEqual(['pagePublished', 'pinged']);
    expect(first.app.events().map((e) => e.alias)).toEqual(['greeted']);
  });

  it("fails start() for an event class registered in tsyringe's global container, which would carry the first app's webhooks and queue into every other app", async () => {
    // @singleton() registers into the root container when the class is declared.
    @singleton()
    @WebhookEvent('Shared', WebhookEventTypes.Other, { alias: 'shared', notification: Pinged })
    class SharedEvent extends WebhookEventBase<Pinged> {}
    const app = createHookwork({ composers: [{ compose: (b) => void b.webhookEvents().add(SharedEvent) }], transport: recordingTransport() });
    const error = await app.start().then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_EVENT_REGISTERED_GLOBALLY')).toBe(true);
    expect((error as Error).message).toBe(
      "HOOKWORK_ERR_EVENT_REGISTERED_GLOBALLY: SharedEvent is registered in tsyringe's global container (@singleton(), @registry() or container.register…()), so every app in this process would share the instance the first one built, with that app's webhooks, settings and queue; remove the registration — @WebhookEvent already makes the class injectable, and each app builds it from its own container",
    );
    expect(app.state).toBe('created');
  });
});

describe('the event catalogue', () => {
  it('lists alias, name and type in collection order', () => {
    const app = createHookwork({ composers: [composer], transport: recordingTransport() });
    expect(app.events().map(({ alias, eventName, eventType }) => ({ alias, eventName, eventType }))).toEqual([
      { alias: 'pagePublished', eventName: 'Page Published', eventType: 'Content' },
      { alias: 'pinged', eventName: 'Pinged', eventType: 'Other' },
    ]);
  });

  it('flags stored webhooks whose events are no longer composed, without failing to start', async () => {
    let shared: Storage | undefined;
    const persistent: StorageBackend = {
      name: 'shared',
      capabilities: memoryStorage().capabilities,
      async open(context) {
        shared ??= await memoryStorage().open(context);
        return { ...shared, close: async () => {} };
      },
    };
    const before = createHookwork({ composers: [composer], storage: persistent, transport: recordingTransport() });
    await before.start();
    const kept = await before.webhooks.create(hook(['pinged', 'pagePublished']));
    await before.stop();
    const after = createHookwork({ composers: [{ compose: (b) => b.webhookEvents().add(PingedEvent) }], storage: persistent, transport: recordingTransport() });
    await after.start();
    started.push(after);
    const flagged = await after.webhooks.listWithUnknownEvents();
    expect(flagged.map((w) => [w.key, w.unknownEvents])).toEqual([[kept.key, ['pagePublished']]]);
    expect((await after.webhooks.get(kept.key))?.unknownEvents).toEqual(['pagePublished']);
    // The webhook still fires for the events that are composed, and can still be edited.
    await after.webhooks.update(kept.key, { name: 'renamed' });
    expect((await after.webhooks.get(kept.key))?.name).toBe('renamed');
  });
});

describe('subscribing to a pattern', () => {
  // `*` used to match itself: a webhook subscribed to "pinged.*" was stored, and no request is ever sent under that text.
  it("refuses a pattern's own text as an event, on create and update, naming the event and a concrete variant", async () => {
    const { app } = await startApp();
    const refusal = async (change: Promise<unknown>) => {
      try {
        await change;
      } catch (error) {
        expect(error).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_WEBHOOK' });
        return (error as { details: { field: string; problem: string }[] }).details;
      }
      throw new Error('a pattern was accepted as an event');
    };
    expect(await refusal(app.webhooks.create(hook(['pinged', 'pinged.*'])))).toEqual([
      { field: 'events', problem: '"pinged.*" is the pattern of the event pinged (Pinged), not an alias a request is sent under: every request carries a concrete variant. Subscribe to each variant you want, with its name in place of * (e.g. "pinged.posts")' },
    ]);
    expect(await refusal(app.webhooks.create(hook(['*'])))).toEqual([{ field: 'events', problem: expect.stringMatching(/^"\*" contains \*, which only marks the variable part of an event's pattern, and no request is ever sent under it; subscribe to concrete aliases/) }]);
    const kept = await app.webhooks.create(hook(['pinged.big']));
    expect((await refusal(app.webhooks.update(kept.key, { events: ['pinged.*.x'] })))[0]!.problem).toMatch(/^"pinged\.\*\.x" contains \*/);
    expect((await app.webhooks.list()).items.map((w) => w.events)).toEqual([['pinged.big']]);
    // One stored before this check shows as an event no composed event fires.
    const repository = resolveToken(app.container, WebhookRepositoryToken);
    await repository.create({ ...(await repository.get(kept.key))!, key: 'stored-pattern', events: ['pinged.*'] });
    expect((await app.webhooks.get('stored-pattern'))?.unknownEvents).toEqual(['pinged.*']);
  });
});

describe('what a backend can do, checked at start', () => {
  /** A store whose queue cannot renew leases (a backend written before renew existed). */
  const withoutRenewal = (): StorageBackend => ({
    name: 'no-renewal',
    capabilities: { ...memoryStorage().capabilities, leaseRenewal: false },
    async open(context) {
      const storage = await memoryStorage().open(context);
      const queue = Object.create(storage.queue) as typeof storage.queue;
      Object.defineProperty(queue, 'renew', { value: undefined });
      return { ...storage, queue };
    },
  });

  it('refuses a timeout that could outlive the lease when the queue cannot renew it, naming both keys', async () => {
    const app = createHookwork({ composers: [composer], storage: withoutRenewal(), transport: recordingTransport(), settings: { timeout: 40_000, leaseDuration: 60_000 } });
    const error = await app.start().then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_SETTINGS', message: expect.stringMatching(/timeout \(40000 ms\).*leaseDuration \(60000 ms\)/) });
    // Nothing was left open: the app may start once the settings fit.
    expect(app.state).toBe('created');
    const fits = createHookwork({ composers: [composer], storage: withoutRenewal(), transport: recordingTransport(), settings: { timeout: 30_000, leaseDuration: 60_000 } });
    await fits.start();
    started.push(fits);
    expect(() => fits.updateSettings({ timeout: 45_000 })).toThrow(/HOOKWORK_ERR_INVALID_SETTINGS.*leaseDuration/);
    expect(fits.settings.timeout).toBe(30_000);
  });

  it('accepts any timeout with a queue that renews leases (memory, SQLite, PostgreSQL)', async () => {
    const app = createHookwork({ composers: [composer], transport: recordingTransport(), settings: { timeout: 120_000, leaseDuration: 10_000 } });
    await app.start();
    started.push(app);
    expect(app.state).toBe('started');
  });

  it('types publish({ transaction }) by the backend: one without a transactional enqueue takes none', async () => {
    const { app } = await startApp();
    // @ts-expect-error the in-memory backend joins no host transaction
    const refused = await app.publish(new Pinged(1), { transaction: { query() {} } }).then(() => undefined, (e: unknown) => e);
    // From JavaScript it still fails clearly, and enqueues nothing.
    expect(refused).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_TRANSACTION', message: expect.stringMatching(/transaction/) });

    interface HostClient { query(sql: string): Promise<unknown> }
    const typed = memoryStorage() as unknown as StorageBackend<HostClient>;
    const typedApp = createHookwork({ composers: [composer], storage: typed, transport: recordingTransport() });
    // Compiles: the backend says it takes a HostClient.
    const publishInTransaction = (client: HostClient) => typedApp.publish(new Pinged(1), { transaction: client });
    // @ts-expect-error a transaction of another type does not compile
    const wrong = () => typedApp.publish(new Pinged(1), { transaction: 'not a client' });
    expect([typeof publishInTransaction, typeof wrong]).toEqual(['function', 'function']);
  });
});

describe('the builder after the app is built', () => {
  // builder.settings.update() kept by a composer and called later changed nothing, silently.
  it('refuses a settings change through a kept builder, as it refuses an event collection change', () => {
    let kept: WebhooksBuilder | undefined;
    const app = createHookwork({ composers: [{ compose: (b) => void (kept = b.settings.update({ maximumRetries: 2 }) && b) }] });
    expect(() => kept!.settings.update({ maximumRetries: 1 })).toThrow(
      'HOOKWORK_ERR_COLLECTION_FROZEN: builder.settings.update() was called after the app was built, and would change nothing; change settings inside a composer passed to createHookwork(), or those of the running app with app.updateSettings({ … })',
    );
    expect(app.settings.maximumRetries).toBe(2);
    expect(app.updateSettings({ maximumRetries: 1 }).maximumRetries).toBe(1);
  });
});

// createHookwork() read its options several times (checkOptions(), then each use), without the
// helper every other entry point reads caller input with: a throwing getter escaped bare, and a
// getter answering differently on its second read made what was checked differ from what was used.
describe('createHookwork() reads its options once', () => {
  const refusalOf = (options: unknown) => {
    try {
      createHookwork(options as HookworkOptions);
    } catch (error) {
      return error as { code: string; message: string; details: { key: string; problem: string }[] };
    }
    throw new Error('createHookwork accepted options it could not read');
  };

  it('refuses an option whose getter throws, coded and naming it, at any depth it reads', () => {
    const thrower = (name: string) => ({ get [name]() { throw new Error('vault sealed'); } });
    for (const [options, key] of [
      [thrower('storage'), 'storage'],
      [{ delivery: thrower('beforeSend') }, 'delivery.beforeSend'],
      [{ delivery: { tls: thrower('ca') } }, 'delivery.tls.ca'],
      [{ composers: Object.defineProperty([composer, composer], 1, { get() { throw new Error('vault sealed'); }, enumerable: true }) }, 'composers[1]'],
    ] as const) {
      const refusal = refusalOf(options);
      expect([refusal.code, refusal.details]).toEqual(['HOOKWORK_ERR_INVALID_OPTIONS', [{ key, problem: expect.stringMatching(/^could not be read: its getter threw \(vault sealed\); give a plain value/) }]]);
      expect(refusal.message).toContain(`createHookwork() was given bad options: ${key} could not be read: its getter threw (vault sealed)`);
    }
  });

  it('refuses options, or a part of them, behind a Proxy whose trap throws, coded and naming it', () => {
    const trapping = (trap: keyof ProxyHandler<object>) => new Proxy({ beforeSend: () => {} }, { [trap]: () => { throw new Error('revoked'); } });
    expect(refusalOf(trapping('ownKeys'))).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_OPTIONS', details: [{ key: '(root)', problem: expect.stringMatching(/^could not be read: listing its keys threw \(revoked\)/) }] });
    expect(refusalOf({ delivery: trapping('get') })).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_OPTIONS', details: [{ key: 'delivery.beforeSend', problem: expect.stringMatching(/^could not be read: its getter threw \(revoked\)/) }] });
    expect(refusalOf({ delivery: trapping('getPrototypeOf') })).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_OPTIONS', details: [{ key: 'delivery', problem: expect.stringMatching(/^could not be read: its getPrototypeOf trap threw \(revoked\)/) }] });
    // A host object (a storage backend, a server role) is looked at, not copied: a trap that throws then is its problem too.
    expect(refusalOf({ storage: new Proxy(memoryStorage(), { get: () => { throw new Error('revoked'); } }) }).details).toEqual([{ key: 'storage', problem: expect.stringMatching(/^could not be read: looking at it threw \(revoked\)/) }]);
    expect(refusalOf({ serverRole: { get currentServerRole(): never { throw new Error('no leader yet'); } } }).details).toEqual([{ key: 'serverRole.currentServerRole', problem: expect.stringMatching(/^could not be read: looking at it threw \(no leader yet\)/) }]);
  });

  it('uses what it checked when a getter answers differently on a second read', async () => {
    const answers = <T>(first: T, then: unknown) => {
      let reads = 0;
      return { reads: () => reads, get: () => (reads++ === 0 ? first : then) as T };
    };
    // Checked as a backend, then read again as a path: start() failed with "open is not a function".
    const storage = answers(memoryStorage(), './x.db');
    const app = createHookwork({ get storage() { return storage.get(); } } as HookworkOptions);
    await app.start();
    await app.stop();
    expect(storage.reads()).toBe(1);
    // Checked as a composer, then read again as {}: refused after the check had passed.
    const first = answers(composer, {});
    const composers = Object.defineProperty([], 0, { get: first.get, enumerable: true }) as Composer[];
    expect(createHookwork({ composers }).events().map((e) => e.alias)).toContain('pinged');
    expect(first.reads()).toBe(1);
    // Checked as a hook, then read at every attempt as something else.
    const hook = answers(() => {}, 'not a hook');
    const delivery = { get beforeSend() { return hook.get(); } };
    createHookwork({ delivery: delivery as never });
    expect(hook.reads()).toBe(1);
  });
});
