import { readCallerInput } from '../model/caller-input';
import { isIP } from 'node:net';
import Ajv, { type ErrorObject } from 'ajv';
import { HookworkError, shownValue } from '../errors/hookwork-error';
import { SHOWN_ITEMS, shownList } from '../errors/shown-list';
import { nearestName } from '../errors/nearest-name';
import { BODY_HEADERS, CONNECTION_HEADERS, FRAMEWORK_HEADERS } from '../model/framework-headers';
import { isPlainObject, nonPlainObjects, nonPlainProblem, objectKind } from '../model/plain-object';
import { HEADER_NAME_PATTERN, HEADER_VALUE_PATTERN, headerNameProblem, headerValueProblem } from '../model/wire-rules';
import { deepFreeze, givenSettings } from './given-settings';
import { durationAdvice, parseDuration } from './time-span';
import { splitAllowEntry } from './allow-entry';
import {
  HEADER_STYLES,
  PAYLOAD_TYPES,
  deadLettersFollowLogs,
  defaultSettings,
  type HookworkSettings,
  type HookworkSettingsInput,
} from './settings';

const duration = { anyOf: [{ type: 'number', minimum: 0 }, { type: 'string' }] };

/**
 * The longest span a setting may add to or take from a date, in days (100 years): a retry's due
 * time, a breaker's probe, a rotated secret's end, the age logs are kept to. Far beyond any real
 * need, and far inside what every store keeps: a schedule entry of "99999999.00:00:00" made each
 * retry's due date an Invalid Date, which SQLite refused on every reschedule.
 */
const MAX_DATE_OFFSET_DAYS = 36_500;

/**
 * A decimal number's text, as an environment variable or settings file gives it (trimmed first).
 * `\d+(\.\d*)?`, not `\d+\.?\d*`: two runs of digits side by side try a long run every way it splits.
 */
export const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** {@link MAX_DATE_OFFSET_DAYS} in ms: the most a webhook's own breaker durations may be too. */
export const MAX_DATE_OFFSET_MS = MAX_DATE_OFFSET_DAYS * 86_400_000;
/**
 * The lowest rate limit but none, requests a second (one request in 11.6 days). Below it the wait
 * between two requests left what a date holds (1e-300 a second: an Invalid Date, and delivery
 * polled for it without end); a webhook that should get nothing is disabled instead.
 */
export const MIN_RATE_PER_SECOND = 0.000001;
const tooFar = `must be at most ${MAX_DATE_OFFSET_DAYS} days ("${MAX_DATE_OFFSET_DAYS}.00:00:00"); a date further away than that is beyond what a store keeps`;
/**
 * The most attempts in flight at once, in all or for one webhook. Whole-number settings need a
 * maximum: ajv's `integer` lets Infinity through, and BullMQ refused a concurrency of Infinity
 * (or 1e300) uncoded at start(); ten thousand sockets at once is beyond what one process serves.
 */
export const MAX_CONCURRENCY = 10_000;

/**
 * The most entries `retrySchedule` takes: `maximumRetries`' own bound (100). Retry n uses entry n
 * and the last one repeats, so an entry past the hundredth is never used; Svix's schedule has 5,
 * Convoy and Umbraco take a count with no list at all. 100,000 entries were accepted, held in
 * every process's settings and walked on each change.
 */
export const MAX_RETRY_SCHEDULE_ENTRIES = 100;
/** The largest `maxPayloadBytes`, bytes (100 MiB): a payload is stored whole with each request, and Redis keeps a value to 512 MB. */
export const MAX_PAYLOAD_BYTES = 100 * 1024 * 1024;
/** The largest `maxResponseBodyBytes`, bytes (16 MiB): each attempt's response body is kept in the delivery log up to it. */
export const MAX_RESPONSE_BODY_BYTES = 16 * 1024 * 1024;
const concurrencyInt = { type: 'integer', minimum: 1, maximum: MAX_CONCURRENCY };
const headerName = { type: 'string', maxLength: 100, pattern: HEADER_NAME_PATTERN };

/**
 * JSON Schema of a breaker's switch and counts, the same in the app's `breaker` settings and a
 * webhook's own `breaker` (its durations differ: see each schema).
 */
export const BREAKER_COUNT_PROPERTIES = {
  enabled: { type: 'boolean' },
  failureThreshold: { type: 'integer', minimum: 0, maximum: 1_000_000 },
  failureRate: { type: 'number', minimum: 0, maximum: 1 },
  minimumAttempts: { type: 'integer', minimum: 1, maximum: 1_000_000 },
} as const;

