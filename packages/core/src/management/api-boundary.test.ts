import { createHookwork, type Hookwork, type HookworkError, type WebhookInput, webhookEtag } from '../index';
import { recordingTransport } from '../testing';
import { ThingHappened, ThingHappenedEvent } from '../test-support/test-app';
import { OTHER_NAMES } from '../errors/nearest-name';

/**
 * What a reviewer's fuzzing of the public API found accepted and silently changed: each input is
 * refused with a coded error at the boundary, and nothing stored changes.
 */

let app: Hookwork;
beforeEach(async () => {
  app = createHookwork({ composers: [{ compose: (b) => b.webhookEvents().add(ThingHappenedEvent) }], transport: recordingTransport() });
  await app.start();
});
afterEach(() => app.stop());

const url = 'http://127.0.0.1:9/a';
const events = ['thing.happened'];

async function codeOf(work: Promise<unknown>): Promise<string | undefined> {
  return work.then(() => undefined, (error: HookworkError) => error.code);
}

describe('an object that is not a plain one (Map, Date, RegExp, class instance) where webhook input takes an object', () => {
  it('is refused by update(), and the stored headers, the sensitive ones too, are kept', async () => {
    const hook = await app.webhooks.create({ url, events, headers: { Authorization: { value: 'Bearer s', sensitive: true }, 'X-Plain': 'p' } });
    const error = await app.webhooks.update(hook.key, { headers: new Map([['Authorization', 'Bearer t']]) as never }).then(() => undefined, (e: HookworkError) => e);
    expect(error?.code).toBe('HOOKWORK_ERR_INVALID_WEBHOOK');
    expect(error?.message).toMatch(/headers is a Map, not a plain object/);
    const view = await app.webhooks.get(hook.key);
    expect(view?.headers).toEqual({ Authorization: '[redacted]', 'X-Plain': 'p' });
    expect(view?.sensitiveHeaders).toEqual(['authorization']);
  });

  it.each([
    ['headers: a Map', { headers: new Map([['X', 'y']]) }, 'headers'],
    ['a header value: a Map', { headers: { X: new Map([['value', 'y']]) } }, 'headers.X'],
    ['breaker: a Map', { breaker: new Map([['failureThreshold', 1]]) }, 'breaker'],
    ['breaker: a Date', { breaker: new Date() }, 'breaker'],
    ['fifo: a Date', { fifo: new Date() }, 'fifo'],
    ['rateLimit: a RegExp', { rateLimit: /x/ }, 'rateLimit'],
    ['format: a class instance', { format: new (class Format { type = 'json'; })() }, 'format'],
  ])('%s is refused by create() and check(), and nothing is stored', async (_label, extra, field) => {
    const input = { url, events, ...extra } as unknown as WebhookInput;
    expect(app.webhooks.check(input).map((p) => p.field)).toEqual([field]);
    expect(await codeOf(app.webhooks.create(input))).toBe('HOOKWORK_ERR_INVALID_WEBHOOK');
    expect((await app.webhooks.list()).total).toBe(0);
  });

  // Told "give an object literal" whatever the field took: the fix for a URL object or a Set is not an object.
  it.each([
    ['url: a URL object', { url: new URL(url), events }, 'url', 'is a URL object, not a string; give its text (url.href)'],
    ['events: a Set', { url, events: new Set(events) }, 'events', 'is a Set, not an array; give an array ([...set] makes one)'],
    ['contentTypeKeys: a Set', { url, events, contentTypeKeys: new Set(['blog']) }, 'contentTypeKeys', 'is a Set, not an array; give an array ([...set] makes one)'],
    ['a header value: a URL object', { url, events, headers: { 'X-Back': new URL(url) } }, 'headers.X-Back', 'is a URL object, not a string; give its text (url.href)'],
    ['enabled: a Boolean object', { url, events, enabled: new Boolean(false) }, 'enabled', 'is an instance of Boolean, not a boolean; give a boolean'],
    ['headers: a Map', { url, events, headers: new Map([['X', 'y']]) }, 'headers', 'is a Map, not a plain object; give an object literal such as { "X-Name": "value" } (Object.fromEntries(map) turns a Map into one)'],
  ])('%s is refused with the fix for what the field takes, by create() and update(), and nothing stored changes', async (_label, input, field, problem) => {
    expect(app.webhooks.check(input as unknown as WebhookInput)).toEqual([{ field, problem }]);
    expect(await codeOf(app.webhooks.create(input as unknown as WebhookInput))).toBe('HOOKWORK_ERR_INVALID_WEBHOOK');
    expect((await app.webhooks.list()).total).toBe(0);
    const hook = await app.webhooks.create({ url, events });
    const { url: _url, events: _events, ...patch } = input as Record<string, unknown>;
    const changes = field === 'url' || field === 'events' ? { [field]: (input as Record<string, unknown>)[field] } : patch;
    const error = await app.webhooks.update(hook.key, changes as never).then(() => undefined, (e: HookworkError) => e);
    expect(error?.message).toContain(`${field} ${problem}`);
    expect(await app.webhooks.get(hook.key)).toEqual(hook);
  });

  it('is refused as the whole input', async () => {
    expect(app.webhooks.check(new Map([['url', url]]))).toEqual([{ field: '(root)', problem: expect.stringMatching(/must be an object .*; got a Map/) as string }]);
  });
});

