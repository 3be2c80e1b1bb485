/**
 * A file-based item: a partial view, script, stylesheet or template. Files are identified by
 * their path (`/Views/Partials/footer.cshtml`); the content is never sent.
 */
export interface CmsFile {
  path: string;
  name?: string;
  /** Templates only: the template's alias. */
  alias?: string;
  key?: string;
}
