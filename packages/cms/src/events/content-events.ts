import { WebhookEventTypes } from '@hookwork/core';
import type { CmsContent } from '../entities/content';
import {
  ContentCopiedNotification,
  ContentDeletedBlueprintNotification,
  ContentDeletedNotification,
  ContentDeletedVersionsNotification,
  ContentEmptiedRecycleBinNotification,
  ContentMovedNotification,
  ContentMovedToRecycleBinNotification,
  ContentPublishedNotification,
  ContentRolledBackNotification,
  ContentSavedBlueprintNotification,
  ContentSavedNotification,
  ContentSortedNotification,
  ContentUnpublishedNotification,
} from '../notifications/content-notifications';
import type { CmsMoveInfo } from '../entities/common';
import {
  bySortOrder,
  contentFieldsAfterId,
  contentMovedShape,
  contentPublishedMinimalShape,
  contentShape,
  contentWithIdFirstShape,
  extendedContentShape,
  idShape,
  movedMinimalShape,
  movedToRecycleBinShape,
  sortedMinimalShape,
  sortedShape,
} from '../payloads/content-shapes';
import { listConverter, listPayload, objectConverter, objectPayload, payloadVariants } from '../payloads/payload-variants';
import { DATE_TIME_MIN, extend, field, nested, schemas, shape, via } from '../payloads/shape';
import { copiedParentKey } from './copied-parent';
import { defineCmsEvent } from './define-cms-event';

// The content events, with Umbraco 18's request counts and bodies: one request per document, but
// ONE per notification for Copied, Moved, MovedToRecycleBin, Sorted and DeletedVersions (Umbraco's
// WebhookEventBase classes). The webhook's content-type filter applies to all of them (Umbraco
// filters only some); for the array events it keeps the matching items. Where Umbraco has no
// Extended class, hookwork's Extended body is Umbraco's body with more fields after it.

const Content = WebhookEventTypes.Content;
const idOnly = objectPayload<CmsContent>(idShape, idShape);
// Umbraco's ContentRolledBackWebhookEvent / ContentSavedBlueprintWebhookEvent: { Id }; Legacy the Delivery API content.
const contentItem = objectPayload<CmsContent>(idShape, contentWithIdFirstShape, contentShape);
// Umbraco's Extended class sends the document by culture; its Legacy class the Delivery API content.
const savedContent = objectPayload<CmsContent>(idShape, extendedContentShape, contentShape);

/** `Umbraco.ContentPublish` — one request per published document. */
export const ContentPublishedWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'ContentPublishedWebhookEvent',
  name: 'Content Published',
  alias: 'Umbraco.ContentPublish',
  type: Content,
  notification: ContentPublishedNotification,
  entities: (n) => n.publishedEntities,
  payload: objectPayload(contentPublishedMinimalShape, extendedContentShape, contentShape),
});
/** An instance of {@link ContentPublishedWebhookEvent}. */
export type ContentPublishedWebhookEvent = InstanceType<typeof ContentPublishedWebhookEvent>;

/** `Umbraco.ContentUnpublish` — `{ id }` per unpublished document. */
export const ContentUnpublishedWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'ContentUnpublishedWebhookEvent',
  name: 'Content Unpublished',
  alias: 'Umbraco.ContentUnpublish',
  type: Content,
  notification: ContentUnpublishedNotification,
  entities: (n) => n.unpublishedEntities,
  payload: idOnly,
});
/** An instance of {@link ContentUnpublishedWebhookEvent}. */
export type ContentUnpublishedWebhookEvent = InstanceType<typeof ContentUnpublishedWebhookEvent>;

/** `Umbraco.ContentDelete` — `{ id }` per deleted document. */
export const ContentDeletedWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'ContentDeletedWebhookEvent',
  name: 'Content Deleted',
  alias: 'Umbraco.ContentDelete',
  type: Content,
  notification: ContentDeletedNotification,
  entities: (n) => n.deletedEntities,
  payload: idOnly,
});
/** An instance of {@link ContentDeletedWebhookEvent}. */
export type ContentDeletedWebhookEvent = InstanceType<typeof ContentDeletedWebhookEvent>;

// Umbraco's ContentCopiedWebhookEvent: new { Id = Copy.Key, Original = Original.Key, Parent = ParentKey, RelateToOriginal }.
const copiedMinimalShape = shape<ContentCopiedNotification>({
  id: field(schemas.string, (n) => n.copy.key),
  original: field(schemas.string, (n) => n.original.key),
  parent: field(schemas.nullableString, (n) => copiedParentKey(n)),
  relateToOriginal: field(schemas.boolean, (n) => n.relateToOriginal),
});

