import { createHash } from 'node:crypto';
import type { Webhook } from '../../model/webhook';
import type { TransportResult } from '../../ports/transport';
import type { HealthWindow, TokenRate, WebhookHealthState } from '../../ports/webhook-health-store';
import type { BreakerSettings, HookworkSettings } from '../../settings/settings';
import { isSuccessStatus } from '../retry-policy';
import { parseRetryAfter, RETRY_AFTER_STATUSES } from '../backoff';

/** The health rules of one webhook: the app's settings with the webhook's own options over them. */
export interface HealthPolicy {
  /** The circuit breaker's rules (durations in ms). */
  breaker: BreakerSettings;
  /** Disable after this long failing without a success; 0: never. */
  autoDisableAfterMs: number;
  /** How long a probe holds the half-open breaker before another process may probe (the attempt's deadline and a margin). */
  probeLeaseMs: number;
  /** The webhook's rate, when it has one. */
  rate?: TokenRate;
}

/** The policy of `webhook` under `settings`. */
export function healthPolicy(webhook: Pick<Webhook, 'breaker' | 'rateLimit'>, settings: Pick<HookworkSettings, 'breaker' | 'autoDisable' | 'rateLimit' | 'timeout'>): HealthPolicy {
  const limit = webhook.rateLimit ?? (settings.rateLimit.perSecond > 0 ? { perSecond: settings.rateLimit.perSecond, burst: settings.rateLimit.burst || Math.ceil(settings.rateLimit.perSecond) } : undefined);
  return {
    breaker: webhook.breaker ? { ...settings.breaker, ...webhook.breaker } : settings.breaker,
    autoDisableAfterMs: settings.autoDisable.enabled ? settings.autoDisable.after : 0,
    probeLeaseMs: settings.timeout + 5000,
    ...(limit ? { rate: { intervalMs: 1000 / limit.perSecond, burst: Math.max(1, limit.burst) } } : {}),
  };
}

/** A webhook with no stored state: closed, no failures. */
export const HEALTHY: WebhookHealthState = Object.freeze({ breaker: 'closed', consecutiveFailures: 0 });

/** Each webhook's receiver tag, worked out once per webhook object (the cache hands the same one to every delivery). */
const receiverTags = new WeakMap<object, string>();

/**
 * The receiver a webhook's health is about, as {@link WebhookHealthState.receiver} records it: a
 * short hash of its URL and creation time (what `sameReceiver` compares), so the URL, which may
 * hold a token, is not copied into the health store.
 */
export function receiverOf(webhook: Pick<Webhook, 'url' | 'createdAt'>): string {
  let tag = receiverTags.get(webhook);
  if (tag === undefined) {
    tag = createHash('sha256').update(`${new Date(webhook.createdAt).getTime()} ${webhook.url}`).digest('base64url').slice(0, 16);
    receiverTags.set(webhook, tag);
  }
  return tag;
}

/**
 * `state` when it judges `webhook`'s receiver (or was written before states named it), else
 * undefined: a state left by the webhook's earlier URL (or by an earlier webhook of its key) whose
 * forgetting never happened says nothing of the receiver it has now, which starts afresh.
 */
export function stateFor(state: WebhookHealthState | undefined, webhook: Pick<Webhook, 'url' | 'createdAt'>): WebhookHealthState | undefined {
  return state?.receiver === undefined || state.receiver === receiverOf(webhook) ? state : undefined;
}

/** What an attempt says about its endpoint's health. */
export type AttemptHealth =
  /** A 2xx. */
  | 'success'
  /** No answer, or an answer other than 2xx and 429. */
  | 'failure'
  /** A 429: the receiver is up and asks to slow down (its Retry-After pauses the webhook). */
  | 'neutral'
  /** Aborted because the app is stopping: says nothing. */
  | 'ignored';

/** Classifies an attempt's result for the circuit breaker and auto-disable. */
export function attemptHealth(result: TransportResult): AttemptHealth {
  if (!result.ok) return result.errorKind === 'aborted' ? 'ignored' : 'failure';
  const status = result.response.statusCode;
  if (isSuccessStatus(status)) return 'success';
  return status === 429 ? 'neutral' : 'failure';
}

/**
 * How long a receiver asked the whole webhook to wait: a 429 or 503 with a Retry-After, capped
 * by `maxRetryAfter`; undefined when it did not ask (or throttling on Retry-After is off).
 */
export function retryAfterPause(result: TransportResult, settings: Pick<HookworkSettings, 'maxRetryAfter' | 'throttleOnRetryAfter'>, now: Date): number | undefined {
  if (!settings.throttleOnRetryAfter || !result.ok || !RETRY_AFTER_STATUSES.has(result.response.statusCode)) return undefined;
  const asked = parseRetryAfter(result.response.headers['retry-after'], now);
  return asked === undefined || asked <= 0 ? undefined : Math.min(asked, settings.maxRetryAfter);
}

