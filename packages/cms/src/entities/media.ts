import type { CmsContentTypeRef, CmsDate } from './common';

/** A media item as hookwork needs it (Delivery-API-like); only these fields are read. */
export interface CmsMedia {
  /** The item's unique key, sent as `id`. */
  key: string;
  /** The item's name. */
  name: string;
  /** The media type; webhooks filter on `contentType.key`. */
  contentType: CmsContentTypeRef;
  /** When the item was created. */
  createDate?: CmsDate;
  /** When the item was last saved. */
  updateDate?: CmsDate;
  /** The file's public URL (`/media/abc/photo.jpg`), for files and images. */
  url?: string | null;
  /** The file's extension without the dot (`jpg`); null or absent when the item has no file. */
  extension?: string | null;
  /** The image's width in pixels; null or absent when unknown or not an image. */
  width?: number | null;
  /** The image's height in pixels; null or absent when unknown or not an image. */
  height?: number | null;
  /** The file's size in bytes; null or absent when unknown or the item has no file. */
  bytes?: number | null;
  /** The parent folder's key; null or absent at the root. */
  parentId?: string | null;
  /** Its position among its siblings (0 first). */
  sortOrder?: number;
  /** Property alias → value (plain data is copied; cycles are cut). */
  properties?: Readonly<Record<string, unknown>>;
}
