import type { CmsContentTypeRef, CmsDate } from './common';

/** One culture of a content item, as published. */
export interface CmsContentCulture {
  /** The culture's name of the item (`Forside`). */
  name?: string;
  /** When this culture was published; null or absent when it is not published (Minimal Content Published lists only published cultures). */
  publishDate?: CmsDate | null;
  /**
   * The culture's route (Delivery API); absent or null when the item has no route in this
   * culture. Extended Content Published / Saved send one entry per culture that has one.
   */
  route?: CmsRoute | null;
  /** The culture's property values; absent: the item's `properties`. */
  properties?: Readonly<Record<string, unknown>>;
}

/** Where a content item lives on the site, as the Delivery API's route. */
export interface CmsRoute {
  /** The item's path relative to its root (`/blog/my-post/`). */
  path: string;
  /** The root the path starts from. */
  startItem: { id: string; path: string };
}

/**
 * A document (content item) as hookwork needs it; a host maps its own model to this. Only
 * these fields are read, so extra fields on the host's object (caches, parent links, services)
 * never reach a payload.
 */
export interface CmsContent {
  /** The item's unique key (a GUID in Umbraco), sent as `id`. */
  key: string;
  /**
   * The item's numeric database id (Umbraco's `int` Id): only Umbraco's Legacy Content Versions
   * Deleted body sends it (and, without it, Umbraco sends no Legacy request for that event).
   */
  id?: number | null;
  /** The item's name (of the default culture, for a variant item). */
  name: string;
  /** The document type; webhooks filter on `contentType.key`. */
  contentType: CmsContentTypeRef;
  /** When the item was created. */
  createDate?: CmsDate;
  /** When the item was last saved. */
  updateDate?: CmsDate;
  /** When an invariant item was (last) published (no payload sends it: Umbraco sends publish dates per culture only). */
  publishDate?: CmsDate | null;
  /** Variant items: culture code (`en-US`) → that culture's name, publish date, route and properties. Invariant items: absent or empty. */
  cultures?: Readonly<Record<string, CmsContentCulture>>;
  /** Its URL path and start item, as the Delivery API's `route`. */
  route?: CmsRoute;
  /** The parent's key; null or absent at the root. */
  parentId?: string | null;
  /** Its position among its siblings (0 first). */
  sortOrder?: number;
  /** Property alias → value, as the Delivery API would render it (plain data is copied; cycles are cut). */
  properties?: Readonly<Record<string, unknown>>;
}
