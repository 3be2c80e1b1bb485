import type { CmsDate, CmsMoveInfo } from '../entities/common';
import type { CmsElement } from '../entities/element';
import { defineNotification } from './define-notification';

// Umbraco 18's element notifications (Umbraco.Cms.Core.Notifications.Element…Notification), one
// class each. Their data mirrors the content notifications', minus what elements do not have.

/** Elements were saved. */
export const ElementSavedNotification = defineNotification<{ savedEntities: readonly CmsElement[] }>('ElementSavedNotification', { savedEntities: 'array' });
/** An instance of {@link ElementSavedNotification}. */
export type ElementSavedNotification = InstanceType<typeof ElementSavedNotification>;

/** Elements were published. */
export const ElementPublishedNotification = defineNotification<{ publishedEntities: readonly CmsElement[] }>('ElementPublishedNotification', { publishedEntities: 'array' });
/** An instance of {@link ElementPublishedNotification}. */
export type ElementPublishedNotification = InstanceType<typeof ElementPublishedNotification>;

/** Elements were unpublished. */
export const ElementUnpublishedNotification = defineNotification<{ unpublishedEntities: readonly CmsElement[] }>('ElementUnpublishedNotification', { unpublishedEntities: 'array' });
/** An instance of {@link ElementUnpublishedNotification}. */
export type ElementUnpublishedNotification = InstanceType<typeof ElementUnpublishedNotification>;

/** Elements were moved to another folder of the Library; `newParentId` is the folder's key (null: the root). */
export const ElementMovedNotification = defineNotification<{ moveInfos: readonly CmsMoveInfo<CmsElement>[] }>('ElementMovedNotification', { moveInfos: 'array' });
/** An instance of {@link ElementMovedNotification}. */
export type ElementMovedNotification = InstanceType<typeof ElementMovedNotification>;

/** Elements were moved to the recycle bin. */
export const ElementMovedToRecycleBinNotification = defineNotification<{ moveInfos: readonly CmsMoveInfo<CmsElement>[] }>('ElementMovedToRecycleBinNotification', { moveInfos: 'array' });
/** An instance of {@link ElementMovedToRecycleBinNotification}. */
export type ElementMovedToRecycleBinNotification = InstanceType<typeof ElementMovedToRecycleBinNotification>;

/**
 * An element was copied: `copy` is the new element, in the folder `parentKey` (Umbraco's
 * ParentKey; default: `parentId` when that is a key; null or absent: the root). `parentId` may be
 * Umbraco's numeric ParentId or the folder's key.
 */
export const ElementCopiedNotification = defineNotification<{ original: CmsElement; copy: CmsElement; parentId: string | number | null; parentKey?: string | null; relateToOriginal: boolean }>(
  'ElementCopiedNotification',
  { original: 'object', copy: 'object', parentId: 'id?', parentKey: 'string?', relateToOriginal: 'boolean' },
);
/** An instance of {@link ElementCopiedNotification}. */
export type ElementCopiedNotification = InstanceType<typeof ElementCopiedNotification>;

/** Elements were deleted for good (from the recycle bin). */
export const ElementDeletedNotification = defineNotification<{ deletedEntities: readonly CmsElement[] }>('ElementDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link ElementDeletedNotification}. */
export type ElementDeletedNotification = InstanceType<typeof ElementDeletedNotification>;

/**
 * Versions of an element were deleted: one version (`specificVersion`, Umbraco's int version id),
 * or every version before `dateToRetain` (`deletePriorVersions`). Absent, they are sent as Umbraco
 * sends its defaults: `0` and `0001-01-01T00:00:00`.
 */
export const ElementDeletedVersionsNotification = defineNotification<{
  entity: Pick<CmsElement, 'key' | 'contentType'>;
  specificVersion?: number | null;
  deletePriorVersions: boolean;
  dateToRetain?: CmsDate | null;
}>('ElementDeletedVersionsNotification', { entity: 'object', specificVersion: 'integer?', deletePriorVersions: 'boolean', dateToRetain: 'date?' });
/** An instance of {@link ElementDeletedVersionsNotification}. */
export type ElementDeletedVersionsNotification = InstanceType<typeof ElementDeletedVersionsNotification>;

/** An element was rolled back to an earlier version; `entity` is the element as it is now. */
export const ElementRolledBackNotification = defineNotification<{ entity: CmsElement }>('ElementRolledBackNotification', { entity: 'object' });
/** An instance of {@link ElementRolledBackNotification}. */
export type ElementRolledBackNotification = InstanceType<typeof ElementRolledBackNotification>;

/**
 * The element recycle bin was emptied. Umbraco's notification carries nothing but that fact (no
 * deleted elements), so the data is empty: `new ElementEmptiedRecycleBinNotification({})`.
 */
export const ElementEmptiedRecycleBinNotification = defineNotification<Record<never, never>>('ElementEmptiedRecycleBinNotification', {});
/** An instance of {@link ElementEmptiedRecycleBinNotification}. */
export type ElementEmptiedRecycleBinNotification = InstanceType<typeof ElementEmptiedRecycleBinNotification>;
