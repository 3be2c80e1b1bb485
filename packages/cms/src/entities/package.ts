/** What a package import installed (Umbraco's InstallationSummary, reduced to what receivers use). */
export interface CmsPackageInstallation {
  /** The package's name. */
  packageName: string;
  /** The version installed. */
  version?: string;
  /** Counts by kind (`documentTypes: 3`, `templates: 2`). */
  installedItems?: Readonly<Record<string, number>>;
  /** What the import warned about (conflicting items), in words. */
  warnings?: readonly string[];
}
