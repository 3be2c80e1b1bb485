import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cmsComposer, ContentPublishedNotification, type CmsContent } from '@hookwork/cms';
import { createHookwork, type AuditRecord, type Hookwork } from '@hookwork/core';
import { startTestReceiver, type TestReceiver } from '@hookwork/core/testing';
import { sqliteStorage } from '@hookwork/sqlite';
import Fastify, { type FastifyInstance } from 'fastify';
import { hookworkAdmin, type HookworkAdminOptions } from '../admin-plugin';

/** The token the fixtures authenticate with. */
export const TOKEN = 'test-token-0123456789abcdef';
export const PREFIX = '/admin';
export const API = `${PREFIX}/api/v1`;

/** An answer, whichever way it travelled. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed JSON answer, read field by field in assertions
  json: any;
}

/** One request to the admin API; `token: null` sends none. */
export interface Call {
  method: string;
  url: string;
  body?: unknown;
  token?: string | null;
  headers?: Record<string, string>;
}

export type Caller = (call: Call) => Promise<Answer>;

const headersOf = (call: Call): Record<string, string> => ({
  ...(call.token === null ? {} : { authorization: `Bearer ${call.token ?? TOKEN}` }),
  ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
  ...call.headers,
});
const parse = (text: string) => {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
};

/** Through Fastify's inject(): no socket. */
export const injectCaller =
  (fastify: FastifyInstance): Caller =>
  async (call) => {
    const response = await fastify.inject({ method: call.method as 'GET', url: call.url, headers: headersOf(call), ...(call.body !== undefined ? { payload: typeof call.body === 'string' ? call.body : JSON.stringify(call.body) } : {}) });
    return { status: response.statusCode, headers: response.headers as Answer['headers'], text: response.body, json: parse(response.body) };
  };

/** Over a real socket to the listening server. */
export const socketCaller =
  (origin: string): Caller =>
  async (call) => {
    const response = await fetch(`${origin}${call.url}`, { method: call.method, headers: headersOf(call), ...(call.body !== undefined ? { body: typeof call.body === 'string' ? call.body : JSON.stringify(call.body) } : {}) });
    const text = await response.text();
    return { status: response.status, headers: Object.fromEntries(response.headers.entries()), text, json: parse(text) };
  };

/** A page of CMS content of the given content type, for publishing. */
export const blogPost = (key: string, name = 'Hello'): CmsContent => ({
  key,
  name,
  contentType: { key: 'a1f3c1de-0000-4000-8000-000000000001', alias: 'blogPost' },
  createDate: '2026-11-20T09:12:44.1234567',
  updateDate: '2026-11-22T08:30:00.0000000',
  publishDate: '2026-11-22T08:30:00.0000000',
  cultures: {},
  route: { path: `/blog/${key}/`, startItem: { id: 'c1922956-7855-4fa0-8f2c-7af149a92135', path: 'home' } },
  properties: { title: name },
});

export const publish = (app: Hookwork, key: string) => app.publish(new ContentPublishedNotification({ publishedEntities: [blogPost(key)] }));

/** A real app on SQLite in a temp folder, a real receiver, and the admin plugin in a Fastify app listening on 127.0.0.1. */
export interface AdminFixture {
  app: Hookwork;
  receiver: TestReceiver;
  fastify: FastifyInstance;
  origin: string;
  audits: AuditRecord[];
  /** The app's SQLite file: another handle on it plays another process sharing the store. */
  file: string;
  inject: Caller;
  socket: Caller;
  close(): Promise<void>;
}

export async function startAdminFixture(options: Partial<HookworkAdminOptions> = {}): Promise<AdminFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'hookwork-admin-'));
  const file = join(dir, 'hookwork.db');
  const app = createHookwork({
    composers: [cmsComposer()],
    storage: sqliteStorage({ file }),
    settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, retrySchedule: [50], retryJitter: 0, maximumRetries: 1, period: 200, timeout: 3000, stopTimeout: 2000 },
  });
  await app.start();
  const audits: AuditRecord[] = [];
  app.lifecycle.on('audit', (record) => audits.push(record));
  const receiver = await startTestReceiver();
  // As docs/admin.md asks of a host: path values as long as a webhook key may be.
  const fastify = Fastify({ logger: false, routerOptions: { maxParamLength: 200 } });
  await fastify.register(hookworkAdmin, { prefix: PREFIX, app, auth: { token: TOKEN }, page: false, apiReference: false, ...options });
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  const address = fastify.server.address() as { port: number };
  const origin = `http://127.0.0.1:${address.port}`;
  return {
    app,
    receiver,
    fastify,
    origin,
    audits,
    file,
    inject: injectCaller(fastify),
    socket: socketCaller(origin),
    async close() {
      await fastify.close();
      await app.stop();
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
