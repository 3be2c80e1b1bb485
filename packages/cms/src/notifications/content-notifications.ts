import type { CmsDate, CmsMoveInfo } from '../entities/common';
import type { CmsContent } from '../entities/content';
import { defineNotification } from './define-notification';

// Each notification is its own class (the bus routes by class); the `type` aliases give the
// instance types the same names, so `(n: ContentPublishedNotification) => …` reads naturally.

/** Documents were published. */
export const ContentPublishedNotification = defineNotification<{ publishedEntities: readonly CmsContent[] }>('ContentPublishedNotification', { publishedEntities: 'array' });
/** An instance of {@link ContentPublishedNotification}. */
export type ContentPublishedNotification = InstanceType<typeof ContentPublishedNotification>;

/** Documents were unpublished. */
export const ContentUnpublishedNotification = defineNotification<{ unpublishedEntities: readonly CmsContent[] }>('ContentUnpublishedNotification', { unpublishedEntities: 'array' });
/** An instance of {@link ContentUnpublishedNotification}. */
export type ContentUnpublishedNotification = InstanceType<typeof ContentUnpublishedNotification>;

/** Documents were deleted for good. */
export const ContentDeletedNotification = defineNotification<{ deletedEntities: readonly CmsContent[] }>('ContentDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link ContentDeletedNotification}. */
export type ContentDeletedNotification = InstanceType<typeof ContentDeletedNotification>;

/** Documents were saved. */
export const ContentSavedNotification = defineNotification<{ savedEntities: readonly CmsContent[] }>('ContentSavedNotification', { savedEntities: 'array' });
/** An instance of {@link ContentSavedNotification}. */
export type ContentSavedNotification = InstanceType<typeof ContentSavedNotification>;

/**
 * A document was copied: `copy` is the new item. Its parent as Umbraco's notification has it:
 * `parentId` (Umbraco's numeric ParentId, which the Legacy body sends, or the parent's key) and
 * `parentKey` (the key, which the Minimal and Extended bodies send; default: `parentId` when that
 * is a key). Null or absent: the root.
 */
export const ContentCopiedNotification = defineNotification<{ original: CmsContent; copy: CmsContent; parentId: string | number | null; parentKey?: string | null; relateToOriginal: boolean }>(
  'ContentCopiedNotification',
  { original: 'object', copy: 'object', parentId: 'id?', parentKey: 'string?', relateToOriginal: 'boolean' },
);
/** An instance of {@link ContentCopiedNotification}. */
export type ContentCopiedNotification = InstanceType<typeof ContentCopiedNotification>;

/** The content recycle bin was emptied; `deletedEntities` are the items deleted. */
export const ContentEmptiedRecycleBinNotification = defineNotification<{ deletedEntities: readonly CmsContent[] }>('ContentEmptiedRecycleBinNotification', { deletedEntities: 'array' });
/** An instance of {@link ContentEmptiedRecycleBinNotification}. */
export type ContentEmptiedRecycleBinNotification = InstanceType<typeof ContentEmptiedRecycleBinNotification>;

/** Documents were moved to the recycle bin. */
export const ContentMovedToRecycleBinNotification = defineNotification<{ moveInfos: readonly CmsMoveInfo<CmsContent>[] }>('ContentMovedToRecycleBinNotification', { moveInfos: 'array' });
/** An instance of {@link ContentMovedToRecycleBinNotification}. */
export type ContentMovedToRecycleBinNotification = InstanceType<typeof ContentMovedToRecycleBinNotification>;

/** Documents were moved under a new parent. */
export const ContentMovedNotification = defineNotification<{ moveInfos: readonly CmsMoveInfo<CmsContent>[] }>('ContentMovedNotification', { moveInfos: 'array' });
/** An instance of {@link ContentMovedNotification}. */
export type ContentMovedNotification = InstanceType<typeof ContentMovedNotification>;

/** The children of a document were sorted; `sortedEntities` carry their new `sortOrder`. */
export const ContentSortedNotification = defineNotification<{ sortedEntities: readonly CmsContent[] }>('ContentSortedNotification', { sortedEntities: 'array' });
/** An instance of {@link ContentSortedNotification}. */
export type ContentSortedNotification = InstanceType<typeof ContentSortedNotification>;

/** A content template (blueprint) was saved. */
export const ContentSavedBlueprintNotification = defineNotification<{ savedBlueprint: CmsContent }>('ContentSavedBlueprintNotification', { savedBlueprint: 'object' });
/** An instance of {@link ContentSavedBlueprintNotification}. */
export type ContentSavedBlueprintNotification = InstanceType<typeof ContentSavedBlueprintNotification>;

/** Content templates (blueprints) were deleted. */
export const ContentDeletedBlueprintNotification = defineNotification<{ deletedBlueprints: readonly CmsContent[] }>('ContentDeletedBlueprintNotification', { deletedBlueprints: 'array' });
/** An instance of {@link ContentDeletedBlueprintNotification}. */
export type ContentDeletedBlueprintNotification = InstanceType<typeof ContentDeletedBlueprintNotification>;

/**
 * Versions of a document were deleted: one version (`specificVersion`, Umbraco's int version id),
 * or every version before `dateToRetain` (`deletePriorVersions`). Absent, they are sent as
 * Umbraco sends its defaults: `0` and `0001-01-01T00:00:00`. `entity.id` (the numeric database
 * id) is what the Legacy body sends; without it, as in Umbraco, no Legacy request is sent.
 */
export const ContentDeletedVersionsNotification = defineNotification<{
  entity: Pick<CmsContent, 'key' | 'contentType' | 'id'>;
  specificVersion?: number | null;
  deletePriorVersions: boolean;
  dateToRetain?: CmsDate | null;
}>('ContentDeletedVersionsNotification', { entity: 'object', specificVersion: 'integer?', deletePriorVersions: 'boolean', dateToRetain: 'date?' });
/** An instance of {@link ContentDeletedVersionsNotification}. */
export type ContentDeletedVersionsNotification = InstanceType<typeof ContentDeletedVersionsNotification>;

/** A document was rolled back to an earlier version; `entity` is the document as it is now. */
export const ContentRolledBackNotification = defineNotification<{ entity: CmsContent }>('ContentRolledBackNotification', { entity: 'object' });
/** An instance of {@link ContentRolledBackNotification}. */
export type ContentRolledBackNotification = InstanceType<typeof ContentRolledBackNotification>;
