/** A language of the site; only these fields are read. */
export interface CmsLanguage {
  /** The language's unique key. */
  key: string;
  /** `en-US`. */
  isoCode: string;
  /** The display name (`English (United States)`). */
  cultureName?: string;
  /** True for the site's default language. */
  isDefault?: boolean;
  /** True when content must be filled in for this language before publishing. */
  isMandatory?: boolean;
  /** The language used when a value is missing in this one (`en-US`). */
  fallbackIsoCode?: string | null;
}
