import { WebhookEventTypes } from '@hookwork/core';
import type { CmsMoveInfo } from '../entities/common';
import type { CmsElement } from '../entities/element';
import {
  ElementCopiedNotification,
  ElementDeletedNotification,
  ElementDeletedVersionsNotification,
  ElementEmptiedRecycleBinNotification,
  ElementMovedNotification,
  ElementMovedToRecycleBinNotification,
  ElementPublishedNotification,
  ElementRolledBackNotification,
  ElementSavedNotification,
  ElementUnpublishedNotification,
} from '../notifications/element-notifications';
import { idShape, movedToRecycleBinShape } from '../payloads/content-shapes';
import { listPayload, nullPayload, objectPayload } from '../payloads/payload-variants';
import { DATE_TIME_MIN, field, schemas, shape, type FieldSpec } from '../payloads/shape';
import { copiedParentKey } from './copied-parent';
import { defineCmsEvent } from './define-cms-event';

// Umbraco 18's Element events (src/Umbraco.Core/Webhooks/Events/Element/ and the Extended ones),
// with Umbraco's aliases, display names, request granularity and bodies. Umbraco has no Legacy
// element events — with the Legacy payload type it composes the Minimal ones — so Legacy here is
// the Minimal body as it is ('minimal'). The content-type filter applies to every element event
// that names an element (Umbraco applies it to Saved, Published, Unpublished, Deleted, RolledBack).

const Element = WebhookEventTypes.Element;
const idOnly = objectPayload<CmsElement>(idShape, idShape, 'minimal');

/** An element, Extended: Umbraco's Delivery API element (`IApiElement`) — id, element type alias, properties. */
const elementShape = shape<CmsElement>({
  id: field(schemas.string, (element) => element.key),
  contentType: field(schemas.string, (element) => element.contentType?.alias),
  properties: field(schemas.map, (element) => element.properties ?? {}),
});

interface CulturePublishInfo {
  culture: string;
  date: unknown;
}

const cultureShape = shape<CulturePublishInfo>({
  culture: field(schemas.string, (info) => info.culture),
  date: field(schemas.string, (info) => info.date),
});

/**
 * Umbraco's `PublishCultureInfos`: the published cultures of a variant element with their publish
 * dates. An invariant element has none: Umbraco's getter makes an empty collection, so `[]`.
 */
const culturesField: FieldSpec<CmsElement> = {
  schema: (casing) => ({ type: 'array', items: cultureShape.schema(casing) }),
  value: (element, casing) =>
    Object.entries(element.cultures ?? {})
      .filter(([culture, info]) => culture !== '' && info?.publishDate !== null && info?.publishDate !== undefined)
      .map(([culture, info]) => cultureShape.project({ culture, date: info!.publishDate }, casing)),
};

/** The items of a move: every moved element, Minimal `{ id }` (Umbraco's DefaultPayloadModel). */
const movedElements = (moves: readonly CmsMoveInfo<CmsElement>[]) => moves;

// Umbraco's ElementCopiedWebhookEvent: new { Id = Copy.Key, Original = Original.Key, Parent = ParentKey, RelateToOriginal }.
const copiedShape = shape<ElementCopiedNotification>({
  id: field(schemas.string, (n) => n.copy.key),
  original: field(schemas.string, (n) => n.original.key),
  parent: field(schemas.nullableString, (n) => copiedParentKey(n)),
  relateToOriginal: field(schemas.boolean, (n) => n.relateToOriginal),
});

// Umbraco's ElementDeletedVersionsWebhookEvent: new { Id = Key, DeletePriorVersions, SpecificVersion, DateToRetain },
// an int and a DateTime that are 0 and DateTime.MinValue when the notification has none.
const deletedVersionsShape = shape<ElementDeletedVersionsNotification>({
  id: field(schemas.string, (n) => n.entity.key),
  deletePriorVersions: field(schemas.boolean, (n) => n.deletePriorVersions),
  specificVersion: field(schemas.integer, (n) => n.specificVersion ?? 0),
  dateToRetain: field(schemas.string, (n) => n.dateToRetain ?? DATE_TIME_MIN),
});

/** `Umbraco.ElementCopied` — the copy, its original and the folder it went to. */
export const ElementCopiedWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'ElementCopiedWebhookEvent',
  name: 'Element Copied',
  alias: 'Umbraco.ElementCopied',
  type: Element,
  notification: ElementCopiedNotification,
  // One copy per notification: the entity is the notification, filtered on the copy's type.
  entities: (n) => [n],
  contentTypeKey: (n) => n.copy.contentType?.key,
  payload: objectPayload(copiedShape, copiedShape, 'minimal'),
});
/** An instance of {@link ElementCopiedWebhookEvent}. */
export type ElementCopiedWebhookEvent = InstanceType<typeof ElementCopiedWebhookEvent>;

/** `Umbraco.ElementDelete` — `{ id }` per element deleted for good. */
export const ElementDeletedWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'ElementDeletedWebhookEvent',
  name: 'Element Deleted',
  alias: 'Umbraco.ElementDelete',
  type: Element,
  notification: ElementDeletedNotification,
  entities: (n) => n.deletedEntities,
  payload: idOnly,
});
/** An instance of {@link ElementDeletedWebhookEvent}. */
export type ElementDeletedWebhookEvent = InstanceType<typeof ElementDeletedWebhookEvent>;

/**
 * `Umbraco.ElementEmptiedRecycleBin` — ONE request per emptying, body `null`: Umbraco's
 * notification names no elements, so there is nothing to send and nothing to filter on.
 */
