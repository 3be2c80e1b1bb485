import { shownValue } from '../errors/hookwork-error';
import { isPlainObject, objectKind } from './plain-object';

const EXAMPLE = "new Date('2026-01-31T12:00:00Z')";

/**
 * What is wrong with a value given where core's API takes a Date (`deadSince` of `deadLetters()`
 * and `redeliver()`), naming what was given and the fix — undefined for a valid Date. An ISO
 * string is what the admin API takes and what a caller copies from it, so a string is told to be
 * wrapped as written (`pass new Date('2026-01-31T12:00:00Z')`); a number is read as milliseconds
 * since the epoch (`new Date(1769860800000)`); an Invalid Date says so. Each of these was "not a
 * valid Date", which a string that is a valid date-time does not explain.
 *
 * @param name - the option as the caller wrote it (`deadSince`).
 * @returns `was given a deadSince that is …; pass …`, to follow the method's name.
 */
export function dateProblem(name: string, value: unknown): string | undefined {
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? `was given a ${name} that is an Invalid Date (new Date() of something it could not read as a date); pass a Date such as ${EXAMPLE}` : undefined;
  }
  const given = `was given a ${name} that is`;
  if (typeof value === 'string') {
    const readable = value.trim() !== '' && !Number.isNaN(new Date(value).getTime());
    return readable
      ? `${given} a string (${shownValue(value)}), not a Date; pass new Date(${shownValue(value)}) (the admin API takes the string, core takes a Date)`
      : `${given} a string (${shownValue(value)}) that is not a date-time either, not a Date; pass a Date such as ${EXAMPLE}`;
  }
  if (typeof value === 'number') {
    return Number.isFinite(value)
      ? `${given} a number (${value}), not a Date; pass new Date(${value}) if it is milliseconds since 1970-01-01T00:00:00Z, or a Date such as ${EXAMPLE}`
      : `${given} ${shownValue(value)}, not a Date; pass a Date such as ${EXAMPLE}`;
  }
  // A function by its name: shownValue() of one is its source text (`a function (() => new Date())`).
  const kind =
    value === null ? 'null'
    : isPlainObject(value) ? `an object (${shownValue(value)})`
    : typeof value === 'object' ? objectKind(value)
    : typeof value === 'function' ? `a function (${value.name || 'anonymous'}; call it?)`
    : `a ${typeof value} (${shownValue(value)})`;
  return `${given} ${kind}, not a Date; pass a Date such as ${EXAMPLE}`;
}
