/**
 * Items kept sorted by `before` in `items` from `head` on, for the in-memory queue's pending
 * requests (all of them, and each webhook's) and its dead letters. Taking from the front moves
 * `head` instead of splicing the array: with 100,000 items a splice copied all of them (300-500 µs
 * a claim of 16). The slots before `head` are dropped once they are half the array, so each slot
 * is copied O(1) times in all. Items are found by binary search, so each must compare as unequal
 * to every other (the queue breaks ties by enqueue order).
 */
export class SortedList<T> {
  items: T[] = [];
  head = 0;

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  /** How many items are in the list. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** The first item, if any. */
  first(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** Adds `item` in order; one that sorts last (the usual case: due now, enqueued last) is pushed in O(1). */
  insert(item: T): void {
    const { items } = this;
    if (items.length === this.head || !this.before(item, items[items.length - 1]!)) items.push(item);
    else items.splice(this.indexOf(item), 0, item);
  }

  /** Takes `item` out, if it is in the list. */
  remove(item: T): void {
    const at = this.indexOf(item);
    if (this.items[at] !== item) return;
    if (at === this.head) this.head++;
    else this.items.splice(at, 1);
    this.compact();
  }

  /** Where `item` is (or would go). */
  indexOf(item: T): number {
    let lo = this.head;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.before(this.items[mid]!, item)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drops the slots before `head` once they are half the array (or all of it). */
  compact(): void {
    const { head } = this;
    if (head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (head > 64 && head * 2 > this.items.length) {
      this.items = this.items.slice(head);
      this.head = 0;
    }
  }
}
