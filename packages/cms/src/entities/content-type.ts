/** A document, media or member type; only these fields are read. */
export interface CmsContentType {
  key: string;
  alias: string;
  name?: string;
  icon?: string;
  description?: string;
  parentId?: string | null;
}

/** One changed content type and how it changed (Umbraco's ContentTypeChange). */
export interface CmsContentTypeChange {
  item: CmsContentType;
  /** What changed, e.g. `RefreshMain`, `RefreshOther`, `Create`, `Remove`. */
  changeTypes: readonly string[];
}
