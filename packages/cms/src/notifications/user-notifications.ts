import type { CmsEntityPermission, CmsUser, CmsUserAudit, CmsUserGroup } from '../entities/user';
import { defineNotification } from './define-notification';

/** Umbraco's UserNotification fields, each optional. */
const AUDIT_FIELDS = { affectedUserId: 'string?', performingUserId: 'string?', ipAddress: 'string?', dateTimeUtc: 'date?' } as const;

/** Users were deleted. */
export const UserDeletedNotification = defineNotification<{ deletedEntities: readonly CmsUser[] }>('UserDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link UserDeletedNotification}. */
export type UserDeletedNotification = InstanceType<typeof UserDeletedNotification>;

/** Users were saved. */
export const UserSavedNotification = defineNotification<{ savedEntities: readonly CmsUser[] }>('UserSavedNotification', { savedEntities: 'array' });
/** An instance of {@link UserSavedNotification}. */
export type UserSavedNotification = InstanceType<typeof UserSavedNotification>;

/** A user asked for a password reset link. */
export const UserForgotPasswordRequestedNotification = defineNotification<CmsUserAudit>('UserForgotPasswordRequestedNotification', AUDIT_FIELDS);
/** An instance of {@link UserForgotPasswordRequestedNotification}. */
export type UserForgotPasswordRequestedNotification = InstanceType<typeof UserForgotPasswordRequestedNotification>;

/** A user's password was changed. */
export const UserPasswordChangedNotification = defineNotification<CmsUserAudit>('UserPasswordChangedNotification', AUDIT_FIELDS);
/** An instance of {@link UserPasswordChangedNotification}. */
export type UserPasswordChangedNotification = InstanceType<typeof UserPasswordChangedNotification>;

/** A user's password was reset. */
export const UserPasswordResetNotification = defineNotification<CmsUserAudit>('UserPasswordResetNotification', AUDIT_FIELDS);
/** An instance of {@link UserPasswordResetNotification}. */
export type UserPasswordResetNotification = InstanceType<typeof UserPasswordResetNotification>;

/** A user was locked out. */
export const UserLockedNotification = defineNotification<CmsUserAudit>('UserLockedNotification', AUDIT_FIELDS);
/** An instance of {@link UserLockedNotification}. */
export type UserLockedNotification = InstanceType<typeof UserLockedNotification>;

/** A login failed. */
export const UserLoginFailedNotification = defineNotification<CmsUserAudit>('UserLoginFailedNotification', AUDIT_FIELDS);
/** An instance of {@link UserLoginFailedNotification}. */
export type UserLoginFailedNotification = InstanceType<typeof UserLoginFailedNotification>;

/** A login needs a second factor before it completes. */
export const UserLoginRequiresVerificationNotification = defineNotification<CmsUserAudit>('UserLoginRequiresVerificationNotification', AUDIT_FIELDS);
/** An instance of {@link UserLoginRequiresVerificationNotification}. */
export type UserLoginRequiresVerificationNotification = InstanceType<typeof UserLoginRequiresVerificationNotification>;

/** A user logged in. */
export const UserLoginSuccessNotification = defineNotification<CmsUserAudit>('UserLoginSuccessNotification', AUDIT_FIELDS);
/** An instance of {@link UserLoginSuccessNotification}. */
export type UserLoginSuccessNotification = InstanceType<typeof UserLoginSuccessNotification>;

/** A user logged out; `signOutRedirectUrl` is where the back office sends them (Umbraco's, sent in the Legacy body). */
export const UserLogoutSuccessNotification = defineNotification<CmsUserAudit & { signOutRedirectUrl?: string | null }>('UserLogoutSuccessNotification', { ...AUDIT_FIELDS, signOutRedirectUrl: 'string?' });
/** An instance of {@link UserLogoutSuccessNotification}. */
export type UserLogoutSuccessNotification = InstanceType<typeof UserLogoutSuccessNotification>;

/**
 * A two-factor code was requested for a user. As Umbraco's, it carries only the user's key
 * (`userKey`): it is not one of the UserNotifications with IP address and time.
 */
export const UserTwoFactorRequestedNotification = defineNotification<{ userKey: string }>('UserTwoFactorRequestedNotification', { userKey: 'string' });
/** An instance of {@link UserTwoFactorRequestedNotification}. */
export type UserTwoFactorRequestedNotification = InstanceType<typeof UserTwoFactorRequestedNotification>;

/** A user was unlocked. */
export const UserUnlockedNotification = defineNotification<CmsUserAudit>('UserUnlockedNotification', AUDIT_FIELDS);
/** An instance of {@link UserUnlockedNotification}. */
export type UserUnlockedNotification = InstanceType<typeof UserUnlockedNotification>;

/** Permissions on entities were assigned to user groups. */
export const AssignedUserGroupPermissionsNotification = defineNotification<{ entityPermissions: readonly CmsEntityPermission[] }>('AssignedUserGroupPermissionsNotification', { entityPermissions: 'array' });
/** An instance of {@link AssignedUserGroupPermissionsNotification}. */
export type AssignedUserGroupPermissionsNotification = InstanceType<typeof AssignedUserGroupPermissionsNotification>;

/** User groups were deleted. */
export const UserGroupDeletedNotification = defineNotification<{ deletedEntities: readonly CmsUserGroup[] }>('UserGroupDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link UserGroupDeletedNotification}. */
export type UserGroupDeletedNotification = InstanceType<typeof UserGroupDeletedNotification>;

/** User groups were saved. */
export const UserGroupSavedNotification = defineNotification<{ savedEntities: readonly CmsUserGroup[] }>('UserGroupSavedNotification', { savedEntities: 'array' });
/** An instance of {@link UserGroupSavedNotification}. */
export type UserGroupSavedNotification = InstanceType<typeof UserGroupSavedNotification>;
