/** The outcome of one health check. */
export interface CmsHealthCheckResult {
  /** The check's name (`HTTPS configuration`). */
  name: string;
  /** The check's group (`Security`). */
  group?: string;
  /** `Success`, `Warning`, `Error` or `Info`. */
  resultType: string;
  /** What the check found, in words. */
  message?: string;
}
