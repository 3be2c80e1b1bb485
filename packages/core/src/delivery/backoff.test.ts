import { execFileSync } from 'node:child_process';
import { nextAttemptDelay, parseRetryAfter, retryDelay } from './backoff';

const settings = { retrySchedule: [5_000, 300_000, 1_800_000], retryJitter: 0.2, maxRetryAfter: 3_600_000 };

describe('backoff', () => {
  it('follows the schedule, repeating its last entry', () => {
    const exact = { ...settings, retryJitter: 0 };
    expect([1, 2, 3, 4, 9].map((n) => retryDelay(n, exact))).toEqual([5_000, 300_000, 1_800_000, 1_800_000, 1_800_000]);
  });

  it('spreads each delay by at most ±retryJitter', () => {
    expect(retryDelay(1, settings, () => 0)).toBe(4_000);
    expect(retryDelay(1, settings, () => 1)).toBe(6_000);
    expect(retryDelay(1, settings, () => 0.5)).toBe(5_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Mon, 31 Dec 2029 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('reads a Retry-After sent more than once (joined with ", ") as its value when the values agree, and ignores it when they differ', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(parseRetryAfter('120, 120', now)).toBe(120_000);
    expect(parseRetryAfter('120,120 , 120', now)).toBe(120_000);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:01:30 GMT, Tue, 01 Jan 2030 00:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Tuesday, 01-Jan-30 00:01:30 GMT, Tuesday, 01-Jan-30 00:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Tue Jan  1 00:01:30 2030, Tue Jan  1 00:01:30 2030', now)).toBe(90_000);
    // Values that contradict each other, or a list with something unreadable in it, say nothing.
    expect(parseRetryAfter('120, 60', now)).toBeUndefined();
    expect(parseRetryAfter('120, Tue, 01 Jan 2030 00:02:00 GMT', now)).toBeUndefined();
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:01:30 GMT, Tue, 01 Jan 2030 00:09:00 GMT', now)).toBeUndefined();
    expect(parseRetryAfter('120, soon', now)).toBeUndefined();
    expect(parseRetryAfter('120,', now)).toBeUndefined();
    expect(parseRetryAfter(', ', now)).toBeUndefined();
  });

  it('reads a hostile Retry-After of a long run of blanks at once: the receiver cannot hold the sender\'s event loop', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    // 16 KiB fits a response's headers (Node's default limit) and took 0.15 s; this is 20 times as long,
    // which took about a minute (the time grows with the square of the length) and now takes milliseconds.
    const started = performance.now();
    expect(parseRetryAfter(`1${' '.repeat(320_000)}x,`, now)).toBeUndefined();
    expect(parseRetryAfter(`120${' '.repeat(320_000)},${' '.repeat(320_000)}120`, now)).toBe(120_000);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('reads the three HTTP date forms, all in GMT whatever the machine’s time zone', () => {
    // A process of its own: the time zone is read at start, and jest's process.env is a copy.
    const script = `const { parseRetryAfter } = require(${JSON.stringify(require.resolve('./backoff'))});
      const now = new Date('2030-01-01T00:00:00Z');
      console.log(JSON.stringify(['Tue, 01 Jan 2030 00:01:30 GMT', 'Tuesday, 01-Jan-30 00:01:30 GMT', 'Tue Jan  1 00:01:30 2030'].map((v) => parseRetryAfter(v, now))));`;
    const output = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { env: { ...process.env, TZ: 'America/New_York' }, encoding: 'utf8' });
    // asctime has no zone: it is GMT (RFC 9110 §5.6.7), not the machine's local time.
    expect(JSON.parse(output)).toEqual([90_000, 90_000, 90_000]);
  });

  it.each(['a 2031', 'in 5', 'Dec 2030', '2030-01-01T00:01:30Z', 'Tue, 31 Feb 2030 00:00:00 GMT', 'Tue, 01 Jan 2030 25:00:00 GMT', 'Tue, 01 Jan 2030 00:01:30 PST', '1.5', '+120', '120 s'])(
    'ignores a Retry-After that is neither delta seconds nor an HTTP date: %j',
    (value) => {
      expect(parseRetryAfter(value, new Date('2030-01-01T00:00:00Z'))).toBeUndefined();
    },
  );

  it('honours Retry-After only on 429 and 503, capped at maxRetryAfter', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const exact = { ...settings, retryJitter: 0 };
    expect(nextAttemptDelay(1, exact, { statusCode: 429, retryAfter: '7' }, now)).toEqual({ delayMs: 7_000, fromRetryAfter: true });
    expect(nextAttemptDelay(1, exact, { statusCode: 503, retryAfter: '999999' }, now)).toEqual({ delayMs: 3_600_000, fromRetryAfter: true });
    expect(nextAttemptDelay(1, exact, { statusCode: 500, retryAfter: '7' }, now)).toEqual({ delayMs: 5_000, fromRetryAfter: false });
    expect(nextAttemptDelay(2, exact, { statusCode: 429 }, now)).toEqual({ delayMs: 300_000, fromRetryAfter: false });
  });

  it('never lets the jitter bring a retry before the Retry-After the receiver asked for', () => {
    // Svix applied its symmetric jitter after the Retry-After floor, so a retry could come up to
    // 20 % early (svix/svix-webhooks#2200). Here the jitter spreads the schedule only.
    const now = new Date('2030-01-01T00:00:00Z');
    const lowest = () => 0;
    expect(nextAttemptDelay(1, settings, { statusCode: 429, retryAfter: '5' }, now, lowest)).toEqual({ delayMs: 5_000, fromRetryAfter: true });
    expect(nextAttemptDelay(1, settings, { statusCode: 503, retryAfter: '120' }, now, lowest)).toEqual({ delayMs: 120_000, fromRetryAfter: true });
    expect(nextAttemptDelay(1, settings, { statusCode: 429, retryAfter: '2' }, now, lowest)).toEqual({ delayMs: 4_000, fromRetryAfter: false });
  });
});