export const ElementEmptiedRecycleBinWebhookEvent = defineCmsEvent({
  kind: 'notification',
  className: 'ElementEmptiedRecycleBinWebhookEvent',
  name: 'Element Recycle Bin Emptied',
  alias: 'Umbraco.ElementEmptiedRecycleBin',
  type: Element,
  notification: ElementEmptiedRecycleBinNotification,
  payload: nullPayload,
});
/** An instance of {@link ElementEmptiedRecycleBinWebhookEvent}. */
export type ElementEmptiedRecycleBinWebhookEvent = InstanceType<typeof ElementEmptiedRecycleBinWebhookEvent>;

/** `Umbraco.ElementMovedToRecycleBin` — ONE request per move: `[{ id }]` of the trashed elements. */
export const ElementMovedToRecycleBinWebhookEvent = defineCmsEvent({
  kind: 'list',
  className: 'ElementMovedToRecycleBinWebhookEvent',
  name: 'Element Moved to Recycle Bin',
  alias: 'Umbraco.ElementMovedToRecycleBin',
  type: Element,
  notification: ElementMovedToRecycleBinNotification,
  items: (n) => n.moveInfos,
  contentTypeKey: (move) => move.entity.contentType?.key,
  payload: listPayload(movedElements, movedToRecycleBinShape, movedToRecycleBinShape, 'minimal'),
});
/** An instance of {@link ElementMovedToRecycleBinWebhookEvent}. */
export type ElementMovedToRecycleBinWebhookEvent = InstanceType<typeof ElementMovedToRecycleBinWebhookEvent>;

/** `Umbraco.ElementMoved` — ONE request per move: `[{ id }]` of the moved elements. */
export const ElementMovedWebhookEvent = defineCmsEvent({
  kind: 'list',
  className: 'ElementMovedWebhookEvent',
  name: 'Element Moved',
  alias: 'Umbraco.ElementMoved',
  type: Element,
  notification: ElementMovedNotification,
  items: (n) => n.moveInfos,
  contentTypeKey: (move) => move.entity.contentType?.key,
  payload: listPayload(movedElements, movedToRecycleBinShape, movedToRecycleBinShape, 'minimal'),
});
/** An instance of {@link ElementMovedWebhookEvent}. */
export type ElementMovedWebhookEvent = InstanceType<typeof ElementMovedWebhookEvent>;

/** `Umbraco.ElementPublish` — per published element: Minimal its id and published cultures, Extended the Delivery API element. */
export const ElementPublishedWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'ElementPublishedWebhookEvent',
  name: 'Element Published',
  alias: 'Umbraco.ElementPublish',
  type: Element,
  notification: ElementPublishedNotification,
  entities: (n) => n.publishedEntities,
  payload: objectPayload(shape<CmsElement>({ id: field(schemas.string, (element) => element.key), cultures: culturesField }), elementShape, 'minimal'),
});
/** An instance of {@link ElementPublishedWebhookEvent}. */
export type ElementPublishedWebhookEvent = InstanceType<typeof ElementPublishedWebhookEvent>;

/** `Umbraco.ElementSaved` — per saved element: Minimal `{ id }`, Extended the Delivery API element. */
export const ElementSavedWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'ElementSavedWebhookEvent',
  name: 'Element Saved',
  alias: 'Umbraco.ElementSaved',
  type: Element,
  notification: ElementSavedNotification,
  entities: (n) => n.savedEntities,
  payload: objectPayload(idShape, elementShape, 'minimal'),
});
/** An instance of {@link ElementSavedWebhookEvent}. */
export type ElementSavedWebhookEvent = InstanceType<typeof ElementSavedWebhookEvent>;

/** `Umbraco.ElementUnpublish` — `{ id }` per unpublished element. */
export const ElementUnpublishedWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'ElementUnpublishedWebhookEvent',
  name: 'Element Unpublished',
  alias: 'Umbraco.ElementUnpublish',
  type: Element,
  notification: ElementUnpublishedNotification,
  entities: (n) => n.unpublishedEntities,
  payload: idOnly,
});
/** An instance of {@link ElementUnpublishedWebhookEvent}. */
export type ElementUnpublishedWebhookEvent = InstanceType<typeof ElementUnpublishedWebhookEvent>;

/** `Umbraco.ElementDeletedVersions` — which versions of an element were deleted. */
export const ElementDeletedVersionsWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'ElementDeletedVersionsWebhookEvent',
  name: 'Element Versions Deleted',
  alias: 'Umbraco.ElementDeletedVersions',
  type: Element,
  notification: ElementDeletedVersionsNotification,
  entities: (n) => [n],
  contentTypeKey: (n) => n.entity.contentType?.key,
  payload: objectPayload(deletedVersionsShape, deletedVersionsShape, 'minimal'),
});
/** An instance of {@link ElementDeletedVersionsWebhookEvent}. */
export type ElementDeletedVersionsWebhookEvent = InstanceType<typeof ElementDeletedVersionsWebhookEvent>;

/** `Umbraco.ElementRolledBack` — `{ id }` of the element rolled back. */
export const ElementRolledBackWebhookEvent = defineCmsEvent({
  kind: 'entity',
  className: 'ElementRolledBackWebhookEvent',
  name: 'Element Rolled Back',
  alias: 'Umbraco.ElementRolledBack',
  type: Element,
  notification: ElementRolledBackNotification,
  entities: (n) => [n.entity],
  payload: idOnly,
});
/** An instance of {@link ElementRolledBackWebhookEvent}. */
export type ElementRolledBackWebhookEvent = InstanceType<typeof ElementRolledBackWebhookEvent>;
