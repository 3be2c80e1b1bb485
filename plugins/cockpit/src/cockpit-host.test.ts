import { RequestQueueToken, WebhookEvent, WebhookEventBase, WebhookEventDependencies, createHookwork, isHookworkError, keyedMessageId, resolveToken, type Composer, type Hookwork, type WebhookRequest } from '@hookwork/core';
import { recordingTransport } from '@hookwork/core/testing';
import { CockpitEvents, cockpitComposer, cockpitHost, defineCockpitEvent, type CockpitComposerOptions, type CockpitEnvelope } from './index';

const allCockpit: Composer = { name: 'app', compose: (b) => b.webhookEvents().addCockpit() };
const URL = 'https://hooks.example.test/cockpit';

/** An app composed with every Cockpit event, and what it enqueues (read from the queue as it is enqueued). */
async function startApp(options: CockpitComposerOptions = {}, ...composers: Composer[]) {
  const app = createHookwork({ composers: [cockpitComposer(options), allCockpit, ...composers], transport: recordingTransport() });
  const enqueued: Promise<WebhookRequest | undefined>[] = [];
  // Registered before start(), so it reads each request before the dispatcher is woken for it.
  app.lifecycle.on('enqueued', (requests) => {
    const queue = resolveToken(app.container, RequestQueueToken);
    for (const { requestId } of requests) enqueued.push(queue.get(requestId));
  });
  await app.start();
  const requests = async () => (await Promise.all(enqueued)).map((r) => r!);
  const bodies = async () => (await requests()).map((r) => JSON.parse(r.body) as CockpitEnvelope);
  return { app, requests, bodies };
}

const apps: Hookwork[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.stop()));
});
async function started(options?: CockpitComposerOptions, ...composers: Composer[]) {
  const result = await startApp(options, ...composers);
  apps.push(result.app);
  return result;
}