describe('a value with a character a reader cannot see, quoted in a refusal', () => {
  // "unknown event alias "Umbraco.ContentPublish"" with a zero-width space inside read as a known alias refused.
  it('is shown with that character escaped, in every message that quotes what the caller gave, and nothing is stored', async () => {
    const alias = await app.webhooks.create({ url, events: ['thing.happened\u200b'] }).then(() => undefined, (e: HookworkError) => e);
    expect(alias?.code).toBe('HOOKWORK_ERR_INVALID_WEBHOOK');
    expect(alias?.message).toContain('unknown event alias "thing.happened\\u200b"');
    expect((await app.webhooks.list()).total).toBe(0);
    const hook = await app.webhooks.create({ url, events });
    for (const work of [app.webhooks.update(`${hook.key}\u202e`, { enabled: false }), app.sendTestEvent(`${hook.key}\u2060`), app.delivery('entry\ufeff')]) {
      const error = await work.then(() => undefined, (e: HookworkError) => e);
      expect(error?.message).toMatch(/\\u(202e|2060|feff)"/);
      expect(error?.message).not.toMatch(/[\u202e\u2060\ufeff]/);
    }
    expect(await app.webhooks.get(hook.key)).toEqual(hook);
  });
});

describe('webhooks.list() takes a page and nothing else', () => {
  it.each([
    [{ take: 1 }, /"take", which is not part of a page \(take is limit here\)/],
    [{ skip: 100 }, /"skip", which is not part of a page \(skip is offset here\)/],
    [{ cursor: 'x' }, /"cursor"/],
    [new Map([['limit', 1]]), /got a Map/],
  ])('refuses %p with HOOKWORK_ERR_INVALID_PAGE', async (page, message) => {
    for (let i = 0; i < 3; i++) await app.webhooks.create({ url, events });
    const error = await app.webhooks.list(page as never).then(() => undefined, (e: HookworkError) => e);
    expect(error?.code).toBe('HOOKWORK_ERR_INVALID_PAGE');
    expect(error?.message).toMatch(message);
    expect((await app.webhooks.list({ limit: 1 })).items).toHaveLength(1);
  });
});

describe("another API's name of a page's part is suggested alike by every listing's refusal", () => {
  // From nearestName's one table: a name added there is suggested by the filters' refusal
  // (logs(), deadLetters()) and by the page's (webhooks.list()) with no list of their own.
  const pageNames = (['limit', 'offset', 'after'] as const).flatMap((key) => OTHER_NAMES[key]!.map((other) => [other, key] as const));

  it.each(pageNames)('%s names %s', async (other, key) => {
    const refused = (call: () => Promise<unknown>) => call().then(() => undefined, (e: HookworkError) => e);
    for (const listing of [() => app.logs({ [other]: 1 } as never), () => app.deadLetters({ [other]: 1 } as never)]) {
      const error = await refused(listing);
      expect([error?.code, error?.message]).toEqual(['HOOKWORK_ERR_INVALID_QUERY', expect.stringContaining(`; did you mean ${key} for "${other}"?`)]);
    }
    const error = await refused(() => app.webhooks.list({ [other]: 1 } as never));
    expect([error?.code, error?.message]).toEqual(['HOOKWORK_ERR_INVALID_PAGE', expect.stringMatching(new RegExp(`which is not part of a page \\(${other} is ${key}(?: \\([^)]*\\))? here\\)`))]);
  });
});

describe('a lone UTF-16 surrogate in what reaches the wire', () => {
  it.each([
    ['the URL path', { url: 'http://127.0.0.1:9/a\uD800' }, 'url'],
    ['the URL query', { url: 'http://127.0.0.1:9/a?q=\uDC00' }, 'url'],
    ['the CloudEvents subject', { format: { type: 'cloudevents', mode: 'binary', source: '/s', subject: 'x\uD800' } }, 'format.subject'],
    ['the CloudEvents subjectFrom', { format: { type: 'cloudevents', mode: 'binary', source: '/s', subjectFrom: '/x\uD800' } }, 'format.subjectFrom'],
  ])('in %s is refused, not stored as U+FFFD', async (_label, extra, field) => {
    const input = { url, events, ...extra } as WebhookInput;
    const problems = app.webhooks.check(input);
    expect(problems.map((p) => p.field)).toEqual([field]);
    expect(problems[0]!.problem).toMatch(/lone UTF-16 surrogate/);
    expect(await codeOf(app.webhooks.create(input))).toBe('HOOKWORK_ERR_INVALID_WEBHOOK');
  });

  it('a pair of surrogates (an emoji) is text, and is kept', async () => {
    const hook = await app.webhooks.create({ url, events, format: { type: 'cloudevents', mode: 'binary', source: '/s', subject: 'x😀' } });
    expect(hook.format).toMatchObject({ subject: 'x😀' });
  });
});

describe('update() that changes nothing', () => {
  it('keeps updatedAt and the ETag, so another editor\'s ifMatch still holds', async () => {
    const hook = await app.webhooks.create({ url, events, name: 'n' });
    const tag = webhookEtag(hook);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(webhookEtag(await app.webhooks.update(hook.key, {}))).toBe(tag);
    expect(webhookEtag(await app.webhooks.update(hook.key, { name: 'n', enabled: true }))).toBe(tag);
    const changed = await app.webhooks.update(hook.key, { name: 'm' }, { ifMatch: tag });
    expect(changed.updatedAt.getTime()).toBeGreaterThan(hook.updatedAt.getTime());
  });
});

describe('keys past what create() stores', () => {
  it('get() refuses a key longer than any webhook key, as create() does', async () => {
    const long = 'k'.repeat(5_000_000);
    const error = await app.webhooks.get(long).then(() => undefined, (e: HookworkError) => e);
    expect(error?.code).toBe('HOOKWORK_ERR_INVALID_ARGUMENT');
    expect(error?.message).toMatch(/is 5000000 characters long, and none is longer than 200/);
    expect(await codeOf(app.webhooks.create({ url, events, key: 'k'.repeat(201) }))).toBe('HOOKWORK_ERR_INVALID_WEBHOOK');
    expect(await app.webhooks.get('k'.repeat(200))).toBeUndefined();
  });

  it('100,000 headers are refused by their count, before any is checked', async () => {
    const headers = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`X-${i}`, 'v']));
    expect(app.webhooks.check({ url, events, headers })).toEqual([{ field: 'headers', problem: 'has too many entries (at most 50); got 100000' }]);
  });
});

