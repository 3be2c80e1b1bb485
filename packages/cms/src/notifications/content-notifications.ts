import type { CmsMoveInfo } from '../entities/common';
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

/** A document was copied: `copy` is the new item under `parentId`. */
export const ContentCopiedNotification = defineNotification<{ original: CmsContent; copy: CmsContent; parentId: string | null; relateToOriginal: boolean }>(
  'ContentCopiedNotification',
  { original: 'object', copy: 'object', relateToOriginal: 'boolean' },
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
 * Versions of a document were deleted: one version (`specificVersion`), or every version before
 * `dateToRetain` (`deletePriorVersions`).
 */
export const ContentDeletedVersionsNotification = defineNotification<{
  entity: Pick<CmsContent, 'key' | 'contentType'>;
  specificVersion?: string | null;
  deletePriorVersions: boolean;
  dateToRetain?: Date | string | null;
}>('ContentDeletedVersionsNotification', { entity: 'object', deletePriorVersions: 'boolean' });
/** An instance of {@link ContentDeletedVersionsNotification}. */
export type ContentDeletedVersionsNotification = InstanceType<typeof ContentDeletedVersionsNotification>;

/** A document was rolled back to an earlier version; `entity` is the document as it is now. */
export const ContentRolledBackNotification = defineNotification<{ entity: CmsContent }>('ContentRolledBackNotification', { entity: 'object' });
/** An instance of {@link ContentRolledBackNotification}. */
export type ContentRolledBackNotification = InstanceType<typeof ContentRolledBackNotification>;