/** JSON Schema of {@link HookworkSettingsInput}; unknown keys are refused (a typo is an error, not ignored). */
export const settingsInputSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    maximumRetries: { type: 'integer', minimum: 0, maximum: MAX_RETRY_SCHEDULE_ENTRIES },
    period: duration,
    enableLoggingCleanup: { type: 'boolean' },
    keepLogsForDays: { type: 'number', exclusiveMinimum: 0, maximum: MAX_DATE_OFFSET_DAYS },
    keepDeadLettersForDays: { type: 'number', exclusiveMinimum: 0, maximum: MAX_DATE_OFFSET_DAYS },
    payloadType: { enum: PAYLOAD_TYPES },
    retrySchedule: { type: 'array', minItems: 1, maxItems: MAX_RETRY_SCHEDULE_ENTRIES, items: duration },
    retryJitter: { type: 'number', minimum: 0, maximum: 1 },
    maxRetryAfter: duration,
    retryClientErrors: { type: 'boolean' },
    timeout: duration,
    concurrency: {
      type: 'object',
      additionalProperties: false,
      properties: { global: concurrencyInt, perWebhook: concurrencyInt },
    },
    claimBatchSize: { type: 'integer', minimum: 1, maximum: 10_000 },
    leaseDuration: duration,
    maxPayloadBytes: { type: 'integer', minimum: 1, maximum: MAX_PAYLOAD_BYTES },
    maxResponseBodyBytes: { type: 'integer', minimum: 0, maximum: MAX_RESPONSE_BODY_BYTES },
    headers: {
      type: 'object',
      additionalProperties: false,
      properties: {
        style: { enum: ['hookwork', 'umbraco'] },
        event: headerName,
        retryCount: headerName,
        userAgent: { type: 'string', minLength: 1, maxLength: 1000, pattern: HEADER_VALUE_PATTERN },
      },
    },
    ssrf: {
      type: 'object',
      additionalProperties: false,
      properties: {
        allowInternal: { type: 'boolean' },
        allow: { type: 'array', items: { type: 'string', minLength: 1 } },
      },
    },
    secretRotationGracePeriod: duration,
    stopTimeout: duration,
    breaker: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...BREAKER_COUNT_PROPERTIES,
        window: duration,
        coolDown: duration,
      },
    },
    autoDisable: {
      type: 'object',
      additionalProperties: false,
      properties: { enabled: { type: 'boolean' }, after: duration },
    },
    rateLimit: {
      type: 'object',
      additionalProperties: false,
      properties: { perSecond: { type: 'number', minimum: 0, maximum: 1_000_000 }, burst: { type: 'integer', minimum: 0, maximum: 1_000_000 } },
    },
    throttleOnRetryAfter: { type: 'boolean' },
    tracing: {
      type: 'object',
      additionalProperties: false,
      properties: { traceparent: { type: 'boolean' } },
    },
  },
} as const;

// verbose: an error carries its parentSchema, so an unknown key is answered with the one meant.
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const validateInput = ajv.compile(settingsInputSchema);

const DURATION_KEYS = ['period', 'timeout', 'leaseDuration', 'maxRetryAfter', 'secretRotationGracePeriod', 'stopTimeout'] as const;
/** The longest delay a Node.js timer takes, ms (2^31 − 1). */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** Durations that become timers (the others are added to dates). */
const TIMER_KEYS = ['period', 'timeout', 'leaseDuration', 'stopTimeout'] as const;
/** Durations inside a group of settings: `group.key`. */
const NESTED_DURATION_KEYS = [
  ['breaker', 'window'],
  ['breaker', 'coolDown'],
  ['autoDisable', 'after'],
] as const;

/**
 * The shortest `period`, ms. The dispatcher is woken at once by enqueues and at the earliest
 * due retry, so the period is only a safety sweep; below this an idle app spends its time
 * querying the store (a 10 ms period cost 25 times the idle CPU of the default).
 */
export const MIN_PERIOD_MS = 100;

/** Settings that were renamed: the old name is refused with the new one in the message. */
const RENAMED: Readonly<Record<string, string>> = {
  'concurrency.perEndpoint': 'concurrency.perWebhook (lanes are per webhook, so webhooks of different owners on one host never share slots)',
};

