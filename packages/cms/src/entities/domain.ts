/** A domain (hostname) assigned to a content root; only these fields are read. */
export interface CmsDomain {
  /** The domain assignment's unique key. */
  key: string;
  /** `example.com`, `example.com/en` or a wildcard `*1234`. */
  domainName: string;
  /** The content item the domain points to. */
  rootContentId?: string | null;
  /** The culture of the domain (`en-US`). */
  isoCode?: string | null;
}
