import { runInNewContext } from 'node:vm';
import { jsonFailure } from './json-failure';

/** What JSON.stringify threw on `value`, in jsonFailure's words. */
function failureOf(value: unknown, root?: string): string {
  try {
    JSON.stringify(value);
  } catch (cause) {
    return jsonFailure(value, cause, root);
  }
  throw new Error('JSON.stringify did not throw');
}

describe('jsonFailure', () => {
  it('tells a getter or toJSON() that threw a revoked Proxy, or another realm\'s Error, without throwing itself', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(failureOf({ get broken() { throw proxy; } })).toBe('a getter that threw (a thrown object that cannot be read or turned into text) at payload.broken');
    expect(failureOf({ when: { toJSON() { throw proxy; } } })).toBe('a toJSON() that threw (a thrown object that cannot be read or turned into text) at payload.when');
    expect(jsonFailure({}, proxy)).toBe('a value JSON.stringify cannot serialise (a thrown object that cannot be read or turned into text)');
    const foreign = runInNewContext('new RangeError("Invalid time value")') as unknown;
    expect(failureOf({ when: { toJSON() { throw foreign; } } })).toBe('a toJSON() that threw (RangeError: Invalid time value) at payload.when');
  });

  it('names a cycle by where it closes and what it refers back to, on one line (V8 wrote several, and no path of ours)', () => {
    const owner: Record<string, unknown> = { name: 'o' };
    const payload = { id: 1, owner: { manager: owner } };
    owner.team = [payload.owner];
    const text = failureOf(payload);
    expect(text).toBe('a circular reference at payload.owner.manager.team[0], back to payload.owner: JSON cannot hold a cycle (send an id instead of the object)');
    expect(text).not.toContain('\n');
    // The same object twice, not in a cycle, is no cycle (JSON writes it twice).
    const shared = { x: 1n };
    expect(failureOf({ a: { shared }, b: shared })).toBe('a BigInt at payload.a.shared.x: JSON has no form for it (send String(value), or a Number when it is safe)');
  });

  it('names the first failure in the order JSON.stringify meets it: a throwing getter or toJSON, a BigInt, keys a Proxy will not list', () => {
    expect(failureOf({ ok: 1, get broken() { throw new Error('lazy load failed'); }, late: 1n })).toBe('a getter that threw (lazy load failed) at payload.broken');
    expect(failureOf({ when: { toJSON() { throw new RangeError('Invalid time value'); } } })).toBe('a toJSON() that threw (RangeError: Invalid time value) at payload.when');
    expect(failureOf({ items: [1, { 'first name': 2n }] })).toMatch(/^a BigInt at payload\.items\[1\]\["first name"\]: /);
    expect(failureOf({ p: new Proxy({}, { ownKeys() { throw new Error('revoked'); } }) })).toBe('an object whose keys could not be listed (revoked; a Proxy?) at payload.p');
    expect(failureOf(5n, 'argument 2 (entry)')).toMatch(/^a BigInt at argument 2 \(entry\): /);
  });

  it('names nesting deeper than the call stack as such, with the fix, instead of "no circular references or BigInt"', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(failureOf({ data: deep })).toBe('a value nested more than 1000 levels deep at payload.data.a.a.a.a.a… (1000 steps): deeper than JSON.stringify can go (flatten it, or send ids and let the receiver fetch the rest)');
  });

  // The stack can run out inside a function of another realm (a replacer of a Cockpit trigger ran
  // out in jest's sandbox): its RangeError is no instance of this realm's, and the nesting went unnamed.
  it('names nesting too deep when the RangeError comes from another realm', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 2_000; i++) deep = { a: deep };
    const foreign = runInNewContext("new RangeError('Maximum call stack size exceeded')") as unknown;
    expect(foreign instanceof RangeError).toBe(false);
    expect(jsonFailure({ data: deep }, foreign)).toMatch(/^a value nested more than 1000 levels deep at payload\.data\.a\.a/);
  });

  it('keeps JSON.stringify\'s own words, controls escaped, when the walk finds nothing', () => {
    expect(jsonFailure({ fine: true }, new TypeError('odd\nfailure'))).toBe('a value JSON.stringify cannot serialise (odd\\nfailure)');
  });
});
