/** A relation type (`relateDocumentOnCopy`); only these fields are read. */
export interface CmsRelationType {
  /** The relation type's unique key. */
  key: string;
  /** Its alias (`relateDocumentOnCopy`). */
  alias: string;
  /** The display name. */
  name?: string;
  /** True when the relation reads the same both ways. */
  isBidirectional?: boolean;
  /** The kinds of entities related (`Document`, `Media`, …). */
  parentObjectType?: string | null;
  /** The kind of entity on the child side (`Document`, `Media`, …). */
  childObjectType?: string | null;
}

/** A relation between two entities; only these fields are read. */
export interface CmsRelation {
  /** The relation's unique key. */
  key: string;
  /** The key of the entity on the parent side. */
  parentId: string;
  /** The key of the entity on the child side. */
  childId: string;
  /** The relation's type; only its alias is read. */
  relationType: Pick<CmsRelationType, 'alias'>;
  /** A note stored with the relation. */
  comment?: string | null;
  /** When the relation was made. */
  createDate?: Date | string;
}
