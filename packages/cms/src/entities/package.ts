/** What a package import installed (Umbraco's InstallationSummary, reduced to what receivers use). */
export interface CmsPackageInstallation {
  packageName: string;
  version?: string;
  /** Counts by kind (`documentTypes: 3`, `templates: 2`). */
  installedItems?: Readonly<Record<string, number>>;
  warnings?: readonly string[];
}
