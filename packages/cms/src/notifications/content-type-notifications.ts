import type { CmsMoveInfo } from '../entities/common';
import type { CmsContentType, CmsContentTypeChange } from '../entities/content-type';
import { defineNotification } from './define-notification';

/** Document types changed (structure, properties, allowed children); one change per type. */
export const ContentTypeChangedNotification = defineNotification<{ changes: readonly CmsContentTypeChange[] }>('ContentTypeChangedNotification', { changes: 'array' });
/** An instance of {@link ContentTypeChangedNotification}. */
export type ContentTypeChangedNotification = InstanceType<typeof ContentTypeChangedNotification>;

/** Document types were deleted. */
export const ContentTypeDeletedNotification = defineNotification<{ deletedEntities: readonly CmsContentType[] }>('ContentTypeDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link ContentTypeDeletedNotification}. */
export type ContentTypeDeletedNotification = InstanceType<typeof ContentTypeDeletedNotification>;

/** Document types were moved under a new parent. */
export const ContentTypeMovedNotification = defineNotification<{ moveInfos: readonly CmsMoveInfo<CmsContentType>[] }>('ContentTypeMovedNotification', { moveInfos: 'array' });
/** An instance of {@link ContentTypeMovedNotification}. */
export type ContentTypeMovedNotification = InstanceType<typeof ContentTypeMovedNotification>;

/** Document types were saved. */
export const ContentTypeSavedNotification = defineNotification<{ savedEntities: readonly CmsContentType[] }>('ContentTypeSavedNotification', { savedEntities: 'array' });
/** An instance of {@link ContentTypeSavedNotification}. */
export type ContentTypeSavedNotification = InstanceType<typeof ContentTypeSavedNotification>;

/** Media types changed (structure, properties, allowed children); one change per type. */
export const MediaTypeChangedNotification = defineNotification<{ changes: readonly CmsContentTypeChange[] }>('MediaTypeChangedNotification', { changes: 'array' });
/** An instance of {@link MediaTypeChangedNotification}. */
export type MediaTypeChangedNotification = InstanceType<typeof MediaTypeChangedNotification>;

/** Media types were deleted. */
export const MediaTypeDeletedNotification = defineNotification<{ deletedEntities: readonly CmsContentType[] }>('MediaTypeDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link MediaTypeDeletedNotification}. */
export type MediaTypeDeletedNotification = InstanceType<typeof MediaTypeDeletedNotification>;

/** Media types were moved under a new parent. */
export const MediaTypeMovedNotification = defineNotification<{ moveInfos: readonly CmsMoveInfo<CmsContentType>[] }>('MediaTypeMovedNotification', { moveInfos: 'array' });
/** An instance of {@link MediaTypeMovedNotification}. */
export type MediaTypeMovedNotification = InstanceType<typeof MediaTypeMovedNotification>;

/** Media types were saved. */
export const MediaTypeSavedNotification = defineNotification<{ savedEntities: readonly CmsContentType[] }>('MediaTypeSavedNotification', { savedEntities: 'array' });
/** An instance of {@link MediaTypeSavedNotification}. */
export type MediaTypeSavedNotification = InstanceType<typeof MediaTypeSavedNotification>;

/** Member types changed (structure, properties, allowed children); one change per type. */
export const MemberTypeChangedNotification = defineNotification<{ changes: readonly CmsContentTypeChange[] }>('MemberTypeChangedNotification', { changes: 'array' });
/** An instance of {@link MemberTypeChangedNotification}. */
export type MemberTypeChangedNotification = InstanceType<typeof MemberTypeChangedNotification>;

/** Member types were deleted. */
export const MemberTypeDeletedNotification = defineNotification<{ deletedEntities: readonly CmsContentType[] }>('MemberTypeDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link MemberTypeDeletedNotification}. */
export type MemberTypeDeletedNotification = InstanceType<typeof MemberTypeDeletedNotification>;

/** Member types were moved under a new parent. */
export const MemberTypeMovedNotification = defineNotification<{ moveInfos: readonly CmsMoveInfo<CmsContentType>[] }>('MemberTypeMovedNotification', { moveInfos: 'array' });
/** An instance of {@link MemberTypeMovedNotification}. */
export type MemberTypeMovedNotification = InstanceType<typeof MemberTypeMovedNotification>;

/** Member types were saved. */
export const MemberTypeSavedNotification = defineNotification<{ savedEntities: readonly CmsContentType[] }>('MemberTypeSavedNotification', { savedEntities: 'array' });
/** An instance of {@link MemberTypeSavedNotification}. */
export type MemberTypeSavedNotification = InstanceType<typeof MemberTypeSavedNotification>;
