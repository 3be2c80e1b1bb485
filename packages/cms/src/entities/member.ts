import type { CmsContentTypeRef, CmsDate } from './common';

/**
 * A member (a site visitor account); only these fields are read, so a password hash or
 * security stamp on the host's object never reaches a payload.
 */
export interface CmsMember {
  key: string;
  name?: string;
  email?: string;
  username?: string;
  /** The member type. */
  contentType?: CmsContentTypeRef;
  createDate?: CmsDate;
  updateDate?: CmsDate;
  /** Property alias → value (plain data is copied; cycles are cut). */
  properties?: Readonly<Record<string, unknown>>;
}

/** A member group (role). */
export interface CmsMemberGroup {
  key: string;
  name: string;
}
