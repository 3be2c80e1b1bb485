import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Fastify, { type RouteOptions } from 'fastify';
import { hookworkAdmin } from './admin-plugin';
import { PREFIX, TOKEN, startAdminFixture, type AdminFixture } from './test-support/admin-fixture';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Every schema object of a route (its parts, and each response status's), as Fastify hands them to the compilers. */
function schemaObjects(route: RouteOptions): object[] {
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  const parts = Object.entries(schema).filter(([part]) => part !== 'response').map(([, value]) => value);
  return [...parts, ...Object.values((schema.response ?? {}) as Record<string, unknown>)].filter((value): value is object => value !== null && typeof value === 'object');
}

/** Registers the admin plugin on a Fastify of its own, makes it ready, closes it; returns the schema objects its routes had. */
async function registerAndClose(fixture: AdminFixture): Promise<object[]> {
  const fastify = Fastify({ logger: false, routerOptions: { maxParamLength: 200 } });
  const seen: object[] = [];
  fastify.addHook('onRoute', (route) => void seen.push(...schemaObjects(route)));
  await fastify.register(hookworkAdmin, { prefix: PREFIX, app: fixture.app, auth: { token: TOKEN }, page: false, apiReference: false });
  await fastify.ready();
  expect((await fastify.inject({ url: `${PREFIX}/api/v1/webhook?take=5`, headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
  await fastify.close();
  return seen;
}

describe('a closed admin plugin', () => {
  let fixture: AdminFixture;
  beforeAll(async () => {
    fixture = await startAdminFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  it('leaves nothing of its routes behind in the process, so a host can make and close admins over and over', async () => {
    const first = (await registerAndClose(fixture)).map((schema) => new WeakRef(schema));
    // What the next registration uses too is module-level and stays; everything else was the first's own.
    const shared = new Set(await registerAndClose(fixture));
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      collectGarbage();
    }
    const kept = first.map((ref) => ref.deref()).filter((schema): schema is object => schema !== undefined && !shared.has(schema));
    // With ajv instances shared by the whole process, each registration left its compiled query,
    // path and response validators behind (about 0.7 MB), held by the schema objects here.
    expect(kept.map((schema) => JSON.stringify(schema).slice(0, 80))).toEqual([]);
  });
});
