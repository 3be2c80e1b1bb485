import { ContentPublishedNotification, ContentSortedNotification, ElementMovedToRecycleBinNotification, cmsComposer } from '../index';
import { composer, testApp } from '../test-support/apps';
import {
  CMS_EXAMPLE_DOCUMENT_TYPE as BLOG_POST,
  CMS_EXAMPLE_ELEMENT_TYPE as PROMO_BANNER,
  CMS_EXAMPLE_MEDIA_TYPE as IMAGE,
  cmsExampleNotifications as sampleNotifications,
  exampleCmsContent as page,
  exampleCmsElement as element,
} from './example-notifications';

// Every content, media and element event that names an item, written out (Umbraco filters
// only 13 of the content and media events, and 5 of the element events).
const CONTENT_AND_MEDIA = [
  'Umbraco.ContentCopied',
  'Umbraco.ContentDelete',
  'Umbraco.ContentEmptiedRecycleBin',
  'Umbraco.ContentMovedToRecycleBin',
  'Umbraco.ContentMoved',
  'Umbraco.ContentPublish',
  'Umbraco.ContentSaved',
  'Umbraco.ContentSorted',
  'Umbraco.ContentUnpublish',
  'Umbraco.ContentSavedBlueprint',
  'Umbraco.ContentDeletedBlueprint',
  'Umbraco.ContentDeletedVersions',
  'Umbraco.ContentRolledBack',
  'Umbraco.MediaDelete',
  'Umbraco.MediaSave',
  'mediaEmptiedRecycleBin',
  'mediaMoved',
  'mediaMovedToRecycleBin',
  'Umbraco.ElementCopied',
  'Umbraco.ElementDelete',
  'Umbraco.ElementMovedToRecycleBin',
  'Umbraco.ElementMoved',
  'Umbraco.ElementPublish',
  'Umbraco.ElementSaved',
  'Umbraco.ElementUnpublish',
  'Umbraco.ElementDeletedVersions',
  'Umbraco.ElementRolledBack',
];

const all = () => testApp([cmsComposer(), composer((b) => b.webhookEvents().clear().addCms(false))]);

describe('the content-type filter', () => {
  it.each(CONTENT_AND_MEDIA)('applies to %s: only webhooks whose filter lists the type (or that have none) get a request', async (alias) => {
    const { app, storage } = all();
    await app.start();
    const matching = await app.webhooks.create({ url: 'https://example.com/a', events: [alias], contentTypeKeys: [BLOG_POST.key, IMAGE.key, PROMO_BANNER.key] });
    const other = await app.webhooks.create({ url: 'https://example.com/b', events: [alias], contentTypeKeys: ['ct-other'] });
    const unfiltered = await app.webhooks.create({ url: 'https://example.com/c', events: [alias] });
    await app.publish(sampleNotifications()[alias]!);
    const receivers = storage.enqueued.map((r) => r.webhookKey).sort();
    expect(receivers).toEqual([matching.key, unfiltered.key].sort());
    expect(receivers).not.toContain(other.key);
  });

  it('does not apply to the other events', async () => {
    const { app, storage } = all();
    await app.start();
    await app.webhooks.create({ url: 'https://example.com/a', events: ['dataTypeSaved', 'memberSaved', 'userLoginSuccess'], contentTypeKeys: ['ct-other'] });
    const samples = sampleNotifications();
    for (const alias of ['dataTypeSaved', 'memberSaved', 'userLoginSuccess']) await app.publish(samples[alias]!);
    expect(storage.enqueued.map((r) => r.eventAlias)).toEqual(['dataTypeSaved', 'memberSaved', 'userLoginSuccess']);
  });

  it('does not apply to Element Recycle Bin Emptied, whose notification names no element', async () => {
    const { app, storage } = all();
    await app.start();
    const filtered = await app.webhooks.create({ url: 'https://example.com/a', events: ['Umbraco.ElementEmptiedRecycleBin'], contentTypeKeys: ['ct-other'] });
    await app.publish(sampleNotifications()['Umbraco.ElementEmptiedRecycleBin']!);
    expect(storage.enqueued.map((r) => [r.webhookKey, r.body])).toEqual([[filtered.key, 'null']]);
  });

  it('keeps only the matching elements of a move to the recycle bin, and sends nothing when none match', async () => {
    const { app, storage } = all();
    await app.start();
    const banners = await app.webhooks.create({ url: 'https://example.com/a', events: ['Umbraco.ElementMovedToRecycleBin'], contentTypeKeys: [PROMO_BANNER.key] });
    await app.webhooks.create({ url: 'https://example.com/b', events: ['Umbraco.ElementMovedToRecycleBin'], contentTypeKeys: ['ct-other'] });
    const quote = { key: 'et-quote', alias: 'quote' };
    const moveInfos = [element('e-1'), element('e-2', quote), element('e-3')].map((entity) => ({ entity, newParentId: null }));
    await app.publish(new ElementMovedToRecycleBinNotification({ moveInfos }));
    expect(storage.enqueued.map((r) => [r.webhookKey, JSON.parse(r.body)])).toEqual([[banners.key, [{ id: 'e-1' }, { id: 'e-3' }]]]);
  });

  it('keeps only the matching children of a sort, and sends nothing when none match', async () => {
    const { app, storage } = all();
    await app.start();
    const posts = await app.webhooks.create({ url: 'https://example.com/a', events: ['Umbraco.ContentSorted'], contentTypeKeys: [BLOG_POST.key] });
    await app.webhooks.create({ url: 'https://example.com/b', events: ['Umbraco.ContentSorted'], contentTypeKeys: ['ct-other'] });
    const landing = { key: 'ct-landing', alias: 'landing' };
    await app.publish(new ContentSortedNotification({ sortedEntities: [{ ...page('a'), sortOrder: 0 }, { ...page('b', landing), sortOrder: 1 }, { ...page('c'), sortOrder: 2 }] }));
    expect(storage.enqueued.map((r) => [r.webhookKey, JSON.parse(r.body)])).toEqual([
      [posts.key, [{ id: 'a', sortOrder: 0 }, { id: 'c', sortOrder: 2 }]],
    ]);
  });

  it('sends one request per entity that passes, for a publish of several pages', async () => {
    const { app, storage } = all();
    await app.start();
    await app.webhooks.create({ url: 'https://example.com/a', events: ['Umbraco.ContentPublish'], contentTypeKeys: [BLOG_POST.key] });
    await app.publish(new ContentPublishedNotification({ publishedEntities: [page('a'), page('b', { key: 'ct-landing', alias: 'landing' }), page('c')] }));
    expect(storage.enqueued.map((r) => JSON.parse(r.body).id)).toEqual(['a', 'c']);
  });
});
