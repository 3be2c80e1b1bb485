import { formatDuration } from './time-span';

describe('formatDuration', () => {
  // As days to two places, a 10-minute autoDisable.after read "0 day(s)".
  it.each([
    [0, '0 ms'],
    [600, '600 ms'],
    [1500, '1.5 s'],
    [600_000, '10 min'],
    [5_400_000, '1.5 h'],
    [86_400_000, '1 day'],
    [5 * 86_400_000, '5 days'],
    [3_153_600_000_000, '36500 days'],
  ])('tells %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
