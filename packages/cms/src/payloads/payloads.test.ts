import Ajv from 'ajv';
import { isHookworkError, type Composer, type PayloadType } from '@hookwork/core';
import { cmsComposer, ContentDeletedNotification, ContentPublishedNotification, ContentSavedNotification, ContentSortedNotification, MemberDeletedNotification, MemberSavedNotification, UserSavedNotification, getCmsPayloadSchema, cmsPayloadSchemas, type CmsContent } from '../index';
import { testApp } from '../test-support/apps';
import { cmsExampleNotifications as sampleNotifications, exampleCmsContent as page } from '../events/example-notifications';

// Umbraco's documented Content Published body (docs.umbraco.com, reference/webhooks, 14+: the
// Delivery API content, camelCase since 14 changed the webhook serializer) is what its
// LegacyContentPublishedWebhookEvent sends; ExtendedContentPublishedWebhookEvent sends the
// document by culture (an invariant page has none: the Delivery API leaves out the invariant
// culture); LegacyContentDeletedWebhookEvent sends DefaultPayloadModel { Id }, camelCase.
const GOLDEN_LEGACY_PUBLISHED =
  '{"name":"Root","createDate":"2023-12-11T12:02:38.9979314","updateDate":"2023-12-11T12:02:38.9979314","route":{"path":"/","startItem":{"id":"c1922956-7855-4fa0-8f2c-7af149a92135","path":"root"}},"id":"c1922956-7855-4fa0-8f2c-7af149a92135","contentType":"root","properties":{}}';
const GOLDEN_EXTENDED_PUBLISHED =
  '{"id":"c1922956-7855-4fa0-8f2c-7af149a92135","contentType":"root","name":"Root","createDate":"2023-12-11T12:02:38.9979314","updateDate":"2023-12-11T12:02:38.9979314","cultures":{}}';
const GOLDEN_LEGACY_DELETED = '{"id":"c1922956-7855-4fa0-8f2c-7af149a92135"}';

/** Umbraco's documented "Root" page, as a host maps it. */
const root: CmsContent = {
  key: 'c1922956-7855-4fa0-8f2c-7af149a92135',
  name: 'Root',
  contentType: { key: 'ct-root', alias: 'root' },
  createDate: '2023-12-11T12:02:38.9979314',
  updateDate: '2023-12-11T12:02:38.9979314',
  route: { path: '/', startItem: { id: 'c1922956-7855-4fa0-8f2c-7af149a92135', path: 'root' } },
  properties: {},
};

const ajv = new Ajv({ strict: true, allErrors: true });
const PAYLOAD_TYPES: PayloadType[] = ['Minimal', 'Extended', 'Legacy'];
const app = (composers: Composer[], payloadType?: PayloadType) => {
  const { app: hookwork, storage } = testApp(composers, { settings: payloadType ? { payloadType } : {} });
  return { hookwork, storage };
};
const everything: Composer = { name: 'app', compose: (b) => b.webhookEvents().clear().addCms(false) };

async function bodiesFor(composers: Composer[], notifications: object[], payloadType?: PayloadType, events?: string[]) {
  const { hookwork, storage } = app(composers, payloadType);
  await hookwork.start();
  await hookwork.webhooks.create({ url: 'https://example.com/hook', events: events ?? hookwork.events().map((e) => e.alias) });
  const failures = [];
  for (const notification of notifications) failures.push(...(await hookwork.publish(notification)).failures);
  await hookwork.stop();
  return { requests: storage.enqueued, failures };
}

