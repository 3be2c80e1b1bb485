import { API, startAdminFixture, type AdminFixture } from './test-support/admin-fixture';

jest.setTimeout(60_000);

let fixture: AdminFixture;

beforeEach(async () => {
  fixture = await startAdminFixture();
  await fixture.app.webhooks.create({ key: 'shared', name: 'Orders', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] });
});

afterEach(() => fixture.close());

// webhookEtag() is core's (its tests are in webhook-service.test.ts); two admin servers in two
// processes over one store: test/integration/admin-if-match-postgres.test.ts.

describe('the OpenAPI document of the conditional routes', () => {
  /** The changes If-Match guards, as the document names them. */
  const CONDITIONAL = [
    ['put', '/webhook/{id}'],
    ['patch', '/webhook/{id}'],
    ['delete', '/webhook/{id}'],
    ['post', '/webhook/{id}/secret/rotate'],
    ['delete', '/webhook/{id}/secret/{secretId}'],
  ] as const;
  /** The answers that hold one webhook, with its ETag. */
  const TAGGED = [
    ['get', '/webhook/{id}', '200'],
    ['post', '/webhook', '201'],
    ['put', '/webhook/{id}', '200'],
    ['patch', '/webhook/{id}', '200'],
    ['delete', '/webhook/{id}/secret/{secretId}', '200'],
  ] as const;
  type Operation = { parameters?: { in: string; name: string; required?: boolean }[]; responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, unknown> }> };

  it('lists the optional If-Match header and the 412 with its ETag on each conditional change, and ETag on each answer that holds a webhook', async () => {
    const served = await fixture.inject({ method: 'GET', url: `${API}/openapi.json` });
    expect(served.status).toBe(200);
    const paths = served.json.paths as Record<string, Record<string, Operation>>;
    const operation = (method: string, path: string) => paths[`${API}${path}`]![method]!;
    for (const [method, path] of CONDITIONAL) {
      const { parameters = [], responses } = operation(method, path);
      const ifMatch = parameters.filter((p) => p.in === 'header' && p.name.toLowerCase() === 'if-match');
      expect([method, path, ifMatch.map((p) => p.required ?? false)]).toEqual([method, path, [false]]);
      expect([method, path, Object.keys(responses['412']?.content ?? {})]).toEqual([method, path, ['application/problem+json']]);
      expect([method, path, Object.keys(responses['412']?.headers ?? {})]).toEqual([method, path, ['etag']]);
    }
    for (const [method, path, status] of TAGGED) expect([method, path, status, Object.keys(operation(method, path).responses[status]?.headers ?? {})]).toEqual([method, path, status, expect.arrayContaining(['etag'])]);
    // The read lists If-None-Match and If-Match (its 304 and 412); unconditional routes list neither.
    const read = operation('get', '/webhook/{id}');
    expect(read.parameters!.filter((p) => p.in === 'header').map((p) => [p.name, p.required ?? false])).toEqual([['If-None-Match', false], ['If-Match', false]]);
    expect([Object.keys(read.responses['304']?.headers ?? {}), Object.keys(read.responses['412']?.content ?? {})]).toEqual([['etag'], ['application/problem+json']]);
    expect(operation('get', '/webhook').parameters!.some((p) => p.in === 'header')).toBe(false);
  });

  it('still takes a change without If-Match, and answers a stale one as the document says', async () => {
    const read = await fixture.inject({ method: 'GET', url: `${API}/webhook/shared` });
    const tag = read.headers.etag as string;
    const unconditional = await fixture.inject({ method: 'PATCH', url: `${API}/webhook/shared`, body: { name: 'Without If-Match' } });
    expect(unconditional.status).toBe(200);
    const stale = await fixture.inject({ method: 'PATCH', url: `${API}/webhook/shared`, body: { name: 'Stale' }, headers: { 'if-match': tag } });
    expect([stale.status, stale.json.code, stale.headers.etag]).toEqual([412, 'HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED', unconditional.headers.etag]);
    expect((await fixture.app.webhooks.get('shared'))!.name).toBe('Without If-Match');
  });
});

