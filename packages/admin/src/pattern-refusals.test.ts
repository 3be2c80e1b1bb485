import { API, startAdminFixture, type AdminFixture } from './test-support/admin-fixture';

// Every field of the API with a pattern — a key, an id in the path, the query or the body, a
// CloudEvents source or subject — said "has characters that are not allowed": neither which
// character nor what is allowed, so the caller had to guess the fix.

let fixture: AdminFixture;
beforeAll(async () => {
  fixture = await startAdminFixture();
});
afterAll(async () => {
  await fixture.close();
});

const KEY_RULE = 'a key or id is letters (A-Z, a-z), digits and . _ : - only';
const events = ['Umbraco.ContentPublish'];

describe('a value its pattern refuses', () => {
  it.each([
    ['a webhook key with a space', 'POST', '/webhook', { url: 'https://example.com/hooks', events, key: 'orders feed' }, 'body', 'key', `contains U+0020 (space) at character 7; ${KEY_RULE}`],
    ['a webhook key with an accent', 'POST', '/webhook', { url: 'https://example.com/hooks', events, key: 'café' }, 'body', 'key', `contains "é" (U+00E9) at character 4; ${KEY_RULE}`],
    ['a webhook id in the path', 'GET', '/webhook/orders%20feed', undefined, 'path', 'id', `contains U+0020 (space) at character 7; ${KEY_RULE}`],
    ['a secret id in the path', 'DELETE', '/webhook/orders/secret/s%2F1', undefined, 'path', 'secretId', `contains "/" (U+002F) at character 2; ${KEY_RULE}`],
    ['a delivery key in the path', 'GET', '/webhook/logs/a+b', undefined, 'path', 'key', `contains "+" (U+002B) at character 2; ${KEY_RULE}`],
    ['a webhookKey in the query', 'GET', '/dead-letter?webhookKey=orders%2Ffeed', undefined, 'query', 'webhookKey', `contains "/" (U+002F) at character 7; ${KEY_RULE}`],
    ['an id to redeliver', 'POST', '/dead-letter/redeliver', { ids: ['msg_1', 'msg 2'] }, 'body', 'ids.1', `contains U+0020 (space) at character 4; ${KEY_RULE}`],
    [
      'a CloudEvents source with a space',
      'POST',
      '/webhook',
      { url: 'https://example.com/hooks', events, format: { type: 'cloudevents', mode: 'binary', source: 'my site' } },
      'body',
      'format.source',
      "contains U+0020 (space) at character 3; a URI-reference (RFC 3986) is letters, digits, -._~:/?#[]@!$&'()*+,;= and %-escapes only; percent-encode any other character (a space is %20)",
    ],
    [
      'a CloudEvents subject with a tab',
      'POST',
      '/webhook',
      { url: 'https://example.com/hooks', events, format: { type: 'cloudevents', mode: 'binary', source: '/site', subject: 'a\tb' } },
      'body',
      'format.subject',
      'contains U+0009 (tab) at character 2; control characters (U+0000 to U+001F, U+007F) cannot go out in the ce-subject header; remove it',
    ],
    [
      'a subjectFrom that is no JSON Pointer',
      'POST',
      '/webhook',
      { url: 'https://example.com/hooks', events, format: { type: 'cloudevents', mode: 'binary', source: '/site', subjectFrom: 'id' } },
      'body',
      'format.subjectFrom',
      'must be a JSON Pointer (RFC 6901): empty for the whole payload, or starting with / (/id, /content/key)',
    ],
    [
      'a subjectFrom with a ~ that is no escape',
      'POST',
      '/webhook',
      { url: 'https://example.com/hooks', events, format: { type: 'cloudevents', mode: 'binary', source: '/site', subjectFrom: '/a~b' } },
      'body',
      'format.subjectFrom',
      'contains a ~ at character 3 that is no escape; in a JSON Pointer (RFC 6901) write ~ as ~0 and a / inside a name as ~1',
    ],
  ])('%s is refused naming the character and the rule, and nothing is stored', async (_what, method, path, body, place, field, detail) => {
    await fixture.app.webhooks.create({ key: 'orders', url: 'https://example.com/hooks', events, secret: true });
    try {
      const before = await fixture.app.webhooks.list();
      const answer = await fixture.socket({ method, url: `${API}${path}`, ...(body !== undefined ? { body } : {}) });
      expect(answer.status).toBe(400);
      expect(answer.json.code).toBe('HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
      expect(answer.json.errors).toEqual([expect.objectContaining({ in: place, field, detail })]);
      expect(answer.json.detail).toContain(`${place} ${field} ${detail}`);
      expect(await fixture.app.webhooks.list()).toEqual(before);
    } finally {
      await fixture.app.webhooks.delete('orders');
    }
  });
});

// A value none of a field's few takes said only what is taken, not what was given, where the
// settings' refusals end "(got …)": a caller sending a variable could not tell what it held.
describe('a value none of its field\'s values is', () => {
  it.each([
    ['a format type that does not exist', { url: 'https://example.com/hooks', events, format: { type: 'xml' } }, 'format.type', 'must be one of "json", "cloudevents" (got "xml")'],
    ['a format type that is a number', { url: 'https://example.com/hooks', events, format: { type: 5 } }, 'format.type', 'must be one of "json", "cloudevents" (got a number)'],
    ['a CloudEvents mode that does not exist', { url: 'https://example.com/hooks', events, format: { type: 'cloudevents', mode: 'batch', source: '/site' } }, 'format.mode', 'must be one of "structured", "binary" (got "batch")'],
    ['a FIFO policy that does not exist', { url: 'https://example.com/hooks', events, fifo: { onDeadLetter: 'drop' } }, 'fifo.onDeadLetter', 'must be one of "skip", "block" (got "drop")'],
  ])('%s is refused naming what was given, and nothing is stored', async (_what, body, field, detail) => {
    const answer = await fixture.socket({ method: 'POST', url: `${API}/webhook`, body });
    expect(answer.status).toBe(400);
    expect(answer.json.code).toBe('HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
    expect(answer.json.errors).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'body', field, detail })]));
    expect((await fixture.app.webhooks.list()).total).toBe(0);
  });
});