describe('cockpitHost(app).trigger()', () => {
  it("enqueues Cockpit's envelope, exactly { event, hook, backend, args }", async () => {
    const { app, requests } = await started();
    await app.webhooks.create({ name: 'Rebuild site', url: URL, events: ['collections.save.after'] });
    const entry = { _id: 'e1', title: 'Hello', _modified: 1700000000 };
    await cockpitHost(app).trigger('collections.save.after', 'posts', entry, true);
    const [request] = await requests();
    expect(request!.eventAlias).toBe('collections.save.after');
    expect(request!.body).toBe(JSON.stringify({ event: 'collections.save.after', hook: 'Rebuild site', backend: 0, args: ['posts', entry, true] }));
    expect(Object.keys(JSON.parse(request!.body))).toEqual(['event', 'hook', 'backend', 'args']);
  });

  it('sends one request per fired name to a webhook subscribed to the event and its name-spaced variant', async () => {
    const { app, bodies, requests } = await started();
    await app.webhooks.create({ name: 'both', url: URL, events: ['collections.save.after', 'collections.save.after.posts'] });
    await app.webhooks.create({ name: 'only posts', url: URL, events: ['collections.save.after.posts'] });
    await app.webhooks.create({ name: 'only pages', url: URL, events: ['collections.save.after.pages'] });
    await cockpitHost(app).trigger('collections.save.after', 'posts', { _id: 'e1' }, false);
    expect((await bodies()).map((b) => `${b.hook} <- ${b.event}`).sort()).toEqual([
      'both <- collections.save.after',
      'both <- collections.save.after.posts',
      'only posts <- collections.save.after.posts',
    ]);
    // The event header carries the name that fired.
    expect((await requests()).map((r) => r.eventAlias).sort()).toEqual(['collections.save.after', 'collections.save.after.posts', 'collections.save.after.posts']);
  });

  it('takes an idempotencyKey: a trigger made again with it stores nothing twice, and a bad key is refused', async () => {
    const { app, requests } = await started();
    const webhook = await app.webhooks.create({ name: 'both', url: URL, events: ['collections.save.after', 'collections.save.after.posts'] });
    const cockpit = cockpitHost(app);
    for (let i = 0; i < 2; i++) await cockpit.triggerWith('collections.save.after', ['posts', { _id: 'e1' }, false], { idempotencyKey: 'posts-e1-v3' });
    // The second trigger's requests were skipped as stored: the queue holds each once (both reads of it see the first).
    expect([...new Set((await requests()).map((r) => r.id))].sort()).toEqual([keyedMessageId('posts-e1-v3', webhook.key, 'collections.save.after', 0), keyedMessageId('posts-e1-v3', webhook.key, 'collections.save.after.posts', 0)].sort());
    await app.drain();
    expect((await app.logs({ webhookKey: webhook.key })).total).toBe(2);
    const refused = await cockpit.triggerWith('collections.save.after', ['posts', { _id: 'e1' }, false], { idempotencyKey: 'posts e1' }).then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(refused, 'HOOKWORK_ERR_INVALID_ARGUMENT')).toBe(true);
  });

  it('sends one request for an event a webhook lists twice (a Cockpit export may), where Cockpit sent two', async () => {
    const { app, bodies } = await started();
    const webhook = await app.webhooks.create({ name: 'h', url: URL, events: ['collections.save.after', 'collections.save.after'] });
    expect(webhook.events).toEqual(['collections.save.after']);
    await cockpitHost(app).trigger('collections.save.after', 'posts', { _id: '1' }, false);
    expect((await bodies()).map((b) => b.event)).toEqual(['collections.save.after']);
  });

  it("name-spaces singleton events by the singleton's name", async () => {
    const { app, bodies } = await started();
    await app.webhooks.create({ name: 'settings', url: URL, events: ['singleton.saveData.after.settings'] });
    const singleton = { name: 'settings', label: 'Settings', _id: 'settings5f' };
    await cockpitHost(app).trigger('singleton.saveData.after', singleton, { siteName: 'Demo' });
    expect(await bodies()).toEqual([{ event: 'singleton.saveData.after.settings', hook: 'settings', backend: 0, args: [singleton, { siteName: 'Demo' }] }]);
  });

  it('fires no variant for events Cockpit does not name-space', async () => {
    const { app, bodies } = await started();
    await app.webhooks.create({ name: 'media', url: URL, events: ['cockpit.media.rename'] });
    await cockpitHost(app).trigger('cockpit.media.rename', '/uploads/a.png', '/uploads/b.png');
    expect(await bodies()).toEqual([{ event: 'cockpit.media.rename', hook: 'media', backend: 0, args: ['/uploads/a.png', '/uploads/b.png'] }]);
  });

  it('sets backend from the host, or per trigger', async () => {
    const { app, bodies } = await started();
    await app.webhooks.create({ name: 'h', url: URL, events: ['cockpit.clearcache'] });
    await cockpitHost(app, { backend: true }).trigger('cockpit.clearcache');
    await cockpitHost(app).triggerWith('cockpit.clearcache', [], { backend: 1 });
    await cockpitHost(app, { backend: 1 }).triggerWith('cockpit.clearcache', [], { backend: false });
    expect((await bodies()).map((b) => b.backend)).toEqual([1, 1, 0]);
  });

  it('takes the arguments at trigger time: a host changing them afterwards changes nothing sent', async () => {
    const { app, bodies } = await started();
    await app.webhooks.create({ name: 'h', url: URL, events: ['collections.save.after'] });
    const entry = { title: 'before' };
    await cockpitHost(app).trigger('collections.save.after', 'posts', entry, false);
    entry.title = 'after';
    expect((await bodies())[0]!.args[1]).toEqual({ title: 'before' });
  });

  it('takes the arguments when trigger() is called, not when the promise resolves: a host changing them right after changes nothing sent', async () => {
    const { app, bodies } = await started();
    await app.webhooks.create({ name: 'h', url: URL, events: ['collections.save.after', 'collections.save.after.posts'] });
    const entry = { title: 'before', tags: ['a'] };
    // The host goes on with the entry (a listener of its own changes it) while the webhook's copy is already taken.
    const triggered = cockpitHost(app).trigger('collections.save.after', 'posts', entry, false);
    entry.title = 'after';
    entry.tags.push('b');
    expect(await triggered).toEqual({ events: 1, failures: [], enqueued: 2, alreadyEnqueued: 0 });
    expect((await bodies()).map((b) => b.args[1])).toEqual([{ title: 'before', tags: ['a'] }, { title: 'before', tags: ['a'] }]);
  });

  it('sends a function or a symbol in an argument as JSON does (left out of an object, null in a list or as the argument), as json_encode would', async () => {
    const { app, requests } = await started();
    await app.webhooks.create({ name: 'h', url: URL, events: ['collections.save.after'] });
    const entry = { _id: 'e1', render: () => 'x', kind: Symbol('page'), list: [1, () => 2, Symbol('s')] };
    expect(await cockpitHost(app).trigger('collections.save.after', 'posts', entry, () => true)).toMatchObject({ enqueued: 1, failures: [] });
    const [request] = await requests();
    // The text as enqueued, byte for byte: what the replacer-based snapshot sent before core's rules were used.
    expect(request!.body).toContain('"args":["posts",{"_id":"e1","list":[1,null,null]},null]');
  });

  it('refuses arguments JSON cannot hold with a coded error naming the argument, and enqueues nothing', async () => {
    const { app, requests } = await started();
    await app.webhooks.create({ name: 'h', url: URL, events: ['collections.save.after', 'cockpit.api.authenticate', 'cockpit.api.erroronrequest'] });
    const cockpit = cockpitHost(app);
    const cyclic: Record<string, unknown> = { _id: 'e1' };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 200_000; i++) deep = { child: deep };
    const refused = async (args: unknown[], pattern: RegExp, event = 'collections.save.after') => {
      const error = await cockpit.triggerWith(event, args).then(() => undefined, (e: unknown) => e);
      expect(isHookworkError(error, 'HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE')).toBe(true);
      expect((error as Error).message).toMatch(pattern);
    };
    // Where, in one line: V8's words named no place for a BigInt, and a cycle over several lines.
    await refused(['posts', cyclic, false], /^HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE: trigger\("collections.save.after"\): argument 2 \(entry\) cannot be serialised to JSON: it holds a circular reference at argument 2 \(entry\)\.self, back to argument 2 \(entry\): JSON cannot hold a cycle \(send an id instead of the object\); pass plain data\. Nothing was enqueued$/);
    await refused(['posts', { views: 10n }, false], /argument 2 \(entry\) cannot be serialised to JSON: it holds a BigInt at argument 2 \(entry\)\.views: JSON has no form for it/);
    await refused(['posts', deep, false], /argument 2 \(entry\) cannot be serialised to JSON: it holds a value nested more than 1000 levels deep at argument 2 \(entry\)\.child\.child\.child\.child\.child\.child… \(1000 steps\): deeper than JSON.stringify can go/);
    await refused(['posts', { tags: new Set(['a']) }, false], /argument 2 \(entry\) holds a Set of 1 \(JSON.stringify sends \{\}, without its entries; convert it with \[\.\.\.set\]\) at argument 2 \(entry\)\.tags\. Nothing was enqueued$/);
    await refused(['posts', {}, new Map()], /argument 3 \(isUpdate\) is a Map of 0 \(JSON.stringify sends \{\}, without its entries; convert it with Object.fromEntries\(map\)\)\. Nothing/);
    await refused(['posts', { image: new Uint8Array([1, 2]) }, false], /argument 2 \(entry\) holds a Uint8Array of 2 \(JSON.stringify sends an object of its items by index, \{"0":…,"1":…\}; convert it with Array.from\(array\), .*\) at argument 2 \(entry\)\.image\./);
    await refused(['posts', { raw: new ArrayBuffer(2) }, false], /argument 2 \(entry\) holds an ArrayBuffer of 2 bytes \(JSON.stringify sends \{\}; send its bytes as base64 text: .*\) at argument 2 \(entry\)\.raw\./);
    // A forgotten await, and an Error whose message JSON leaves out.
    await refused(['posts', Promise.resolve({ _id: 'e1' }), false], /argument 2 \(entry\) is a promise \(JSON.stringify sends \{\}; await it first and send what it resolves to\)\. Nothing was enqueued$/);
    await refused(['posts', { related: { then: () => undefined } }, false], /argument 2 \(entry\) holds a promise \(.*\) at argument 2 \(entry\)\.related\./);
    // An invalid Date's own toJSON() sends null: a date lost without a word.
    await refused(['posts', { _created: new Date('not a date') }, false], /argument 2 \(entry\) holds an invalid Date \(JSON.stringify sends null; check the value it was made from, .*\) at argument 2 \(entry\)\._created\./);
    await refused(['posts', {}, new Date(NaN)], /argument 3 \(isUpdate\) is an invalid Date \(JSON.stringify sends null; /);
    // A RegExp, and an entity whose data is all behind getters, went out as {}.
    class Entry {
      #id = 'e1';
      get _id() {
        return this.#id;
      }
    }
    await refused(['posts', new Entry(), false], /argument 2 \(entry\) is an Entry whose data is in getters \(_id\) \(JSON.stringify sends \{\}; return a plain object, e.g. \{ _id: value._id \}, or give the class a toJSON\(\)\)\./);
    await refused(['posts', { filter: /^draft/ }, false], /argument 2 \(entry\) holds a RegExp, \/\^draft\/ \(JSON.stringify sends \{\}; send its text, String\(regexp\) or regexp.source\) at argument 2 \(entry\)\.filter\./);
    await refused(['/api/x', new Error('db down')], /trigger\("cockpit.api.erroronrequest"\): argument 2 \(error\) is an Error \(JSON.stringify sends \{\} without its message; send error.message, or an object such as \{ name, message \}\)\./, 'cockpit.api.erroronrequest');
    // Redacted events too: the credentials of a too-deep argument are never walked into half-way.
    await refused([{ token: 't', deep }], /trigger\("cockpit.api.authenticate"\): argument 1 \(data\) cannot be serialised/, 'cockpit.api.authenticate');
    expect(await requests()).toEqual([]);
  });

  it("names the event when its redact function throws or returns something else than the arguments, and enqueues nothing", async () => {
    const Throws = defineCockpitEvent({ name: 'shop.login', group: 'shop', label: 'Login', args: [{ name: 'user' }], redact: () => { throw new RangeError('Maximum call stack size exceeded'); } });
    const Drops = defineCockpitEvent({ name: 'shop.logout', group: 'shop', label: 'Logout', args: [{ name: 'user' }], redact: () => [] });
    const { app, requests } = await started({}, { compose: (b) => b.webhookEvents().addCockpitEvents(Throws, Drops) });
    await app.webhooks.create({ name: 'h', url: URL, events: ['shop.login', 'shop.logout'] });
    await expect(cockpitHost(app).trigger('shop.login', { password: 'p' })).rejects.toThrow(/^HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER: trigger\("shop.login"\): hiding the credentials in its arguments failed \(Maximum call stack size exceeded\)/);
    await expect(cockpitHost(app).trigger('shop.logout', { password: 'p' })).rejects.toThrow(/^HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER: trigger\("shop.logout"\): the event's redact function returned 0 argument\(s\) for 1/);
    expect(await requests()).toEqual([]);
  });

  it("refuses a trigger with more or fewer arguments than the event has, naming them, as the catalogue's schema would refuse the body", async () => {
    const { app, requests } = await started();
    await app.webhooks.create({ name: 'h', url: URL, events: ['collections.save.after', 'cockpit.clearcache'] });
    const cockpit = cockpitHost(app);
    await expect(cockpit.trigger('collections.save.after', 'posts', { _id: 'e1' })).rejects.toThrow(
      /^HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER: trigger\("collections.save.after"\) was given 2 argument\(s\); "collections.save.after" takes 3 argument\(s\): name, entry, isUpdate.*pass null/,
    );
    await expect(cockpit.trigger('collections.save.after', 'posts', {}, false, 'extra')).rejects.toThrow(/was given 4 argument\(s\)/);
    await expect(cockpit.trigger('cockpit.clearcache', 'now')).rejects.toThrow(/"cockpit.clearcache" takes no arguments/);
    expect(await requests()).toEqual([]);
    // An argument the host does not have is sent as null, as JSON sends undefined in a list.
    await cockpit.trigger('collections.save.after', 'posts', undefined, null);
    expect((await requests()).map((r) => JSON.parse(r.body).args)).toEqual([['posts', null, null]]);
  });

  it('uses the webhook key as hook when a webhook has no name', async () => {
    const { app, bodies } = await started();
    await app.webhooks.create({ key: 'k1', url: URL, events: ['cockpit.bootstrap'] });
    await cockpitHost(app).trigger('cockpit.bootstrap');
    expect((await bodies())[0]!.hook).toBe('k1');
  });

  it('fires through a replacement class, which may change the payload', async () => {
    @WebhookEvent('Entry saved (slim)', 'Content')
    class SlimSave extends CockpitEvents['collections.save.after'] {
      override convertNotificationToRequestPayload(...params: Parameters<InstanceType<(typeof CockpitEvents)['collections.save.after']>['convertNotificationToRequestPayload']>) {
        const envelope = super.convertNotificationToRequestPayload(...params);
        return { ...envelope, args: [envelope.args[0]] };
      }
    }
    const { app, bodies } = await started({}, { compose: (b) => b.webhookEvents().replace(CockpitEvents['collections.save.after'], SlimSave) });
    await app.webhooks.create({ name: 'h', url: URL, events: ['collections.save.after.posts'] });
    await cockpitHost(app).trigger('collections.save.after', 'posts', { big: 'entry' }, true);
    expect(await bodies()).toEqual([{ event: 'collections.save.after.posts', hook: 'h', backend: 0, args: ['posts'] }]);
  });

  it("fires another plugin's events added to the catalogue", async () => {
    const OrderPlaced = defineCockpitEvent({ name: 'shop.order.placed', group: 'shop', label: 'Order placed', args: [{ name: 'order' }] });
    const { app, bodies } = await started({}, { compose: (b) => b.webhookEvents().addCockpitEvents(OrderPlaced) });
    await app.webhooks.create({ name: 'shop', url: URL, events: ['shop.order.placed'] });
    await cockpitHost(app).trigger('shop.order.placed', { id: 7 });
    expect(await bodies()).toEqual([{ event: 'shop.order.placed', hook: 'shop', backend: 0, args: [{ id: 7 }] }]);
  });

  it('enqueues nothing for an event no webhook subscribed to, or one the app did not compose', async () => {
    const app = createHookwork({ composers: [cockpitComposer(), { compose: (b) => b.webhookEvents().addCockpit((c) => c.addForms()) }], transport: recordingTransport() });
    apps.push(app);
    await app.start();
    let enqueued = 0;
    app.lifecycle.on('enqueued', (r) => (enqueued += r.length));
    await app.webhooks.create({ name: 'h', url: URL, events: ['forms.save.after'] });
    expect(await cockpitHost(app).trigger('forms.save.before', 'contact', {})).toEqual({ events: 1, failures: [], enqueued: 0, alreadyEnqueued: 0 });
    expect(await cockpitHost(app).trigger('cockpit.bootstrap')).toEqual({ events: 0, failures: [], enqueued: 0, alreadyEnqueued: 0 });
    expect(enqueued).toBe(0);
  });

  it('refuses an async addCockpit() callback at createHookwork(), whose events would come after the app was built', () => {
    const later = async () => undefined;
    const composer: Composer = { compose: (b) => b.webhookEvents().addCockpit(async (c) => { await later(); c.addForms(); }) };
    expect(() => createHookwork({ composers: [cockpitComposer(), composer] })).toThrow(/^HOOKWORK_ERR_ASYNC_COMPOSITION: addCockpit\(configure\) returned a promise/);
  });

  it('refuses unknown names, name-spaced names and bad options with coded errors', async () => {
    const { app, requests } = await started();
    await app.webhooks.create({ name: 'h', url: URL, events: ['collections.save.after'] });
    const cockpit = cockpitHost(app);
    await expect(cockpit.trigger('collections.sav.after', 'posts')).rejects.toThrow(/HOOKWORK_ERR_COCKPIT_UNKNOWN_EVENT.*"collections.sav.after".*did you mean "collections.save.after"\?/);
    await expect(cockpit.trigger('collections.save.after.posts', {})).rejects.toThrow(/HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER.*trigger\("collections.save.after", "posts"/);
    // A trailing dot was read as a variant named "": the advice was trigger("collections.save.after", "", …), which fires none.
    await expect(cockpit.trigger('collections.save.after.', 'posts', {}, false)).rejects.toThrow(/^HOOKWORK_ERR_COCKPIT_UNKNOWN_EVENT: trigger\("collections.save.after."\): no Cockpit event has this name; did you mean "collections.save.after"\?/);
    await expect(cockpit.triggerWith('collections.save.after', [], { backend: 2 as 1 })).rejects.toThrow(/HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER.*backend/);
    await expect(cockpit.triggerWith('collections.save.after', 'posts' as unknown as unknown[])).rejects.toThrow(/HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER.*args/);
    expect(() => cockpitHost(app, { backend: 'yes' as unknown as 1 })).toThrow(/HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER/);
    // The kind said as a kind (it was "got object" for null), and another library's name of an option gets its suggestion, as publish()'s do.
    await expect(cockpit.trigger(null as never)).rejects.toThrow(/trigger\(\) takes an event name such as "collections.save.after"; got null$/);
    await expect(cockpit.triggerWith('collections.save.after', ['posts', {}, false], { tx: {} } as never)).rejects.toThrow(/unknown option `tx` \(did you mean `transaction`\?\)/);
    expect(await requests()).toEqual([]);
  });

  // Core refuses "*" in a fired variant: the whole publish failed, the plain event with it.
  it('fires only the plain event for a name with "*", as for any name no webhook could subscribe to', async () => {
    const OrderPlaced = defineCockpitEvent({ name: 'shop.order.placed', group: 'shop', label: 'Order placed', args: [{ name: 'shop' }], namespaced: true });
    const { app, bodies } = await started({}, { compose: (b) => b.webhookEvents().addCockpitEvents(OrderPlaced) });
    await app.webhooks.create({ name: 'h', url: URL, events: ['collections.save.after', 'singleton.save.after', 'shop.order.placed'] });
    const cockpit = cockpitHost(app);
    expect(await cockpit.trigger('collections.save.after', '*', {}, false)).toEqual({ events: 1, failures: [], enqueued: 1, alreadyEnqueued: 0 });
    expect(await cockpit.trigger('collections.save.after', 'a*b', {}, false)).toEqual({ events: 1, failures: [], enqueued: 1, alreadyEnqueued: 0 });
    expect(await cockpit.trigger('singleton.save.after', { name: 'set*tings' })).toEqual({ events: 1, failures: [], enqueued: 1, alreadyEnqueued: 0 });
    expect(await cockpit.trigger('shop.order.placed', '*')).toEqual({ events: 1, failures: [], enqueued: 1, alreadyEnqueued: 0 });
    expect((await bodies()).map((b) => b.event)).toEqual(['collections.save.after', 'collections.save.after', 'singleton.save.after', 'shop.order.placed']);
  });

  it("refuses, before serialising again or enqueuing, arguments already over maxPayloadBytes for Cockpit's envelope", async () => {
    const { app, requests } = await started();
    app.updateSettings({ maxPayloadBytes: 2000 });
    await app.webhooks.create({ name: 'h', url: URL, events: ['collections.save.after', 'collections.save.after.posts'] });
    const error = await cockpitHost(app).trigger('collections.save.after', 'posts', { body: 'é'.repeat(1000) }, true).then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_PAYLOAD_TOO_LARGE')).toBe(true);
    expect((error as Error).message).toMatch(/^HOOKWORK_ERR_PAYLOAD_TOO_LARGE: trigger\("collections.save.after"\): its arguments are 2022 bytes as JSON, over maxPayloadBytes \(2000\).*Nothing was enqueued/);
    expect(await requests()).toEqual([]);
    // Under the limit with the arguments but over it with the envelope: core's publish() resolves with the failure, as documented.
    const result = await cockpitHost(app).trigger('collections.save.after', 'posts', { body: 'x'.repeat(1960) }, true);
    expect(result.failures.map((f) => (f.error.cause as { code?: string }).code)).toEqual(['HOOKWORK_ERR_PAYLOAD_TOO_LARGE']);
    expect(await requests()).toEqual([]);
  });

  it('leaves the size to a replacement class that makes its own payload', async () => {
    @WebhookEvent('Entry saved (id only)', 'Content')
    class IdOnly extends CockpitEvents['collections.save.after'] {
      override convertNotificationToRequestPayload(...params: Parameters<InstanceType<(typeof CockpitEvents)['collections.save.after']>['convertNotificationToRequestPayload']>) {
        const envelope = super.convertNotificationToRequestPayload(...params);
        return { ...envelope, args: [envelope.args[0], { _id: (envelope.args[1] as { _id: string })._id }, envelope.args[2]] };
      }
    }
    const { app, bodies } = await started({}, { compose: (b) => b.webhookEvents().replace(CockpitEvents['collections.save.after'], IdOnly) });
    app.updateSettings({ maxPayloadBytes: 2000 });
    await app.webhooks.create({ name: 'h', url: URL, events: ['collections.save.after'] });
    expect(await cockpitHost(app).trigger('collections.save.after', 'posts', { _id: 'e1', body: 'x'.repeat(5000) }, true)).toEqual({ events: 1, failures: [], enqueued: 1, alreadyEnqueued: 0 });
    expect((await bodies()).map((b) => b.args)).toEqual([['posts', { _id: 'e1' }, true]]);
  });

  it('refuses a replacement that does not extend the Cockpit event class, instead of sending nothing, and leaves it out of the catalogue', async () => {
    class MyNote {
      constructor(readonly id: string) {}
    }
    @WebhookEvent('Mine', 'Content', { alias: 'collections.save.after', notification: MyNote })
    class Mine extends WebhookEventBase<MyNote> {}
    const { app, requests } = await started({}, { compose: (b) => b.webhookEvents().replace(CockpitEvents['collections.save.after'], Mine) });
    await app.webhooks.create({ name: 'h', url: URL, events: ['collections.save.after'] });
    const cockpit = cockpitHost(app);
    await expect(cockpit.trigger('collections.save.after', 'posts', {}, false)).rejects.toThrow(
      /^HOOKWORK_ERR_COCKPIT_INVALID_REPLACEMENT: trigger\("collections.save.after"\): the app composed Mine for "collections.save.after", which does not extend CollectionsSaveAfterCockpitEvent.*extend CockpitEvents\['collections.save.after'\]/,
    );
    expect(await requests()).toEqual([]);
    expect(cockpit.catalogue.list().map((e) => e.name)).not.toContain('collections.save.after');
    expect(cockpit.catalogue.list().find((e) => e.name === 'collections.save.before')).toMatchObject({ pattern: 'collections.save.before.*' });
  });

  it('refuses a replacement that extends the Cockpit class under another alias, instead of sending nothing', async () => {
    // Core lets a subclass (same notification) take another alias; its requests were for "my.save",
    // which Cockpit's trigger never fires, and the class fires only for its own alias: trigger() resolved, nothing sent.
    @WebhookEvent('Entry saved (renamed)', 'Content', { alias: 'my.save' })
    class Renamed extends CockpitEvents['collections.save.after'] {}
    const { app, requests } = await started({}, { compose: (b) => b.webhookEvents().replace(CockpitEvents['collections.save.after'], Renamed) });
    await app.webhooks.create({ name: 'h', url: URL, events: ['my.save'] });
    await expect(cockpitHost(app).trigger('collections.save.after', 'posts', {}, false)).rejects.toThrow(
      /^HOOKWORK_ERR_COCKPIT_INVALID_REPLACEMENT: trigger\("collections.save.after"\): the app composed Renamed, which extends CollectionsSaveAfterCockpitEvent, under the alias "my.save".*leave alias out of its @WebhookEvent/,
    );
    expect(await requests()).toEqual([]);
  });

  it('fires no variant through a replacement that declares no pattern, and lists none for it', async () => {
    @WebhookEvent('Entry saved (no variants)', 'Content', { patterns: [] })
    class Plain extends CockpitEvents['collections.save.after'] {}
    const { app, bodies } = await started({}, { compose: (b) => b.webhookEvents().replace(CockpitEvents['collections.save.after'], Plain) });
    await app.webhooks.create({ name: 'h', url: URL, events: ['collections.save.after'] });
    const cockpit = cockpitHost(app);
    expect(await cockpit.trigger('collections.save.after', 'posts', {}, false)).toEqual({ events: 1, failures: [], enqueued: 1, alreadyEnqueued: 0 });
    expect((await bodies()).map((b) => b.event)).toEqual(['collections.save.after']);
    expect(cockpit.catalogue.list().find((e) => e.name === 'collections.save.after')).not.toHaveProperty('pattern');
  });

  it('is a coded error on an app without the Cockpit plugin', () => {
    const app = createHookwork({ transport: recordingTransport() });
    let error: unknown;
    try {
      cockpitHost(app);
    } catch (e) {
      error = e;
    }
    expect(isHookworkError(error, 'HOOKWORK_ERR_EXTENSION_NOT_COMPOSED')).toBe(true);
    expect((error as Error).message).toContain('cockpitComposer()');
  });

  it('keeps two apps apart: each enqueues only for its own webhooks and catalogue', async () => {
    const OrderPlaced = defineCockpitEvent({ name: 'shop.order.placed', group: 'shop', label: 'Order placed', args: [{ name: 'order' }] });
    const a = await started({}, { compose: (b) => b.webhookEvents().addCockpitEvents(OrderPlaced) });
    const b = await started({ redactCredentials: false });
    await a.app.webhooks.create({ name: 'A', url: URL, events: ['cockpit.api.authenticate'] });
    await b.app.webhooks.create({ name: 'B', url: URL, events: ['cockpit.api.authenticate'] });
    const data = { token: 'tok-123', authenticated: false };
    await cockpitHost(a.app).trigger('cockpit.api.authenticate', data);
    expect((await a.bodies()).map((x) => [x.hook, x.args])).toEqual([['A', [{ token: '[redacted]', authenticated: false }]]]);
    expect(await b.bodies()).toEqual([]);
    await cockpitHost(b.app).trigger('cockpit.api.authenticate', data);
    expect((await b.bodies()).map((x) => [x.hook, x.args])).toEqual([['B', [{ token: 'tok-123', authenticated: false }]]]);
    expect(await a.bodies()).toHaveLength(1);
    await expect(cockpitHost(b.app).trigger('shop.order.placed', {})).rejects.toThrow(/HOOKWORK_ERR_COCKPIT_UNKNOWN_EVENT/);
  });

  it("composed twice (the app's and a plugin's composer lists), keeps the first catalogue: a plugin's events added between stay triggerable", async () => {
    const OrderPlaced = defineCockpitEvent({ name: 'shop.order.placed', group: 'shop', label: 'Order placed', args: [{ name: 'order' }] });
    const shop: Composer = { name: '@acme/shop', compose: (b) => b.webhookEvents().addCockpitEvents(OrderPlaced) };
    const app = createHookwork({ composers: [cockpitComposer(), shop, cockpitComposer(), allCockpit], transport: recordingTransport() });
    apps.push(app);
    await app.start();
    await app.webhooks.create({ name: 'h', url: URL, events: ['shop.order.placed'] });
    // The second composer's new, empty catalogue used to replace the first: the composed event was an unknown name.
    expect(cockpitHost(app).catalogue.list().map((e) => e.name)).toContain('shop.order.placed');
    expect(await cockpitHost(app).trigger('shop.order.placed', { id: 1 })).toMatchObject({ events: 1, enqueued: 1 });
  });

  it('refuses the plugin composed twice with different options, naming both, instead of the last silently deciding whether secrets are sent', () => {
    // The second used to win: composed first with redaction on, the app sent account secrets in clear.
    expect(() => createHookwork({ composers: [cockpitComposer(), cockpitComposer({ redactCredentials: false }), allCockpit] })).toThrow(
      /^HOOKWORK_ERR_COCKPIT_INVALID_OPTIONS: cockpitComposer\(\) is composed twice in this app, first with \{ redactCredentials: true \}, then with \{ redactCredentials: false \}.*list cockpitComposer\(\) once/,
    );
    expect(() => createHookwork({ composers: [cockpitComposer({ redactCredentials: true }), cockpitComposer(), allCockpit] })).not.toThrow();
  });
});

describe('credential redaction', () => {
  const authenticate = () => ({
    token: 'account-api-token',
    authenticated: true,
    resource: 'collections',
    query: { path: 'collections/get/posts', parts: ['collections', 'get', 'posts'], params: ['get', 'posts'] },
    user: { _id: 'u1', user: 'admin', email: 'admin@example.test', group: 'admin', password: '$2y$10$hash', api_key: 'account-key', _reset_token: 'reset' },
  });
  const storages = () => ({
    uploads: { adapter: 'League\\Flysystem\\Adapter\\Local', args: ['/var/www/storage/uploads'], mount: true, url: 'https://cms.example.test/storage/uploads' },
    assets: {
      adapter: 'League\\Flysystem\\AwsS3v3\\AwsS3Adapter',
      args: [{ client: { credentials: { key: 'AKIAEXAMPLE', secret: 's3-secret' }, region: 'eu-west-1', version: 'latest' } }, 'bucket'],
      mount: true,
      url: 'https://bucket.s3.example.test',
    },
    backup: { adapter: 'League\\Flysystem\\Adapter\\Ftp', args: [{ host: 'ftp.example.test', username: 'cms', password: 'ftp-pass', root: '/' }] },
    mirror: { adapter: 'League\\Flysystem\\Sftp\\SftpAdapter', args: [{ url: 'sftp://cms:sftp-pass@files.example.test/root' }] },
  });

  it("by default hides cockpit.api.authenticate's token and account secrets, and storage credentials", async () => {
    const { app, bodies } = await started();
    await app.webhooks.create({ name: 'h', url: URL, events: ['cockpit.api.authenticate', 'cockpit.filestorages.init'] });
    const data = authenticate();
    const stores = storages();
    await cockpitHost(app).trigger('cockpit.api.authenticate', data);
    await cockpitHost(app).trigger('cockpit.filestorages.init', stores);
    const [auth, init] = await bodies();
    expect(auth!.args).toEqual([
      {
        ...authenticate(),
        token: '[redacted]',
        user: { _id: 'u1', user: 'admin', email: 'admin@example.test', group: 'admin', password: '[redacted]', api_key: '[redacted]', _reset_token: '[redacted]' },
      },
    ]);
    const sent = init!.args[0] as ReturnType<typeof storages>;
    expect(sent.uploads).toEqual(storages().uploads);
    expect(sent.assets.args).toEqual([{ client: { credentials: '[redacted]', region: 'eu-west-1', version: 'latest' } }, 'bucket']);
    expect(sent.backup.args).toEqual([{ host: 'ftp.example.test', username: 'cms', password: '[redacted]', root: '/' }]);
    expect(sent.mirror.args).toEqual([{ url: 'sftp://[redacted]@files.example.test/root' }]);
    // The host's own objects are left as they were.
    expect(data).toEqual(authenticate());
    expect(stores).toEqual(storages());
  });

  it("hides the account record's secrets in the account events Cockpit's webhook editor offers", async () => {
    const { app, bodies } = await started();
    await app.webhooks.create({ name: 'h', url: URL, events: ['cockpit.account.logout', 'cockpit.account.editview'] });
    const account = () => ({ _id: 'u1', user: 'admin', email: 'admin@example.test', password: '$2y$10$hash', api_key: 'account-key', _reset_token: 'reset' });
    await cockpitHost(app).trigger('cockpit.account.logout', account());
    await cockpitHost(app).trigger('cockpit.account.editview', account());
    const hidden = { ...account(), password: '[redacted]', api_key: '[redacted]', _reset_token: '[redacted]' };
    expect((await bodies()).map((b) => b.args)).toEqual([[hidden], [hidden]]);
  });

  it('hides them too in the account events Cockpit triggers without listing them: sign-in success and failure, account save', async () => {
    const { app, bodies } = await started();
    await app.webhooks.create({ name: 'h', url: URL, events: ['cockpit.authentication.success', 'cockpit.authentication.failed', 'cockpit.accounts.save'] });
    const account = () => ({ _id: 'u1', user: 'admin', password: '$2y$10$hash', api_key: 'account-key', _reset_token: 'reset' });
    const cockpit = cockpitHost(app);
    await cockpit.trigger('cockpit.authentication.success', account());
    await cockpit.trigger('cockpit.authentication.failed', { user: 'admin', password: 'typed-password' }, 'Authentication failed');
    await cockpit.trigger('cockpit.accounts.save', account(), true);
    const hidden = { ...account(), password: '[redacted]', api_key: '[redacted]', _reset_token: '[redacted]' };
    expect((await bodies()).map((b) => b.args)).toEqual([[hidden], [{ user: 'admin', password: '[redacted]' }, 'Authentication failed'], [hidden, true]]);
  });

  it('sends them as Cockpit does with redactCredentials: false', async () => {
    const { app, bodies } = await started({ redactCredentials: false });
    await app.webhooks.create({ name: 'h', url: URL, events: ['cockpit.api.authenticate', 'cockpit.filestorages.init'] });
    await cockpitHost(app).trigger('cockpit.api.authenticate', authenticate());
    await cockpitHost(app).trigger('cockpit.filestorages.init', storages());
    expect((await bodies()).map((b) => b.args)).toEqual([[authenticate()], [storages()]]);
  });

  it('leaves the arguments of other events alone', async () => {
    const { app, bodies } = await started();
    await app.webhooks.create({ name: 'h', url: URL, events: ['collections.save.after'] });
    const entry = { title: 'Passwords', password: 'a collection field, not a credential of Cockpit' };
    await cockpitHost(app).trigger('collections.save.after', 'posts', entry, false);
    expect((await bodies())[0]!.args).toEqual(['posts', entry, false]);
  });
});

describe('cost of a trigger', () => {
  it('resolves only the triggered event class, not every Cockpit event', async () => {
    const constructed: string[] = [];
    const counting = (name: 'collections.save.after' | 'cockpit.clearcache') => {
      @WebhookEvent(`counted ${name}`, 'Other')
      class Counted extends CockpitEvents[name] {
        constructor(deps: WebhookEventDependencies) {
          super(deps);
          constructed.push(name);
        }
      }
      return { compose: (b: Parameters<Composer['compose']>[0]) => b.webhookEvents().replace(CockpitEvents[name], Counted) };
    };
    const { app } = await started({}, counting('collections.save.after'), counting('cockpit.clearcache'));
    constructed.length = 0; // start() builds each composed event once, to fail early on a missing service
    expect(await cockpitHost(app).trigger('collections.save.after', 'posts', {}, false)).toEqual({ events: 1, failures: [], enqueued: 0, alreadyEnqueued: 0 });
    await cockpitHost(app).trigger('collections.save.after', 'posts', {}, true);
    expect(constructed).toEqual(['collections.save.after', 'collections.save.after']);
  });

  it('refuses a non-boolean redactCredentials', () => {
    expect(() => cockpitComposer({ redactCredentials: 'no' as unknown as boolean })).toThrow(/HOOKWORK_ERR_COCKPIT_INVALID_OPTIONS.*redactCredentials/);
  });

  it('refuses options that are not an object, or that it does not know, with coded errors naming the option', async () => {
    expect(() => cockpitComposer(null as never)).toThrow(/^HOOKWORK_ERR_COCKPIT_INVALID_OPTIONS: cockpitComposer\(options\) takes an options object .*got null/);
    expect(() => cockpitComposer({ redactCredential: false } as never)).toThrow(/^HOOKWORK_ERR_COCKPIT_INVALID_OPTIONS: cockpitComposer\(options\): unknown option `redactCredential` \(did you mean `redactCredentials`\?\)/);
    const { app, requests } = await started();
    await app.webhooks.create({ name: 'h', url: URL, events: ['cockpit.clearcache'] });
    expect(() => cockpitHost(app, null as never)).toThrow(/^HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER: cockpitHost\(app, options\): options must be an object .*got null/);
    expect(() => cockpitHost(app, { backnd: true } as never)).toThrow(/unknown option `backnd` \(did you mean `backend`\?\)/);
    const cockpit = cockpitHost(app);
    await expect(cockpit.triggerWith('cockpit.clearcache', [], null as never)).rejects.toThrow(/^HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER: triggerWith\("cockpit.clearcache", args, options\): options must be an object/);
    await expect(cockpit.triggerWith('cockpit.clearcache', [], 'admin' as never)).rejects.toThrow(/got "admin"/);
    await expect(cockpit.triggerWith('cockpit.clearcache', [], { backend: 1, transction: {} } as never)).rejects.toThrow(/unknown option `transction` \(did you mean `transaction`\?\)/);
    expect(await requests()).toEqual([]);
  });

  it('shows values JSON cannot hold in its coded errors instead of throwing a TypeError', async () => {
    const cyclic: Record<string, unknown> = { on: true };
    cyclic.self = cyclic;
    expect(() => cockpitComposer({ redactCredentials: 1n as unknown as boolean })).toThrow(/^HOOKWORK_ERR_COCKPIT_INVALID_OPTIONS: .*got 1n$/);
    expect(() => defineCockpitEvent({ name: 5n as unknown as string, group: 'shop', label: 'x', args: [] })).toThrow(/^HOOKWORK_ERR_INVALID_EVENT_DECLARATION: defineCockpitEvent\(5n\)/);
    const { app } = await started();
    expect(() => cockpitHost(app, { backend: cyclic as unknown as 1 })).toThrow(/^HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER: .*got an object with keys on, self$/);
    await expect(cockpitHost(app).triggerWith('cockpit.clearcache', [], { backend: 1n as unknown as 1 })).rejects.toThrow(/^HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER: .*got 1n$/);
  });
});

// The arguments list and the options of trigger(), triggerWith(), cockpitHost() and
// cockpitComposer() were read as given, some more than once: a getter or Proxy trap that threw
// escaped as a bare Error, and one answering differently on a second read sent what was not checked.
describe("the host's input, read once through core's readOrRefuse", () => {
  const sealed = () => {
    throw new Error('vault sealed');
  };
  const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as { code?: string; message: string });

  it('refuses an argument list or options whose getter throws, coded and naming it, and enqueues nothing', async () => {
    const { app, requests } = await started();
    await app.webhooks.create({ name: 'h', url: URL, events: ['collections.save.after'] });
    const cockpit = cockpitHost(app);
    const args = Object.defineProperty(['posts', null, false], 1, { get: sealed, enumerable: true });
    expect(await rejection(cockpit.triggerWith('collections.save.after', args))).toMatchObject({
      code: 'HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER',
      message: expect.stringMatching(/^HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER: triggerWith\("collections.save.after", args\): argument 2 \(entry\) could not be read: its getter threw \(vault sealed\); give a plain value .*\. Nothing was enqueued$/),
    });
    expect(await rejection(cockpit.triggerWith('collections.save.after', ['posts', {}, false], { get backend(): 1 { return sealed(); } }))).toMatchObject({
      code: 'HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER',
      message: expect.stringContaining('triggerWith("collections.save.after", args, options): options.backend could not be read: its getter threw (vault sealed)'),
    });
    expect(() => cockpitHost(app, { get backend(): 1 { return sealed(); } })).toThrow(/^HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER: cockpitHost\(app, options\): options\.backend could not be read: its getter threw \(vault sealed\)/);
    expect(() => cockpitComposer({ get redactCredentials(): boolean { return sealed(); } })).toThrow(/^HOOKWORK_ERR_COCKPIT_INVALID_OPTIONS: cockpitComposer\(options\): options\.redactCredentials could not be read: its getter threw \(vault sealed\)/);
    // Inside an argument, JSON.stringify reads each getter once; one that throws is named where it is.
    expect(await rejection(cockpit.trigger('collections.save.after', 'posts', { get title() { return sealed(); } }, false))).toMatchObject({
      code: 'HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE',
      message: expect.stringContaining('it holds a getter that threw (vault sealed) at argument 2 (entry).title'),
    });
    expect(await requests()).toEqual([]);
  });

  it('refuses an argument list or options behind a Proxy whose trap throws, coded', async () => {
    const { app, requests } = await started();
    await app.webhooks.create({ name: 'h', url: URL, events: ['collections.save.after'] });
    const cockpit = cockpitHost(app);
    const list = new Proxy(['posts', {}, false], { get: sealed });
    expect(await rejection(cockpit.triggerWith('collections.save.after', list))).toMatchObject({ code: 'HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER', message: expect.stringContaining('triggerWith("collections.save.after", args): args could not be read: its length threw (vault sealed)') });
    const options = new Proxy({ backend: 1 }, { ownKeys: sealed });
    expect(await rejection(cockpit.triggerWith('collections.save.after', ['posts', {}, false], options as never))).toMatchObject({ code: 'HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER', message: expect.stringContaining('options could not be read: listing its keys threw (vault sealed)') });
    expect(() => cockpitHost(app, new Proxy({}, { getPrototypeOf: sealed }))).toThrow(/HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER: cockpitHost\(app, options\): options could not be read: its getPrototypeOf trap threw/);
    expect(await requests()).toEqual([]);
  });

  it('sends what it checked when a getter answers differently on a second read', async () => {
    const { app, bodies, requests } = await started();
    const webhook = await app.webhooks.create({ name: 'h', url: URL, events: ['collections.save.after'] });
    const cockpit = cockpitHost(app);
    // Three arguments when counted, four when sent: Cockpit's envelope went out with an argument too many.
    let lengthReads = 0;
    const args = new Proxy(['posts', { _id: 'e1' }, false, 'extra'], { get: (target, key) => (key === 'length' ? (lengthReads++ === 0 ? 3 : 4) : Reflect.get(target, key)) });
    await cockpit.triggerWith('collections.save.after', args);
    expect((await bodies()).map((b) => b.args)).toEqual([['posts', { _id: 'e1' }, false]]);
    // A key checked as given, then read again as another: the request was stored under the second.
    let keyReads = 0;
    await cockpit.triggerWith('collections.save.after', ['posts', { _id: 'e2' }, false], { get idempotencyKey() { return keyReads++ === 0 ? 'posts-e2' : undefined; } });
    expect((await requests()).map((r) => r.id)).toContain(keyedMessageId('posts-e2', webhook.key, 'collections.save.after', 0));
    // Checked as a boolean, then read at compose time as something else.
    let flagReads = 0;
    const composer = cockpitComposer({ get redactCredentials() { return flagReads++ === 0 ? false : ('no' as unknown as boolean); } });
    createHookwork({ composers: [composer, allCockpit] });
    expect(flagReads).toBe(1);
  });
});