/** @internal The old dotted names of renamed settings, for loadSettings to give a file's key in any case their spelling. */
export const RENAMED_SETTING_KEYS: readonly string[] = Object.freeze(Object.keys(RENAMED));


function keyOf(error: ErrorObject): string {
  const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return path ? `${path}.${extra}` : extra;
  }
  return path || '(root)';
}

/**
 * How many unknown keys get a "did you mean …?": finding the nearest name costs an edit distance
 * per known setting, and an object of 50,000 unknown keys took 13.6 s to refuse. The message
 * names the first {@link SHOWN_ITEMS} problems only, so more suggestions would not be seen.
 */
const SUGGESTED_KEYS = SHOWN_ITEMS;

/**
 * A list entry that is empty or only blanks (`retrySchedule: ['00:00:01', '']`, `ssrf.allow`'s
 * `'  '`) is most likely a typo — a doubled or trailing comma in the list it was copied from — and
 * is named so, as loadSettings() names one in an environment variable, rather than told the rules
 * of a duration or an address it never tried to be.
 */
const BLANK_ENTRY = 'is an empty entry, most likely a typo (a doubled or trailing comma?); remove it or write the entry meant there';
const isBlank = (value: unknown) => typeof value === 'string' && value.trim() === '';

function describe(error: ErrorObject, input: Record<string, unknown>, suggest = true): string {
  const params = error.params as Record<string, unknown>;
  const value = error.instancePath
    .split('/')
    .slice(1)
    .reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), input);
  // NaN passes ajv's number type and fails every bound: `failureRate: NaN` was told "must be at
  // most 1", a rule it does not break. (Infinity does break the upper bound.)
  if (Number.isNaN(value) && ['minimum', 'exclusiveMinimum', 'maximum'].includes(error.keyword)) return 'must be a number, not NaN';
  if (/\/\d+$/.test(error.instancePath) && isBlank(value)) return BLANK_ENTRY;
  switch (error.keyword) {
    case 'additionalProperties': {
      const renamed = Object.hasOwn(RENAMED, keyOf(error)) ? RENAMED[keyOf(error)] : undefined;
      if (renamed) return `was renamed ${renamed}`;
      if (!suggest) return 'is not a known setting (check the spelling; see docs/settings.md)';
      const known = Object.keys((error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
      const near = nearestName((params as { additionalProperty: string }).additionalProperty, known);
      return `is not a known setting${near ? ` (did you mean ${near}?)` : ' (check the spelling; see docs/settings.md)'}`;
    }
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'anyOf': {
      // The durations that refuse 0 as well: timeout, leaseDuration and every nested one.
      const key = keyOf(error);
      return durationAdvice(value, key === 'timeout' || key === 'leaseDuration' || NESTED_DURATION_KEYS.some(([group, name]) => key === `${group}.${name}`));
    }
    case 'type':
      // A string here is an environment or file value that is not digits only ("3.0", "1e2"): .NET's
      // binder refuses those for an int, and so does hookwork, showing the form it takes.
      if (params.type === 'integer' && typeof value === 'string' && DECIMAL.test(value.trim())) return 'must be a whole number written in digits only, such as 3 ("3.0" and "1e2" are not taken)';
      return params.type === 'integer' ? 'must be a whole number' : params.type === 'object' ? 'must be an object of settings' : params.type === 'array' ? 'must be a list' : `must be a ${String(params.type)}`;
    case 'minimum':
    case 'exclusiveMinimum':
      return `must be ${error.keyword === 'minimum' ? 'at least' : 'more than'} ${String(params.limit)}`;
    case 'maximum':
      return `must be at most ${String(params.limit)}`;
    case 'maxItems':
      return `has ${Array.isArray(value) ? value.length : 'too many'} entries; it takes at most ${String(params.limit)} (retry n uses entry n and the last repeats, and maximumRetries is at most ${MAX_RETRY_SCHEDULE_ENTRIES}: give the delays that differ and let the last one repeat)`;
    case 'minItems':
      return `needs at least ${String(params.limit)} entr${params.limit === 1 ? 'y' : 'ies'}`;
    case 'pattern':
      if (error.instancePath === '/headers/userAgent') return headerValueProblem((input.headers as Record<string, unknown>).userAgent) ?? 'is not a valid header value';
      if (error.instancePath === '/headers/event' || error.instancePath === '/headers/retryCount') {
        return headerNameProblem((input.headers as Record<string, unknown>)[error.instancePath.slice('/headers/'.length)]) ?? 'is not a valid header name';
      }
      return 'has characters that are not allowed';
    default:
      return error.message ?? 'is invalid';
  }
}

const ALLOW_ENTRY_RULE = 'must be an IP address, a CIDR range (10.0.0.0/8) or a host name, optionally with a port (127.0.0.1:4000, [::1]:4000, 10.0.0.0/8:8080, hooks.internal:8443)';

/**
 * What is wrong with an `ssrf.allow` entry, or undefined when the guard understands it: an IP, a
 * CIDR range, or a host name, optionally limited to a port (see splitAllowEntry).
 */
function allowEntryProblem(entry: string): string | undefined {
  const parts = splitAllowEntry(entry);
  if (parts.portProblem) return `${parts.portProblem}; an entry ${ALLOW_ENTRY_RULE}`;
  const bracketed = entry.trim().startsWith('[');
  if (bracketed && isIP(parts.base.split('/')[0]!) !== 6) return `puts ${JSON.stringify(parts.base)} in brackets, which only an IPv6 address or range takes; an entry ${ALLOW_ENTRY_RULE}`;
  const [base = '', bits, extra] = parts.base.split('/');
  if (extra !== undefined) return ALLOW_ENTRY_RULE;
  const family = isIP(base);
  if (family) return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)) ? undefined : ALLOW_ENTRY_RULE;
  if (bits !== undefined || !/^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/.test(base)) return ALLOW_ENTRY_RULE;
  // A URL reads a name whose last label is a number as an IPv4 address (2130706433, 0x7f.1 and
  // 127.1 are 127.0.0.1), so no delivery ever reaches the guard under that name.
  let host: string;
  try {
    host = new URL(`http://${base}/`).hostname;
  } catch {
    return ALLOW_ENTRY_RULE;
  }
  // The entry is shown as the message's "(got …)"; with a port, what a URL reads is its host part.
  const port = parts.port === undefined ? '' : `:${parts.port}`;
  return isIP(host) ? `names an IP address in another spelling: a URL reads ${port ? `its host ${base}` : 'it'} as the IP address ${host}, so as a host name it never matches; write ${host}${port}` : undefined;
}

