import { request as httpRequest } from 'node:http';
import { consoleLogger, resolveToken, WebhookRepositoryToken, type Hookwork } from '@hookwork/core';
import { openSqliteStorage } from '@hookwork/sqlite';
import { API, PREFIX, publish, startAdminFixture, TOKEN, type AdminFixture, type Answer, type Caller } from './test-support/admin-fixture';

jest.setTimeout(60_000);

let fixture: AdminFixture;
beforeEach(async () => {
  fixture = await startAdminFixture();
});
afterEach(async () => {
  await fixture.close();
});

const expectProblem = (answer: Answer, status: number, code: string) => {
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(answer.json).toMatchObject({ type: `urn:hookwork:error:${code}`, status, code, detail: expect.stringContaining(code) });
  expect(answer.status).toBe(status);
};

/** Everything stored and queued, to show a refused request changed nothing. */
async function snapshot(app: Hookwork) {
  const webhooks = await app.webhooks.list({ limit: 1000 });
  return {
    webhooks: await Promise.all(webhooks.items.map((w) => app.webhooks.get(w.key))),
    logs: (await app.management.logs({ limit: 1000 })).items.map((e) => e.key),
    dead: (await app.management.deadLetters({ limit: 1000 })).items.map((r) => [r.id, r.state, r.attempts]),
    counts: await app.management.queueCounts(),
  };
}

const publishing = {
  url: 'will be set',
  events: ['Umbraco.ContentPublish'],
  name: 'Search index',
  contentTypeKeys: ['a1f3c1de-0000-4000-8000-000000000001'],
  headers: { Authorization: { value: 'Bearer s3cr3t-value', sensitive: true }, 'X-Tenant': 'acme' },
  secret: true,
};

