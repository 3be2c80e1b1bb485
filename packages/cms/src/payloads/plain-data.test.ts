import { MAX_PLAIN_DEPTH, toPlainData } from './plain-data';

describe('toPlainData', () => {
  it('copies JSON data and converts what JSON cannot hold', () => {
    const value = {
      s: 'x',
      n: 1.5,
      nan: Number.NaN,
      b: true,
      nil: null,
      gone: undefined,
      fn: () => 1,
      big: 12n,
      date: new Date('2024-01-01T00:00:00Z'),
      map: new Map<unknown, unknown>([['a', 1], [2, 'dropped']]),
      set: new Set([1, 2]),
      custom: { toJSON: () => ({ replaced: true }) },
      list: [undefined, 1],
    };
    expect(toPlainData(value)).toEqual({
      s: 'x',
      n: 1.5,
      nan: null,
      b: true,
      nil: null,
      big: '12',
      date: '2024-01-01T00:00:00.000Z',
      map: { a: 1 },
      set: [1, 2],
      custom: { replaced: true },
      list: [null, 1],
    });
  });

  it('cuts cycles but keeps a value shared by two branches', () => {
    const shared = { v: 1 };
    const node: Record<string, unknown> = { name: 'n', a: shared, b: shared };
    node.self = node;
    node.children = [node, { parent: node }];
    expect(toPlainData(node)).toEqual({ name: 'n', a: { v: 1 }, b: { v: 1 }, children: [null, {}] });
    expect(() => JSON.stringify(toPlainData(node))).not.toThrow();
  });

  it('cuts values nested deeper than MAX_PLAIN_DEPTH', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < MAX_PLAIN_DEPTH + 5; i++) deep = { next: deep };
    let levels = 0;
    for (let node = toPlainData(deep) as Record<string, unknown> | undefined; node; node = node.next as Record<string, unknown> | undefined) levels++;
    expect(levels).toBe(MAX_PLAIN_DEPTH);
  });

  it('survives a toJSON that throws or returns its own object', () => {
    const selfish: Record<string, unknown> = { a: 1 };
    selfish.toJSON = () => selfish;
    expect(toPlainData({ bad: { toJSON: () => { throw new Error('no'); } }, selfish })).toEqual({ selfish: { a: 1 } });
  });

  it('keeps an own "__proto__" key of host data (as JSON.parse makes it) in the payload, without touching the copy\'s prototype', () => {
    const properties = JSON.parse('{"__proto__": {"polluted": true}, "title": "t"}') as object;
    const copied = toPlainData(properties) as Record<string, unknown>;
    expect(JSON.stringify(copied)).toBe('{"__proto__":{"polluted":true},"title":"t"}');
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype);
    expect((copied as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