/**
 * The event and retry-count header names the settings would give: neither may be a header
 * hookwork sets itself (it would replace it), nor the other one.
 */
function headerNameProblems(headers: unknown, base: HookworkSettings): { key: string; problem: string }[] {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) return [];
  const given = headers as Record<string, unknown>;
  const style = given.style === 'umbraco' || given.style === 'hookwork' ? given.style : base.headers.style;
  const defaults = style !== base.headers.style ? HEADER_STYLES[style] : base.headers;
  const names = {
    event: typeof given.event === 'string' ? given.event : defaults.event,
    retryCount: typeof given.retryCount === 'string' ? given.retryCount : defaults.retryCount,
  };
  const problems: { key: string; problem: string }[] = [];
  // A name given is shown once, as the message's "(got …)"; one that comes from the style is named here.
  const is = (key: 'event' | 'retryCount') => (given[key] === names[key] ? 'is' : `names ${names[key]},`);
  for (const key of ['event', 'retryCount'] as const) {
    if (BODY_HEADERS.has(names[key].toLowerCase())) problems.push({ key: `headers.${key}`, problem: `${is(key)} a header that describes the body hookwork makes (its coding or a checksum of it), which that setting's value would contradict on every request; choose another name` });
    else if (FRAMEWORK_HEADERS.includes(names[key].toLowerCase())) problems.push({ key: `headers.${key}`, problem: `${is(key)} a header hookwork sets itself; choose another name` });
    else if (CONNECTION_HEADERS.has(names[key].toLowerCase())) problems.push({ key: `headers.${key}`, problem: `${is(key)} a connection header (RFC 9110 §7.6.1) the HTTP client owns and a receiver never sees as sent; choose another name` });
  }
  if (names.event.toLowerCase() === names.retryCount.toLowerCase()) {
    const [key, other] = given.retryCount !== undefined ? (['retryCount', 'event'] as const) : (['event', 'retryCount'] as const);
    const otherName = names[other] === given[key] ? '' : ` (${names[other]})`;
    problems.push({ key: `headers.${key}`, problem: `is the same header as headers.${other}${otherName}; each needs its own name` });
  }
  return problems;
}

