import type { CmsContentTypeRef, CmsDate } from './common';

/**
 * A member (a site visitor account); only these fields are read, so a password hash or
 * security stamp on the host's object never reaches a payload.
 */
export interface CmsMember {
  /** The member's unique key, sent as `id` (as `key` in Umbraco's Legacy member bodies). */
  key: string;
  /** The member's numeric database id: only Umbraco's Legacy member bodies send it (`id`); null when absent. */
  id?: number | null;
  /** The member's display name. */
  name?: string;
  /** The member's email address. */
  email?: string;
  /** The login name. */
  username?: string;
  /** Failed logins since the last success: only Umbraco's Legacy member bodies send it. */
  failedPasswordAttempts?: number | null;
  /** The member type. */
  contentType?: CmsContentTypeRef;
  /** When the member was created. */
  createDate?: CmsDate;
  /** When the member was last saved. */
  updateDate?: CmsDate;
  /** Property alias → value (plain data is copied; cycles are cut). */
  properties?: Readonly<Record<string, unknown>>;
}

/** A member group (role). */
export interface CmsMemberGroup {
  /** The group's unique key. */
  key: string;
  /** The group's name (`Staff`). */
  name: string;
}
