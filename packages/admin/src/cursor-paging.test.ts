import { API, publish, startAdminFixture, type AdminFixture, type Answer } from './test-support/admin-fixture';

jest.setTimeout(60_000);

let fixture: AdminFixture;
beforeEach(async () => {
  fixture = await startAdminFixture();
  // Every attempt fails at once and is given up on (the fixture retries once): each publish is two log entries and one dead letter.
  fixture.receiver.handler = (_r, res) => void res.writeHead(503).end('down');
  fixture.app.updateSettings({ breaker: { enabled: false }, autoDisable: { enabled: false, after: 1000 } });
});
afterEach(async () => {
  await fixture.close();
});

const expectProblem = (answer: Answer, status: number, code: string) => {
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(answer.json).toMatchObject({ status, code });
};

type Item = { key?: string; id?: string; webhookKey?: string };

/** Every page of a route by `next`, with `between` run after each page. */
async function walk(route: string, between: (page: number) => Promise<void> = async () => {}): Promise<Item[]> {
  const items: Item[] = [];
  let after: string | undefined;
  for (let page = 1; page < 100; page++) {
    const separator = route.includes('?') ? '&' : '?';
    const answer = await fixture.inject({ method: 'GET', url: `${API}/${route}${after ? `${separator}after=${encodeURIComponent(after)}` : ''}` });
    expect(answer.status).toBe(200);
    items.push(...(answer.json.items as Item[]));
    if (answer.json.next === undefined) return items;
    after = answer.json.next as string;
    await between(page);
  }
  throw new Error('the walk did not end');
}

describe('the admin API pages the log and the dead letters by cursor (SQLite file)', () => {
  async function failing(count: number, prefix: string) {
    for (let i = 0; i < count; i++) await publish(fixture.app, `${prefix}-${i}`);
    await fixture.app.drain();
  }

  it('walks GET webhook/logs, webhook/{id}/logs and dead-letter each item once while attempts are logged and dead letters redelivered between pages', async () => {
    const { key } = (await fixture.inject({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] } })).json;
    await failing(4, 'first');
    const logged = (await fixture.app.logs({ limit: 1000 })).items.map((e) => e.key);
    expect(logged).toHaveLength(8);

    // One more publish (two attempts) after each page: skip would list the last two of each page again.
    const all = await walk('webhook/logs?take=3', () => failing(1, 'between'));
    expect(all.map((e) => e.key)).toEqual(logged);
    const deadLogged = (await fixture.app.logs(key, { limit: 1000 })).items.filter((e) => e.outcome === 'dead').map((e) => e.key);
    const mine = await walk(`webhook/${key}/logs?take=3&outcome=dead`, () => failing(1, 'more'));
    expect(mine.map((e) => e.key)).toEqual(deadLogged);

    // The first dead letter redelivered (held back: it stays queued) after page 1: skip would miss one.
    const dead = (await fixture.app.deadLetters({ limit: 1000 })).items.map((r) => r.id);
    const walked = await walk('dead-letter?take=2', async (page) => {
      if (page !== 1) return;
      fixture.app.updateSettings({ enabled: false });
      expect((await fixture.inject({ method: 'POST', url: `${API}/dead-letter/${dead[0]}/redeliver` })).json).toEqual({ redelivered: 1, skipped: 0 });
    });
    expect(walked.map((r) => r.id)).toEqual(dead);
    fixture.app.updateSettings({ enabled: true });
  });

  it('refuses skip with after, and an after that is no cursor of that route\'s listing, with a 400 naming after; the OpenAPI document says so', async () => {
    await fixture.inject({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] } });
    await failing(2, 'x');
    const logNext = (await fixture.inject({ method: 'GET', url: `${API}/webhook/logs?take=1` })).json.next as string;
    const deadNext = (await fixture.inject({ method: 'GET', url: `${API}/dead-letter?take=1` })).json.next as string;
    expect(logNext).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(deadNext).toMatch(/^[A-Za-z0-9_-]+$/);

    const both = await fixture.inject({ method: 'GET', url: `${API}/webhook/logs?skip=0&after=${logNext}` });
    expectProblem(both, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
    expect(both.json.detail).toMatch(/skip and after were both given/);
    expectProblem(await fixture.inject({ method: 'GET', url: `${API}/dead-letter?skip=1&after=${deadNext}` }), 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
    for (const [url, message] of [
      [`webhook/logs?after=${deadNext}`, /is a cursor of the dead letters, not of the delivery log/],
      [`dead-letter?after=${logNext}`, /is a cursor of the delivery log, not of the dead letters/],
      ['dead-letter?after=garbage', /does not decode to a cursor/],
      [`webhook/logs?after=${Buffer.from(JSON.stringify({ v: 1, l: 'log', at: 1, t: '1; DROP TABLE x' })).toString('base64url')}`, /no sequence number of this log/],
    ] as const) {
      const refused = await fixture.inject({ method: 'GET', url: `${API}/${url}` });
      expectProblem(refused, 400, 'HOOKWORK_ERR_INVALID_CURSOR');
      expect(refused.json.detail).toMatch(message);
      expect(refused.json.detail).toMatch(/pass the next of the page before/);
    }
    // The last page has no next; an offset page answers one too.
    expect((await fixture.inject({ method: 'GET', url: `${API}/dead-letter?take=2` })).json.next).toBeUndefined();
    expect((await fixture.inject({ method: 'GET', url: `${API}/webhook/logs?skip=1&take=1` })).json.next).toEqual(expect.any(String));

    const doc = (await fixture.inject({ method: 'GET', url: `${API}/openapi.json` })).json;
    for (const path of ['/webhook/logs', '/webhook/{id}/logs', '/dead-letter']) {
      const parameters = doc.paths[`${API}${path}`].get.parameters as { name: string; schema: { default?: unknown } }[];
      expect([path, parameters.find((p) => p.name === 'after')?.schema]).toEqual([path, expect.objectContaining({ type: 'string' })]);
      expect(parameters.find((p) => p.name === 'skip')?.schema.default).toBeUndefined();
      const page = doc.paths[`${API}${path}`].get.responses['200'].content['application/json'].schema;
      expect(JSON.stringify(page)).toContain('"next"');
    }
  });
});

