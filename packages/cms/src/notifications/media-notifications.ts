import type { CmsMoveInfo } from '../entities/common';
import type { CmsMedia } from '../entities/media';
import { defineNotification } from './define-notification';

/** Media items were deleted for good. */
export const MediaDeletedNotification = defineNotification<{ deletedEntities: readonly CmsMedia[] }>('MediaDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link MediaDeletedNotification}. */
export type MediaDeletedNotification = InstanceType<typeof MediaDeletedNotification>;

/** Media items were saved. */
export const MediaSavedNotification = defineNotification<{ savedEntities: readonly CmsMedia[] }>('MediaSavedNotification', { savedEntities: 'array' });
/** An instance of {@link MediaSavedNotification}. */
export type MediaSavedNotification = InstanceType<typeof MediaSavedNotification>;

/** The media recycle bin was emptied; `deletedEntities` are the items deleted. */
export const MediaEmptiedRecycleBinNotification = defineNotification<{ deletedEntities: readonly CmsMedia[] }>('MediaEmptiedRecycleBinNotification', { deletedEntities: 'array' });
/** An instance of {@link MediaEmptiedRecycleBinNotification}. */
export type MediaEmptiedRecycleBinNotification = InstanceType<typeof MediaEmptiedRecycleBinNotification>;

/** Media items were moved under a new parent. */
export const MediaMovedNotification = defineNotification<{ moveInfos: readonly CmsMoveInfo<CmsMedia>[] }>('MediaMovedNotification', { moveInfos: 'array' });
/** An instance of {@link MediaMovedNotification}. */
export type MediaMovedNotification = InstanceType<typeof MediaMovedNotification>;

/** Media items were moved to the recycle bin. */
export const MediaMovedToRecycleBinNotification = defineNotification<{ moveInfos: readonly CmsMoveInfo<CmsMedia>[] }>('MediaMovedToRecycleBinNotification', { moveInfos: 'array' });
/** An instance of {@link MediaMovedToRecycleBinNotification}. */
export type MediaMovedToRecycleBinNotification = InstanceType<typeof MediaMovedToRecycleBinNotification>;
