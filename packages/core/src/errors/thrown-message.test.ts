import { runInNewContext } from 'node:vm';
import { thrownMessage } from './thrown-message';

const throwing = (): never => {
  throw new Error('trap sprung');
};
const told = (thrown: unknown) => [thrownMessage(thrown, { named: true }), thrownMessage(thrown, { named: false })];

describe('thrownMessage', () => {
  it("says an Error's message, after its name where asked and it is not plain Error, of any realm", () => {
    expect(told(new Error('vault sealed'))).toEqual(['vault sealed', 'vault sealed']);
    expect(told(new RangeError('Invalid time value'))).toEqual(['RangeError: Invalid time value', 'Invalid time value']);
    expect(told(runInNewContext('new TypeError("foreign")'))).toEqual(['TypeError: foreign', 'foreign']);
    expect(told({ name: 'VaultError', message: 'sealed' })).toEqual(['VaultError: sealed', 'sealed']);
  });

  it('says any other thrown value as text: a string, a Symbol, null, undefined, a BigInt', () => {
    expect(told('boom')).toEqual(['boom', 'boom']);
    expect(told(Symbol('why'))).toEqual(['Symbol(why)', 'Symbol(why)']);
    expect(told(null)).toEqual(['null', 'null']);
    expect(told(undefined)).toEqual(['undefined', 'undefined']);
    expect(told(10n)).toEqual(['10', '10']);
  });

  it('names by its kind, without throwing, a value that cannot be read or turned into text', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const revokedFunction = Proxy.revocable(() => undefined, {});
    revokedFunction.revoke();
    const cases = [
      { toString: throwing },
      proxy,
      Object.defineProperty(new Error('hidden'), 'message', { get: throwing }),
      new Proxy({}, { get: throwing, getPrototypeOf: throwing, has: throwing, ownKeys: throwing, getOwnPropertyDescriptor: throwing }),
      Object.create(null) as object,
    ];
    for (const thrown of cases) expect(told(thrown)).toEqual(['a thrown object that cannot be read or turned into text', 'a thrown object that cannot be read or turned into text']);
    expect(thrownMessage(revokedFunction.proxy, { named: true })).toBe('a thrown function that cannot be read or turned into text');
  });

  it('keeps what can be read when one part cannot: the message past a name getter that throws, the text past a message getter that throws', () => {
    // As the receiver kit's thrownText does; both said "a thrown object that cannot be read" before.
    expect(told(Object.defineProperty(new Error('lazy load failed'), 'name', { get: throwing }))).toEqual(['lazy load failed', 'lazy load failed']);
    expect(told({ get message(): string { return throwing(); }, toString: () => 'told by toString' })).toEqual(['told by toString', 'told by toString']);
    // A message that is not a string is still the message (it was "[object Object]").
    expect(told({ message: 42 })).toEqual(['42', '42']);
  });

  // Quoted in the message of an error raised at each publish (a getter's, a toJSON()'s), a message
  // of megabytes was quoted whole there and in every log line of it.
  it('cuts a name or message longer than 1000 characters, saying how long it was, never inside a surrogate pair', () => {
    const long = `${'a'.repeat(999)}😀${'b'.repeat(5_000_000)}`;
    expect(told(new Error(long))).toEqual([`${'a'.repeat(999)}… (5001001 characters)`, `${'a'.repeat(999)}… (5001001 characters)`]);
    expect(thrownMessage(Object.assign(new Error('m'), { name: 'N'.repeat(1500) }), { named: true })).toBe(`${'N'.repeat(1000)}… (1500 characters): m`);
    expect(thrownMessage('x'.repeat(1001), { named: false })).toBe(`${'x'.repeat(1000)}… (1001 characters)`);
    expect(thrownMessage('x'.repeat(1000), { named: false })).toBe('x'.repeat(1000));
  });

  it('escapes what a reader cannot see, so a quoted message cannot reorder the line it is in', () => {
    expect(told(new Error('staging\u202Eproduction'))).toEqual(['staging\\u202eproduction', 'staging\\u202eproduction']);
  });
});
