import { dateProblem } from './date-problem';

describe('dateProblem', () => {
  it('names a function given for a date by its name, never by its source text', () => {
    const since = () => new Date(Date.now() - 60_000);
    expect(dateProblem('deadSince', since)).toBe("was given a deadSince that is a function (since; call it?), not a Date; pass a Date such as new Date('2026-01-31T12:00:00Z')");
    expect(dateProblem('deadSince', 7n)).toMatch(/^was given a deadSince that is a bigint \(7n\), not a Date/);
  });
});
