/** Which part of a listing to return: at most `limit` items after skipping `offset`. */
export interface PageRequest {
  /** At most this many items (1–1000; a listing's own default when omitted). */
  limit?: number;
  /** Items to skip from the start (default 0). */
  offset?: number;
}

/**
 * A page of a listing that pages by cursor (the delivery log and dead letters, newest first; the
 * webhooks, in creation order): by `offset`, or by `after`, the `next` cursor of the page before.
 * An offset counts from the listing's first item at the moment of the request, so what is written
 * or deleted between two requests moves what the next page holds (an item listed twice, another
 * never); a cursor marks a place in the listing's order, so a walk by `after` lists every item
 * that stays listed exactly once, whatever is written or deleted meanwhile. `after` and `offset`
 * together are HOOKWORK_ERR_INVALID_PAGE.
 */
export interface CursorPageRequest extends PageRequest {
  /**
   * The `next` of the page before: this page holds the items strictly after its last item, in
   * the same order. A cursor of another listing, or one not made by hookwork, is
   * HOOKWORK_ERR_INVALID_CURSOR.
   */
  after?: string;
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
  /**
   * An opaque cursor when more items follow this page — pass it as `after` for the next page,
   * which holds the items strictly after this page's last, whatever was written or deleted
   * meanwhile. Answered by every listing (webhooks, delivery log, dead letters); absent on the
   * last page.
   */
  next?: string;
}

/**
 * A place in a store's listing (newest first: the delivery log, dead letters; oldest first: the
 * webhooks), for a store author: the sort time of an item and the store's own tie-breaker among
 * items of that time (a sequence number, an id — whatever orders them in the store). Core keeps it
 * opaque inside the cursor it gives callers and hands it back as it was; a store checks a `tie` it
 * did not make (see {@link invalidPositionError}).
 */
export interface ListPosition {
  /** The item's sort time, ms since the epoch: a log entry's `date`, a dead letter's `deadAt`, a webhook's `createdAt`. */
  readonly at: number;
  /** The store's tie-breaker of the item among those of the same time, in the store's terms. */
  readonly tie: string;
}

/**
 * A store's page of a listing that pages by position: {@link Page} with, when more items follow, the
 * {@link ListPosition} of its last item as `nextPosition` (core turns it into the caller's
 * `next` cursor). Named apart from `next`, so a store written before it, answering a plain
 * {@link Page}, still fits the port.
 */
export interface PositionedPage<T> {
  /** The items of this page, in the listing's order. */
  items: T[];
  /** Items in the whole listing (not only this page; `afterPosition` does not narrow it). */
  total: number;
  /** The place of the page's last item, when more items follow it; absent on the last page. */
  nextPosition?: ListPosition;
}
