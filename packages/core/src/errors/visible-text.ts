/**
 * `text` with the characters a reader cannot see escaped as `\uXXXX` (or JSON's `\n`): controls,
 * line and paragraph separators, and default-ignorable characters — a zero-width space, a
 * byte order mark, the bidirectional overrides that reorder the rest of a line. A message quoting
 * `"Umbraco.ContentPublish\u200b"` with the character itself read `unknown event alias
 * "Umbraco.ContentPublish"`, an alias the same message listed as known; a U+202E reversed the
 * log line after it. Everything else is kept as it is.
 */
export function visibleText(text: string): string {
  return text.replace(/[\p{Cc}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/gu, (char) => JSON.stringify(char).slice(1, -1).replace(/^(.)$/su, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`));
}

/**
 * A string (a key, an id, an alias) as a message quotes it: JSON, with what a reader cannot see
 * escaped ({@link visibleText}). Not cut: for values already bounded, such as webhook keys.
 */
export function quoted(value: unknown): string {
  return visibleText(JSON.stringify(value) ?? String(value));
}

/**
 * A message as a command line prints it: {@link visibleText} line by line, so a message of several
 * lines keeps its line breaks while a name given with a U+202E or a U+2028 inside cannot reorder
 * or split the line it is quoted in (`hookwork catalogue --out`, `hookwork-types`).
 */
export function visibleLines(text: string): string {
  return text.split('\n').map(visibleText).join('\n');
}

/**
 * `text` on one line for a message: each line break (with the blanks around it) becomes one
 * space, as a quoted message of several lines reads (`SyntaxError\n    at line 1` is `SyntaxError at
 * line 1`), then {@link visibleText}. Every HookworkError's message goes through it, so it costs
 * the text's length and no more: split at the breaks and trimmed, not one regex whose blanks before
 * a break are tried again from each blank of a long run (a message quoting 40,000 blanks took 1.6 s,
 * a million a quarter of an hour).
 */
export function oneLineText(text: string): string {
  const lines = text.split(/[\r\n\u2028\u2029]/);
  if (lines.length === 1) return visibleText(text);
  // Blanks before a break and after it go with it; lines of blanks only between breaks too.
  const kept = [lines[0]!.trimEnd()];
  for (let i = 1; i < lines.length - 1; i++) {
    const line = lines[i]!.trim();
    if (line !== '') kept.push(line);
  }
  kept.push(lines[lines.length - 1]!.trimStart());
  return visibleText(kept.join(' '));
}
