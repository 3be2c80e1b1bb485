import { HookworkError, shownValue } from '../errors/hookwork-error';
import { otherNameOf } from '../errors/nearest-name';
import { shownList } from '../errors/shown-list';
import type { PageRequest } from '../model/page';
import { isPlainObject, objectKind } from '../model/plain-object';

/**
 * What a page key of hookwork's is, said to someone who gave another API's name for it (the names
 * are nearestName's one table, OTHER_NAMES): `after` and a page number's `offset` need a word more.
 */
function meaningOf(given: string, key: string): string {
  if (key === 'after') return 'after (the next of the page before)';
  if (key === 'offset' && given.toLowerCase() === 'page') return 'offset (in webhooks, not pages)';
  return key;
}

/** The listings that page by the `after` cursor (their `offset` is unstable under writes). */
const CURSOR_LISTINGS: ReadonlySet<string> = new Set(['logs', 'deadLetters', 'webhooks.list']);

/** The page size of a listing that is given none (every listing: webhooks, log, dead letters). */
export const DEFAULT_PAGE_SIZE = 50;

/** The largest page a listing returns. */
export const MAX_PAGE_SIZE = 1000;

/**
 * Checks a listing's page at the API boundary: HOOKWORK_ERR_INVALID_PAGE names the listing and
 * the bad part. Returns the page's `limit` and `offset`, only those that were given (a listing
 * that pages by cursor reads `after` itself, see cursorPage()). `only`: the page is all the
 * listing takes, so any other key (`take`, `skip`, `cursor`) is refused rather than ignored.
 */
export function checkPage(listing: string, page: PageRequest | undefined, only = false): PageRequest {
  if (page === undefined || page === null) return {};
  if (!isPlainObject(page)) throw new HookworkError('HOOKWORK_ERR_INVALID_PAGE', `${listing}() takes a page such as { limit: 50, offset: 0 }; got ${typeof page === 'object' ? objectKind(page) : typeof page}`);
  if (only) {
    // A misspelt narrowing must not widen a listing: { take: 1 } listed every webhook.
    const byCursor = CURSOR_LISTINGS.has(listing);
    const keys = byCursor ? ['limit', 'offset', 'after'] : ['limit', 'offset'];
    const unknown = Object.keys(page).filter((key) => !keys.includes(key) && (page as Record<string, unknown>)[key] !== undefined);
    if (unknown.length > 0) {
      const named = unknown.flatMap((key) => {
        const meant = otherNameOf(key, keys);
        // Shown as given when it is a plain name (`take`), else quoted and escaped as every refusal shows a value.
        return meant === undefined ? [] : [`${/^\w+$/.test(key) ? key : shownValue(key)} is ${meaningOf(key, meant)}`];
      });
      const hint = named.length > 0 ? ` (${shownList(named, { show: (text) => text })} here)` : '';
      throw new HookworkError('HOOKWORK_ERR_INVALID_PAGE', `${listing}() was given ${shownList(unknown)}, which ${unknown.length > 1 ? 'are' : 'is'} not part of a page${hint}; a page is { limit, offset${byCursor ? ', after' : ''} }`);
    }
  }
  const { limit, offset } = page as PageRequest;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_PAGE', `${listing}() was given limit ${shownValue(limit)}; use a whole number from 1 to ${MAX_PAGE_SIZE} and page with ${CURSOR_LISTINGS.has(listing) ? 'after (the next of the page before)' : 'offset'}`);
  }
  // Past 2^53 − 1 a number is no longer an exact whole number, and stores refuse it as an offset
  // (SQLite: a datatype mismatch), which would read as a storage failure.
  if (offset !== undefined && (!Number.isSafeInteger(offset) || offset < 0)) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_PAGE', `${listing}() was given offset ${shownValue(offset)}; use a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`);
  }
  return { ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}) };
}
