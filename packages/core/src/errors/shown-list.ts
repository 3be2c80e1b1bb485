import { shownValue } from './hookwork-error';

/** How many items of a list an error message names before it counts the rest. */
export const SHOWN_ITEMS = 10;

/** How {@link shownList} writes a list. */
export interface ShownListOptions<T> {
  /** How one item reads (default {@link shownValue}: strings quoted, cut at 200 characters). */
  show?: (item: T) => string;
  /** How many items are named (default {@link SHOWN_ITEMS}; at least 1). */
  max?: number;
  /** Between two items (default `', '`; `'; '` for a list of problems). */
  separator?: string;
}

/**
 * A list as an error message shows it: the first {@link SHOWN_ITEMS} items, then how many more
 * there are — `"a", "b", "c" and 399997 more`, or `a is wrong; b is wrong; and 12 more` with
 * `separator: '; '`. A message that echoed every item it was given grew with the input: 400,000
 * unknown event aliases made one problem of 4.29 MB. For every message that names what a caller
 * passed (keys, aliases, ids, arguments, the problems found in them), in core and in plugins.
 */
export function shownList<T>(items: Iterable<T>, options: ShownListOptions<T> = {}): string {
  const { show = shownValue, max = SHOWN_ITEMS, separator = ', ' } = options;
  const all = Array.isArray(items) ? (items as readonly T[]) : [...items];
  const named = all.slice(0, Math.max(1, Math.floor(max))).map((item) => show(item));
  const more = all.length - named.length;
  if (more <= 0) return named.join(separator);
  return `${named.join(separator)}${separator === ', ' ? ' ' : separator}and ${more} more`;
}
