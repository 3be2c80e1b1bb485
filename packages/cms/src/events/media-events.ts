import { WebhookEventTypes } from '@hookwork/core';
import type { CmsMedia } from '../entities/media';
import {
  MediaDeletedNotification,
  MediaEmptiedRecycleBinNotification,
  MediaMovedNotification,
  MediaMovedToRecycleBinNotification,
  MediaSavedNotification,
} from '../notifications/media-notifications';
import { apiMediaShape, idShape, mediaMovedShape, mediaShape, movedToRecycleBinShape } from '../payloads/content-shapes';
import { objectPayload } from '../payloads/payload-variants';
import { defineCmsEvent } from './define-cms-event';

// The media events: one request per media item, filtered by the webhook's content-type filter.

const Media = WebhookEventTypes.Media;
const idOnly = objectPayload<CmsMedia>(idShape, idShape);

/** `Umbraco.MediaDelete` — `{ id }` per deleted media item. */
export const MediaDeletedWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'MediaDeletedWebhookEvent',
  name: 'Media Deleted',
  alias: 'Umbraco.MediaDelete',
  type: Media,
  notification: MediaDeletedNotification,
  entities: (n) => n.deletedEntities,
  payload: idOnly,
});
/** An instance of {@link MediaDeletedWebhookEvent}. */
export type MediaDeletedWebhookEvent = InstanceType<typeof MediaDeletedWebhookEvent>;

/** `Umbraco.MediaSave` — one request per saved media item. */
export const MediaSavedWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'MediaSavedWebhookEvent',
  name: 'Media Saved',
  alias: 'Umbraco.MediaSave',
  type: Media,
  notification: MediaSavedNotification,
  entities: (n) => n.savedEntities,
  payload: objectPayload<CmsMedia>(idShape, mediaShape, apiMediaShape),
});
/** An instance of {@link MediaSavedWebhookEvent}. */
export type MediaSavedWebhookEvent = InstanceType<typeof MediaSavedWebhookEvent>;

/** `mediaEmptiedRecycleBin` — `{ id }` per media item deleted from the bin. */
export const MediaEmptiedRecycleBinWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'MediaEmptiedRecycleBinWebhookEvent',
  name: 'Media Recycle Bin Emptied',
  alias: 'mediaEmptiedRecycleBin',
  type: Media,
  notification: MediaEmptiedRecycleBinNotification,
  entities: (n) => n.deletedEntities,
  payload: idOnly,
});
/** An instance of {@link MediaEmptiedRecycleBinWebhookEvent}. */
export type MediaEmptiedRecycleBinWebhookEvent = InstanceType<typeof MediaEmptiedRecycleBinWebhookEvent>;

/** `mediaMoved` — `{ id }` per moved media item (Umbraco's MediaMovedWebhookEvent sends no parent; Extended adds it). */
export const MediaMovedWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'MediaMovedWebhookEvent',
  name: 'Media Moved',
  alias: 'mediaMoved',
  type: Media,
  notification: MediaMovedNotification,
  entities: (n) => n.moveInfos,
  contentTypeKey: (move) => move.entity.contentType?.key,
  // Umbraco's MediaMovedWebhookEvent and LegacyMediaMovedWebhookEvent send DefaultPayloadModel { Id } per moved item.
  payload: objectPayload(movedToRecycleBinShape, mediaMovedShape, movedToRecycleBinShape),
});
/** An instance of {@link MediaMovedWebhookEvent}. */
export type MediaMovedWebhookEvent = InstanceType<typeof MediaMovedWebhookEvent>;

/** `mediaMovedToRecycleBin` — `{ id }` per trashed media item. */
export const MediaMovedToRecycleBinWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'MediaMovedToRecycleBinWebhookEvent',
  name: 'Media Moved to Recycle Bin',
  alias: 'mediaMovedToRecycleBin',
  type: Media,
  notification: MediaMovedToRecycleBinNotification,
  entities: (n) => n.moveInfos,
  contentTypeKey: (move) => move.entity.contentType?.key,
  payload: objectPayload(movedToRecycleBinShape, movedToRecycleBinShape),
});
/** An instance of {@link MediaMovedToRecycleBinWebhookEvent}. */
export type MediaMovedToRecycleBinWebhookEvent = InstanceType<typeof MediaMovedToRecycleBinWebhookEvent>;
