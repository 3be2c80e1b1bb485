import type { CmsMoveInfo } from '../entities/common';
import type { CmsContent, CmsRoute } from '../entities/content';
import type { CmsMedia } from '../entities/media';
import { toPlainData, type PlainData } from './plain-data';
import { extend, field, many, nested, schemas, shape, via, without, type FieldSpec, type Fields, type Shape } from './shape';

// Content and media payload shapes, field for field and in the order Umbraco 14+ sends them
// (System.Text.Json writes a class's properties in declaration order, derived class first; the
// webhook serializer writes camelCase in every payload type).

const idField = field<{ key: string }>(schemas.string, (entity) => entity.key);

/** `{ id }`: every delete, unpublish and recycle-bin event, in every payload type. */
export const idShape = shape<{ key: string }>({ id: idField });

const startItemShape = shape<CmsRoute['startItem']>({
  id: field(schemas.string, (item) => item.id),
  path: field(schemas.string, (item) => item.path),
});

const routeShape = shape<CmsRoute>({
  path: field(schemas.string, (route) => route.path),
  startItem: nested(startItemShape, (route) => route.startItem),
});

/**
 * The fields of Umbraco's Delivery API content (`IApiContent`, ApiContent's properties first,
 * then ApiElement's): Umbraco's Legacy Content Published / Saved body — its documented example —
 * and the document in hookwork's other Extended content bodies (moved, copied, rolled back).
 */
export const contentFields: Fields<CmsContent> = {
  name: field(schemas.string, (content) => content.name),
  createDate: field(schemas.nullableString, (content) => content.createDate),
  updateDate: field(schemas.nullableString, (content) => content.updateDate),
  route: nested(routeShape, (content) => content.route),
  id: field(schemas.string, (content) => content.key),
  contentType: field(schemas.string, (content) => content.contentType?.alias),
  properties: field(schemas.map, (content) => content.properties ?? {}),
};

/** A document as Umbraco's Delivery API content (`IApiContent`). */
export const contentShape = shape(contentFields);

interface CultureRoute {
  content: CmsContent;
  route: CmsRoute;
  properties: Readonly<Record<string, unknown>> | undefined;
}

const cultureRouteShape = shape<CultureRoute>({
  path: field(schemas.string, (c) => c.route.path),
  startItem: nested(startItemShape, (c) => c.route.startItem),
  // Copied from the document, as its own properties are: a reference back to it is cut.
  properties: { schema: () => schemas.map, value: (c) => toPlainData(c.properties ?? {}, [c.content]) },
});

/**
 * Umbraco's `BuildCultureProperties`: culture code → `{ path, startItem, properties }`, for each
 * culture the item has a route in (the Delivery API leaves out the invariant culture and
 * unroutable ones, so an invariant document sends `{}`).
 */
const culturesMapField: FieldSpec<CmsContent> = {
  schema: (casing) => ({ type: 'object', additionalProperties: cultureRouteShape.schema(casing) }),
  value: (content, casing) => {
    const result: { [culture: string]: PlainData } = {};
    for (const [culture, info] of Object.entries(content.cultures ?? {})) {
      if (!culture || !info?.route) continue;
      result[culture] = cultureRouteShape.project({ content, route: info.route, properties: info.properties ?? content.properties }, casing);
    }
    return result;
  },
};

/**
 * A document, Extended (Umbraco's `ExtendedContentPublishedWebhookEvent` /
 * `ExtendedContentSavedWebhookEvent`): `{ id, contentType, name, createDate, updateDate,
 * cultures: { <culture>: { path, startItem, properties } } }`.
 */
export const extendedContentShape = shape<CmsContent>({
  id: field(schemas.string, (content) => content.key),
  contentType: field(schemas.string, (content) => content.contentType?.alias),
  name: field(schemas.string, (content) => content.name),
  createDate: field(schemas.nullableString, (content) => content.createDate),
  updateDate: field(schemas.nullableString, (content) => content.updateDate),
  cultures: culturesMapField,
});

interface CulturePublish {
  culture: string;
  date: unknown;
}

const cultureShape = shape<CulturePublish>({
  culture: field(schemas.string, (c) => c.culture),
  date: field(schemas.nullableString, (c) => c.date),
});

/**
 * Umbraco's `PublishCultureInfos`: the cultures published, with their dates. An invariant
 * document has none (Umbraco keeps no culture info for it), and a culture without a publish date
 * is not published.
 */
function culturesOf(content: CmsContent): CulturePublish[] {
  return Object.entries(content.cultures ?? {})
    .filter(([culture, info]) => culture !== '' && info?.publishDate !== undefined && info.publishDate !== null)
    .map(([culture, info]) => ({ culture, date: info.publishDate }));
}

