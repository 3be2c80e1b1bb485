import { HookworkError } from '../errors/hookwork-error';

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why `value` cannot name anything a store or queue engine holds, or undefined when it can.
 * These are the values the backends would otherwise answer differently: PostgreSQL text cannot
 * hold U+0000 (the query fails) where memory and SQLite find nothing; a lone UTF-16 surrogate
 * becomes U+FFFD on its way into UTF-8 (SQLite, PostgreSQL, Redis), so it would find a key it
 * is not, where memory finds nothing; and an empty filter is "every webhook" to BullMQ's scripts
 * but "none" to the SQL stores. No backend limits the length of a key it looks up (PostgreSQL's
 * index limit applies to what is stored, and stored keys are checked when created), so length
 * is not a problem here.
 */
export function keyProblem(value: string): string | undefined {
  if (value.length === 0) return 'is empty';
  const nul = value.indexOf('\u0000');
  if (nul >= 0) return `holds U+0000 (NUL) at index ${nul}, which PostgreSQL text cannot hold`;
  const lone = loneSurrogate.exec(value);
  if (lone) return `holds a lone UTF-16 surrogate (U+${lone[0].charCodeAt(0).toString(16).toUpperCase()}) at index ${lone.index}, which is not text: UTF-8 (SQLite, PostgreSQL, Redis) turns it into U+FFFD`;
  return undefined;
}

/** What a key names, and where a user finds the right one: the fix in a refusal. */
export const KEY_KINDS = {
  webhookKey: 'a webhook key as app.webhooks.list() shows it',
  requestId: 'a request id (webhook-id) as app.deadLetters() or app.logs() shows it',
  deliveryKey: 'a delivery log entry key as app.logs() shows it',
  eventAlias: 'an event alias as app.events() lists it',
  secretId: 'a secret id as app.webhooks.get(key) lists it in secrets',
} as const;

/**
 * The longest a key of each kind can be as stored, where hookwork refuses longer ones when they
 * are made (webhooks.create() keys and event aliases, 200): a longer one looked up found nothing
 * after a query of megabytes, where create() refused it. Ids hookwork makes itself have no limit here.
 */
export const MAX_KEY_LENGTHS: Readonly<Partial<Record<keyof typeof KEY_KINDS, number>>> = { webhookKey: 200, eventAlias: 200 };

/**
 * Refuses a key argument that cannot name anything stored (see {@link keyProblem}) with
 * HOOKWORK_ERR_INVALID_ARGUMENT, naming the call, the argument and the fix — before any store
 * or queue engine is asked, so every backend answers alike. `call` is the method as a user wrote
 * it (`webhooks.get()`), `argument` the parameter or field (`key`, `query.requestId`). The
 * error's `details` is `[{ field, problem }]`, as every coded input refusal of core: `field` the
 * path inside the parameter object (`requestId`, `ids.1`), `problem` what is wrong and the fix.
 */
export function checkKey(call: string, argument: string, value: unknown, kind: keyof typeof KEY_KINDS): asserts value is string {
  if (kind === 'webhookKey' && isWebhookObject(value)) {
    // webhooks.get(hook), sendTestEvent(hook): "key that is object, not a string" named no fix.
    const fix = `is a webhook, not its key; pass its key (hook.key, here ${JSON.stringify(value.key)})`;
    throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `${call} was given ${argument} that ${fix}`, { details: [{ field: fieldOf(argument), problem: fix }] });
  }
  const max = MAX_KEY_LENGTHS[kind];
  const tooLong = typeof value === 'string' && max !== undefined && value.length > max ? `is ${value.length} characters long, and none is longer than ${max} (create() refuses longer ones)` : undefined;
  const problem = typeof value === 'string' ? (tooLong ?? keyProblem(value)) : `is ${value === null ? 'null' : typeof value}, not a string`;
  if (problem === undefined) return;
  const shown = typeof value === 'string' ? ` ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}` : '';
  const why = typeof value === 'string' && tooLong === undefined ? ' (no stored key can hold it, so nothing can be found by it)' : '';
  const fix = `${problem}${why}; pass ${KEY_KINDS[kind]}`;
  throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `${call} was given ${argument}${shown} that ${fix}`, { details: [{ field: fieldOf(argument), problem: fix }] });
}

/**
 * True for a webhook as `app.webhooks` answers it (`{ key, url, events, … }`) given where its key
 * belongs — `app.logs(hook)`, `webhooks.get(hook)`: the refusal then says to pass `hook.key`
 * instead of listing the webhook's fields as unknown filters or calling it "object".
 */
export function isWebhookObject(value: unknown): value is { key: string } {
  if (value === null || typeof value !== 'object') return false;
  const { key, url, events } = value as { key?: unknown; url?: unknown; events?: unknown };
  return typeof key === 'string' && typeof url === 'string' && Array.isArray(events);
}

/**
 * The field a refusal's `details` names for an argument as {@link checkKey} words it: the path
 * inside the parameter object, in the dotted form core's other refusals use (`query.requestId`
 * is `requestId`, `selector.ids[1]` is `ids.1`), so a program or the admin API reads it as it
 * reads `webhooks.create()`'s.
 */
function fieldOf(argument: string): string {
  return argument.replace(/^(?:query|selector|options)\./, '').replace(/\[(\d+)\]/g, '.$1');
}
