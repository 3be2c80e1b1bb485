import { readOrRefuse } from './caller-input';

/** The problem readOrRefuse() reports for `given`, or 'read' when it reads it. */
function problemOf(given: unknown): string {
  try {
    readOrRefuse(given, (path, problem) => new Error(`${path}: ${problem}`));
    return 'read';
  } catch (error) {
    return (error as Error).message;
  }
}

const getterThrowing = (thrown: unknown) => ({
  get url(): string {
    throw thrown;
  },
});

describe('readOrRefuse', () => {
  it("says what a getter threw by its message, without the Error's name", () => {
    expect(problemOf(getterThrowing(new Error('vault sealed')))).toBe('url: could not be read: its getter threw (vault sealed); give a plain value (an object literal, not one with getters or a Proxy)');
    expect(problemOf(getterThrowing(new RangeError('Invalid time value')))).toContain('its getter threw (Invalid time value);');
    expect(problemOf(getterThrowing('sealed'))).toContain('its getter threw (sealed);');
  });

  it('says by its kind, without throwing, a thrown value that cannot be read or turned into text', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    // It said "an unprintable value", which named nothing; now as jsonFailure() and the receiver kit say it.
    expect(problemOf(getterThrowing(proxy))).toContain('its getter threw (a thrown object that cannot be read or turned into text);');
    expect(problemOf(getterThrowing({ toString: () => { throw new Error('no text'); } }))).toContain('its getter threw (a thrown object that cannot be read or turned into text);');
  });
});