/**
 * @internal One bad setting: its dotted key, what is wrong with it and the value given. When
 * loadSettings() read the value from a file or the environment, `source` says where
 * (`environment variable HOOKWORK_ENABLED`, `appsettings.json: Hookwork:Enabled`) and `example`
 * a valid value written there (`HOOKWORK_ENABLED=true`, `"Enabled": true`).
 */
export interface SettingsProblem {
  key: string;
  problem: string;
  value?: unknown;
  source?: string;
  example?: string;
}

interface CheckedInput {
  problems: SettingsProblem[];
  /** Per group of settings with an unknown key ('' for the top level): the keys it does know. */
  knownOfGroup: Map<string, readonly string[]>;
  durations: Partial<Record<(typeof DURATION_KEYS)[number], number>>;
  nested: Record<string, Record<string, number>>;
  retrySchedule: number[] | undefined;
}

/**
 * Every problem of settings input (a plain copy, undefined keys left out), each with the value
 * given, and what the valid values read as. `crossKey` false leaves out the problems of one key
 * against another (two header names alike), which depend on the settings the input goes onto.
 */
function checkInput(input: HookworkSettingsInput, base: HookworkSettings, crossKey: boolean): CheckedInput {
  const problems: SettingsProblem[] = [];
  const knownOfGroup = new Map<string, readonly string[]>();
  if (!validateInput(input)) {
    const seen = new Set<string>();
    for (const error of validateInput.errors ?? []) {
      // anyOf reports each branch too; keep the summary line of each key only.
      if (error.schemaPath.includes('/anyOf/')) continue;
      const key = keyOf(error);
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push({ key, problem: describe(error, input as Record<string, unknown>, problems.length < SUGGESTED_KEYS) });
      if (error.keyword === 'additionalProperties' && !Object.hasOwn(RENAMED, key)) {
        const group = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
        if (!knownOfGroup.has(group)) knownOfGroup.set(group, Object.keys((error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {}));
      }
    }
  }
  const raw = input as Record<string, unknown>;
  const durations: CheckedInput['durations'] = {};
  for (const key of DURATION_KEYS) {
    if (raw[key] === undefined) continue;
    const ms = parseDuration(raw[key]);
    if (ms === undefined) {
      if (!problems.some((p) => p.key === key)) problems.push({ key, problem: durationAdvice(raw[key], key === 'timeout' || key === 'leaseDuration') });
    } else durations[key] = ms;
  }
  const nested: Record<string, Record<string, number>> = {};
  for (const [group, key] of NESTED_DURATION_KEYS) {
    const value = (raw[group] as Record<string, unknown> | undefined)?.[key];
    if (value === undefined) continue;
    const ms = parseDuration(value);
    const name = `${group}.${key}`;
    if (ms === undefined) {
      if (!problems.some((p) => p.key === name)) problems.push({ key: name, problem: durationAdvice(value, true) });
    } else if (ms === 0) problems.push({ key: name, problem: 'must be greater than zero' });
    else if (ms > MAX_DATE_OFFSET_MS) problems.push({ key: name, problem: tooFar });
    else (nested[group] ??= {})[key] = ms;
  }
  let retrySchedule: number[] | undefined;
  // Past the bound it is refused whole (maxItems), without reading each of its entries.
  if (Array.isArray(raw.retrySchedule) && raw.retrySchedule.length <= MAX_RETRY_SCHEDULE_ENTRIES) {
    retrySchedule = raw.retrySchedule.map((d) => parseDuration(d) ?? NaN);
    retrySchedule.forEach((ms, i) => {
      const key = `retrySchedule.${i}`;
      if (Number.isNaN(ms) && !problems.some((p) => p.key === key || p.key === 'retrySchedule')) problems.push({ key, problem: isBlank((raw.retrySchedule as unknown[])[i]) ? BLANK_ENTRY : durationAdvice((raw.retrySchedule as unknown[])[i]) });
      else if (ms > MAX_DATE_OFFSET_MS) problems.push({ key, problem: tooFar });
    });
  }
  if (crossKey) problems.push(...headerNameProblems(input.headers, base));
  for (const key of ['timeout', 'leaseDuration'] as const) {
    if (durations[key] === 0) problems.push({ key, problem: 'must be greater than zero' });
  }
  // These become Node.js timers, which take at most 2^31 − 1 ms: a longer one fires at once
  // (Node warns TimeoutOverflowWarning), so a 30-day timeout would fail every attempt.
  for (const key of TIMER_KEYS) {
    if ((durations[key] ?? 0) > MAX_TIMER_MS) problems.push({ key, problem: `must be at most ${MAX_TIMER_MS} ms ("24.20:31:23.647", the longest timer Node.js can set)` });
  }
  for (const key of ['maxRetryAfter', 'secretRotationGracePeriod'] as const) {
    if ((durations[key] ?? 0) > MAX_DATE_OFFSET_MS) problems.push({ key, problem: tooFar });
  }
  if (durations.period !== undefined && durations.period < MIN_PERIOD_MS) {
    problems.push({ key: 'period', problem: `must be at least ${MIN_PERIOD_MS} ms ("00:00:00.1"): it is only a safety sweep (enqueues and due retries wake delivery at once), and a shorter one keeps an idle app busy querying the store` });
  }
  const rate = input.rateLimit?.perSecond;
  if (typeof rate === 'number' && rate > 0 && rate < MIN_RATE_PER_SECOND) {
    problems.push({ key: 'rateLimit.perSecond', problem: `must be 0 (no limit) or at least ${MIN_RATE_PER_SECOND} (one request in 11.6 days); a slower rate puts the next request beyond any date` });
  }
  const allow = input.ssrf?.allow;
  if (Array.isArray(allow)) {
    allow.forEach((entry, i) => {
      const key = `ssrf.allow.${i}`;
      if (problems.some((p) => p.key === key)) return;
      const problem = isBlank(entry) ? BLANK_ENTRY : typeof entry === 'string' ? allowEntryProblem(entry) : undefined;
      if (problem) problems.push({ key, problem });
    });
  }
  for (const p of problems) {
    const value = p.key.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), raw);
    // A list past its bound is not repeated into the error (and every log line it reaches): its count is in the problem.
    if (value !== undefined && !(Array.isArray(value) && value.length > MAX_RETRY_SCHEDULE_ENTRIES)) p.value = value;
  }
  return { problems, knownOfGroup, durations, nested, retrySchedule };
}

