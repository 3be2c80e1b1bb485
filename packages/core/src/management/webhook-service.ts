import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import Ajv, { type ErrorObject } from 'ajv';
import { inject, injectable } from 'tsyringe';
import { WebhookEventCatalogue } from '../events/webhook-event-catalogue';
import { generateSecret, signingSecretProblem } from '../delivery/signing';
import { WebhookCache } from '../delivery/webhook-cache';
import { DroppedRequests } from '../delivery/dropped-requests';
import { DROP_REASON } from '../observability/drop-reasons';
import { WebhookHealthMonitor } from '../delivery/health/webhook-health-monitor';
import { HookworkError, isHookworkError, messageWithoutCode, shownValue } from '../errors/hookwork-error';
import { enumProblem } from './enum-problem';
import { nearestName } from '../errors/nearest-name';
import { SHOWN_ITEMS, shownList } from '../errors/shown-list';
import { LifecycleReporter } from '../observability/lifecycle-events';
import { LoggerToken, type Logger } from '../observability/logger';
import { redactedUrl } from '../observability/redacted-url';
import { ClockToken, type Clock } from '../runtime/clock';
import { SettingsToken, type SettingsAccessor } from '../settings/settings';
import { MAX_DATE_OFFSET_MS } from '../settings/resolve-settings';
import type { DurationInput } from '../settings/settings';
import { readCallerInput, readOrRefuse, type UnreadableInput } from '../model/caller-input';
import { durationAdvice, formatDuration, parseDuration } from '../settings/time-span';
import { WebhookRepositoryToken, type WebhookRepository } from '../ports/webhook-repository';
import type { QueueEngine } from '../ports/queue-engine';
import type { CursorPageRequest, Page } from '../model/page';
import type { WebhookRequest } from '../model/webhook-request';
import { internalUrlRefusal } from './internal-url-check';
import { checkPage, DEFAULT_PAGE_SIZE } from './page-check';
import { cursorPage } from './cursor-page';
import { webhookPages } from './webhook-walk';
import { WebhookChanges } from './webhook-changes';
import { parsePrecondition, preconditionHolds, webhookEtag, type ParsedPrecondition, type WebhookChangedDetails, type WebhookPrecondition } from './webhook-precondition';
import { invalidWebhookError } from './webhook-refusal';
import { REDACTED, type Webhook, type WebhookBreakerOptions, type WebhookFormat, type WebhookView } from '../model/webhook';
import { formatProblems, normalizeFormat } from './webhook-format';
import { patternProblem } from './pattern-problem';
import { headerInputProblem } from './header-input-problem';
import { FRAMEWORK_HEADERS, STORABLE_TEXT_PATTERN, WEBHOOK_HEADERS_INPUT, WEBHOOK_SECRET_INPUT, webhookInputSchema, type WebhookBreakerInput, type WebhookHeaderInput, type WebhookInput, type WebhookPatch } from './webhook-input-schema';
import { checkKey } from '../model/key-rules';
import { isPlainObject, nonPlainObjects, nonPlainProblem, objectKind as objectKindOf } from '../model/plain-object';
import { checkUrl, headerNameProblem, printableField } from '../model/wire-rules';
import { bodyHeaderProblem, connectionHeaderProblem, CREDENTIAL_HEADERS, customHeaderTotalProblem, secretHeaderNames } from '../model/framework-headers';
import { quoted } from '../errors/visible-text';

/** The result of create(): the webhook, and the generated secret — shown this once only. */
export interface CreatedWebhook extends WebhookView {
  /** The signing secret in clear, when one was requested; never returned again. */
  secret?: string;
}

/** A problem with webhook input: the field and what is wrong. */
export interface WebhookInputProblem {
  /** The field at fault, dotted (`headers.X-Token`, `rateLimit.perSecond`). */
  field: string;
  /** What is wrong with it and how to fix it. */
  problem: string;
}

// verbose: an error carries its parentSchema, so an unknown field can be answered with the known ones.
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const validateInput = ajv.compile<WebhookInput>(webhookInputSchema as object);
const patchSchema = { ...webhookInputSchema, required: [] as string[], properties: { ...webhookInputSchema.properties } };
delete (patchSchema.properties as Record<string, unknown>).key;
delete (patchSchema.properties as Record<string, unknown>).secret;
const validatePatch = ajv.compile<WebhookPatch>(patchSchema as object);

function fieldOf(error: ErrorObject): string {
  const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return path ? `${path}.${extra}` : extra;
  }
  // Under its object's path: "perSecond is required" did not say it was rateLimit's.
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return path ? `${path}.${missing}` : missing;
  }
  if (error.keyword === 'propertyNames') return `${path}.${(error.params as { propertyName: string }).propertyName}`;
  return path || '(root)';
}

/**
 * An unknown field, with the nearest known one of the same object and the list: `header` was
 * meant as `headers`. `suggest` false skips the search: only the first problems are shown, and
 * 50,000 unknown fields spent 5 s finding names nobody would read.
 */
