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
