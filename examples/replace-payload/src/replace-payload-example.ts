import { createHookwork, type Composer, type HookworkSettingsInput } from '@hookwork/core';
import { ContentPublishedNotification, ContentPublishedWebhookEvent, cmsComposer, type CmsContent } from '@hookwork/cms';
import { ApiContentBuilder } from './api-content-builder';
import { ContentCache } from './content-cache';
import { MyContentPublishedWebhookEvent } from './my-content-published-webhook-event';
import type { PublishedContent } from './published-content';

/** What {@link runReplacePayloadExample} takes. */
export interface ReplacePayloadExampleOptions {
  /** The receiver's base URL (`http://127.0.0.1:<port>`); the webhook calls a path under it. */
  url: string;
  /** Where the example narrates what it does. */
  print?: (line: string) => void;
}

const ROOT = { key: 'c1922956-7855-4fa0-8f2c-7af149a92135', urlSegment: 'root' };

/** The pages the example's site publishes (fixed, so the example prints the same at every run). */
export const PAGES: readonly PublishedContent[] = [
  {
    key: ROOT.key,
    name: 'Root',
    contentTypeAlias: 'root',
    url: '/',
    root: ROOT,
    createDate: new Date('2023-12-11T12:02:38.997Z'),
    updateDate: new Date('2023-12-11T12:02:38.997Z'),
    properties: {},
  },
  {
    key: '5e2b8a41-3c7d-4f0e-9a6b-1d2c3e4f5a6b',
    name: 'Hello, hookwork',
    contentTypeAlias: 'blogPost',
    url: '/blog/hello-hookwork/',
    root: ROOT,
    createDate: new Date('2024-05-01T08:00:00.000Z'),
    updateDate: new Date('2024-05-02T10:15:00.000Z'),
    properties: { title: 'Hello, hookwork', tags: ['webhooks', 'umbraco'] },
  },
];

/** The host's page as hookwork's CMS events take it. */
function toCmsContent(page: PublishedContent): CmsContent {
  return {
    key: page.key,
    name: page.name,
    contentType: { key: `${page.contentTypeAlias}-type`, alias: page.contentTypeAlias },
    createDate: page.createDate,
    updateDate: page.updateDate,
    publishDate: page.updateDate,
  };
}

/**
 * The host's composer, listed after cmsComposer(): it registers its own services in the app's
 * container and swaps Umbraco's Content Published event for its own class, which keeps the
 * alias and the position in the collection.
 */
export function siteComposer(contentCache: ContentCache): Composer {
  return {
    name: 'my-site',
    compose(builder) {
      // The cache is the host's own object (it writes pages into it), so register that instance;
      // the builder is stateless, so one per app is enough.
      builder.services.registerInstance(ContentCache, contentCache);
      builder.services.registerSingleton(ApiContentBuilder);
      builder.webhookEvents().replace(ContentPublishedWebhookEvent, MyContentPublishedWebhookEvent);
    },
  };
}

/**
 * A site that replaced the Content Published payload: a webhook on `Umbraco.ContentPublish`, two
 * pages published in one go, and the receiver gets the host's payload for each,
 * `{ myData: "Your data", publishedContent: … }`. Resolves once every request was delivered.
 */
export async function runReplacePayloadExample({ url, print = () => {} }: ReplacePayloadExampleOptions): Promise<void> {
  const contentCache = new ContentCache();
  const settings: HookworkSettingsInput = {
    // Umbraco's header names (umb-webhook-event, umb-webhook-retrycount), for receivers built for Umbraco.
    headers: { style: 'umbraco' },
    // hookwork refuses to deliver to internal addresses (loopback, private networks) so a webhook
    // URL can't be used to probe the host's network (SSRF). This example's receiver runs on
    // 127.0.0.1, so it allows that address on the receiver's port only (a bare '127.0.0.1' would
    // allow every local port, an admin server's too) — a production site leaves this out.
    ssrf: { allow: [new URL(url).host] },
  };
  const app = createHookwork({ composers: [cmsComposer(), siteComposer(contentCache)], settings });
  await app.start();
  try {
    print('composed events (the replacement keeps the alias and the position):');
    for (const event of app.events()) print(`  ${event.alias.padEnd(26)} ${event.eventName}`);
    await app.webhooks.create({ name: 'Search index', url: `${url}/hooks/publish`, events: ['Umbraco.ContentPublish'] });

    // Publishing, as the host does it: the pages go into its cache, then the notification.
    for (const page of PAGES) contentCache.set(page);
    await app.publish(new ContentPublishedNotification({ publishedEntities: PAGES.map(toCmsContent) }));
    print(`published ${PAGES.map((p) => `"${p.name}"`).join(' and ')}`);

    await app.drain({ timeoutMs: 15_000 });
  } finally {
    await app.stop();
  }
}
