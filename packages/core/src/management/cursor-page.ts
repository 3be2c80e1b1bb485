import { HookworkError } from '../errors/hookwork-error';
import { listingStart, makeCursor, readCursor, type CursorListing } from '../model/list-cursor';
import type { CursorPageRequest, ListPosition, Page, PageRequest, PositionedPage } from '../model/page';
import { checkPage } from './page-check';

/**
 * One page of a listing that pages by cursor (logs(), deadLetters(), webhooks.list()), by offset
 * or by the `after` cursor, with the `next` cursor when more follow. A store that pages by
 * position is read strictly after the cursor's place, so what is written or deleted between pages
 * moves nothing; one that does not is read by offset behind the cursor (the unstable paging of
 * `offset`, but a walk by `next` still ends). The page and the cursor are checked before the store
 * is read: `after` with `offset` is HOOKWORK_ERR_INVALID_PAGE, a cursor of another listing or a
 * changed one HOOKWORK_ERR_INVALID_CURSOR.
 */
export async function cursorPage<T>(
  listing: CursorListing,
  query: CursorPageRequest,
  byPosition: boolean,
  read: (paging: PageRequest & { afterPosition?: ListPosition }) => Promise<PositionedPage<T>>,
  defaultLimit?: number,
): Promise<Page<T>> {
  const paging = { ...(defaultLimit !== undefined ? { limit: defaultLimit } : {}), ...checkPage(listing, query) };
  const { after } = query;
  if (after === undefined) return withNext(listing, await read(paging), byPosition, paging.offset ?? 0);
  if (paging.offset !== undefined) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_PAGE', `${listing}() was given both after and offset; a page starts after a cursor or at an offset: pass after alone (the next of the page before), or offset without after`, {
      details: [{ field: 'after', problem: 'is given with offset' }],
    });
  }
  const place = readCursor(listing, after);
  if ('offset' in place) return withNext(listing, await read({ ...paging, offset: place.offset }), byPosition, place.offset);
  if (!byPosition) {
    // Made while the app ran on a store that pages by position; this one cannot go on from it.
    throw new HookworkError('HOOKWORK_ERR_INVALID_CURSOR', `${listing}() was given after that is a cursor of a store that pages by position, which this app's store does not; leave after out to start from ${listingStart(listing)}`, {
      details: [{ field: 'after', problem: 'is a cursor of a store that pages by position' }],
    });
  }
  return withNext(listing, await read({ ...paging, afterPosition: place.position }), byPosition, 0);
}

/** The caller's page: the store's items and total, and the next cursor when more follow. */
function withNext<T>(listing: CursorListing, page: PositionedPage<T>, byPosition: boolean, offset: number): Page<T> {
  const { items, total } = page;
  if (byPosition) return page.nextPosition ? { items, total, next: makeCursor(listing, { position: page.nextPosition }) } : { items, total };
  const end = offset + items.length;
  return items.length > 0 && end < total ? { items, total, next: makeCursor(listing, { offset: end }) } : { items, total };
}
