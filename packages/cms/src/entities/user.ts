import type { CmsDate } from './common';

/**
 * A back-office user; only these fields are read, so a password hash or security stamp on the
 * host's object never reaches a payload.
 */
export interface CmsUser {
  key: string;
  name?: string;
  email?: string;
  username?: string;
  /** Aliases of the user's groups (`admin`, `editor`). */
  userGroups?: readonly string[];
  createDate?: CmsDate;
  updateDate?: CmsDate;
}

/** A user group and its default permissions. */
export interface CmsUserGroup {
  key: string;
  alias: string;
  name?: string;
  /** Permission verbs (`Umb.Document.Read`, or Umbraco 13's letters such as `F`). */
  permissions?: readonly string[];
}

/** Permissions assigned to a user group on one entity (Umbraco's EntityPermission). */
export interface CmsEntityPermission {
  entityId: string;
  userGroupId: string;
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
  ipAddress?: string | null;
  dateTimeUtc?: CmsDate;
}