/** `Umbraco.ContentCopied` — ONE request per copy: the copy, its original and where it went. */
export const ContentCopiedWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'ContentCopiedWebhookEvent',
  name: 'Content Copied',
  alias: 'Umbraco.ContentCopied',
  type: Content,
  notification: ContentCopiedNotification,
  // One copy per notification: the entity is the notification, filtered on the copy's type.
  entities: (n) => [n],
  contentTypeKey: (n) => n.copy.contentType?.key,
  payload: objectPayload(
    copiedMinimalShape,
    extend(copiedMinimalShape, via(contentFieldsAfterId, (n: ContentCopiedNotification) => n.copy)),
    // Umbraco's LegacyContentCopiedWebhookEvent: new { Copy, Original, ParentId, RelateToOriginal } (the copies as Delivery API content here).
    shape<ContentCopiedNotification>({
      copy: nested(contentShape, (n) => n.copy),
      original: nested(contentShape, (n) => n.original),
      parentId: field(schemas.nullableIntegerOrString, (n) => n.parentId),
      relateToOriginal: field(schemas.boolean, (n) => n.relateToOriginal),
    }),
  ),
});
/** An instance of {@link ContentCopiedWebhookEvent}. */
export type ContentCopiedWebhookEvent = InstanceType<typeof ContentCopiedWebhookEvent>;

/** `Umbraco.ContentEmptiedRecycleBin` — `{ id }` per document deleted from the bin. */
export const ContentEmptiedRecycleBinWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'ContentEmptiedRecycleBinWebhookEvent',
  name: 'Content Recycle Bin Emptied',
  alias: 'Umbraco.ContentEmptiedRecycleBin',
  type: Content,
  notification: ContentEmptiedRecycleBinNotification,
  entities: (n) => n.deletedEntities,
  payload: idOnly,
});
/** An instance of {@link ContentEmptiedRecycleBinWebhookEvent}. */
export type ContentEmptiedRecycleBinWebhookEvent = InstanceType<typeof ContentEmptiedRecycleBinWebhookEvent>;

const moves = (items: readonly CmsMoveInfo<CmsContent>[]) => items;

/** `Umbraco.ContentMovedToRecycleBin` — ONE request per move: `[{ id }]` of the trashed documents (Umbraco's ContentMovedToRecycleBinWebhookEvent). */
export const ContentMovedToRecycleBinWebhookEvent = defineCmsEvent({
  kind: 'list',
  className: 'ContentMovedToRecycleBinWebhookEvent',
  name: 'Content Moved to Recycle Bin',
  alias: 'Umbraco.ContentMovedToRecycleBin',
  type: Content,
  notification: ContentMovedToRecycleBinNotification,
  items: (n) => n.moveInfos,
  contentTypeKey: (move) => move.entity.contentType?.key,
  payload: listPayload(moves, movedToRecycleBinShape, movedToRecycleBinShape),
});
/** An instance of {@link ContentMovedToRecycleBinWebhookEvent}. */
export type ContentMovedToRecycleBinWebhookEvent = InstanceType<typeof ContentMovedToRecycleBinWebhookEvent>;

/** `Umbraco.ContentMoved` — ONE request per move: `[{ id, newParentId }]` of the moved documents (Umbraco's ContentMovedWebhookEvent). */
export const ContentMovedWebhookEvent = defineCmsEvent({
  kind: 'list',
  className: 'ContentMovedWebhookEvent',
  name: 'Content Moved',
  alias: 'Umbraco.ContentMoved',
  type: Content,
  notification: ContentMovedNotification,
  items: (n) => n.moveInfos,
  contentTypeKey: (move) => move.entity.contentType?.key,
  payload: listPayload(moves, movedMinimalShape, contentMovedShape),
});
/** An instance of {@link ContentMovedWebhookEvent}. */
export type ContentMovedWebhookEvent = InstanceType<typeof ContentMovedWebhookEvent>;

/** `Umbraco.ContentSaved` — one request per saved document. */
export const ContentSavedWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'ContentSavedWebhookEvent',
  name: 'Content Saved',
  alias: 'Umbraco.ContentSaved',
  type: Content,
  notification: ContentSavedNotification,
  entities: (n) => n.savedEntities,
  payload: savedContent,
});
/** An instance of {@link ContentSavedWebhookEvent}. */
export type ContentSavedWebhookEvent = InstanceType<typeof ContentSavedWebhookEvent>;

