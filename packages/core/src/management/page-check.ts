import { HookworkError } from '../errors/hookwork-error';
import type { PageRequest } from '../model/page';

/** The page size of a listing that is given none (every listing: webhooks, log, dead letters). */
export const DEFAULT_PAGE_SIZE = 50;

/** The largest page a listing returns. */
export const MAX_PAGE_SIZE = 1000;

/**
 * Checks a listing's page at the API boundary: HOOKWORK_ERR_INVALID_PAGE names the listing and
 * the bad part. Returns the page with only the keys that were given.
 */
export function checkPage(listing: string, page: PageRequest | undefined): PageRequest {
  if (page === undefined || page === null) return {};
  if (typeof page !== 'object') throw new HookworkError('HOOKWORK_ERR_INVALID_PAGE', `${listing}() takes a page such as { limit: 50, offset: 0 }; got ${typeof page}`);
  const { limit, offset } = page;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_PAGE', `${listing}() was given limit ${String(limit)}; use a whole number from 1 to ${MAX_PAGE_SIZE} and page with offset`);
  }
  // Past 2^53 − 1 a number is no longer an exact whole number, and stores refuse it as an offset
  // (SQLite: a datatype mismatch), which would read as a storage failure.
  if (offset !== undefined && (!Number.isSafeInteger(offset) || offset < 0)) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_PAGE', `${listing}() was given offset ${String(offset)}; use a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`);
  }
  return { ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}) };
}
