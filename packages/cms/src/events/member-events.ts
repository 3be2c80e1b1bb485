import { WebhookEventTypes } from '@hookwork/core';
import {
  AssignedMemberRolesNotification,
  ExportedMemberNotification,
  MemberDeletedNotification,
  MemberGroupDeletedNotification,
  MemberGroupSavedNotification,
  MemberSavedNotification,
  RemovedMemberRolesNotification,
} from '../notifications/member-notifications';
import { objectPayload } from '../payloads/payload-variants';
import { idShape } from '../payloads/content-shapes';
import { exportedMemberMinimalShape, exportedMemberShape, legacyExportedMemberShape, legacyMemberRolesShape, legacyMemberShape, memberGroupShape, memberRolesShape, memberShape } from '../payloads/other-shapes';
import { defineCmsEvent } from './define-cms-event';
import { defineOtherListEvent } from './other-event';

// Member events (type Other, as Umbraco's).

/** `exportedMember` (Member Exported) — a member's data was exported. */
export const ExportedMemberWebhookEvent = defineCmsEvent({
  kind: 'notification',
  className: 'ExportedMemberWebhookEvent',
  name: 'Member Exported',
  alias: 'exportedMember',
  type: WebhookEventTypes.Other,
  notification: ExportedMemberNotification,
  payload: objectPayload<ExportedMemberNotification>(exportedMemberMinimalShape, exportedMemberShape, legacyExportedMemberShape),
});
/** An instance of {@link ExportedMemberWebhookEvent}. */
export type ExportedMemberWebhookEvent = InstanceType<typeof ExportedMemberWebhookEvent>;

/** `memberDeleted` (Member Deleted). */
export const MemberDeletedWebhookEvent = defineOtherListEvent('MemberDeletedWebhookEvent', 'Member Deleted', 'memberDeleted', MemberDeletedNotification, (n) => n.deletedEntities, idShape, memberShape, [], legacyMemberShape);
/** An instance of {@link MemberDeletedWebhookEvent}. */
export type MemberDeletedWebhookEvent = InstanceType<typeof MemberDeletedWebhookEvent>;

/** `memberSaved` (Member Saved). */
export const MemberSavedWebhookEvent = defineOtherListEvent('MemberSavedWebhookEvent', 'Member Saved', 'memberSaved', MemberSavedNotification, (n) => n.savedEntities, idShape, memberShape, [], legacyMemberShape);
/** An instance of {@link MemberSavedWebhookEvent}. */
export type MemberSavedWebhookEvent = InstanceType<typeof MemberSavedWebhookEvent>;

/** `assignedMemberRoles` (Member Roles Assigned) — members added to member groups. */
export const AssignedMemberRolesWebhookEvent = defineCmsEvent({
  kind: 'notification',
  className: 'AssignedMemberRolesWebhookEvent',
  name: 'Member Roles Assigned',
  alias: 'assignedMemberRoles',
  type: WebhookEventTypes.Other,
  notification: AssignedMemberRolesNotification,
  payload: objectPayload(memberRolesShape, memberRolesShape, legacyMemberRolesShape),
});
/** An instance of {@link AssignedMemberRolesWebhookEvent}. */
export type AssignedMemberRolesWebhookEvent = InstanceType<typeof AssignedMemberRolesWebhookEvent>;

/** `removedMemberRoles` (Member Roles Removed) — members removed from member groups. */
export const RemovedMemberRolesWebhookEvent = defineCmsEvent({
  kind: 'notification',
  className: 'RemovedMemberRolesWebhookEvent',
  name: 'Member Roles Removed',
  alias: 'removedMemberRoles',
  type: WebhookEventTypes.Other,
  notification: RemovedMemberRolesNotification,
  payload: objectPayload(memberRolesShape, memberRolesShape, legacyMemberRolesShape),
});
/** An instance of {@link RemovedMemberRolesWebhookEvent}. */
export type RemovedMemberRolesWebhookEvent = InstanceType<typeof RemovedMemberRolesWebhookEvent>;

/** `memberGroupDeleted` (Member Group Deleted). */
export const MemberGroupDeletedWebhookEvent = defineOtherListEvent('MemberGroupDeletedWebhookEvent', 'Member Group Deleted', 'memberGroupDeleted', MemberGroupDeletedNotification, (n) => n.deletedEntities, idShape, memberGroupShape);
/** An instance of {@link MemberGroupDeletedWebhookEvent}. */
export type MemberGroupDeletedWebhookEvent = InstanceType<typeof MemberGroupDeletedWebhookEvent>;

/** `memberGroupSaved` (Member Group Saved). */
export const MemberGroupSavedWebhookEvent = defineOtherListEvent('MemberGroupSavedWebhookEvent', 'Member Group Saved', 'memberGroupSaved', MemberGroupSavedNotification, (n) => n.savedEntities, idShape, memberGroupShape);
/** An instance of {@link MemberGroupSavedWebhookEvent}. */
export type MemberGroupSavedWebhookEvent = InstanceType<typeof MemberGroupSavedWebhookEvent>;