/**
 * @internal One problem as the message shows it: `maximumRetries must be at most 100 (got 1000)`,
 * or, read from a file or the environment, where from and a valid value written there
 * (`environment variable HOOKWORK_ENABLED (setting enabled) must be a boolean (got "yes"); e.g. HOOKWORK_ENABLED=true`).
 */
export function settingsProblemLine(p: SettingsProblem): string {
  const got = p.value === undefined ? '' : ` (got ${shownValue(p.value)})`;
  if (p.source === undefined) return `${p.key} ${p.problem}${got}`;
  const setting = isSettingKey(p.key) ? ` (setting ${p.key})` : '';
  return `${p.source}${setting} ${p.problem}${got}${p.example === undefined ? '' : `; e.g. ${p.example}`}`;
}

/** Whether a dotted key names a setting (or an entry of a list setting), not an unknown key. */
function isSettingKey(key: string): boolean {
  let node: { properties?: Record<string, unknown>; type?: unknown } | undefined = settingsInputSchema;
  for (const segment of key.split('.')) {
    if (node?.type === 'array' && /^\d+$/.test(segment)) return true;
    node = node?.properties && Object.hasOwn(node.properties, segment) ? (node.properties[segment] as typeof node) : undefined;
    if (node === undefined) return false;
  }
  return true;
}

/** @internal The one HOOKWORK_ERR_INVALID_SETTINGS for `problems`, naming every one and, for each group with an unknown key, the keys it knows; `end` ends the message. */
export function settingsError(problems: readonly SettingsProblem[], knownOfGroup: ReadonlyMap<string, readonly string[]>, show: (p: SettingsProblem) => string = settingsProblemLine, end = ''): HookworkError {
  // Whatever the unknown key's value (undefined too), the message names the keys that are known.
  const known = [...knownOfGroup].map(([group, keys]) => `; the settings${group ? ` of ${group}` : ''} are ${keys.join(', ')}`).join('');
  return new HookworkError('HOOKWORK_ERR_INVALID_SETTINGS', `invalid settings: ${shownList(problems, { show, separator: '; ' })}${known}${end}`, { details: problems });
}

/**
 * @internal The problems of each value in settings input that loadSettings() read, before any
 * other settings are put with it: the problems of one key against another (two header names
 * alike) are left to resolveSettings(), as they depend on the settings the input goes onto; so
 * is input that is not plain data (an override holding a Map), which resolveSettings() refuses.
 */
