import { html, nothing, type TemplateResult } from 'lit';
import { ApiError } from './api';
import { ariaDisabled, formatCount, isProblem, problemView } from './shared';

/** The route parameters a cursor position takes: they are dropped whenever a filter changes. */
export const POSITION_PARAMS = ['after', 'back', 'page', 'skip'] as const;

/**
 * How many earlier cursors the address keeps for *Previous*: a cursor is some 60 characters, so
 * the address stays short however far someone walks. Past them, *First page* starts over.
 */
export const TRAIL_LENGTH = 20;

/**
 * Where a newest-first list (the delivery log, the dead letters) is, as its route says: `after`,
 * the `next` of the page before (none on page 1); `back`, the `after` of each earlier page from
 * the second on, oldest first, the last {@link TRAIL_LENGTH} of them; `page`, the page's number.
 */
export interface ListPosition {
  after: string | undefined;
  back: string[];
  page: number;
}

/**
 * The position in a route's query. Without `after` it is page 1, whatever else is there (a link
 * of before, paged by `skip`, opens the first page). A `page` changed by hand is never less than
 * the trail makes it.
 */
export function positionOf(query: URLSearchParams): ListPosition {
  const after = query.get('after') || undefined;
  if (!after) return { after: undefined, back: [], page: 1 };
  const back = query.getAll('back').filter(Boolean).slice(-TRAIL_LENGTH);
  const said = Number(query.get('page'));
  const page = Math.max(Number.isSafeInteger(said) ? said : 0, back.length + 2);
  return { after, back, page };
}

/** `query` at `position`: its filters as they are, the position's parameters replaced. */
export function withPosition(query: URLSearchParams, position: ListPosition): URLSearchParams {
  const next = withoutPosition(query);
  if (position.after !== undefined) {
    next.set('after', position.after);
    for (const cursor of position.back) next.append('back', cursor);
    next.set('page', String(position.page));
  }
  return next;
}

/** `query` on page 1: its filters alone. A filter changed starts the list again from its newest. */
export function withoutPosition(query: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(query);
  for (const name of POSITION_PARAMS) next.delete(name);
  return next;
}

/** The page after `at`, whose list answered `next`: `at`'s own cursor joins the trail (the oldest leaves past its length). */
export const nextPosition = (at: ListPosition, next: string): ListPosition => ({
  after: next,
  back: at.after === undefined ? [] : [...at.back, at.after].slice(-TRAIL_LENGTH),
  page: at.page + 1,
});

/** The page before `at`, while the trail knows it (page 1 always); undefined once the trail was cut. */
export function previousPosition(at: ListPosition): ListPosition | undefined {
  if (at.page <= 1) return undefined;
  if (at.page === 2) return { after: undefined, back: [], page: 1 };
  if (at.back.length === 0) return undefined;
  return { after: at.back[at.back.length - 1], back: at.back.slice(0, -1), page: at.page - 1 };
}

/**
 * *First page* / *Previous* / "Page 2, 1,130 in all" / *Next* under a list paged by cursor, its
 * numbers grouped as the browser's language groups them ({@link formatCount}). `to` goes to a
 * position through the route, so reload, back/forward and a shared link keep the page.
 * *Next* follows the page's `next` (none on the last page); *Previous* the trail; the buttons are
 * {@link ariaDisabled} where they lead nowhere, so the focus stays on them. The label says the
 * total only when the API gave one, and is a polite live region: a screen reader hears the page
 * change that a press of *Next* made.
 */
export function cursorPager(at: ListPosition, list: { total?: number; next?: string }, to: (position: ListPosition) => void): TemplateResult {
  const previous = previousPosition(at);
  const { next, total } = list;
  return html`<nav class="pager" aria-label="Pages">
    <button type="button" aria-disabled=${ariaDisabled(at.page === 1)} @click=${() => at.page > 1 && to({ after: undefined, back: [], page: 1 })}>First page</button>
    <button type="button" aria-disabled=${ariaDisabled(!previous)} title=${at.page > 1 && !previous ? `Only the last ${TRAIL_LENGTH} pages are remembered: start again from the first page` : nothing} @click=${() => previous && to(previous)}>
      Previous
    </button>
    <span class="page-label" aria-live="polite" aria-atomic="true">Page ${formatCount(at.page)}${typeof total === 'number' ? `, ${formatCount(total)} in all` : ''}</span>
    <button type="button" aria-disabled=${ariaDisabled(next === undefined)} @click=${() => next !== undefined && to(nextPosition(at, next))}>Next</button>
  </nav>`;
}

/** True when `error` is the API's refusal of the `after` in the address (changed by hand, cut short, another list's, or of an older hookwork). */
export const isBadCursor = (error: unknown): error is ApiError => isProblem(error, 'HOOKWORK_ERR_INVALID_CURSOR');

/**
 * The refusal of a list's read, with a link to the list's first page (`firstPage`, the filters
 * kept) when it was the position in the address the API refused: from there, the page works again.
 */
export const listProblem = (error: unknown, firstPage: string) =>
  problemView(error, isBadCursor(error) ? html`<p><a href=${firstPage}>Go to the first page</a></p>` : nothing);
