/**
 * Parses a duration: a number of milliseconds, or a .NET TimeSpan string
 * ("hh:mm:ss", "d.hh:mm:ss", with optional ".fffffff" fraction), as Umbraco's `Period`.
 * Returns undefined for anything else.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/.exec(text);
  if (!match) return undefined;
  const [, days = '0', hours, minutes, seconds, fraction = ''] = match;
  if (Number(minutes) > 59 || Number(seconds) > 59 || Number(hours) > 23) return undefined;
  const ms = fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0;
  return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000 + ms;
}
