import { ContentPublishedNotification, ContentSortedNotification, cmsComposer } from '../index';
import { composer, testApp } from '../test-support/apps';
import { CMS_EXAMPLE_DOCUMENT_TYPE as BLOG_POST, CMS_EXAMPLE_MEDIA_TYPE as IMAGE, cmsExampleNotifications as sampleNotifications, exampleCmsContent as page } from './example-notifications';

// Every content and media event, written out (Umbraco filters only 13 of them).
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
];

const all = () => testApp([cmsComposer(), composer((b) => b.webhookEvents().clear().addCms(false))]);

describe('the content-type filter', () => {
  it.each(CONTENT_AND_MEDIA)('applies to %s: only webhooks whose filter lists the type (or that have none) get a request', async (alias) => {
    const { app, storage } = all();
    await app.start();
    const matching = await app.webhooks.create({ url: 'https://example.com/a', events: [alias], contentTypeKeys: [BLOG_POST.key, IMAGE.key] });
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
