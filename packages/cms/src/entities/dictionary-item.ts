/** A dictionary item (a translatable label); only these fields are read. */
export interface CmsDictionaryItem {
  key: string;
  /** The item's name used in templates (`Footer.Copyright`). */
  itemKey: string;
  parentId?: string | null;
  translations?: readonly { isoCode: string; value: string }[];
}
