/** One document in the site search, with the cultures it is published in. */
export interface IndexedDocument {
  id: string;
  cultures: (string | null)[];
}

/**
 * What the receiver keeps up to date: the site's search index. An in-memory one here; a real
 * receiver writes to Elasticsearch, Algolia, a database…
 */
export interface SearchIndex {
  upsert(document: IndexedDocument): Promise<void>;
  remove(id: string): Promise<void>;
}

/** An in-memory {@link SearchIndex} that also counts its writes (the tests check each event is applied once). */
export class MemorySearchIndex implements SearchIndex {
  readonly documents = new Map<string, IndexedDocument>();
  /** Every write, in order: `upsert <id>` or `remove <id>`. */
  readonly writes: string[] = [];

  async upsert(document: IndexedDocument): Promise<void> {
    this.documents.set(document.id, document);
    this.writes.push(`upsert ${document.id}`);
  }

  async remove(id: string): Promise<void> {
    this.documents.delete(id);
    this.writes.push(`remove ${id}`);
  }
}
