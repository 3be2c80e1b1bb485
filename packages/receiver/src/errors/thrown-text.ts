/**
 * What a thrown value says, for an error message: its `message`, else the value as text — and,
 * when reading either throws (a `message` getter or `toString` that throws, a Proxy whose traps
 * throw, a revoked Proxy), `(a thrown object that cannot be turned into text)`. Never throws: a
 * handler may throw anything, and describing it must not turn its failure into the receiver's own
 * RECEIVER_ERR_INTERNAL.
 */
export function thrownText(value: unknown): string {
  try {
    const message = (value as { message?: unknown } | null | undefined)?.message;
    // String(), not a template: a template throws on a Symbol.
    if (message !== undefined && message !== null) return String(message);
  } catch {
    // A getter or trap that throws: the value itself may still say something.
  }
  try {
    return String(value);
  } catch {
    // typeof reads no property and calls no trap, even of a revoked Proxy.
    return `(a thrown ${typeof value} that cannot be turned into text)`;
  }
}
