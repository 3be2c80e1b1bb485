/**
 * A file-based item: a partial view, script, stylesheet or template. Files are identified by
 * their path (`/Views/Partials/footer.cshtml`); the content is never sent.
 */
export interface CmsFile {
  /** The path that identifies it (`/Views/Partials/footer.cshtml`). */
  path: string;
  /** The file name (`footer.cshtml`). */
  name?: string;
  /** Templates only: the template's alias. */
  alias?: string;
  /** A key, when the host gives files one. */
  key?: string;
}
