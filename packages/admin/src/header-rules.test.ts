import { API, startAdminFixture, type AdminFixture } from './test-support/admin-fixture';

// A custom header that HTTP cannot carry, sent to the admin API: the answer names the header and
// the rule, as the core API does, and a CR or LF in a name never reaches a message unescaped.

jest.setTimeout(60_000);

let fixture: AdminFixture;
beforeAll(async () => {
  fixture = await startAdminFixture();
});
afterAll(async () => {
  await fixture.close();
});

const create = (headers: Record<string, unknown>) => fixture.inject({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], headers } });

describe('the admin API refusing a header HTTP cannot carry', () => {
  it('names the header and the rule for a value with CR/LF, not "the wrong type"', async () => {
    const answer = await create({ 'X-Token': 'abc\r\nX-Injected: 1' });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST' });
    expect((answer.json as { errors: unknown[] }).errors).toEqual([
      { in: 'body', field: 'headers.X-Token', pointer: '#/headers/X-Token', detail: expect.stringMatching(/header values are visible ASCII, space and tab \(RFC 9110 §5\.5\)/) },
    ]);
    expect((await fixture.app.webhooks.list()).total).toBe(0);
  });

  // Headers sent as Cockpit's rows, and a secret of another kind, were "headers must be an object"
  // and "secret has the wrong type": the same words as webhooks.create() now, saying what each takes.
  it('says what headers, and a secret, of the wrong kind must be, as webhooks.create() does', async () => {
    const rows = await fixture.inject({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], headers: [{ k: 'X-Site', v: 'blog' }] } });
    expect(rows.status).toBe(400);
    expect((rows.json as { errors: unknown[] }).errors).toEqual([
      { in: 'body', field: 'headers', pointer: '#/headers', detail: 'must be an object of header names and values, e.g. { "X-Tenant": "acme", "Authorization": { "value": "Bearer …", "sensitive": true } }' },
    ]);
    const secret = await fixture.inject({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], secret: 5 } });
    expect(secret.status).toBe(400);
    expect((secret.json as { errors: unknown[] }).errors).toEqual([
      { in: 'body', field: 'secret', pointer: '#/secret', detail: 'must be true (hookwork generates a signing secret and returns it once) or a whsec_… secret (false or left out: none)' },
    ]);
    expect((await fixture.app.webhooks.list()).total).toBe(0);
  });

  it('names the character and the rule for a name with CR/LF, escaped, once', async () => {
    const answer = await create({ 'X-Tok\r\nen': 'abc' });
    expect(answer.status).toBe(400);
    const { detail, errors } = answer.json as { detail: string; errors: { field: string; detail: string }[] };
    expect(errors).toHaveLength(1);
    expect(errors[0]!.field).toBe('headers.X-Tok\\r\\nen');
    expect(errors[0]!.detail).toMatch(/^contains U\+000D \(carriage return, CR\) at character 6 \(a line break would end the header: header injection\); a header name is letters, digits/);
    expect(detail).not.toMatch(/[\r\n]/);
  });
});

