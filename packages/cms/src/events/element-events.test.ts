import type { PayloadType } from '@hookwork/core';
import { cmsComposer, ElementMovedNotification, ElementPublishedNotification, type CmsElement } from '../index';
import { composer, testApp } from '../test-support/apps';
import { cmsExampleNotifications, exampleCmsElement } from './example-notifications';

// Umbraco 18's element events: the bodies below are written out by hand from Umbraco's
// converters (src/Umbraco.Core/Webhooks/Events/Element/*.cs and ExtendedElement{Published,Saved}
// WebhookEvent), field for field and in their order, for the example notifications.

const banner = exampleCmsElement();
const id = banner.key;

/** Umbraco's Minimal bodies (and, as Umbraco has no Legacy element events, the Legacy ones). */
const MINIMAL: Record<string, unknown> = {
  'Umbraco.ElementCopied': { id, original: '5b0c2e7d-8a41-4f3e-b6d2-7c9e1f0a3b21', parent: 'f-1', relateToOriginal: false },
  'Umbraco.ElementDelete': { id },
  'Umbraco.ElementEmptiedRecycleBin': null,
  'Umbraco.ElementMovedToRecycleBin': [{ id }],
  'Umbraco.ElementMoved': [{ id }],
  'Umbraco.ElementPublish': { id, cultures: [{ culture: 'en-US', date: '2024-03-01T09:00:00.000Z' }] },
  'Umbraco.ElementSaved': { id },
  'Umbraco.ElementUnpublish': { id },
  // SpecificVersion is Umbraco's int version id, DateToRetain a DateTime (DateTime.MinValue when the delete keeps none).
  'Umbraco.ElementDeletedVersions': { id, deletePriorVersions: false, specificVersion: 2, dateToRetain: '0001-01-01T00:00:00' },
  'Umbraco.ElementRolledBack': { id },
};

/** The Delivery API element Umbraco's Extended Published and Saved events send. */
const API_ELEMENT = { id, contentType: 'promoBanner', properties: { headline: 'Spring sale', link: '/sale/' } };
const EXTENDED: Record<string, unknown> = { ...MINIMAL, 'Umbraco.ElementPublish': API_ELEMENT, 'Umbraco.ElementSaved': API_ELEMENT };

const EXPECTED: Record<PayloadType, Record<string, unknown>> = { Minimal: MINIMAL, Extended: EXTENDED, Legacy: MINIMAL };
const ALIASES = Object.keys(MINIMAL);

async function publishAll(notifications: object[], payloadType: PayloadType = 'Minimal', contentTypeKeys: string[] = []) {
  const { app, storage } = testApp([cmsComposer({ events: 'none' }), composer((b) => b.webhookEvents().addCms((cms) => cms.addElement()))], { settings: { payloadType } });
  await app.start();
  await app.webhooks.create({ url: 'https://example.com/hook', events: ALIASES, contentTypeKeys });
  for (const notification of notifications) expect((await app.publish(notification)).failures).toEqual([]);
  return storage.enqueued;
}

describe("Umbraco 18's element events", () => {
  it.each<PayloadType>(['Minimal', 'Extended', 'Legacy'])('send Umbraco’s %s bodies, byte for byte', async (payloadType) => {
    const samples = cmsExampleNotifications();
    const requests = await publishAll(ALIASES.map((alias) => samples[alias]!), payloadType);
    expect(requests.map((r) => [r.eventAlias, r.body])).toEqual(ALIASES.map((alias) => [alias, JSON.stringify(EXPECTED[payloadType][alias])]));
  });

  it('send one request per published element, and one per move however many elements moved', async () => {
    const other = exampleCmsElement('0f6e2d4c-1b3a-4e5f-8a7b-9c0d1e2f3a4b');
    const requests = await publishAll([
      new ElementPublishedNotification({ publishedEntities: [banner, other] }),
      new ElementMovedNotification({ moveInfos: [banner, other].map((entity) => ({ entity, newParentId: 'f-2' })) }),
    ]);
    expect(requests.map((r) => [r.eventAlias, JSON.parse(r.body)])).toEqual([
      ['Umbraco.ElementPublish', MINIMAL['Umbraco.ElementPublish']],
      ['Umbraco.ElementPublish', { id: other.key, cultures: [{ culture: 'en-US', date: '2024-03-01T09:00:00.000Z' }] }],
      ['Umbraco.ElementMoved', [{ id }, { id: other.key }]],
    ]);
  });

  it('publish: the published cultures of a variant element with their dates, none for an invariant one (Umbraco’s PublishCultureInfos, an empty collection)', async () => {
    const invariant: CmsElement = { key: 'e-inv', contentType: banner.contentType, properties: {} };
    const variant: CmsElement = { ...banner, key: 'e-var', cultures: { 'en-US': { publishDate: new Date('2024-04-01T00:00:00Z') }, 'da-DK': { publishDate: null } } };
    const requests = await publishAll([new ElementPublishedNotification({ publishedEntities: [invariant, variant] })]);
    expect(requests.map((r) => JSON.parse(r.body))).toEqual([
      { id: 'e-inv', cultures: [] },
      { id: 'e-var', cultures: [{ culture: 'en-US', date: '2024-04-01T00:00:00.000Z' }] },
    ]);
  });
});
