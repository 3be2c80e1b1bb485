import { setOwn } from '../../runtime/own-property';

/**
 * Adds a received header to `headers` (lower-case names; a repeated one joined with ", ", as Node
 * joins them) as an own property whatever its name: a receiver's `constructor` header is not
 * Object's function, and its `__proto__` header is kept, not taken as the object's prototype.
 */
export function addReceivedHeader(headers: Record<string, string>, name: string, value: string): void {
  const previous = Object.hasOwn(headers, name) ? headers[name] : undefined;
  setOwn(headers, name, previous === undefined ? value : `${previous}, ${value}`);
}
