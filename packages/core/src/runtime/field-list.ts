/**
 * `true` when `Listed` names every key of `T`, `never` otherwise: a line such as
 * `const checked: EveryKeyListed<DeliveryLogEntry, 'key' | …> = true;` stops compiling as soon as
 * `T` gains a field the list lacks. For code that builds a `T` field by field (on V8 much cheaper
 * than spreads) behind a cast, where the compiler no longer checks that every field is set:
 * the list sits next to that code, and a new field makes the author look at it.
 */
export type EveryKeyListed<T, Listed extends keyof T> = [Exclude<keyof T, Listed>] extends [never] ? true : never;
