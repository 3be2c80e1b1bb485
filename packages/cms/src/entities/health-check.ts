/**
 * The outcome of one health check, as Umbraco's HealthCheckStatus. A check that reports several
 * statuses is several results with the same `name`: the bodies group them by check.
 */
export interface CmsHealthCheckResult {
  /** The check's name (`HTTPS configuration`): the key the bodies group statuses under. */
  name: string;
  /** The check's group (`Security`). */
  group?: string;
  /** `Success`, `Warning`, `Error` or `Info` (Umbraco's StatusResultType). */
  resultType: string;
  /** What the check found, in words. */
  message?: string;
  /** A longer description, when the check gives one (only the Legacy body sends it). */
  description?: string | null;
  /** A "read more" link, when the check gives one (only the Legacy body sends it). */
  readMoreLink?: string | null;
}
