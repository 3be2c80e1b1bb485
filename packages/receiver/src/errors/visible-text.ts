// The receiver kit's copy of @hookwork/core's errors/visible-text.ts: the kit does not depend on
// core (a receiver installs it alone), and its refusals must read the way core's do. Keep the two
// in step; visible-text.test.ts checks this copy with core's cases.

/**
 * `text` with the characters a reader cannot see escaped as `\uXXXX` (or JSON's `\n`): controls,
 * line and paragraph separators, and default-ignorable characters — a zero-width space, a byte
 * order mark, the bidirectional overrides that reorder the rest of a line. Everything else is kept.
 */
export function visibleText(text: string): string {
  return text.replace(/[\p{Cc}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/gu, (char) => JSON.stringify(char).slice(1, -1).replace(/^(.)$/su, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`));
}

/** A value as a message quotes it: JSON, with what a reader cannot see escaped ({@link visibleText}). */
export function quoted(value: unknown): string {
  return visibleText(JSON.stringify(value) ?? String(value));
}

/**
 * A message as a command line prints it: {@link visibleText} line by line, so a message of several
 * lines (a generator's) keeps its line breaks while a key or file name given with a U+202E or a
 * U+2028 inside cannot reorder or split the line it is quoted in.
 */
export function visibleLines(text: string): string {
  return text.split('\n').map(visibleText).join('\n');
}
