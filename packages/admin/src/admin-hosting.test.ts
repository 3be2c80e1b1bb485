import fastifySwagger from '@fastify/swagger';
import { webhookViewSchema } from '@hookwork/core';
import Fastify from 'fastify';
import { hookworkAdmin } from './admin-plugin';
import { isLoopback, startAdminServer } from './admin-server';
import { API, startAdminFixture, socketCaller, type AdminFixture } from './test-support/admin-fixture';
import { serializerCompiler } from './validation';

jest.setTimeout(60_000);

let fixture: AdminFixture;
beforeEach(async () => {
  fixture = await startAdminFixture();
});
afterEach(async () => {
  await fixture.close();
});

/** The API alone: these tests do not need the page's built assets. */
const apiOnly = { page: false, apiReference: false };

describe('startAdminServer', () => {
  it('generates a token on loopback, prints it with the URL, and accepts only it', async () => {
    const lines: string[] = [];
    const server = await startAdminServer(fixture.app, { print: (line) => lines.push(line), ...apiOnly });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(lines.join('\n')).toContain(server.url);
      expect(lines.join('\n')).toContain(server.token);
      expect(server.signInUrl).toBe(`${server.url}#token=${server.token}`);
      const call = socketCaller(server.url.replace(/\/$/, ''));
      expect((await call({ method: 'GET', url: '/api/v1/session', token: server.token! })).json.principal.id).toMatch(/^token:/);
      expect((await call({ method: 'GET', url: '/api/v1/session', token: null })).status).toBe(401);
      const other = await startAdminServer(fixture.app, { print: false, ...apiOnly });
      try {
        expect(other.token).not.toBe(server.token);
      } finally {
        await other.close();
      }
    } finally {
      await server.close();
    }
  });

  it('refuses a non-loopback address without authentication, before anything listens', async () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.10']) {
      await expect(startAdminServer(fixture.app, { host, print: false })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_ADMIN_INSECURE_BIND', message: expect.stringContaining(host) });
    }
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('[::1]')).toBe(true);
    expect(isLoopback('localhost')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
  });

  it('takes the given token and prints no token', async () => {
    const lines: string[] = [];
    const server = await startAdminServer(fixture.app, { token: 'a-given-token-of-enough-length', print: (line) => lines.push(line), prefix: '/ops', ...apiOnly });
    try {
      expect(server.url).toMatch(/\/ops\/$/);
      expect(lines.join('\n')).not.toContain('a-given-token-of-enough-length');
      const call = socketCaller(server.url.replace(/\/ops\/$/, ''));
      expect((await call({ method: 'GET', url: '/ops/api/v1/webhook', token: 'a-given-token-of-enough-length' })).status).toBe(200);
    } finally {
      await server.close();
    }
    await expect(startAdminServer(fixture.app, { token: 'short', print: false })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_ADMIN_INVALID_OPTIONS' });
    await expect(startAdminServer(fixture.app, { port: 70_000, print: false })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_ADMIN_INVALID_OPTIONS' });
  });
});

