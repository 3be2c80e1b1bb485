import { findJsonLoss } from './json-losses';

describe('findJsonLoss: a value JSON.stringify would send without its contents', () => {
  it('names a Map, a Set, a WeakMap and a WeakSet, with where each is', () => {
    expect(findJsonLoss({ tags: new Map([['a', 1]]) })).toBe('a Map of 1 (JSON.stringify sends {}, without its entries; convert it with Object.fromEntries(map)) at payload.tags');
    expect(findJsonLoss({ items: [{ ok: 1 }, { ids: new Set([1, 2]) }] })).toBe('a Set of 2 (JSON.stringify sends {}, without its entries; convert it with [...set]) at payload.items[1].ids');
    expect(findJsonLoss({ 'by culture': { en: new WeakMap() } })).toBe('a WeakMap (JSON.stringify sends {}; it cannot be listed, so send what it holds another way) at payload["by culture"].en');
    expect(findJsonLoss([new WeakSet()])).toMatch(/^a WeakSet .* at payload\[0\]$/);
    expect(findJsonLoss(new Map())).toMatch(/^a Map of 0 .* at payload$/);
  });

  it('passes what JSON holds, and what its well-known rules change (Dates, NaN, undefined), and values with their own toJSON', () => {
    const child = { x: 1 };
    const payload = {
      id: 'a',
      n: 1.5,
      notANumber: NaN,
      ok: true,
      none: null,
      left: undefined,
      at: new Date(0),
      list: [1, 'two', [3], { four: 4 }],
      buffer: Buffer.from('x'),
      custom: { toJSON: () => 'as its author meant', inner: new Map() },
      tags: new (class extends Map<string, number> {
        toJSON() {
          return Object.fromEntries(this);
        }
      })([['a', 1]]),
      shared: [child, child],
    };
    expect(findJsonLoss(payload)).toBeUndefined();
    expect(findJsonLoss('text')).toBeUndefined();
    expect(findJsonLoss(null)).toBeUndefined();
  });
});
