/**
 * What a thrown value says, for an error message: its `message`, else the value as text — and,
 * when reading either throws (a `message` getter or `toString` that throws, a Proxy whose traps
 * throw, a revoked Proxy), `(a thrown object that cannot be turned into text)`. Never throws: a
 * handler may throw anything, and describing it must not turn its failure into the receiver's own
 * RECEIVER_ERR_INTERNAL. Text longer than {@link THROWN_TEXT_LENGTH} characters is cut, saying how
 * long it was (as @hookwork/core's thrownMessage() does; the receiver kit depends on none of
 * hookwork's packages).
 */
export function thrownText(value: unknown): string {
  try {
    const message = (value as { message?: unknown } | null | undefined)?.message;
    // String(), not a template: a template throws on a Symbol.
    if (message !== undefined && message !== null) return cut(String(message));
  } catch {
    // A getter or trap that throws: the value itself may still say something.
  }
  try {
    return cut(String(value));
  } catch {
    // typeof reads no property and calls no trap, even of a revoked Proxy.
    return `(a thrown ${typeof value} that cannot be turned into text)`;
  }
}

/** The characters of what a thrown value says quoted at most: past them it is cut, saying how long it was. */
export const THROWN_TEXT_LENGTH = 1000;

/**
 * `text` cut at {@link THROWN_TEXT_LENGTH} characters (not inside a surrogate pair), saying how long
 * it was: a handler's error quoting a response body or a dump of megabytes went whole into
 * RECEIVER_ERR_HANDLER_FAILED's message, `onError` and the default console line, at every retry.
 */
function cut(text: string): string {
  if (text.length <= THROWN_TEXT_LENGTH) return text;
  const end = /[\uD800-\uDBFF]/.test(text[THROWN_TEXT_LENGTH - 1]!) ? THROWN_TEXT_LENGTH - 1 : THROWN_TEXT_LENGTH;
  return `${text.slice(0, end)}… (${text.length} characters)`;
}
