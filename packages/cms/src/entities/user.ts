import type { CmsDate } from './common';

/**
 * A back-office user; only these fields are read, so a password hash or security stamp on the
 * host's object never reaches a payload.
 */
export interface CmsUser {
  /** The user's unique key, sent as `id` (as `key` in Umbraco's Legacy user bodies). */
  key: string;
  /** The user's numeric database id: only Umbraco's Legacy user bodies send it (`id`); null when absent. */
  id?: number | null;
  /** The display name. */
  name?: string;
  /** The user's back-office language (`en-US`): only Umbraco's Legacy user bodies send it. */
  language?: string | null;
  /** Failed logins since the last success: only Umbraco's Legacy user bodies send it. */
  failedPasswordAttempts?: number | null;
  /** The user's email address. */
  email?: string;
  /** The login name. */
  username?: string;
  /** Aliases of the user's groups (`admin`, `editor`). */
  userGroups?: readonly string[];
  /** When the user was created. */
  createDate?: CmsDate;
  /** When the user was last saved. */
  updateDate?: CmsDate;
}

/** A user group and its default permissions. */
export interface CmsUserGroup {
  /** The group's unique key. */
  key: string;
  /** The group's alias (`editor`). */
  alias: string;
  /** The display name. */
  name?: string;
  /** Permission verbs (`Umb.Document.Read`, or Umbraco 13's letters such as `F`). */
  permissions?: readonly string[];
}

/** Permissions assigned to a user group on one entity (Umbraco's EntityPermission). */
export interface CmsEntityPermission {
  /** The key of the entity the permissions are on. */
  entityId: string;
  /** The key of the user group they are for. */
  userGroupId: string;
  /** The permission verbs assigned (`Umb.Document.Read`, or Umbraco 13's letters). */
  assignedPermissions: readonly string[];
}

/**
 * What every user security notification (login, logout, lock, password) carries, as
 * Umbraco's UserNotification: who was affected, who did it, from where, and when.
 */
export interface CmsUserAudit {
  /** The user the notification is about; absent for a failed login with an unknown username. */
  affectedUserId?: string | null;
  /** The user who acted (the same user for a login; an admin for a lock). */
  performingUserId?: string | null;
  /** The IP address the action came from. */
  ipAddress?: string | null;
  /** When it happened (UTC). */
  dateTimeUtc?: CmsDate;
}
