import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createContext, runInContext, runInNewContext } from 'node:vm';
import { findJsonLoss } from './json-losses';

/** The loss as core's message words it: what, then where under `payload`. */
const lossAt = (value: unknown): string | undefined => {
  const loss = findJsonLoss(value);
  return loss && `${loss.what} at payload${loss.path}`;
};

describe('findJsonLoss: a value JSON.stringify would send without its contents', () => {
  it('names a Map, a Set, a WeakMap and a WeakSet, with where each is', () => {
    expect(lossAt({ tags: new Map([['a', 1]]) })).toBe('a Map of 1 (JSON.stringify sends {}, without its entries; convert it with Object.fromEntries(map)) at payload.tags');
    expect(lossAt({ items: [{ ok: 1 }, { ids: new Set([1, 2]) }] })).toBe('a Set of 2 (JSON.stringify sends {}, without its entries; convert it with [...set]) at payload.items[1].ids');
    expect(lossAt({ 'by culture': { en: new WeakMap() } })).toBe('a WeakMap (JSON.stringify sends {}; it cannot be listed, so send what it holds another way) at payload["by culture"].en');
    expect(lossAt([new WeakSet()])).toMatch(/^a WeakSet .* at payload\[0\]$/);
    expect(lossAt(new Map())).toMatch(/^a Map of 0 .* at payload$/);
  });

  // A function or symbol was left out of an object silently, and a typed array sent as {"0":1,…}.
  it('names a function, a symbol, a typed array, an ArrayBuffer and a DataView, with where each is', () => {
    expect(lossAt({ id: 'a', render: function render() {} })).toBe('a function (render) (JSON.stringify leaves it out, or sends null in a list; send the data it would give instead) at payload.render');
    expect(lossAt({ list: [1, () => 2] })).toMatch(/^a function \(JSON.stringify leaves it out, or sends null in a list; .*\) at payload.list\[1\]$/);
    expect(lossAt({ kind: Symbol('page') })).toBe('a symbol, Symbol(page) (JSON.stringify leaves it out, or sends null in a list; send a string instead) at payload.kind');
    expect(lossAt(() => 1)).toMatch(/^a function .* at payload$/);
    expect(lossAt({ bytes: new Uint8Array([1, 2]) })).toBe(
      'a Uint8Array of 2 (JSON.stringify sends an object of its items by index, {"0":…,"1":…}; convert it with Array.from(array), or bytes to base64 text with Buffer.from(array).toString(\'base64\')) at payload.bytes',
    );
    expect(lossAt({ n: [new Float64Array(3)] })).toMatch(/^a Float64Array of 3 .* at payload.n\[0\]$/);
    // Read aloud: an Int8Array, a Uint8Array (the messages said "a Int8Array", "an URLSearchParams").
    expect(lossAt({ n: new Int16Array(1) })).toMatch(/^an Int16Array of 1 /);
    expect(lossAt({ query: new URLSearchParams('a=1') })).toMatch(/^a URLSearchParams whose data is in getters \(size\) /);
    expect(lossAt({ raw: new ArrayBuffer(4) })).toMatch(/^an ArrayBuffer of 4 bytes \(JSON.stringify sends \{\}; .*\) at payload.raw$/);
    expect(lossAt({ view: new DataView(new ArrayBuffer(2)) })).toMatch(/^a DataView of 2 bytes \(JSON.stringify sends \{\}; .*\) at payload.view$/);
    // A Buffer has its own toJSON ({ type: 'Buffer', data: [...] }): sent as its author meant.
    expect(lossAt({ buffer: Buffer.from('x') })).toBeUndefined();
  });

  // A forgotten await sent the entity as {}, and an Error sent {} without its message.
  it('names a promise (or other thenable) and an Error, with where each is', () => {
    expect(lossAt({ entry: Promise.resolve({ id: 1 }) })).toBe('a promise (JSON.stringify sends {}; await it first and send what it resolves to) at payload.entry');
    expect(lossAt([{ then: (resolve: (v: unknown) => void) => resolve(1) }])).toMatch(/^a promise .* at payload\[0\]$/);
    expect(lossAt({ error: new Error('db down') })).toBe('an Error (JSON.stringify sends {} without its message; send error.message, or an object such as { name, message }) at payload.error');
    expect(lossAt({ errors: [new TypeError('x')] })).toMatch(/^an Error \(TypeError\) .* at payload.errors\[0\]$/);
    // An Error with its own toJSON says what it sends.
    expect(lossAt({ error: Object.assign(new Error('x'), { toJSON: () => ({ message: 'x' }) }) })).toBeUndefined();
  });

  // An invalid Date's own toJSON() sends null, where describePayload() promises a date-time string.
  it('names an invalid Date, with where it is, and passes a valid one', () => {
    expect(lossAt({ entry: { publishedAt: new Date('not a date') } })).toBe(
      'an invalid Date (JSON.stringify sends null; check the value it was made from, or send null yourself when there is no date) at payload.entry.publishedAt',
    );
    expect(lossAt([new Date(0), new Date(NaN)])).toMatch(/^an invalid Date .* at payload\[1\]$/);
    expect(lossAt(new Date(NaN))).toMatch(/^an invalid Date .* at payload$/);
    expect(lossAt({ at: new Date(0) })).toBeUndefined();
  });

  // A host's entity with its data behind getters (ORM entities, #private fields), returned as it is, went out as {}.
  it('names a RegExp and an instance whose data is all in getters, with where each is', () => {
    class Entry {
      #id = 7;
      get id() {
        return this.#id;
      }
      get title() {
        return 'Hello';
      }
    }
    class Article extends Entry {}
    expect(lossAt({ entry: new Entry() })).toBe(
      'an Entry whose data is in getters (id, title) (JSON.stringify sends {}; return a plain object, e.g. { id: value.id, title: value.title }, or give the class a toJSON()) at payload.entry',
    );
    expect(lossAt([new Article()])).toMatch(/^an Article whose data is in getters \(id, title\) .* at payload\[0\]$/);
    expect(lossAt({ match: /ab+c/gi })).toBe('a RegExp, /ab+c/gi (JSON.stringify sends {}; send its text, String(regexp) or regexp.source) at payload.match');
    // Own fields are what JSON sends: a getter beside them is left out as JavaScript leaves it.
    class Priced {
      constructor(readonly net: number) {}
      get gross() {
        return this.net * 1.2;
      }
    }
    expect(lossAt({ price: new Priced(10) })).toBeUndefined();
    // An empty object, of a class or not, holds nothing to lose.
    expect(lossAt({ a: {}, b: new (class Empty {})(), c: Object.create(null) })).toBeUndefined();
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
    expect(lossAt(payload)).toBeUndefined();
    expect(lossAt('text')).toBeUndefined();
    expect(lossAt(null)).toBeUndefined();
  });

  // Both were refused though JSON.stringify sent them as meant: false positives block a publish.
  it("passes a Date whose own toJSON() answers for an invalid date, and an empty object of another realm", () => {
    class OptionalDate extends Date {
      override toJSON() {
        return Number.isNaN(this.getTime()) ? 'unknown' : super.toJSON();
      }
    }
    expect(JSON.stringify({ at: new OptionalDate('tomorrow') })).toBe('{"at":"unknown"}');
    expect(lossAt({ at: new OptionalDate('tomorrow') })).toBeUndefined();
    expect(lossAt({ at: Object.assign(new Date(NaN), { toJSON: () => 'never' }) })).toBeUndefined();
    // A Date subclass with Date's toJSON() still sends null.
    expect(lossAt({ at: new (class Stamp extends Date {})(NaN) })).toMatch(/^an invalid Date .* at payload\.at$/);
    // An object made in another realm (a vm context; in jest, Node's own modules and structuredClone()
    // answer from the outer realm) ends its chain at that realm's Object.prototype and its __proto__ accessor.
    const other = createContext({});
    expect(lossAt({ tags: runInContext('({})', other), page: runInContext('new (class Page {})()', other), list: runInContext('[{}]', other) })).toBeUndefined();
    expect(lossAt({ entry: runInContext('new (class Entry { get id() { return 7; } })()', other) })).toMatch(/^an Entry whose data is in getters \(id\) .* at payload\.entry$/);
  });

  it('passes plain values', () => {
    expect(lossAt(null)).toBeUndefined();
  });
});