/** Whether a request may be attempted now, as the stored state alone decides (before any rate limit). */
export type Admission =
  | { readonly kind: 'send' }
  /** The breaker is open and its cool-down is over (or a probe's claim lapsed): whoever claims the probe sends. */
  | { readonly kind: 'probe' }
  | { readonly kind: 'hold'; readonly until: number; readonly reason: HoldReason };

/** Why a webhook's requests wait. */
export type HoldReason = 'breaker open' | 'probe in flight' | 'receiver asked to wait (Retry-After)' | 'rate limit' | 'webhook disabled';

/** Whether a request may go now: a receiver's pause first, then the breaker. */
export function admission(state: WebhookHealthState | undefined, policy: HealthPolicy, now: number): Admission {
  if (!state) return { kind: 'send' };
  if (state.pausedUntil !== undefined && state.pausedUntil > now) return { kind: 'hold', until: state.pausedUntil, reason: 'receiver asked to wait (Retry-After)' };
  if (!policy.breaker.enabled || state.breaker === 'closed') return { kind: 'send' };
  const at = state.probeAt ?? 0;
  if (at > now) return { kind: 'hold', until: at, reason: state.breaker === 'open' ? 'breaker open' : 'probe in flight' };
  return { kind: 'probe' };
}

/** The state once this process claims the probe: half-open, the claim lapsing after the probe lease. */
export function claimProbe(state: WebhookHealthState, policy: HealthPolicy, now: number): WebhookHealthState {
  return { ...state, breaker: 'half-open', probeAt: now + policy.probeLeaseMs };
}

/** A change worth telling operators about, decided together with the state it led to. */
export type HealthTransition =
  | { readonly kind: 'breaker.opened'; readonly trigger: 'consecutive failures' | 'failure rate'; readonly consecutiveFailures: number; readonly failureRate?: number; readonly probeAt: number }
  | { readonly kind: 'breaker.closed'; readonly openedAt?: number }
  | { readonly kind: 'webhook.recovered'; readonly failingSince: number }
  | { readonly kind: 'disable'; readonly failingSince: number };

/** What happened in one attempt, as {@link afterAttempt} takes it. */
export interface AttemptFacts {
  health: AttemptHealth;
  /** The attempt was this webhook's probe. */
  probe: boolean;
  /** The receiver asked the webhook to wait this long (ms), see {@link retryAfterPause}. */
  pauseMs?: number;
  /** Successes seen in this process since the last write, counted into the failure-rate window with this one. */
  bufferedSuccesses?: number;
}

/** The failure-rate window at `now`: rolled forward when the current window is over. */
function rolled(window: HealthWindow | undefined, windowMs: number, now: number): HealthWindow {
  if (!window) return { start: now, attempts: 0, failures: 0, previousAttempts: 0, previousFailures: 0 };
  const age = now - window.start;
  if (age < windowMs) return { ...window };
  // One window later the current counts become the previous ones; later than that, nothing overlaps.
  return age < 2 * windowMs
    ? { start: window.start + windowMs, attempts: 0, failures: 0, previousAttempts: window.attempts, previousFailures: window.failures }
    : { start: now, attempts: 0, failures: 0, previousAttempts: 0, previousFailures: 0 };
}

/** Attempts and failures in the sliding window ending at `now`: the previous window weighed by its overlap. */
export function windowCounts(window: HealthWindow, windowMs: number, now: number): { attempts: number; failures: number } {
  const weight = Math.max(0, 1 - (now - window.start) / windowMs);
  return { attempts: window.attempts + window.previousAttempts * weight, failures: window.failures + window.previousFailures * weight };
}

/** Whether a state is what a webhook with no record would have, so a success need not write. */
export function isQuiet(state: WebhookHealthState | undefined, now: number): boolean {
  return !state || (state.breaker === 'closed' && state.consecutiveFailures === 0 && state.failingSince === undefined && (state.pausedUntil === undefined || state.pausedUntil <= now) && state.disabledAt === undefined);
}

/**
 * The circuit breaker and the failing streak in one pure step: the state after an attempt, and
 * what changed that operators hear of.
 *
 * - A success ends a failing streak; it closes an open or half-open breaker (`breaker.closed`),
 *   and, when the webhook had been unhealthy (its breaker had opened, or it reached
 *   `failureThreshold` failures in a row), reports `webhook.recovered`.
 * - A failure lengthens the streak. A failed probe sends the breaker back to open for another
 *   cool-down. A closed breaker opens (`breaker.opened`) at `failureThreshold` failures in a
 *   row, or when the window's failure rate reaches `failureRate` over at least
 *   `minimumAttempts`. A streak older than the auto-disable time asks once to disable the webhook.
 * - A 429 changes no count; as a probe's answer it re-opens the breaker (nothing proved health).
 * - A receiver's Retry-After (`pauseMs`) pauses the webhook until then, whatever the outcome.
 */
