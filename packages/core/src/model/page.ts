/** Which part of a listing to return: at most `limit` items after skipping `offset`. */
export interface PageRequest {
  /** At most this many items (1–1000; a listing's own default when omitted). */
  limit?: number;
  /** Items to skip from the start (default 0). */
  offset?: number;
}

/**
 * One page of a listing — the one shape every listing returns (webhooks, delivery log, dead
 * letters): the items of the page and how many there are in all.
 */
export interface Page<T> {
  /** The items of this page, in the listing's order. */
  items: T[];
  /** Items in the whole listing (not only this page). */
  total: number;
}