describe.each([
  ['inject', (f: AdminFixture) => f.inject],
  ['a real socket', (f: AdminFixture) => f.socket],
])('the admin API through %s', (_how, callerOf) => {
  let call: Caller;
  beforeEach(() => {
    call = callerOf(fixture);
  });

  it('creates, reads, lists, updates, enables and deletes webhooks as Umbraco does, secrets shown once', async () => {
    const created = await call({ method: 'POST', url: `${API}/webhook`, body: { ...publishing, url: fixture.receiver.url } });
    expect(created.status).toBe(201);
    const key = created.json.key as string;
    expect(created.headers.location).toBe(`${API}/webhook/${key}`);
    expect(created.json.secret).toMatch(/^whsec_/);
    expect(created.json).toMatchObject({ name: 'Search index', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], headers: { Authorization: '[redacted]', 'X-Tenant': 'acme' }, enabled: true });
    expect(created.text).not.toContain('s3cr3t-value');
    expect(created.headers['cache-control']).toBe('no-store');

    const read = await call({ method: 'GET', url: created.headers.location as string });
    expect(read.status).toBe(200);
    expect(read.json.secret).toBeUndefined();
    expect(read.text).not.toContain((created.json.secret as string).slice(6));
    expect(read.text).not.toContain('s3cr3t-value');
    expect(read.json.secrets).toEqual([{ id: expect.any(String), hint: `…${(created.json.secret as string).slice(-4)}`, createdAt: expect.any(String) }]);

    await call({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.MediaSave'], key: 'second' } });
    const listed = await call({ method: 'GET', url: `${API}/webhook?skip=1&take=1` });
    expect(listed.json).toMatchObject({ total: 2, items: [{ key: 'second' }] });

    const disabled = await call({ method: 'PATCH', url: `${API}/webhook/${key}`, body: { enabled: false } });
    expect(disabled.json).toMatchObject({ enabled: false, name: 'Search index', headers: { Authorization: '[redacted]' } });
    expect((await fixture.app.webhooks.get(key))!.enabled).toBe(false);
    await call({ method: 'PATCH', url: `${API}/webhook/${key}`, body: { enabled: true } });

    // PUT replaces the whole definition, as Umbraco's update does; a redacted value sent back keeps the secret.
    const replaced = await call({ method: 'PUT', url: `${API}/webhook/${key}`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish', 'Umbraco.ContentUnpublish'], headers: { Authorization: '[redacted]' } } });
    expect(replaced.status).toBe(200);
    expect(replaced.json).toMatchObject({ events: ['Umbraco.ContentPublish', 'Umbraco.ContentUnpublish'], contentTypeKeys: [], headers: { Authorization: '[redacted]' }, enabled: true, name: '' });
    await publish(fixture.app, 'p-1');
    await fixture.app.drain();
    expect(fixture.receiver.requests.at(-1)!.headers.authorization).toBe('Bearer s3cr3t-value');

    const deleted = await call({ method: 'DELETE', url: `${API}/webhook/second` });
    expect(deleted.status).toBe(200);
    expect(deleted.text).toBe('');
    expectProblem(await call({ method: 'DELETE', url: `${API}/webhook/second` }), 404, 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND');
    expectProblem(await call({ method: 'GET', url: `${API}/webhook/second` }), 404, 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND');

    expect(fixture.audits.filter((a) => a.outcome === 'succeeded').map((a) => [a.action, a.target])).toEqual([
      ['webhook.create', key],
      ['webhook.create', 'second'],
      ['webhook.update', key],
      ['webhook.update', key],
      ['webhook.replace', key],
      ['webhook.delete', 'second'],
    ]);
    expect(fixture.audits[0]).toMatchObject({ principal: expect.stringMatching(/^token:[0-9a-f]{8}$/), status: 201, details: { fields: ['contentTypeKeys', 'events', 'headers', 'name', 'secret', 'url'], secretGenerated: true } });
    expect(JSON.stringify(fixture.audits)).not.toContain('s3cr3t-value');
  });

  it('saves an edit that sends back an alias the app no longer composes (PATCH and PUT alike), and refuses only a new one, changing nothing', async () => {
    const now = new Date();
    // Stored while the app composed a plugin's event, since removed.
    await resolveToken(fixture.app.container, WebhookRepositoryToken).create({ key: 'legacy', name: 'Legacy', url: fixture.receiver.url, events: ['Umbraco.ContentPublish', 'shop.orderPlaced'], contentTypeKeys: [], headers: {}, sensitiveHeaders: [], enabled: true, secrets: [], createdAt: now, updatedAt: now });
    const read = await call({ method: 'GET', url: `${API}/webhook/legacy` });
    expect(read.json.unknownEvents).toEqual(['shop.orderPlaced']);
    // What an edit form sends: every field, the aliases as read, under the version read.
    const patched = await call({ method: 'PATCH', url: `${API}/webhook/legacy`, body: { name: 'Legacy (renamed)', events: read.json.events }, headers: { 'if-match': read.headers.etag as string } });
    expect([patched.status, patched.json.events, patched.json.unknownEvents]).toEqual([200, ['Umbraco.ContentPublish', 'shop.orderPlaced'], ['shop.orderPlaced']]);
    const replaced = await call({ method: 'PUT', url: `${API}/webhook/legacy`, body: { url: fixture.receiver.url, events: ['shop.orderPlaced', 'Umbraco.ContentPublish'], name: 'Legacy (replaced)' } });
    expect([replaced.status, replaced.json.name, replaced.json.events]).toEqual([200, 'Legacy (replaced)', ['shop.orderPlaced', 'Umbraco.ContentPublish']]);

    const before = await snapshot(fixture.app);
    for (const method of ['PATCH', 'PUT']) {
      const refused = await call({ method, url: `${API}/webhook/legacy`, body: { url: fixture.receiver.url, events: ['shop.orderPlaced', 'shop.orderShipped'] } });
      expectProblem(refused, 400, 'HOOKWORK_ERR_INVALID_WEBHOOK');
      expect(refused.json.errors).toEqual([{ in: 'body', field: 'events', pointer: '#/events', detail: expect.stringMatching(/^unknown event alias "shop\.orderShipped"; the composed events are listed by GET webhook\/events .*the aliases this webhook already subscribes to are kept as they are/) }]);
    }
    expect(await snapshot(fixture.app)).toEqual(before);
  });

  it('answers a DELETE once the dropped log entries of its queued requests are written: the log shows them at once', async () => {
    const created = await call({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] } });
    const key = created.json.key as string;
    fixture.receiver.handler = (_r, res) => void res.writeHead(500).end('down');
    await publish(fixture.app, 'page-1');
    await publish(fixture.app, 'page-2');
    await fixture.app.drain();
    expect(await fixture.app.management.queueCounts({ webhookKey: key })).toEqual({ pending: 0, inFlight: 0, dead: 2 });
    expect((await call({ method: 'DELETE', url: `${API}/webhook/${key}` })).status).toBe(200);
    // No wait: SQLite gathers log appends for 30 ms, and the answer came after they were written.
    const logged = await call({ method: 'GET', url: `${API}/webhook/${key}/logs?outcome=dropped` });
    expect([logged.json.total, logged.json.items.map((e: { errorMessage: string }) => e.errorMessage)]).toEqual([2, ['not sent: the webhook was deleted', 'not sent: the webhook was deleted']]);
    expect(await fixture.app.management.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });

  it('lists the event catalogue in collection order, paged', async () => {
    const all = await call({ method: 'GET', url: `${API}/webhook/events` });
    expect(all.json.items.map((e: { alias: string }) => e.alias)).toEqual(fixture.app.events().map((e) => e.alias));
    expect(all.json.total).toBe(fixture.app.events().length);
    const second = await call({ method: 'GET', url: `${API}/webhook/events?skip=1&take=1` });
    expect(second.json).toEqual({ items: [expect.objectContaining({ alias: fixture.app.events()[1]!.alias, eventType: fixture.app.events()[1]!.eventType })], total: fixture.app.events().length });
  });

  it('serves the typed catalogue: an OpenAPI 3.1 document with an entry per composed event', async () => {
    const answer = await call({ method: 'GET', url: `${API}/webhook/catalogue` });
    expect(answer.status).toBe(200);
    expect(answer.json.openapi).toBe('3.1.0');
    expect(Object.keys(answer.json.webhooks)).toEqual(fixture.app.events().map((e) => e.alias));
    expect(answer.json).toEqual(JSON.parse(JSON.stringify(fixture.app.catalogueDocument())));
  });

  it('shows the delivery log of all webhooks and of one, filtered, and one delivery in full', async () => {
    fixture.receiver.handler = (_r, res) => void res.writeHead(200, { 'content-type': 'text/html', 'x-receiver': 'yes' }).end('<script>alert(1)</script>');
    const { key } = (await call({ method: 'POST', url: `${API}/webhook`, body: { ...publishing, url: fixture.receiver.url } })).json;
    await publish(fixture.app, 'p-1');
    await fixture.app.drain();

    const all = await call({ method: 'GET', url: `${API}/webhook/logs` });
    expect(all.json.total).toBe(1);
    const entry = all.json.items[0];
    expect(entry).toMatchObject({ webhookKey: key, eventAlias: 'Umbraco.ContentPublish', statusCode: 200, retryCount: 0, outcome: 'delivered' });
    expect((await call({ method: 'GET', url: `${API}/webhook/${key}/logs?outcome=delivered&eventAlias=Umbraco.ContentPublish` })).json.total).toBe(1);
    expect((await call({ method: 'GET', url: `${API}/webhook/${key}/logs?outcome=dead&outcome=retrying` })).json.total).toBe(0);
    expect((await call({ method: 'GET', url: `${API}/webhook/logs?webhookKey=${key}&requestId=${entry.requestId}` })).json.total).toBe(1);

    const detail = await call({ method: 'GET', url: `${API}/webhook/logs/${entry.key}` });
    expect(detail.json).toMatchObject({ key: entry.key, responseBody: '<script>alert(1)</script>', responseHeaders: { 'x-receiver': 'yes' } });
    expect(detail.json.requestHeaders.authorization).toBe('[redacted]');
    expect(JSON.parse(detail.json.requestBody)).toMatchObject({ id: 'p-1' });
    expect(detail.text).not.toContain('s3cr3t-value');
    expect(detail.headers['content-type']).toMatch(/^application\/json/);
    expectProblem(await call({ method: 'GET', url: `${API}/webhook/logs/no-such-entry` }), 404, 'HOOKWORK_ERR_DELIVERY_NOT_FOUND');
  });

  it('filters the delivery log by status class, repeated, with `none` for no answer', async () => {
    // One receiver, four answers by path: 200, 410, 503 and a connection cut before any status.
    fixture.receiver.handler = (req, res) => {
      const path = req.path.split('/').pop();
      if (path === 'cut') return void res.socket?.destroy();
      const status = path === 'gone' ? 410 : path === 'down' ? 503 : 200;
      res.writeHead(status).end(String(status));
    };
    const keys: Record<string, string> = {};
    for (const path of ['ok', 'gone', 'down', 'cut']) {
      keys[path] = (await call({ method: 'POST', url: `${API}/webhook`, body: { url: `${fixture.receiver.url.replace(/\/$/, '')}/${path}`, events: ['Umbraco.ContentPublish'] } })).json.key;
    }
    await publish(fixture.app, 'p-1');
    await fixture.app.drain();

    type Entry = { key: string; webhookKey: string; statusCode?: number; errorKind?: string };
    const all: Entry[] = (await call({ method: 'GET', url: `${API}/webhook/logs?take=100` })).json.items;
    const classOf = (e: Entry) => (e.statusCode === undefined ? 'none' : `${Math.floor(e.statusCode / 100)}xx`);
    const listed = async (url: string) => {
      const answer = await call({ method: 'GET', url: `${API}${url}` });
      expect(answer.status).toBe(200);
      return answer.json as { items: Entry[]; total: number };
    };
    // Each class, and a repeated parameter, lists exactly the entries of those classes, newest first.
    for (const classes of [['2xx'], ['4xx'], ['5xx'], ['none'], ['4xx', '5xx'], ['2xx', 'none'], ['1xx', '3xx']]) {
      const expected = all.filter((e) => classes.includes(classOf(e)));
      const page = await listed(`/webhook/logs?take=100&${classes.map((c) => `statusClass=${c}`).join('&')}`);
      expect([classes, page.items.map((e) => e.key)]).toEqual([classes, expected.map((e) => e.key)]);
      expect(page.total).toBe(expected.length);
    }
    expect((await listed('/webhook/logs?statusClass=2xx')).items.map((e) => e.webhookKey)).toEqual([keys.ok]);
    expect((await listed('/webhook/logs?statusClass=4xx')).items.map((e) => [e.webhookKey, e.statusCode])).toContainEqual([keys.gone, 410]);
    const none = await listed('/webhook/logs?statusClass=none');
    expect(none.total).toBeGreaterThan(0);
    expect(none.items.every((e) => e.webhookKey === keys.cut && e.statusCode === undefined && e.errorKind !== undefined)).toBe(true);
    // Per webhook, and with the other filters: all must hold.
    expect((await listed(`/webhook/${keys.down}/logs?statusClass=5xx`)).total).toBe(all.filter((e) => e.webhookKey === keys.down).length);
    expect((await listed(`/webhook/${keys.down}/logs?statusClass=2xx&statusClass=4xx&statusClass=none`)).total).toBe(0);
    expect((await listed(`/webhook/logs?statusClass=5xx&statusClass=none&outcome=dead`)).items.map((e) => e.webhookKey).sort()).toEqual([keys.down, keys.cut].sort());
    // A class that is not one: a problem naming the field and the values allowed, on both routes.
    for (const url of ['/webhook/logs?statusClass=2xx&statusClass=6xx', `/webhook/${keys.ok}/logs?statusClass=4XX`]) {
      const answer = await call({ method: 'GET', url: `${API}${url}` });
      expectProblem(answer, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
      expect(answer.json.errors).toEqual([expect.objectContaining({ in: 'query', field: expect.stringMatching(/^statusClass\.\d$/) })]);
      expect(answer.json.detail).toMatch(/statusClass.*"1xx", "2xx", "3xx", "4xx", "5xx", "none"/);
    }
  });

  it('lists dead letters and redelivers one, a webhook\'s, those dead since a time, and all', async () => {
    fixture.receiver.handler = (_r, res) => void res.writeHead(503).end('down');
    const { key } = (await call({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] } })).json;
    for (const id of ['d-1', 'd-2', 'd-3', 'd-4']) await publish(fixture.app, id);
    await fixture.app.drain();
    const dead = await call({ method: 'GET', url: `${API}/dead-letter?webhookKey=${key}&take=10` });
    expect(dead.json.total).toBe(4);
    expect(dead.json.items[0]).toMatchObject({ webhookKey: key, state: 'dead', attempts: 2, deadAt: expect.any(String) });
    expect(await call({ method: 'GET', url: `${API}/queue/counts?webhookKey=${key}` }).then((a) => a.json)).toEqual({ pending: 0, inFlight: 0, dead: 4 });

    // deadSince: only those dead at or after the time, and their total, as a redelivery since then counts them.
    const deadAt = (dead.json.items as { deadAt: string }[]).map((d) => Date.parse(d.deadAt));
    const since = new Date(deadAt[2]!).toISOString();
    const sinceCount = deadAt.filter((t) => t >= deadAt[2]!).length;
    const listedSince = await call({ method: 'GET', url: `${API}/dead-letter?deadSince=${encodeURIComponent(since)}&take=1` });
    expect(listedSince.status).toBe(200);
    expect(listedSince.json).toMatchObject({ total: sinceCount, items: [{ id: dead.json.items[0].id }] });
    expect(await call({ method: 'GET', url: `${API}/dead-letter?webhookKey=${key}&deadSince=${encodeURIComponent(new Date(deadAt[0]! + 1).toISOString())}` }).then((a) => a.json)).toEqual({ items: [], total: 0 });
    for (const bad of ['yesterday', '2026-13-01T00:00:00Z', '2026-06-30T23:59:60Z', '']) {
      const refused = await call({ method: 'GET', url: `${API}/dead-letter?deadSince=${encodeURIComponent(bad)}` });
      expectProblem(refused, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
      expect(refused.json.errors).toEqual([{ in: 'query', field: 'deadSince', detail: expect.stringMatching(/ISO 8601 date-time/) }]);
    }
    // A leap second is RFC 3339 but no JavaScript time: refused naming the field, not redelivered as "every time".
    const leap = await call({ method: 'POST', url: `${API}/dead-letter/redeliver`, body: { deadSince: '2026-06-30T23:59:60Z' } });
    expectProblem(leap, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
    expect(leap.json.errors).toEqual([{ in: 'body', field: 'deadSince', pointer: '#/deadSince', detail: expect.stringMatching(/ISO 8601 date-time/) }]);

    fixture.receiver.handler = (_r, res) => void res.writeHead(200).end('ok');
    // Held back, so the one put back is still in the queue when it is asked for again.
    fixture.app.updateSettings({ enabled: false });
    const one = await call({ method: 'POST', url: `${API}/dead-letter/${dead.json.items[0].id}/redeliver` });
    expect(one.json).toEqual({ redelivered: 1, skipped: 0 });
    // Again (another tab, the log entry of its dead attempt): a 409 saying it is queued, not 200 { redelivered: 0 }.
    const again = await call({ method: 'POST', url: `${API}/dead-letter/${dead.json.items[0].id}/redeliver` });
    expectProblem(again, 409, 'HOOKWORK_ERR_REQUEST_NOT_DEAD');
    expect(again.json.detail).toMatch(/is not a dead letter but still in the queue, waiting for its next attempt/);
    fixture.app.updateSettings({ enabled: true });
    await fixture.app.drain();
    expect((await fixture.app.management.queueCounts()).dead).toBe(3);
    expect(await call({ method: 'POST', url: `${API}/dead-letter/redeliver`, body: { deadSince: new Date(Date.now() + 60_000).toISOString() } }).then((a) => a.json)).toEqual({ redelivered: 0, skipped: 0 });
    expect(await call({ method: 'POST', url: `${API}/dead-letter/redeliver`, body: { ids: [dead.json.items[1].id] } }).then((a) => a.json)).toEqual({ redelivered: 1, skipped: 0 });
    expect(await call({ method: 'POST', url: `${API}/dead-letter/redeliver`, body: { webhookKey: key, deadSince: new Date(0).toISOString() } }).then((a) => a.json)).toEqual({ redelivered: 2, skipped: 0 });
    await fixture.app.drain();
    expect(await call({ method: 'POST', url: `${API}/dead-letter/redeliver`, body: { all: true } }).then((a) => a.json)).toEqual({ redelivered: 0, skipped: 0 });
    expect((await fixture.app.management.logs({ outcomes: ['delivered'] })).total).toBe(4);
    const unknownInPath = await call({ method: 'POST', url: `${API}/dead-letter/no-such-request/redeliver` });
    expectProblem(unknownInPath, 404, 'HOOKWORK_ERR_REQUEST_NOT_FOUND');
    // The input at fault is named where the client sent it: this route's path id.
    expect(unknownInPath.json.errors).toEqual([{ in: 'path', field: 'id', detail: expect.stringMatching(/^is "no-such-request", which no queued or dead-lettered request has .*GET dead-letter/) }]);
    expectProblem(await call({ method: 'POST', url: `${API}/dead-letter/redeliver`, body: { all: true, webhookKey: key } }), 400, 'HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR');
    expect(fixture.audits.filter((a) => a.action === 'deadLetters.redeliver').map((a) => [a.outcome, a.details?.redelivered])).toEqual([
      ['refused', undefined],
      ['succeeded', 1],
      ['refused', undefined],
      ['succeeded', 0],
      ['succeeded', 1],
      ['succeeded', 2],
      ['succeeded', 0],
      ['refused', undefined],
      ['refused', undefined],
    ]);
    // The selector forms are exactly the documented ones, and one unknown id or several answer alike.
    const live = (await fixture.app.management.deadLetters()).total;
    for (const body of [{ ids: ['no-such-request'] }, { ids: ['no-such-request', 'nor-this'] }]) {
      const refused = await call({ method: 'POST', url: `${API}/dead-letter/redeliver`, body });
      expectProblem(refused, 404, 'HOOKWORK_ERR_REQUEST_NOT_FOUND');
      expect(refused.json.detail).toContain('"no-such-request"');
      expect(refused.json.detail).toContain('GET dead-letter');
      // The body field at fault is named, as a schema refusal names its field.
      expect(refused.json.errors).toEqual([{ in: 'body', field: 'ids', pointer: '#/ids', detail: expect.stringMatching(/^holds "no-such-request".*, which no queued or dead-lettered request has .*GET dead-letter/) }]);
    }
    for (const [body, fields] of [
      [{ ids: ['x'], webhookKey: key }, ['ids', 'webhookKey']],
      [{ ids: ['x'], deadSince: new Date(0).toISOString() }, ['ids', 'deadSince']],
    ] as const) {
      const refused = await call({ method: 'POST', url: `${API}/dead-letter/redeliver`, body });
      expectProblem(refused, 400, 'HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR');
      expect(refused.json.errors.map((e: { in: string; field: string }) => `${e.in} ${e.field}`)).toEqual(fields.map((f) => `body ${f}`));
      expect(refused.json.detail).toContain('pass exactly one of { ids: [...] }, { webhookKey, deadSince?, deadUntil? }, { deadSince, deadUntil? } or { all: true, deadUntil? }');
      expect(refused.json.detail).not.toMatch(/redeliver\(\)/);
    }
    expect((await fixture.app.management.deadLetters()).total).toBe(live);
  });

  it('bounds a redelivery by deadUntil: the dead letters counted (newest deadAt as the bound) go back, those that died after the count stay', async () => {
    fixture.receiver.handler = (_r, res) => void res.writeHead(503).end('down');
    const { key } = (await call({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] } })).json;
    for (const id of ['c-1', 'c-2']) await publish(fixture.app, id);
    await fixture.app.drain();
    // The count a user confirms, and its bound: the newest dead letter's deadAt.
    const counted = (await call({ method: 'GET', url: `${API}/dead-letter?webhookKey=${key}&take=1` })).json as { total: number; items: { deadAt: string }[] };
    expect(counted.total).toBe(2);
    const deadUntil = counted.items[0]!.deadAt;
    // Two more die between the count and the confirmation.
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (const id of ['late-1', 'late-2']) await publish(fixture.app, id);
    await fixture.app.drain();
    expect((await call({ method: 'GET', url: `${API}/dead-letter?webhookKey=${key}&deadUntil=${encodeURIComponent(deadUntil)}` })).json.total).toBe(2);
    expect((await call({ method: 'GET', url: `${API}/dead-letter?webhookKey=${key}` })).json.total).toBe(4);

    fixture.receiver.handler = (_r, res) => void res.writeHead(200).end('ok');
    fixture.app.updateSettings({ enabled: false });
    // skipped counts only what the bound selects (dead letters of deleted webhooks): the late ones are not.
    expect((await call({ method: 'POST', url: `${API}/dead-letter/redeliver`, body: { all: true, deadUntil } })).json).toEqual({ redelivered: 2, skipped: 0 });
    const left = (await fixture.app.management.deadLetters({ webhookKey: key })).items;
    expect(left).toHaveLength(2);
    expect(left.every((r) => r.deadAt!.getTime() > Date.parse(deadUntil))).toBe(true);
    // A webhook's, bounded the same way: nothing dead at or before the bound is left.
    expect((await call({ method: 'POST', url: `${API}/dead-letter/redeliver`, body: { webhookKey: key, deadUntil } })).json).toEqual({ redelivered: 0, skipped: 0 });
    fixture.app.updateSettings({ enabled: true });

    // Refused at the boundary, naming the field, nothing redelivered: with ids, alone, before deadSince, not a time.
    for (const [body, field, detail] of [
      [{ ids: ['x'], deadUntil }, 'deadUntil', /ids together with deadUntil/],
      [{ deadUntil }, 'deadUntil', /every dead letter up to deadUntil is \{ all: true, deadUntil \}/],
      [{ deadSince: deadUntil, deadUntil: new Date(Date.parse(deadUntil) - 1).toISOString() }, 'deadUntil', /deadUntil .* before its deadSince/],
    ] as const) {
      const refused = await call({ method: 'POST', url: `${API}/dead-letter/redeliver`, body });
      expectProblem(refused, 400, 'HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR');
      expect(refused.json.detail).toMatch(detail);
      expect(refused.json.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    // The listing refuses the window redeliver refuses, instead of an empty page.
    const reversed = await call({ method: 'GET', url: `${API}/dead-letter?deadSince=${encodeURIComponent(deadUntil)}&deadUntil=${encodeURIComponent(new Date(Date.parse(deadUntil) - 1).toISOString())}` });
    expectProblem(reversed, 400, 'HOOKWORK_ERR_INVALID_QUERY');
    expect(reversed.json.detail).toMatch(/deadUntil .* before its deadSince .*, which lists nothing/);
    const notATime = await call({ method: 'POST', url: `${API}/dead-letter/redeliver`, body: { all: true, deadUntil: 'now' } });
    expectProblem(notATime, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
    expect(notATime.json.errors).toEqual([{ in: 'body', field: 'deadUntil', pointer: '#/deadUntil', detail: expect.stringMatching(/ISO 8601 date-time/) }]);
    expect((await fixture.app.management.deadLetters({ webhookKey: key })).total).toBe(2);
  });

  it('answers two operators redelivering one dead letter at once with one 200 that put it back and a 409 for the other, never a 200 { redelivered: 0 }', async () => {
    fixture.receiver.handler = (_r, res) => void res.writeHead(503).end('down');
    await call({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] } });
    await publish(fixture.app, 'twice');
    await fixture.app.drain();
    const [letter] = (await fixture.app.management.deadLetters()).items;
    fixture.receiver.handler = (_r, res) => void res.writeHead(200).end('ok');
    const answers = await Promise.all([0, 1, 2].map(() => call({ method: 'POST', url: `${API}/dead-letter/${letter!.id}/redeliver` })));
    expect(answers.filter((a) => a.status === 200).map((a) => a.json)).toEqual([{ redelivered: 1, skipped: 0 }]);
    for (const refused of answers.filter((a) => a.status !== 200)) expectProblem(refused, 409, 'HOOKWORK_ERR_REQUEST_NOT_DEAD');
    await fixture.app.drain();
    expect((await fixture.app.management.logs({ outcomes: ['delivered'] })).total).toBe(1);
    // Asked for once more, delivered since: the title does not say it is still in the queue.
    const late = await call({ method: 'POST', url: `${API}/dead-letter/${letter!.id}/redeliver` });
    expectProblem(late, 409, 'HOOKWORK_ERR_REQUEST_NOT_DEAD');
    expect(late.json.detail).toMatch(/no dead letter any more — redelivered already/);
    expect(late.json.title).toMatch(/redelivered already and has left the queue since/);
  });

  it("sends a test event and answers with the receiver's answer, as text", async () => {
    fixture.receiver.handler = (_r, res) => void res.writeHead(418, { 'content-type': 'text/html' }).end('<script>alert("x")</script>');
    const { key } = (await call({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish', 'Umbraco.MediaSave'] } })).json;
    const answer = await call({ method: 'POST', url: `${API}/webhook/${key}/test`, body: { alias: 'Umbraco.MediaSave' } });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ ok: false, statusCode: 418, body: '<script>alert("x")</script>', headers: { 'content-type': 'text/html' }, payload: 'example' });
    expect(fixture.receiver.requests.at(-1)!.headers['hookwork-event']).toBe('Umbraco.MediaSave');
    expect(fixture.receiver.requests.at(-1)!.headers['hookwork-test']).toBe('true');
    // No body: the webhook's first event.
    const bare = await call({ method: 'POST', url: `${API}/webhook/${key}/test` });
    expect([bare.status, bare.json.ok, bare.json.statusCode]).toEqual([200, false, 418]);
    expect(fixture.receiver.requests.at(-1)!.headers['hookwork-event']).toBe('Umbraco.ContentPublish');
    expectProblem(await call({ method: 'POST', url: `${API}/webhook/${key}/test`, body: { alias: 'Umbraco.ContentDelete' } }), 400, 'HOOKWORK_ERR_ALIAS_NOT_SUBSCRIBED');
  });

  it('takes a rotation\'s grace period as a TimeSpan string (gracePeriod), as the setting does; a bad one is a coded 400', async () => {
    const { key } = (await call({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], secret: true } })).json;
    const rotated = await call({ method: 'POST', url: `${API}/webhook/${key}/secret/rotate`, body: { gracePeriod: '00:02:00' } });
    expect(rotated.status).toBe(200);
    const [old, fresh] = rotated.json.webhook.secrets as { expiresAt?: string; createdAt: string }[];
    expect(Date.parse(old!.expiresAt!) - Date.parse(fresh!.createdAt)).toBe(120_000);
    const refused = await call({ method: 'POST', url: `${API}/webhook/${key}/secret/rotate`, body: { gracePeriod: '10' } });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ code: 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST', detail: expect.stringContaining('body gracePeriod must be a duration, and bare digits in a string are ambiguous') });
  });

  it('rotates a secret (shown once) and revokes one', async () => {
    const { key, secret } = (await call({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], secret: true } })).json;
    const rotated = await call({ method: 'POST', url: `${API}/webhook/${key}/secret/rotate`, body: { gracePeriodMs: 60_000 } });
    expect(rotated.json).toEqual({ secretId: expect.any(String), secret: expect.stringMatching(/^whsec_/), webhook: expect.objectContaining({ key }) });
    expect(rotated.json.secret).not.toBe(secret);
    const read = await call({ method: 'GET', url: `${API}/webhook/${key}` });
    const view = read.json;
    expect(view.secrets).toHaveLength(2);
    // The answer holds the webhook as it now is, and its tag: the next change needs no GET first.
    expect([rotated.json.webhook, rotated.headers.etag]).toEqual([view, read.headers.etag]);
    expect(JSON.stringify(view)).not.toContain(rotated.json.secret.slice(6));
    const old = view.secrets.find((s: { id: string }) => s.id !== rotated.json.secretId);
    const revoked = await call({ method: 'DELETE', url: `${API}/webhook/${key}/secret/${old.id}` });
    expect(revoked.json.secrets.map((s: { id: string }) => s.id)).toEqual([rotated.json.secretId]);
    expectProblem(await call({ method: 'DELETE', url: `${API}/webhook/${key}/secret/${old.id}` }), 404, 'HOOKWORK_ERR_SECRET_NOT_FOUND');
    const rotateAudit = fixture.audits.find((a) => a.action === 'webhook.secret.rotate')!;
    expect(JSON.stringify(rotateAudit)).not.toContain(rotated.json.secret.slice(6));
  });

  it('answers with a cleanup round what it dropped of a deletion cut short in another process on the store', async () => {
    const created = await call({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] } });
    const key = created.json.key as string;
    // Another process sharing the file: its deletion removed the webhook and was killed before its
    // requests (a dead letter and a retry an hour away) — as the store's own delete() leaves them.
    const other = openSqliteStorage({ file: fixture.file });
    try {
      const published = new Date(Date.now() - 60_000);
      const request = (id: string, dueAt: Date) => ({ id, webhookKey: key, eventAlias: 'Umbraco.ContentPublish', body: '{}', createdAt: published, dueAt });
      await other.queue.enqueue([request('msg_cut_dead', published)]);
      await other.queue.claim({ owner: 'other', limit: 10, leaseMs: 60_000, now: new Date() });
      await other.queue.deadLetter('msg_cut_dead', 'other', { attempts: 2, now: new Date() });
      await other.queue.enqueue([request('msg_cut_waiting', new Date(Date.now() + 3_600_000))]);
      await other.webhooks.delete(key);
    } finally {
      await other.close();
    }
    expect((await call({ method: 'GET', url: `${API}/dead-letter` })).json.total).toBe(1);

    // The answer counts them (the dead letter leaves the listing with it); it said 0 of both.
    expect((await call({ method: 'POST', url: `${API}/cleanup` })).json).toEqual({ logEntries: 0, deadLetters: 0, droppedRequests: 2 });
    expect((await call({ method: 'GET', url: `${API}/dead-letter` })).json.total).toBe(0);
    expect((await call({ method: 'GET', url: `${API}/queue/counts` })).json).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });

  it('runs a cleanup round, answers queue counts and who the caller is', async () => {
    expect((await call({ method: 'POST', url: `${API}/cleanup` })).json).toEqual({ logEntries: 0, deadLetters: 0, droppedRequests: 0 });
    expect((await call({ method: 'GET', url: `${API}/queue/counts` })).json).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    expect((await call({ method: 'GET', url: `${API}/session` })).json).toEqual({ principal: { id: expect.stringMatching(/^token:/), name: 'token holder' }, via: 'token' });
  });

  it('reads, changes and deletes a webhook whose key is as long as a key may be (200 characters)', async () => {
    const key = `k${'0123456789'.repeat(20)}`.slice(0, 200);
    const created = await call({ method: 'POST', url: `${API}/webhook`, body: { key, url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] } });
    expect(created.status).toBe(201);
    expect((await call({ method: 'GET', url: `${API}/webhook/${key}` })).json).toMatchObject({ key });
    expect((await call({ method: 'PATCH', url: `${API}/webhook/${key}`, body: { enabled: false } })).json).toMatchObject({ key, enabled: false });
    expect((await call({ method: 'GET', url: `${API}/webhook/${key}/health` })).status).toBe(200);
    expect((await call({ method: 'DELETE', url: `${API}/webhook/${key}` })).status).toBeLessThan(300);
    expect(await fixture.app.webhooks.get(key)).toBeUndefined();
  });

  it('answers an unknown route, a refused webhook and a non-JSON body with problem details', async () => {
    expectProblem(await call({ method: 'GET', url: `${API}/nothing-here` }), 404, 'HOOKWORK_ERR_ADMIN_NOT_FOUND');
    const refused = await call({ method: 'POST', url: `${API}/webhook`, body: { url: 'ftp://example.com/x', events: ['Umbraco.ContentPublish'] } });
    expectProblem(refused, 400, 'HOOKWORK_ERR_INVALID_WEBHOOK');
    expect(refused.json.errors).toEqual([{ in: 'body', field: 'url', detail: 'scheme ftp: is not allowed; use http: or https:', pointer: '#/url' }]);
    // A pattern's text is refused here as through the API: no request is ever sent under it.
    const pattern = await call({ method: 'POST', url: `${API}/webhook`, body: { url: 'https://example.com/x', events: ['Umbraco.*'] } });
    expectProblem(pattern, 400, 'HOOKWORK_ERR_INVALID_WEBHOOK');
    expect(pattern.json.errors).toEqual([{ in: 'body', field: 'events', detail: expect.stringMatching(/^"Umbraco\.\*" contains \*, which only marks the variable part of an event's pattern/), pointer: '#/events' }]);
    const broken = await call({ method: 'POST', url: `${API}/webhook`, body: '{"url":' });
    expectProblem(broken, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
    expect(broken.json.errors).toEqual([{ in: 'body', field: '(body)', detail: 'is not valid JSON' }]);
    // Said as every other refusal of a request is: that nothing changed, and what to send.
    expect(broken.json.detail).toMatch(/^HOOKWORK_ERR_ADMIN_INVALID_REQUEST: the request was refused, nothing was changed: the body is not valid JSON \(.+\); send one JSON value with content-type: application\/json$/);
    expect((await fixture.app.webhooks.list()).total).toBe(0);
  });

  it('sends every problem it answers — a route that is not there, a method it does not take, a missing token — with nosniff and no-store, the path echoed in it as sent', async () => {
    const answers = [
      await call({ method: 'GET', url: `${API}/%3Cscript%3Ealert(1)%3C%2Fscript%3E` }),
      await call({ method: 'GET', url: `${PREFIX}/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E` }),
      await call({ method: 'GET', url: `${API}/cleanup` }),
      await call({ method: 'GET', url: `${PREFIX}/metrics`, token: null }),
      await call({ method: 'GET', url: `${API}/webhook`, token: null }),
    ];
    expect(answers.map((a) => [a.status, a.headers['content-type'], a.headers['x-content-type-options'], a.headers['cache-control']])).toEqual(
      [404, 404, 405, 401, 401].map((status) => [status, 'application/problem+json; charset=utf-8', 'nosniff', 'no-store']),
    );
    expect(answers[0]!.text).not.toContain('<script>');
  });

  it('answers a body of any media type but JSON with 415 Unsupported Media Type, on every route that takes one, and changes nothing', async () => {
    const key = 'media';
    expect((await call({ method: 'POST', url: `${API}/webhook`, body: { key, url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] } })).status).toBe(201);
    const before = await snapshot(fixture.app);
    const json = '{"enabled":false}';
    const writes = [
      { method: 'POST', url: `${API}/webhook` },
      { method: 'PUT', url: `${API}/webhook/${key}` },
      { method: 'PATCH', url: `${API}/webhook/${key}` },
    ] as const;
    for (const write of writes) {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'text/json']) {
        const answer = await call({ ...write, body: json, headers: { 'content-type': type } });
        // RFC 9110 §15.5.16: the server refuses the content's media type; 400 would blame its fields.
        expectProblem(answer, 415, 'HOOKWORK_ERR_ADMIN_UNSUPPORTED_MEDIA_TYPE');
        expect(answer.json.detail).toContain('content-type: application/json');
        expect(answer.json.detail).toContain(type.split(';')[0]);
      }
    }
    expect(await snapshot(fixture.app)).toEqual(before);
    // JSON with parameters is still JSON.
    expect((await call({ method: 'PATCH', url: `${API}/webhook/${key}`, body: json, headers: { 'content-type': 'application/json; charset=utf-8' } })).json).toMatchObject({ key, enabled: false });
  });

  it('refuses a body that is not UTF-8 (400, as a lone surrogate is) and one in another charset (415 naming it), on every route that takes a body, and changes nothing', async () => {
    const key = 'bytes';
    expect((await call({ method: 'POST', url: `${API}/webhook`, body: { key, url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] } })).status).toBe(201);
    const before = await snapshot(fixture.app);
    const writes = [
      ['POST', `${API}/webhook`],
      ['PUT', `${API}/webhook/${key}`],
      ['PATCH', `${API}/webhook/${key}`],
      ['POST', `${API}/webhook/${key}/test`],
      ['POST', `${API}/webhook/${key}/secret/rotate`],
      ['POST', `${API}/dead-letter/redeliver`],
    ] as const;
    // "café" as Latin-1 (0xE9 alone), a cut-off 2-byte character, an overlong "/" and a UTF-16 surrogate written as UTF-8 (CESU).
    const latin1 = Buffer.concat([Buffer.from('{"name":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const others = [Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x22, 0x7d]), Buffer.from([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d]), Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d])];
    for (const [method, url] of writes) {
      for (const payload of [latin1, ...others]) {
        for (const answer of [await injectBytes(method, url, payload), await socketBytes(method, url, payload)]) {
          expect([method, url, answer.status, answer.json?.code]).toEqual([method, url, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST']);
          expect(answer.json.errors).toEqual([{ in: 'body', field: '(body)', detail: expect.stringMatching(/^is not UTF-8 \(at byte \d+\)$/) }]);
        }
      }
      expect((await injectBytes(method, url, latin1)).json.errors[0].detail).toBe('is not UTF-8 (at byte 12)');
      for (const charset of ['utf-16', 'UTF-16LE', 'iso-8859-1', '"windows-1252"', '']) {
        const answer = await injectBytes(method, url, Buffer.from('{"enabled":false}'), `application/json; charset=${charset}`);
        expect([method, url, charset, answer.status, answer.json?.code]).toEqual([method, url, charset, 415, 'HOOKWORK_ERR_ADMIN_UNSUPPORTED_MEDIA_TYPE']);
        expect(answer.json.detail).toContain(`in the charset ${charset.replace(/"/g, '') || '(empty)'}`);
      }
    }
    expect(await snapshot(fixture.app)).toEqual(before);
    // UTF-8 and its subset US-ASCII, named in any case or quoted, are read.
    for (const charset of ['utf-8', 'UTF-8', '"utf-8"', 'us-ascii', 'utf8']) {
      const answer = await injectBytes('PATCH', `${API}/webhook/${key}`, Buffer.from('{"name":"café"}'), `application/json; charset=${charset}`);
      expect([charset, answer.status, answer.json.name]).toEqual([charset, 200, 'café']);
    }
  });

  it('refuses an If-Match that holds no entity tag (empty, blanks, only commas) with 400 naming If-Match, on every route that takes one, and changes nothing', async () => {
    const created = await call({ method: 'POST', url: `${API}/webhook`, body: { key: 'empty-tag', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], secret: true } });
    const url = `${API}/webhook/empty-tag`;
    const secretId = created.json.secrets[0].id as string;
    const conditional: [string, string, unknown?][] = [
      ['PUT', url, { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], name: 'replaced' }],
      ['PATCH', url, { enabled: false }],
      ['POST', `${url}/secret/rotate`, {}],
      ['DELETE', `${url}/secret/${secretId}`],
      ['DELETE', url],
    ];
    const before = await snapshot(fixture.app);
    for (const [method, target, body] of conditional) {
      for (const value of ['', ' ', ',', ',,,', ' , , ']) {
        const answer = await call({ method, url: target, body, headers: { 'if-match': value } });
        expect([method, target, value, answer.status, answer.json?.code]).toEqual([method, target, value, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST']);
        expect(answer.json.errors).toEqual([{ in: 'header', field: 'If-Match', detail: expect.stringContaining('holds no entity tag') }]);
        expect(answer.json.detail).toContain('the If-Match header is');
      }
    }
    expect(await snapshot(fixture.app)).toEqual(before);
    // A tag among empty elements is a list of one tag (RFC 9110 §5.6.1): taken.
    const etag = created.headers.etag as string;
    expect((await call({ method: 'PATCH', url, body: { name: 'tagged' }, headers: { 'if-match': `, ${etag} ,` } })).status).toBe(200);
  });

  it('keeps a change from being lost between two editors: each answer carries the webhook\'s ETag, and a write with a stale If-Match is a 412 that changes nothing', async () => {
    const created = await call({ method: 'POST', url: `${API}/webhook`, body: { key: 'two-tabs', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], name: 'Orders' } });
    const url = `${API}/webhook/two-tabs`;
    // Two tabs open the editor: both read the same ETag, the one the create answered with.
    const tabA = await call({ method: 'GET', url });
    const tabB = await call({ method: 'GET', url });
    expect(tabA.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect([tabB.headers.etag, created.headers.etag]).toEqual([tabA.headers.etag, tabA.headers.etag]);
    // Tab B disables the webhook (its receiver misbehaves)…
    const disabled = await call({ method: 'PATCH', url, body: { enabled: false }, headers: { 'if-match': tabB.headers.etag as string } });
    expect(disabled.status).toBe(200);
    expect(disabled.headers.etag).not.toBe(tabA.headers.etag);
    const before = await snapshot(fixture.app);
    // …then tab A saves its whole form, read before that: refused, on every write to the webhook.
    const stale = { 'if-match': tabA.headers.etag as string };
    const writes: [string, string, unknown?][] = [
      ['PATCH', url, { name: 'Orders (renamed)', enabled: true }],
      ['PUT', url, { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], name: 'Orders (renamed)' }],
      ['DELETE', url],
      ['POST', `${url}/secret/rotate`, {}],
    ];
    for (const [method, target, body] of writes) {
      const answer = await call({ method, url: target, body, headers: stale });
      expectProblem(answer, 412, 'HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED');
      expect(answer.json.detail).toContain('was changed since it was read');
      expect(answer.headers.etag).toBe(disabled.headers.etag);
    }
    expect(await snapshot(fixture.app)).toEqual(before);
    expect((await fixture.app.webhooks.get('two-tabs'))).toMatchObject({ enabled: false, name: 'Orders' });
    // A weak tag never matches (strong comparison); * matches a webhook that exists.
    expectProblem(await call({ method: 'PATCH', url, body: { name: 'x' }, headers: { 'if-match': `W/${disabled.headers.etag as string}` } }), 412, 'HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED');
    // A quoted string no entity tag can be (one with a space) names no state: a 412 too, not a 400 about core's ifMatch.
    for (const malformed of ['"a b"', `"x y", W/${disabled.headers.etag as string}`]) {
      expectProblem(await call({ method: 'PATCH', url, body: { name: 'x' }, headers: { 'if-match': malformed } }), 412, 'HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED');
    }
    expect((await call({ method: 'PATCH', url, body: { description: 'any' }, headers: { 'if-match': '*' } })).status).toBe(200);
    // Read again, the change goes through; a GET after it gives the tag the write answered with.
    const fresh = await call({ method: 'GET', url });
    const renamed = await call({ method: 'PATCH', url, body: { name: 'Orders (renamed)' }, headers: { 'if-match': `"other", ${fresh.headers.etag as string}` } });
    expect([renamed.status, renamed.json.enabled, renamed.json.name]).toEqual([200, false, 'Orders (renamed)']);
    expect((await call({ method: 'GET', url })).headers.etag).toBe(renamed.headers.etag);
    // Two saves sent at once with the same tag: one is made, the other is told, never both.
    const both = await Promise.all(['first', 'second'].map((name) => call({ method: 'PATCH', url, body: { name }, headers: { 'if-match': renamed.headers.etag as string } })));
    expect(both.map((a) => a.status).sort()).toEqual([200, 412]);
    expect((await fixture.app.webhooks.get('two-tabs'))!.name).toBe(both.find((a) => a.status === 200)!.json.name);
    // Without If-Match, a write is as before; with one, a webhook that does not exist is a 404.
    expect((await call({ method: 'PATCH', url, body: { name: 'last' } })).status).toBe(200);
    expectProblem(await call({ method: 'PATCH', url: `${API}/webhook/nowhere`, body: { name: 'x' }, headers: { 'if-match': '"x"' } }), 404, 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND');
  });

  it('PUT resets every field it is not given, the format and flow control too, as a webhook created without them has', async () => {
    const full = {
      url: fixture.receiver.url,
      events: ['Umbraco.ContentPublish'],
      name: 'Orders',
      format: { type: 'cloudevents', mode: 'binary', source: '/shop' },
      rateLimit: { perSecond: 2 },
      breaker: { failureThreshold: 3 },
      fifo: { onDeadLetter: 'block' },
    };
    const { key } = (await call({ method: 'POST', url: `${API}/webhook`, body: full })).json;
    const definition = { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] };
    const replaced = await call({ method: 'PUT', url: `${API}/webhook/${key}`, body: definition });
    expect(replaced.status).toBe(200);
    const { key: freshKey } = (await call({ method: 'POST', url: `${API}/webhook`, body: definition })).json;
    const fresh = (await call({ method: 'GET', url: `${API}/webhook/${freshKey}` })).json;
    const comparable = ({ key: _k, createdAt: _c, updatedAt: _u, name: _n, description: _d, ...rest }: Record<string, unknown>) => rest;
    expect(comparable(replaced.json)).toEqual(comparable(fresh));
    expect(comparable((await call({ method: 'GET', url: `${API}/webhook/${key}` })).json)).toEqual(comparable(fresh));
  });

  it('answers an unknown field or parameter with the one meant, and a view field PUT back with where it is changed, changing nothing', async () => {
    const created = await call({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], secret: true } });
    const view = (await call({ method: 'GET', url: created.headers.location as string })).json;
    const blocked = await call({ method: 'POST', url: `${API}/webhook`, body: { url: 'http://10.0.0.1/hooks', events: ['Umbraco.ContentPublish'] } });
    const blockedView = (await call({ method: 'GET', url: blocked.headers.location as string })).json;
    const before = await snapshot(fixture.app);
    // A client that reads a webhook, changes it and PUTs it back was told "is not a field of this request", five times, with no fix.
    const putBack = await call({ method: 'PUT', url: created.headers.location as string, body: { ...view, name: 'Orders' } });
    expectProblem(putBack, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
    expect(Object.fromEntries((putBack.json.errors as { field: string; detail: string }[]).map((e) => [e.field, e.detail]))).toEqual({
      key: expect.stringMatching(/^cannot be changed: the key is the webhook's id in the path; leave it out/),
      secrets: expect.stringContaining('rotate with POST webhook/{id}/secret/rotate, revoke with DELETE webhook/{id}/secret/{secretId}'),
      sensitiveHeaders: expect.stringContaining('mark a header sensitive with'),
      createdAt: 'is read-only (a field of the view); leave it out',
      updatedAt: 'is read-only (a field of the view); leave it out',
      unknownEvents: 'is read-only (a field of the view); leave it out',
    });
    // A webhook whose URL delivery refuses carries urlBlocked in its view: "is not a field of this request", no fix.
    expect(blockedView.urlBlocked).toEqual(expect.any(String));
    const blockedBack = await call({ method: 'PUT', url: blocked.headers.location as string, body: { ...blockedView, name: 'Internal' } });
    expectProblem(blockedBack, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
    expect(blockedBack.json.errors).toContainEqual(expect.objectContaining({ field: 'urlBlocked', detail: "is read-only (a field of the view: why delivery refuses url under the app's ssrf setting); leave it out" }));
    const misspelt = await call({ method: 'PATCH', url: created.headers.location as string, body: { header: { 'X-A': '1' } } });
    expect(misspelt.json.errors).toEqual([expect.objectContaining({ field: 'header', detail: expect.stringMatching(/^is not a field of this request \(did you mean headers\?\); the fields here are name, description, url, events, /) })]);
    const typo = await call({ method: 'GET', url: `${API}/webhook?tkae=5` });
    expect(typo.json.errors).toEqual([{ in: 'query', field: 'tkae', detail: 'is not a parameter of this route (did you mean take?); the parameters here are skip, take, after' }]);
    expect(await snapshot(fixture.app)).toEqual(before);
  });

  it("answers other APIs' paging names on every listing with the admin's own (skip, take, after), from core's one table", async () => {
    const { key } = (await call({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] } })).json;
    // Every listing; webhook/events pages by skip/take alone, so a cursor's names have nothing to meet there.
    const listings = ['webhook', 'webhook/health', 'webhook/logs', `webhook/${key}/logs`, 'dead-letter', 'webhook/events'];
    // From OTHER_NAMES read backwards: limit ← take, offset ← skip, after ← cursor (core's names and other APIs').
    const meant: Record<string, string> = { limit: 'take', size: 'take', pageSize: 'take', PageSize: 'take', offset: 'skip', page: 'skip', cursor: 'after', next: 'after' };
    for (const listing of listings) {
      for (const [name, own] of Object.entries(meant)) {
        const refused = await call({ method: 'GET', url: `${API}/${listing}?${name}=1` });
        expectProblem(refused, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
        const paged = listing !== 'webhook/events' || own !== 'after';
        // Before: limit, offset, size, pageSize and page were told only the list of parameters (page was even told take).
        expect([listing, name, refused.json.errors]).toEqual([listing, name, [{ in: 'query', field: name, detail: paged ? expect.stringMatching(new RegExp(`^is not a parameter of this route \\(did you mean ${own}\\?\\); the parameters here are skip, take`)) : expect.not.stringContaining('did you mean') }]]);
      }
    }
  });

  it('says a query parameter that takes one value was given twice, rather than that the value is of the wrong kind', async () => {
    for (const [url, field] of [
      [`${API}/webhook?take=1&take=2`, 'take'],
      [`${API}/webhook/logs?webhookKey=a&webhookKey=b`, 'webhookKey'],
      [`${API}/dead-letter?deadSince=2026-01-01T00:00:00Z&deadSince=2026-01-02T00:00:00Z`, 'deadSince'],
    ] as const) {
      const refused = await call({ method: 'GET', url });
      expectProblem(refused, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
      // It said "must be an integer" of 1 and 2, and "must be a string" of two strings.
      expect([url, refused.json.errors]).toEqual([url, [{ in: 'query', field, detail: 'is given 2 times; give it once' }]]);
    }
  });

  it('names the route that lists what was not found, never a library call an HTTP client cannot make', async () => {
    const { key } = (await call({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] } })).json;
    const webhook = { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] };
    for (const [method, url, body, status, fix] of [
      ['PUT', `${API}/webhook/nope`, webhook, 404, 'list them with GET webhook'],
      ['PATCH', `${API}/webhook/nope`, { enabled: false }, 404, 'list them with GET webhook'],
      ['GET', `${API}/webhook/nope/health`, undefined, 404, 'list them with GET webhook'],
      ['POST', `${API}/webhook/nope/test`, {}, 404, 'list them with GET webhook'],
      ['POST', `${API}/webhook/nope/secret/rotate`, {}, 404, 'list them with GET webhook'],
      ['GET', `${API}/webhook/nope/logs`, undefined, 404, 'list webhooks with GET webhook'],
      ['GET', `${API}/dead-letter?webhookKey=nope`, undefined, 404, 'list webhooks with GET webhook'],
      ['GET', `${API}/queue/counts?webhookKey=nope`, undefined, 404, 'list webhooks with GET webhook'],
      ['DELETE', `${API}/webhook/${key}/secret/nope`, undefined, 404, `list its secrets with GET webhook/${key}`],
      ['POST', `${API}/dead-letter/nope/redeliver`, undefined, 404, 'list dead letters with GET dead-letter'],
      ['GET', `${API}/webhook/logs/nope`, undefined, 404, 'list entries with GET webhook/logs'],
      ['POST', `${API}/webhook`, { ...webhook, events: ['Umbraco.Nope'] }, 400, 'the composed events are listed by GET webhook/events'],
    ] as const) {
      const answer = await call({ method, url, body });
      expect([method, url, answer.status]).toEqual([method, url, status]);
      expect(answer.text).toContain(fix);
      expect([method, url, answer.text]).toEqual([method, url, expect.not.stringMatching(/\bapp\.\w/)]);
    }
    // An 11th signing secret: 409, and the revocation named as the route that does it.
    const signed = (await call({ method: 'POST', url: `${API}/webhook`, body: { ...webhook, secret: true } })).json.key as string;
    for (let i = 0; i < 9; i++) expect((await call({ method: 'POST', url: `${API}/webhook/${signed}/secret/rotate`, body: {} })).status).toBe(200);
    const eleventh = await call({ method: 'POST', url: `${API}/webhook/${signed}/secret/rotate`, body: {} });
    expectProblem(eleventh, 409, 'HOOKWORK_ERR_TOO_MANY_SECRETS');
    expect(eleventh.json.detail).toContain('revoke the old ones the receiver no longer uses (DELETE webhook/{id}/secret/{secretId}), or rotate with gracePeriodMs: 0');
    expect((await fixture.app.webhooks.get(signed))!.secrets).toHaveLength(10);
  });

  it('answers a route asked with a method it does not take with 405, its Allow header and the methods named, and changes nothing', async () => {
    const { key } = (await call({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] } })).json;
    const before = await snapshot(fixture.app);
    for (const [method, url, allow] of [
      ['GET', `${API}/cleanup`, 'POST'],
      ['GET', `${API}/dead-letter/redeliver`, 'POST'],
      ['GET', `${API}/webhook/${key}/test`, 'POST'],
      ['POST', `${API}/webhook/${key}`, 'GET, HEAD, PUT, PATCH, DELETE'],
      ['DELETE', `${API}/webhook`, 'GET, HEAD, POST'],
      ['PUT', `${API}/dead-letter`, 'GET, HEAD'],
      ['POST', `${PREFIX}/metrics`, 'GET, HEAD'],
    ] as const) {
      const answer = await call({ method, url });
      expectProblem(answer, 405, 'HOOKWORK_ERR_ADMIN_METHOD_NOT_ALLOWED');
      expect([method, url, answer.headers.allow]).toEqual([method, url, allow]);
      expect(answer.json.detail).toContain(`${url} does not take ${method}; it takes ${allow}.`);
    }
    // A path no route has is still a 404.
    expectProblem(await call({ method: 'POST', url: `${API}/nothing-here` }), 404, 'HOOKWORK_ERR_ADMIN_NOT_FOUND');
    expect(await snapshot(fixture.app)).toEqual(before);
  });

  // "needs at least 1 field" named none: a client that sent {} learnt nothing it could send.
  it('refuses an empty body where a field is needed, naming the fields, and changes nothing', async () => {
    const { key } = (await call({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] } })).json;
    const before = await snapshot(fixture.app);
    for (const [method, url, fields] of [
      ['PATCH', `${API}/webhook/${key}`, 'name, description, url, events, contentTypeKeys, headers, enabled, format, rateLimit, breaker, fifo'],
      ['POST', `${API}/dead-letter/redeliver`, 'ids, webhookKey, deadSince, deadUntil, all'],
    ] as const) {
      const refused = await call({ method, url, body: {} });
      expectProblem(refused, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
      expect([url, refused.json.errors]).toEqual([url, [{ in: 'body', field: '(body)', detail: `needs at least 1 field; the fields here are ${fields}`, pointer: '#/' }]]);
    }
    expect(await snapshot(fixture.app)).toEqual(before);
  });

  it('refuses the key . or .. (every client resolves webhook/.. away, so no route could reach it), and stores nothing', async () => {
    for (const key of ['.', '..']) {
      const refused = await call({ method: 'POST', url: `${API}/webhook`, body: { key, url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] } });
      expectProblem(refused, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
      expect(refused.json.detail).toContain(`the key "${key}" is a URL dot-segment`);
      expect(refused.json.errors).toEqual([{ in: 'body', field: 'key', detail: 'is . or .., which a URL path cannot carry', pointer: '#/key' }]);
    }
    expect((await fixture.app.webhooks.list()).total).toBe(0);
    // Dots among other characters are a key like any other, reached by its URL.
    const dotted = await call({ method: 'POST', url: `${API}/webhook`, body: { key: '...', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] } });
    expect(dotted.status).toBe(201);
    expect((await call({ method: 'GET', url: dotted.headers.location as string })).json).toMatchObject({ key: '...' });
  });

  it('refuses text no store keeps as sent (U+0000, a lone surrogate) in a name, description, event or content-type key, naming the field, and stores nothing', async () => {
    for (const [body, field] of [
      [{ name: 'Orders\u0000' }, 'name'],
      [{ description: 'half \ud83d' }, 'description'],
      [{ contentTypeKeys: ['ok', 'a\u0000'] }, 'contentTypeKeys.1'],
    ] as const) {
      const refused = await call({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], ...body } });
      expectProblem(refused, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
      expect(refused.json.errors).toEqual([expect.objectContaining({ in: 'body', field, detail: expect.stringMatching(/^holds U\+0000 \(NUL\) or a lone UTF-16 surrogate, which no store keeps as sent/) })]);
    }
    expect((await fixture.app.webhooks.list()).total).toBe(0);
    const created = await call({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], name: 'Orders 📦' } });
    expect(created.json).toMatchObject({ name: 'Orders 📦' });
    const patched = await call({ method: 'PATCH', url: `${API}/webhook/${created.json.key}`, body: { name: '\ud800' } });
    expectProblem(patched, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
    expect((await fixture.app.webhooks.get(created.json.key))!.name).toBe('Orders 📦');
  });

  it('refuses a JSON body with a __proto__ or constructor.prototype key, naming the key and the fix, and stores nothing', async () => {
    for (const [body, field] of [
      [`{"url":"${fixture.receiver.url}","events":["Umbraco.ContentPublish"],"__proto__":{"enabled":false}}`, '__proto__'],
      [`{"url":"${fixture.receiver.url}","events":["Umbraco.ContentPublish"],"headers":{"__proto__":"x"}}`, 'headers.__proto__'],
      [`{"url":"${fixture.receiver.url}","events":["Umbraco.ContentPublish"],"constructor":{"prototype":{"enabled":false}}}`, 'constructor.prototype'],
    ] as const) {
      const refused = await call({ method: 'POST', url: `${API}/webhook`, body });
      expectProblem(refused, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
      const key = field.endsWith('prototype') ? 'constructor.prototype' : '__proto__';
      expect(refused.json.detail).toContain(`the body has the key ${key} at ${field}, which JavaScript reads as an object's prototype`);
      expect(refused.json.detail).toMatch(/; remove it/);
      expect(refused.json.errors).toEqual([{ in: 'body', field, detail: expect.stringMatching(/; remove it$/), pointer: `#/${field.split('.').join('/')}` }]);
    }
    expect((await fixture.app.webhooks.list()).total).toBe(0);
  });

  it('refuses a JSON body that gives a key twice in one object, naming it, and changes nothing', async () => {
    // JSON.parse kept the last: {"url":"ftp://…","url":"http://…"} was stored, while a proxy or a reviewer reading the first saw another webhook.
    const target = fixture.receiver.url;
    const created = await call({ method: 'POST', url: `${API}/webhook`, body: { url: target, events: ['Umbraco.ContentPublish'], key: 'kept' } });
    const before = await fixture.app.webhooks.get('kept');
    for (const [method, url, body, field] of [
      ['POST', `${API}/webhook`, `{"url":"ftp://example.com/x","url":"${target}","events":["Umbraco.ContentPublish"]}`, 'url'],
      ['POST', `${API}/webhook`, `{"url":"${target}","events":["Umbraco.ContentPublish"],"headers":{"X-A":"1","X-A":"2"}}`, 'headers.X-A'],
      ['POST', `${API}/webhook`, `{"url":"${target}","events":["Umbraco.ContentPublish"],"headers":{"X-A":{"value":"1","\\u0076alue":"2"}}}`, 'headers.X-A.value'],
      ['PATCH', `${API}/webhook/kept`, '{"enabled":false,"enabled":true}', 'enabled'],
      ['PUT', `${API}/webhook/kept`, `{"url":"${target}","events":["Umbraco.ContentPublish"],"name":"a","name":"b"}`, 'name'],
      ['POST', `${API}/dead-letter/redeliver`, '{"all":true,"all":false}', 'all'],
    ] as const) {
      const refused = await call({ method, url, body });
      expectProblem(refused, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
      expect(refused.json.detail).toContain(`the body gives the key ${field} more than once; JSON readers disagree on which one counts (RFC 8259 §4), so send each key once`);
      expect(refused.json.errors).toEqual([{ in: 'body', field, detail: 'is given more than once in its object; send it once', pointer: `#/${field.split('.').join('/')}` }]);
    }
    expect(created.status).toBe(201);
    expect((await fixture.app.webhooks.list()).items).toEqual([before]);
    // The same key in two objects is no duplicate.
    expect((await call({ method: 'POST', url: `${API}/webhook`, body: `{"url":"${target}","events":["Umbraco.ContentPublish"],"headers":{"X-A":{"value":"1"},"X-B":{"value":"2"}}}` })).status).toBe(201);
  });

  it('answers a body nested deeper than the call stack goes, within the size limit, with a 400 naming the field, not a 500, and stores nothing', async () => {
    const deep = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
    for (const [body, field] of [
      ['['.repeat(400_000) + ']'.repeat(400_000), '(body)'],
      [`{"url":"${fixture.receiver.url}","events":["Umbraco.ContentPublish"],"name":${deep(80_000)}}`, 'name'],
      [`{"url":"${fixture.receiver.url}","events":["Umbraco.ContentPublish"],"headers":{"X-A":{"value":${deep(80_000)}}}}`, 'headers.X-A'],
    ] as const) {
      const refused = await call({ method: 'POST', url: `${API}/webhook`, body });
      expectProblem(refused, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
      expect(refused.json.errors).toEqual([expect.objectContaining({ in: 'body', field })]);
    }
    // A prototype key deep down is still found, and named.
    const hidden = await call({ method: 'POST', url: `${API}/webhook`, body: `{"url":"${fixture.receiver.url}","events":["Umbraco.ContentPublish"],"name":${'['.repeat(50_000)}{"__proto__":1}${']'.repeat(50_000)}}` });
    expectProblem(hidden, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
    expect(hidden.json.detail).toContain(`the body has the key __proto__ at name.${Array(50_000).fill('0').join('.')}.__proto__`);
    expect((await fixture.app.webhooks.list()).total).toBe(0);
  });

  it('answers a body with a wrong value in each of 400,000 places, within the size limit, naming the first 20 fields and counting the rest, and stores nothing', async () => {
    // Each was named: an answer of 52 MB, and seconds of the event loop every other request waited for.
    for (const [url, body, first] of [
      [`${API}/webhook`, { url: fixture.receiver.url, events: Array(400_000).fill(1) }, 'events'],
      [`${API}/dead-letter/redeliver`, { ids: Array(400_000).fill(1) }, 'ids'],
      [`${API}/webhook`, Object.fromEntries(Array.from({ length: 80_000 }, (_, i) => [`f${i}`, 1])), 'url'],
    ] as const) {
      const refused = await call({ method: 'POST', url, body });
      expectProblem(refused, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
      expect(refused.json.errors).toHaveLength(20);
      expect(refused.json.errors[0]).toMatchObject({ in: 'body', field: first });
      expect(refused.json.detail).toMatch(/; and \d+ more schema errors \(the first 20 fields are named\)$/);
      expect(refused.text.length).toBeLessThan(10_000);
    }
    // One past the 20 is one more schema error, not "1 more schema errors".
    expect((await call({ method: 'POST', url: `${API}/dead-letter/redeliver`, body: { ids: Array(21).fill(1) } })).json.detail).toMatch(/; and 1 more schema error \(the first 20 fields are named\)$/);
    expect(await fixture.app.webhooks.list()).toMatchObject({ total: 0 });
  });

  it('answers a body over the size limit with 413 Content Too Large problem details naming the limit, and stores nothing', async () => {
    const tooLarge = await call({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], description: 'x'.repeat(1024 * 1024) } });
    expectProblem(tooLarge, 413, 'HOOKWORK_ERR_ADMIN_BODY_TOO_LARGE');
    expect(tooLarge.json.detail).toContain('larger than this server accepts (1048576 bytes)');
    expect(tooLarge.json.errors).toEqual([{ in: 'body', field: '(body)', detail: 'is larger than 1048576 bytes' }]);
    expect((await fixture.app.webhooks.list()).total).toBe(0);
  });

  it("shows each webhook's health: breaker and failing streak, one or a page in list order", async () => {
    fixture.receiver.handler = (_r, res) => void res.writeHead(500).end('down');
    const failing = (await call({ method: 'POST', url: `${API}/webhook`, body: { key: 'failing', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], breaker: { failureThreshold: 2, coolDown: 3_600_000 } } })).json;
    expect(failing.breaker).toEqual({ failureThreshold: 2, coolDown: 3_600_000 });
    await call({ method: 'POST', url: `${API}/webhook`, body: { key: 'quiet', url: fixture.receiver.url, events: ['Umbraco.MediaSave'] } });
    await publish(fixture.app, 'h-1');
    await fixture.app.drain();

    const one = await call({ method: 'GET', url: `${API}/webhook/failing/health` });
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ webhookKey: 'failing', breaker: 'open', consecutiveFailures: 2, openedAt: expect.any(String), probeAt: expect.any(String), failingSince: expect.any(String) });
    const listed = await call({ method: 'GET', url: `${API}/webhook/health?take=10` });
    expect(listed.json.total).toBe(2);
    expect(listed.json.items.map((h: { webhookKey: string; breaker: string; consecutiveFailures: number }) => [h.webhookKey, h.breaker, h.consecutiveFailures])).toEqual([
      ['failing', 'open', 2],
      ['quiet', 'closed', 0],
    ]);
    expect((await call({ method: 'GET', url: `${API}/webhook/health?skip=1&take=1` })).json.items.map((h: { webhookKey: string }) => h.webhookKey)).toEqual(['quiet']);
    expectProblem(await call({ method: 'GET', url: `${API}/webhook/nobody/health` }), 404, 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND');
  });

  it('names the route meant when a guess misses (Umbraco names), and refuses a webhook key that is a route name', async () => {
    for (const [url, meant] of [
      [`${API}/events`, `GET ${API}/webhook/events (Umbraco's name)`],
      [`${API}/logs?take=5`, `GET ${API}/webhook/logs (Umbraco's name)`],
      [`${API}/deliveries`, `GET ${API}/webhook/logs`],
      [`${API}/webhooks`, `GET ${API}/webhook (Umbraco's name: webhook in the singular)`],
      [`${API}/webhooks/events`, `GET ${API}/webhook/events`],
      [`${API}/dead-letters`, `GET ${API}/dead-letter`],
      [`${API}/health`, `GET ${API}/webhook/health`],
      [`${API}/metrics`, `GET ${API.replace('/api/v1', '')}/metrics (the Prometheus metrics are beside the API`],
      [`${API.replace('/api/v1', '')}/webhook`, `GET ${API}/webhook (the API is under ${API})`],
      [`${API.replace('/api/v1', '')}/events`, `GET ${API}/webhook/events`],
    ] as const) {
      const answer = await call({ method: 'GET', url });
      expectProblem(answer, 404, 'HOOKWORK_ERR_ADMIN_NOT_FOUND');
      expect(answer.json.detail).toContain(`did you mean ${meant}`);
    }
    const deliveries = await call({ method: 'GET', url: `${API}/webhook/deliveries` });
    expectProblem(deliveries, 404, 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND');
    expect(deliveries.json.detail).toContain('did you mean the route webhook/logs?');

    for (const key of ['events', 'logs', 'Health', 'catalogue']) {
      const refused = await call({ method: 'POST', url: `${API}/webhook`, body: { key, url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] } });
      expectProblem(refused, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
      expect(refused.json.errors).toEqual([expect.objectContaining({ in: 'body', field: 'key', detail: expect.stringContaining('is a route name') })]);
    }
    expect((await fixture.app.webhooks.list()).total).toBe(0);
  });
});

