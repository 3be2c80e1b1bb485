import { execFile } from 'node:child_process';
import { request as httpRequest, STATUS_CODES } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { runInThisContext } from 'node:vm';
import fastifySwagger from '@fastify/swagger';
import { cmsComposer } from '@hookwork/cms';
import { createHookwork, memoryStorage, pinoLogger, silentLogger, webhookViewSchema } from '@hookwork/core';
import { TEST_RECEIVER_CERT, TEST_RECEIVER_KEY } from '@hookwork/core/testing';
import { sqliteStorage } from '@hookwork/sqlite';
import Database from 'better-sqlite3';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { hookworkAdmin } from './admin-plugin';
import { adminFrameworkErrors } from './index';
import { isLoopback, startAdminServer } from './admin-server';
import { API, publish, startAdminFixture, socketCaller, TOKEN, type AdminFixture } from './test-support/admin-fixture';
import { adminCompilers } from './validation';

jest.setTimeout(60_000);

const execFileAsync = promisify(execFile);

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
  it('served before app.start(): 503 HOOKWORK_ERR_APP_NOT_STARTED in the API\'s terms with Retry-After, no error line per request; then the routes; after stop() 503 HOOKWORK_ERR_APP_STOPPED', async () => {
    const app = createHookwork({ composers: [cmsComposer()], storage: memoryStorage() });
    const logged: string[] = [];
    const logger = { debug: () => {}, info: () => {}, warn: (m: string) => logged.push(`warn ${m}`), error: (m: string) => logged.push(`error ${m}`) };
    const lines: string[] = [];
    const server = await startAdminServer(app, { print: (line) => lines.push(line), logger, ...apiOnly });
    try {
      expect(lines).toContain('  the app is not started yet: the API answers 503 (HOOKWORK_ERR_APP_NOT_STARTED, Retry-After) until app.start() resolves');
      const call = socketCaller(server.url.replace(/\/$/, ''));
      const before = await call({ method: 'GET', url: '/api/v1/webhook', token: server.token! });
      expect(before.status).toBe(503);
      expect(before.headers['retry-after']).toBe('5');
      expect(before.json).toMatchObject({ code: 'HOOKWORK_ERR_APP_NOT_STARTED', status: 503 });
      // It named a library call ("await app.start() before managing webhooks or publishing") a caller of the API cannot make.
      expect(before.json.detail).toBe(
        "HOOKWORK_ERR_APP_NOT_STARTED: the hookwork app behind this admin API is not started yet: its routes answer 503 until the host's app.start() has resolved; try again shortly (Retry-After). Host: await app.start() before serving the admin, or let it answer 503 meanwhile",
      );
      // The app's state, not a fault: it was an error line with a stack at every request (a page polling the queue).
      expect(logged).toEqual([]);

      await app.start();
      expect((await call({ method: 'GET', url: '/api/v1/webhook', token: server.token! })).status).toBe(200);

      await app.stop();
      const after = await call({ method: 'GET', url: '/api/v1/queue/counts', token: server.token! });
      expect(after.status).toBe(503);
      expect(after.headers['retry-after']).toBeUndefined();
      expect(after.json.detail).toMatch(/^HOOKWORK_ERR_APP_STOPPED: the hookwork app behind this admin API was stopped \(it is stopped\): nothing can be managed through it/);
      expect(logged).toEqual([]);
    } finally {
      await server.close();
      await app.stop();
    }
  });

  it('generates a token on loopback, prints it with the URL, and accepts only it', async () => {
    const lines: string[] = [];
    const server = await startAdminServer(fixture.app, { print: (line) => lines.push(line), ...apiOnly });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(lines.join('\n')).toContain(server.url);
      expect(lines.join('\n')).toContain(server.token);
      expect(lines).toContain(`  Prometheus metrics: ${server.url}metrics (the same token, as a bearer token)`);
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

  it("behind a proxy that ends TLS, believes its X-Forwarded-Proto only with trustProxy, so a browser without Sec-Fetch-Site can write from the https page", async () => {
    const session = (request: { headers: { cookie?: string } }) => (request.headers.cookie === 'session=alice' ? { id: 'alice' } : undefined);
    const post = (url: string, headers: Record<string, string>) =>
      new Promise<{ status: number; code?: string }>((resolve, reject) => {
        const target = new URL(url);
        const sent = httpRequest({ host: target.hostname, port: target.port, method: 'POST', path: `${target.pathname}api/v1/cleanup`, headers: { cookie: 'session=alice', ...headers } }, (response) => {
          let text = '';
          response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve({ status: response.statusCode!, code: (JSON.parse(text) as { code?: string }).code }));
        });
        sent.on('error', reject).end();
      });
    const behind = await startAdminServer(fixture.app, { authenticate: session, trustProxy: '127.0.0.1', print: false, ...apiOnly });
    const direct = await startAdminServer(fixture.app, { authenticate: session, print: false, ...apiOnly });
    try {
      // What the proxy forwards of the https page's write: the browser's Origin and Host, and the scheme it ended.
      const forwarded = (server: { url: string }) => ({ origin: new URL(server.url).origin.replace(/^http:/, 'https:'), 'x-forwarded-proto': 'https' });
      expect(await post(behind.url, forwarded(behind))).toEqual({ status: 200, code: undefined });
      expect(await post(direct.url, forwarded(direct))).toEqual({ status: 403, code: 'HOOKWORK_ERR_ADMIN_CROSS_SITE' });
      // The http page is refused by the server that knows it is https.
      expect(await post(behind.url, { origin: new URL(behind.url).origin, 'x-forwarded-proto': 'https' })).toEqual({ status: 403, code: 'HOOKWORK_ERR_ADMIN_CROSS_SITE' });
    } finally {
      await behind.close();
      await direct.close();
    }
    for (const trustProxy of ['not-an-address', '10.0.0.0/8/1', [], ['127.0.0.1', ''], false]) {
      await expect(startAdminServer(fixture.app, { trustProxy, print: false } as never)).rejects.toMatchObject({ code: 'HOOKWORK_ERR_ADMIN_INVALID_OPTIONS', message: expect.stringContaining('trustProxy') });
    }
    // Judged as Fastify judges it: a range past the address's bits is refused coded, not thrown by Fastify(); a netmask is taken.
    await expect(startAdminServer(fixture.app, { trustProxy: '10.0.0.0/999', print: false })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_ADMIN_INVALID_OPTIONS', message: expect.stringContaining('trustProxy') });
    const masked = await startAdminServer(fixture.app, { trustProxy: '10.0.0.0/255.0.0.0', print: false, ...apiOnly });
    await masked.close();
  });

  // Looked up through the prototype chain, these found Object's functions: "TypeError: check is not a function".
  it.each([['__proto__', JSON.parse('{"__proto__":{}}') as object], ['constructor', { constructor: 1 }], ['hasOwnProperty', { hasOwnProperty: 1 }], ['toString', { toString: 1 }]])('refuses the option %s as unknown, coded', async (key, options) => {
    const error = await startAdminServer(fixture.app, { print: false, ...options } as never).then(() => undefined, (e: Error) => e);
    expect(error).toMatchObject({ code: 'HOOKWORK_ERR_ADMIN_INVALID_OPTIONS' });
    expect(error?.message).toContain(`${key} is not an option`);
  });

  it('refuses options that are not a plain object, naming what they are', async () => {
    await expect(startAdminServer(fixture.app, new Map([['port', 1]]) as never)).rejects.toThrow(/HOOKWORK_ERR_ADMIN_INVALID_OPTIONS: .*options must be an object such as \{ port: 3300 \}; got a Map/);
  });

  it('names the first keys of an option object of the wrong shape and counts the rest', async () => {
    // Every key was named: the message grew with the object given.
    const https = Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`k${i}`, 1]));
    const error = await startAdminServer(fixture.app, { print: false, https } as never).then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(/https must be \{ key, cert \}.*; got an object with keys k0, k1, .*k9 and 990 more$/);
    expect(error!.message.length).toBeLessThan(1_000);
  });

  it('reaches a webhook whose key is as long as a key may be (200 characters)', async () => {
    const token = 'a-given-token-of-enough-length';
    const key = 'k'.repeat(200);
    await fixture.app.webhooks.create({ key, url: 'https://example.com/hook', events: [fixture.app.events()[0]!.alias] });
    const server = await startAdminServer(fixture.app, { token, print: false, ...apiOnly });
    try {
      const response = await socketCaller(server.url.replace(/\/$/, ''))({ method: 'GET', url: `/api/v1/webhook/${key}`, token });
      expect([response.status, response.json.key]).toEqual([200, key]);
    } finally {
      await server.close();
      await fixture.app.webhooks.delete(key);
    }
  });

  it('answers a path the router cannot take (an over-long key, bad percent-encoding) with coded problem details, nosniff and no-store', async () => {
    const token = 'a-given-token-of-enough-length';
    const server = await startAdminServer(fixture.app, { token, print: false, ...apiOnly });
    try {
      const call = socketCaller(server.url.replace(/\/$/, ''));
      for (const url of [`/api/v1/webhook/${'a'.repeat(5000)}`, '/api/v1/webhook/%E0%A4%A']) {
        const response = await call({ method: 'GET', url, token });
        expect(response.status).toBe(400);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect([response.headers['cache-control'], response.headers['x-content-type-options']]).toEqual(['no-store', 'nosniff']);
        expect(response.json).toMatchObject({ code: 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST', errors: [{ in: 'path' }] });
      }
    } finally {
      await server.close();
    }
  });
});