describe('If-None-Match on the conditional changes', () => {
  const tagOf = async () => (await fixture.inject({ method: 'GET', url: `${API}/webhook/shared` })).headers.etag as string;

  it('refuses a change with If-None-Match: * (these routes never create a webhook) with 412 and its ETag, on each of the five, and changes nothing', async () => {
    const secretId = (await fixture.app.webhooks.rotateSecret('shared')).secretId;
    const before = await fixture.app.webhooks.get('shared');
    const tag = await tagOf();
    for (const [method, url, body] of [
      ['PUT', `${API}/webhook/shared`, { url: 'https://example.com/other', events: ['Umbraco.ContentPublish'] }],
      ['PATCH', `${API}/webhook/shared`, { name: 'Overwritten' }],
      ['DELETE', `${API}/webhook/shared`, undefined],
      ['POST', `${API}/webhook/shared/secret/rotate`, {}],
      ['DELETE', `${API}/webhook/shared/secret/${secretId}`, undefined],
    ] as const) {
      const answer = await fixture.inject({ method, url, ...(body !== undefined ? { body } : {}), headers: { 'if-none-match': '*' } });
      expect([method, url, answer.status, answer.json.code, answer.headers.etag]).toEqual([method, url, 412, 'HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED', tag]);
      expect(answer.json.detail).toMatch(/exists, and If-None-Match \* makes the change only where there is none; nothing was changed\. .*send If-Match with its ETag/);
    }
    expect(await fixture.app.webhooks.get('shared')).toEqual(before);
  });

  it('makes a change only over a state If-None-Match does not name (weak comparison), and takes it with If-Match too', async () => {
    const tag = await tagOf();
    for (const named of [tag, `W/${tag}`, `"other", ${tag}`]) {
      const refused = await fixture.inject({ method: 'PATCH', url: `${API}/webhook/shared`, body: { name: 'Refused' }, headers: { 'if-none-match': named } });
      expect([named, refused.status, refused.headers.etag]).toEqual([named, 412, tag]);
    }
    expect((await fixture.app.webhooks.get('shared'))!.name).toBe('Orders');
    const made = await fixture.inject({ method: 'PATCH', url: `${API}/webhook/shared`, body: { name: 'Made' }, headers: { 'if-none-match': '"some-other-state"' } });
    expect([made.status, made.json.name]).toEqual([200, 'Made']);
    // If-Match is evaluated first: a stale one is the 412 of a change made elsewhere.
    const stale = await fixture.inject({ method: 'PATCH', url: `${API}/webhook/shared`, body: { name: 'Stale' }, headers: { 'if-match': tag, 'if-none-match': '"x"' } });
    expect([stale.status, stale.headers.etag]).toEqual([412, made.headers.etag]);
    expect(stale.json.detail).toMatch(/was changed since it was read \(If-Match .*; it is now /);
    const both = await fixture.inject({ method: 'PATCH', url: `${API}/webhook/shared`, body: { name: 'Both' }, headers: { 'if-match': made.headers.etag as string, 'if-none-match': '"x"' } });
    expect([both.status, both.json.name]).toEqual([200, 'Both']);
  });

  it('answers a webhook that does not exist with its 404 and an empty If-None-Match with 400 naming it, changing nothing', async () => {
    const missing = await fixture.inject({ method: 'PATCH', url: `${API}/webhook/nope`, body: { name: 'x' }, headers: { 'if-none-match': '*' } });
    expect([missing.status, missing.json.code]).toEqual([404, 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND']);
    expect((await fixture.inject({ method: 'DELETE', url: `${API}/webhook/nope`, headers: { 'if-none-match': '*' } })).status).toBe(404);
    for (const empty of ['', ' , ,']) {
      const refused = await fixture.inject({ method: 'PATCH', url: `${API}/webhook/shared`, body: { name: 'x' }, headers: { 'if-none-match': empty } });
      expect([refused.status, refused.json.code, refused.json.errors]).toEqual([400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST', [{ in: 'header', field: 'If-None-Match', detail: expect.stringMatching(/^holds no entity tag/) }]]);
    }
    expect((await fixture.app.webhooks.get('shared'))!.name).toBe('Orders');
  });
});

describe('a secret rotated by another caller', () => {
  // The representation a form is built from lists the secrets (id, hint, dates) and updatedAt, so
  // a rotation changes it and, RFC 9110 §8.8.3, its strong ETag: a change under the tag read
  // before is a 412 — the page says the secrets changed and offers to save over them.
  it('changes the ETag with the representation (a new secret listed), refuses a change under the old one, and takes it under the new one, keeping the secret', async () => {
    const read = await fixture.inject({ method: 'GET', url: `${API}/webhook/shared` });
    const rotated = await fixture.inject({ method: 'POST', url: `${API}/webhook/shared/secret/rotate`, body: {} });
    expect(rotated.status).toBe(200);
    const now = await fixture.inject({ method: 'GET', url: `${API}/webhook/shared` });
    expect(now.json.secrets).toHaveLength(read.json.secrets.length + 1);
    expect(now.headers.etag).not.toBe(read.headers.etag);
    expect(now.headers.etag).toBe(rotated.headers.etag);
    const stale = await fixture.inject({ method: 'PATCH', url: `${API}/webhook/shared`, body: { name: 'Typed' }, headers: { 'if-match': read.headers.etag as string } });
    expect([stale.status, stale.json.code, stale.headers.etag]).toEqual([412, 'HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED', now.headers.etag]);
    const over = await fixture.inject({ method: 'PATCH', url: `${API}/webhook/shared`, body: { name: 'Typed' }, headers: { 'if-match': now.headers.etag as string } });
    expect([over.status, over.json.name, over.json.secrets]).toEqual([200, 'Typed', now.json.secrets]);
    expect((await fixture.app.webhooks.get('shared'))!.secrets.map((s) => s.id)).toEqual(now.json.secrets.map((s: { id: string }) => s.id));
  });
});

describe('If-None-Match and If-Match on a read of one webhook', () => {
  it('answers GET and HEAD 304 with the ETag and no body while the webhook is in a state If-None-Match names (weak comparison, or *), and 200 once it changed', async () => {
    for (const caller of [fixture.inject, fixture.socket]) {
      const read = await caller({ method: 'GET', url: `${API}/webhook/shared` });
      const tag = read.headers.etag as string;
      for (const method of ['GET', 'HEAD'] as const) {
        for (const named of [tag, `W/${tag}`, `"other", ${tag}`, '*']) {
          const answer = await caller({ method, url: `${API}/webhook/shared`, headers: { 'if-none-match': named } });
          expect([method, named, answer.status, answer.text, answer.headers.etag, answer.headers['cache-control']]).toEqual([method, named, 304, '', tag, 'no-store']);
        }
        const other = await caller({ method, url: `${API}/webhook/shared`, headers: { 'if-none-match': '"other"' } });
        expect([method, other.status, other.headers.etag]).toEqual([method, 200, tag]);
      }
      const changed = await caller({ method: 'PATCH', url: `${API}/webhook/shared`, body: { name: `Changed ${read.json.name}` } });
      const again = await caller({ method: 'GET', url: `${API}/webhook/shared`, headers: { 'if-none-match': tag } });
      expect([again.status, again.json.name, again.headers.etag]).toEqual([200, changed.json.name, changed.headers.etag]);
    }
  });

  it('answers a read whose If-Match does not name the current tag 412 with the current ETag, an empty one 400, and a webhook that does not exist 404', async () => {
    const tag = (await fixture.inject({ method: 'GET', url: `${API}/webhook/shared` })).headers.etag as string;
    for (const matching of [tag, '*', `"other", ${tag}`]) expect((await fixture.inject({ method: 'GET', url: `${API}/webhook/shared`, headers: { 'if-match': matching } })).status).toBe(200);
    for (const stale of ['"other"', `W/${tag}`]) {
      const answer = await fixture.inject({ method: 'GET', url: `${API}/webhook/shared`, headers: { 'if-match': stale } });
      expect([stale, answer.status, answer.json.code, answer.headers.etag]).toEqual([stale, 412, 'HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED', tag]);
      expect(answer.json.detail).toMatch(/is not in the state If-Match names .*it is now /);
    }
    const empty = await fixture.inject({ method: 'GET', url: `${API}/webhook/shared`, headers: { 'if-none-match': ' , ' } });
    expect([empty.status, empty.json.errors]).toEqual([400, [{ in: 'header', field: 'If-None-Match', detail: expect.stringMatching(/^holds no entity tag/) }]]);
    for (const headers of [{ 'if-none-match': '*' }, { 'if-match': '*' }] as Record<string, string>[]) {
      expect((await fixture.inject({ method: 'GET', url: `${API}/webhook/nope`, headers })).json.code).toBe('HOOKWORK_ERR_WEBHOOK_NOT_FOUND');
    }
  });
});

describe('a precondition header that is not * or a list of entity tags', () => {
  it('is a 400 naming the header and what is wrong — an ETag without its quotes, text after a tag, * among tags — on the read and each of the five changes, nothing changed', async () => {
    const secretId = (await fixture.app.webhooks.rotateSecret('shared')).secretId;
    const before = await fixture.app.webhooks.get('shared');
    const tag = (await fixture.inject({ method: 'GET', url: `${API}/webhook/shared` })).headers.etag as string;
    const bare = tag.slice(1, -1);
    const routes = [
      ['GET', `${API}/webhook/shared`, undefined],
      ['PUT', `${API}/webhook/shared`, { url: 'https://example.com/other', events: ['Umbraco.ContentPublish'] }],
      ['PATCH', `${API}/webhook/shared`, { name: 'Overwritten' }],
      ['DELETE', `${API}/webhook/shared`, undefined],
      ['POST', `${API}/webhook/shared/secret/rotate`, {}],
      ['DELETE', `${API}/webhook/shared/secret/${secretId}`, undefined],
    ] as const;
    const malformed = [
      [bare, /holds "[^"]+", which is no entity tag: .*in double quotes \("\\"[^"]+\\""\)/],
      [`${tag};`, /which is no entity tag/],
      [`"x", ${bare}`, /which is no entity tag/],
      ['"', /which is no entity tag/],
      [`${tag}, *`, /holds \* among entity tags/],
      [`*, ${tag}`, /holds \* among entity tags/],
    ] as const;
    for (const header of ['if-match', 'if-none-match'] as const) {
      const name = header === 'if-match' ? 'If-Match' : 'If-None-Match';
      for (const [method, url, body] of routes) {
        for (const [value, problem] of malformed) {
          const answer = await fixture.inject({ method, url, ...(body !== undefined ? { body } : {}), headers: { [header]: value } });
          expect([method, url, name, value, answer.status, answer.json.code]).toEqual([method, url, name, value, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST']);
          expect(answer.json.errors).toEqual([{ in: 'header', field: name, detail: expect.stringMatching(problem) }]);
        }
      }
    }
    expect(await fixture.app.webhooks.get('shared')).toEqual(before);
    // A tag holding a comma is one tag (etagc takes it); a quoted string no tag can be names no state (412).
    expect((await fixture.inject({ method: 'PATCH', url: `${API}/webhook/shared`, body: { name: 'x' }, headers: { 'if-match': '"a,b"' } })).status).toBe(412);
    expect((await fixture.inject({ method: 'PATCH', url: `${API}/webhook/shared`, body: { name: 'Made' }, headers: { 'if-match': `"a,b", ${tag}` } })).status).toBe(200);
  });
});