/** Every route, with a request that is right but for authentication, and one with bad input naming a field. */
function routes(key: string, secretId: string, logKey: string, requestId: string) {
  return [
    { method: 'GET', url: `/webhook`, bad: { url: `/webhook?take=0`, in: 'query', field: 'take' } },
    { method: 'GET', url: `/webhook/events`, bad: { url: `/webhook/events?skip=-1`, in: 'query', field: 'skip' } },
    { method: 'GET', url: `/webhook/catalogue`, bad: { url: `/webhook/catalogue?format=yaml`, in: 'query', field: 'format' } },
    { method: 'GET', url: `/webhook/logs`, bad: { url: `/webhook/logs?outcome=lost`, in: 'query', field: 'outcome.0' } },
    { method: 'GET', url: `/webhook/health`, bad: { url: `/webhook/health?take=abc`, in: 'query', field: 'take' } },
    { method: 'GET', url: `/webhook/${key}/health`, bad: { url: `/webhook/${key}/health?at=now`, in: 'query', field: 'at' } },
    { method: 'GET', url: `/webhook/logs/${logKey}`, bad: { url: `/webhook/logs/${logKey}?verbose=1`, in: 'query', field: 'verbose' } },
    { method: 'GET', url: `/webhook/${key}`, bad: { url: `/webhook/bad%20key`, in: 'path', field: 'id' } },
    { method: 'POST', url: `/webhook`, body: { url: 'http://127.0.0.1:9/x', events: ['Umbraco.ContentPublish'] }, bad: { body: { url: 'http://127.0.0.1:9/x', events: 'Umbraco.ContentPublish' }, in: 'body', field: 'events' } },
    { method: 'PUT', url: `/webhook/${key}`, body: { url: 'http://127.0.0.1:9/x', events: ['Umbraco.ContentPublish'] }, bad: { body: { events: ['Umbraco.ContentPublish'] }, in: 'body', field: 'url' } },
    { method: 'PATCH', url: `/webhook/${key}`, body: { enabled: false }, bad: { body: { enabled: 'no' }, in: 'body', field: 'enabled' } },
    { method: 'DELETE', url: `/webhook/${key}`, bad: { url: `/webhook/${key}?force=true`, in: 'query', field: 'force' } },
    { method: 'GET', url: `/webhook/${key}/logs`, bad: { url: `/webhook/${key}/logs?take=5000`, in: 'query', field: 'take' } },
    { method: 'POST', url: `/webhook/${key}/test`, body: {}, bad: { body: { alias: 7 }, in: 'body', field: 'alias' } },
    { method: 'POST', url: `/webhook/${key}/secret/rotate`, body: {}, bad: { body: { gracePeriodMs: -1 }, in: 'body', field: 'gracePeriodMs' } },
    { method: 'DELETE', url: `/webhook/${key}/secret/${secretId}`, bad: { url: `/webhook/${key}/secret/${secretId}%3Cx%3E`, in: 'path', field: 'secretId' } },
    { method: 'GET', url: `/dead-letter`, bad: { url: `/dead-letter?webhookKey=a%20b`, in: 'query', field: 'webhookKey' } },
    { method: 'POST', url: `/dead-letter/redeliver`, body: { all: true }, bad: { body: { deadSince: 'yesterday' }, in: 'body', field: 'deadSince' } },
    { method: 'POST', url: `/dead-letter/${requestId}/redeliver`, bad: { url: `/dead-letter/${requestId}/redeliver?now=1`, in: 'query', field: 'now' } },
    { method: 'GET', url: `/queue/counts`, bad: { url: `/queue/counts?webhook=x`, in: 'query', field: 'webhook' } },
    { method: 'POST', url: `/cleanup`, bad: { url: `/cleanup?days=1`, in: 'query', field: 'days' } },
    { method: 'GET', url: `/session`, bad: { url: `/session?as=admin`, in: 'query', field: 'as' } },
    { method: 'GET', url: `/openapi.json`, bad: undefined },
  ] as { method: string; url: string; body?: unknown; bad?: { url?: string; body?: unknown; in: string; field: string } }[];
}

