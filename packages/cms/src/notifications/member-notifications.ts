import type { CmsMember, CmsMemberGroup } from '../entities/member';
import { defineNotification } from './define-notification';

/**
 * A member's data was exported (a GDPR export); `exported` is what the export contained (Umbraco's
 * MemberExportModel, as the host has it: the Legacy body sends it as `exportedMember`).
 */
export const ExportedMemberNotification = defineNotification<{ member: CmsMember; exported?: Readonly<Record<string, unknown>> }>('ExportedMemberNotification', { member: 'object', exported: 'object?' });
/** An instance of {@link ExportedMemberNotification}. */
export type ExportedMemberNotification = InstanceType<typeof ExportedMemberNotification>;

/** Members were deleted. */
export const MemberDeletedNotification = defineNotification<{ deletedEntities: readonly CmsMember[] }>('MemberDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link MemberDeletedNotification}. */
export type MemberDeletedNotification = InstanceType<typeof MemberDeletedNotification>;

/** Members were saved. */
export const MemberSavedNotification = defineNotification<{ savedEntities: readonly CmsMember[] }>('MemberSavedNotification', { savedEntities: 'array' });
/** An instance of {@link MemberSavedNotification}. */
export type MemberSavedNotification = InstanceType<typeof MemberSavedNotification>;

/**
 * Members were added to member groups (roles). `memberIds` are Umbraco's numeric member ids (its
 * `int[]`, which the Legacy body sends) or the members' keys; the Minimal and Extended bodies send
 * keys: `memberKeys`, else `memberIds` when they are keys.
 */
export const AssignedMemberRolesNotification = defineNotification<{ memberIds: readonly (number | string)[]; memberKeys?: readonly string[]; roles: readonly string[] }>('AssignedMemberRolesNotification', {
  memberIds: 'id[]',
  memberKeys: 'string[]?',
  roles: 'string[]',
});
/** An instance of {@link AssignedMemberRolesNotification}. */
export type AssignedMemberRolesNotification = InstanceType<typeof AssignedMemberRolesNotification>;

/**
 * Members were removed from member groups (roles). `memberIds` are Umbraco's numeric member ids (its
 * `int[]`, which the Legacy body sends) or the members' keys; the Minimal and Extended bodies send
 * keys: `memberKeys`, else `memberIds` when they are keys.
 */
export const RemovedMemberRolesNotification = defineNotification<{ memberIds: readonly (number | string)[]; memberKeys?: readonly string[]; roles: readonly string[] }>('RemovedMemberRolesNotification', {
  memberIds: 'id[]',
  memberKeys: 'string[]?',
  roles: 'string[]',
});
/** An instance of {@link RemovedMemberRolesNotification}. */
export type RemovedMemberRolesNotification = InstanceType<typeof RemovedMemberRolesNotification>;

/** Member groups were deleted. */
export const MemberGroupDeletedNotification = defineNotification<{ deletedEntities: readonly CmsMemberGroup[] }>('MemberGroupDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link MemberGroupDeletedNotification}. */
export type MemberGroupDeletedNotification = InstanceType<typeof MemberGroupDeletedNotification>;

/** Member groups were saved. */
export const MemberGroupSavedNotification = defineNotification<{ savedEntities: readonly CmsMemberGroup[] }>('MemberGroupSavedNotification', { savedEntities: 'array' });
/** An instance of {@link MemberGroupSavedNotification}. */
export type MemberGroupSavedNotification = InstanceType<typeof MemberGroupSavedNotification>;
