/**
 * What a package import installed: Umbraco's InstallationSummary, with the keys (GUIDs in
 * Umbraco) of the items installed of each kind, as its Minimal `packageImported` body sends them.
 * A kind the host leaves out is sent as an empty list.
 */
export interface CmsPackageInstallation {
  /** The package's name. */
  packageName: string;
  /** The version installed (Umbraco's bodies have none; hookwork's Extended body sends it). */
  version?: string;
  /** Keys of the documents installed (`installedEntities.contentIds`). */
  contentInstalled?: readonly string[];
  /** Keys of the languages installed. */
  languagesInstalled?: readonly string[];
  /** Keys of the media items installed. */
  mediaInstalled?: readonly string[];
  /** Keys of the scripts installed. */
  scriptsInstalled?: readonly string[];
  /** Keys of the stylesheets installed. */
  stylesheetsInstalled?: readonly string[];
  /** Keys of the templates installed. */
  templatesInstalled?: readonly string[];
  /** Keys of the data types installed. */
  dataTypesInstalled?: readonly string[];
  /** Keys of the dictionary items installed. */
  dictionaryItemsInstalled?: readonly string[];
  /** Keys of the document types installed. */
  documentTypesInstalled?: readonly string[];
  /** Keys of the folders (entity containers) installed. */
  entityContainersInstalled?: readonly string[];
  /** Keys of the media types installed. */
  mediaTypesInstalled?: readonly string[];
  /** Keys of the partial views installed. */
  partialViewsInstalled?: readonly string[];
  /** What the import conflicted with: keys of existing stylesheets and templates it did not overwrite (Umbraco's Warnings). */
  warnings?: { readonly conflictingStylesheets?: readonly string[]; readonly conflictingTemplates?: readonly string[] };
  /** Counts by kind (`documentTypes: 3`): hookwork's own summary, sent in its Extended body. */
  installedItems?: Readonly<Record<string, number>>;
}

/**
 * Each list of keys an installation summary holds, with the field Umbraco's Minimal
 * `packageImported` body sends it as (its `InstalledEntities`), in Umbraco's order: the one list of
 * what a package installs, which ImportedPackageNotification checks and the payload sends.
 */
export const INSTALLED_LISTS = {
  contentInstalled: 'contentIds',
  languagesInstalled: 'languagesIds',
  mediaInstalled: 'mediaIds',
  scriptsInstalled: 'scriptsIds',
  stylesheetsInstalled: 'styleSheetsIds',
  templatesInstalled: 'templatesIds',
  dataTypesInstalled: 'dataTypesIds',
  dictionaryItemsInstalled: 'dictionaryItemsIds',
  documentTypesInstalled: 'documentTypesIds',
  entityContainersInstalled: 'entityContainersIds',
  mediaTypesInstalled: 'mediaTypesIds',
  partialViewsInstalled: 'partialViewsIds',
} as const satisfies Partial<Record<keyof CmsPackageInstallation, string>>;
