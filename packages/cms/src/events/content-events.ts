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
import {
  contentFields,
  contentMovedShape,
  contentPublishedMinimalShape,
  contentShape,
  extendedContentShape,
  idShape,
  movedMinimalShape,
  movedToRecycleBinShape,
  sortedMinimalShape,
  sortedShape,
} from '../payloads/content-shapes';
import { listPayload, objectPayload } from '../payloads/payload-variants';
import { field, schemas, shape, via } from '../payloads/shape';
import { defineCmsEvent } from './define-cms-event';

// The content events: every one but ContentSorted sends one request per document, and the
// webhook's content-type filter applies to all of them (Umbraco filters only some).

const Content = WebhookEventTypes.Content;
const idOnly = objectPayload<CmsContent>(idShape, idShape);
const contentItem = objectPayload<CmsContent>(idShape, contentShape);
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

/** `Umbraco.ContentCopied` — the copy, its original and where it went. */
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
    shape<ContentCopiedNotification>({
      id: field(schemas.string, (n) => n.copy.key),
      originalId: field(schemas.string, (n) => n.original.key),
      parentId: field(schemas.nullableString, (n) => n.parentId),
      relateToOriginal: field(schemas.boolean, (n) => n.relateToOriginal),
    }),
    shape<ContentCopiedNotification>({
      ...via(contentFields, (n) => n.copy),
      originalId: field(schemas.string, (n) => n.original.key),
      parentId: field(schemas.nullableString, (n) => n.parentId),
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

/** `Umbraco.ContentMovedToRecycleBin` — `{ id }` per trashed document. */
export const ContentMovedToRecycleBinWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'ContentMovedToRecycleBinWebhookEvent',
  name: 'Content Moved to Recycle Bin',
  alias: 'Umbraco.ContentMovedToRecycleBin',
  type: Content,
  notification: ContentMovedToRecycleBinNotification,
  entities: (n) => n.moveInfos,
  contentTypeKey: (move) => move.entity.contentType?.key,
  payload: objectPayload(movedToRecycleBinShape, movedToRecycleBinShape),
});
/** An instance of {@link ContentMovedToRecycleBinWebhookEvent}. */
export type ContentMovedToRecycleBinWebhookEvent = InstanceType<typeof ContentMovedToRecycleBinWebhookEvent>;

/** `Umbraco.ContentMoved` — per moved document, with its new parent. */
export const ContentMovedWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'ContentMovedWebhookEvent',
  name: 'Content Moved',
  alias: 'Umbraco.ContentMoved',
  type: Content,
  notification: ContentMovedNotification,
  entities: (n) => n.moveInfos,
  contentTypeKey: (move) => move.entity.contentType?.key,
  payload: objectPayload(movedMinimalShape, contentMovedShape),
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
  // Umbraco's Legacy class sends each child as the Delivery API content.
  payload: listPayload((items: readonly CmsContent[]) => items, sortedMinimalShape, sortedShape, contentShape),
});
/** An instance of {@link ContentSortedWebhookEvent}. */
export type ContentSortedWebhookEvent = InstanceType<typeof ContentSortedWebhookEvent>;

/** `Umbraco.ContentSavedBlueprint` — the saved content template. */
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

const deletedVersionsShape = shape<ContentDeletedVersionsNotification>({
  id: field(schemas.string, (n) => n.entity.key),
  specificVersion: field(schemas.nullableString, (n) => n.specificVersion),
  deletePriorVersions: field(schemas.boolean, (n) => n.deletePriorVersions),
  dateToRetain: field(schemas.nullableString, (n) => n.dateToRetain),
});

/** `Umbraco.ContentDeletedVersions` — which versions of a document were deleted. */
export const ContentDeletedVersionsWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'ContentDeletedVersionsWebhookEvent',
  name: 'Content Versions Deleted',
  alias: 'Umbraco.ContentDeletedVersions',
  type: Content,
  notification: ContentDeletedVersionsNotification,
  entities: (n) => [n],
  contentTypeKey: (n) => n.entity.contentType?.key,
  payload: objectPayload(deletedVersionsShape, deletedVersionsShape),
});
/** An instance of {@link ContentDeletedVersionsWebhookEvent}. */
export type ContentDeletedVersionsWebhookEvent = InstanceType<typeof ContentDeletedVersionsWebhookEvent>;

/** `Umbraco.ContentRolledBack` — the document as it is after the rollback. */
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
