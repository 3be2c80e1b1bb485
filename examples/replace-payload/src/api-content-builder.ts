import type { PublishedContent } from './published-content';

/** A page as the Delivery API returns it (Umbraco's `IApiContent`). */
export interface ApiContent {
  contentType: string;
  name: string;
  createDate: string;
  updateDate: string;
  route: { path: string; startItem: { id: string; path: string } };
  id: string;
  properties: Record<string, unknown>;
}

/**
 * Builds the Delivery API's representation of a published page (Umbraco's `IApiContentBuilder`),
 * so a webhook receiver gets the same object the site's headless frontend fetches.
 */
export class ApiContentBuilder {
  build(page: PublishedContent): ApiContent {
    return {
      contentType: page.contentTypeAlias,
      name: page.name,
      createDate: page.createDate.toISOString(),
      updateDate: page.updateDate.toISOString(),
      route: { path: page.url, startItem: { id: page.root.key, path: page.root.urlSegment } },
      id: page.key,
      // A copy: the payload is serialised when the event fires, and the cache's object stays the host's.
      properties: { ...page.properties },
    };
  }
}
