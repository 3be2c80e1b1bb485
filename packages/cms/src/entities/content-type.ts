/** A document, media or member type; only these fields are read. */
export interface CmsContentType {
  /** The type's unique key (a GUID in Umbraco). */
  key: string;
  /** The type's alias (`blogPost`). */
  alias: string;
  /** The display name. */
  name?: string;
  /** The back office icon (`icon-document`). */
  icon?: string;
  /** The type's description. */
  description?: string;
  /** The parent folder's or type's key; null or absent at the root. */
  parentId?: string | null;
}

/** One changed content type and how it changed (Umbraco's ContentTypeChange). */
export interface CmsContentTypeChange {
  /** The content type that changed. */
  item: CmsContentType;
  /** What changed, e.g. `RefreshMain`, `RefreshOther`, `Create`, `Remove`. */
  changeTypes: readonly string[];
}
