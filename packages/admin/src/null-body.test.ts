import { API, startAdminFixture, type AdminFixture } from './test-support/admin-fixture';

// A JSON `null` body was taken as no body at all: a rotation went ahead with the default grace
// period and a test send was made, while `[]` or `"x"` was refused as not an object.

let fixture: AdminFixture;
beforeAll(async () => {
  fixture = await startAdminFixture();
});
afterAll(async () => {
  await fixture.close();
});

describe('a body of JSON null', () => {
  it.each([
    ['POST', '/webhook'],
    ['PUT', '/webhook/orders'],
    ['PATCH', '/webhook/orders'],
    ['POST', '/webhook/orders/test'],
    ['POST', '/webhook/orders/secret/rotate'],
    ['POST', '/dead-letter/redeliver'],
  ])('%s %s is a 400 naming the body, and changes nothing', async (method, path) => {
    await fixture.app.webhooks.create({ key: 'orders', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], secret: true });
    try {
      const before = await fixture.app.webhooks.list();
      const sent = fixture.receiver.requests.length;
      const answer = await fixture.socket({ method, url: `${API}${path}`, body: 'null' });
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ code: 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST', errors: [{ in: 'body', field: '(body)', detail: 'must be a JSON object, not null' }] });
      expect(answer.json.detail).toContain("body (body) must be a JSON object, not null; send {} (or no body) for a route's defaults");
      expect(await fixture.app.webhooks.list()).toEqual(before);
      expect(fixture.receiver.requests.length).toBe(sent);
      expect((await fixture.app.logs('orders')).total).toBe(0);
    } finally {
      await fixture.app.webhooks.delete('orders');
    }
  });
});