/** A published document, Minimal (Umbraco's `{ Id, Cultures = PublishCultureInfos.Select(c => new { c.Culture, c.Date }) }`). */
export const contentPublishedMinimalShape = shape<CmsContent>({ id: idField, cultures: many(cultureShape, culturesOf) });

/** `newParentId`: the new parent's key (Umbraco's NewParentKey), null at the root. */
export const newParentIdField = field<CmsMoveInfo<unknown>>(schemas.nullableString, (move) => move.newParentId);

/** A moved item, Minimal: Umbraco's `{ Id = Entity.Key, NewParentId = NewParentKey }` (content, content types, data types). */
export const movedMinimalShape = shape<CmsMoveInfo<{ key: string }>>({ id: field(schemas.string, (move) => move.entity.key), newParentId: newParentIdField });

/** The content fields after `id`, in the Delivery API's order: what hookwork's Extended content bodies add to Umbraco's. */
export const contentFieldsAfterId: Fields<CmsContent> = without(contentFields);

/** A document, Extended where Umbraco has no Extended class: Umbraco's `{ id }`, then the Delivery API content's other fields. */
export const contentWithIdFirstShape = extend(idShape as Shape<CmsContent>, contentFieldsAfterId);

/** A moved document, Extended: Umbraco's `{ id, newParentId }`, then the document's Delivery API fields. */
export const contentMovedShape = extend(movedMinimalShape as Shape<CmsMoveInfo<CmsContent>>, via(contentFieldsAfterId, (move) => move.entity));

/** A moved-to-recycle-bin item, every payload type: `{ id }`. */
export const movedToRecycleBinShape = shape<CmsMoveInfo<{ key: string }>>({ id: field(schemas.string, (move) => move.entity.key) });

/** A sorted child, Minimal: Umbraco's `{ Id, SortOrder }`. */
export const sortedMinimalShape = shape<CmsContent>({ id: idField, sortOrder: field(schemas.integer, (content) => content.sortOrder) });

/** A sorted child, Extended: Umbraco's `{ id, sortOrder }`, then its name, document type and parent. */
export const sortedShape = extend(sortedMinimalShape, {
  name: field(schemas.string, (content) => content.name),
  contentType: field(schemas.string, (content) => content.contentType?.alias),
  parentId: field(schemas.nullableString, (content) => content.parentId),
});

/** Umbraco's ContentSorted order: `SortedEntities.OrderBy(SortOrder)`, stable for equal orders. */
export const bySortOrder = (items: readonly CmsContent[]): CmsContent[] => [...items].sort((a, b) => (a.sortOrder ?? 0) - (b.sortOrder ?? 0));

/** hookwork's Extended media item: the Delivery API media's fields, with the item's dates. */
export const mediaFields: Fields<CmsMedia> = {
  name: field(schemas.string, (media) => media.name),
  createDate: field(schemas.nullableString, (media) => media.createDate),
  updateDate: field(schemas.nullableString, (media) => media.updateDate),
  id: field(schemas.string, (media) => media.key),
  mediaType: field(schemas.string, (media) => media.contentType?.alias),
  url: field(schemas.nullableString, (media) => media.url),
  extension: field(schemas.nullableString, (media) => media.extension),
  width: field(schemas.nullableInteger, (media) => media.width),
  height: field(schemas.nullableInteger, (media) => media.height),
  bytes: field(schemas.nullableInteger, (media) => media.bytes),
  properties: field(schemas.map, (media) => media.properties ?? {}),
};

/** A media item, Extended. */
export const mediaShape = shape(mediaFields);

/**
 * A media item as Umbraco's Delivery API media (`IApiMedia`: Id, Name, MediaType, Url, Extension,
 * Width, Height, Bytes, Properties; null where the item has no file or no dimensions): Umbraco's
 * Legacy Media Saved body.
 */
export const apiMediaShape = shape<CmsMedia>(
  // The Extended item's own fields, without its dates, in IApiMedia's order.
  Object.fromEntries((['id', 'name', 'mediaType', 'url', 'extension', 'width', 'height', 'bytes', 'properties'] as const).map((key) => [key, mediaFields[key]])),
);

/** A moved media item, Extended: Umbraco's `{ id }` (its Media Moved sends no parent), then the new parent and the item's fields. */
export const mediaMovedShape = extend(movedToRecycleBinShape as Shape<CmsMoveInfo<CmsMedia>>, {
  newParentId: newParentIdField,
  ...via(
    without(mediaFields),
    (move: CmsMoveInfo<CmsMedia>) => move.entity,
  ),
});
