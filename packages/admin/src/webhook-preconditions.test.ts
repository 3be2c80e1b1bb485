import { setTimeout as delay } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { startAdminFixture, type AdminFixture } from './test-support/admin-fixture';
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