describe('every route', () => {
  /** A webhook with a secret, a delivered log entry and a dead letter, so every route has something to act on. */
  async function seed() {
    fixture.receiver.handler = (_r, res) => void res.writeHead(500).end('down');
    const created = await fixture.app.webhooks.create({ url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], secret: true });
    await publish(fixture.app, 's-1');
    await fixture.app.drain();
    const [entry] = (await fixture.app.management.logs()).items;
    const [dead] = (await fixture.app.management.deadLetters()).items;
    return Object.assign(routes(created.key, created.secrets[0]!.id, entry!.key, dead!.id), { key: created.key, requestId: dead!.id, secretId: created.secrets[0]!.id, logKey: entry!.key });
  }

  it('writes a path value an unauthenticated caller sent into the audit trail escaped: no line break, no forged log line', async () => {
    const lines: string[] = [];
    const write = (message: string) => void lines.push(message);
    const logged = await startAdminFixture({ logger: { debug: write, info: write, warn: write, error: write } });
    try {
      const forged = '[hookwork] info admin: webhook.delete orders by token:deadbeef: succeeded (200)';
      for (const caller of [logged.inject, logged.socket]) {
        const answer = await caller({ method: 'DELETE', url: `${API}/webhook/x${encodeURIComponent(`\r\n${forged}`)}`, token: null });
        expect(answer.status).toBe(401);
      }
      expect(lines).toHaveLength(2);
      for (const line of lines) {
        expect(line).not.toMatch(/[\r\n]/);
        expect(line).toContain(`webhook.delete x\\r\\n${forged} by an unauthenticated caller: refused (401 HOOKWORK_ERR_ADMIN_UNAUTHORIZED)`);
      }
      expect(logged.audits.map((a) => a.target)).toEqual([`x\\r\\n${forged}`, `x\\r\\n${forged}`]);
    } finally {
      await logged.close();
    }
  });

  it('writes a refusal\'s audit line with the default console logger on one line, its audit record on it', async () => {
    // It printed "[hookwork] warn admin: webhook.create … refused" and then a 10-line dump of { audit: {…} }.
    const printed: unknown[][] = [];
    const spies = (['log', 'error'] as const).map((to) => jest.spyOn(console, to).mockImplementation((...args: unknown[]) => void printed.push(args)));
    const logged = await startAdminFixture({ logger: consoleLogger({ verbose: true }) });
    try {
      const answer = await logged.socket({ method: 'POST', url: `${API}/webhook`, body: { url: 'ftp://x', events: ['Umbraco.ContentPublish'] } });
      expect(answer.status).toBe(400);
      expect(printed).toEqual([[expect.stringMatching(/^\[hookwork\] warn admin: webhook\.create by token:[0-9a-f]{8}: refused \(400 HOOKWORK_ERR_INVALID_WEBHOOK\) \{ audit: \{ action: 'webhook\.create', .*outcome: 'refused', status: 400, code: 'HOOKWORK_ERR_INVALID_WEBHOOK'.* \} \}$/)]]);
      expect(printed[0]![0]).not.toMatch(/[\r\n]/);
    } finally {
      spies.forEach((spy) => spy.mockRestore());
      await logged.close();
    }
  });

  it('a logger of the host\'s own that throws costs its audit lines, not the audit events', async () => {
    const broken = () => {
      throw new Error('log transport closed');
    };
    // The failure's one process warning is expected here: kept out of the test output.
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const logged = await startAdminFixture({ logger: { debug: broken, info: broken, warn: broken, error: broken } });
    try {
      const answer = await logged.inject({ method: 'DELETE', url: `${API}/webhook/nothing-here`, token: null });
      expect(answer.status).toBe(401);
      expect(logged.audits).toMatchObject([{ action: 'webhook.delete', outcome: 'refused', status: 401 }]);
      expect(emitWarning).toHaveBeenCalledWith(expect.stringContaining('log transport closed'), { code: 'HOOKWORK_LOGGER_FAILED' });
    } finally {
      emitWarning.mockRestore();
      await logged.close();
    }
  });

  it('refuses a missing or wrong token, through inject and over a socket, and changes nothing', async () => {
    const table = await seed();
    const before = await snapshot(fixture.app);
    expect(table).toHaveLength(23);
    for (const caller of [fixture.inject, fixture.socket]) {
      for (const route of table) {
        for (const token of [null, `${TOKEN}-wrong`, '']) {
          const answer = await caller({ method: route.method, url: `${API}${route.url}`, body: route.body, token });
          expectProblem(answer, 401, 'HOOKWORK_ERR_ADMIN_UNAUTHORIZED');
          expect(answer.headers['www-authenticate']).toMatch(/^Bearer realm="hookwork-admin"/);
          if (token) expect(answer.headers['www-authenticate']).toContain('error="invalid_token"');
        }
      }
    }
    expect(await snapshot(fixture.app)).toEqual(before);
    expect(fixture.audits.filter((a) => a.outcome !== 'refused' || a.status !== 401)).toEqual([]);
    expect(fixture.audits.every((a) => a.principal === undefined)).toBe(true);
  });

  it('answers bad input with problem details naming the field, through inject and over a socket, and changes nothing', async () => {
    const table = await seed();
    const before = await snapshot(fixture.app);
    for (const caller of [fixture.inject, fixture.socket]) {
      for (const route of table.filter((r) => r.bad)) {
        const { bad } = route;
        const answer = await caller({ method: route.method, url: `${API}${bad!.url ?? route.url}`, body: bad!.body ?? route.body });
        expectProblem(answer, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
        expect(answer.json.errors).toEqual([expect.objectContaining({ in: bad!.in, field: bad!.field })]);
        expect(answer.json.detail).toContain(`${bad!.in} ${bad!.field}`);
      }
    }
    expect(await snapshot(fixture.app)).toEqual(before);
  });

  it('answers a key no store can hold (U+0000, a lone surrogate, empty) with 400 problem details naming it, on every route that takes a key, and changes nothing', async () => {
    const { key, requestId } = await seed();
    const before = await snapshot(fixture.app);
    // Each: the request, and the field the answer must name (the admin's own schema check, or core's key rules behind it).
    const bad: [method: string, url: string, body: unknown, field: string][] = [
      ['GET', `/webhook/a%00b`, undefined, 'id'],
      ['GET', `/webhook/a%00b/health`, undefined, 'id'],
      ['PATCH', `/webhook/a%00b`, { enabled: false }, 'id'],
      ['DELETE', `/webhook/a%00b`, undefined, 'id'],
      ['DELETE', `/webhook/${key}/secret/a%00b`, undefined, 'secretId'],
      ['GET', `/webhook/logs/a%00b`, undefined, 'key'],
      ['GET', `/webhook/logs?requestId=a%00b`, undefined, 'requestId'],
      ['GET', `/webhook/logs?eventAlias=a%00b`, undefined, 'eventAlias'],
      ['GET', `/webhook/${key}/logs?requestId=a%00b`, undefined, 'requestId'],
      ['GET', `/webhook/logs?requestId=`, undefined, 'requestId'],
      ['POST', `/webhook/${key}/test`, { alias: 'a\u0000b' }, 'alias'],
      ['POST', `/webhook/${key}/test`, { alias: 'a\uD800b' }, 'alias'],
      ['GET', `/dead-letter?webhookKey=a%00b`, undefined, 'webhookKey'],
      ['POST', `/dead-letter/redeliver`, { ids: [requestId, 'a\u0000b'] }, 'ids'],
      ['POST', `/dead-letter/redeliver`, { webhookKey: '' }, 'webhookKey'],
      ['POST', `/dead-letter/a%00b/redeliver`, undefined, 'id'],
      ['GET', `/queue/counts?webhookKey=a%00b`, undefined, 'webhookKey'],
    ];
    for (const caller of [fixture.inject, fixture.socket]) {
      for (const [method, url, body, field] of bad) {
        const answer = await caller({ method, url: `${API}${url}`, body });
        expect([method, url, answer.status, answer.headers['content-type']]).toEqual([method, url, 400, expect.stringMatching(/^application\/problem\+json/)]);
        expect([url, answer.json.code]).toEqual([url, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST']);
        expect([url, answer.json.detail]).toEqual([url, expect.stringContaining(field)]);
        expect(answer.text.includes('\u0000') || /[\uD800-\uDFFF]/.test(answer.text)).toBe(false);
      }
    }
    expect(await snapshot(fixture.app)).toEqual(before);
  });

  it('answers U+0000 or a lone surrogate in every string parameter and body field of every route (as the OpenAPI document lists them) with 400 HOOKWORK_ERR_ADMIN_INVALID_REQUEST naming the field, and changes nothing', async () => {
    const table = await seed();
    const doc = (await fixture.inject({ method: 'GET', url: `${API}/openapi.json` })).json;
    type Schema = { type?: string; enum?: unknown[]; items?: Schema; properties?: Record<string, Schema> };
    type Operation = { parameters?: { in: string; name: string; schema: Schema }[]; requestBody?: { content: Record<string, { schema: Schema }> } };
    // Free text: a string, or a list of them, that is not one of a few named values (an enum names what it takes).
    const isText = (schema: Schema | undefined) => (schema?.type === 'string' && !schema.enum) || (schema?.items?.type === 'string' && !schema.items.enum);
    const concrete = (path: string) =>
      path
        .replace(API, '')
        .replace(/^\/dead-letter\/\{id\}/, `/dead-letter/${table.requestId}`)
        .replace('{id}', table.key)
        .replace('{secretId}', table.secretId)
        .replace('{key}', table.logKey);
    const cases: { method: string; url: string; body?: unknown; in: string; field: string }[] = [];
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      for (const [lower, operation] of Object.entries(operations)) {
        const method = lower.toUpperCase();
        const url = concrete(path);
        const base = table.find((r) => r.method === method && r.url === url);
        expect([method, url, base]).toEqual([method, url, expect.anything()]);
        for (const parameter of operation.parameters ?? []) {
          if (!isText(parameter.schema)) continue;
          if (parameter.in === 'query') cases.push({ method, url: `${url}?${parameter.name}=a%00b`, body: base!.body, in: 'query', field: parameter.name });
          if (parameter.in === 'path') cases.push({ method, url: path.replace(API, '').replace(`{${parameter.name}}`, 'a%00b').replace(/\{[^}]+\}/g, (name) => concrete(name)), body: base!.body, in: 'path', field: parameter.name });
        }
        const schema = operation.requestBody?.content['application/json']?.schema;
        for (const [name, field] of Object.entries(schema?.properties ?? {})) {
          if (!isText(field)) continue;
          for (const bad of ['a\u0000b', 'a\uD800b', '\uDC00']) {
            cases.push({ method, url, body: { ...(base!.body as object), [name]: field.type === 'string' ? bad : [bad] }, in: 'body', field: field.type === 'string' ? name : `${name}.0` });
          }
        }
      }
    }
    // Each kind of place, and the fields that once reached core's argument check (requestId, eventAlias, the test's alias).
    expect(cases.map((c) => `${c.in} ${c.field}`)).toEqual(expect.arrayContaining(['query requestId', 'query eventAlias', 'body alias', 'body name', 'body ids.0', 'path secretId', 'query webhookKey']));
    const before = await snapshot(fixture.app);
    for (const caller of [fixture.inject, fixture.socket]) {
      for (const { method, url, body, in: place, field } of cases) {
        const answer = await caller({ method, url: `${API}${url}`, body });
        expect([method, url, place, field, answer.status, answer.json?.code]).toEqual([method, url, place, field, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST']);
        expect([method, url, answer.json.errors]).toEqual([method, url, expect.arrayContaining([expect.objectContaining({ in: place, field })])]);
        expect(answer.json.detail).not.toMatch(/\bapp\.|\(\)/);
      }
    }
    expect(await snapshot(fixture.app)).toEqual(before);
  });

  it('refuses a skip past 2^53 − 1 on every paged route with a 400 naming skip, not a storage failure, and takes 2^53 − 1', async () => {
    const { key } = await seed();
    for (const caller of [fixture.inject, fixture.socket]) {
      for (const route of ['/webhook', '/webhook/events', '/webhook/logs', '/webhook/health', `/webhook/${key}/logs`, '/dead-letter']) {
        for (const skip of ['99999999999999999999', '9007199254740992']) {
          const refused = await caller({ method: 'GET', url: `${API}${route}?skip=${skip}` });
          expectProblem(refused, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
          expect([route, refused.json.errors]).toEqual([route, [{ in: 'query', field: 'skip', detail: 'must be at most 9007199254740991' }]]);
        }
        const last = await caller({ method: 'GET', url: `${API}${route}?skip=9007199254740991` });
        expect([route, last.status, last.json.items]).toEqual([route, 200, []]);
      }
    }
  });

  // The value refused was not named, and a breaker duration's bound read as a bare count.
  it('names the value of a webhook breaker or rate option it refuses, and the unit of a breaker duration', async () => {
    const body = (extra: string) => `{"url":"${fixture.receiver.url}","events":["Umbraco.ContentPublish"],${extra}}`;
    const cases: [string, string, string][] = [
      ['"breaker":{"coolDown":1e400}', 'breaker.coolDown', 'must be at most 3153600000000 ms (got Infinity)'],
      ['"breaker":{"failureRate":2}', 'breaker.failureRate', 'must be at most 1 (got 2)'],
      ['"rateLimit":{"perSecond":-1}', 'rateLimit.perSecond', 'must be at least 0.000001 (got -1)'],
    ];
    for (const [extra, field, detail] of cases) {
      const refused = await fixture.inject({ method: 'POST', url: `${API}/webhook`, body: body(extra) });
      expectProblem(refused, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
      expect(refused.json.errors).toEqual([expect.objectContaining({ in: 'body', field, detail })]);
    }
    expect((await fixture.app.webhooks.list()).total).toBe(0);
  });

  it('takes a breaker duration as a TimeSpan string, as the settings do, showing it in ms; a bad one is refused with the settings\' advice', async () => {
    const created = await fixture.inject({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], breaker: { window: '00:10:00', coolDown: '00:00:30' } } });
    expect(created.status).toBe(201);
    expect(created.json.breaker).toEqual({ window: 600_000, coolDown: 30_000 });
    for (const [coolDown, detail] of [['10', 'must be a duration, and bare digits in a string are ambiguous'], ['soon', 'must be a duration: a number of milliseconds, or a TimeSpan string such as "00:00:10"'], [false, 'must be a duration: a number of milliseconds, or a TimeSpan string']] as const) {
      const refused = await fixture.inject({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], breaker: { coolDown } } });
      expect([coolDown, refused.status]).toEqual([coolDown, 400]);
      expect(refused.json.errors).toEqual([expect.objectContaining({ field: 'breaker.coolDown', detail: expect.stringContaining(detail) })]);
    }
    expect((await fixture.app.webhooks.list()).total).toBe(1);
  });

  it('refuses a skip or take that is not written as a whole number (0x10, 1e2, true, " 5") on every paged route, not a page of what Number() makes of it', async () => {
    const { key } = await seed();
    for (const caller of [fixture.inject, fixture.socket]) {
      for (const route of ['/webhook', '/webhook/events', '/webhook/logs', '/webhook/health', `/webhook/${key}/logs`, '/dead-letter']) {
        for (const [name, value] of [['take', '0x10'], ['take', '1e2'], ['take', 'true'], ['take', '%205'], ['take', '1.0'], ['skip', '0b1'], ['skip', 'false'], ['skip', 'Infinity']]) {
          const refused = await caller({ method: 'GET', url: `${API}${route}?${name}=${value}` });
          expectProblem(refused, 400, 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST');
          expect([route, value, refused.json.errors]).toEqual([route, value, [{ in: 'query', field: name, detail: 'must be an integer' }]]);
        }
        // Digits are read as before; a minus sign is the range's to refuse.
        expect((await caller({ method: 'GET', url: `${API}${route}?take=5&skip=0` })).status).toBe(200);
        expect((await caller({ method: 'GET', url: `${API}${route}?skip=-1` })).json.errors).toEqual([{ in: 'query', field: 'skip', detail: 'must be at least 0' }]);
      }
    }
  });

  it('refuses content on every route that takes no body — JSON, a form, text, content the server would not read — with 400 naming (body), running nothing; no content or an empty one is taken', async () => {
    const table = await seed();
    // Every route without a body, as the routes registered say (the OpenAPI document: no requestBody; openapi.json is hidden).
    const doc = (await fixture.inject({ method: 'GET', url: `${API}/openapi.json` })).json;
    const bodiless = Object.entries(doc.paths as Record<string, Record<string, { requestBody?: unknown }>>).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.requestBody === undefined)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    const routesWithoutBody = table.filter((r) => r.body === undefined);
    expect(routesWithoutBody.filter((r) => !r.url.endsWith('openapi.json')).map((r) => r.method).sort()).toEqual(bodiless.map((r) => r.split(' ')[0]).sort());
    expect(routesWithoutBody.map((r) => r.method).sort()).toEqual([...Array(13).fill('GET'), 'DELETE', 'DELETE', 'POST', 'POST'].sort());
    const redeliver = jest.spyOn(fixture.app.management, 'redeliver');
    const cleanup = jest.spyOn(fixture.app.management, 'runCleanup');
    const before = await snapshot(fixture.app);
    fixture.audits.length = 0;
    const contents: { payload: string; headers: Record<string, string> }[] = [
      { payload: '{"x":1}', headers: { 'content-type': 'application/json' } },
      { payload: '[1,2]', headers: { 'content-type': 'application/json' } },
      { payload: '{"dryRun":true}', headers: { 'content-type': 'application/json; charset=utf-8' } },
      { payload: '{}', headers: { 'content-type': 'application/json' } },
      { payload: 'not json', headers: { 'content-type': 'application/json' } },
      { payload: 'dryRun=true', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      { payload: 'hello', headers: { 'content-type': 'text/plain' } },
      // No content-type: Fastify reads no body on a GET, HEAD or DELETE then, and ignored it.
      { payload: '{"dryRun":true}', headers: {} },
    ];
    const routeMethods = routesWithoutBody.flatMap((r) => (r.method === 'GET' ? [r, { ...r, method: 'HEAD' }] : [r]));
    for (const route of routeMethods) {
      for (const { payload, headers } of contents) {
        for (const how of ['inject', 'a socket'] as const) {
          let status: number;
          let type: string | undefined;
          let json: Answer['json'];
          const url = `${API}${route.url}`;
          const sent = { authorization: `Bearer ${TOKEN}`, ...headers };
          if (how === 'inject') {
            const response = await fixture.fastify.inject({ method: route.method as 'GET', url, headers: sent, payload });
            [status, type, json] = [response.statusCode, response.headers['content-type'] as string, route.method === 'HEAD' ? undefined : response.json()];
          } else {
            // fetch sends no body on GET or HEAD: node:http does.
            const answer = await rawRequest(fixture.origin, route.method, url, sent, payload);
            [status, type, json] = [answer.status, answer.type, route.method === 'HEAD' ? undefined : answer.json];
          }
          expect([how, route.method, route.url, payload, headers, status, type]).toEqual([how, route.method, route.url, payload, headers, 400, 'application/problem+json; charset=utf-8']);
          if (json) {
            expect(json).toMatchObject({ code: 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST', errors: [{ in: 'body', field: '(body)', detail: 'must be absent: this route takes no body' }] });
            expect(json.detail).toMatch(/ takes no body, and this request has one; send it without one \(no content, or content-length: 0\)/);
          }
        }
      }
    }
    expect(await snapshot(fixture.app)).toEqual(before);
    expect(redeliver).not.toHaveBeenCalled();
    expect(cleanup).not.toHaveBeenCalled();
    expect(fixture.audits.length).toBeGreaterThan(0);
    expect(fixture.audits.filter((a) => a.outcome !== 'refused' || a.status !== 400 || a.code !== 'HOOKWORK_ERR_ADMIN_INVALID_REQUEST')).toEqual([]);

    // No content, or an empty one (content-length: 0, with or without a JSON content-type), is taken: the route runs.
    const ordered = [...routesWithoutBody.filter((r) => !(r.method === 'DELETE' && r.url === `/webhook/${table.key}`)), routesWithoutBody.find((r) => r.method === 'DELETE' && r.url === `/webhook/${table.key}`)!];
    for (const route of ordered) {
      const empties: Record<string, string>[] = route.method === 'GET' ? [{}, { 'content-length': '0' }, { 'content-type': 'application/json', 'content-length': '0' }] : [{ 'content-type': 'application/json', 'content-length': '0' }];
      for (const headers of empties) {
        const answer = await rawRequest(fixture.origin, route.method, `${API}${route.url}`, { authorization: `Bearer ${TOKEN}`, ...headers }, '');
        expect([route.method, route.url, headers, answer.status]).toEqual([route.method, route.url, headers, 200]);
      }
    }
    expect(redeliver).toHaveBeenCalledTimes(1);
    expect(cleanup).toHaveBeenCalledTimes(1);
    expect(await fixture.app.webhooks.get(table.key)).toBeUndefined();
  });

  it('is in the OpenAPI 3.1 document, with its schemas and the bearer scheme', async () => {
    const table = await seed();
    const doc = (await fixture.inject({ method: 'GET', url: `${API}/openapi.json` })).json;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) => Object.keys(operations).map((m) => `${m.toUpperCase()} ${path}`));
    const expected = table.filter((r) => !r.url.endsWith('openapi.json')).map((r) => `${r.method} ${API}${r.url.replace(/\?.*$/, '')}`);
    expect(documented).toHaveLength(expected.length);
    const post = doc.paths[`${API}/webhook`].post;
    expect(post.requestBody.content['application/json'].schema.required).toEqual(['url', 'events']);
    expect(post.responses['201'].content['application/json'].schema.properties.secret).toBeDefined();
    expect(post.responses['4XX'].content['application/problem+json'].schema.required).toContain('code');
  });
});

/** A request with these bytes as its body, through inject. */
async function injectBytes(method: string, url: string, payload: Buffer, contentType = 'application/json'): Promise<{ status: number; json: Answer['json'] }> {
  const response = await fixture.fastify.inject({ method: method as 'POST', url, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': contentType }, payload });
  return { status: response.statusCode, json: response.json() };
}

/** A request with these bytes as its body, over a socket. */
function socketBytes(method: string, url: string, payload: Buffer): Promise<{ status: number; json: Answer['json'] }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${fixture.origin}${url}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': String(payload.length) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    request.on('error', reject);
    request.end(payload);
  });
}

/** One request over a socket with node:http, which (unlike fetch) sends content on a GET or HEAD as asked. */
function rawRequest(origin: string, method: string, path: string, headers: Record<string, string>, payload: string): Promise<{ status: number; type: string | undefined; json: Answer['json'] }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${origin}${path}`, { method, headers: { ...(payload.length > 0 ? { 'content-length': String(Buffer.byteLength(payload)) } : {}), ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Answer['json'];
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: response.statusCode!, type: response.headers['content-type'], json });
      });
    });
    request.on('error', reject);
    request.end(payload);
  });
}
