/** A data type (a configured property editor); only these fields are read. */
export interface CmsDataType {
  /** The data type's unique key. */
  key: string;
  /** The display name. */
  name: string;
  /** The property editor's alias (`Umbraco.TextBox`). */
  editorAlias?: string;
  /** How values are stored (`Nvarchar`, `Ntext`, `Integer`, …). */
  databaseType?: string;
  /** The editor's configuration (plain data is copied; cycles are cut). */
  configuration?: Readonly<Record<string, unknown>>;
}