describe('the admin API pages GET webhook by cursor, in creation order (SQLite file)', () => {
  const create = async () => (await fixture.inject({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] } })).json.key as string;

  it('walks GET webhook and GET webhook/health by after, each webhook that exists throughout once, while webhooks are deleted and created between pages', async () => {
    const keys: string[] = [];
    for (let i = 0; i < 7; i++) keys.push(await create());
    for (const route of ['webhook', 'webhook/health']) {
      const created: string[] = [];
      const walked = await walk(`${route}?take=3`, async () => {
        // The oldest webhook (listed already) deleted, one created: skip would start the next page
        // one later, and that webhook, there throughout, would never be listed.
        const oldest = (await fixture.inject({ method: 'GET', url: `${API}/webhook?take=1` })).json.items[0].key as string;
        expect((await fixture.inject({ method: 'DELETE', url: `${API}/webhook/${oldest}` })).status).toBe(200);
        created.push(await create());
      });
      const listed = walked.map((w) => w.key ?? w.webhookKey);
      expect([route, new Set(listed).size]).toEqual([route, listed.length]);
      expect([route, listed]).toEqual([route, [...keys, ...created]]);
      // The next route walks the webhooks as they now are.
      keys.splice(0, keys.length, ...(await fixture.app.webhooks.list({ limit: 1000 })).items.map((w) => w.key));
    }
  });

  it('refuses skip with after, and an after that is no cursor of the webhooks, with a 400 naming after; the OpenAPI document says so', async () => {
    for (let i = 0; i < 3; i++) await create();
    const hookNext = (await fixture.inject({ method: 'GET', url: `${API}/webhook?take=1` })).json.next as string;
    expect(hookNext).toMatch(/^[A-Za-z0-9_-]+$/);
    const both = await fixture.inject({ method: 'GET', url: `${API}/webhook?skip=0&after=${hookNext}` });
    expectProblem(both, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
    expect(both.json.detail).toMatch(/skip and after were both given/);
    expectProblem(await fixture.inject({ method: 'GET', url: `${API}/webhook/health?skip=1&after=${hookNext}` }), 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
    const logCursor = Buffer.from(JSON.stringify({ v: 1, l: 'log', at: 1, t: '1' })).toString('base64url');
    for (const [url, message] of [
      [`webhook?after=${logCursor}`, /is a cursor of the delivery log, not of the webhooks/],
      [`webhook/health?after=${logCursor}`, /is a cursor of the delivery log, not of the webhooks/],
      [`webhook/logs?after=${hookNext}`, /is a cursor of the webhooks, not of the delivery log/],
      [`dead-letter?after=${hookNext}`, /is a cursor of the webhooks, not of the dead letters/],
      ['webhook?after=garbage', /does not decode to a cursor/],
      [`webhook?after=${Buffer.from(JSON.stringify({ v: 1, l: 'hook', at: 1, t: '1; DROP TABLE x' })).toString('base64url')}`, /no sequence number of these webhooks/],
    ] as const) {
      const refused = await fixture.inject({ method: 'GET', url: `${API}/${url}` });
      expectProblem(refused, 400, 'HOOKWORK_ERR_INVALID_CURSOR');
      expect([url, refused.json.detail]).toEqual([url, expect.stringMatching(message)]);
      expect(refused.json.detail).toMatch(/pass the next of the page before/);
      // The title is the code's, in the routes' terms: true of the webhooks (oldest first) as of the log.
      expect([url, refused.json.title]).toEqual([url, expect.stringContaining('(GET webhook, GET webhook/logs, GET webhook/{id}/logs, GET dead-letter)')]);
      expect(refused.json.title).not.toMatch(/newest-first/);
    }
    // Umbraco's skip/take go on working, and answer next too; the last page has none.
    const bySkip = await fixture.inject({ method: 'GET', url: `${API}/webhook?skip=1&take=1` });
    expect([bySkip.json.items.length, bySkip.json.total, bySkip.json.next]).toEqual([1, 3, expect.any(String)]);
    expect((await fixture.inject({ method: 'GET', url: `${API}/webhook?take=3` })).json.next).toBeUndefined();

    const doc = (await fixture.inject({ method: 'GET', url: `${API}/openapi.json` })).json;
    for (const path of ['/webhook', '/webhook/health']) {
      const parameters = doc.paths[`${API}${path}`].get.parameters as { name: string; schema: { default?: unknown } }[];
      expect([path, parameters.find((p) => p.name === 'after')?.schema]).toEqual([path, expect.objectContaining({ type: 'string' })]);
      expect(parameters.find((p) => p.name === 'skip')?.schema.default).toBeUndefined();
      const page = doc.paths[`${API}${path}`].get.responses['200'].content['application/json'].schema;
      expect(JSON.stringify(page)).toContain('"next"');
    }
  });
});
