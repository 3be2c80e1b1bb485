import { describeAt } from '../model/wire-rules';
import { JSON_POINTER, SUBJECT_TEXT, URI_REFERENCE } from './webhook-format';
import { STORABLE_TEXT_PATTERN, WEBHOOK_KEY_PATTERN } from './webhook-input-schema';

/** The rule of each pattern a webhook's schemas (and the admin API's ids) use, in words. */
const RULES: Readonly<Record<string, string>> = {
  [WEBHOOK_KEY_PATTERN]: 'a key or id is letters (A-Z, a-z), digits and . _ : - only',
  [URI_REFERENCE]: "a URI-reference (RFC 3986) is letters, digits, -._~:/?#[]@!$&'()*+,;= and %-escapes only; percent-encode any other character (a space is %20)",
  [SUBJECT_TEXT]: 'control characters (U+0000 to U+001F, U+007F) cannot go out in the ce-subject header; remove it',
};

/** Why a text does not match {@link STORABLE_TEXT_PATTERN}. */
const STORABLE_TEXT_PROBLEM = 'holds U+0000 (NUL) or a lone UTF-16 surrogate, which no store keeps as sent (PostgreSQL refuses U+0000; UTF-8 turns a lone surrogate into U+FFFD); remove it';

/** A pattern of one character class repeated (`^[A-Za-z0-9._:-]+$`, `^[^\u0000]*$`): that class. */
const ONE_CLASS = /^\^(\[(?:\\.|[^\]\\])*\])[+*]\$$/;

/**
 * Why `value` does not match the JSON Schema `pattern` of a field, in words: the first character
 * the pattern does not take, by code point and position, and the rule
 * (`contains " " (U+0020) at character 2; a key or id is letters (A-Z, a-z), digits and . _ : - only`).
 * It was `has characters that are not allowed`, which named neither; a caller fixing a key or a
 * CloudEvents source had to guess which character and what is allowed.
 */
export function patternProblem(pattern: string, value: unknown): string {
  if (pattern === STORABLE_TEXT_PATTERN) return STORABLE_TEXT_PROBLEM;
  const rule = Object.hasOwn(RULES, pattern) ? RULES[pattern] : undefined;
  if (pattern === JSON_POINTER && typeof value === 'string') {
    if (!value.startsWith('/')) return 'must be a JSON Pointer (RFC 6901): empty for the whole payload, or starting with / (/id, /content/key)';
    const tilde = /~(?![01])/.exec(value);
    if (tilde) return `contains a ~ at character ${[...value.slice(0, tilde.index)].length + 1} that is no escape; in a JSON Pointer (RFC 6901) write ~ as ~0 and a / inside a name as ~1`;
    return 'holds a lone UTF-16 surrogate, which no payload key has; remove it';
  }
  const oneClass = ONE_CLASS.exec(pattern);
  if (oneClass && typeof value === 'string') {
    const allowed = new RegExp(`^${oneClass[1]}$`, 'u');
    let index = 0;
    for (const char of value) {
      if (!allowed.test(char)) return `contains ${describeAt(value, index)}; ${rule ?? 'that character is not allowed here'}`;
      index += char.length;
    }
  }
  return rule ? `does not match its rule: ${rule}` : 'has characters that are not allowed';
}