describe('the admin API keeping sensitive header values with the origin they were given for', () => {
  const elsewhere = 'http://127.0.0.2:9/hook';
  const createWithSecret = async () => {
    const answer = await create({ Authorization: { value: 'Bearer CRM-API-KEY-123', sensitive: true }, Cookie: 'sid=plain-cookie' });
    expect(answer.status).toBe(201);
    return answer.json as { key: string; url: string; headers: Record<string, string> };
  };

  it.each(['PATCH', 'PUT'])('%s to another origin with the view sent back is 409 naming the headers, and changes nothing', async (method) => {
    const view = await createWithSecret();
    // The unmarked Cookie is a credential: redacted in the answer, and kept sensitive.
    expect(view.headers).toEqual({ Authorization: '[redacted]', Cookie: '[redacted]' });
    const before = await fixture.app.webhooks.get(view.key);
    const answer = await fixture.inject({ method, url: `${API}/webhook/${view.key}`, body: { url: elsewhere, events: ['Umbraco.ContentPublish'], headers: view.headers } });
    expect(answer.status).toBe(409);
    expect(answer.json).toMatchObject({ code: 'HOOKWORK_ERR_SECRET_HEADERS_ORIGIN_CHANGED', detail: expect.stringMatching(/sensitive headers Authorization, Cookie .*give their values again in this update/) });
    expect(JSON.stringify(answer.json)).not.toMatch(/CRM-API-KEY|plain-cookie/);
    expect(await fixture.app.webhooks.get(view.key)).toEqual(before);
    await fixture.app.webhooks.delete(view.key);
  });

  it('takes the move when the values are given again', async () => {
    const view = await createWithSecret();
    const answer = await fixture.inject({ method: 'PATCH', url: `${API}/webhook/${view.key}`, body: { url: elsewhere, headers: { Authorization: { value: 'Bearer new-one', sensitive: true } } } });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ url: elsewhere, headers: { Authorization: '[redacted]' } });
    await fixture.app.webhooks.delete(view.key);
  });

  it('refuses a hop-by-hop header such as Trailer, naming it', async () => {
    const answer = await create({ Trailer: 'X-Checksum' });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.json)).toMatch(/headers\.Trailer.*is a hop-by-hop \(connection-control\) header/);
    expect((await fixture.app.webhooks.list()).total).toBe(0);
  });

  it.each(['POST', 'PATCH', 'PUT'])('refuses a Content-Encoding by %s (the body goes uncoded: a receiver decoding by it refused every request), naming it, nothing changed', async (method) => {
    const existing = method === 'POST' ? undefined : await fixture.app.webhooks.create({ url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] });
    const before = existing && (await fixture.app.webhooks.get(existing.key));
    const body = { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], headers: { 'Content-Encoding': 'gzip' } };
    const answer = await fixture.inject({ method, url: existing ? `${API}/webhook/${existing.key}` : `${API}/webhook`, body });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_WEBHOOK' });
    expect((answer.json as { errors: unknown[] }).errors).toEqual([
      { in: 'body', field: 'headers.Content-Encoding', pointer: '#/headers/Content-Encoding', detail: expect.stringMatching(/^describes the body's coding, which hookwork sets: it sends the body uncoded/) },
    ]);
    if (existing) {
      expect(await fixture.app.webhooks.get(existing.key)).toEqual(before);
      await fixture.app.webhooks.delete(existing.key);
    }
    expect((await fixture.app.webhooks.list()).total).toBe(0);
  });

  it.each(['POST', 'PATCH', 'PUT'].flatMap((method) => ['Content-Digest', 'Repr-Digest', 'Digest', 'Content-MD5'].map((name) => [method, name])))('refuses by %s a %s (a checksum of a body hookwork makes anew for every request), naming it, nothing changed', async (method, name) => {
    const existing = method === 'POST' ? undefined : await fixture.app.webhooks.create({ url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] });
    const before = existing && (await fixture.app.webhooks.get(existing.key));
    const body = { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], headers: { [name]: 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:' } };
    const answer = await fixture.inject({ method, url: existing ? `${API}/webhook/${existing.key}` : `${API}/webhook`, body });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_WEBHOOK' });
    expect((answer.json as { errors: unknown[] }).errors).toEqual([
      { in: 'body', field: `headers.${name}`, pointer: `#/headers/${name}`, detail: expect.stringMatching(/^is a checksum of the body \(RFC \d+\), which hookwork makes anew for every request and signs: .*; remove it/) },
    ]);
    if (existing) {
      expect(await fixture.app.webhooks.get(existing.key)).toEqual(before);
      await fixture.app.webhooks.delete(existing.key);
    }
    expect((await fixture.app.webhooks.list()).total).toBe(0);
  });

  it.each(['POST', 'PATCH', 'PUT'])('refuses by %s custom headers of more than 4,096 bytes in all (receivers refuse larger requests), naming the total, the cap and the fix, nothing changed', async (method) => {
    const existing = method === 'POST' ? undefined : await fixture.app.webhooks.create({ url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], headers: { 'X-Small': 's' } });
    const before = existing && (await fixture.app.webhooks.get(existing.key));
    const body = { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], headers: { 'X-Token': 't'.repeat(3000), 'X-Other': 'o'.repeat(2000) } };
    const answer = await fixture.inject({ method, url: existing ? `${API}/webhook/${existing.key}` : `${API}/webhook`, body });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_WEBHOOK' });
    expect((answer.json as { errors: unknown[] }).errors).toEqual([
      { in: 'body', field: 'headers', pointer: '#/headers', detail: expect.stringMatching(/^hold 5,014 bytes in all \(names and values\), more than the 4,096 a webhook's custom headers may hold: .*Shorten or remove some \(the largest, in bytes: X-Token 3,007, X-Other 2,007\)$/) },
    ]);
    if (existing) {
      expect(await fixture.app.webhooks.get(existing.key)).toEqual(before);
      await fixture.app.webhooks.delete(existing.key);
    }
    expect((await fixture.app.webhooks.list()).total).toBe(0);
  });
});