describe('logs(key, page) with a webhookKey of its own', () => {
  it('is refused, not read as the first key', async () => {
    const a = await app.webhooks.create({ url, events });
    const b = await app.webhooks.create({ url, events });
    const error = await app.logs(a.key, { webhookKey: b.key } as never).then(() => undefined, (e: HookworkError) => e);
    expect(error?.code).toBe('HOOKWORK_ERR_INVALID_QUERY');
    expect(error?.message).toMatch(/name the webhook once/);
    expect((await app.logs(a.key, { webhookKey: a.key } as never)).total).toBe(0);
  });
});

describe('sendTestEvent() and catalogueDocument() options', () => {
  it('sendTestEvent() refuses an unknown option and options that are not an object, sending nothing', async () => {
    const hook = await app.webhooks.create({ url, events });
    const alia = await app.sendTestEvent(hook.key, { alia: 'thing.happened' } as never).then(() => undefined, (e: HookworkError) => e);
    expect(alia?.code).toBe('HOOKWORK_ERR_INVALID_ARGUMENT');
    expect(alia?.message).toMatch(/unknown option `alia` \(did you mean `alias`\?\)/);
    expect(await codeOf(app.sendTestEvent(hook.key, 'thing.happened' as never))).toBe('HOOKWORK_ERR_INVALID_ARGUMENT');
    expect(await codeOf(app.sendTestEvent(hook.key, new Map() as never))).toBe('HOOKWORK_ERR_INVALID_ARGUMENT');
    expect((await app.logs()).total).toBe(0);
  });

  it('catalogueDocument() refuses a title or version that is not a string, and an unknown option', () => {
    expect(() => app.catalogueDocument({ title: 5, version: {} } as never)).toThrow(/HOOKWORK_ERR_INVALID_ARGUMENT: catalogueDocument\(\): title must be a non-empty string/);
    expect(() => app.catalogueDocument({ version: {} } as never)).toThrow(/version must be a non-empty string/);
    expect(() => app.catalogueDocument({ titel: 'x' } as never)).toThrow(/unknown option `titel` \(did you mean `title`\?\)/);
    expect(app.catalogueDocument({ title: 'Acme', version: '2.0.0' }).info).toMatchObject({ title: 'Acme', version: '2.0.0' });
  });
});