describe('hookworkAdmin in a host', () => {
  it('will not register without authentication', async () => {
    const host = Fastify();
    await expect(host.register(hookworkAdmin, { prefix: '/admin', app: fixture.app, auth: {} }).ready()).rejects.toMatchObject({ code: 'HOOKWORK_ERR_ADMIN_NO_AUTHENTICATION' });
    await host.close();
    const other = Fastify();
    await expect(other.register(hookworkAdmin, { prefix: '/admin', app: {} as never, auth: { token: 'x'.repeat(20) } }).ready()).rejects.toMatchObject({ code: 'HOOKWORK_ERR_ADMIN_INVALID_OPTIONS' });
    await other.close();
  });

  it("uses the host's authenticate hook, beside the host's own @fastify/swagger and routes", async () => {
    const host = Fastify();
    await host.register(fastifySwagger, { openapi: { openapi: '3.1.0', info: { title: 'host', version: '1' } } });
    host.get('/host-route', { schema: { response: { 200: { type: 'object', properties: { extra: { type: 'string' } } } } } }, () => ({ extra: 'kept', unknown: 'dropped by the host serializer' }));
    await host.register(hookworkAdmin, {
      prefix: '/backoffice/webhooks',
      app: fixture.app,
      page: false,
      apiReference: false,
      auth: { authenticate: (request) => (request.headers.cookie === 'session=alice' ? { id: 'alice', name: 'Alice' } : undefined) },
    });
    const audits: string[] = [];
    fixture.app.lifecycle.on('audit', (r) => audits.push(`${r.action} ${r.principal}`));
    try {
      const asAlice = { cookie: 'session=alice' };
      const session = await host.inject({ method: 'GET', url: '/backoffice/webhooks/api/v1/session', headers: asAlice });
      expect(session.json()).toEqual({ principal: { id: 'alice', name: 'Alice' } });
      expect((await host.inject({ method: 'GET', url: '/backoffice/webhooks/api/v1/session', headers: { cookie: 'session=mallory' } })).statusCode).toBe(401);
      expect((await host.inject({ method: 'GET', url: '/backoffice/webhooks/api/v1/session', headers: { authorization: 'Bearer anything-at-all-here' } })).statusCode).toBe(401);
      const created = await host.inject({ method: 'POST', url: '/backoffice/webhooks/api/v1/webhook', headers: { ...asAlice, 'content-type': 'application/json' }, payload: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] } });
      expect(created.statusCode).toBe(201);
      expect(audits).toEqual(['webhook.create alice']);
      // The host's own routes, schema serialisation and OpenAPI document are untouched by the plugin.
      expect((await host.inject({ method: 'GET', url: '/host-route' })).json()).toEqual({ extra: 'kept' });
      expect((await host.inject({ method: 'GET', url: '/nowhere' })).json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
      const hostDoc = host.swagger() as { paths: Record<string, unknown> };
      expect(Object.keys(hostDoc.paths)).toContain('/host-route');
      const adminDoc = (await host.inject({ method: 'GET', url: '/backoffice/webhooks/api/v1/openapi.json', headers: asAlice })).json() as { paths: Record<string, unknown> };
      expect(Object.keys(adminDoc.paths).every((path) => path.startsWith('/backoffice/webhooks/api/v1/'))).toBe(true);
    } finally {
      await host.close();
    }
  });

  it('refuses a write from another site (CSRF), and lets the same origin and servers write', async () => {
    const body = { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] };
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'https://evil.example' }] as Record<string, string>[]) {
      const answer = await fixture.inject({ method: 'POST', url: `${API}/webhook`, body, headers });
      expect([answer.status, answer.json.code]).toEqual([403, 'HOOKWORK_ERR_ADMIN_CROSS_SITE']);
    }
    expect((await fixture.app.webhooks.list()).total).toBe(0);
    // Reading is harmless (the answer cannot be read across origins).
    expect((await fixture.inject({ method: 'GET', url: `${API}/webhook`, headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(200);
    expect((await fixture.inject({ method: 'POST', url: `${API}/webhook`, body, headers: { 'sec-fetch-site': 'same-origin' } })).status).toBe(201);
    expect((await fixture.inject({ method: 'POST', url: `${API}/webhook`, body, headers: { origin: 'http://localhost:3000', host: 'localhost:3000' } })).status).toBe(201);
  });

  it('answers 503 with the app code when the app is stopped', async () => {
    await fixture.app.stop();
    const answer = await fixture.inject({ method: 'GET', url: `${API}/webhook` });
    expect([answer.status, answer.json.code]).toEqual([503, 'HOOKWORK_ERR_APP_STOPPED']);
  });
});

describe('answers', () => {
  it('never leave holding a field their schema does not name', () => {
    const serialize = serializerCompiler({ schema: webhookViewSchema, method: 'GET', url: '/webhook/:id', httpStatus: '200' });
    const view = { key: 'k', url: 'u', events: [], contentTypeKeys: [], headers: {}, sensitiveHeaders: [], enabled: true, format: { type: 'json' }, secrets: [], createdAt: new Date(), updatedAt: new Date(), unknownEvents: [] };
    expect(JSON.parse(serialize(view))).toMatchObject({ key: 'k', createdAt: view.createdAt.toISOString() });
    expect(() => serialize({ ...view, secrets: [{ id: 'i', hint: '…abcd', createdAt: new Date(), secret: 'whsec_leak' }] })).toThrow(/HOOKWORK_ERR_ADMIN_INTERNAL: the answer of GET \/webhook\/:id \(200\) does not match its schema/);
  });
});
