import { duplicateJsonKeys } from './json-duplicate-keys';

describe('duplicateJsonKeys()', () => {
  it('finds a key given twice in one object, as the path to it, however it is escaped', () => {
    expect(duplicateJsonKeys('{"url":"ftp://x","url":"https://ok"}')).toEqual([['url']]);
    expect(duplicateJsonKeys('{"a":{"b":[1,{"c":1,"c":2}],"b":3}}')).toEqual([['a', 'b', '1', 'c'], ['a', 'b']]);
    expect(duplicateJsonKeys('{"\\u0061":1,"a":2}')).toEqual([['a']]);
    expect(duplicateJsonKeys('{"a\\"":1,"a\\"":2}')).toEqual([['a"']]);
  });

  it('takes a key in two objects, a key and a string value alike, and keys differing in case, as no duplicate', () => {
    expect(duplicateJsonKeys('[{"x":"\\"x","y":1},{"x":1}]')).toEqual([]);
    expect(duplicateJsonKeys('{"a":"a","b":["a","a"],"A":1}')).toEqual([]);
  });

  it('walks a text nested deeper than the call stack goes, and names at most max duplicates', () => {
    expect(duplicateJsonKeys(`${'['.repeat(200_000)}{"k":1,"k":2}${']'.repeat(200_000)}`)).toHaveLength(1);
    const many = `{${Array.from({ length: 30 }, () => '"k":1').join(',')}}`;
    expect(duplicateJsonKeys(many)).toHaveLength(10);
    expect(duplicateJsonKeys(many, 3)).toEqual([['k'], ['k'], ['k']]);
  });
});