describe('query objects that are not plain', () => {
  it.each([
    ['logs', () => app.logs(new Map([['limit', 1]]) as never), 'HOOKWORK_ERR_INVALID_QUERY'],
    ['deadLetters', () => app.deadLetters(new Date() as never), 'HOOKWORK_ERR_INVALID_QUERY'],
    ['queueCounts', () => app.queueCounts(new Map() as never), 'HOOKWORK_ERR_INVALID_QUERY'],
    ['redeliver', () => app.redeliver(new Map([['all', true]]) as never), 'HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR'],
    ['drain', () => app.drain(new Map() as never), 'HOOKWORK_ERR_INVALID_ARGUMENT'],
    ['update ifMatch options', async () => app.webhooks.update((await app.webhooks.create({ url, events })).key, {}, new Map() as never), 'HOOKWORK_ERR_INVALID_ARGUMENT'],
  ])('%s refuses one', async (_label, call, code) => {
    expect(await codeOf(call())).toBe(code);
  });
});

describe('an input a getter or Proxy trap throws from, where the API first reads it', () => {
  const throwing = (extra: Record<string, unknown>, field: string): Record<string, unknown> =>
    Object.defineProperty({ ...extra }, field, {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
  const trapped = (target: object): object =>
    new Proxy(target, {
      get() {
        throw new Error('trap');
      },
    });

  it.each([
    ['a getter on url', () => throwing({ events }, 'url'), 'url'],
    ['a getter in a header', () => ({ url, events, headers: throwing({}, 'X-Tenant') }), 'headers.X-Tenant'],
    ['a getter in events', () => ({ url, events: Object.defineProperty([], 0, { enumerable: true, get: () => { throw new Error('boom'); } }) }), 'events[0]'],
    ['a Proxy whose get trap throws', () => trapped({ url, events }), 'url'],
    ['a Proxy whose getPrototypeOf trap throws', () => new Proxy({ url, events }, { getPrototypeOf() { throw new Error('trap'); } }), '(root)'],
  ])('%s is refused by create(), update() and check(), coded and naming the field, and nothing stored changes', async (_label, make, field) => {
    expect(app.webhooks.check(make())).toEqual([{ field, problem: expect.stringMatching(/could not be read: .* threw \((boom|trap)\)/) as string }]);
    const error = await app.webhooks.create(make() as unknown as WebhookInput).then(() => undefined, (e: HookworkError) => e);
    expect(error?.code).toBe('HOOKWORK_ERR_INVALID_WEBHOOK');
    expect(error?.details).toEqual([{ field, problem: expect.stringContaining('could not be read') as string }]);
    expect((await app.webhooks.list()).total).toBe(0);
    const hook = await app.webhooks.create({ url, events });
    expect(await codeOf(app.webhooks.update(hook.key, make() as never))).toBe('HOOKWORK_ERR_INVALID_WEBHOOK');
    expect(await app.webhooks.get(hook.key)).toEqual(hook);
  });

  it('is read once: a getter answering differently the second time is not what gets stored unchecked', async () => {
    let reads = 0;
    const input = Object.defineProperty({ events }, 'url', { enumerable: true, get: () => (reads++ === 0 ? url : 'ftp://elsewhere') });
    const hook = await app.webhooks.create(input as unknown as WebhookInput);
    expect(hook.url).toBe(url);
    expect(reads).toBe(1);
  });

  it('is refused coded by publish(), logs(), deadLetters(), redeliver(), the ifMatch options of update(), delete() and rotateSecret(), and updateSettings(), nothing changed', async () => {
    expect(await codeOf(app.publish(new ThingHappened('t1'), throwing({}, 'idempotencyKey') as never))).toBe('HOOKWORK_ERR_INVALID_ARGUMENT');
    expect(await codeOf(app.logs(throwing({}, 'webhookKey') as never))).toBe('HOOKWORK_ERR_INVALID_QUERY');
    expect(await codeOf(app.logs('k', throwing({}, 'limit') as never))).toBe('HOOKWORK_ERR_INVALID_QUERY');
    expect(await codeOf(app.deadLetters(throwing({}, 'limit') as never))).toBe('HOOKWORK_ERR_INVALID_QUERY');
    const selector = await app.redeliver(throwing({}, 'webhookKey') as never).then(() => undefined, (e: HookworkError) => e);
    expect(selector?.code).toBe('HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR');
    expect(selector?.message).toContain('selector.webhookKey could not be read');
    const before = app.settings;
    let settingsError: HookworkError | undefined;
    try {
      app.updateSettings({ breaker: throwing({}, 'coolDown') } as never);
    } catch (e) {
      settingsError = e as HookworkError;
    }
    expect(settingsError?.code).toBe('HOOKWORK_ERR_INVALID_SETTINGS');
    expect(settingsError?.details).toEqual([{ key: 'breaker.coolDown', problem: expect.stringContaining('could not be read') as string }]);
    expect(app.settings).toEqual(before);
    const hook = await app.webhooks.create({ url, events });
    expect(await codeOf(app.webhooks.update(hook.key, { enabled: false }, throwing({}, 'ifMatch') as never))).toBe('HOOKWORK_ERR_INVALID_ARGUMENT');
    expect(await codeOf(app.webhooks.rotateSecret(hook.key, throwing({}, 'gracePeriod') as never))).toBe('HOOKWORK_ERR_INVALID_ARGUMENT');
    expect(await codeOf(app.webhooks.delete(hook.key, throwing({}, 'ifMatch') as never))).toBe('HOOKWORK_ERR_INVALID_ARGUMENT');
    expect(await app.webhooks.get(hook.key)).toEqual(hook);
    expect(() => createHookwork({ settings: trapped({ maximumRetries: 2 }) as never })).toThrow(expect.objectContaining({ code: 'HOOKWORK_ERR_INVALID_SETTINGS' }) as Error);
  });

  it('is refused coded, naming the field, by webhooks.list(), queueCounts(), drain(), sendTestEvent() and catalogueDocument() too', async () => {
    const refusal = async (call: () => unknown): Promise<HookworkError | undefined> => {
      try {
        await call();
        return undefined;
      } catch (error) {
        return error as HookworkError;
      }
    };
    const hook = await app.webhooks.create({ url, events });
    const cases: [string, () => unknown, string, string][] = [
      ['webhooks.list', () => app.webhooks.list(throwing({}, 'limit') as never), 'HOOKWORK_ERR_INVALID_QUERY', 'page.limit could not be read'],
      ['queueCounts', () => app.queueCounts(throwing({}, 'webhookKey') as never), 'HOOKWORK_ERR_INVALID_QUERY', 'query.webhookKey could not be read'],
      ['drain', () => app.drain(throwing({}, 'timeoutMs') as never), 'HOOKWORK_ERR_INVALID_ARGUMENT', 'options.timeoutMs could not be read'],
      ['sendTestEvent', () => app.sendTestEvent(hook.key, throwing({}, 'alias') as never), 'HOOKWORK_ERR_INVALID_ARGUMENT', 'options.alias could not be read'],
      ['catalogueDocument', () => app.catalogueDocument(trapped({ title: 'Acme' }) as never), 'HOOKWORK_ERR_INVALID_ARGUMENT', 'options.title could not be read'],
    ];
    for (const [name, call, code, text] of cases) {
      const error = await refusal(call);
      expect({ name, code: error?.code, message: error?.message }).toEqual({ name, code, message: expect.stringContaining(text) as string });
    }
    expect(await app.webhooks.get(hook.key)).toEqual(hook);
  });
});
