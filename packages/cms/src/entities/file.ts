/**
 * A file-based item: a partial view, script, stylesheet or template; the content is never sent.
 * Umbraco's Minimal bodies identify a file by its key (`[{ "id": key }]`).
 */
export interface CmsFile {
  /** Its path, as Umbraco's: relative to the kind's folder (`footer.cshtml` in Views/Partials, `site.js` in scripts). */
  path: string;
  /** The file name (`footer.cshtml`). */
  name?: string;
  /** Templates only: the template's alias. */
  alias?: string;
  /**
   * The file's key, sent as `id`. Absent: for a partial view, script or stylesheet, the key Umbraco
   * gives the file, derived from its path (Umbraco's `path.EncodeAsGuid()`: the hex codes of the
   * path's characters, the first 32, as a GUID: give the path as Umbraco's, or the key, to match
   * Umbraco's ids). A
   * template has a database key in Umbraco, which cannot be derived: a template without one fails
   * its event with HOOKWORK_ERR_INVALID_NOTIFICATION naming `id`.
   */
  key?: string;
}
