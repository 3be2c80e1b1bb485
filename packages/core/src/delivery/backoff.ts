import type { DeepReadonly, HookworkSettings } from '../settings/settings';

/**
 * The delay before retry `retryNumber` (1 for the first retry): the schedule's entry (the last
 * one repeats), spread by ±`retryJitter` so receivers that failed together are not hit together
 * again.
 */
export function retryDelay(
  retryNumber: number,
  settings: Pick<DeepReadonly<HookworkSettings>, 'retrySchedule' | 'retryJitter'>,
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
 * A header sent more than once arrives joined (`120, 120`, as both transports join repeated
 * headers): Retry-After is no list (RFC 9110 §10.2.3), so repeats of one value are read as that
 * value and differing ones, which contradict each other, as unreadable (RFC 9110 §5.3).
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const single = parseRetryAfterMember(text, now);
  if (single !== undefined || !text.includes(',')) return single;
  // A member is delta seconds or an asctime date (no comma), or an IMF or RFC 850 date (one comma).
  // Split on commas, then trimmed: `split(/\s*,\s*/)` tried a run of blanks not followed by a comma
  // from each of its positions, so a receiver's 16 KiB header of blanks held the event loop 0.15 s.
  const parts = text.split(',').map((part) => part.trim());
  for (const width of [1, 2]) {
    if (parts.length <= width || parts.length % width !== 0) continue;
    const member = parts.slice(0, width).join(', ');
    let same = true;
    for (let i = width; i < parts.length && same; i += width) same = parts.slice(i, i + width).join(', ') === member;
    if (same) return parseRetryAfterMember(member, now);
  }
  return undefined;
}

/** One Retry-After value: delta seconds or an HTTP date, in ms from `now`. */
function parseRetryAfterMember(text: string, now: Date): number | undefined {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = parseHttpDate(text, now);
  return at === undefined ? undefined : Math.max(0, at - now.getTime());
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY = '(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*';
const MONTH = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
/** IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`. */
const IMF_FIXDATE = new RegExp(`^${DAY},\\s*(\\d{1,2})\\s+${MONTH}\\s+(\\d{4})\\s+${TIME}\\s+GMT$`, 'i');
/** The obsolete RFC 850 form, `Sunday, 06-Nov-94 08:49:37 GMT`. */
const RFC_850 = new RegExp(`^${DAY},\\s*(\\d{1,2})-${MONTH}-(\\d{2})\\s+${TIME}\\s+GMT$`, 'i');
/** ANSI C's asctime() form, `Sun Nov  6 08:49:37 1994`: GMT though it does not say so. */
const ASCTIME = new RegExp(`^${DAY}\\s+${MONTH}\\s+(\\d{1,2})\\s+${TIME}\\s+(\\d{4})$`, 'i');

/**
 * An HTTP date (RFC 9110 §5.6.7) in ms since the epoch, or undefined. Only its three forms, all
 * GMT: `Date.parse` reads almost anything (`a 2031` is 1 January 2031) and takes the asctime form
 * in the machine's time zone, hours off on a server not set to UTC.
 */
function parseHttpDate(text: string, now: Date): number | undefined {
  const parts = httpDateParts(text, now);
  if (!parts) return undefined;
  const { year, month, day, hours, minutes, seconds } = parts;
  const at = Date.UTC(year, month, day, hours, minutes, seconds);
  // Date.UTC rolls 31 February over into March and 25:00 into the next day: such a date is no date.
  const check = new Date(at);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month || check.getUTCHours() !== hours || minutes > 59 || seconds > 60) return undefined;
  return at;
}

/** The fields of an HTTP date in one of its three forms (month counted from 0), or undefined. */
function httpDateParts(text: string, now: Date): { year: number; month: number; day: number; hours: number; minutes: number; seconds: number } | undefined {
  const time = (h: string, m: string, s: string) => ({ hours: Number(h), minutes: Number(m), seconds: Number(s) });
  const month = (name: string) => MONTHS.indexOf(name.toLowerCase());
  let m = IMF_FIXDATE.exec(text);
  if (m) return { year: Number(m[3]), month: month(m[2]!), day: Number(m[1]), ...time(m[4]!, m[5]!, m[6]!) };
  m = ASCTIME.exec(text);
  if (m) return { year: Number(m[6]), month: month(m[1]!), day: Number(m[2]), ...time(m[3]!, m[4]!, m[5]!) };
  m = RFC_850.exec(text);
  if (!m) return undefined;
  // A two-digit year more than 50 years ahead is the latest past year so written (RFC 9110 §5.6.7).
  let year = Math.floor(now.getUTCFullYear() / 100) * 100 + Number(m[3]);
  if (year > now.getUTCFullYear() + 50) year -= 100;
  return { year, month: month(m[2]!), day: Number(m[1]), ...time(m[4]!, m[5]!, m[6]!) };
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
  settings: Pick<DeepReadonly<HookworkSettings>, 'retrySchedule' | 'retryJitter' | 'maxRetryAfter'>,
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
