import { createHookwork, isHookworkError, type Hookwork, type WebhookInputProblem } from '@hookwork/core';
import { recordingTransport } from '@hookwork/core/testing';
import { cockpitComposer, cockpitWebhooks, toCockpitWebhook, type CockpitWebhookInput } from './index';

const URL = 'https://hooks.example.test/cockpit';
let app: Hookwork;

beforeEach(async () => {
  app = createHookwork({ composers: [cockpitComposer(), { compose: (b) => b.webhookEvents().addCockpit() }], transport: recordingTransport() });
  await app.start();
});
afterEach(() => app.stop());

async function refusal(input: unknown): Promise<{ message: string; problems: WebhookInputProblem[] }> {
  try {
    await cockpitWebhooks(app).create(input as CockpitWebhookInput);
  } catch (error) {
    expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_WEBHOOK')).toBe(true);
    return { message: (error as Error).message, problems: (error as { details: WebhookInputProblem[] }).details };
  }
  throw new Error('the webhook was not refused');
}

describe("cockpitWebhooks(app): Cockpit's webhook shape on hookwork webhooks", () => {
  it('is a coded error at once when given no app, instead of a TypeError from its first call', () => {
    // It returned an object whose create() and list() threw "Cannot read properties of undefined (reading 'webhooks')".
    for (const notAnApp of [undefined, null, {}, 'app']) {
      expect(() => cockpitWebhooks(notAnApp as never)).toThrow(/^HOOKWORK_ERR_INVALID_ARGUMENT: cockpitWebhooks\(app\) takes the app createHookwork\(\) returned; got /);
    }
    expect(() => cockpitWebhooks({ app } as never)).toThrow(/got an object without webhooks; pass the app itself/);
  });

  it('takes an app not started yet (made in the host\'s wiring, used after start), as it did before it checked its argument', async () => {
    // The check read app.webhooks, which throws HOOKWORK_ERR_APP_NOT_STARTED before start().
    const later = createHookwork({ composers: [cockpitComposer(), { compose: (b) => b.webhookEvents().addCockpit() }], transport: recordingTransport() });
    const cockpit = cockpitWebhooks(later);
    await later.start();
    try {
      expect((await cockpit.create({ name: 'made after start', url: URL, events: ['cockpit.clearcache'] })).name).toBe('made after start');
    } finally {
      await later.stop();
    }
  });

  it('toCockpitWebhook() of something that is no webhook view is a coded error, not a TypeError', async () => {
    for (const notAView of [undefined, null, 'key', { key: 'k' }]) {
      expect(() => toCockpitWebhook(notAView as never)).toThrow(/^HOOKWORK_ERR_INVALID_ARGUMENT: toCockpitWebhook\(view\) takes a webhook view as app\.webhooks\.get\(\) returns it; got /);
    }
    const view = await app.webhooks.create({ name: 'n', url: URL, events: ['cockpit.clearcache'] });
    expect(toCockpitWebhook(view)).toMatchObject({ _id: view.key, name: 'n' });
  });

  it('refuses a Map or Date where an object belongs, by name, storing nothing', async () => {
    const auth = await refusal({ name: 'n', url: URL, events: ['cockpit.clearcache'], auth: new Map([['user', 'u']]) });
    expect(auth.problems).toEqual([{ field: 'auth', problem: 'is a Map, not a plain object; give an object literal such as { … } (Object.fromEntries(map) turns a Map into one)' }]);
    // Where the form takes text or a list, the fix says so (it said "give an object literal").
    const url = await refusal({ name: 'n', url: new globalThis.URL(URL), events: new Set(['cockpit.clearcache']) });
    expect(url.problems).toEqual([
      { field: 'url', problem: 'is a URL object, not a string; give its text (url.href)' },
      { field: 'events', problem: 'is a Set, not an array; give an array ([...set] makes one)' },
    ]);
    expect((await refusal(new Map([['url', URL]]))).problems[0]!.problem).toMatch(/must be a plain object .*; got a Map/);
    expect((await app.webhooks.list()).total).toBe(0);
  });

  it('lists by the after cursor as app.webhooks.list() does: a webhook deleted between pages moves no other out of the walk', async () => {
    const cockpit = cockpitWebhooks(app);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await cockpit.create({ name: `n${i}`, url: URL, events: ['cockpit.clearcache'] }))._id);
    const first = await cockpit.list({ limit: 2 });
    expect(first.items.map((w) => w._id)).toEqual(ids.slice(0, 2));
    await cockpit.delete(ids[0]!);
    const rest = await cockpit.list({ limit: 10, after: first.next! });
    expect([rest.items.map((w) => w._id), rest.total, rest.next]).toEqual([ids.slice(2), 4, undefined]);
  });

  it('maps name, url, events and active onto a webhook, and basic auth onto a sensitive Authorization header', async () => {
    const created = await cockpitWebhooks(app).create({
      name: 'Rebuild site',
      url: 'HTTPS://Hooks.Example.Test/rebuild',
      auth: { user: 'deploy', pass: 's3cret' },
      headers: [{ k: 'X-Site', v: 'blog' }],
      events: ['collections.save.after.posts', 'collections.remove.after'],
      active: false,
    });
    const stored = (await app.webhooks.get(created._id))!;
    expect(stored).toMatchObject({
      name: 'Rebuild site',
      url: 'https://hooks.example.test/rebuild',
      events: ['collections.save.after.posts', 'collections.remove.after'],
      enabled: false,
      headers: { 'X-Site': 'blog', Authorization: '[redacted]' },
      sensitiveHeaders: ['authorization'],
    });
    expect(created).toEqual({
      _id: stored.key,
      name: 'Rebuild site',
      url: 'https://hooks.example.test/rebuild',
      auth: { user: '[redacted]', pass: '[redacted]' },
      headers: [{ k: 'X-Site', v: 'blog' }],
      events: ['collections.save.after.posts', 'collections.remove.after'],
      active: false,
      _created: Math.floor(stored.createdAt.getTime() / 1000),
      _modified: Math.floor(stored.updatedAt.getTime() / 1000),
    });
    expect(JSON.stringify(await cockpitWebhooks(app).list())).not.toContain('s3cret');
    expect(JSON.stringify(await app.webhooks.list())).not.toContain(Buffer.from('deploy:s3cret').toString('base64'));
  });

  // Cockpit's auth is basic auth (user/pass); a Bearer token there is a header row. It was shown
  // as auth { user: '[redacted]', pass: '[redacted]' }, and a form saving that back made it basic.
  it('shows an Authorization header as auth only when it is basic auth: a Bearer one stays a header row, both ways', async () => {
    const viaCore = await app.webhooks.create({ key: 'bearer', url: URL, events: ['cockpit.clearcache'], headers: { Authorization: { value: 'Bearer tok-1', sensitive: true } } });
    const shown = await cockpitWebhooks(app).get(viaCore.key);
    expect(shown).toMatchObject({ auth: { user: '', pass: '' }, headers: [{ k: 'Authorization', v: '[redacted]', sensitive: true }] });
    const viaCockpit = await cockpitWebhooks(app).create({ name: 'n', url: URL, events: ['cockpit.clearcache'], headers: [{ k: 'Authorization', v: 'Bearer tok-2' }] });
    expect(viaCockpit).toMatchObject({ auth: { user: '', pass: '' }, headers: [{ k: 'Authorization', v: '[redacted]', sensitive: true }] });
    const basic = await cockpitWebhooks(app).create({ name: 'b', url: URL, events: ['cockpit.clearcache'], auth: { user: 'd', pass: 'p' } });
    expect(basic).toMatchObject({ auth: { user: '[redacted]', pass: '[redacted]' }, headers: [] });
    const listed = (await cockpitWebhooks(app).list()).items;
    expect(listed.map((w) => [w.auth.user, w.headers.map((h) => h.k)])).toEqual([['', ['Authorization']], ['', ['Authorization']], ['[redacted]', []]]);
    expect(JSON.stringify(listed)).not.toMatch(/tok-|ZDpw/);
    // A view alone holds no scheme: the header is shown as the header it is, unless one is given.
    const view = (await app.webhooks.get(basic._id))!;
    expect(toCockpitWebhook(view).headers).toEqual([{ k: 'Authorization', v: '[redacted]', sensitive: true }]);
    expect(toCockpitWebhook(view, 'Basic').auth).toEqual({ user: '[redacted]', pass: '[redacted]' });
  });

  it('refuses a header row named __proto__ with a coded error under its row, never dropping it silently', async () => {
    const { problems } = await refusal({ name: 'n', url: URL, events: ['cockpit.clearcache'], headers: JSON.parse('[{"k": "X-A", "v": "1"}, {"k": "__proto__", "v": "x"}]') });
    expect(problems).toEqual([{ field: 'headers.1.k', problem: expect.stringMatching(/is a header named __proto__, which JavaScript reads as an object's prototype/) }]);
    expect((await app.webhooks.list()).total).toBe(0);
  });

  it("keeps Cockpit's _id as the key, defaults active to true and has empty auth without credentials", async () => {
    await cockpitWebhooks(app).create({ _id: '5f1a2b3c4d', name: 'n', url: URL, events: ['cockpit.clearcache'], _created: 1600000000, _modified: 1600000001 });
    expect(await cockpitWebhooks(app).get('5f1a2b3c4d')).toMatchObject({ _id: '5f1a2b3c4d', active: true, auth: { user: '', pass: '' }, headers: [] });
    expect(await cockpitWebhooks(app).get('nope')).toBeUndefined();
    expect(await cockpitWebhooks(app).delete('5f1a2b3c4d')).toBe(true);
    expect(await cockpitWebhooks(app).list()).toEqual({ items: [], total: 0 });
  });

  it('skips header rows with an empty key or value, as Cockpit does, and marks secret-looking headers sensitive', async () => {
    const created = await cockpitWebhooks(app).create({
      name: 'n',
      url: URL,
      events: ['cockpit.clearcache'],
      headers: [{ k: '', v: 'x' }, { k: 'X-Empty', v: '' }, { k: 'X-Api-Key', v: 'key-123' }, { k: 'X-Plain', v: 'p', sensitive: true }, { k: 'X-Env', v: 'prod' }],
    });
    expect(created.headers).toEqual([
      { k: 'X-Api-Key', v: '[redacted]', sensitive: true },
      { k: 'X-Plain', v: '[redacted]', sensitive: true },
      { k: 'X-Env', v: 'prod' },
    ]);
  });

  it('returns a requested signing secret once, at creation', async () => {
    const created = await cockpitWebhooks(app).create({ name: 'n', url: URL, events: ['cockpit.clearcache'], secret: true });
    expect(created.secret).toMatch(/^whsec_/);
    expect((await cockpitWebhooks(app).get(created._id))!.secret).toBeUndefined();
  });

  describe('refuses bad Cockpit input with HOOKWORK_ERR_INVALID_WEBHOOK and stores nothing', () => {
    afterEach(async () => expect(await app.webhooks.list()).toEqual({ items: [], total: 0 }));

    it('missing fields and fields Cockpit does not have', async () => {
      const { problems } = await refusal({ url: URL, events: ['cockpit.clearcache'], enabled: true });
      expect(problems).toEqual([
        { field: 'name', problem: 'is required' },
        { field: 'enabled', problem: "is not a Cockpit webhook field (did you mean active?); the fields are name, url, auth, headers, events, active, secret (and a Cockpit export's _id, _created, _modified)" },
      ]);
    });

    // A field misplaced in auth or a header row was "not a Cockpit webhook field (name, url, auth,
    // headers, events, active)" — the webhook's fields, not the ones of the object it was in — and a
    // value of the wrong kind got ajv's words ("headers must be array", "secret must match a schema
    // in anyOf"), naming neither the shape Cockpit's form has nor what was given.
    it("names the fields of the object a misplaced one is in, and the shape of a value of the wrong kind", async () => {
      const { problems } = await refusal({
        name: '',
        url: URL,
        events: 'collections.save.after',
        auth: { username: 'deploy', password: 'pw' },
        headers: [{ name: 'X-Site', value: 'blog' }],
        active: 'true',
        secret: 5,
        evnts: [],
      });
      const auth = 'auth is { user, pass } (HTTP basic auth)';
      const row = 'a row is { k, v } (and sensitive: true to redact its value)';
      expect(problems).toEqual(
        expect.arrayContaining([
          { field: 'name', problem: 'must not be empty' },
          { field: 'events', problem: "must be an array of event names, e.g. ['collections.save.after']; got a string" },
          { field: 'auth.username', problem: `is not a field of auth (did you mean user?); ${auth}` },
          { field: 'auth.password', problem: `is not a field of auth (did you mean pass?); ${auth}` },
          { field: 'headers.0.name', problem: `is not a field of a header row (did you mean k?); ${row}` },
          { field: 'headers.0.value', problem: `is not a field of a header row (did you mean v?); ${row}` },
          { field: 'active', problem: 'must be a boolean; got a string' },
          { field: 'secret', problem: 'must be true (hookwork generates a signing secret and returns it once) or a whsec_… secret (false or left out: none)' },
          { field: 'evnts', problem: expect.stringMatching(/^is not a Cockpit webhook field \(did you mean events\?\); the fields are name, url, /) },
        ]),
      );
      const headers = await refusal({ name: 'n', url: URL, events: ['cockpit.clearcache'], headers: { 'X-Site': 'blog' } });
      expect(headers.message).toContain("headers must be an array of { k, v } rows, e.g. [{ k: 'X-Site', v: 'blog' }]; got an object");
      // The kind of what was given, never its value: auth.pass is a password.
      const pass = await refusal({ name: 'n', url: URL, events: ['cockpit.clearcache'], auth: { user: 'u', pass: 12345678 } });
      expect(pass.problems).toEqual([{ field: 'auth.pass', problem: 'must be a string; got a number' }]);
      expect(pass.message).not.toContain('12345678');
    });

    it('at most 20 problems named, and the rest counted, however many there are', async () => {
      const { problems, message } = await refusal({ name: 'n', url: URL, events: Array(100_000).fill(1) });
      expect(problems).toHaveLength(20);
      expect(message).toMatch(/; and \d+ more problems \(the first 20 are named\)$/);
      expect(message.length).toBeLessThan(5_000);
    });

    it('wrong types', async () => {
      const { problems } = await refusal({ name: 'n', url: URL, events: 'collections.save.after', active: 'yes', headers: [{ k: 'X', v: 1 }] });
      expect(problems.map((p) => p.field)).toEqual(['headers.0.v', 'events', 'active']);
    });

    it('half-filled basic auth, and a user with ":"', async () => {
      expect((await refusal({ name: 'n', url: URL, events: ['cockpit.clearcache'], auth: { user: 'deploy', pass: '' } })).message).toMatch(/auth\.pass is empty while auth\.user is set; set both/);
      expect((await refusal({ name: 'n', url: URL, events: ['cockpit.clearcache'], auth: { user: 'a:b', pass: 'p' } })).message).toMatch(/auth\.user must not contain ":"/);
    });

    it('a basic-auth Authorization header (auth is for that), one beside auth, and the same header twice', async () => {
      expect((await refusal({ name: 'n', url: URL, events: ['cockpit.clearcache'], headers: [{ k: 'authorization', v: 'Basic ZDpw' }] })).message).toMatch(/headers\.0 sets Authorization to basic auth; use auth \{ user, pass \}/);
      expect((await refusal({ name: 'n', url: URL, events: ['cockpit.clearcache'], auth: { user: 'd', pass: 'p' }, headers: [{ k: 'Authorization', v: 'Bearer t' }] })).message).toMatch(/headers\.0 sets Authorization while auth \{ user, pass \} sets it too/);
      expect((await refusal({ name: 'n', url: URL, events: ['cockpit.clearcache'], headers: [{ k: 'X-A', v: '1' }, { k: 'x-a', v: '2' }] })).message).toMatch(/headers\.1 repeats the header x-a/);
    });

    it('a header with CR/LF', async () => {
      const { problems } = await refusal({ name: 'n', url: URL, events: ['cockpit.clearcache'], headers: [{ k: 'X-A', v: 'a\r\nInjected: 1' }] });
      expect(problems).toEqual([{ field: 'headers.0.v', problem: expect.stringMatching(/^contains U\+000D \(carriage return, CR\) at character 2 \(a line break would end the header: header injection\); header values are visible ASCII/) }]);
    });

    it.each([
      ['测试站点', 'contains "测" (U+6D4B) at character 1; header values are visible ASCII, space and tab (RFC 9110 §5.5); carry other text percent-encoded'],
      ['Bearer k€y-42', 'contains "€" (U+20AC) at character 9'],
      ['a\u0001b', 'contains U+0001 at character 2'],
      ['a\u007fb', 'contains U+007F (DEL) at character 2'],
    ])('a header row whose value HTTP/1.1 cannot carry unchanged (%j), naming the row, the character and the rule', async (value, problem) => {
      const { problems, message } = await refusal({ name: 'n', url: URL, events: ['cockpit.clearcache'], headers: [{ k: 'X-Ok', v: 'fine' }, { k: 'X-Site-Name', v: value }] });
      expect(problems).toEqual([{ field: 'headers.1.v', problem: expect.stringContaining(problem) }]);
      expect(message).not.toContain('k€y');
    });

    it.each(['Content-Encoding', 'Content-Digest', 'Repr-Digest', 'Digest', 'Content-MD5'])('a %s row (it describes a body hookwork makes and signs anew for every request), under the row', async (name) => {
      const { problems } = await refusal({ name: 'n', url: URL, events: ['cockpit.clearcache'], headers: [{ k: 'X-Ok', v: 'fine' }, { k: name, v: 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:' }] });
      expect(problems).toEqual([{ field: 'headers.1.k', problem: expect.stringMatching(/^(is a checksum of the body|describes the body's coding).*; remove it/) }]);
    });

    it('header rows and basic auth of more than 4,096 bytes in all, naming the total, the cap and the largest (auth counted as the Authorization header it is sent as)', async () => {
      const rows = [{ k: 'X-Token', v: 't'.repeat(3000) }];
      // 3,007 bytes of rows: taken alone, refused with the Authorization that auth adds.
      // In one refusal with the input's other problems (it was core's create() alone that refused it, after the check).
      const { problems } = await refusal({ name: 'n', url: URL, events: ['cockpit.clearcache', 'cockpit.nope'], headers: rows, auth: { user: 'deploy', pass: 'p'.repeat(900) } });
      expect(problems).toEqual([{ field: 'events', problem: expect.stringMatching(/^unknown event alias "cockpit\.nope"/) }, { field: 'headers', problem: expect.stringMatching(/^hold 4,238 bytes in all \(names and values\), more than the 4,096 a webhook's custom headers may hold: .*\(the largest, in bytes: X-Token 3,007, Authorization 1,231\)$/) }]);
      await cockpitWebhooks(app).create({ name: 'n', url: URL, events: ['cockpit.clearcache'], headers: rows, _id: 'rows-alone' });
      await app.webhooks.delete('rows-alone');
    });

    it('a header row whose name is not an HTTP token', async () => {
      const { problems } = await refusal({ name: 'n', url: URL, events: ['cockpit.clearcache'], headers: [{ k: 'X Site', v: 'blog' }] });
      expect(problems).toEqual([{ field: 'headers.0.k', problem: expect.stringMatching(/^contains U\+0020 \(space\) at character 2; a header name is letters, digits and .* \(an RFC 9110 token\)$/) }]);
    });

    it('an _id with a character a key cannot hold, naming it and the rule', async () => {
      const { problems } = await refusal({ _id: 'site/main', name: 'n', url: URL, events: ['cockpit.clearcache'] });
      expect(problems).toEqual([{ field: '_id', problem: 'contains "/" (U+002F) at character 5; a key or id is letters (A-Z, a-z), digits and . _ : - only' }]);
    });

    it('a URL with leading or trailing whitespace: refused with the position, not trimmed', async () => {
      const { problems } = await refusal({ name: 'n', url: ' https://hooks.example.test/rebuild ', events: ['cockpit.clearcache'] });
      expect(problems).toEqual([{ field: 'url', problem: expect.stringContaining('contains U+0020 (space) at character 1; URLs are taken as typed, never trimmed or repaired') }]);
    });

    it('every problem of one input in one refusal: its own, and those core finds', async () => {
      const { problems } = await refusal({
        name: 'n',
        url: 'ftp://files.example.test',
        events: ['nope', 7],
        headers: [{ k: 'X-A', v: 'a\r\nb' }, { k: 'X-B', v: 'ok' }, { k: 'x-b', v: 'again' }],
        auth: { user: 'deploy', pass: '' },
        active: 'yes',
        urll: 1,
      });
      expect(problems.map((p) => p.field).sort()).toEqual(['active', 'auth.pass', 'events', 'events.1', 'headers.0.v', 'headers.2', 'url', 'urll']);
      expect(problems.find((p) => p.field === 'events')!.problem).toContain('unknown event alias "nope"');
      expect(problems.find((p) => p.field === 'url')!.problem).toContain('scheme ftp: is not allowed');
    });

    it('unknown events and a bad URL (checked by core against the composed events)', async () => {
      const { message } = await refusal({ name: 'n', url: 'ftp://files.example.test', events: ['collections.save.afterr', 'collections.save.after.posts'] });
      expect(message).toMatch(/url scheme ftp: is not allowed/);
      expect(message).toMatch(/unknown event alias "collections.save.afterr"; did you mean "collections.save.after" for "collections.save.afterr"\?;/);
    });

    it('a misspelt event of a name-spaced subscription, naming the variant meant', async () => {
      const { message } = await refusal({ name: 'n', url: 'https://hooks.example.test/', events: ['collections.save.aftr.posts', 'singleton.saveData.after.settings'] });
      expect(message).toMatch(/unknown event alias "collections.save.aftr.posts"; did you mean "collections.save.after.posts" for "collections.save.aftr.posts"\?;/);
    });

    // Core's advice (a sensitive Authorization header) is refused on this path: the hint names auth.
    it('credentials in the URL, pointing to auth { user, pass }', async () => {
      const { problems } = await refusal({ name: 'n', url: 'http://u:p@hooks.example.test/', events: ['cockpit.clearcache'] });
      expect(problems).toEqual([{ field: 'url', problem: 'must not hold credentials (they would show in logs); put them in auth { user, pass } (sent as HTTP basic auth)' }]);
    });

    it('a webhook without events (Cockpit kept them; hookwork needs at least one)', async () => {
      expect((await refusal({ name: 'draft', url: URL, events: [] })).message).toMatch(/events/);
    });
  });
});
