import {
  ContentTypeChangedNotification,
  ContentTypeDeletedNotification,
  ContentTypeMovedNotification,
  ContentTypeSavedNotification,
  MediaTypeChangedNotification,
  MediaTypeDeletedNotification,
  MediaTypeMovedNotification,
  MediaTypeSavedNotification,
  MemberTypeChangedNotification,
  MemberTypeDeletedNotification,
  MemberTypeMovedNotification,
  MemberTypeSavedNotification,
} from '../notifications/content-type-notifications';
import { idShape } from '../payloads/content-shapes';
import { contentTypeChangeMinimalShape, contentTypeChangeShape, contentTypeMovedShape, contentTypeShape, moveMinimalShape } from '../payloads/other-shapes';
import { defineOtherListEvent } from './other-event';

// Document, media and member type events: one request per notification, an array of the types.

/** `documentTypeChanged` (Document Type Changed). */
export const DocumentTypeChangedWebhookEvent = defineOtherListEvent('DocumentTypeChangedWebhookEvent', 'Document Type Changed', 'documentTypeChanged', ContentTypeChangedNotification, (n) => n.changes, contentTypeChangeMinimalShape, contentTypeChangeShape);
/** An instance of {@link DocumentTypeChangedWebhookEvent}. */
export type DocumentTypeChangedWebhookEvent = InstanceType<typeof DocumentTypeChangedWebhookEvent>;

/** `documentTypeDeleted` (Document Type Deleted). */
export const DocumentTypeDeletedWebhookEvent = defineOtherListEvent('DocumentTypeDeletedWebhookEvent', 'Document Type Deleted', 'documentTypeDeleted', ContentTypeDeletedNotification, (n) => n.deletedEntities, idShape, contentTypeShape);
/** An instance of {@link DocumentTypeDeletedWebhookEvent}. */
export type DocumentTypeDeletedWebhookEvent = InstanceType<typeof DocumentTypeDeletedWebhookEvent>;

/** `documentTypeMoved` (Document Type Moved). */
export const DocumentTypeMovedWebhookEvent = defineOtherListEvent('DocumentTypeMovedWebhookEvent', 'Document Type Moved', 'documentTypeMoved', ContentTypeMovedNotification, (n) => n.moveInfos, moveMinimalShape, contentTypeMovedShape);
/** An instance of {@link DocumentTypeMovedWebhookEvent}. */
export type DocumentTypeMovedWebhookEvent = InstanceType<typeof DocumentTypeMovedWebhookEvent>;

/** `documentTypeSaved` (Document Type Saved). */
export const DocumentTypeSavedWebhookEvent = defineOtherListEvent('DocumentTypeSavedWebhookEvent', 'Document Type Saved', 'documentTypeSaved', ContentTypeSavedNotification, (n) => n.savedEntities, idShape, contentTypeShape);
/** An instance of {@link DocumentTypeSavedWebhookEvent}. */
export type DocumentTypeSavedWebhookEvent = InstanceType<typeof DocumentTypeSavedWebhookEvent>;

/** `mediaTypeChanged` (Media Type Changed). */
export const MediaTypeChangedWebhookEvent = defineOtherListEvent('MediaTypeChangedWebhookEvent', 'Media Type Changed', 'mediaTypeChanged', MediaTypeChangedNotification, (n) => n.changes, contentTypeChangeMinimalShape, contentTypeChangeShape);
/** An instance of {@link MediaTypeChangedWebhookEvent}. */
export type MediaTypeChangedWebhookEvent = InstanceType<typeof MediaTypeChangedWebhookEvent>;

/** `mediaTypeDeleted` (Media Type Deleted). */
export const MediaTypeDeletedWebhookEvent = defineOtherListEvent('MediaTypeDeletedWebhookEvent', 'Media Type Deleted', 'mediaTypeDeleted', MediaTypeDeletedNotification, (n) => n.deletedEntities, idShape, contentTypeShape);
/** An instance of {@link MediaTypeDeletedWebhookEvent}. */
export type MediaTypeDeletedWebhookEvent = InstanceType<typeof MediaTypeDeletedWebhookEvent>;

/** `mediaTypeMoved` (Media Type Moved). */
export const MediaTypeMovedWebhookEvent = defineOtherListEvent('MediaTypeMovedWebhookEvent', 'Media Type Moved', 'mediaTypeMoved', MediaTypeMovedNotification, (n) => n.moveInfos, moveMinimalShape, contentTypeMovedShape);
/** An instance of {@link MediaTypeMovedWebhookEvent}. */
export type MediaTypeMovedWebhookEvent = InstanceType<typeof MediaTypeMovedWebhookEvent>;

/** `mediaTypeSaved` (Media Type Saved). */
export const MediaTypeSavedWebhookEvent = defineOtherListEvent('MediaTypeSavedWebhookEvent', 'Media Type Saved', 'mediaTypeSaved', MediaTypeSavedNotification, (n) => n.savedEntities, idShape, contentTypeShape);
/** An instance of {@link MediaTypeSavedWebhookEvent}. */
export type MediaTypeSavedWebhookEvent = InstanceType<typeof MediaTypeSavedWebhookEvent>;

/** `memberTypeChanged` (Member Type Changed). */
export const MemberTypeChangedWebhookEvent = defineOtherListEvent('MemberTypeChangedWebhookEvent', 'Member Type Changed', 'memberTypeChanged', MemberTypeChangedNotification, (n) => n.changes, contentTypeChangeMinimalShape, contentTypeChangeShape);
/** An instance of {@link MemberTypeChangedWebhookEvent}. */
export type MemberTypeChangedWebhookEvent = InstanceType<typeof MemberTypeChangedWebhookEvent>;

/** `memberTypeDeleted` (Member Type Deleted). */
export const MemberTypeDeletedWebhookEvent = defineOtherListEvent('MemberTypeDeletedWebhookEvent', 'Member Type Deleted', 'memberTypeDeleted', MemberTypeDeletedNotification, (n) => n.deletedEntities, idShape, contentTypeShape);
/** An instance of {@link MemberTypeDeletedWebhookEvent}. */
export type MemberTypeDeletedWebhookEvent = InstanceType<typeof MemberTypeDeletedWebhookEvent>;

/** `memberTypeMoved` (Member Type Moved). */
export const MemberTypeMovedWebhookEvent = defineOtherListEvent('MemberTypeMovedWebhookEvent', 'Member Type Moved', 'memberTypeMoved', MemberTypeMovedNotification, (n) => n.moveInfos, moveMinimalShape, contentTypeMovedShape);
/** An instance of {@link MemberTypeMovedWebhookEvent}. */
export type MemberTypeMovedWebhookEvent = InstanceType<typeof MemberTypeMovedWebhookEvent>;

/** `memberTypeSaved` (Member Type Saved). */
export const MemberTypeSavedWebhookEvent = defineOtherListEvent('MemberTypeSavedWebhookEvent', 'Member Type Saved', 'memberTypeSaved', MemberTypeSavedNotification, (n) => n.savedEntities, idShape, contentTypeShape);
/** An instance of {@link MemberTypeSavedWebhookEvent}. */
export type MemberTypeSavedWebhookEvent = InstanceType<typeof MemberTypeSavedWebhookEvent>;
