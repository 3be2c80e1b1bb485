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
    // Reads and unconditional routes list no If-Match.
    expect(operation('get', '/webhook/{id}').parameters!.some((p) => p.in === 'header')).toBe(false);
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