describe('startAdminServer and a request its HTTP parser cannot read', () => {
  /** Writes `raw` to the server's socket and reads the whole answer (the server closes after it). */
  const rawExchange = (origin: string, raw: string) =>
    new Promise<string>((resolve, reject) => {
      const { hostname, port } = new URL(origin);
      const socket = connect(Number(port), hostname, () => socket.end(raw));
      let answer = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk)).on('close', () => resolve(answer)).on('error', reject);
    });

  it('answers headers past the size limit (431) and what is not HTTP/1.1 (400) with coded problem details, no-store and nosniff, not Fastify\'s own JSON', async () => {
    const token = 'a-given-token-of-enough-length';
    const server = await startAdminServer(fixture.app, { token, print: false, ...apiOnly });
    try {
      for (const [raw, status] of [
        [`GET /api/v1/webhook HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
        ['GET /api/v1/webhook HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n', 400],
        ['POST /api/v1/cleanup HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n', 400],
        ['NOT HTTP AT ALL\r\n\r\n', 400],
      ] as const) {
        const answer = await rawExchange(server.url, raw);
        const [head, body] = answer.split('\r\n\r\n') as [string, string];
        expect(head.split('\r\n')[0]).toBe(`HTTP/1.1 ${status} ${STATUS_CODES[status]}`);
        expect(head).toMatch(/\r\ncontent-type: application\/problem\+json; charset=utf-8\r\n/i);
        expect(head).toMatch(/\r\ncache-control: no-store\r\n/i);
        expect(head).toMatch(/\r\nx-content-type-options: nosniff\r\n/i);
        expect(JSON.parse(body)).toMatchObject({ status, code: 'HOOKWORK_ERR_ADMIN_REQUEST_REFUSED', type: 'urn:hookwork:error:HOOKWORK_ERR_ADMIN_REQUEST_REFUSED', detail: expect.stringMatching(status === 431 ? /header fields are larger than this server takes/ : /not valid HTTP\/1\.1/) });
      }
      expect(fixture.audits).toEqual([]);
    } finally {
      await server.close();
    }
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

  it("tells a host whose router takes shorter path values than a webhook key may have, once, with the fix", async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} };
    // The top-level maxParamLength is a host's own, deprecated in Fastify 5 but still read: Fastify
    // warns about it (FSTDEP022, printed by this test), and the plugin reads the limit either way.
    for (const [host, expected] of [
      [Fastify(), 1],
      [Fastify({ maxParamLength: 150 }), 1],
      [Fastify({ routerOptions: { maxParamLength: 200 } }), 0],
      [Fastify({ maxParamLength: 500 }), 0],
    ] as const) {
      warnings.length = 0;
      await host.register(hookworkAdmin, { prefix: '/admin', app: fixture.app, auth: { token: 'x'.repeat(20) }, logger, ...apiOnly });
      await host.ready();
      expect(warnings).toHaveLength(expected);
      if (expected) expect(warnings[0]).toMatch(/at most 1[05]0 characters \(maxParamLength\), and a webhook key may have 200: .*Create the Fastify with \{ routerOptions: \{ maxParamLength: 200 \} \}$/);
      await host.close();
    }
  });

  it("answers a path the host's router cannot take (a key past maxParamLength, a bad percent-encoding) with the admin's problem details when the host passes adminFrameworkErrors, with or without a token; the host's own paths keep Fastify's answer", async () => {
    const token = 'x'.repeat(20);
    const long = `/admin/api/v1/webhook/${'k'.repeat(201)}`;
    const bad = '/admin/api/v1/webhook/%ff';
    // Without it, the router's errors are Fastify's own: what docs/admin.md says a plugin host gets.
    const plain = Fastify({ routerOptions: { maxParamLength: 200 } });
    await plain.register(hookworkAdmin, { prefix: '/admin', app: fixture.app, auth: { token }, ...apiOnly });
    try {
      const tooLong = await plain.inject({ url: long, headers: { authorization: `Bearer ${token}` } });
      expect([tooLong.statusCode, tooLong.headers['content-type'], tooLong.json().code]).toEqual([414, 'application/json', 'FST_ERR_MAX_PARAM_LENGTH']);
      const badUrl = await plain.inject({ url: bad });
      expect([badUrl.statusCode, badUrl.json().code]).toEqual([400, 'FST_ERR_BAD_URL']);
    } finally {
      await plain.close();
    }

    const host = Fastify({ routerOptions: { maxParamLength: 200 }, frameworkErrors: adminFrameworkErrors({ prefix: '/admin' }) });
    host.get('/host/:name', async (request) => ({ name: (request.params as { name: string }).name }));
    await host.register(hookworkAdmin, { prefix: '/admin', app: fixture.app, auth: { token }, ...apiOnly });
    await host.listen({ port: 0, host: '127.0.0.1' });
    const audits: string[] = [];
    const listener = (record: { action: string }) => void audits.push(record.action);
    fixture.app.lifecycle.on('audit', listener);
    try {
      const call = socketCaller(`http://127.0.0.1:${(host.server.address() as { port: number }).port}`);
      const cases = [[long, true, 'GET'], [long, false, 'GET'], [bad, true, 'GET'], [bad, false, 'GET'], [`/admin/api/v1/dead-letter/${'r'.repeat(201)}/redeliver`, true, 'POST'], [long, true, 'DELETE'], [`${bad}`, true, 'PATCH']] as const;
      for (const [url, withToken, method] of cases) {
        const answer = await call({ method, url, token: withToken ? token : null, ...(method === 'PATCH' ? { body: { enabled: false } } : {}) });
        expect([url.slice(0, 40), withToken, answer.status, answer.headers['content-type'], answer.headers['cache-control'], answer.headers['x-content-type-options']]).toEqual([
          url.slice(0, 40),
          withToken,
          400,
          'application/problem+json; charset=utf-8',
          'no-store',
          'nosniff',
        ]);
        expect(answer.json).toMatchObject({ type: 'urn:hookwork:error:HOOKWORK_ERR_ADMIN_INVALID_REQUEST', code: 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST', status: 400, errors: [{ in: 'path', field: '(path)' }] });
        // The path is echoed cut short, never whole.
        expect(answer.json.instance.length).toBeLessThanOrEqual(201);
        expect(answer.text).not.toContain('k'.repeat(201));
      }
      // A key as long as a key may be is routed as before.
      expect((await call({ method: 'GET', url: `/admin/api/v1/webhook/${'k'.repeat(200)}`, token })).json.code).toBe('HOOKWORK_ERR_WEBHOOK_NOT_FOUND');
      // The host's own paths are the host's: Fastify's answer, not the admin's.
      const hostBad = await call({ method: 'GET', url: '/host/%ff' });
      expect([hostBad.status, hostBad.headers['content-type'], hostBad.json.code]).toEqual([400, 'application/json; charset=utf-8', 'FST_ERR_BAD_URL']);
      const hostLong = await call({ method: 'GET', url: `/host/${'n'.repeat(201)}` });
      expect([hostLong.status, hostLong.json.code]).toEqual([414, 'FST_ERR_MAX_PARAM_LENGTH']);
      expect((await call({ method: 'GET', url: '/administrator/%ff' })).json.code).toBe('FST_ERR_BAD_URL');
      // Refused by the router, before any route (so before any action or authentication): no
      // audit record, as docs/admin.md says — the writes among them (POST, DELETE, PATCH) too.
      expect(audits).toEqual([]);
    } finally {
      fixture.app.lifecycle.off('audit', listener);
      await host.close();
    }
  });

  it('adminFrameworkErrors refuses options it cannot use, naming the fix', () => {
    for (const options of [undefined, {}, { prefix: 'admin' }, { prefix: '' }, { prefix: '/admin', path: '/admin' }]) {
      expect(() => adminFrameworkErrors(options as never)).toThrow(expect.objectContaining({ code: 'HOOKWORK_ERR_ADMIN_INVALID_OPTIONS', message: expect.stringContaining('prefix') }));
    }
  });

  it('a 404 that guesses the route reads as one sentence per thought (no "?. the routes")', async () => {
    const host = Fastify();
    await host.register(hookworkAdmin, { prefix: '/admin', app: fixture.app, auth: { token: 'x'.repeat(20) }, ...apiOnly });
    const guessed = await host.inject({ url: '/admin/api/v1/webhooks', headers: { authorization: `Bearer ${'x'.repeat(20)}` } });
    expect(guessed.statusCode).toBe(404);
    expect(guessed.json().detail).toMatch(/\(Umbraco's name: webhook in the singular\)\? The routes are listed at \/admin\/api\/v1\/openapi\.json$/);
    const unguessed = await host.inject({ url: '/admin/api/v1/nothing-like-it', headers: { authorization: `Bearer ${'x'.repeat(20)}` } });
    expect(unguessed.json().detail).toMatch(/nothing-like-it; the routes are listed at/);
    await host.close();
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
      expect(session.json()).toEqual({ principal: { id: 'alice', name: 'Alice' }, via: 'host' });
      // Refused in the terms of what this admin takes: the host's sign-in, never a bearer token.
      for (const headers of [{ cookie: 'session=mallory' }, { authorization: 'Bearer anything-at-all-here' }]) {
        const refused = await host.inject({ method: 'GET', url: '/backoffice/webhooks/api/v1/session', headers });
        expect([refused.statusCode, refused.headers['www-authenticate']]).toEqual([401, 'Session realm="hookwork-admin"']);
        expect(refused.json().detail).toMatch(/authenticates through the host application's own sign-in \(its session\), which did not let this request in.*sign in to the host application, then try again$/);
        expect(refused.json().detail).not.toMatch(/Authorization: Bearer/);
      }
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

  it("tells the page how it may sign in (a token, the host's sign-in, or either) and where the host's sign-out is, and words each 401 for what it takes", async () => {
    const host = Fastify({ logger: false });
    const alice = (request: { headers: Record<string, unknown> }) => (request.headers.cookie === 'session=alice' ? { id: 'alice' } : undefined);
    await host.register(hookworkAdmin, { prefix: '/tokens', app: fixture.app, auth: { token: TOKEN } });
    await host.register(hookworkAdmin, { prefix: '/hosted', app: fixture.app, auth: { authenticate: alice, signOutUrl: '/logout?next=%2F' } });
    await host.register(hookworkAdmin, { prefix: '/both', app: fixture.app, auth: { token: TOKEN, authenticate: alice } });
    try {
      const shell = async (prefix: string) => /<hw-admin-app[^>]*>/.exec((await host.inject({ method: 'GET', url: `${prefix}/` })).body)![0];
      expect(await shell('/tokens')).toBe('<hw-admin-app data-auth="token">');
      expect(await shell('/hosted')).toBe('<hw-admin-app data-auth="host" data-sign-out-url="/logout?next=%2F">');
      expect(await shell('/both')).toBe('<hw-admin-app data-auth="token host">');
      const detail = async (prefix: string, headers: Record<string, string> = {}) => (await host.inject({ method: 'GET', url: `${prefix}/api/v1/session`, headers })).json().detail as string;
      expect(await detail('/tokens')).toMatch(/needs authentication: send Authorization: Bearer <token>$/);
      expect(await detail('/both')).toMatch(/send Authorization: Bearer <token>, or sign in to the host application/);
      expect(await detail('/both', { authorization: 'Bearer not-the-token-at-all' })).toMatch(/the bearer token is not one this admin API accepts, and the host application's own sign-in \(its session\) did not let the request in either/);
      expect(await detail('/hosted', { authorization: 'Bearer not-the-token-at-all' })).toMatch(/this admin API takes no bearer token: it authenticates through the host application's own sign-in/);
      // How each was let in, for the page's Sign out.
      const via = async (prefix: string, headers: Record<string, string>) => (await host.inject({ method: 'GET', url: `${prefix}/api/v1/session`, headers })).json().via as string;
      expect([await via('/both', { authorization: `Bearer ${TOKEN}` }), await via('/both', { cookie: 'session=alice' }), await via('/hosted', { cookie: 'session=alice' })]).toEqual(['token', 'host', 'host']);
    } finally {
      await host.close();
    }
    // A sign-out address that is not one, or without the hook whose session it ends, is refused at registration.
    for (const [auth, said] of [
      [{ authenticate: alice, signOutUrl: 'javascript:alert(1)' }, /hookworkAdmin auth: signOutUrl must be the host's sign-out address: a path on this server such as \/logout, or an http\(s\) URL/],
      [{ authenticate: alice, signOutUrl: '//evil.example/logout' }, /signOutUrl must be the host/],
      [{ token: TOKEN, signOutUrl: '/logout' }, /auth\.signOutUrl ends the host's session that auth\.authenticate reads, and there is no authenticate/],
    ] as const) {
      const refused = Fastify({ logger: false });
      await expect(refused.register(hookworkAdmin, { prefix: '/x', app: fixture.app, auth, page: false, apiReference: false }).ready()).rejects.toThrow(said);
      await refused.close();
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

  it('refuses a write from an opaque origin (Origin: null, no Sec-Fetch-Site) with a cookie session, and changes nothing', async () => {
    // A sandboxed iframe or a data: page of another site posts with Origin: null; a browser
    // without Sec-Fetch-Site (Safari before 16.4) sends nothing else. fetch(…, { mode: 'no-cors',
    // credentials: 'include' }) needs no preflight for a POST without a body.
    const host = Fastify({ logger: false });
    await host.register(hookworkAdmin, { prefix: '/admin', app: fixture.app, auth: { authenticate: (request) => (request.headers.cookie === 'session=alice' ? { id: 'alice' } : undefined) }, page: false, apiReference: false });
    try {
      const created = await fixture.app.webhooks.create({ key: 'opaque', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], secret: true });
      const secretIds = (await fixture.app.webhooks.get('opaque'))!.secrets.map((s) => s.id);
      for (const url of ['/admin/api/v1/webhook/opaque/secret/rotate', '/admin/api/v1/cleanup', '/admin/api/v1/webhook/opaque/test']) {
        const answer = await host.inject({ method: 'POST', url, headers: { cookie: 'session=alice', origin: 'null' } });
        expect([url, answer.statusCode, answer.json().code]).toEqual([url, 403, 'HOOKWORK_ERR_ADMIN_CROSS_SITE']);
        expect(answer.json().detail).toMatch(/from an opaque origin \(Origin: null/);
      }
      const deleted = await host.inject({ method: 'DELETE', url: '/admin/api/v1/webhook/opaque', headers: { cookie: 'session=alice', origin: 'null' } });
      expect(deleted.statusCode).toBe(403);
      expect((await fixture.app.webhooks.get('opaque'))!.secrets.map((s) => s.id)).toEqual(secretIds);
      expect(fixture.receiver.requests).toHaveLength(0);
      expect(created.secret).toBeDefined();
      // The same origin still writes; a read from an opaque origin is harmless (it cannot be read).
      expect((await host.inject({ method: 'GET', url: '/admin/api/v1/webhook/opaque', headers: { cookie: 'session=alice', origin: 'null' } })).statusCode).toBe(200);
      expect((await host.inject({ method: 'POST', url: '/admin/api/v1/cleanup', headers: { cookie: 'session=alice', 'sec-fetch-site': 'same-origin' } })).statusCode).toBe(200);
    } finally {
      await host.close();
    }
  });

  it('refuses a write whose Origin (no Sec-Fetch-Site) is this host and port by another scheme, reading its own scheme as Fastify does (trustProxy), and changes nothing', async () => {
    // A browser without Sec-Fetch-Site (Safari before 16.4) on http://host:port — a page a network
    // attacker can write — posting with the cookies of the https admin on the same host and port.
    const session = { authenticate: (request: { headers: { cookie?: string } }) => (request.headers.cookie === 'session=alice' ? { id: 'alice' } : undefined) };
    const started: { close(): Promise<unknown> }[] = [];
    const serve = async (options: FastifyServerOptions & { https?: { key: string; cert: string } }) => {
      const host = Fastify({ logger: false, ...options } as FastifyServerOptions);
      started.push(host);
      await host.register(hookworkAdmin, { prefix: '/admin', app: fixture.app, auth: session, page: false, apiReference: false });
      const address = await host.listen({ host: '127.0.0.1', port: 0 });
      return { port: Number(new URL(address).port), tls: options.https !== undefined };
    };
    /** A POST over a real socket, as a browser without Sec-Fetch-Site sends it. */
    const post = (server: { port: number; tls: boolean }, path: string, headers: Record<string, string>) =>
      new Promise<{ status: number; json: { code?: string; detail?: string } }>((resolve, reject) => {
        const send = server.tls ? httpsRequest : httpRequest;
        const sent = send({ host: '127.0.0.1', port: server.port, method: 'POST', path: `/admin/api/v1${path}`, headers: { cookie: 'session=alice', ...headers }, ...(server.tls ? { ca: TEST_RECEIVER_CERT } : {}) }, (response) => {
          let text = '';
          response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve({ status: response.statusCode!, json: JSON.parse(text) as { code?: string; detail?: string } }));
        });
        sent.on('error', reject).end();
      });
    try {
      await fixture.app.webhooks.create({ key: 'schemes', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], secret: true });
      const secretIds = async () => (await fixture.app.webhooks.get('schemes'))!.secrets.map((s) => s.id);
      const before = await secretIds();
      const plain = await serve({});
      const tls = await serve({ https: { key: TEST_RECEIVER_KEY, cert: TEST_RECEIVER_CERT } });
      const proxied = await serve({ trustProxy: '127.0.0.1' });
      const at = (server: { port: number }, scheme: string) => `${scheme}://127.0.0.1:${server.port}`;
      for (const [server, headers] of [
        [plain, { origin: at(plain, 'https') }],
        [tls, { origin: at(tls, 'http') }],
        // Fastify trusts no proxy here, so X-Forwarded-Proto is anyone's word: the server is http.
        [plain, { origin: at(plain, 'https'), 'x-forwarded-proto': 'https' }],
        [proxied, { origin: at(proxied, 'http'), 'x-forwarded-proto': 'https' }],
        [proxied, { origin: at(proxied, 'https') }],
      ] as const) {
        const answer = await post(server, '/webhook/schemes/secret/rotate', headers);
        expect([headers, answer.status, answer.json.code]).toEqual([headers, 403, 'HOOKWORK_ERR_ADMIN_CROSS_SITE']);
        expect(answer.json.detail).toContain(`from origin ${headers.origin} is refused: it is not this server's origin`);
      }
      // The http server told it sees https only behind a proxy it trusts; the https one is not.
      expect((await post(plain, '/cleanup', { origin: at(plain, 'https') })).json.detail).toMatch(/have Fastify trust it \(trustProxy: its address/);
      expect((await post(tls, '/cleanup', { origin: at(tls, 'http') })).json.detail).not.toMatch(/trustProxy/);
      // No Host header (HTTP/1.0): refused, the detail saying there is none (not "http://no Host header").
      const hostless = await new Promise<string>((resolve, reject) => {
        const socket = connect(plain.port, '127.0.0.1', () => socket.write('POST /admin/api/v1/webhook/schemes/secret/rotate HTTP/1.0\r\nCookie: session=alice\r\nOrigin: http://undefined\r\n\r\n'));
        let text = '';
        socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve(text)).on('error', reject);
      });
      expect(hostless).toMatch(/^HTTP\/1\.1 403 [\s\S]*HOOKWORK_ERR_ADMIN_CROSS_SITE[\s\S]*\(no Host header; scheme, host and port are compared\)/);
      expect(await secretIds()).toEqual(before);
      // Its own origin writes: the scheme of the socket, or the one a trusted proxy says.
      for (const [server, headers] of [
        [plain, { origin: at(plain, 'http') }],
        [tls, { origin: at(tls, 'https') }],
        [proxied, { origin: at(proxied, 'https'), 'x-forwarded-proto': 'https' }],
        [proxied, { origin: at(proxied, 'http') }],
      ] as const) {
        expect([headers, (await post(server, '/cleanup', headers)).status]).toEqual([headers, 200]);
      }
    } finally {
      for (const host of started) await host.close();
    }
  });

  it('answers 404 for a page asset that does not exist, not a 405 saying GET takes GET', async () => {
    const host = Fastify({ logger: false });
    await host.register(hookworkAdmin, { prefix: '/admin', app: fixture.app, auth: { token: TOKEN }, page: true, apiReference: true });
    try {
      for (const url of ['/admin/assets/missing.js', '/admin/api/reference/swagger-ui/package.json']) {
        const answer = await host.inject({ method: 'GET', url });
        expect([url, answer.statusCode, answer.json().code, answer.headers.allow]).toEqual([url, 404, 'HOOKWORK_ERR_ADMIN_NOT_FOUND', undefined]);
        expect(answer.json().detail).not.toMatch(/does not take GET/);
      }
      // A method the path does not take is still a 405 naming the ones it does.
      const posted = await host.inject({ method: 'POST', url: '/admin/assets/admin.js' });
      expect([posted.statusCode, posted.headers.allow]).toEqual([405, 'GET, HEAD']);
      expect((await host.inject({ method: 'GET', url: '/admin/assets/admin.js' })).statusCode).toBe(200);
    } finally {
      await host.close();
    }
  });

  it("keeps the 4xx of a static file's refusal (a Range past the end, a failed precondition, a NUL in the path) and of a host hook's http error, as problem details that log no failure; a fault stays a 500", async () => {
    const failures: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (message: string) => void failures.push(message) };
    const host = Fastify({ logger: false });
    await host.register(hookworkAdmin, { prefix: '/admin', app: fixture.app, auth: { token: TOKEN }, logger });
    // A host's authenticate that refuses in its framework's way (@fastify/sensible, http-errors), and one that fails.
    const forbidden = Object.assign(new Error('alice may not manage webhooks'), { statusCode: 403, expose: true });
    await host.register(hookworkAdmin, { prefix: '/roles', app: fixture.app, auth: { authenticate: () => Promise.reject(forbidden) }, page: false, apiReference: false, logger });
    await host.register(hookworkAdmin, { prefix: '/down', app: fixture.app, auth: { authenticate: () => Promise.reject(Object.assign(new Error('session store at 10.1.2.3 refused'), { statusCode: 403 })) }, page: false, apiReference: false, logger });
    // Reason phrases: Node's, but RFC 9110's names where it renamed a status Node still calls by its old name.
    await host.register(hookworkAdmin, { prefix: '/locked', app: fixture.app, auth: { authenticate: () => Promise.reject(Object.assign(new Error('the account is locked'), { statusCode: 423, expose: true })) }, page: false, apiReference: false, logger });
    await host.register(hookworkAdmin, { prefix: '/large', app: fixture.app, auth: { authenticate: () => Promise.reject(Object.assign(new Error('too large'), { statusCode: 413 })) }, page: false, apiReference: false, logger });
    await host.register(hookworkAdmin, { prefix: '/broken', app: fixture.app, auth: { authenticate: () => Promise.reject(new Error('session store down')) }, page: false, apiReference: false, logger });
    try {
      const css = readFileSync(join(dirname(require.resolve('./page-routes')), '..', 'dist', 'page', 'admin.css'));
      for (const [url, headers, status, said] of [
        ['/admin/assets/admin.css', { range: 'bytes=99999999-' }, 416, /refused with 416 Range Not Satisfiable/],
        ['/admin/api/reference/swagger-ui/swagger-ui.css', { range: 'bytes=99999999-' }, 416, /416 Range Not Satisfiable/],
        ['/admin/assets/admin.css', { 'if-match': '"not-its-tag"' }, 412, /412 Precondition Failed/],
        ['/admin/assets/%00', {}, 400, /400 Bad Request/],
        ['/roles/api/v1/session', {}, 403, /403 Forbidden: alice may not manage webhooks; nothing was changed$/],
        // Not meant for the client (no expose): the status is kept, the message is not shown.
        ['/down/api/v1/session', {}, 403, /403 Forbidden; nothing was changed$/],
        ['/locked/api/v1/session', {}, 423, /423 Locked: the account is locked; nothing was changed$/],
        ['/large/api/v1/session', {}, 413, /413 Content Too Large; nothing was changed$/],
      ] as const) {
        const answer = await host.inject({ method: 'GET', url, headers });
        expect([url, answer.statusCode, answer.headers['content-type'], answer.json().code]).toEqual([url, status, 'application/problem+json; charset=utf-8', 'HOOKWORK_ERR_ADMIN_REQUEST_REFUSED']);
        expect(answer.json()).toMatchObject({ status, instance: url.replace(/\?.*$/, '') });
        expect(answer.json().detail).toMatch(said);
        expect(answer.json().detail).not.toMatch(/10\.1\.2\.3/);
        if (status === 416 && url.startsWith('/admin/assets')) expect(answer.headers['content-range']).toBe(`bytes */${css.length}`);
      }
      // A range the file holds is served as before.
      expect((await host.inject({ method: 'GET', url: '/admin/assets/admin.css', headers: { range: 'bytes=0-9' } })).statusCode).toBe(206);
      expect(failures).toEqual([]);
      // An error without a client status is a fault: 500, its cause in the log only.
      const broken = await host.inject({ method: 'GET', url: '/broken/api/v1/session' });
      expect([broken.statusCode, broken.json().code]).toEqual([500, 'HOOKWORK_ERR_ADMIN_INTERNAL']);
      expect(broken.body).not.toMatch(/session store/);
      expect(failures).toEqual([expect.stringMatching(/session store down/)]);
    } finally {
      await host.close();
    }
  });

  it("masks the credentials a failing authenticate hook quotes in the admin's log line and logged error (message, stack, fields, cause), and answers the client none of its message", async () => {
    const lines: string[] = [];
    const host = Fastify({ logger: { level: 'info', stream: { write: (line: string) => void lines.push(line) } } });
    const logger = pinoLogger(host.log);
    // What a host's session lookup throws when its store refuses: the connection strings it used,
    // and the HTTP client's error with the request's headers in a field.
    const failure = Object.assign(new Error('session store redis://session:hunter2@10.0.0.5:6379 refused: WRONGPASS'), {
      cause: new Error('fallback postgres://app:s3cretpw@db.internal:5432/app unreachable'),
      config: { headers: { Authorization: 'Bearer tok-abc123xyz789' }, url: 'https://sso.example/userinfo' },
      errors: [new Error('sso said 401 to Bearer tok-abc123xyz789')],
    });
    await host.register(hookworkAdmin, { prefix: '/admin', app: fixture.app, auth: { authenticate: () => Promise.reject(failure) }, page: false, apiReference: false, logger });
    // A refusal the host meant for the client (http-errors' expose) is shown, but not a credential in it.
    const refusal = Object.assign(new Error('alice may not: role lookup at redis://roles:hunter2@10.0.0.6 said no, Bearer tok-abc123xyz789'), { statusCode: 403, expose: true });
    await host.register(hookworkAdmin, { prefix: '/roles', app: fixture.app, auth: { authenticate: () => Promise.reject(refusal) }, page: false, apiReference: false, logger });
    const secrets = /hunter2|s3cretpw|tok-abc123xyz789/;
    try {
      const origin = await host.listen({ host: '127.0.0.1', port: 0 });
      for (const [method, path] of [['GET', '/admin/api/v1/session'], ['POST', '/admin/api/v1/cleanup']] as const) {
        const response = await fetch(`${origin}${path}`, { method });
        const body = await response.text();
        expect([method, response.status, (JSON.parse(body) as { code: string }).code]).toEqual([method, 500, 'HOOKWORK_ERR_ADMIN_INTERNAL']);
        // The host's message is no business of the client's: not its text, not its secrets.
        expect(body).not.toMatch(/session store|WRONGPASS|10\.0\.0\.5|sso\.example/);
        expect(body).not.toMatch(secrets);
      }
      const refused = await fetch(`${origin}/roles/api/v1/session`);
      expect(refused.status).toBe(403);
      const detail = ((await refused.json()) as { detail: string }).detail;
      expect(detail).toContain('alice may not: role lookup at redis://***@10.0.0.6 said no, Bearer ***');
      // The failure is logged, each time, still saying what failed — masked everywhere pino writes it.
      const failed = lines.map((line) => JSON.parse(line) as { level: number; msg: string; err?: { type: string; message: string; stack: string; cause?: { message: string }; config?: { headers: { Authorization: string } }; errors?: { message: string }[] } }).filter((line) => line.level === 50);
      expect(failed).toHaveLength(2);
      for (const line of failed) {
        expect(line.msg).toMatch(/^admin: (GET|POST) \/admin\/api\/v1\/\w+ failed: session store redis:\/\/\*\*\*@10\.0\.0\.5:6379 refused: WRONGPASS$/);
        // pino writes the cause's message after the error's, and the stacks of both.
        expect(line.err).toMatchObject({ type: 'Error', message: 'session store redis://***@10.0.0.5:6379 refused: WRONGPASS: fallback postgres://***@db.internal:5432/app unreachable', config: { headers: { Authorization: 'Bearer ***' }, url: 'https://sso.example/userinfo' } });
        expect(line.err!.stack).toMatch(/^Error: session store redis:\/\/\*\*\*@10\.0\.0\.5:6379 refused: WRONGPASS\n\s+at /);
      }
      expect(lines.join('\n')).not.toMatch(secrets);
      // The host's own error is left as it threw it.
      expect(failure.message).toContain('hunter2');
      expect(failure.config.headers.Authorization).toBe('Bearer tok-abc123xyz789');
    } finally {
      await host.close();
    }
  });

  it('answers 503 with the app code when the app is stopped', async () => {
    await fixture.app.stop();
    const answer = await fixture.inject({ method: 'GET', url: `${API}/webhook` });
    expect([answer.status, answer.json.code]).toEqual([503, 'HOOKWORK_ERR_APP_STOPPED']);
  });
});

describe('Fastify 5 deprecations', () => {
  it("are never raised by the admin, in a host set up as docs/admin.md shows or standalone: registering, and serving the API, a refusal, the page, the API reference and /metrics", async () => {
    // Fastify raises its deprecations (FSTDEP…) as process warnings: a user would see each on stderr.
    // Node emits them on its own process object; jest gives each test file a copy with events of
    // its own, so the listener goes on the process of Node's main context.
    const nodeProcess = runInThisContext('process') as NodeJS.Process;
    const deprecations: string[] = [];
    const onWarning = (warning: Error & { code?: unknown }) => {
      if (typeof warning.code === 'string' && warning.code.startsWith('FSTDEP')) deprecations.push(`${warning.code}: ${warning.message}`);
    };
    nodeProcess.on('warning', onWarning);
    const host = Fastify({ logger: false, routerOptions: { maxParamLength: 200 }, frameworkErrors: adminFrameworkErrors({ prefix: '/admin' }) });
    let server: Awaited<ReturnType<typeof startAdminServer>> | undefined;
    try {
      await host.register(hookworkAdmin, { prefix: '/admin', app: fixture.app, auth: { token: TOKEN }, page: true, apiReference: true, metrics: true });
      await host.listen({ port: 0, host: '127.0.0.1' });
      server = await startAdminServer(fixture.app, { print: false, token: TOKEN, page: true, apiReference: true, metrics: true });
      const statuses: number[] = [];
      for (const base of [`http://127.0.0.1:${(host.server.address() as { port: number }).port}/admin/`, server.url]) {
        const call = socketCaller(base.replace(/\/$/, ''));
        for (const [method, url, body] of [
          ['GET', '/api/v1/webhook'],
          ['POST', '/api/v1/webhook', { url: 'not a url', events: [] }],
          ['GET', '/api/v1/openapi.json'],
          ['GET', '/'],
          ['GET', '/assets/admin.js'],
          ['GET', '/api/reference/'],
          ['GET', '/metrics'],
          ['GET', `/api/v1/webhook/${'k'.repeat(300)}`],
        ] as const) {
          statuses.push((await call({ method, url, ...(body !== undefined ? { body } : {}) })).status);
        }
      }
      expect(statuses).toEqual([200, 400, 200, 200, 200, 200, 200, 400, 200, 400, 200, 200, 200, 200, 200, 400]);
      // The listener hears the process's warnings: one raised here as Fastify raises its own (Fastify
      // raises each deprecation once per process, so its own cannot be provoked again here).
      nodeProcess.emitWarning('a warning this test raises to see that it is heard', { code: 'FSTDEP_TEST_CONTROL' });
      // A warning is emitted on the next tick after the call that raised it.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      nodeProcess.off('warning', onWarning);
      await server?.close();
      await host.close();
    }
    expect(deprecations).toEqual(['FSTDEP_TEST_CONTROL: a warning this test raises to see that it is heard']);
  });
});

describe('answers', () => {
  it('never leave holding a field their schema does not name', () => {
    const serialize = adminCompilers().serializerCompiler({ schema: webhookViewSchema, method: 'GET', url: '/webhook/:id', httpStatus: '200' });
    const view = { key: 'k', url: 'u', events: [], contentTypeKeys: [], headers: {}, sensitiveHeaders: [], enabled: true, format: { type: 'json' }, secrets: [], createdAt: new Date(), updatedAt: new Date(), unknownEvents: [] };
    expect(JSON.parse(serialize(view))).toMatchObject({ key: 'k', createdAt: view.createdAt.toISOString() });
    expect(() => serialize({ ...view, secrets: [{ id: 'i', hint: '…abcd', createdAt: new Date(), secret: 'whsec_leak' }] })).toThrow(/HOOKWORK_ERR_ADMIN_INTERNAL: the answer of GET \/webhook\/:id \(200\) does not match its schema/);
  });
});

describe('options at the boundary', () => {
  const refused = (options: unknown, ...fragments: string[]) =>
    expect(startAdminServer(fixture.app, options as never)).rejects.toMatchObject({ code: 'HOOKWORK_ERR_ADMIN_INVALID_OPTIONS', message: expect.stringMatching(new RegExp(fragments.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*'))) });

  it('startAdminServer refuses an option it does not take, naming it and the fix, before anything listens', async () => {
    // The plugin's auth: { token } is the habit; ignoring it would serve with a generated token instead.
    await refused({ auth: { token: 'a-given-token-of-enough-length' } }, 'auth is not an option', 'startAdminServer(app, { token })');
    await refused({ prot: 3300 }, 'prot is not an option', 'did you mean port?');
    await refused({ Host: '127.0.0.1' }, 'Host is not an option', 'did you mean host?');
    await refused({ tls: {} }, 'tls is not an option', 'https: { key, cert }');
    await refused({ nothingLikeIt: 1 }, 'nothingLikeIt is not an option', 'the options are port, host, token');
    await refused('3300', 'options must be an object');
  });

  // It said "hookworkAdmin needs { app }", the plugin's name and shape, whatever was given first.
  it('startAdminServer refuses what is not an app as its first argument, in its own terms', async () => {
    await expect(startAdminServer(undefined as never)).rejects.toThrow('HOOKWORK_ERR_ADMIN_INVALID_OPTIONS: startAdminServer(app, options) takes the app createHookwork() returned first; got undefined');
    await expect(startAdminServer({ app: fixture.app, port: 0 } as never)).rejects.toThrow(
      'HOOKWORK_ERR_ADMIN_INVALID_OPTIONS: startAdminServer(app, options) takes the app createHookwork() returned first, and was given options there: startAdminServer(app, { port })',
    );
  });

  it('startAdminServer refuses an option of the wrong kind, naming it and what it must be', async () => {
    await refused({ port: '3300' }, 'port must be a whole number from 0 to 65535', 'got "3300"');
    await refused({ port: 70_000 }, 'port must be a whole number');
    await refused({ host: 'http://127.0.0.1' }, 'host must be an address such as 127.0.0.1');
    await refused({ token: 42 }, 'token must be a string');
    // A short token is named as startAdminServer's own `token` (not the plugin's auth.token), and not echoed.
    await refused({ token: 'short' }, 'startAdminServer: token must be at least 16 visible ASCII characters', 'got a string of 5 characters');
    await expect(startAdminServer(fixture.app, { token: 'short' })).rejects.toThrow(/^(?!.*auth\.token)(?!.*"short").*$/s);
    await refused({ token: 'a token with spaces in it' }, 'token must be at least 16 visible ASCII characters (no spaces)', 'with whitespace');
    // fetch() refuses to send "€" in a header, and curl's UTF-8 bytes never matched: a token no one could sign in with.
    await refused({ token: 'geheim-€-passwort-1234' }, 'token must be at least 16 visible ASCII characters', 'with a character that is not visible ASCII (a header cannot carry it)');
    await expect(startAdminServer(fixture.app, { token: 'geheim-€-passwort-1234' })).rejects.toThrow(/^(?!.*passwort).*$/s);
    await refused({ prefix: 'admin' }, 'prefix must be a path starting with /');
    // '/admin/*' threw inside Fastify's boot, outside any promise, and ended the process.
    for (const prefix of ['/admin/*', '/admin/:id', '/%zz', '//', '/a b', '/admin?x', '/ädmin']) await refused({ prefix }, 'prefix must be a path starting with / such as /admin or /ops/webhooks: letters, digits and - . _ ~ between single slashes');
    await refused({ https: { key: 'k' } }, 'https must be { key, cert }');
    await refused({ print: true }, 'print must be a function (line) => void, or false');
    await refused({ logger: console.log }, 'logger must be a Logger');
    await refused({ page: 'no' }, 'page must be true or false');
    await refused({ metrics: 'yes' }, "metrics must be true (served, authenticated), 'public'");
    // A token is never echoed back in a message.
    await expect(startAdminServer(fixture.app, { token: ['a-list-of-one-token-here'] } as never)).rejects.toThrow(/token must be a string .*; got an array$/);
  });

  // Read as given, again after the check: a getter that threw escaped bare, and one answering differently was checked as one value and used as another.
  it('reads the options once: a getter or Proxy trap that throws is refused naming it, and what is checked is what is used', async () => {
    const sealed = () => {
      throw new Error('vault sealed');
    };
    await refused({ get token(): string { return sealed(); } }, 'startAdminServer: token could not be read: its getter threw (vault sealed)');
    const host = Fastify();
    await expect(host.register(hookworkAdmin, { prefix: '/admin', app: fixture.app, auth: { get token(): string { return sealed(); } } }).ready()).rejects.toMatchObject({ code: 'HOOKWORK_ERR_ADMIN_INVALID_OPTIONS', message: expect.stringContaining('hookworkAdmin auth: token could not be read: its getter threw (vault sealed)') });
    await host.close();
    expect(() => adminFrameworkErrors(new Proxy({ prefix: '/admin' }, { ownKeys: sealed }))).toThrow(expect.objectContaining({ code: 'HOOKWORK_ERR_ADMIN_INVALID_OPTIONS', message: expect.stringContaining('adminFrameworkErrors: options could not be read: listing its keys threw (vault sealed)') }));
    // Checked as the loopback address, then read again as every interface: served there without the token it would need.
    let reads = 0;
    const server = await startAdminServer(fixture.app, { print: false, ...apiOnly, get host() { return reads++ === 0 ? '127.0.0.1' : '0.0.0.0'; } });
    try {
      expect([new URL(server.url).hostname, reads]).toEqual(['127.0.0.1', 1]);
    } finally {
      await server.close();
    }
  });

  it('hookworkAdmin refuses an option it does not take, naming where it goes', async () => {
    for (const [options, fragment] of [
      [{ token: 'x'.repeat(20) }, 'token is not an option (the token goes in auth: { token })'],
      [{ auth: { token: 'x'.repeat(20) }, port: 3300 }, 'port is not an option (the plugin is served where your Fastify app listens'],
      [{ auth: { tokens: ['x'.repeat(20)] } }, 'hookworkAdmin auth: tokens is not an option (token takes one token or a list'],
      [{ auth: { token: 'x'.repeat(20) }, metrics: 'on' }, 'metrics must be true'],
      [{ auth: { token: 'x'.repeat(20) }, titel: 'x' }, 'did you mean title?'],
      [{ auth: { token: ['x'.repeat(20), 'geheim-€-passwort-1234'] } }, 'auth.token must be a string of at least 16 visible ASCII characters (no spaces)'],
    ] as const) {
      const host = Fastify();
      await expect(host.register(hookworkAdmin, { prefix: '/admin', app: fixture.app, ...(options as object) } as never).ready()).rejects.toMatchObject({ code: 'HOOKWORK_ERR_ADMIN_INVALID_OPTIONS', message: expect.stringContaining(fragment) });
      await host.close();
    }
  });

  it('maps a port in use and an address not of this machine to coded errors naming host:port', async () => {
    const first = await startAdminServer(fixture.app, { print: false, ...apiOnly });
    try {
      const port = Number(new URL(first.url).port);
      await expect(startAdminServer(fixture.app, { port, print: false, ...apiOnly })).rejects.toMatchObject({
        code: 'HOOKWORK_ERR_ADMIN_ADDRESS_IN_USE',
        message: expect.stringContaining(`cannot listen on 127.0.0.1:${port}: another process is listening there`),
      });
      // The first server is untouched.
      expect((await socketCaller(first.url.replace(/\/$/, ''))({ method: 'GET', url: '/api/v1/session', token: first.token! })).status).toBe(200);
    } finally {
      await first.close();
    }
    // 192.0.2.10 (TEST-NET-1) is no address of this machine.
    await expect(startAdminServer(fixture.app, { host: '192.0.2.10', token: 'a-given-token-of-enough-length', print: false, ...apiOnly })).rejects.toMatchObject({
      code: 'HOOKWORK_ERR_ADMIN_LISTEN_FAILED',
      message: expect.stringContaining('cannot listen on 192.0.2.10:0: 192.0.2.10 is not an address of this machine'),
    });
  });
});

describe('a port this process may not bind', () => {
  it('is HOOKWORK_ERR_ADMIN_LISTEN_FAILED naming host:port (run without the capability to bind it, on the built package)', async () => {
    const dist = join(__dirname, '..', 'dist', 'index.js');
    if (!existsSync(dist)) throw new Error(`this test runs the built package (${dist}): run  npm run build`);
    const port = 1;
    const unprivilegedFrom = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
    if (unprivilegedFrom <= port) throw new Error(`this machine lets anyone bind port ${port} (net.ipv4.ip_unprivileged_port_start = ${unprivilegedFrom}), so EACCES cannot be shown`);
    // Root may bind any port: run it without the one capability that allows it (setpriv drops
    // CAP_NET_BIND_SERVICE from the bounding and inheritable sets). It stays root otherwise, so it
    // can read the checkout wherever it is (a fresh clone under a private temp folder, say).
    const asUser = process.getuid?.() === 0 ? ['setpriv', '--bounding-set', '-net_bind_service', '--inh-caps', '-net_bind_service', process.execPath] : [process.execPath];
    const script = `
      const admin = require(${JSON.stringify(dist)});
      const core = require(require.resolve('@hookwork/core', { paths: [${JSON.stringify(dirname(dist))}] }));
      (async () => {
        const app = core.createHookwork({ storage: core.memoryStorage(), logger: core.silentLogger });
        await app.start();
        try {
          await admin.startAdminServer(app, { port: ${port}, print: false, page: false, apiReference: false });
          console.log(JSON.stringify({ listened: true }));
        } catch (error) {
          console.log(JSON.stringify({ code: error.code, message: error.message }));
        } finally {
          await app.stop();
        }
      })();`;
    const { stdout } = await execFileAsync(asUser[0]!, [...asUser.slice(1), '-e', script], { cwd: tmpdir(), timeout: 60_000 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({
      code: 'HOOKWORK_ERR_ADMIN_LISTEN_FAILED',
      message: expect.stringContaining(`cannot listen on 127.0.0.1:${port}: this process may not bind that port (EACCES; ports below 1024 need privileges)`),
    });
  });
});

describe('/metrics', () => {
  it("serves each app's own registry, behind the token; two apps in one process never mix", async () => {
    const other = createHookwork({ composers: [cmsComposer()], storage: memoryStorage(), settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] } } });
    await other.start();
    const first = await startAdminServer(fixture.app, { print: false, ...apiOnly });
    const second = await startAdminServer(other, { print: false, ...apiOnly });
    try {
      await fixture.app.webhooks.create({ key: 'orders', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] });
      await publish(fixture.app, 'm-1');
      await publish(fixture.app, 'm-2');
      await fixture.app.drain();

      const scrape = async (server: typeof first, token: string | null = server.token!) => {
        const response = await fetch(`${server.url}metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
        return { status: response.status, type: response.headers.get('content-type'), cache: response.headers.get('cache-control'), text: await response.text() };
      };
      const mine = await scrape(first);
      expect(mine.status).toBe(200);
      expect(mine.type).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(mine.cache).toBe('no-store');
      const samples = parseSamples(mine.text);
      expect(samples.get('hookwork_attempts_total{outcome="delivered",status_class="2xx"}')).toBe(2);
      expect(samples.get('hookwork_requests_enqueued_total')).toBe(2);
      expect(samples.get('hookwork_delivery_latency_seconds_count')).toBe(2);
      expect(samples.get('hookwork_queue_requests{state="pending"}')).toBe(0);

      const theirs = parseSamples((await scrape(second)).text);
      expect(theirs.get('hookwork_requests_enqueued_total')).toBe(0);
      expect([...theirs.keys()].some((name) => name.startsWith('hookwork_attempts_total{'))).toBe(false);

      // Behind the same authentication as the API: problem details without the token or with another app's.
      const without = await scrape(first, null);
      expect([without.status, JSON.parse(without.text).code]).toEqual([401, 'HOOKWORK_ERR_ADMIN_UNAUTHORIZED']);
      expect((await scrape(first, second.token!)).status).toBe(401);
    } finally {
      await first.close();
      await second.close();
      await other.stop();
    }
  });

  // A store that failed while a scrape read it answered 500: Prometheus saw the target down, and
  // lost the counters with the gauges.
  it('answers 200 with the counters while the store fails, without the gauges read from it, counting their failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookwork-admin-metrics-'));
    const file = join(dir, 'hookwork.db');
    const app = createHookwork({ composers: [cmsComposer()], logger: silentLogger, storage: sqliteStorage({ file }), settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] } } });
    await app.start();
    const server = await startAdminServer(app, { print: false, ...apiOnly });
    try {
      await app.webhooks.create({ url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] });
      await publish(app, 'm-1');
      await app.drain();
      // Another program renames the tables under the running app.
      const other = new Database(file);
      other.exec('ALTER TABLE hookwork_requests RENAME TO hookwork_requests_away; ALTER TABLE hookwork_webhook_health RENAME TO hookwork_webhook_health_away');
      other.close();
      const response = await fetch(`${server.url}metrics`, { headers: { authorization: `Bearer ${server.token!}` } });
      const text = await response.text();
      expect(response.status).toBe(200);
      const samples = parseSamples(text);
      expect(samples.get('hookwork_attempts_total{outcome="delivered",status_class="2xx"}')).toBe(1);
      expect(samples.get('hookwork_requests_enqueued_total')).toBe(1);
      expect([...samples.keys()].filter((name) => /^hookwork_(queue|breaker)_/.test(name))).toEqual([]);
      expect(samples.get('hookwork_metrics_collect_errors_total{gauge="queue_requests"}')).toBe(1);
      expect(samples.get('hookwork_metrics_collect_errors_total{gauge="breaker_state"}')).toBe(1);
    } finally {
      await server.close();
      await app.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is served without authentication with metrics: 'public', and not at all with metrics: false", async () => {
    const open = await startAdminServer(fixture.app, { print: false, metrics: 'public', ...apiOnly });
    const off = await startAdminServer(fixture.app, { print: false, metrics: false, ...apiOnly });
    try {
      const response = await fetch(`${open.url}metrics`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('# TYPE hookwork_attempts_total counter');
      // The API stays authenticated. (Every body is read: one left unread holds its socket open.)
      const api = await fetch(`${open.url}api/v1/webhook`);
      expect([api.status, ((await api.json()) as { code: string }).code]).toEqual([401, 'HOOKWORK_ERR_ADMIN_UNAUTHORIZED']);
      const none = await fetch(`${off.url}metrics`, { headers: { authorization: `Bearer ${off.token!}` } });
      expect([none.status, ((await none.json()) as { code: string }).code]).toEqual([404, 'HOOKWORK_ERR_ADMIN_NOT_FOUND']);
    } finally {
      await open.close();
      await off.close();
    }
  });
});

/** The samples of a Prometheus text exposition: `name{labels}` → value (comments skipped). */
function parseSamples(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}
