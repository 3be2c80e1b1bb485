/** A language of the site; only these fields are read. */
export interface CmsLanguage {
  key: string;
  /** `en-US`. */
  isoCode: string;
  cultureName?: string;
  isDefault?: boolean;
  isMandatory?: boolean;
  fallbackIsoCode?: string | null;
}
