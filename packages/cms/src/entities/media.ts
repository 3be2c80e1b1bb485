import type { CmsContentTypeRef, CmsDate } from './common';

/** A media item as hookwork needs it (Delivery-API-like); only these fields are read. */
export interface CmsMedia {
  /** The item's unique key, sent as `id`. */
  key: string;
  name: string;
  /** The media type; webhooks filter on `contentType.key`. */
  contentType: CmsContentTypeRef;
  createDate?: CmsDate;
  updateDate?: CmsDate;
  /** The file's public URL (`/media/abc/photo.jpg`), for files and images. */
  url?: string | null;
  parentId?: string | null;
  sortOrder?: number;
  /** Property alias → value (plain data is copied; cycles are cut). */
  properties?: Readonly<Record<string, unknown>>;
}
