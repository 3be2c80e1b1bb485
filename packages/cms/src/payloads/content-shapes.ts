import type { CmsMoveInfo } from '../entities/common';
import type { CmsContent, CmsRoute } from '../entities/content';
import type { CmsMedia } from '../entities/media';
import { field, many, nested, schemas, shape, via, type Fields } from './shape';

// Content and media payload shapes. Extended follows Umbraco's documented Delivery-API-like
// body, field for field and in its order, so Legacy (its PascalCase) reproduces the documented
// Content Published example byte for byte.

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

/** The Delivery-API-like fields of a document. */
export const contentFields: Fields<CmsContent> = {
  name: field(schemas.string, (content) => content.name),
  createDate: field(schemas.nullableString, (content) => content.createDate),
  updateDate: field(schemas.nullableString, (content) => content.updateDate),
  route: nested(routeShape, (content) => content.route),
  id: field(schemas.string, (content) => content.key),
  contentType: field(schemas.string, (content) => content.contentType?.alias),
  properties: field(schemas.map, (content) => content.properties ?? {}),
};

/** A document, Extended. */
export const contentShape = shape(contentFields);

interface CulturePublish {
  culture: string | null;
  publishDate: unknown;
}

const cultureShape = shape<CulturePublish>({
  culture: field(schemas.nullableString, (c) => c.culture),
  publishDate: field(schemas.nullableString, (c) => c.publishDate),
});

/** A variant document lists its cultures; an invariant one has one entry with culture null. */
function culturesOf(content: CmsContent): CulturePublish[] {
  if (content.cultures && Object.keys(content.cultures).length > 0) {
    return Object.entries(content.cultures).map(([culture, info]) => ({ culture, publishDate: info?.publishDate ?? null }));
  }
  return [{ culture: null, publishDate: content.publishDate ?? content.updateDate ?? null }];
}

/** A published document, Minimal: its id and the cultures published, with their dates. */
export const contentPublishedMinimalShape = shape<CmsContent>({ id: idField, cultures: many(cultureShape, culturesOf) });

const parentField = field<CmsMoveInfo<unknown>>(schemas.nullableString, (move) => move.newParentId);

/** A moved document, Minimal: its id and its new parent. */
export const movedMinimalShape = shape<CmsMoveInfo<{ key: string }>>({ id: field(schemas.string, (move) => move.entity.key), parentId: parentField });

/** A moved document, Extended: the document and its new parent. */
export const contentMovedShape = shape<CmsMoveInfo<CmsContent>>({ ...via(contentFields, (move) => move.entity), parentId: parentField });

/** A moved-to-recycle-bin item, every payload type: `{ id }`. */
export const movedToRecycleBinShape = shape<CmsMoveInfo<{ key: string }>>({ id: field(schemas.string, (move) => move.entity.key) });

/** A sorted child, Minimal: its id and new sort order. */
export const sortedMinimalShape = shape<CmsContent>({ id: idField, sortOrder: field(schemas.integer, (content) => content.sortOrder) });

/** A sorted child, Extended. */
export const sortedShape = shape<CmsContent>({
  id: idField,
  name: field(schemas.string, (content) => content.name),
  contentType: field(schemas.string, (content) => content.contentType?.alias),
  parentId: field(schemas.nullableString, (content) => content.parentId),
  sortOrder: field(schemas.integer, (content) => content.sortOrder),
});

/** The Delivery-API-like fields of a media item. */
export const mediaFields: Fields<CmsMedia> = {
  name: field(schemas.string, (media) => media.name),
  createDate: field(schemas.nullableString, (media) => media.createDate),
  updateDate: field(schemas.nullableString, (media) => media.updateDate),
  id: field(schemas.string, (media) => media.key),
  mediaType: field(schemas.string, (media) => media.contentType?.alias),
  url: field(schemas.nullableString, (media) => media.url),
  properties: field(schemas.map, (media) => media.properties ?? {}),
};

/** A media item, Extended. */
export const mediaShape = shape(mediaFields);

/** A moved media item, Extended. */
export const mediaMovedShape = shape<CmsMoveInfo<CmsMedia>>({ ...via(mediaFields, (move) => move.entity), parentId: parentField });
