/**
 * A date as a host has it: a `Date`, or a string sent as is (so a host can reproduce a
 * .NET timestamp such as `2023-12-11T12:02:38.9979314` exactly).
 */
export type CmsDate = Date | string;

/** The content, media or member type an item is of: the content-type filter reads `key`. */
export interface CmsContentTypeRef {
  /** The type's unique key; webhooks filter on it (`contentTypeKeys`). */
  key: string;
  /** The type's alias (`blogPost`), sent as `contentType` / `mediaType` in payloads. */
  alias: string;
}

/**
 * One entity moved: the entity, where it was and its new parent (Umbraco's MoveEventInfo).
 * `newParentId` is null when it moved to the root.
 */
export interface CmsMoveInfo<TEntity> {
  /** The entity that moved. */
  entity: TEntity;
  /** The path before the move (`-1,1051,1060`), when the host knows it. */
  originalPath?: string;
  /** The new parent's key; null at the root. */
  newParentId: string | null;
}
