/**
 * Parses a duration: a number of milliseconds, or a .NET TimeSpan string
 * ("hh:mm:ss", "d.hh:mm:ss", with optional ".fffffff" fraction), as Umbraco's `Period`.
 * Returns undefined for anything else — also for a string of bare digits ("10"), which
 * .NET's `TimeSpan.Parse` reads as days and a JavaScript reader would take for milliseconds:
 * {@link isBareDigits} tells that case apart, so the error can say how to write it.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/.exec(value.trim());
  if (!match) return undefined;
  const [, days = '0', hours, minutes, seconds, fraction = ''] = match;
  if (Number(minutes) > 59 || Number(seconds) > 59 || Number(hours) > 23) return undefined;
  const ms = fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0;
  return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000 + ms;
}

/** True for a duration written as a string of bare digits ("10"): ten days to .NET, ten ms to JavaScript. */
export function isBareDigits(value: unknown): value is string {
  return typeof value === 'string' && /^\s*\d+\s*$/.test(value);
}

/**
 * A duration in words, for messages: `600 ms`, `1.5 s`, `10 min`, `2 h`, `1 day`, `36500 days`
 * (the largest unit it reaches, to two decimals). `autoDisable.after: 0 day(s)` was a 10-minute one.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const units = [
    [86_400_000, 'day'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ] as const;
  for (const [size, unit] of units) {
    if (Math.abs(ms) < size) continue;
    const n = Math.round((ms / size) * 100) / 100;
    return unit === 'day' ? `${n} day${n === 1 ? '' : 's'}` : `${n} ${unit}`;
  }
  return `${ms} ms`;
}

/**
 * How to write a duration, for error messages: `value` is what was given (the advice fits it, but
 * does not quote it: the caller shows it once, as `(got …)`); `positive` when the setting refuses 0
 * too (a negative one is then told "more than 0", not "0 or more").
 */
export function durationAdvice(value: unknown, positive = false): string {
  const least = positive ? 'more than 0' : '0 or more';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'must be a duration: a finite number of milliseconds, or a TimeSpan string such as "00:00:10" (hh:mm:ss) or "1.02:00:00" (d.hh:mm:ss)';
    if (value < 0) return `must be a duration of ${least} milliseconds`;
  }
  if (isBareDigits(value)) {
    // Both readings a person may have meant, each written out: "300000" was answered with
    // "23:59:59", neither 300000 ms nor 300000 s. The number is offered only where one can be
    // written (an environment variable is always a string).
    const digits = value.trim();
    const n = Number(digits);
    // The value itself is not quoted here: the messages end with it ("(got "10")"), and it read twice.
    return `must be a duration, and bare digits in a string are ambiguous (.NET's TimeSpan reads them as days, JavaScript as milliseconds): write a TimeSpan string, "${formatTimeSpan(n)}" for ${digits} milliseconds or "${formatTimeSpan(n * 1000)}" for ${digits} seconds (in code or a JSON file, the number ${digits} is read as milliseconds)`;
  }
  const text = typeof value === 'string' ? value.trim() : '';
  const short = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (short) {
    // .NET's TimeSpan.Parse reads "00:30" as hh:mm (30 minutes); a stopwatch reads it as mm:ss.
    const [, a, b] = short;
    return `must be a duration, and a time of two parts is ambiguous (.NET's TimeSpan reads hh:mm, ${Number(a)} h ${Number(b)} min; others read mm:ss): write all three parts, "${a!.padStart(2, '0')}:${b}:00" for ${Number(a)} h ${Number(b)} min or "00:${a!.padStart(2, '0')}:${b}" for ${Number(a)} min ${Number(b)} s`;
  }
  const colonDays = /^(\d+):(\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d{1,7})?)$/.exec(text);
  if (colonDays) return `must be a duration: write the days with a dot, "${colonDays[1]}.${colonDays[2]}" (d.hh:mm:ss), as .NET's invariant TimeSpan format does`;
  if (/^-/.test(text)) return `must be a duration of ${least}; a negative TimeSpan is not one`;
  return 'must be a duration: a number of milliseconds, or a TimeSpan string such as "00:00:10" (hh:mm:ss) or "1.02:00:00" (d.hh:mm:ss)';
}

/** `ms` as a .NET invariant TimeSpan string: `hh:mm:ss`, with `d.` before it and `.fff` after it when needed. */
export function formatTimeSpan(ms: number): string {
  const whole = Math.floor(ms);
  const days = Math.floor(whole / 86_400_000);
  const two = (x: number) => String(x).padStart(2, '0');
  const time = `${two(Math.floor(whole / 3_600_000) % 24)}:${two(Math.floor(whole / 60_000) % 60)}:${two(Math.floor(whole / 1000) % 60)}`;
  const fraction = whole % 1000 ? `.${String(whole % 1000).padStart(3, '0')}` : '';
  return `${days > 0 ? `${days}.` : ''}${time}${fraction}`;
}
