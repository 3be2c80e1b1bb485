import { WebhookEventTypes, type NotificationType } from '@hookwork/core';
import type { CmsUserAudit } from '../entities/user';
import {
  AssignedUserGroupPermissionsNotification,
  UserDeletedNotification,
  UserForgotPasswordRequestedNotification,
  UserGroupDeletedNotification,
  UserGroupSavedNotification,
  UserLockedNotification,
  UserLoginFailedNotification,
  UserLoginRequiresVerificationNotification,
  UserLoginSuccessNotification,
  UserLogoutSuccessNotification,
  UserPasswordChangedNotification,
  UserPasswordResetNotification,
  UserSavedNotification,
  UserTwoFactorRequestedNotification,
  UserUnlockedNotification,
} from '../notifications/user-notifications';
import { objectPayload } from '../payloads/payload-variants';
import { idShape } from '../payloads/content-shapes';
import {
  entityPermissionMinimalShape,
  entityPermissionShape,
  legacyEntityPermissionShape,
  legacyUserAuditFields,
  legacyUserAuditShape,
  legacyUserShape,
  userAuditExtraFields,
  userAuditMinimalShape,
  userAuditPerformingMinimalShape,
  userGroupShape,
  userPasswordResetMinimalShape,
  userShape,
} from '../payloads/other-shapes';
import { extend, field, schemas, shape, type Shape } from '../payloads/shape';
import { defineCmsEvent, type CmsNotificationEventClass } from './define-cms-event';
import { defineOtherListEvent } from './other-event';

// User events (type Other). Login, logout, lock and password events carry Umbraco's
// UserNotification data (who was affected, who acted, the IP address and the time); Umbraco 18's
// Minimal bodies send the affected user's id, and the acting user's where it differs. Extended
// adds the IP address and time; Legacy is Umbraco's notification as it serialises.

function defineUserAuditEvent<N extends CmsUserAudit>(className: string, name: string, alias: string, notification: NotificationType<N>, minimal: Shape<CmsUserAudit> = userAuditMinimalShape, legacy: Shape<N> = legacyUserAuditShape): CmsNotificationEventClass<N> {
  return defineCmsEvent<N>({ kind: 'notification', className, name, alias, type: WebhookEventTypes.Other, notification, payload: objectPayload<N>(minimal, extend(minimal, userAuditExtraFields), legacy) });
}

/** `userDeleted` (User Deleted). */
export const UserDeletedWebhookEvent = defineOtherListEvent('UserDeletedWebhookEvent', 'User Deleted', 'userDeleted', UserDeletedNotification, (n) => n.deletedEntities, idShape, userShape, [], legacyUserShape);
/** An instance of {@link UserDeletedWebhookEvent}. */
export type UserDeletedWebhookEvent = InstanceType<typeof UserDeletedWebhookEvent>;

/** `userSaved` (User Saved). */
export const UserSavedWebhookEvent = defineOtherListEvent('UserSavedWebhookEvent', 'User Saved', 'userSaved', UserSavedNotification, (n) => n.savedEntities, idShape, userShape, [], legacyUserShape);
/** An instance of {@link UserSavedWebhookEvent}. */
export type UserSavedWebhookEvent = InstanceType<typeof UserSavedWebhookEvent>;

/** `userForgotPasswordRequested` (User Forgot Password Requested) — a password reset link was requested. */
export const UserForgotPasswordRequestedWebhookEvent = defineUserAuditEvent('UserForgotPasswordRequestedWebhookEvent', 'User Forgot Password Requested', 'userForgotPasswordRequested', UserForgotPasswordRequestedNotification);
/** An instance of {@link UserForgotPasswordRequestedWebhookEvent}. */
export type UserForgotPasswordRequestedWebhookEvent = InstanceType<typeof UserForgotPasswordRequestedWebhookEvent>;

/** `userPasswordChanged` (User Password Changed) — a user's password was changed. */
export const UserPasswordChangedWebhookEvent = defineUserAuditEvent('UserPasswordChangedWebhookEvent', 'User Password Changed', 'userPasswordChanged', UserPasswordChangedNotification, userAuditPerformingMinimalShape);
/** An instance of {@link UserPasswordChangedWebhookEvent}. */
export type UserPasswordChangedWebhookEvent = InstanceType<typeof UserPasswordChangedWebhookEvent>;

/** `userPasswordReset` (User Password Reset) — a user's password was reset. */
export const UserPasswordResetWebhookEvent = defineUserAuditEvent('UserPasswordResetWebhookEvent', 'User Password Reset', 'userPasswordReset', UserPasswordResetNotification, userPasswordResetMinimalShape);
/** An instance of {@link UserPasswordResetWebhookEvent}. */
export type UserPasswordResetWebhookEvent = InstanceType<typeof UserPasswordResetWebhookEvent>;

/** `userLocked` (User Locked) — a user was locked out. */
export const UserLockedWebhookEvent = defineUserAuditEvent('UserLockedWebhookEvent', 'User Locked', 'userLocked', UserLockedNotification);
/** An instance of {@link UserLockedWebhookEvent}. */
export type UserLockedWebhookEvent = InstanceType<typeof UserLockedWebhookEvent>;

/** `userLoginFailed` (User Login Failed) — a login failed. */
export const UserLoginFailedWebhookEvent = defineUserAuditEvent('UserLoginFailedWebhookEvent', 'User Login Failed', 'userLoginFailed', UserLoginFailedNotification);
/** An instance of {@link UserLoginFailedWebhookEvent}. */
export type UserLoginFailedWebhookEvent = InstanceType<typeof UserLoginFailedWebhookEvent>;

