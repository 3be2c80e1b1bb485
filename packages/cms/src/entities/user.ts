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

/**
 * Permissions assigned to a user group on one entity (Umbraco's EntityPermission). Umbraco's ids
 * are numeric database ids, which its Legacy body sends, and its Minimal body sends the keys: give
 * `entityId` / `userGroupId` as keys, or as Umbraco's numeric ids with `entityKey` / `userGroupKey`.
 */
export interface CmsEntityPermission {
  /** The entity the permissions are on: its key, or Umbraco's numeric id (then give `entityKey` for the Minimal and Extended bodies). */
  entityId: string | number;
  /** The user group they are for: its key, or Umbraco's numeric id (then give `userGroupKey`). */
  userGroupId: string | number;
  /** The entity's key, when `entityId` is Umbraco's numeric id. */
  entityKey?: string;
  /** The user group's key, when `userGroupId` is Umbraco's numeric id. */
  userGroupKey?: string;
  /** The permission verbs assigned (`Umb.Document.Read`, or Umbraco 13's letters). */
  assignedPermissions: readonly string[];
  /** True when these are the group's default permissions, not ones set on the entity (only the Legacy body sends it; default false). */
  isDefaultPermissions?: boolean;
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
