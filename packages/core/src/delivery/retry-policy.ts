import type { DeliveryErrorKind, DeliveryOutcome } from '../model/delivery-log-entry';
import type { DeliveryVerdict } from '../ports/queue-engine';
import type { TransportResult } from '../ports/transport';
import type { DeepReadonly, HookworkSettings } from '../settings/settings';
import { nextAttemptDelay } from './backoff';
import { redirectTarget } from '../model/wire-rules';
import { maskUrlCredentials } from '../model/url-credentials';

/** The settings the retry policy reads. */
export type RetryPolicySettings = Pick<DeepReadonly<HookworkSettings>, 'maximumRetries' | 'retryClientErrors' | 'retrySchedule' | 'retryJitter' | 'maxRetryAfter'>;

/** What the policy is given: the attempt's result and how many attempts came before it. */
export interface RetryPolicyInput {
  /** What the transport answered: a response, or why there was none. */
  result: TransportResult;
  /** Attempts made before this one (the retry-count header this attempt carried). */
  retryCount: number;
  /** The retry settings in force. */
  settings: RetryPolicySettings;
  /** The time of the decision (the app's clock): retry times are counted from it. */
  now: Date;
  /** The URL requested: a relative redirect Location is told as the absolute URL it points to. */
  url?: string;
  /** The jitter's source of randomness (tests pass a fixed one). */
  random?: () => number;
  /**
   * False when the engine is not stopping: an attempt aborted then (a ready transport its host
   * closed under a running app) is an ordinary failure, counted and retried on the schedule —
   * released, it was claimed again at once, a loop that logged an entry per turn and never ended.
   * Left out, an aborted attempt is taken to be the app's stop.
   */
  stopping?: boolean;
}

/** The policy's decision: the verdict for the engine, the log's outcome, and whether to disable the webhook. */
export interface RetryDecision {
  /** What the queue engine does with the request. */
  verdict: DeliveryVerdict;
  /** The delivery log's outcome of this attempt. */
  outcome: Extract<DeliveryOutcome, 'delivered' | 'retrying' | 'dead' | 'released'>;
  /** Why the webhook must be disabled (a 410 Gone), when it must. */
  disableWebhook?: string;
  /** The failure as the log and `lastError` tell it; absent on success. */
  failure?: string;
}

/** A 2xx: the status line decides success, whatever happens to the body afterwards. */
export const isSuccessStatus = (status: number): boolean => status >= 200 && status < 300;

/**
 * Whether a non-2xx status may be retried: 5xx, 3xx, 408 and 429 always; 410 never; other 4xx
 * per `retryClientErrors`.
 */
export function isRetryableStatus(status: number, settings: Pick<HookworkSettings, 'retryClientErrors'>): boolean {
  if (status === 410) return false;
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return settings.retryClientErrors;
  return true;
}

/** Failures that are final at once: retrying the same request cannot help. */
const FINAL_ERROR_KINDS: ReadonlySet<DeliveryErrorKind> = new Set(['ssrf', 'invalid']);

/**
 * The failure of an attempt in one line, as `lastError` and the log's error message show it. A
 * redirect names where it points as the URL to give the webhook (resolved against `url`, the
 * URL requested, and canonical), or the Location as received when that is no usable URL — with
 * any credentials in it masked (`https://***@host/…`).
 */
export function describeFailure(result: TransportResult, url?: string): string | undefined {
  if (!result.ok) return `${result.errorKind}: ${result.message}`;
  const { statusCode, headers } = result.response;
  if (isSuccessStatus(statusCode)) return undefined;
  if (statusCode >= 300 && statusCode < 400) {
    const { location } = headers;
    // Credentials in a Location are masked: the line is stored (log, dead letter) and shown.
    const target = location === undefined ? '(no Location)' : maskUrlCredentials(redirectTarget(location, url) ?? `${JSON.stringify(location)} (not a usable URL)`);
    return `HTTP ${statusCode}: redirect to ${target} not followed; update the webhook URL`;
  }
  return `HTTP ${statusCode}`;
}

/**
 * hookwork's one retry policy, a pure function (no I/O, no clock of its own), used by every
 * queue engine:
 * - a 2xx is delivered;
 * - an attempt aborted because the app is stopping is released (outcome `released`: it does not count); one aborted
 *   while it is not (`stopping: false`) is retried like any other failure;
 * - 410 Gone dead-letters the request and disables the webhook; an SSRF refusal, a request that
 *   could not go on the wire unchanged (`invalid`) and a status that is not retryable
 *   ({@link isRetryableStatus}) dead-letter it at once;
 * - any other failure is retried after {@link nextAttemptDelay} (the schedule with jitter,
 *   lengthened by a Retry-After) until `maximumRetries` retries were made, then dead-lettered.
 */
export function decideRetry(input: RetryPolicyInput): RetryDecision {
  const { result, retryCount, settings, now } = input;
  const status = result.ok ? result.response.statusCode : undefined;
  if (status !== undefined && isSuccessStatus(status)) return { verdict: { kind: 'delivered' }, outcome: 'delivered' };
  const failure = describeFailure(result, input.url)!;
  // Released, not retrying: the attempt counts for nothing (its retry count is unchanged), so it
  // is no failed attempt either — not in attemptFailed, the attempts metric's `retrying` or an
  // ERROR span.
  if (!result.ok && result.errorKind === 'aborted' && input.stopping !== false) return { verdict: { kind: 'release' }, outcome: 'released', failure };
  const attempts = retryCount + 1;
  const gone = status === 410;
  const final =
    gone ||
    (!result.ok && FINAL_ERROR_KINDS.has(result.errorKind)) ||
    (status !== undefined && !isRetryableStatus(status, settings)) ||
    retryCount >= settings.maximumRetries;
  if (final) {
    return {
      verdict: { kind: 'dead', attempts, lastError: failure },
      outcome: 'dead',
      failure,
      ...(gone ? { disableWebhook: 'the receiver answered 410 Gone' } : {}),
    };
  }
  const { delayMs } = nextAttemptDelay(attempts, settings, result.ok ? { statusCode: status!, retryAfter: result.response.headers['retry-after'] } : {}, now, input.random);
  return { verdict: { kind: 'retry', dueAt: new Date(now.getTime() + delayMs), attempts, lastError: failure }, outcome: 'retrying', failure };
}
