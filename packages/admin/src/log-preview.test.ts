import { DeliveryLogToken, resolveToken } from '@hookwork/core';
import { BODY_PREVIEW_CHARS } from './log-preview';
import { API, startAdminFixture, type AdminFixture } from './test-support/admin-fixture';

/**
 * `bodies=preview` on the two delivery-log listings: each body cut to its first kilobyte with its
 * whole length beside it, so a page of 64 KiB bodies is not megabytes; left out, the listing answers
 * bodies whole, as it always did. A real app on SQLite, through the HTTP API.
 */
let fixture: AdminFixture;
const REQUEST = `{"a":"${'x'.repeat(64 * 1024)}"}`;
// A surrogate pair across the cut: the preview never ends in half a character.
const RESPONSE = `${'r'.repeat(BODY_PREVIEW_CHARS - 1)}😀${'r'.repeat(64 * 1024)}`;

beforeAll(async () => {
  fixture = await startAdminFixture();
  const hook = await fixture.app.webhooks.create({ key: 'cdn', name: 'CDN', url: `${fixture.receiver.origin}/cdn`, events: ['Umbraco.ContentPublish'] });
  const entry = (key: string, requestBody: string, responseBody: string, at: number) => ({
    key,
    webhookKey: hook.key,
    requestId: `msg_${key}`,
    url: hook.url,
    eventAlias: 'Umbraco.ContentPublish',
    retryCount: 0,
    date: new Date(Date.now() - 60_000 + at),
    requestHeaders: {},
    requestBody,
    responseHeaders: {},
    responseBody,
    statusCode: 500,
    durationMs: 5,
    outcome: 'retrying' as const,
  });
  await resolveToken(fixture.app.container, DeliveryLogToken).append([entry('big', REQUEST, RESPONSE, 2), entry('small', '{}', 'down', 1)]);
});

afterAll(() => fixture?.close());

describe('GET webhook/logs?bodies=preview', () => {
  it.each([`${API}/webhook/logs`, `${API}/webhook/cdn/logs`])('cuts each long body of %s to a preview, its whole length beside it', async (url) => {
    const answer = await fixture.inject({ method: 'GET', url: `${url}?bodies=preview` });
    expect(answer.status).toBe(200);
    const [big, small] = answer.json.items;
    expect(big.requestBody).toBe(REQUEST.slice(0, BODY_PREVIEW_CHARS));
    expect(big.requestBodyLength).toBe(REQUEST.length);
    // 1,023 r's: the emoji that would have been cut in half is left out whole.
    expect(big.responseBody).toBe('r'.repeat(BODY_PREVIEW_CHARS - 1));
    expect(big.responseBodyLength).toBe(RESPONSE.length);
    // A short entry is as it is, with no lengths.
    expect(small).toMatchObject({ requestBody: '{}', responseBody: 'down' });
    expect(small).not.toHaveProperty('requestBodyLength');
    expect(small).not.toHaveProperty('responseBodyLength');
    expect(answer.text.length).toBeLessThan(10_000);
  });

  it('answers bodies whole without it or with bodies=full, as before, and one entry whole by its key', async () => {
    for (const url of [`${API}/webhook/logs`, `${API}/webhook/logs?bodies=full`, `${API}/webhook/cdn/logs`]) {
      const [big] = (await fixture.inject({ method: 'GET', url })).json.items;
      expect(big.requestBody).toBe(REQUEST);
      expect(big.responseBody).toBe(RESPONSE);
      expect(big).not.toHaveProperty('requestBodyLength');
    }
    const whole = await fixture.inject({ method: 'GET', url: `${API}/webhook/logs/big` });
    expect(whole.json.responseBody).toBe(RESPONSE);
  });

  it('refuses another value, naming the parameter and the values it takes', async () => {
    const answer = await fixture.inject({ method: 'GET', url: `${API}/webhook/logs?bodies=none` });
    expect(answer.status).toBe(400);
    expect(answer.json.code).toBe('HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
    expect(JSON.stringify(answer.json.errors)).toContain('bodies');
    expect(JSON.stringify(answer.json)).toMatch(/full.*preview/);
  });
});