export function checkSettingsValues(input: Record<string, unknown>): Pick<CheckedInput, 'problems' | 'knownOfGroup'> {
  if (!isPlainObject(input) || nonPlainObjects(input, '', 8, settingsInputSchema).length > 0) return { problems: [], knownOfGroup: new Map() };
  const { problems, knownOfGroup } = checkInput(givenSettings(input, settingsInputSchema), defaultSettings(), false);
  return { problems, knownOfGroup };
}

/**
 * Validates settings input and returns the full, normalised settings (defaults filled in,
 * durations in ms). A bad value throws one HOOKWORK_ERR_INVALID_SETTINGS naming every bad key;
 * `details` lists them as `{ key, problem, value }`.
 *
 * @param base the settings to start from (defaults when omitted), e.g. the current ones on update.
 */
export function resolveSettings(input: HookworkSettingsInput = {}, base: HookworkSettings = defaultSettings()): HookworkSettings {
  // Read once into a plain copy: a getter or Proxy trap that throws is refused coded, by key.
  const read = readCallerInput(input);
  if (!read.ok) {
    const { path, problem } = read.unreadable;
    throw new HookworkError('HOOKWORK_ERR_INVALID_SETTINGS', `settings${path ? ` ${path}` : ''} ${problem}; see docs/settings.md`, { details: [{ key: path || '(root)', problem }] });
  }
  input = read.value;
  if (!isPlainObject(input)) {
    const problem = `must be an object of keys such as { maximumRetries: 5 }; see docs/settings.md${input !== null && typeof input === 'object' ? ` (got ${objectKind(input)}; give a plain object)` : ''}`;
    throw new HookworkError('HOOKWORK_ERR_INVALID_SETTINGS', `settings ${problem}`, { details: [{ key: '(root)', problem }] });
  }
  // A Map or Date where a group of settings belongs passes the schema's `type: 'object'` and
  // reads as empty: refused by name instead of silently keeping the defaults.
  const unplain = nonPlainObjects(input, '', 8, settingsInputSchema);
  if (unplain.length > 0) {
    const details = unplain.map((found) => ({ key: found.path, problem: `${nonPlainProblem(found)} (see docs/settings.md)` }));
    throw new HookworkError('HOOKWORK_ERR_INVALID_SETTINGS', `settings: ${shownList(details, { show: (d) => `${d.key} ${d.problem}`, separator: '; ' })}`, { details });
  }
  // Validated and merged from a copy without undefined keys: an undefined value is "not given",
  // and nothing of the caller's objects stays in the settings to be changed after validation.
  // A key the schema does not know is kept even when undefined, to be refused by name.
  input = givenSettings(input, settingsInputSchema);
  const { problems, knownOfGroup, durations, nested, retrySchedule } = checkInput(input, base, true);
  const raw = input as Record<string, unknown>;
  if (problems.length > 0) throw settingsError(problems, knownOfGroup);

  // A new header style brings its header names; names given explicitly still win.
  const style = input.headers?.style ?? base.headers.style;
  const headerDefaults = style !== base.headers.style ? { ...base.headers, ...HEADER_STYLES[style] } : base.headers;
  const result: HookworkSettings = {
    ...base,
    ...(raw as Partial<HookworkSettings>),
    ...durations,
    retrySchedule: retrySchedule ?? base.retrySchedule,
    concurrency: { ...base.concurrency, ...input.concurrency },
    headers: { ...headerDefaults, ...input.headers, style },
    ssrf: { ...base.ssrf, ...input.ssrf },
    breaker: { ...base.breaker, ...(input.breaker as Partial<HookworkSettings['breaker']>), ...nested.breaker },
    autoDisable: { ...base.autoDisable, ...(input.autoDisable as Partial<HookworkSettings['autoDisable']>), ...nested.autoDisable },
    rateLimit: { ...base.rateLimit, ...input.rateLimit },
    tracing: { ...base.tracing, ...input.tracing },
  };
  if (input.keepDeadLettersForDays === undefined && deadLettersFollowLogs.has(base)) {
    result.keepDeadLettersForDays = result.keepLogsForDays;
    deadLettersFollowLogs.add(result);
  }
  // Frozen to the last array: settings change only through resolveSettings (app.updateSettings()).
  return deepFreeze(result);
}
