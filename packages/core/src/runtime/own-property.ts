/**
 * `record[key] = value` as an own data property for every key: a key named `__proto__` (a
 * receiver's header, a payload's field) is kept as the data it is, where the assignment would set
 * the record's prototype. Plain assignment otherwise: this runs per header of every delivery.
 */
export function setOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}
