import type { PublishedContent } from './published-content';

/**
 * The host's published-content cache (Umbraco's `IPublishedContentCache`): what the site
 * renders from. The host writes a page here when it publishes it; the replacement webhook event
 * reads it back by key. One instance per app, registered through `builder.services`.
 */
export class ContentCache {
  private readonly pages = new Map<string, PublishedContent>();

  /** Stores (or refreshes) a published page. */
  set(page: PublishedContent): void {
    this.pages.set(page.key, page);
  }

  /** The published page with this key, or undefined when it is not in the cache. */
  getById(key: string): PublishedContent | undefined {
    return this.pages.get(key);
  }
}
