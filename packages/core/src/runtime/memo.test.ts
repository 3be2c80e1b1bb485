import { memoByKey } from './memo';

describe('memoByKey', () => {
  it('computes each key once, undefined answers included, and keeps each memo to itself', () => {
    const calls: string[] = [];
    const parse = (key: string) => {
      calls.push(key);
      return key === 'bad' ? undefined : key.length;
    };
    const first = memoByKey(parse);
    const second = memoByKey(parse);
    expect([first('abc'), first('abc'), first('bad'), first('bad')]).toEqual([3, 3, undefined, undefined]);
    expect(calls).toEqual(['abc', 'bad']);
    expect(second('abc')).toBe(3);
    expect(calls).toEqual(['abc', 'bad', 'abc']);
  });

  it('forgets everything once full, so a flood of new keys never grows it past max', () => {
    let computed = 0;
    const memo = memoByKey((key) => (computed++, key), 2);
    memo('a');
    memo('b');
    memo('c'); // full: a and b forgotten
    memo('a');
    expect(computed).toBe(4);
    memo('c');
    expect(computed).toBe(4);
  });
});
