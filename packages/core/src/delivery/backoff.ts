import type { HookworkSettings } from '../settings/settings';

/**
 * The delay before retry `retryNumber` (1 for the first retry): the schedule's entry (the last
 * one repeats), spread by ±`retryJitter` so receivers that failed together are not hit together
 * again.
 */
export function retryDelay(
  retryNumber: number,
  settings: Pick<HookworkSettings, 'retrySchedule' | 'retryJitter'>,
  random: () => number = Math.random,
): number {
  const schedule = settings.retrySchedule;
  const base = schedule[Math.min(Math.max(retryNumber, 1), schedule.length) - 1] ?? 0;
  const spread = base * settings.retryJitter * (2 * random() - 1);
  return Math.max(0, Math.round(base + spread));
}

/**
 * A `Retry-After` header value in ms from `now`: delta seconds (`120`) or an HTTP date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`). Undefined when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/** Statuses whose Retry-After is honoured: Too Many Requests and Service Unavailable. */
export const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * When the next attempt is due: the schedule's jittered delay, lengthened to the receiver's
 * `Retry-After` (on 429/503, capped at `maxRetryAfter`) when it asks for longer. A Retry-After
 * never shortens the wait: a receiver answering `503` with `Retry-After: 0` while it is down
 * would otherwise burn every retry within milliseconds (Svix's server changed the same way).
 */
export function nextAttemptDelay(
  retryNumber: number,
  settings: Pick<HookworkSettings, 'retrySchedule' | 'retryJitter' | 'maxRetryAfter'>,
  response: { statusCode?: number; retryAfter?: string } = {},
  now: Date = new Date(),
  random: () => number = Math.random,
): { delayMs: number; fromRetryAfter: boolean } {
  const scheduled = retryDelay(retryNumber, settings, random);
  if (response.statusCode !== undefined && RETRY_AFTER_STATUSES.has(response.statusCode)) {
    const asked = parseRetryAfter(response.retryAfter, now);
    if (asked !== undefined) {
      const capped = Math.min(asked, settings.maxRetryAfter);
      if (capped > scheduled) return { delayMs: capped, fromRetryAfter: true };
    }
  }
  return { delayMs: scheduled, fromRetryAfter: false };
}
