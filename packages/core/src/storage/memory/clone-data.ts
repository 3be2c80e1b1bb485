/**
 * A deep copy of plain data (objects, arrays, Dates, primitives), so the in-memory backend
 * hands out values a caller can change without touching what is stored. Not structuredClone:
 * that makes Dates of Node's main realm, which fail `instanceof Date` inside a jest (vm) realm.
 */
export function cloneData<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(cloneData) as T;
  const copy: Record<string, unknown> = {};
  // Object.keys, not Object.entries: no array per property (cloning was ~5 % of the in-memory e2e profile).
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const item = source[key];
    if (item !== undefined) copy[key] = cloneData(item);
  }
  return copy as T;
}
