/** A dictionary item (a translatable label); only these fields are read. */
export interface CmsDictionaryItem {
  /** The item's unique key (a GUID). */
  key: string;
  /** The item's name used in templates (`Footer.Copyright`). */
  itemKey: string;
  /** The parent item's key; null or absent at the root. */
  parentId?: string | null;
  /** The label in each language (`{ isoCode: 'en-US', value: '© 2026' }`). */
  translations?: readonly { isoCode: string; value: string }[];
}