/** `Umbraco.ContentSorted` — ONE request per sort: the children and their new order. */
export const ContentSortedWebhookEvent = defineCmsEvent({
  kind: 'list',
  className: 'ContentSortedWebhookEvent',
  name: 'Content Sorted',
  alias: 'Umbraco.ContentSorted',
  type: Content,
  notification: ContentSortedNotification,
  items: (n) => n.sortedEntities,
  // Umbraco's ContentSortedWebhookEvent orders the children by sort order; its Legacy class sends
  // each child as the Delivery API content, in the notification's order.
  payload: payloadVariants<readonly CmsContent[]>({
    Minimal: listConverter(bySortOrder, sortedMinimalShape),
    Extended: listConverter(bySortOrder, sortedShape),
    Legacy: listConverter((items) => items, contentShape),
  }),
});
/** An instance of {@link ContentSortedWebhookEvent}. */
export type ContentSortedWebhookEvent = InstanceType<typeof ContentSortedWebhookEvent>;

/** `Umbraco.ContentSavedBlueprint` — `{ id }` of the saved content template (Extended and Legacy: the document). */
export const ContentSavedBlueprintWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'ContentSavedBlueprintWebhookEvent',
  name: 'Content Template [Blueprint] Saved',
  alias: 'Umbraco.ContentSavedBlueprint',
  type: Content,
  notification: ContentSavedBlueprintNotification,
  entities: (n) => [n.savedBlueprint],
  payload: contentItem,
});
/** An instance of {@link ContentSavedBlueprintWebhookEvent}. */
export type ContentSavedBlueprintWebhookEvent = InstanceType<typeof ContentSavedBlueprintWebhookEvent>;

/** `Umbraco.ContentDeletedBlueprint` — `{ id }` per deleted content template. */
export const ContentDeletedBlueprintWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'ContentDeletedBlueprintWebhookEvent',
  name: 'Content Template [Blueprint] Deleted',
  alias: 'Umbraco.ContentDeletedBlueprint',
  type: Content,
  notification: ContentDeletedBlueprintNotification,
  entities: (n) => n.deletedBlueprints,
  payload: idOnly,
});
/** An instance of {@link ContentDeletedBlueprintWebhookEvent}. */
export type ContentDeletedBlueprintWebhookEvent = InstanceType<typeof ContentDeletedBlueprintWebhookEvent>;

// Umbraco's ContentDeletedVersionsWebhookEvent: new { Id = Key, DeletePriorVersions, SpecificVersion, DateToRetain },
// an int and a DateTime that are 0 and DateTime.MinValue when the notification has none.
const deletedVersionsFields = {
  deletePriorVersions: field<ContentDeletedVersionsNotification>(schemas.boolean, (n) => n.deletePriorVersions),
  specificVersion: field<ContentDeletedVersionsNotification>(schemas.integer, (n) => n.specificVersion ?? 0),
  dateToRetain: field<ContentDeletedVersionsNotification>(schemas.string, (n) => n.dateToRetain ?? DATE_TIME_MIN),
};
const deletedVersionsShape = shape<ContentDeletedVersionsNotification>({ id: field(schemas.string, (n) => n.entity.key), ...deletedVersionsFields });
// Umbraco's LegacyContentDeletedVersionsWebhookEvent: the same with the document's int id, and no request without one.
const legacyDeletedVersionsShape = shape<ContentDeletedVersionsNotification>({ id: field(schemas.integer, (n) => n.entity.id), ...deletedVersionsFields });

/** `Umbraco.ContentDeletedVersions` — ONE request: which versions of a document were deleted. */
export const ContentDeletedVersionsWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'ContentDeletedVersionsWebhookEvent',
  name: 'Content Versions Deleted',
  alias: 'Umbraco.ContentDeletedVersions',
  type: Content,
  notification: ContentDeletedVersionsNotification,
  entities: (n) => [n],
  contentTypeKey: (n) => n.entity.contentType?.key,
  shouldFire: (n, payloadType) => payloadType !== 'Legacy' || Number.isInteger(n.entity.id),
  payload: payloadVariants({ Minimal: objectConverter(deletedVersionsShape), Extended: objectConverter(deletedVersionsShape), Legacy: objectConverter(legacyDeletedVersionsShape) }),
});
/** An instance of {@link ContentDeletedVersionsWebhookEvent}. */
export type ContentDeletedVersionsWebhookEvent = InstanceType<typeof ContentDeletedVersionsWebhookEvent>;

/** `Umbraco.ContentRolledBack` — `{ id }` of the document rolled back (Extended and Legacy: the document as it is now). */
export const ContentRolledBackWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'ContentRolledBackWebhookEvent',
  name: 'Content Rolled Back',
  alias: 'Umbraco.ContentRolledBack',
  type: Content,
  notification: ContentRolledBackNotification,
  entities: (n) => [n.entity],
  payload: contentItem,
});
/** An instance of {@link ContentRolledBackWebhookEvent}. */
export type ContentRolledBackWebhookEvent = InstanceType<typeof ContentRolledBackWebhookEvent>;
