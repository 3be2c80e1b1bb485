import { createHookwork, type PayloadType } from '@hookwork/core';
import { capturingStorage, recordingTransport } from '@hookwork/core/testing';
import { ContentPublishedNotification, cmsComposer, type CmsContent } from '@hookwork/cms';
import { ContentCache } from './content-cache';
import { PAGES, siteComposer } from './replace-payload-example';

const asContent = (key: string): CmsContent => ({ key, name: 'Page', contentType: { key: 'page-type', alias: 'page' } });

async function startSite(cache: ContentCache, payloadType: PayloadType = 'Minimal') {
  const storage = capturingStorage();
  const app = createHookwork({ composers: [cmsComposer(), siteComposer(cache)], storage, transport: recordingTransport(), settings: { payloadType } });
  await app.start();
  await app.webhooks.create({ url: 'https://search.example.com/hooks', events: ['Umbraco.ContentPublish'] });
  return { app, storage };
}

describe('MyContentPublishedWebhookEvent', () => {
  it.each<PayloadType>(['Minimal', 'Extended', 'Legacy'])('sends the custom payload whatever the payload shape (%s)', async (payloadType) => {
    const cache = new ContentCache();
    cache.set(PAGES[0]!);
    const { app, storage } = await startSite(cache, payloadType);
    await app.publish(new ContentPublishedNotification({ publishedEntities: [asContent(PAGES[0]!.key)] }));
    expect(storage.payloads()).toEqual([{ myData: 'Your data', publishedContent: expect.objectContaining({ id: PAGES[0]!.key, contentType: 'root' }) }]);
    await app.stop();
  });

  it('sends publishedContent: null for a page the cache does not have, as Umbraco does', async () => {
    const { app, storage } = await startSite(new ContentCache());
    await app.publish(new ContentPublishedNotification({ publishedEntities: [asContent('not-cached')] }));
    expect(storage.payloads()).toEqual([{ myData: 'Your data', publishedContent: null }]);
    await app.stop();
  });

  it("injects each app's own cache: two sites in one process don't see each other's pages", async () => {
    const withPage = new ContentCache();
    withPage.set(PAGES[1]!);
    const one = await startSite(withPage);
    const other = await startSite(new ContentCache());
    const notification = new ContentPublishedNotification({ publishedEntities: [asContent(PAGES[1]!.key)] });
    await one.app.publish(notification);
    await other.app.publish(notification);
    expect(one.storage.payloads()).toEqual([{ myData: 'Your data', publishedContent: expect.objectContaining({ name: 'Hello, hookwork' }) }]);
    expect(other.storage.payloads()).toEqual([{ myData: 'Your data', publishedContent: null }]);
    await one.app.stop();
    await other.app.stop();
  });
});
