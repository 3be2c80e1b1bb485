import { createToken } from '../runtime/tokens';
import { HOOKWORK_PRODUCT, HOOKWORK_VERSION } from '../runtime/version';

/** The CMS payload shapes, Umbraco's payload types: ids only, a Delivery-API-like object, or the bodies of Umbraco's `Legacy…WebhookEvent` classes (camelCase, as Umbraco 14+ sends them). */
export type PayloadType = 'Minimal' | 'Extended' | 'Legacy';

/** Every {@link PayloadType}, in the order messages list them. */
export const PAYLOAD_TYPES = Object.freeze(['Minimal', 'Extended', 'Legacy'] as const) satisfies readonly PayloadType[];

/** Names of the three default headers. `umbraco` uses Umbraco's names, for receivers built for it. */
export type HeaderStyle = 'hookwork' | 'umbraco';

/**
 * hookwork's settings, normalised: every duration is in milliseconds, every key present.
 * See docs/settings.md for each key; {@link HookworkSettingsInput} is what apps pass.
 */
export interface HookworkSettings {
  /** false: nothing is enqueued or sent; requests already queued are kept. */
  enabled: boolean;
  /** Retries after the first attempt (0 = none). */
  maximumRetries: number;
  /** How often due retries and leftovers are looked for (the dispatcher's safety sweep), ms. */
  period: number;
  /** Delete delivery logs older than keepLogsForDays. */
  enableLoggingCleanup: boolean;
  /** Days a delivery log entry is kept (with `enableLoggingCleanup`); fractions allowed. */
  keepLogsForDays: number;
  /** Dead-lettered requests are deleted after this many days (default: keepLogsForDays). */
  keepDeadLettersForDays: number;
  /** CMS payload shape; overridable per addCms() call. */
  payloadType: PayloadType;
  /** Delay before retry n (index n-1), ms; the last entry repeats. 1 to 100 entries (maximumRetries' own bound). */
  retrySchedule: number[];
  /** Random spread applied to each delay: 0.2 = ±20 %. */
  retryJitter: number;
  /** Upper bound on a receiver's Retry-After, ms. */
  maxRetryAfter: number;
  /** Retry 4xx responses (other than 410, 429) like 5xx. When false they dead-letter at once. */
  retryClientErrors: boolean;
  /** Total deadline of one delivery attempt, ms (connect, send, response). */
  timeout: number;
  /**
   * In-flight attempts at once: in all, and per webhook. Lanes are per webhook, so webhooks of
   * different owners on one host never share slots.
   */
  concurrency: { global: number; perWebhook: number };
  /** Requests claimed from the queue per round. */
  claimBatchSize: number;
  /** How long a claim holds a request before another process may take it, ms. */
  leaseDuration: number;
  /** Largest payload accepted at fire time, bytes (UTF-8 JSON). */
  maxPayloadBytes: number;
  /** Response bodies are stored up to this many bytes. */
  maxResponseBodyBytes: number;
  /** The default header names and user agent. */
  headers: { style: HeaderStyle; event: string; retryCount: string; userAgent: string };
  /** Delivery to internal addresses (loopback, private, link-local, …). */
  ssrf: { allowInternal: boolean; allow: string[] };
  /** How long a rotated-out signing secret keeps signing, ms (default 24 h). */
  secretRotationGracePeriod: number;
  /** How long stop() waits for in-flight attempts, ms. */
  stopTimeout: number;
  /**
   * Every webhook's circuit breaker (a webhook's own `breaker` replaces keys of it): after
   * `failureThreshold` failed attempts in a row, or a `failureRate` of the attempts in the last
   * `window` (with at least `minimumAttempts`), requests wait instead of being attempted; after
   * `coolDown` one probe goes, and its success closes the breaker. Durations in ms.
   */
  breaker: BreakerSettings;
  /** Disable a webhook that has failed for `after` ms without one success (its requests are kept). */
  autoDisable: { enabled: boolean; after: number };
  /** The rate limit of webhooks without their own: `perSecond` 0 is none; `burst` 0 is `perSecond` rounded up. */
  rateLimit: { perSecond: number; burst: number };
  /** A 429 or 503 with Retry-After holds every request of that webhook until then (capped by maxRetryAfter). */
  throttleOnRetryAfter: boolean;
  /** OpenTelemetry: `traceparent` sends a W3C `traceparent` header with every attempt, so a receiver joins the attempt's trace (the header is not signed: for correlation only). */
  tracing: { traceparent: boolean };
}

/** The circuit-breaker settings (see {@link HookworkSettings.breaker}); durations in ms. */
export interface BreakerSettings {
  /** False: the breaker never opens. */
  enabled: boolean;
  /** Failed attempts in a row that open the breaker (0: this trigger is off). */
  failureThreshold: number;
  /** Share of failed attempts in `window` that opens the breaker, 0–1 (0: this trigger is off). */
  failureRate: number;
  /** Attempts `window` must hold before `failureRate` can open the breaker. */
  minimumAttempts: number;
  /** The sliding window of `failureRate`, ms. */
  window: number;
  /** How long an open breaker waits before one probe, ms. */
  coolDown: number;
}