describe('CMS payloads', () => {
  it.each(PAYLOAD_TYPES)('every event’s %s body is valid against its exported schema', async (payloadType) => {
    const samples = sampleNotifications();
    const { requests, failures } = await bodiesFor([cmsComposer(), everything], Object.values(samples), payloadType);
    expect(failures).toEqual([]);
    expect(requests).toHaveLength(87);
    for (const request of requests) {
      const validate = ajv.compile(getCmsPayloadSchema(request.eventAlias, payloadType));
      const body = JSON.parse(request.body);
      expect({ alias: request.eventAlias, valid: validate(body), errors: validate.errors ?? null }).toEqual({ alias: request.eventAlias, valid: true, errors: null });
    }
  });

  it('exports a schema for every alias and payload type, refusing unknown properties', () => {
    const schemas = cmsPayloadSchemas();
    expect(Object.keys(schemas)).toHaveLength(87);
    const validate = ajv.compile(schemas['Umbraco.ContentPublish']!.Legacy);
    expect(validate({ ...JSON.parse(GOLDEN_LEGACY_PUBLISHED), extra: 1 })).toBe(false);
    expect(validate(JSON.parse(GOLDEN_LEGACY_PUBLISHED))).toBe(true);
    expect(() => getCmsPayloadSchema('Umbraco.Nope', 'Minimal')).toThrow(/"Umbraco.Nope" is not a CMS event alias/);
    expect(() => getCmsPayloadSchema('Umbraco.ContentPublish', 'Fancy' as PayloadType)).toThrow(/payloadType must be one of Minimal, Extended, Legacy/);
  });

  it('reproduces Umbraco’s documented Content Published body (Legacy) and its Extended body byte for byte', async () => {
    const legacy = await bodiesFor([cmsComposer()], [new ContentPublishedNotification({ publishedEntities: [root] })], 'Legacy');
    expect(legacy.requests.map((r) => r.body)).toEqual([GOLDEN_LEGACY_PUBLISHED]);
    const extended = await bodiesFor([cmsComposer()], [new ContentPublishedNotification({ publishedEntities: [root] })], 'Extended');
    expect(extended.requests.map((r) => r.body)).toEqual([GOLDEN_EXTENDED_PUBLISHED]);
  });

  it('sends Umbraco’s Content Deleted body, { id } in every payload type (camelCase in Legacy too, as Umbraco 14+)', async () => {
    const deleted = new ContentDeletedNotification({ deletedEntities: [root] });
    for (const payloadType of PAYLOAD_TYPES) {
      expect((await bodiesFor([cmsComposer()], [deleted], payloadType)).requests.map((r) => r.body)).toEqual([GOLDEN_LEGACY_DELETED]);
    }
  });

  it('sends ids only by default, publish adding the cultures with their dates, moves the new parent, sorts in sort order', async () => {
    // Umbraco lists PublishCultureInfos: the published cultures only, none for an invariant page.
    const variant: CmsContent = { ...root, cultures: { 'en-US': { publishDate: new Date('2024-01-01T00:00:00Z') }, 'da-DK': { publishDate: null } } };
    const samples = sampleNotifications();
    const { requests } = await bodiesFor(
      [cmsComposer(), everything],
      [
        new ContentPublishedNotification({ publishedEntities: [root, variant] }),
        samples['Umbraco.ContentMoved']!,
        // Umbraco's ContentSortedWebhookEvent orders by SortOrder, whatever order the notification lists them in.
        new ContentSortedNotification({ sortedEntities: [{ ...page('b'), sortOrder: 1 }, page('a')] }),
        samples.dataTypeSaved!,
        samples.scriptSaved!,
      ],
    );
    expect(requests.map((r) => [r.eventAlias, JSON.parse(r.body)])).toEqual([
      ['Umbraco.ContentPublish', { id: root.key, cultures: [] }],
      ['Umbraco.ContentPublish', { id: root.key, cultures: [{ culture: 'en-US', date: '2024-01-01T00:00:00.000Z' }] }],
      ['Umbraco.ContentMoved', [{ id: 'c1922956-7855-4fa0-8f2c-7af149a92135', newParentId: 'p-2' }]],
      ['Umbraco.ContentSorted', [{ id: 'a', sortOrder: 0 }, { id: 'b', sortOrder: 1 }]],
      ['dataTypeSaved', [{ id: 'dt-9' }]],
      // Umbraco's key of a script: its path, hex-encoded into a GUID (EncodeAsGuid of "site.js").
      ['scriptSaved', [{ id: '00000000-0000-0000-0073-6974652e6a73' }]],
    ]);
  });

  it('takes the payload type of the addCms() call or sub-builder over the setting', async () => {
    const composers: Composer[] = [
      cmsComposer({ events: 'none' }),
      {
        name: 'app',
        compose: (b) =>
          b.webhookEvents()
            .addCms({ payloadType: 'Legacy' }, (cms) => cms.addContent(true))
            .addCms((cms) => cms.withPayloadType('Extended').addMedia()),
      },
    ];
    const samples = sampleNotifications();
    const { requests } = await bodiesFor(composers, [new ContentDeletedNotification({ deletedEntities: [root] }), samples['Umbraco.MediaSave']!], 'Minimal');
    expect(requests.map((r) => JSON.parse(r.body))).toEqual([
      { id: root.key },
      {
        name: 'Photo', createDate: '2024-01-02T03:04:05.000Z', updateDate: '2024-01-02T03:04:05.000Z', id: 'm-1', mediaType: 'image', url: '/media/photo.jpg',
        extension: 'jpg', width: 1200, height: 800, bytes: 245760, properties: { alt: 'A photo' },
      },
    ]);
  });

  it('sends Umbraco’s Extended Content Published / Saved body: the document by culture, each routed culture with its path, start item and properties', async () => {
    const enRoute = { path: '/home/', startItem: { id: root.key, path: 'home' } };
    const variant: CmsContent = {
      ...root,
      properties: { title: 'Fallback' },
      cultures: { 'en-US': { publishDate: '2024-01-01T00:00:00Z', route: enRoute, properties: { title: 'Home' } }, 'da-DK': { publishDate: '2024-01-02T00:00:00Z', route: { path: '/forside/', startItem: { id: root.key, path: 'forside' } } }, 'de-DE': { publishDate: null } },
    };
    const expected = {
      id: root.key, contentType: 'root', name: 'Root', createDate: root.createDate, updateDate: root.updateDate,
      cultures: { 'en-US': { path: '/home/', startItem: { id: root.key, path: 'home' }, properties: { title: 'Home' } }, 'da-DK': { path: '/forside/', startItem: { id: root.key, path: 'forside' }, properties: { title: 'Fallback' } } },
    };
    const { requests } = await bodiesFor([cmsComposer(), everything], [new ContentPublishedNotification({ publishedEntities: [variant] }), new ContentSavedNotification({ savedEntities: [variant] })], 'Extended', ['Umbraco.ContentPublish', 'Umbraco.ContentSaved']);
    expect(requests.map((r) => JSON.parse(r.body))).toEqual([expected, expected]);
    // Keys in Umbraco's order: a receiver that compares bytes sees the same body.
    expect(Object.keys(JSON.parse(requests[0]!.body))).toEqual(['id', 'contentType', 'name', 'createDate', 'updateDate', 'cultures']);
  });

  it('sends Umbraco’s Legacy Media Saved (IApiMedia) and Legacy member bodies, camelCase', async () => {
    const samples = sampleNotifications();
    const member = { key: 'mem-1', id: 1057, name: 'Ann', email: 'ann@example.com', username: 'ann', failedPasswordAttempts: 2, contentType: { key: 'mt', alias: 'Member' }, properties: { secret: 'x' } };
    const { requests } = await bodiesFor(
      [cmsComposer(), everything],
      [samples['Umbraco.MediaSave']!, new MemberSavedNotification({ savedEntities: [member] }), new MemberDeletedNotification({ deletedEntities: [{ key: 'mem-2' }] })],
      'Legacy',
      ['Umbraco.MediaSave', 'memberSaved', 'memberDeleted'],
    );
    expect(requests.map((r) => r.body)).toEqual([
      '{"id":"m-1","name":"Photo","mediaType":"image","url":"/media/photo.jpg","extension":"jpg","width":1200,"height":800,"bytes":245760,"properties":{"alt":"A photo"}}',
      '[{"id":1057,"key":"mem-1","name":"Ann","contentTypeAlias":"Member","email":"ann@example.com","username":"ann","failedPasswordAttempts":2}]',
      '[{"id":null,"key":"mem-2","name":null,"contentTypeAlias":null,"email":null,"username":null,"failedPasswordAttempts":null}]',
    ]);
  });

  it('sends Umbraco’s Legacy user bodies, a Legacy sort as the Delivery API content of each child, and a Legacy media move as { id }', async () => {
    const user = { key: 'u-1', id: -1, name: 'Admin', language: 'en-US', email: 'admin@example.com', username: 'admin', failedPasswordAttempts: 0, userGroups: ['admin'] };
    const { requests } = await bodiesFor(
      [cmsComposer(), everything],
      [new UserSavedNotification({ savedEntities: [user] }), new ContentSortedNotification({ sortedEntities: [root] }), sampleNotifications().mediaMoved!],
      'Legacy',
      ['userSaved', 'Umbraco.ContentSorted', 'mediaMoved'],
    );
    expect(requests.map((r) => r.body)).toEqual([
      '[{"id":-1,"key":"u-1","name":"Admin","language":"en-US","email":"admin@example.com","username":"admin","failedPasswordAttempts":0}]',
      `[${GOLDEN_LEGACY_PUBLISHED}]`,
      '{"id":"m-1"}',
    ]);
  });

  it('sends a self-referencing entity without crashing (Umbraco #20272): the cycle is cut', async () => {
    type Node = CmsContent & { parent?: unknown; self?: unknown };
    const cyclic: Node = { ...root, cultures: { 'en-US': { publishDate: '2024-01-01', route: root.route } }, properties: { title: 'Loop', related: [] as unknown[] } };
    cyclic.self = cyclic;
    (cyclic.properties!.related as unknown[]).push(cyclic, { note: 'ok' });
    (cyclic.properties as Record<string, unknown>).me = cyclic.properties;
    for (const payloadType of PAYLOAD_TYPES) {
      const { requests, failures } = await bodiesFor([cmsComposer(), everything], [new ContentPublishedNotification({ publishedEntities: [cyclic] })], payloadType, ['Umbraco.ContentPublish']);
      expect(failures).toEqual([]);
      const body = JSON.parse(requests[0]!.body);
      expect(ajv.compile(getCmsPayloadSchema('Umbraco.ContentPublish', payloadType))(body)).toBe(true);
      if (payloadType !== 'Minimal') expect(payloadType === 'Legacy' ? body.properties : body.cultures['en-US'].properties).toEqual({ title: 'Loop', related: [null, { note: 'ok' }] });
    }
  });

  it('names the event and the missing field when a host entity lacks what the payload needs, and the other webhooks still get theirs', async () => {
    const { hookwork, storage } = app([cmsComposer(), everything]);
    await hookwork.start();
    await hookwork.webhooks.create({ url: 'https://example.com/hook', events: ['Umbraco.ContentPublish', 'Umbraco.MediaSave'] });
    const broken = { name: 'No key', contentType: { key: 'x', alias: 'x' } } as unknown as CmsContent;
    const result = await hookwork.publish(new ContentPublishedNotification({ publishedEntities: [broken] }));
    expect(result.failures).toHaveLength(1);
    const error = result.failures[0]!.error;
    expect(isHookworkError(error, 'HOOKWORK_ERR_HANDLER_FAILED')).toBe(true);
    expect(isHookworkError(error.cause, 'HOOKWORK_ERR_INVALID_NOTIFICATION')).toBe(true);
    expect((error.cause as Error).message).toMatch(/ContentPublishedWebhookEvent \(Umbraco.ContentPublish, Minimal\): the payload needs "id"/);
    expect(storage.enqueued).toEqual([]);
    await hookwork.stop();
  });

  it.each(PAYLOAD_TYPES)('refuses (%s) an entity field of the wrong kind, which would make a body its own schema refuses, naming the field', async (payloadType) => {
    const { hookwork, storage } = app([cmsComposer(), everything], payloadType);
    await hookwork.start();
    await hookwork.webhooks.create({ url: 'https://example.com/hook', events: ['Umbraco.ContentPublish'] });
    // A numeric database id where Umbraco's GUID key goes: it was sent as "id": 42 against a schema of strings.
    const numericKey = { ...root, key: 42 } as unknown as CmsContent;
    const result = await hookwork.publish(new ContentPublishedNotification({ publishedEntities: [numericKey] }));
    const cause = result.failures[0]?.error.cause as Error;
    expect(isHookworkError(cause, 'HOOKWORK_ERR_INVALID_NOTIFICATION')).toBe(true);
    expect(cause.message).toMatch(/the payload's "id" must be a string; got 42\. Map your host model/);
    expect(storage.enqueued).toEqual([]);
    await hookwork.stop();
  });

  it('keeps a notification an instance of its class when its data has an own __proto__ key (JSON.parse makes them)', () => {
    // Object.assign set the instance's prototype from it: publish() then routed it to no event.
    const notification = new ContentPublishedNotification(JSON.parse('{"publishedEntities": [], "__proto__": {"x": 1}}') as never);
    expect(notification).toBeInstanceOf(ContentPublishedNotification);
    expect(Object.getOwnPropertyDescriptor(notification, '__proto__')?.value).toEqual({ x: 1 });
    expect((notification as unknown as { x?: unknown }).x).toBeUndefined();
  });

  it('refuses a notification built with the wrong data, naming the field', () => {
    expect(() => new ContentPublishedNotification({} as never)).toThrow(/new ContentPublishedNotification\(data\): data.publishedEntities must be an array; got undefined/);
    expect(() => new ContentPublishedNotification(undefined as never)).toThrow(/takes one data object \(publishedEntities\)/);
    // Said once, with the fix: `${typeof value} ${shownValue(value)}` wrote "got undefined undefined".
    expect(() => new (ContentPublishedNotification as unknown as new () => unknown)()).toThrow(
      'HOOKWORK_ERR_INVALID_NOTIFICATION: new ContentPublishedNotification(data) takes one data object (publishedEntities); got no argument: pass new ContentPublishedNotification({ publishedEntities: … })',
    );
    expect(() => new ContentPublishedNotification(null as never)).toThrow(/takes one data object \(publishedEntities\); got null$/);
    expect(() => new ContentPublishedNotification('x' as never)).toThrow(/; got a string "x"$/);
    expect(() => new ContentPublishedNotification({ publishedEntities: class Page {} } as never)).toThrow(/must be an array; got a function \(Page\)$/);
    try {
      new ContentDeletedNotification({ deletedEntities: 'x' as never });
    } catch (error) {
      expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_NOTIFICATION')).toBe(true);
    }
    expect.assertions(7);
  });
});