export function afterAttempt(current: WebhookHealthState | undefined, facts: AttemptFacts, policy: HealthPolicy, now: number): { state: WebhookHealthState; transitions: HealthTransition[] } {
  const state: WebhookHealthState = { ...(current ?? HEALTHY) };
  const transitions: HealthTransition[] = [];
  const { breaker } = policy;
  if (facts.pauseMs !== undefined) state.pausedUntil = Math.max(state.pausedUntil ?? 0, now + facts.pauseMs);
  else if (state.pausedUntil !== undefined && state.pausedUntil <= now) delete state.pausedUntil;
  if (facts.health === 'ignored') return { state, transitions };
  // Turned off while open (for the webhook or the app): its requests go out, so it must not read
  // as open — in the health view and the breaker gauge — until it is turned on and opens again.
  if (!breaker.enabled && state.breaker !== 'closed') closeQuietly(state);

  const rateOn = breaker.enabled && breaker.failureRate > 0;
  if (rateOn) {
    const window = rolled(state.window, breaker.window, now);
    window.attempts += facts.bufferedSuccesses ?? 0;
    if (facts.health !== 'neutral') window.attempts++;
    if (facts.health === 'failure') window.failures++;
    state.window = window;
  } else delete state.window;

  if (facts.health === 'success') {
    const wasUnhealthy = state.breaker !== 'closed' || (breaker.failureThreshold > 0 && state.consecutiveFailures >= breaker.failureThreshold);
    if (state.breaker !== 'closed') transitions.push({ kind: 'breaker.closed', ...(state.openedAt !== undefined ? { openedAt: state.openedAt } : {}) });
    // A breaker that closes starts a fresh failure-rate window (as resilience4j's and Polly's do),
    // holding only this success: the window still held the failures that opened it and its failed
    // probes, so the first failure after a successful probe opened it again at once (7 of 8 failed).
    if (state.breaker !== 'closed' && state.window) state.window = { start: now, attempts: 1, failures: 0, previousAttempts: 0, previousFailures: 0 };
    if (wasUnhealthy && state.failingSince !== undefined) transitions.push({ kind: 'webhook.recovered', failingSince: state.failingSince });
    state.breaker = 'closed';
    state.consecutiveFailures = 0;
    delete state.failingSince;
    delete state.probeAt;
    delete state.openedAt;
    return { state, transitions };
  }

  if (facts.health === 'neutral') {
    if (facts.probe && state.breaker === 'half-open') reopen(state, policy, now);
    return { state, transitions };
  }

  state.consecutiveFailures++;
  state.failingSince ??= now;
  if (state.breaker === 'half-open' || (facts.probe && state.breaker === 'open')) {
    reopen(state, policy, now);
  } else if (state.breaker === 'closed' && breaker.enabled) {
    const byCount = breaker.failureThreshold > 0 && state.consecutiveFailures >= breaker.failureThreshold;
    const counts = rateOn ? windowCounts(state.window!, breaker.window, now) : undefined;
    const rate = counts && counts.attempts > 0 ? counts.failures / counts.attempts : 0;
    const byRate = counts !== undefined && counts.attempts >= breaker.minimumAttempts && rate >= breaker.failureRate;
    if (byCount || byRate) {
      state.breaker = 'open';
      state.openedAt = now;
      state.probeAt = now + breaker.coolDown;
      transitions.push({
        kind: 'breaker.opened',
        trigger: byCount ? 'consecutive failures' : 'failure rate',
        consecutiveFailures: state.consecutiveFailures,
        ...(counts ? { failureRate: Math.round(rate * 1000) / 1000 } : {}),
        probeAt: state.probeAt,
      });
    }
  }
  if (policy.autoDisableAfterMs > 0 && state.disabledAt === undefined && now - state.failingSince >= policy.autoDisableAfterMs) {
    state.disabledAt = now;
    transitions.push({ kind: 'disable', failingSince: state.failingSince });
  }
  return { state, transitions };
}

function closeQuietly(state: WebhookHealthState): void {
  state.breaker = 'closed';
  delete state.probeAt;
  delete state.openedAt;
}

function reopen(state: WebhookHealthState, policy: HealthPolicy, now: number): void {
  state.breaker = 'open';
  state.openedAt ??= now;
  state.probeAt = now + policy.breaker.coolDown;
}