/**
 * Read-only at every depth, lists included: the settings as the app hands them out. They are
 * frozen at run time as well; `Readonly<>` alone let `app.settings.concurrency.global = -5` compile.
 */
export type DeepReadonly<T> = T extends readonly (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** Every key optional, recursively; arrays are given whole. */
export type DeepPartial<T> = { [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** A duration: milliseconds, or a .NET TimeSpan string such as "00:00:10" or "1.02:00:00". */
export type DurationInput = number | string;

/**
 * What an app passes as settings: any subset; durations as ms or TimeSpan strings.
 */
export type HookworkSettingsInput = Omit<
  DeepPartial<HookworkSettings>,
  'period' | 'timeout' | 'leaseDuration' | 'maxRetryAfter' | 'secretRotationGracePeriod' | 'stopTimeout' | 'retrySchedule' | 'headers' | 'breaker' | 'autoDisable'
> & {
  period?: DurationInput;
  timeout?: DurationInput;
  leaseDuration?: DurationInput;
  maxRetryAfter?: DurationInput;
  secretRotationGracePeriod?: DurationInput;
  stopTimeout?: DurationInput;
  /** 1 to 100 delays (ms or TimeSpan strings); more is refused with HOOKWORK_ERR_INVALID_SETTINGS. */
  retrySchedule?: DurationInput[];
  headers?: Partial<HookworkSettings['headers']>;
  breaker?: Partial<Omit<BreakerSettings, 'window' | 'coolDown'>> & { window?: DurationInput; coolDown?: DurationInput };
  autoDisable?: { enabled?: boolean; after?: DurationInput };
};


/** Header names of each {@link HeaderStyle}. */
export const HEADER_STYLES: Readonly<Record<HeaderStyle, { event: string; retryCount: string }>> = Object.freeze({
  hookwork: { event: 'hookwork-event', retryCount: 'hookwork-retry-count' },
  umbraco: { event: 'umb-webhook-event', retryCount: 'umb-webhook-retrycount' },
});

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Settings whose `keepDeadLettersForDays` was never given, so that it follows `keepLogsForDays`.
 * Known by the object, not by the two values being equal: an operator's explicit 30 beside a
 * `keepLogsForDays` of 30 followed a later `keepLogsForDays: 5`, and dead letters went 25 days early.
 */
export const deadLettersFollowLogs = new WeakSet<HookworkSettings>();

/** The defaults (DESIGN.md's table; the retry schedule as Standard Webhooks / Svix). */
export function defaultSettings(): HookworkSettings {
  const defaults: HookworkSettings = {
    enabled: true,
    maximumRetries: 5,
    period: 10 * SECOND,
    enableLoggingCleanup: true,
    keepLogsForDays: 30,
    keepDeadLettersForDays: 30,
    payloadType: 'Minimal',
    retrySchedule: [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR],
    retryJitter: 0.2,
    maxRetryAfter: HOUR,
    retryClientErrors: true,
    timeout: 15 * SECOND,
    // perWebhook 16: for the receivers (most take 16 at once) and the other webhooks (a quarter of
    // global); 32 and 64 are faster to one fast receiver (docs/performance.md, the sweep).
    concurrency: { global: 64, perWebhook: 16 },
    claimBatchSize: 100,
    leaseDuration: 60 * SECOND,
    maxPayloadBytes: 1024 * 1024,
    maxResponseBodyBytes: 64 * 1024,
    headers: { style: 'hookwork', ...HEADER_STYLES.hookwork, userAgent: `${HOOKWORK_PRODUCT}/${HOOKWORK_VERSION}` },
    ssrf: { allowInternal: false, allow: [] },
    secretRotationGracePeriod: 24 * HOUR,
    stopTimeout: 10 * SECOND,
    breaker: { enabled: true, failureThreshold: 10, failureRate: 0, minimumAttempts: 20, window: MINUTE, coolDown: 30 * SECOND },
    autoDisable: { enabled: true, after: 5 * 24 * HOUR },
    rateLimit: { perSecond: 0, burst: 0 },
    throttleOnRetryAfter: true,
    tracing: { traceparent: false },
  };
  deadLettersFollowLogs.add(defaults);
  return defaults;
}

/**
 * The app's current settings. `current` always reads the latest value, so long-running
 * work (log cleanup, the dispatcher) sees an `app.updateSettings()` without a restart.
 */
export interface SettingsAccessor {
  /** The settings now (the latest `updateSettings()` applied). */
  readonly current: DeepReadonly<HookworkSettings>;
}

/** Injection token of the app's {@link SettingsAccessor}. */
export const SettingsToken = createToken<SettingsAccessor>('hookwork.Settings');
