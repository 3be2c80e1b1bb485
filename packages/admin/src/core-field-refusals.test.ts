import { API, startAdminFixture, type AdminFixture } from './test-support/admin-fixture';

// A core refusal of one field the caller sent (an alias the webhook does not subscribe to, a
// webhookKey filter or selector no webhook has) kept core's code but named no field in `errors`,
// and its detail opened with "the request: …" — where the admin's own schema refusals name the
// field (in, field, detail, pointer) so a form can put the message beside its input.

let fixture: AdminFixture;
beforeAll(async () => {
  fixture = await startAdminFixture();
});
afterAll(async () => {
  await fixture.close();
});

beforeEach(async () => {
  await fixture.app.webhooks.create({ key: 'orders', url: `${fixture.receiver.url}/hooks`, events: ['Umbraco.ContentPublish'], secret: true });
});
afterEach(async () => {
  await fixture.app.webhooks.delete('orders');
});

/** What a refused call must leave as it was: the webhook, the log, the queue. */
const stored = async () => ({
  webhook: await fixture.app.webhooks.get('orders'),
  logs: (await fixture.app.management.logs({ limit: 50 })).total,
  counts: await fixture.app.management.queueCounts(),
});

describe('a core refusal of one field names it as the schema refusals do', () => {
  it('POST webhook/{id}/test with an alias the webhook does not subscribe to: 400, core code, body alias, no "the request:"', async () => {
    const before = await stored();
    const answer = await fixture.socket({ method: 'POST', url: `${API}/webhook/orders/test`, body: { alias: 'Umbraco.MediaSave' } });
    expect(answer.status).toBe(400);
    expect(answer.json.code).toBe('HOOKWORK_ERR_ALIAS_NOT_SUBSCRIBED');
    expect(answer.json.errors).toEqual([{ in: 'body', field: 'alias', pointer: '#/alias', detail: expect.stringContaining('is "Umbraco.MediaSave", which webhook orders does not subscribe to') }]);
    expect(answer.json.detail).toBe('HOOKWORK_ERR_ALIAS_NOT_SUBSCRIBED: body alias: webhook orders does not subscribe to "Umbraco.MediaSave"; send one of its events as alias in the body ("Umbraco.ContentPublish"), or leave alias out for the first');
    // The title names the route and its field, not sendTestEvent(), which an HTTP client cannot call.
    expect(answer.json.title).toBe("A test send (POST webhook/{id}/test) was asked for an event alias (the body's alias) the webhook does not subscribe to.");
    expect(answer.text).not.toMatch(/sendTestEvent|\{ alias \}|\w\(\)/);
    expect(fixture.receiver.requests).toHaveLength(0);
    expect(await stored()).toEqual(before);
  });

  it.each([
    ['GET queue/counts', 'GET', '/queue/counts?webhookKey=nope', undefined],
    ['GET dead-letter', 'GET', '/dead-letter?webhookKey=nope', undefined],
    ['GET webhook/logs', 'GET', '/webhook/logs?webhookKey=nope', undefined],
  ])('%s with a webhookKey filter no webhook has: 404, core code, query webhookKey', async (_route, method, url, body) => {
    const before = await stored();
    const answer = await fixture.socket({ method, url: `${API}${url}`, body });
    expect(answer.status).toBe(404);
    expect(answer.json.code).toBe('HOOKWORK_ERR_WEBHOOK_NOT_FOUND');
    expect(answer.json.errors).toEqual([{ in: 'query', field: 'webhookKey', detail: expect.stringContaining('is "nope", which no webhook has') }]);
    expect(await stored()).toEqual(before);
  });

  it('POST dead-letter/redeliver with a webhookKey no webhook has: 404, core code, body webhookKey', async () => {
    const before = await stored();
    const answer = await fixture.socket({ method: 'POST', url: `${API}/dead-letter/redeliver`, body: { webhookKey: 'nope' } });
    expect(answer.status).toBe(404);
    expect(answer.json.code).toBe('HOOKWORK_ERR_WEBHOOK_NOT_FOUND');
    expect(answer.json.errors).toEqual([{ in: 'body', field: 'webhookKey', pointer: '#/webhookKey', detail: expect.stringContaining('is "nope", which no webhook has') }]);
    expect(await stored()).toEqual(before);
  });
});

describe('a key another webhook has', () => {
  it('POST webhook with a key taken: 409, core code, body key, the webhook as it was', async () => {
    const before = await stored();
    const answer = await fixture.socket({ method: 'POST', url: `${API}/webhook`, body: { key: 'orders', url: 'https://example.com/other', events: ['Umbraco.MediaSave'] } });
    expect(answer.status).toBe(409);
    expect(answer.json.code).toBe('HOOKWORK_ERR_WEBHOOK_EXISTS');
    expect(answer.json.errors).toEqual([{ in: 'body', field: 'key', pointer: '#/key', detail: 'is "orders", which another webhook has; choose another key, or leave it out for a UUID' }]);
    expect(answer.json.detail).toContain('a webhook with the key "orders" already exists');
    expect(await stored()).toEqual(before);
    expect((await fixture.app.webhooks.list()).total).toBe(1);
  });
});