describe('findJsonLoss: values of another realm and revoked Proxies', () => {
  // Values made in a vm context (in jest, also what structuredClone() and Node's own modules give)
  // are no instances of this realm's Map or Error: told by their internal slots, as JSON.stringify sends them.
  const made = (source: string): unknown => runInNewContext(source);

  it.each([
    ['new Map([[1, 2]])', /^a Map of 1 \(JSON\.stringify sends \{\}/],
    ['new Set([1, 2])', /^a Set of 2 \(/],
    ['new WeakMap()', /^a WeakMap \(/],
    ['new WeakSet()', /^a WeakSet \(/],
    ['new TypeError("boom")', /^an Error \(TypeError\) \(JSON\.stringify sends \{\} without its message/],
    ['new Error("boom")', /^an Error \(JSON\.stringify/],
    ['new Date("tomorrow")', /^an invalid Date \(JSON\.stringify sends null/],
    ['/a+/g', /^a RegExp, \/a\+\/g \(/],
    ['new Uint8Array([1, 2, 3])', /^a Uint8Array of 3 \(JSON\.stringify sends an object of its items by index/],
    ['new DataView(new ArrayBuffer(4))', /^a DataView of 4 bytes/],
    ['new ArrayBuffer(8)', /^an ArrayBuffer of 8 bytes/],
    ['Promise.resolve(1)', /^a promise \(/],
  ])('reports %s made in another realm as it reports this realm\'s', (source, what) => {
    expect(findJsonLoss({ value: made(source) })).toEqual({ what: expect.stringMatching(what), path: '.value' });
  });

  it('reports a Map from structuredClone(), which answers from the realm Node\'s own modules run in, outside jest\'s', () => {
    expect(findJsonLoss({ byId: structuredClone(new Map([['a', 1]])) })).toEqual({ what: expect.stringMatching(/^a Map of 1 /), path: '.byId' });
  });

  it('passes another realm\'s plain data, valid Dates and an invalid Date given its own toJSON()', () => {
    expect(findJsonLoss(made('({ a: 1, list: [1, "two", { b: null }] })'))).toBeUndefined();
    expect(findJsonLoss({ at: made('new Date(0)') })).toBeUndefined();
    expect(findJsonLoss(made('Object.assign(new Date(NaN), { toJSON() { return "unknown"; } })'))).toBeUndefined();
    expect(findJsonLoss(made('new (class OptionalDate extends Date { toJSON() { return "unknown"; } })(NaN)'))).toBeUndefined();
  });

  it('names a revoked Proxy, not the read that threw on it', () => {
    const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
    revoke();
    expect(findJsonLoss({ entry: proxy })).toEqual({ what: expect.stringMatching(/^a revoked Proxy \(JSON\.stringify throws on it/), path: '.entry' });
    expect(findJsonLoss(proxy)?.what).toMatch(/^a revoked Proxy/);
    // What a getter throws may be a revoked Proxy too: told, not thrown raw out of findJsonLoss().
    let reads = 0;
    const flaky = { get a(): number { if (++reads > 1) throw proxy; return 1; } };
    expect(JSON.stringify(flaky)).toBe('{"a":1}');
    expect(findJsonLoss(flaky)).toEqual({ what: expect.stringMatching(/^a value that threw when read again \(a thrown object that cannot be read or turned into text\)/), path: '.a' });
    // A live Proxy over plain data is walked as its target.
    expect(findJsonLoss(new Proxy({ a: 1 }, {}))).toBeUndefined();
  });
});

describe('findJsonLoss: values that JSON.stringify took, read once more', () => {
  const nested = (levels: number, bottom: unknown): unknown => {
    let value = bottom;
    for (let i = 0; i < levels; i++) value = { id: i, a: value };
    return value;
  };

  // Its recursion's frames are larger than JSON.stringify's native ones: a payload JSON.stringify
  // took made it run out of stack, a raw RangeError out of publish() and trigger().
  it('walks a value as deep as JSON.stringify takes, without running out of call stack (built output, child process)', () => {
    // Built output in a process of its own, its walk not yet compiled by the optimising tiers (an
    // app's first publishes, where its frames are the largest); in jest's worker it did not overflow.
    const script = `const { findJsonLoss } = require(${JSON.stringify(join(__dirname, '..', '..', 'dist', 'index.js'))});
      const nested = (levels, bottom) => { let value = bottom; for (let i = 0; i < levels; i++) value = { id: i, a: value }; return value; };
      let low = 1, high = 200000;
      while (low < high) {
        const middle = Math.ceil((low + high) / 2);
        try { JSON.stringify(nested(middle, new Map())); low = middle; } catch { high = middle - 1; }
      }
      const answer = (value) => { try { return findJsonLoss(value) ?? 'none'; } catch (error) { return { threw: String(error) }; } };
      console.log(JSON.stringify({ low, map: answer(nested(low, new Map())), none: answer(nested(low, [1, { ok: true }])), date: answer([nested(low, null), { at: new Date(NaN) }]) }));`;
    const output = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { low: number; map: unknown; none: unknown; date: unknown };
    expect(output.low).toBeGreaterThan(1000);
    expect(output.map).toEqual({ what: expect.stringMatching(/^a Map of 0 /), path: '.a'.repeat(output.low) });
    expect(output.none).toBe('none');
    expect(output.date).toEqual({ what: expect.stringMatching(/^an invalid Date /), path: '[1].at' });
  });

  // A getter answering JSON.stringify and throwing at the check's read escaped raw (a bare Error out of publish()).
  it('tells a value that throws when read again, and where, rather than throwing it', () => {
    let reads = 0;
    const entry = {
      get title() {
        if (reads++ > 0) throw new Error('session closed');
        return 'Hello';
      },
    };
    expect(JSON.stringify({ entry })).toBe('{"entry":{"title":"Hello"}}');
    expect(lossAt({ entry })).toBe(
      'a value that threw when read again (session closed) (JSON.stringify read it, a second read threw: a getter or Proxy that answers differently at each read; send plain data, read once) at payload.entry.title',
    );
    // The same in an array, past the levels walked by recursion, and from a Proxy's trap.
    let items = 0;
    const list = new Proxy([1, 2], {
      get: (target, key, receiver) => {
        if (key === '1' && items++ > 0) throw new Error('gone');
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    JSON.stringify(list);
    expect(findJsonLoss(nested(100, list))).toEqual({ what: expect.stringMatching(/^a value that threw when read again \(gone\)/), path: `${'.a'.repeat(100)}[1]` });
  });
});

describe('findJsonLoss: its answer, and the option a plugin passes functions and symbols with', () => {
  it("answers what the value is and the path to it, '' for the value itself", () => {
    expect(findJsonLoss({ items: [{}, { tags: new Set() }] })).toEqual({
      what: 'a Set of 0 (JSON.stringify sends {}, without its entries; convert it with [...set])',
      path: '.items[1].tags',
    });
    expect(findJsonLoss(new Map())).toEqual({ what: expect.stringMatching(/^a Map of 0 /), path: '' });
  });

  it("with functionsAndSymbols: 'allow', passes functions and symbols as JSON sends them, and still reports the rest", () => {
    const allow = { functionsAndSymbols: 'allow' } as const;
    expect(findJsonLoss({ render: () => 1, kind: Symbol('page'), list: [() => 2, Symbol('x')] }, allow)).toBeUndefined();
    expect(findJsonLoss(() => 1, allow)).toBeUndefined();
    expect(findJsonLoss(Symbol('page'), allow)).toBeUndefined();
    expect(findJsonLoss({ render: () => 1, tags: new Set([1]) }, allow)).toEqual({ what: expect.stringMatching(/^a Set of 1 /), path: '.tags' });
    expect(findJsonLoss({ render: () => 1 }, { functionsAndSymbols: 'report' })?.path).toBe('.render');
  });

  it('refuses options it does not know, naming them, rather than taking them as the default', () => {
    const refused = (options: unknown) => {
      try {
        findJsonLoss({ render: () => 1 }, options as never);
      } catch (error) {
        return error as { code?: string; message: string };
      }
      throw new Error('not refused');
    };
    expect(refused({ functionsAndSymbols: 'alow' })).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_ARGUMENT', message: expect.stringContaining(`options.functionsAndSymbols must be 'report' or 'allow' (got "alow")`) });
    expect(refused({ functionAndSymbols: 'allow' })).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_ARGUMENT', message: expect.stringContaining('did you mean `functionsAndSymbols`') });
    expect(refused('allow')).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_ARGUMENT', message: expect.stringContaining('options must be an object') });
    const throwing = { get functionsAndSymbols(): string { throw new Error('boom'); } };
    expect(refused(throwing)).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_ARGUMENT', message: expect.stringContaining('options.functionsAndSymbols') });
  });
});
