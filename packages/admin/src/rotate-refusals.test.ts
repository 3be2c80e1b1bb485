import { API, startAdminFixture, type AdminFixture } from './test-support/admin-fixture';

// A rotation's gracePeriod that no duration reader takes was core's HOOKWORK_ERR_INVALID_ARGUMENT,
// "the request: gracePeriod …", with no `errors` naming the field — unlike breaker.window, a
// duration in the body too, which the API names (in: body, field, detail).

let fixture: AdminFixture;
beforeAll(async () => {
  fixture = await startAdminFixture();
});
afterAll(async () => {
  await fixture.close();
});

describe('POST webhook/{id}/secret/rotate with a grace period it cannot take', () => {
  it.each([
    ['bare digits', { gracePeriod: '10' }, 'must be a duration, and bare digits in a string are ambiguous', '(got "10")'],
    ['a word', { gracePeriod: 'one hour' }, 'must be a duration: a number of milliseconds, or a TimeSpan string such as "00:00:10"', '(got "one hour")'],
    ['past 30 days', { gracePeriod: '31.00:00:00' }, 'must be at most 30 days ("30.00:00:00", 2592000000 ms)', '(got "31.00:00:00")'],
    ['with gracePeriodMs too', { gracePeriod: '01:00:00', gracePeriodMs: 5 }, 'goes without gracePeriodMs: give one of them', '(got "01:00:00")'],
  ])('%s is a 400 naming the body field, and the secrets stay as they were', async (_what, body, detail, got) => {
    await fixture.app.webhooks.create({ key: 'orders', url: 'https://example.com/hooks', events: ['Umbraco.ContentPublish'], secret: true });
    try {
      const before = await fixture.app.webhooks.get('orders');
      const answer = await fixture.socket({ method: 'POST', url: `${API}/webhook/orders/secret/rotate`, body });
      expect(answer.status).toBe(400);
      expect(answer.json.code).toBe('HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
      expect(answer.json.errors).toEqual([{ in: 'body', field: 'gracePeriod', detail: expect.stringContaining(detail), pointer: '#/gracePeriod' }]);
      expect(answer.json.errors[0].detail).toContain(got);
      expect(answer.json.detail).toContain('nothing was changed: body gracePeriod');
      expect(await fixture.app.webhooks.get('orders')).toEqual(before);
    } finally {
      await fixture.app.webhooks.delete('orders');
    }
  });

  it('takes a TimeSpan, as before', async () => {
    await fixture.app.webhooks.create({ key: 'orders', url: 'https://example.com/hooks', events: ['Umbraco.ContentPublish'], secret: true });
    try {
      const answer = await fixture.socket({ method: 'POST', url: `${API}/webhook/orders/secret/rotate`, body: { gracePeriod: '01:00:00' } });
      expect(answer.status).toBe(200);
      expect(answer.json.webhook.secrets).toHaveLength(2);
    } finally {
      await fixture.app.webhooks.delete('orders');
    }
  });
});
