import { API, startAdminFixture, type AdminFixture } from './test-support/admin-fixture';

// A custom header the body schema refused was answered with the rule of characters alone
// ("must be a header value … visible ASCII, space and tab"), whatever was wrong: a 9,000-character
// value, `sensitive: "yes"`, a misspelt `valu` or a number broke no character rule, so the
// answer sent the caller looking for a character that was not there.

let fixture: AdminFixture;
beforeAll(async () => {
  fixture = await startAdminFixture();
});
afterAll(async () => {
  await fixture.close();
});

const events = ['Umbraco.ContentPublish'];
const long = 'a'.repeat(9000);

describe('a custom header the API refuses', () => {
  it.each([
    ['a value over 8192 characters', long, 'value is too long (at most 8192 characters)'],
    ['a sensitive value over 8192 characters', { value: long, sensitive: true }, 'value is too long (at most 8192 characters)'],
    ['sensitive that is not a boolean', { value: 'ok', sensitive: 'yes' }, 'sensitive must be true or false'],
    ['a misspelt field', { valu: 'ok' }, 'has "valu"; a header is a string, or { value, sensitive }'],
    ['a number', 5, 'must be a string, or { value, sensitive } for a sensitive header'],
    ['a line break', 'a\r\nX-Injected: 1', 'value contains U+000D (carriage return, CR) at character 2 (a line break would end the header: header injection); header values are visible ASCII'],
  ])('%s is named for what it is, on create and on edit, and nothing is stored', async (_what, header, detail) => {
    const created = await fixture.app.webhooks.create({ key: 'orders', url: 'https://example.com/hooks', events, headers: { 'X-Tenant': 'acme' } });
    try {
      for (const [method, url, body] of [
        ['POST', `${API}/webhook`, { url: 'https://example.com/hooks', events, headers: { 'X-Site': header } }],
        ['PATCH', `${API}/webhook/orders`, { headers: { 'X-Site': header } }],
        ['PUT', `${API}/webhook/orders`, { url: 'https://example.com/hooks', events, headers: { 'X-Site': header } }],
      ] as const) {
        const answer = await fixture.socket({ method, url, body });
        expect([method, answer.status, answer.json.code]).toEqual([method, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST']);
        expect(answer.json.errors).toEqual([expect.objectContaining({ in: 'body', field: 'headers.X-Site', detail: expect.stringContaining(detail) })]);
        expect(answer.text).not.toContain(long);
      }
      expect(await fixture.app.webhooks.list()).toEqual({ items: [created], total: 1 });
    } finally {
      await fixture.app.webhooks.delete('orders');
    }
  });
});
