import { shownList } from '../errors/shown-list';
import { isPlainObject } from '../model/plain-object';
import { headerValueProblem } from '../model/wire-rules';

/**
 * Why a webhook's custom header (a string, or `{ value, sensitive }`) cannot be stored, with the
 * rule and the fix — a value too long, a character HTTP cannot carry (named by code point and
 * position, never echoing the value), `sensitive` that is no boolean, a field of neither — or
 * undefined when it can. `webhooks.create()` and `update()` answer with it; the admin API does too,
 * for a header its schema refused.
 */
export function headerInputProblem(input: unknown): string | undefined {
  if (typeof input === 'string') {
    if (input.length > 8192) return 'value is too long (at most 8192 characters)';
    const problem = headerValueProblem(input);
    return problem && `value ${problem}`;
  }
  if (!isPlainObject(input)) return 'must be a string, or { value, sensitive } for a sensitive header';
  const extra = Object.keys(input).filter((k) => k !== 'value' && k !== 'sensitive');
  if (extra.length > 0) return `has ${shownList(extra)}; a header is a string, or { value, sensitive }`;
  if (input.sensitive !== undefined && typeof input.sensitive !== 'boolean') return 'sensitive must be true or false';
  if (typeof input.value !== 'string') return 'needs a string value ({ value, sensitive })';
  return headerInputProblem(input.value);
}