/** `userLoginRequiresVerification` (User Login Requires Verification) — a login waits for a second factor. */
export const UserLoginRequiresVerificationWebhookEvent = defineUserAuditEvent('UserLoginRequiresVerificationWebhookEvent', 'User Login Requires Verification', 'userLoginRequiresVerification', UserLoginRequiresVerificationNotification);
/** An instance of {@link UserLoginRequiresVerificationWebhookEvent}. */
export type UserLoginRequiresVerificationWebhookEvent = InstanceType<typeof UserLoginRequiresVerificationWebhookEvent>;

/** `userLoginSuccess` (User Login Success) — a user logged in. */
export const UserLoginSuccessWebhookEvent = defineUserAuditEvent('UserLoginSuccessWebhookEvent', 'User Login Success', 'userLoginSuccess', UserLoginSuccessNotification);
/** An instance of {@link UserLoginSuccessWebhookEvent}. */
export type UserLoginSuccessWebhookEvent = InstanceType<typeof UserLoginSuccessWebhookEvent>;

/** `userLogoutSuccess` (User Logout Success) — a user logged out. */
export const UserLogoutSuccessWebhookEvent = defineUserAuditEvent(
  'UserLogoutSuccessWebhookEvent',
  'User Logout Success',
  'userLogoutSuccess',
  UserLogoutSuccessNotification,
  userAuditMinimalShape,
  // UserLogoutSuccessNotification's own SignOutRedirectUrl first, then UserNotification's (System.Text.Json writes the derived class's properties first).
  shape<UserLogoutSuccessNotification>({ signOutRedirectUrl: field(schemas.nullableString, (n) => n.signOutRedirectUrl), ...legacyUserAuditFields }),
);
/** An instance of {@link UserLogoutSuccessWebhookEvent}. */
export type UserLogoutSuccessWebhookEvent = InstanceType<typeof UserLogoutSuccessWebhookEvent>;

// Umbraco's UserTwoFactorRequestedWebhookEvent: DefaultPayloadModel { Id = notification.UserKey }; Legacy the notification, { UserKey }.
const twoFactorShape = shape<UserTwoFactorRequestedNotification>({ id: field(schemas.string, (n) => n.userKey) });

/** `userTwoFactorRequested` (User Two Factor Requested) — a two-factor code was requested: `{ id }` of the user. */
export const UserTwoFactorRequestedWebhookEvent = defineCmsEvent({
  kind: 'notification',
  className: 'UserTwoFactorRequestedWebhookEvent',
  name: 'User Two Factor Requested',
  alias: 'userTwoFactorRequested',
  type: WebhookEventTypes.Other,
  notification: UserTwoFactorRequestedNotification,
  payload: objectPayload(twoFactorShape, twoFactorShape, shape<UserTwoFactorRequestedNotification>({ userKey: field(schemas.string, (n) => n.userKey) })),
});
/** An instance of {@link UserTwoFactorRequestedWebhookEvent}. */
export type UserTwoFactorRequestedWebhookEvent = InstanceType<typeof UserTwoFactorRequestedWebhookEvent>;

/** `userUnlocked` (User Unlocked) — a user was unlocked. */
export const UserUnlockedWebhookEvent = defineUserAuditEvent('UserUnlockedWebhookEvent', 'User Unlocked', 'userUnlocked', UserUnlockedNotification, userAuditPerformingMinimalShape);
/** An instance of {@link UserUnlockedWebhookEvent}. */
export type UserUnlockedWebhookEvent = InstanceType<typeof UserUnlockedWebhookEvent>;

/** `assignedUserGroupPermissions` (User Group Permissions Assigned): `[{ userId, userGroupId }]`, Umbraco's names for the entity's and the group's keys. */
export const AssignedUserGroupPermissionsWebhookEvent = defineOtherListEvent(
  'AssignedUserGroupPermissionsWebhookEvent',
  'User Group Permissions Assigned',
  'assignedUserGroupPermissions',
  AssignedUserGroupPermissionsNotification,
  (n) => n.entityPermissions,
  entityPermissionMinimalShape,
  entityPermissionShape,
  [],
  legacyEntityPermissionShape,
);
/** An instance of {@link AssignedUserGroupPermissionsWebhookEvent}. */
export type AssignedUserGroupPermissionsWebhookEvent = InstanceType<typeof AssignedUserGroupPermissionsWebhookEvent>;

/** `userGroupDeleted` (User Group Deleted). */
export const UserGroupDeletedWebhookEvent = defineOtherListEvent('UserGroupDeletedWebhookEvent', 'User Group Deleted', 'userGroupDeleted', UserGroupDeletedNotification, (n) => n.deletedEntities, idShape, userGroupShape, ['UserGroupDeleted']);
/** An instance of {@link UserGroupDeletedWebhookEvent}. */
export type UserGroupDeletedWebhookEvent = InstanceType<typeof UserGroupDeletedWebhookEvent>;

/** `userGroupSaved` (User Group Saved). */
export const UserGroupSavedWebhookEvent = defineOtherListEvent('UserGroupSavedWebhookEvent', 'User Group Saved', 'userGroupSaved', UserGroupSavedNotification, (n) => n.savedEntities, idShape, userGroupShape);
/** An instance of {@link UserGroupSavedWebhookEvent}. */
export type UserGroupSavedWebhookEvent = InstanceType<typeof UserGroupSavedWebhookEvent>;
