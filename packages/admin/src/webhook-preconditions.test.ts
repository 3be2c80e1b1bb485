import { setTimeout as delay } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { API, startAdminFixture, type AdminFixture } from './test-support/admin-fixture';
import { WebhookPreconditions, webhookEtag, withEtag } from './webhook-preconditions';

jest.setTimeout(60_000);

let fixture: AdminFixture;
let host: FastifyInstance;

beforeEach(async () => {
  fixture = await startAdminFixture();
  await fixture.app.webhooks.create({ key: 'shared', name: 'Orders', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] });
  // A route as the admin's PATCH is, over a store whose reads take a while (a network round trip
  // to PostgreSQL or Redis): the read of one save and the write of another can interleave.
  const preconditions = new WebhookPreconditions();
  host = Fastify({ logger: false });
  host.patch<{ Params: { id: string }; Body: { name: string } }>('/webhook/:id', async (request, reply) => {
    const { id } = request.params;
    const read = async () => {
      const view = await fixture.app.webhooks.get(id);
      // The answer takes its time on the way back, as over a network.
      await delay(250);
      return view;
    };
    return withEtag(reply, await preconditions.change(request, reply, id, read, () => fixture.app.webhooks.update(id, { name: request.body.name })));
  });
  host.setErrorHandler((error, _request, reply) => reply.code((error as { status?: number }).status ?? 500).send({ code: (error as { code?: string }).code }));
});

afterEach(async () => {
  await host.close();
  await fixture.close();
});

describe('WebhookPreconditions', () => {
  it('lets one of two saves sent at once with the same If-Match through, and refuses the other, however long the read takes', async () => {
    const tag = webhookEtag((await fixture.app.webhooks.get('shared'))!);
    const answers = await Promise.all(
      ['From tab A', 'From tab B'].map((name) => host.inject({ method: 'PATCH', url: '/webhook/shared', headers: { 'if-match': tag, 'content-type': 'application/json' }, payload: { name } })),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 412]);
    const made = answers.find((a) => a.statusCode === 200)!;
    expect((await fixture.app.webhooks.get('shared'))!.name).toBe(JSON.parse(made.body).name);
    expect(answers.find((a) => a.statusCode === 412)!.json().code).toBe('HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED');
  });

  it('gives one state of a webhook one tag, however its fields are ordered, and a new one on every change', async () => {
    const view = (await fixture.app.webhooks.get('shared'))!;
    const reordered = Object.fromEntries(Object.entries(view).reverse()) as typeof view;
    expect(webhookEtag(reordered)).toBe(webhookEtag(view));
    const changed = await fixture.app.webhooks.update('shared', { enabled: false });
    expect(webhookEtag(changed)).not.toBe(webhookEtag(view));
  });
});

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
