import Ajv from 'ajv';
import { isHookworkError, type Composer, type PayloadType } from '@hookwork/core';
import { cmsComposer, ContentDeletedNotification, ContentPublishedNotification, ContentSortedNotification, getCmsPayloadSchema, cmsPayloadSchemas, type CmsContent } from '../index';
import { testApp } from '../test-support/apps';
import { cmsExampleNotifications as sampleNotifications, exampleCmsContent as page } from '../events/example-notifications';

// Umbraco's documented bodies (docs.umbraco.com, reference/webhooks): the Legacy Content
// Published body (Umbraco 13, PascalCase), the same body as Umbraco 14+ documents it
// (camelCase), and the Legacy Content Deleted body.
const GOLDEN_LEGACY_PUBLISHED =
  '{"Name":"Root","CreateDate":"2023-12-11T12:02:38.9979314","UpdateDate":"2023-12-11T12:02:38.9979314","Route":{"Path":"/","StartItem":{"Id":"c1922956-7855-4fa0-8f2c-7af149a92135","Path":"root"}},"Id":"c1922956-7855-4fa0-8f2c-7af149a92135","ContentType":"root","Properties":{}}';
const GOLDEN_EXTENDED_PUBLISHED =
  '{"name":"Root","createDate":"2023-12-11T12:02:38.9979314","updateDate":"2023-12-11T12:02:38.9979314","route":{"path":"/","startItem":{"id":"c1922956-7855-4fa0-8f2c-7af149a92135","path":"root"}},"id":"c1922956-7855-4fa0-8f2c-7af149a92135","contentType":"root","properties":{}}';
const GOLDEN_LEGACY_DELETED = '{"Id":"c1922956-7855-4fa0-8f2c-7af149a92135"}';

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
    expect(validate({ ...JSON.parse(GOLDEN_LEGACY_PUBLISHED), Extra: 1 })).toBe(false);
    expect(validate(JSON.parse(GOLDEN_LEGACY_PUBLISHED))).toBe(true);
    expect(() => getCmsPayloadSchema('Umbraco.Nope', 'Minimal')).toThrow(/"Umbraco.Nope" is not a CMS event alias/);
    expect(() => getCmsPayloadSchema('Umbraco.ContentPublish', 'Fancy' as PayloadType)).toThrow(/payloadType must be one of Minimal, Extended, Legacy/);
  });

  it('reproduces Umbraco’s documented Legacy and Extended Content Published bodies byte for byte', async () => {
    const legacy = await bodiesFor([cmsComposer()], [new ContentPublishedNotification({ publishedEntities: [root] })], 'Legacy');
    expect(legacy.requests.map((r) => r.body)).toEqual([GOLDEN_LEGACY_PUBLISHED]);
    const extended = await bodiesFor([cmsComposer()], [new ContentPublishedNotification({ publishedEntities: [root] })], 'Extended');
    expect(extended.requests.map((r) => r.body)).toEqual([GOLDEN_EXTENDED_PUBLISHED]);
  });

  it('reproduces Umbraco’s documented Content Deleted body, { Id } in Legacy and { id } otherwise', async () => {
    const deleted = new ContentDeletedNotification({ deletedEntities: [root] });
    expect((await bodiesFor([cmsComposer()], [deleted], 'Legacy')).requests.map((r) => r.body)).toEqual([GOLDEN_LEGACY_DELETED]);
    for (const payloadType of ['Minimal', 'Extended'] as const) {
      expect((await bodiesFor([cmsComposer()], [deleted], payloadType)).requests.map((r) => JSON.parse(r.body))).toEqual([{ id: root.key }]);
    }
  });

  it('sends ids only by default, publish adding the cultures with their dates, moves the new parent, sorts the order', async () => {
    const variant: CmsContent = { ...root, cultures: { 'en-US': { publishDate: new Date('2024-01-01T00:00:00Z') }, 'da-DK': { publishDate: null } } };
    const samples = sampleNotifications();
    const { requests } = await bodiesFor(
      [cmsComposer(), everything],
      [
        new ContentPublishedNotification({ publishedEntities: [root, variant] }),
        samples['Umbraco.ContentMoved']!,
        new ContentSortedNotification({ sortedEntities: [page('a'), { ...page('b'), sortOrder: 1 }] }),
        samples.dataTypeSaved!,
        samples.scriptSaved!,
      ],
    );
    expect(requests.map((r) => [r.eventAlias, JSON.parse(r.body)])).toEqual([
      ['Umbraco.ContentPublish', { id: root.key, cultures: [{ culture: null, publishDate: '2023-12-11T12:02:38.9979314' }] }],
      ['Umbraco.ContentPublish', { id: root.key, cultures: [{ culture: 'en-US', publishDate: '2024-01-01T00:00:00.000Z' }, { culture: 'da-DK', publishDate: null }] }],
      ['Umbraco.ContentMoved', { id: 'c1922956-7855-4fa0-8f2c-7af149a92135', parentId: 'p-2' }],
      ['Umbraco.ContentSorted', [{ id: 'a', sortOrder: 0 }, { id: 'b', sortOrder: 1 }]],
      ['dataTypeSaved', [{ id: 'dt-9' }]],
      ['scriptSaved', [{ path: '/scripts/site.js' }]],
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
      { Id: root.key },
      { name: 'Photo', createDate: '2024-01-02T03:04:05.000Z', updateDate: '2024-01-02T03:04:05.000Z', id: 'm-1', mediaType: 'image', url: '/media/photo.jpg', properties: { alt: 'A photo' } },
    ]);
  });

  it('sends a self-referencing entity without crashing (Umbraco #20272): the cycle is cut', async () => {
    type Node = CmsContent & { parent?: unknown; self?: unknown };
    const cyclic: Node = { ...root, properties: { title: 'Loop', related: [] as unknown[] } };
    cyclic.self = cyclic;
    (cyclic.properties!.related as unknown[]).push(cyclic, { note: 'ok' });
    (cyclic.properties as Record<string, unknown>).me = cyclic.properties;
    for (const payloadType of PAYLOAD_TYPES) {
      const { requests, failures } = await bodiesFor([cmsComposer(), everything], [new ContentPublishedNotification({ publishedEntities: [cyclic] })], payloadType, ['Umbraco.ContentPublish']);
      expect(failures).toEqual([]);
      const body = JSON.parse(requests[0]!.body);
      expect(ajv.compile(getCmsPayloadSchema('Umbraco.ContentPublish', payloadType))(body)).toBe(true);
      if (payloadType !== 'Minimal') expect(body[payloadType === 'Legacy' ? 'Properties' : 'properties']).toEqual({ title: 'Loop', related: [null, { note: 'ok' }] });
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
    expect(cause.message).toMatch(/the payload's "(id|Id)" must be a string; got 42\. Map your host model/);
    expect(storage.enqueued).toEqual([]);
    await hookwork.stop();
  });

  it('refuses a notification built with the wrong data, naming the field', () => {
    expect(() => new ContentPublishedNotification({} as never)).toThrow(/new ContentPublishedNotification\(data\): data.publishedEntities must be an array; got undefined/);
    expect(() => new ContentPublishedNotification(undefined as never)).toThrow(/takes one data object \(publishedEntities\)/);
    try {
      new ContentDeletedNotification({ deletedEntities: 'x' as never });
    } catch (error) {
      expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_NOTIFICATION')).toBe(true);
    }
    expect.assertions(3);
  });
});