function unknownFieldProblem(error: ErrorObject, suggest: boolean): string {
  const extra = (error.params as { additionalProperty: string }).additionalProperty;
  const known = Object.keys((error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
  if (known.length === 0) return 'is not a webhook field';
  const near = suggest ? nearestName(extra, known) : undefined;
  return `is not a webhook field${near ? ` (did you mean ${near}?)` : ''}; the fields here are ${known.join(', ')}`;
}

/**
 * Fields of a webhook as app.webhooks answers it ({@link WebhookView}) that no input sets: hookwork
 * keeps them (`createdAt`, the secrets' hints) or reads them for this app (`unknownEvents`,
 * `urlBlocked`). `key` and `secret` are ones in an update only (create() takes them).
 */
const VIEW_ONLY_FIELDS = ['key', 'secret', 'sensitiveHeaders', 'secrets', 'unknownEvents', 'urlBlocked', 'createdAt', 'updatedAt'] as const;

/** Why a view-only field is refused, and the fix: leave it out (and where it is set instead). */
function viewOnlyProblem(field: (typeof VIEW_ONLY_FIELDS)[number], mode: 'create' | 'update'): string {
  const how: Record<(typeof VIEW_ONLY_FIELDS)[number], string> = {
    key: 'a webhook keeps its key (create a new one to use another)',
    secret: 'create() takes it; rotate a webhook\'s secret with webhooks.rotateSecret(key)',
    sensitiveHeaders: 'mark a header sensitive in headers ({ "X-Token": { "value": "…", "sensitive": true } })',
    secrets: mode === 'update' ? 'change them with webhooks.rotateSecret(key) and webhooks.revokeSecret(key, id)' : 'give secret: true (or a whsec_… secret) instead',
    unknownEvents: 'it is this app\'s reading of events',
    urlBlocked: 'it is this app\'s reading of url under the ssrf setting',
    createdAt: 'hookwork sets it',
    updatedAt: 'hookwork sets it',
  };
  const give = mode === 'update' ? 'an update takes only the fields to change, e.g. update(key, { enabled: false })' : 'create() takes the fields of a new webhook, e.g. { url, events }';
  const what = field === 'secret' ? 'is not changed by an update' : 'is a read-only field of the webhook as app.webhooks answers it';
  return `${what} (${how[field]}); leave it out: ${give}`;
}

/** The per-webhook options held in milliseconds: their bounds are told as durations too. */
const MS_FIELDS: ReadonlySet<string> = new Set(['/breaker/window', '/breaker/coolDown']);

/**
 * The keywords whose refusal is about a value's kind or size: NaN and ±Infinity break "finite" first.
 * Not `enum`: its problem says what was given itself, of every field (enumProblem).
 */
const VALUE_KEYWORDS: ReadonlySet<string> = new Set(['type', 'minimum', 'exclusiveMinimum', 'maximum', 'multipleOf']);

/**
 * The value refused, for the message — only of the options that hold no secret (`breaker`,
 * `rateLimit`, `fifo`, `enabled`): a header's value or a URL is never echoed.
 */
function gotValue(error: ErrorObject): string {
  if (!VALUE_KEYWORDS.has(error.keyword) || !/^\/(breaker|rateLimit|fifo|enabled)(\/|$)/.test(error.instancePath)) return '';
  return ` (got ${shownValue(error.data)})`;
}

/** A webhook's breaker durations, checked by checkInput: given as ms or as TimeSpan strings, stored as ms. */
const BREAKER_DURATIONS = ['window', 'coolDown'] as const;

/**
 * The breaker durations given as TimeSpan strings that parseDuration cannot read, or reads out of
 * bounds: the schema takes any short string there, and the settings' own advice says how to write
 * one (`"10"`: ambiguous, `"00:30"`: ambiguous, `"1:00:00:00"`: days with a dot).
 */
function breakerDurationProblems(breaker: Record<string, unknown>, reported: ReadonlySet<string>): WebhookInputProblem[] {
  const problems: WebhookInputProblem[] = [];
  for (const key of BREAKER_DURATIONS) {
    const value = breaker[key];
    const field = `breaker.${key}`;
    if (typeof value !== 'string' || reported.has(field)) continue;
    const ms = parseDuration(value);
    if (ms === undefined) problems.push({ field, problem: `${durationAdvice(value, true)} (got ${shownValue(value)})` });
    else if (ms < 1) problems.push({ field, problem: `must be at least 1 ms (got ${shownValue(value)})` });
    else if (ms > MAX_DATE_OFFSET_MS) problems.push({ field, problem: `must be at most ${MAX_DATE_OFFSET_MS} ms (${formatDuration(MAX_DATE_OFFSET_MS)}) (got ${shownValue(value)})` });
  }
  return problems;
}

/** A checked breaker input as stored: its TimeSpan strings read as ms. */
function breakerInMs(breaker: WebhookBreakerInput): WebhookBreakerOptions {
  const result: WebhookBreakerOptions = { ...breaker } as WebhookBreakerOptions;
  for (const key of BREAKER_DURATIONS) {
    const value = breaker[key];
    if (typeof value === 'string') result[key] = parseDuration(value)!;
  }
  return result;
}

function describe(error: ErrorObject, suggest: boolean): string {
  const ms = MS_FIELDS.has(error.instancePath);
  // ajv's `number` type takes NaN, and a bound then refused it for a rule it does not break:
  // `rateLimit.perSecond: NaN` was told "must be at most 1000000". (Infinity does break it.)
  if (Number.isNaN(error.data) && ['minimum', 'exclusiveMinimum', 'maximum'].includes(error.keyword)) return 'must be a number, not NaN';
  switch (error.keyword) {
    case 'additionalProperties':
      return unknownFieldProblem(error, suggest);
    case 'required':
      return 'is required';
    case 'propertyNames':
      return headerNameProblem((error.params as { propertyName: string }).propertyName) ?? 'is not a valid header name';
    case 'pattern':
      if ((error.params as { pattern: string }).pattern === STORABLE_TEXT_PATTERN) return 'holds U+0000 (NUL) or a lone UTF-16 surrogate, which no store keeps as sent (PostgreSQL refuses U+0000; UTF-8 turns a lone surrogate into U+FFFD); remove it';
      if (typeof error.data === 'string' && /\p{Cs}/u.test(error.data)) return 'holds a lone UTF-16 surrogate, which no store keeps and no header sends as given (UTF-8 turns it into U+FFFD); remove it';
      return patternProblem((error.params as { pattern: string }).pattern, error.data);
    case 'minItems':
      return error.instancePath === '/events' ? 'needs at least one event alias (the composed ones are listed by app.events())' : `needs at least ${String((error.params as { limit: number }).limit)} entries`;
    case 'minLength':
      return 'must not be empty';
    case 'enum':
      return enumProblem((error.params as { allowedValues: unknown[] }).allowedValues, error.data);
    case 'maxLength':
      return `is too long (at most ${String((error.params as { limit: number }).limit)} characters)`;
    case 'maxItems':
    case 'maxProperties':
      return `has too many entries (at most ${String((error.params as { limit: number }).limit)})`;
    case 'type':
      if (ms) return typeof error.data === 'number' ? `must be a whole number of milliseconds, or a TimeSpan string such as "00:00:10"` : durationAdvice(error.data, true);
      if (error.instancePath === '/headers') return WEBHOOK_HEADERS_INPUT;
      return error.instancePath === '' ? 'webhook input must be an object such as { url, events }' : `must be ${[(error.params as { type: string | string[] }).type].flat().map((t) => `a${/^[aeiou]/.test(t) ? 'n' : ''} ${t}`).join(' or ')}`;
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    {
      const limit = (error.params as { limit: number }).limit;
      return `must be ${error.keyword === 'maximum' ? 'at most' : error.keyword === 'minimum' ? 'at least' : 'more than'} ${ms ? `${limit} ms${limit >= 1000 ? ` (${formatDuration(limit)})` : ''}` : String(limit)}`;
    }
    case 'anyOf':
      // `secret: 5` was "has the wrong type", naming neither what it takes nor how to get one.
      return error.instancePath === '/secret' ? WEBHOOK_SECRET_INPUT : 'has the wrong type';
    default:
      return error.message ?? 'is invalid';
  }
}


/** The longest grace period a rotated-out secret may keep signing, ms (30 days). */
export const MAX_GRACE_PERIOD_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * The most secrets that sign a webhook's requests at once: the new one and those in their grace
 * period. Each adds about 48 characters to `webhook-signature`; 400 (a script rotating in a loop)
 * made the header larger than Node's 16 KiB and every receiver answered 431.
 */
export const MAX_SIGNING_SECRETS = 10;

/**
 * Headers whose value is the placeholder a view shows for a sensitive value, where there is no
 * stored sensitive value of that name to keep: storing it would send "[redacted]" literally and
 * lose the secret (a form that renamed the header, or typed the placeholder).
 */
function placeholderProblems(headers: Record<string, unknown>, current: Pick<Webhook, 'headers' | 'sensitiveHeaders'> | undefined): WebhookInputProblem[] {
  const problems: WebhookInputProblem[] = [];
  const secret = current ? secretHeaderNames(current) : new Set<string>();
  const stored = new Set(current ? Object.keys(current.headers).map((n) => n.toLowerCase()).filter((n) => secret.has(n)) : []);
  for (const [name, input] of Object.entries(headers)) {
    const value = isRecord(input) ? input.value : input;
    if (value === REDACTED && !stored.has(name.toLowerCase())) {
      problems.push({ field: `headers.${name}`, problem: `is "${REDACTED}", the placeholder a view shows for a sensitive value, and this webhook keeps no sensitive ${name} to stand for; give the value itself` });
    }
  }
  return problems;
}

const isRecord = isPlainObject;

/** The refusal of an input part a getter or Proxy trap kept from being read ({@link readCallerInput}). */
function unreadableProblem(unreadable: UnreadableInput, mode: 'create' | 'update' = 'create'): WebhookInputProblem {
  return { field: unreadable.path || '(root)', problem: unreadable.path ? unreadable.problem : `webhook ${mode === 'create' ? 'input' : 'patch'} ${unreadable.problem}` };
}

/**
 * The custom headers of an input past {@link MAX_CUSTOM_HEADER_BYTES} in all. An update's
 * `[redacted]` placeholder stands for a stored value of any length: counted as its name alone
 * here (refused only when over the cap whatever it stands for), and judged exactly on the
 * headers as stored inside update()'s change step.
 */
function headerTotalProblems(headers: Record<string, unknown>, mode: 'create' | 'update'): WebhookInputProblem[] {
  const given: Record<string, string> = {};
  for (const [name, input] of Object.entries(headers)) {
    const value = isRecord(input) ? input.value : input;
    // A value of the wrong kind is refused by its own problem.
    if (typeof value === 'string') given[name] = mode === 'update' && value === REDACTED ? '' : value;
  }
  const problem = customHeaderTotalProblem(given);
  return problem ? [{ field: 'headers', problem }] : [];
}

/** The most custom headers a webhook keeps (the schema's `maxProperties`), counted before any is walked. */
const MAX_HEADERS = webhookInputSchema.properties.headers.maxProperties;


/**
 * What a caller sees of a webhook: no secret, and no value of a sensitive header — one marked so,
 * or a credential header (`Authorization`, `Proxy-Authorization`, `Cookie`) whatever its mark, as
 * the delivery log redacts it; `sensitiveHeaders` lists both, so an edit form masks them.
 */
function toView(webhook: Webhook, unknownEvents: string[], urlBlocked: string | undefined): WebhookView {
  const secret = secretHeaderNames(webhook);
  return {
    ...webhook,
    format: webhook.format ? { ...webhook.format } : { type: 'json' },
    events: [...webhook.events],
    contentTypeKeys: [...webhook.contentTypeKeys],
    sensitiveHeaders: [...secret],
    headers: Object.fromEntries(Object.entries(webhook.headers).map(([name, value]) => [name, secret.has(name.toLowerCase()) ? REDACTED : value])),
    secrets: webhook.secrets.map((s) => ({ id: s.id, hint: `…${s.secret.slice(-4)}`, createdAt: s.createdAt, ...(s.expiresAt ? { expiresAt: s.expiresAt } : {}) })),
    unknownEvents,
    ...(urlBlocked !== undefined ? { urlBlocked } : {}),
  };
}

/** A URL's origin (RFC 6454: scheme, host and port), as `https://example.com`. */
const originOf = (url: string): string => new URL(url).origin;

/**
 * Webhook definitions, as `app.webhooks` manages them: create, check, get, update, delete, list,
 * secrets. Input is validated before anything is stored (one HOOKWORK_ERR_INVALID_WEBHOOK lists
 * every problem in `details`); a refused change leaves the store as it was. Views never hold a
 * secret or a sensitive header value in clear.
 */
export interface Webhooks {
  /** Creates a webhook. With `secret: true`, the result holds the generated secret, once. HOOKWORK_ERR_WEBHOOK_EXISTS for a taken key. */
  create(input: WebhookInput): Promise<CreatedWebhook>;
  /** Every problem create() would refuse `input` for, storing nothing (`[]` when it would be accepted). */
  check(input: unknown): WebhookInputProblem[];
  /**
   * Changes the fields a patch gives; the others stay. HOOKWORK_ERR_WEBHOOK_NOT_FOUND for an
   * unknown key. With `{ ifMatch }` ({@link WebhookPrecondition}), only if the webhook is still in
   * a state it names, checked in one step with the write: else HOOKWORK_ERR_WEBHOOK_CHANGED.
   * Enabling a disabled webhook forgets its health before the webhook is stored enabled: when the
   * health store fails to, it rejects with the store's error and the webhook stays disabled. A
   * move to another URL forgets it after; a failure then is a `backgroundError`, not the update's
   * (the change is stored, and the old receiver's health is not read as the new one's).
   */
  update(key: string, patch: WebhookPatch, options?: WebhookPrecondition): Promise<WebhookView>;
  /**
   * Deletes a webhook (false when there was none); its queued requests, pending and dead letters,
   * are removed and logged as `dropped` before it resolves (one whose attempt is out is dropped,
   * and logged, when the attempt ends). With `{ ifMatch }` ({@link WebhookPrecondition}), only if the
   * webhook is still in a state it names, checked in one step with the delete: else
   * HOOKWORK_ERR_WEBHOOK_CHANGED, nothing deleted.
   * A failure to forget its health afterwards is a `backgroundError`, not the deletion's.
   */
  delete(key: string, options?: WebhookPrecondition): Promise<boolean>;
  /** One webhook, or undefined. */
  get(key: string): Promise<WebhookView | undefined>;
  /**
   * Webhooks in creation order (equal times in the order they were created), a page (50 by
   * default) and how many there are in all. A page answers `next` when more webhooks follow: pass
   * it as `after` for the next page, which holds the webhooks created strictly after the last one
   * listed, so a walk by `after` lists every webhook that exists throughout it exactly once,
   * whatever is created or deleted meanwhile (by `offset`, a webhook deleted before the offset
   * moves one of the next page out of sight). A cursor of another listing, or a changed one, is
   * HOOKWORK_ERR_INVALID_CURSOR; `after` with `offset` is HOOKWORK_ERR_INVALID_PAGE.
   */
  list(page?: CursorPageRequest): Promise<Page<WebhookView>>;
  /** Webhooks subscribed to events no composed event handles (after a plugin was removed): kept, not a crash. */
  listWithUnknownEvents(): Promise<WebhookView[]>;
  /**
   * Starts a secret rotation: a new generated secret signs from now on, and the current ones go
   * on signing until the grace period ends (0 to 30 days: `gracePeriod` in ms or as a TimeSpan
   * string such as `"01:00:00"`, as the secretRotationGracePeriod setting takes it, or
   * `gracePeriodMs` in ms; default that setting). Returns the new secret in clear, once. With `ifMatch` ({@link WebhookPrecondition}),
   * only if the webhook is still in a state it names: else HOOKWORK_ERR_WEBHOOK_CHANGED.
   */
  rotateSecret(key: string, options?: { gracePeriod?: DurationInput; gracePeriodMs?: number } & WebhookPrecondition): Promise<RotatedSecret>;
  /**
   * Removes one secret at once (e.g. a leaked one). HOOKWORK_ERR_SECRET_NOT_FOUND for an unknown
   * id. Revoking the last secret that signs is not refused (a leaked one must go at once), but
   * turns signing off: requests go out unsigned, and a warning is logged. To replace a secret,
   * `rotateSecret(key, { gracePeriodMs: 0 })` instead. With `{ ifMatch }` ({@link WebhookPrecondition}), only if the webhook is still in a state
   * it names: else HOOKWORK_ERR_WEBHOOK_CHANGED.
   */
  revokeSecret(key: string, secretId: string, options?: WebhookPrecondition): Promise<WebhookView>;
}

/** What {@link Webhooks.rotateSecret} returns. */
export interface RotatedSecret {
  /** The new secret's id (revoke it with revokeSecret(key, secretId)). */
  secretId: string;
  /** The new signing secret in clear (`whsec_…`, Standard Webhooks): returned this once, never shown again. */
  secret: string;
  /** The webhook as stored after the rotation (secrets by hint only): `webhookEtag(webhook)` is the tag to send as the next change's `ifMatch`. */
  webhook: WebhookView;
}

/** Requests of a deleted webhook removed from the queue per round trip. */
const DISCARD_BATCH = 500;

/** Why the deletion of a webhook removed its queued requests (their `dropped` log entries say it). */
const DELETED_REASON = DROP_REASON.deleted;

/**
 * Waits (a millisecond, rarely two) until `clock` reads later than `at`'s millisecond. A clock
 * that does not move (a test's) is given up on after a few tries.
 */
async function pastMillisecond(clock: Clock, at: Date): Promise<void> {
  for (let tries = 0; tries < 5 && clock.now().getTime() <= at.getTime(); tries++) await new Promise((resolve) => setTimeout(resolve, 1));
}

/** How the webhook service reaches the app's queue engine: the one open now, undefined before the app starts. */
export class OpenQueueEngine {
  constructor(readonly current: () => QueueEngine<unknown> | undefined) {}
}

/** The {@link Webhooks} of one app (resolved from its container). */
@injectable()
export class WebhookService implements Webhooks {
  constructor(
    @inject(WebhookRepositoryToken) private readonly repository: WebhookRepository,
    private readonly catalogue: WebhookEventCatalogue,
    @inject(SettingsToken) private readonly settings: SettingsAccessor,
    @inject(ClockToken) private readonly clock: Clock,
    private readonly cache: WebhookCache,
    private readonly reporter: LifecycleReporter,
    @inject(LoggerToken) private readonly logger: Logger,
    private readonly health: WebhookHealthMonitor,
    private readonly changes: WebhookChanges,
    private readonly engine: OpenQueueEngine,
    private readonly dropped: DroppedRequests,
  ) {}

  /** Creates a webhook. With `secret: true`, the result holds the generated secret, once. */
  async create(given: WebhookInput): Promise<CreatedWebhook> {
    const input = this.read(given, 'create');
    const { problems, href } = this.checkInput(input, 'create');
    if (problems.length > 0) this.refuse(problems);
    const flow = this.flowControl(input, {});
    const secret = input.secret === true ? generateSecret() : typeof input.secret === 'string' ? input.secret : undefined;
    const now = this.clock.now();
    const { headers, sensitiveHeaders } = this.splitHeaders(input.headers ?? {});
    const webhook: Webhook = {
      key: input.key ?? randomUUID(),
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      url: href!,
      events: [...new Set(input.events)],
      contentTypeKeys: [...new Set(input.contentTypeKeys ?? [])],
      headers,
      sensitiveHeaders,
      enabled: input.enabled ?? true,
      ...(input.format ? { format: normalizeFormat(input.format) } : {}),
      secrets: secret ? [{ id: randomUUID(), secret, createdAt: now }] : [],
      ...flow,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.repository.create(webhook);
    } catch (error) {
      // Each backend raises it bare: the key given is the field at fault, which an API names beside the caller's input.
      if (input.key !== undefined && isHookworkError(error, 'HOOKWORK_ERR_WEBHOOK_EXISTS') && error.details === undefined) {
        throw new HookworkError('HOOKWORK_ERR_WEBHOOK_EXISTS', messageWithoutCode(error), { details: [{ field: 'key', problem: `is ${shownValue(input.key)}, which another webhook has; choose another key, or leave it out for a UUID` }] });
      }
      throw error;
    }
    // The key may be one another process deleted while this one still kept its webhook.
    this.cache.invalidate(webhook.key);
    // A key chosen again may have health left from an earlier webhook of that key (a deletion
    // whose health write failed; an earlier hookwork let an attempt ending after the deletion
    // write it back): the new webhook began with that failing streak, or that open breaker.
    if (input.key !== undefined) await this.forgetLeftoverHealth(webhook.key);
    // …and requests left from it: a deletion cut short after the webhook went (its process killed,
    // the store failing) leaves them queued, and the cleanup round sweeps only keys no webhook has,
    // so the deleted one's dead letters were listed and counted as this one's until their retention
    // ran out. Those published before this webhook's creation are the deleted one's (delivery drops
    // them when it meets them, see predatesWebhook): removed and logged as its deletion would. One
    // bounded look for a key never used; never fails the creation (a failure is a background error).
    if (input.key !== undefined) await this.discardQueued(webhook.key, new Date(now.getTime() - 1));
    this.warnIfRefusedByGuard(webhook);
    return { ...this.view(webhook), ...(secret && input.secret === true ? { secret } : {}) };
  }

  /**
   * Every problem create() would refuse `input` for, storing nothing: `[]` when it would be
   * accepted (a key already taken is found only by create()). For plugins that take webhooks in
   * a shape of their own (Cockpit's) and must report their own problems and these in one
   * refusal.
   */
  check(input: unknown): WebhookInputProblem[] {
    const read = readCallerInput(input);
    if (!read.ok) return [unreadableProblem(read.unreadable)];
    return this.checkInput(read.value, 'create').problems;
  }

  /** Changes some fields of a webhook; the others stay; under `options.ifMatch`, only from a state it names. */
  async update(key: string, given: WebhookPatch, options?: WebhookPrecondition): Promise<WebhookView> {
    // Only what the patch gives is checked: a stored webhook may hold events no longer composed
    // (flagged), which a patch may send back as they are (its edit form does), but not add.
    checkKey('webhooks.update()', 'key', key, 'webhookKey');
    const precondition = parsePrecondition('webhooks.update()', options);
    const patch = this.read(given, 'update');
    const { problems, href } = this.checkInput(patch, 'update', await this.keptAliases(key, patch));
    if (problems.length > 0) this.refuse(problems);
    // A disabled webhook enabled again starts with no health. Forgotten before the webhook is
    // stored enabled, not after: a process killed in between (or a store failing to forget) left
    // it enabled under its old failing health — an open breaker holding it, a streak that disabled
    // it again at its next failure — and the update rejected although it was stored. Now the
    // update fails with nothing changed but the health of a webhook that stays disabled (sent
    // nothing, so no attempt writes it meanwhile).
    const forgotBefore = patch.enabled === true && (await this.disabledAsStored(key, precondition));
    if (forgotBefore) await this.health.forget(key);
    let before: Webhook | undefined;
    const next = await this.change(key, precondition, (current) => {
      before = current;
      // Judged again on the webhook as the change step reads it: another writer may have removed
      // an alias read as stored above.
      if (Array.isArray(patch.events)) {
        const added = this.aliasProblems(patch.events, new Set(current.events));
        if (added.length > 0) this.refuse(added);
      }
      if (patch.headers) {
        const placeholders = placeholderProblems(patch.headers, current);
        if (placeholders.length > 0) this.refuse(placeholders);
      }
      const flow = this.flowControl(patch, current);
      const headerParts = patch.headers ? this.keepRedacted(this.splitHeaders(patch.headers), current) : { headers: current.headers, sensitiveHeaders: current.sensitiveHeaders };
      // Judged on the headers as they will be stored, the sensitive values a placeholder keeps
      // counted. Only when the patch gives headers: a webhook stored over the cap before it was
      // set is still enabled, disabled, moved or renamed as ever; giving its headers, an edit
      // must bring them under the cap.
      if (patch.headers) {
        const total = customHeaderTotalProblem(headerParts.headers);
        if (total) this.refuse([{ field: 'headers', problem: total }]);
      }
      if (href !== undefined) this.checkSecretsStay(key, current, href, patch.headers);
      const { rateLimit: _r, breaker: _b, fifo: _f, ...rest } = current;
      const next: Webhook = {
        ...rest,
        ...flow,
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        url: href ?? current.url,
        events: patch.events ? [...new Set(patch.events)] : current.events,
        contentTypeKeys: patch.contentTypeKeys ? [...new Set(patch.contentTypeKeys)] : current.contentTypeKeys,
        ...headerParts,
        enabled: patch.enabled ?? current.enabled,
        ...(patch.format ? { format: normalizeFormat(patch.format) } : {}),
        updatedAt: current.updatedAt,
      };
      // A patch that changes nothing (`{}`, or the values stored) keeps updatedAt and so the
      // ETag: bumping them failed every other editor's ifMatch for no change.
      return isDeepStrictEqual(next, current) ? current : { ...next, updatedAt: this.clock.now() };
    });
    const enabledAgain = !before!.enabled && next.enabled;
    const moved = before!.url !== next.url;
    if (enabledAgain || moved) await this.startAfresh(key, moved ? (enabledAgain ? 'enabled again and moved to another URL' : 'moved to another URL') : 'enabled again', { forgotBefore });
    if (patch.url !== undefined) this.warnIfRefusedByGuard(next);
    return this.view(next);
  }

  /**
   * The aliases a patch's events may keep without their being composed: the stored webhook's own.
   * Read only when the patch names one no composed event handles (or a pattern's text); none else.
   */
  /**
   * Whether webhook `key` is stored disabled, in a state `precondition` names (one it does not is
   * refused by the change itself, which then forgets nothing).
   */
  private async disabledAsStored(key: string, precondition: ParsedPrecondition | undefined): Promise<boolean> {
    const stored = await this.repository.get(key);
    if (!stored || stored.enabled) return false;
    return !precondition || preconditionHolds(precondition, () => webhookEtag(this.view(stored)));
  }

  private async keptAliases(key: string, patch: unknown): Promise<ReadonlySet<string>> {
    const events = isRecord(patch) && Array.isArray(patch.events) ? (patch.events as unknown[]) : [];
    if (!events.some((alias) => typeof alias === 'string' && alias !== '' && (alias.includes('*') || !this.catalogue.isKnown(alias)))) return new Set();
    return new Set((await this.repository.get(key))?.events ?? []);
  }

  /**
   * Deletes a webhook. Its queued requests (pending and dead) are removed from the queue now, each
   * logged as `dropped` (the entries are written before this resolves); those in flight, and those of a queue engine that cannot remove them
   * (BullMQ), are dropped and logged when delivery meets them. Resolves once the clock has passed
   * the deletion's millisecond, so a webhook created again under the key after it (here or in
   * another process) is created later than any request published for this one (see
   * predatesWebhook): no request of this one is ever sent to it.
   */
  async delete(key: string, options?: WebhookPrecondition): Promise<boolean> {
    checkKey('webhooks.delete()', 'key', key, 'webhookKey');
    const precondition = parsePrecondition('webhooks.delete()', options);
    const deleted = precondition
      ? await this.changes.deleteIf(key, (current) => {
          this.checkPrecondition(key, precondition, current);
          return true;
        })
      : await this.repository.delete(key);
    // A publish that read the webhook before this stamps its requests before this, unless its
    // payloads were still being made: delivery meets those (dropped, or see predatesWebhook).
    const deletedAt = this.clock.now();
    this.cache.invalidate(key);
    if (!deleted) return false;
    // The webhook is deleted: a failure to forget its health is not the deletion's (it rejected
    // although the webhook was gone). What is left under the key is read as nobody's: no breaker
    // series, and a webhook created again under the key clears it.
    try {
      await this.health.forget(key);
    } catch (error) {
      this.reporter.backgroundError(`forgetting the health of deleted webhook ${key}`, error, 'the webhook is deleted; the health left under its key is not reported, and a webhook created again under the key clears it');
    }
    await this.discardQueued(key, deletedAt);
    await pastMillisecond(this.clock, deletedAt);
    return true;
  }

  /**
   * Removes the pending and dead requests of a deleted webhook from the queue, logging each as
   * `dropped`, in batches, and resolves once those log entries are written: whoever deleted it
   * (an API's answer) reads them in the log at once. A failure is logged, not the deletion's: the
   * webhook is deleted, and what is left goes when delivery meets it (pending) or at the next
   * cleanup round ({@link discardOrphaned}). Returns how many it removed.
   */
  private async discardQueued(key: string, publishedUpTo: Date, halted: () => boolean = () => false): Promise<number> {
    const engine = this.engine.current();
    if (!engine?.discard && !engine?.discardAndLog) return 0;
    let reported = 0;
    let combined = engine.discardAndLog !== undefined;
    try {
      for (;;) {
        // With their `dropped` entries in the removal's write when the engine can: the entry
        // remembers a keyed request's id, so a publish made again in between (the webhook created
        // again under the key by another process) is skipped, not sent to the new webhook.
        let batch: WebhookRequest[];
        try {
          batch = combined
            ? await engine.discardAndLog!(key, publishedUpTo, DISCARD_BATCH, (request) => this.dropped.entry(request, DELETED_REASON))
            : await engine.discard!(key, publishedUpTo, DISCARD_BATCH);
        } catch (error) {
          // The store refused the combined write (an entry it cannot hold): said, then removed
          // alone and logged after, as the completions fall back, so the deleted webhook's dead
          // letters are not left listed under its key. Another failure fails the same way again.
          if (!combined || !engine.discard) throw error;
          this.reporter.backgroundError(`removing the queued requests of deleted webhook ${key} with their log entries`, error, 'removing them alone instead, their entries logged after');
          combined = false;
          continue;
        }
        for (const request of batch) this.dropped.told(request, DELETED_REASON, combined ? undefined : this.dropped.entry(request, DELETED_REASON));
        reported += batch.length;
        if (batch.length < DISCARD_BATCH || halted()) break;
      }
    } catch (error) {
      this.reporter.backgroundError(`removing the queued requests of deleted webhook ${key}`, error, 'the webhook is deleted; delivery drops (and logs) its pending requests when it meets them, and the next cleanup round (hourly, and a second after start) removes what is left, dead letters too');
    }
    // One append for every entry (the writer batches them); its failure is reported, never thrown.
    if (reported > 0) await this.dropped.flush();
    return reported;
  }

  /**
   * Removes the pending and dead requests of `key` as its deletion does (each logged as `dropped`,
   * with `requestDropped`) when the webhook `seen` is no longer in the store (read from it, not the
   * cache), and resolves true; false when it still is. The delivery handler calls it after the
   * engine made a request of `seen` a dead letter: a deletion that committed between the attempt's
   * last look at the webhook and that write skipped the request (in flight then), which would stay
   * dead under the deleted key. A deletion committing after this read removes it itself (its
   * discard runs after its DELETE and finds the request dead), so either order ends with none left.
   * Only requests published before the read go (see {@link discardOrphaned}).
   *
   * A webhook created again under the key since (as infrastructure as code replaces one) is another
   * webhook, not `seen`: only the requests published before its creation go — the deleted ones',
   * which delivery would drop anyway (see predatesWebhook) — and its own stay. (One whose
   * `createdAt` lies ahead of the clock is not judged by it, as delivery does not: false.) A
   * failure to read rejects.
   */
  async dropIfDeleted(key: string, seen: Pick<Webhook, 'createdAt'>): Promise<boolean> {
    const now = this.clock.now().getTime();
    const current = await this.repository.get(key);
    let publishedUpTo = new Date(now - 1);
    if (current) {
      const created = current.createdAt.getTime();
      if (created === seen.createdAt.getTime() || created > now) return false;
      publishedUpTo = new Date(created - 1);
    }
    this.cache.invalidate(key);
    await this.discardQueued(key, publishedUpTo);
    return true;
  }

  /**
   * Removes the pending and dead requests of webhooks that no longer exist, each logged as
   * `dropped`, and returns how many: what a deletion cut short between the webhook's removal and
   * its requests' left behind (its process killed, the store failing), which delivery meets only
   * when a pending one is due and never for a dead letter. Run by the cleanup round. Only requests
   * published before the webhook was found missing go: a webhook created under the key after that
   * look has none of them (its requests are stamped after its creation), and one created before it
   * keeps its key out of the sweep. A failure after some were removed ends the sweep as a
   * background error, and those are counted. Needs the engine's `queuedWebhookKeys` and `discard`. Once
   * `halted` says so (the app stopping), it ends after the batch it is removing; the next round
   * goes on.
   */
  async discardOrphaned(halted: () => boolean = () => false): Promise<number> {
    const engine = this.engine.current();
    if (!engine?.queuedWebhookKeys || (!engine.discard && !engine.discardAndLog)) return 0;
    // Before any webhook is looked up, and a millisecond back: a webhook created under a key in the
    // millisecond of the look may have a request stamped with it.
    const publishedUpTo = new Date(this.clock.now().getTime() - 1);
    let removed = 0;
    try {
      for (const key of await engine.queuedWebhookKeys()) {
        if (halted()) break;
        if (await this.repository.get(key)) continue;
        removed += await this.discardQueued(key, publishedUpTo, halted);
      }
    } catch (error) {
      // Requests are gone already: they are counted in the round's answer (thrown, the round
      // answered 0 and told an operator nothing had gone), and the failure is told as the round's is.
      if (removed === 0) throw error;
      this.reporter.backgroundError('looking up the webhooks of queued requests, to drop those of deleted webhooks', error, `the ${removed} requests dropped before it are counted in the round's droppedRequests; the next cleanup round (hourly) goes on with the rest`);
    }
    return removed;
  }

  /**
   * A webhook enabled again by an operator, or pointed at another receiver, starts afresh: its
   * health is forgotten (the breaker closes, a receiver's pause ends, a new failing streak starts
   * from nothing) and so is what that health was holding. Its requests that wait for a later due
   * time (deferred to a receiver's Retry-After pause or an open breaker's probe, retries on their
   * backoff, those deferred while it was disabled) are made due now: they waited up to
   * `maxRetryAfter` (1 h) with nothing sent. Every path that forgets a live webhook's health comes
   * here, so none forgets the health and keeps its hold. (A deleted webhook's requests are
   * discarded instead; a new one's key may have health left, but no requests of its own.)
   */
  private async startAfresh(key: string, why: string, { forgotBefore }: { forgotBefore: boolean }): Promise<void> {
    // The webhook is stored: a failure to forget is not the update's to reject (it did, though the
    // change was made). A moved webhook's old health is read as its old receiver's, not the new
    // one's (WebhookHealthState.receiver); one enabled again had its health forgotten before.
    // Forgotten again here all the same: an attempt's health write under way when it was disabled.
    try {
      await this.health.forget(key);
    } catch (error) {
      const after = forgotBefore || why !== 'enabled again'
        ? 'the webhook is changed; the health stored before the change is not read as its receiver\'s (forgotten before it was enabled, or judging its earlier URL)'
        : 'the webhook is enabled; its earlier health stays until it is forgotten (disable and enable it again)';
      this.reporter.backgroundError(`forgetting the health of webhook ${key}, ${why}`, error, after);
    }
    await this.bringForward(key, why);
  }

  /**
   * Makes the webhook's requests that wait for a later due time due now (see {@link startAfresh}).
   * A failure is a background error, not the update's: the webhook is already stored.
   */
  private async bringForward(key: string, why: string): Promise<void> {
    const engine = this.engine.current();
    if (!engine?.bringForward) return;
    try {
      await engine.bringForward(key);
    } catch (error) {
      this.reporter.backgroundError(`bringing forward the deferred requests of webhook ${key}, ${why}`, error, "the webhook is changed, and those requests go out when they were due (at most maxRetryAfter for a receiver's pause)");
    }
  }

  /** Forgets the health stored under a new webhook's key; a failure is logged, as the webhook is already stored. */
  private async forgetLeftoverHealth(key: string): Promise<void> {
    try {
      await this.health.forget(key);
    } catch (error) {
      this.logger.warn(`webhook ${key} was created, but the health left under its key by an earlier webhook could not be cleared (its breaker may start as that one's was): ${(error as Error)?.message ?? error}`, { error });
    }
  }

  /** One webhook, or undefined. */
  async get(key: string): Promise<WebhookView | undefined> {
    checkKey('webhooks.get()', 'key', key, 'webhookKey');
    const webhook = await this.repository.get(key);
    return webhook && this.view(webhook);
  }

  /** Webhooks in creation order, paged by offset or by the `after` cursor, with how many there are in all and the `next` cursor. */
  async list(given?: CursorPageRequest): Promise<Page<WebhookView>> {
    const page = readOrRefuse(given, (path, problem) => new HookworkError('HOOKWORK_ERR_INVALID_QUERY', `webhooks.list() page${path ? `.${path}` : ''} ${problem}`));
    // Every key checked first: a misspelt narrowing ({ take: 1 }, { cursor }) must not widen the listing.
    checkPage('webhooks.list', page, true);
    const repository = this.repository;
    const listPage = repository.listPage?.bind(repository);
    const result = await cursorPage(
      'webhooks.list',
      page ?? {},
      listPage !== undefined,
      async (paging) => {
        if (listPage) return listPage(paging);
        const [items, total] = await Promise.all([repository.list(paging), repository.count()]);
        return { items, total };
      },
      DEFAULT_PAGE_SIZE,
    );
    return { ...result, items: result.items.map((w) => this.view(w)) };
  }

  /** The keys of every stored webhook (management's redelivery leaves out dead letters of any other key). */
  async keys(): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of webhookPages(this.repository)) for (const webhook of page) keys.push(webhook.key);
    return keys;
  }

  /**
   * Webhooks subscribed to events that no composed event handles (after a plugin was removed
   * or an event class renamed): they are kept and listed here, not a crash at start.
   */
  async listWithUnknownEvents(): Promise<WebhookView[]> {
    const flagged: WebhookView[] = [];
    for await (const page of webhookPages(this.repository)) {
      for (const webhook of page) if (this.unknownEvents(webhook).length > 0) flagged.push(this.view(webhook));
    }
    return flagged;
  }

  /**
   * Starts a secret rotation: a new generated secret signs from now on, and the current ones go
   * on signing until the grace period ends (default: the secretRotationGracePeriod setting).
   * Returns the new secret in clear, once.
   */
  async rotateSecret(key: string, options?: { gracePeriod?: DurationInput; gracePeriodMs?: number } & WebhookPrecondition): Promise<RotatedSecret> {
    checkKey('webhooks.rotateSecret()', 'key', key, 'webhookKey');
    const precondition = parsePrecondition('webhooks.rotateSecret()', options ?? undefined, ['gracePeriod', 'gracePeriodMs']);
    const { gracePeriod } = options ?? {};
    let { gracePeriodMs } = options ?? {};
    if (gracePeriod !== undefined) {
      // The forms every hookwork duration takes, read by the settings' parser.
      if (gracePeriodMs !== undefined) throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', 'rotateSecret(): give gracePeriod or gracePeriodMs, not both');
      const ms = parseDuration(gracePeriod);
      if (ms === undefined) throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `rotateSecret(): gracePeriod ${durationAdvice(gracePeriod)} (got ${shownValue(gracePeriod)})`);
      if (ms > MAX_GRACE_PERIOD_MS) throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `rotateSecret(): gracePeriod must be at most 30 days ("30.00:00:00", ${MAX_GRACE_PERIOD_MS} ms); got ${shownValue(gracePeriod)}`);
      gracePeriodMs = Math.round(ms);
    }
    // A bad grace period would silently revoke the current secret (an expiry in 1970) and every
    // receiver still on it would answer 401: refused instead.
    if (gracePeriodMs !== undefined && (!Number.isInteger(gracePeriodMs) || gracePeriodMs < 0 || gracePeriodMs > MAX_GRACE_PERIOD_MS)) {
      throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `rotateSecret(): gracePeriodMs must be a whole number of milliseconds from 0 (revoke the current secret at once) to ${MAX_GRACE_PERIOD_MS} (30 days); got ${shownValue(gracePeriodMs)}`);
    }
    const secret = generateSecret();
    const secretId = randomUUID();
    const next = await this.change(key, precondition, (current) => {
      const now = this.clock.now();
      const grace = gracePeriodMs ?? this.settings.current.secretRotationGracePeriod;
      const expiresAt = new Date(now.getTime() + grace);
      const secrets = current.secrets
        .filter((s) => !s.expiresAt || s.expiresAt > now)
        .map((s) => (s.expiresAt && s.expiresAt < expiresAt ? s : { ...s, expiresAt }));
      const signing = secrets.filter((s) => !s.expiresAt || s.expiresAt > now).length;
      if (signing + 1 > MAX_SIGNING_SECRETS) {
        throw new HookworkError(
          'HOOKWORK_ERR_TOO_MANY_SECRETS',
          `webhook ${key} already has ${signing} secrets signing its requests (the current one and those in their grace period), and every request carries a signature of each: at most ${MAX_SIGNING_SECRETS} sign at once. Nothing was changed; revoke the old ones the receiver no longer uses (app.webhooks.revokeSecret), or rotate with gracePeriodMs: 0 to end their grace now`,
        );
      }
      secrets.push({ id: secretId, secret, createdAt: now });
      return { ...current, secrets, updatedAt: now };
    });
    return { secretId, secret, webhook: this.view(next) };
  }

  /** Removes one secret at once (e.g. a leaked one); under `options.ifMatch`, only from a state it names. */
  async revokeSecret(key: string, secretId: string, options?: WebhookPrecondition): Promise<WebhookView> {
    checkKey('webhooks.revokeSecret()', 'key', key, 'webhookKey');
    checkKey('webhooks.revokeSecret()', 'secretId', secretId, 'secretId');
    const precondition = parsePrecondition('webhooks.revokeSecret()', options);
    const next = await this.change(key, precondition, (current) => {
      if (!current.secrets.some((s) => s.id === secretId)) {
        throw new HookworkError('HOOKWORK_ERR_SECRET_NOT_FOUND', `webhook ${key} has no secret ${quoted(secretId)}; list its secrets with app.webhooks.get(${quoted(key)})`);
      }
      return { ...current, secrets: current.secrets.filter((s) => s.id !== secretId), updatedAt: this.clock.now() };
    });
    // Not refused: revoking a leaked secret must never wait. But a webhook left with none sends
    // its requests unsigned from now on, which a verifying receiver refuses: said, not silent.
    const now = this.clock.now();
    if (!next.secrets.some((s) => !s.expiresAt || s.expiresAt > now)) {
      this.logger.warn(
        `webhook ${key} has no signing secret left after revoking ${secretId}: its requests are sent unsigned (no webhook-signature) from now on, and a receiver that verifies signatures refuses them. To replace a leaked secret, rotate first (app.webhooks.rotateSecret(key, { gracePeriodMs: 0 })) and give the receiver the new one`,
        { webhookKey: key, secretId },
      );
    }
    return this.view(next);
  }

  /**
   * Replaces webhook `key` with `compute(current)` through {@link WebhookChanges} (one step
   * against every other change of it; `compute` may run again with a newer webhook) and returns
   * what was stored; delivery in this process sees the change at once. The precondition is
   * checked on the webhook `compute` is given, inside that one step, before `compute` runs. What
   * either throws is thrown, with nothing stored.
   */
  private async change(key: string, precondition: ParsedPrecondition | undefined, compute: (current: Webhook) => Webhook): Promise<Webhook> {
    // The repository's not-found error does not say how to list webhooks: this one does.
    await this.require(key);
    let next: Webhook;
    try {
      next = await this.changes.modify(key, (current) => {
        if (precondition) this.checkPrecondition(key, precondition, current);
        return compute(current);
      });
    } catch (error) {
      if (isHookworkError(error, 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND')) await this.require(key);
      throw error;
    }
    this.cache.invalidate(key);
    return next;
  }

  /**
   * A webhook on an internal address the SSRF guard will refuse (every newcomer's first local
   * receiver) is stored as asked, but said at once — lifecycle event and logger — instead of
   * surfacing later as a dead letter of kind `ssrf`.
   */
  private warnIfRefusedByGuard(webhook: Webhook): void {
    const reason = this.urlBlocked(webhook.url);
    if (reason === undefined) return;
    // The log shows the URL redacted (its path may be its secret); the key finds it whole.
    const shown = redactedUrl(webhook.url);
    this.logger.warn(`webhook ${webhook.key} (${shown}) will not be delivered: ${reason}`, { webhookKey: webhook.key, url: shown });
    this.reporter.emit('webhookUrlBlocked', { webhookKey: webhook.key, url: webhook.url, reason });
  }

  /**
   * HOOKWORK_ERR_WEBHOOK_CHANGED, with the webhook as it is and its tag in `details`, when `current`
   * (as stored, read inside the change's atomic step) is in no state the precondition names.
   */
  private checkPrecondition(key: string, precondition: ParsedPrecondition, current: Webhook): void {
    const view = this.view(current);
    let etag: string | undefined;
    if (preconditionHolds(precondition, () => (etag = webhookEtag(view)))) return;
    etag ??= webhookEtag(view);
    const details: WebhookChangedDetails = { key, etag, current: view };
    // At most five tags: a list is as long as its caller made it, and the message goes into logs and 412 answers.
    const { tags } = precondition.any ? { tags: ['*'] } : precondition;
    const given = tags.length === 0 ? 'no entity tag' : `${tags.slice(0, 5).join(', ')}${tags.length > 5 ? ` and ${tags.length - 5} more` : ''}`;
    throw new HookworkError(
      'HOOKWORK_ERR_WEBHOOK_CHANGED',
      `webhook ${key} is not in the state ifMatch names (${given}): it was changed since it was read, and is now ${etag}; nothing was changed. Apply the change to the webhook as it is now (error.details.current, or app.webhooks.get(${JSON.stringify(key)})) and make it again with ifMatch: error.details.etag`,
      { details },
    );
  }

  private async require(key: string): Promise<Webhook> {
    const webhook = await this.repository.get(key);
    if (!webhook) throw new HookworkError('HOOKWORK_ERR_WEBHOOK_NOT_FOUND', `no webhook has the key ${quoted(key)}; list them with app.webhooks.list()`);
    return webhook;
  }

  private unknownEvents(webhook: Webhook): string[] {
    return webhook.events.filter((alias) => !this.catalogue.isKnown(alias));
  }

  /** What a caller sees of `webhook`, with what this app derives from its own events and settings. */
  private view(webhook: Webhook): WebhookView {
    return toView(webhook, this.unknownEvents(webhook), this.urlBlocked(webhook.url));
  }

  /** Why delivery will refuse `url` under the current `ssrf` settings (its host an internal address known without a lookup), or undefined. */
  private urlBlocked(url: string): string | undefined {
    const refusal = internalUrlRefusal(url, this.settings);
    return refusal && messageWithoutCode(refusal);
  }

  /**
   * Every problem of a create() input or an update() patch, schema and meaning alike: a field
   * of the wrong shape is reported and the other fields are still checked, so one refusal lists
   * them all. Returns the URL's canonical form when it is given and accepted. `kept` are the
   * aliases the stored webhook already subscribes to (an update's): see {@link aliasProblems}.
   */
  private checkInput(input: unknown, mode: 'create' | 'update', kept: ReadonlySet<string> = new Set()): { problems: WebhookInputProblem[]; href?: string } {
    if (!isRecord(input)) {
      const got = input !== null && typeof input === 'object' ? `; got ${objectKindOf(input)}` : '';
      return { problems: [{ field: '(root)', problem: `webhook ${mode === 'create' ? 'input' : 'patch'} must be an object such as ${mode === 'create' ? '{ url, events }' : '{ enabled: false }'}${got}` }] };
    }
    // The webhook as app.webhooks answers it, sent back with a change (`update(key, { ...view,
    // enabled: false })`): its read-only fields were refused as "createdAt is a Date, not a plain
    // object; give an object literal", and `sensitiveHeaders` as "did you mean headers?".
    const viewOnly = VIEW_ONLY_FIELDS.filter((field) => ((field !== 'key' && field !== 'secret') || mode === 'update') && Object.hasOwn(input, field));
    const viewOnlyProblems = viewOnly.map((field): WebhookInputProblem => ({ field, problem: viewOnlyProblem(field, mode) }));
    if (viewOnly.length > 0) {
      const rest = { ...input };
      for (const field of viewOnly) delete rest[field];
      const checked = this.checkInput(rest, mode, kept);
      return { ...checked, problems: [...viewOnlyProblems, ...checked.problems] };
    }
    // Counted before anything walks them: 100,000 headers took seconds to be told "at most 50".
    const headerCount = isRecord(input.headers) ? Object.keys(input.headers).length : 0;
    if (headerCount > MAX_HEADERS) return { problems: [{ field: 'headers', problem: `has too many entries (at most ${MAX_HEADERS}); got ${headerCount}` }] };
    // A Map, Date or class instance where an object belongs passes the schema's `type: 'object'`
    // and reads as empty: `headers: new Map(…)` wiped every stored header. Refused by name.
    const unplain = nonPlainObjects(input, '', 8, mode === 'create' ? webhookInputSchema : patchSchema);
    if (unplain.length > 0) {
      return { problems: unplain.map((found) => ({ field: found.path, problem: nonPlainProblem(found, found.path.startsWith('headers') ? '{ "X-Name": "value" }' : '{ … }') })) };
    }
    const validate = mode === 'create' ? validateInput : validatePatch;
    const problems = validate(input) ? [] : this.schemaProblems(validate.errors);
    const reported = new Set(problems.map((p) => p.field));
    if (isRecord(input.breaker)) problems.push(...breakerDurationProblems(input.breaker, reported));
    let href: string | undefined;
    if (typeof input.url === 'string' && !reported.has('url')) {
      const url = checkUrl(input.url);
      for (const problem of url.problems) problems.push({ field: 'url', problem });
      href = url.href;
    }
    if (Array.isArray(input.events)) problems.push(...this.aliasProblems(input.events, kept));
    if (isRecord(input.headers)) problems.push(...this.headerProblems(input.headers), ...headerTotalProblems(input.headers, mode));
    if (mode === 'create' && isRecord(input.headers)) problems.push(...placeholderProblems(input.headers, undefined));
    if (input.fifo !== undefined && input.fifo !== false && !reported.has('fifo')) problems.push(...this.fifoProblems({ onDeadLetter: 'skip' }));
    if (isRecord(input.format) && !reported.has('format') && ![...reported].some((field) => field.startsWith('format.'))) problems.push(...formatProblems(input.format as unknown as WebhookFormat));
    if (mode === 'create' && typeof input.secret === 'string') {
      const problem = signingSecretProblem(input.secret);
      if (problem) problems.push({ field: 'secret', problem });
    }
    return { problems, ...(href !== undefined ? { href } : {}) };
  }

  /**
   * Aliases a webhook may not subscribe to: one no composed event handles, and a pattern's own
   * text. Those in `kept` — the stored webhook's own, when an update sends its events back — are
   * not refused: a webhook whose event is gone (a plugin removed) keeps firing for its other events
   * and can still be edited (its edit form sends every alias it has back). Only adding one is refused.
   */
  private aliasProblems(events: readonly unknown[], kept: ReadonlySet<string>): WebhookInputProblem[] {
    const problems: WebhookInputProblem[] = [];
    const added = events.filter((alias): alias is string => typeof alias === 'string' && !kept.has(alias));
    // A pattern's own text: no request ever fires under it, as `*` marks where a variant's name goes.
    for (const alias of added.filter((a) => a.includes('*'))) problems.push({ field: 'events', problem: this.patternSubscriptionProblem(alias) });
    const unknown = added.filter((alias) => alias !== '' && !alias.includes('*') && !this.catalogue.isKnown(alias));
    if (unknown.length > 0) {
      const known = this.catalogue.list().slice(0, 8).map((e) => e.alias);
      const suggestions = this.nearestAliases(unknown);
      // An app created without composers (or whose composers cleared every event) knows no alias at
      // all: "(e.g. none composed)" named no fix, and the usual cause is a missing cmsComposer().
      // With events composed, the alias may still be one a package offers but this app did not add
      // (userSaved, with only cmsComposer()'s five defaults): the fix is in a composer, not the input.
      const composed = known.length > 0
        ? `the composed events are listed by app.events() (e.g. ${known.join(', ')}); an event a package offers counts only once a composer adds it (builder.webhookEvents().add(…) or the package's add…() method)`
        : 'this app composes no events at all: an alias counts once a composer adds its event, so pass composers to createHookwork() (e.g. { composers: [cmsComposer()] } for the CMS events, or one calling builder.webhookEvents().add(MyWebhookEvent))';
      problems.push({
        field: 'events',
        problem: `unknown event alias${unknown.length > 1 ? 'es' : ''} ${shownList(unknown)}${suggestions}; ${composed}${kept.size > 0 ? '; the aliases this webhook already subscribes to are kept as they are, composed or not, but a new one must be composed' : ''}`,
      });
    }
    return problems;
  }

  /**
   * "; did you mean "collections.save.after.posts" for "collections.save.aftr.posts"?" for the
   * first five unknown aliases a composed alias, synonym or pattern variant is near (a typo in an
   * event's name, or in the event part of a variant, the suffix kept); empty when none is. The
   * list of composed events the problem shows is their first eight, which rarely holds the one meant.
   */
  private nearestAliases(unknown: readonly string[]): string {
    const entries = this.catalogue.list();
    const names = entries.flatMap((e) => [e.alias, ...e.synonyms]);
    const bases = entries.flatMap((e) => e.patterns.filter((p) => p.endsWith('.*') && !p.slice(0, -2).includes('*')).map((p) => p.slice(0, -2)));
    const pairs: string[] = [];
    // Bounded: an edit distance per composed name, for a few aliases of a sane length.
    for (const alias of unknown.filter((a) => a.length <= 200).slice(0, 5)) {
      const dot = alias.lastIndexOf('.');
      const variants = dot > 0 ? bases.map((base) => `${base}${alias.slice(dot)}`) : [];
      // An event's name (Umbraco's back office shows "Content Published") is no alias: name the alias it has.
      const named = entries.find((e) => e.eventName.replace(/\s+/g, ' ').trim().toLowerCase() === alias.replace(/\s+/g, ' ').trim().toLowerCase());
      if (named) {
        pairs.push(`"${named.alias}" for "${alias}" (the event's name; a webhook subscribes by alias)`);
        continue;
      }
      const near = nearestName(alias, [...names, ...variants].filter((candidate) => candidate !== alias));
      if (near !== undefined && this.catalogue.isKnown(near)) pairs.push(`"${near}" for "${alias}"`);
    }
    return pairs.length > 0 ? `; did you mean ${pairs.join(', ')}?` : '';
  }

  /**
   * Why a webhook cannot subscribe to an alias with a `*`: the pattern's text matches no request
   * (each fires under a concrete alias such as `collections.save.after.posts`), so such a webhook
   * was stored and never received anything.
   */
  private patternSubscriptionProblem(alias: string): string {
    const owner = this.catalogue.list().find((event) => event.patterns.includes(alias));
    const example = alias.replace(/\*/g, 'posts');
    return owner
      ? `"${alias}" is the pattern of the event ${owner.alias} (${owner.eventName}), not an alias a request is sent under: every request carries a concrete variant. Subscribe to each variant you want, with its name in place of * (e.g. "${example}")`
      : `${shownValue(alias)} contains *, which only marks the variable part of an event's pattern, and no request is ever sent under it; subscribe to concrete aliases (e.g. ${shownValue(example)}); the composed events and their patterns are listed by app.events()`;
  }

  /** Custom headers' values, and names that would override hookwork's own or repeat one. */
  private headerProblems(headers: Record<string, unknown>): WebhookInputProblem[] {
    const problems: WebhookInputProblem[] = [];
    const { event, retryCount } = this.settings.current.headers;
    const reserved = new Set([...FRAMEWORK_HEADERS, event.toLowerCase(), retryCount.toLowerCase()]);
    const seen = new Set<string>();
    for (const [name, value] of Object.entries(headers)) {
      const lower = name.toLowerCase();
      if (name === '__proto__') {
        // A valid header token, but every object it passes through (this input, the stored JSON
        // read back, a transport's header bag, a receiver's) takes the key as its prototype on
        // assignment: it was dropped without a word. Refused by name, as the admin API refuses it.
        problems.push({ field: 'headers.__proto__', problem: "is a header named __proto__, which JavaScript reads as an object's prototype (assigned, it was dropped without a word); give the header another name" });
        continue;
      }
      const unsendable = connectionHeaderProblem(name) ?? bodyHeaderProblem(name);
      if (unsendable) problems.push({ field: `headers.${name}`, problem: unsendable });
      else if (reserved.has(lower)) problems.push({ field: `headers.${name}`, problem: 'is set by hookwork itself and cannot be overridden by a custom header' });
      if (seen.has(lower)) problems.push({ field: `headers.${name}`, problem: 'is given twice (header names are case-insensitive)' });
      seen.add(lower);
      const problem = headerInputProblem(value);
      if (problem) problems.push({ field: `headers.${name}`, problem });
    }
    return problems;
  }

  /**
   * HOOKWORK_ERR_SECRET_HEADERS_ORIGIN_CHANGED when an update moves a webhook to another origin
   * (RFC 6454: scheme, host or port) and would send it sensitive header values kept from the
   * stored webhook — left out of the patch, or sent back as "[redacted]". Whoever may edit a
   * webhook but never saw those values (an operator, a form) could otherwise point it at a
   * receiver of their own and read them off the next request; browsers drop credentials across
   * origins for the same reason. Values given in the update itself go: their giver knows them.
   */
  private checkSecretsStay(key: string, current: Webhook, href: string, given: Record<string, WebhookHeaderInput> | undefined): void {
    const from = originOf(current.url);
    const to = originOf(href);
    if (from === to) return;
    const secret = secretHeaderNames(current);
    const stored = Object.keys(current.headers).filter((name) => secret.has(name.toLowerCase()));
    // Kept: every stored one when the patch leaves headers as they are; else those it sends back
    // as the placeholder (keepRedacted puts the stored value back). A value typed here is given.
    const kept = given === undefined ? stored : Object.entries(given).filter(([name, input]) => (typeof input === 'string' ? input : input.value) === REDACTED && secret.has(name.toLowerCase())).map(([name]) => name);
    if (kept.length === 0) return;
    throw new HookworkError(
      'HOOKWORK_ERR_SECRET_HEADERS_ORIGIN_CHANGED',
      `webhook ${key} would move from ${from} to another origin, ${to}, taking the sensitive header${kept.length > 1 ? 's' : ''} ${kept.join(', ')} kept from its stored definition: their values were given for ${from} and are not sent to another receiver unless given again. Nothing was changed; give their values again in this update (headers: { ${kept.map((n) => `${JSON.stringify(n)}: { value: '…', sensitive: true }`).join(', ')} }), or remove them (headers without them)`,
      { details: { key, from, to, headers: kept } },
    );
  }

  /**
   * An edit form round-trips a view, whose sensitive values read "[redacted]": such a value
   * keeps the stored secret (and its sensitivity) instead of overwriting it with the placeholder.
   */
  private keepRedacted(next: Pick<Webhook, 'headers' | 'sensitiveHeaders'>, current: Webhook): Pick<Webhook, 'headers' | 'sensitiveHeaders'> {
    const storedByName = new Map(Object.entries(current.headers).map(([name, value]) => [name.toLowerCase(), value]));
    const stored = secretHeaderNames(current);
    const sensitive = new Set(next.sensitiveHeaders);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(next.headers)) {
      const lower = name.toLowerCase();
      if (value === REDACTED && stored.has(lower) && storedByName.has(lower)) {
        headers[name] = storedByName.get(lower)!;
        sensitive.add(lower);
      } else headers[name] = value;
    }
    return { headers, sensitiveHeaders: [...sensitive] };
  }

  /** The flow-control fields of a webhook: those given (null: removed), else those it had. */
  private flowControl(input: Pick<WebhookInput, 'rateLimit' | 'breaker' | 'fifo'>, current: Pick<Webhook, 'rateLimit' | 'breaker' | 'fifo'>): Pick<Webhook, 'rateLimit' | 'breaker' | 'fifo'> {
    const rateLimit = input.rateLimit === undefined ? current.rateLimit : input.rateLimit === null ? undefined : { perSecond: input.rateLimit.perSecond, burst: input.rateLimit.burst ?? Math.max(1, Math.ceil(input.rateLimit.perSecond)) };
    const breaker = input.breaker === undefined ? current.breaker : input.breaker === null || Object.keys(input.breaker).length === 0 ? undefined : breakerInMs(input.breaker);
    const fifo = input.fifo === undefined ? current.fifo : input.fifo === false ? undefined : { onDeadLetter: (input.fifo === true ? undefined : input.fifo.onDeadLetter) ?? 'skip' };
    return { ...(rateLimit ? { rateLimit } : {}), ...(breaker ? { breaker } : {}), ...(fifo ? { fifo } : {}) };
  }

  private fifoProblems(fifo: Webhook['fifo']): WebhookInputProblem[] {
    const queue = this.health.queue;
    if (!fifo || !queue || queue.fifo) return [];
    return [{ field: 'fifo', problem: `the ${queue.name} queue cannot keep FIFO order; leave fifo off, or use a storage whose queue declares fifo (memory, SQLite, PostgreSQL)` }];
  }

  private splitHeaders(input: Record<string, WebhookHeaderInput>): Pick<Webhook, 'headers' | 'sensitiveHeaders'> {
    const headers: Record<string, string> = {};
    const sensitiveHeaders: string[] = [];
    for (const [name, value] of Object.entries(input)) {
      // A credential header is stored sensitive, marked or not: views and logs already treat it so.
      if (typeof value === 'string') headers[name] = value;
      else headers[name] = value.value;
      if ((typeof value !== 'string' && value.sensitive) || CREDENTIAL_HEADERS.has(name.toLowerCase())) sensitiveHeaders.push(name.toLowerCase());
    }
    return { headers, sensitiveHeaders };
  }

  private schemaProblems(errors: ErrorObject[] | null | undefined): WebhookInputProblem[] {
    const problems: WebhookInputProblem[] = [];
    const seen = new Set<string>();
    for (const error of errors ?? []) {
      // anyOf reports each branch, and a bad header name also fails the name's own pattern:
      // keep the summary error of each. A header's value is judged by headerProblems(), which
      // names the offending character.
      if (error.schemaPath.includes('/anyOf/') || error.schemaPath.includes('/propertyNames/')) continue;
      if (/^\/headers\/[^/]+/.test(error.instancePath)) continue;
      const field = fieldOf(error);
      if (seen.has(field)) continue;
      seen.add(field);
      problems.push({ field, problem: `${describe(error, problems.length < SHOWN_ITEMS)}${gotValue(error)}` });
    }
    return problems;
  }

  /**
   * The caller's input, read once into a plain copy that every later step uses: a getter or Proxy
   * trap that throws is refused here, coded and naming the field, before anything is checked or stored.
   */
  private read<T>(given: T, mode: 'create' | 'update'): T {
    const read = readCallerInput(given);
    if (!read.ok) this.refuse([unreadableProblem(read.unreadable, mode)]);
    return read.value;
  }

  private refuse(problems: WebhookInputProblem[]): never {
    throw invalidWebhookError('webhook', problems, printableField);
  }
}
