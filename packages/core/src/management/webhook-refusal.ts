import { HookworkError } from '../errors/hookwork-error';
import type { WebhookInputProblem } from './webhook-service';

/**
 * The most problems one refusal names. An input of 400,000 wrong events (800 KB) had each named,
 * a message of 50 MB; the first ones say what is wrong, and the count says how much more is.
 */
export const MAX_NAMED_PROBLEMS = 20;

/**
 * HOOKWORK_ERR_INVALID_WEBHOOK for a webhook input with `problems` (at least one): the message
 * names the first {@link MAX_NAMED_PROBLEMS} (`<what> refused, nothing was stored: <field>
 * <problem>; …`) and counts the rest, and `details` holds those named. `showField` writes a field
 * for the message (core's own escapes control characters with `printableField`). Used by core's
 * webhook service and by plugins that check webhook input of their own (Cockpit's).
 */
export function invalidWebhookError(what: string, problems: readonly WebhookInputProblem[], showField: (field: string) => string = (field) => field): HookworkError {
  const named = problems.slice(0, MAX_NAMED_PROBLEMS);
  const more = problems.length - named.length;
  return new HookworkError(
    'HOOKWORK_ERR_INVALID_WEBHOOK',
    `${what} refused, nothing was stored: ${named.map((p) => `${showField(p.field)} ${p.problem}`).join('; ')}${more > 0 ? `; and ${more} more problem${more === 1 ? '' : 's'} (the first ${MAX_NAMED_PROBLEMS} are named)` : ''}`,
    { details: named },
  );
}
