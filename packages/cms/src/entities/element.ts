import type { CmsContentTypeRef } from './common';
import type { CmsContentCulture } from './content';

/**
 * A library element (Umbraco 18's Element: reusable content kept in the Library, without a route
 * or a place in the content tree) as hookwork needs it; a host maps its own model to this. Only
 * these fields are read.
 */
export interface CmsElement {
  /** The element's unique key (a GUID in Umbraco), sent as `id`. */
  key: string;
  /** The element type; webhooks filter on `contentType.key`, payloads send `contentType.alias`. */
  contentType: CmsContentTypeRef;
  /**
   * Variant elements: culture code (`en-US`) → that culture's publish date. An invariant element
   * has none, and its Minimal publish payload sends `cultures: null`, as Umbraco's does.
   */
  cultures?: Readonly<Record<string, CmsContentCulture>>;
  /** Property alias → value, as the Delivery API would render it (plain data is copied; cycles are cut). */
  properties?: Readonly<Record<string, unknown>>;
}
