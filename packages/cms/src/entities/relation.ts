/** A relation type (`relateDocumentOnCopy`); only these fields are read. */
export interface CmsRelationType {
  key: string;
  alias: string;
  name?: string;
  isBidirectional?: boolean;
  /** The kinds of entities related (`Document`, `Media`, …). */
  parentObjectType?: string | null;
  childObjectType?: string | null;
}

/** A relation between two entities; only these fields are read. */
export interface CmsRelation {
  key: string;
  parentId: string;
  childId: string;
  relationType: Pick<CmsRelationType, 'alias'>;
  comment?: string | null;
  createDate?: Date | string;
}
