/**
 * A page as the host's published-content cache keeps it — the host's own model, richer than
 * hookwork's `CmsContent` (the stand-in for Umbraco's `IPublishedContent`).
 */
export interface PublishedContent {
  key: string;
  name: string;
  contentTypeAlias: string;
  /** The page's URL path (`/blog/hello/`). */
  url: string;
  /** The site root the page lives under. */
  root: { key: string; urlSegment: string };
  createDate: Date;
  updateDate: Date;
  /** Property alias → rendered value. */
  properties: Record<string, unknown>;
}
