import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { createHookwork, type Hookwork } from '@hookwork/core';
import { startTestReceiver } from '@hookwork/core/testing';
import { cockpitComposer, cockpitHost, cockpitWebhooks } from './index';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on 127.0.0.1 answering 500 to the first request and 200 after. */
async function startReceiver() {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = received.length === 1 ? 500 : 200;
      response.end(received.length === 1 ? 'try again' : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/cockpit-hook`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('Cockpit webhooks delivered by the core engine', () => {
  let app: Hookwork;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeEach(async () => {
    receiver = await startReceiver();
    app = createHookwork({
      composers: [cockpitComposer(), { compose: (b) => b.webhookEvents().addCockpit((c) => c.addCollections()) }],
      // Loopback is refused by default (SSRF guard); this test's receiver is on 127.0.0.1. A short retry schedule keeps it quick.
      settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, retrySchedule: [50], retryJitter: 0, maximumRetries: 3, timeout: 5000 },
    });
    await app.start();
  });
  afterEach(async () => {
    await app.stop();
    await receiver.close();
  });

  it("POSTs Cockpit's envelope with basic auth and custom headers, signed, and retries after a 500", async () => {
    const webhook = await cockpitWebhooks(app).create({
      name: 'Rebuild site',
      url: receiver.url,
      auth: { user: 'deploy', pass: 's3cret' },
      headers: [{ k: 'X-Site', v: 'blog' }],
      events: ['collections.save.after.posts'],
      secret: true,
    });
    const entry = { _id: 'e1', title: 'Hello', published: true };
    await cockpitHost(app, { backend: true }).trigger('collections.save.after', 'posts', entry, false);
    await app.drain({ timeoutMs: 20_000 });

    expect(receiver.received).toHaveLength(2);
    const expectedBody = { event: 'collections.save.after.posts', hook: 'Rebuild site', backend: 1, args: ['posts', entry, false] };
    for (const [attempt, { headers, body }] of receiver.received.entries()) {
      expect(JSON.parse(body)).toEqual(expectedBody);
      expect(headers['content-type']).toMatch(/^application\/json/);
      expect(headers.authorization).toBe(`Basic ${Buffer.from('deploy:s3cret').toString('base64')}`);
      expect(headers['x-site']).toBe('blog');
      expect(headers[app.settings.headers.event.toLowerCase()]).toBe('collections.save.after.posts');
      expect(headers[app.settings.headers.retryCount.toLowerCase()]).toBe(String(attempt));
      // Receivers using the standardwebhooks package verify it unchanged.
      expect(new StandardWebhook(webhook.secret!).verify(body, headers as Record<string, string>)).toEqual(expectedBody);
    }
    expect(receiver.received[0]!.headers['webhook-id']).toBe(receiver.received[1]!.headers['webhook-id']);

    // The delivery log keeps both attempts, with the basic-auth credentials redacted.
    const log = (await app.logs(webhook._id)).items.reverse();
    expect(log.map((e) => [e.retryCount, e.statusCode, e.outcome])).toEqual([
      [0, 500, 'retrying'],
      [1, 200, 'delivered'],
    ]);
    for (const entry of log) {
      const authorization = Object.entries(entry.requestHeaders).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
      expect(authorization).toBe('[redacted]');
      expect(JSON.stringify(entry)).not.toContain(Buffer.from('deploy:s3cret').toString('base64'));
    }
  });

  it('sends a header row and the URL exactly as stored and logged, and a UTF-8 basic-auth password Base64-encoded', async () => {
    const path = new URL(receiver.url).pathname;
    const webhook = await cockpitWebhooks(app).create({
      name: 'Site',
      url: receiver.url.replace(path, '/x/..' + path + '/ü'),
      auth: { user: 'deploy', pass: 'pässwörd' },
      headers: [{ k: 'X-Site-Name', v: encodeURIComponent('测试站点') }],
      events: ['collections.save.after.posts'],
    });
    expect(webhook.url).toBe(`${receiver.url}/%C3%BC`);
    await cockpitHost(app, { backend: true }).trigger('collections.save.after', 'posts', { _id: 'e2' }, false);
    await app.drain({ timeoutMs: 20_000 });
    const [first] = receiver.received;
    expect(first!.headers['x-site-name']).toBe('%E6%B5%8B%E8%AF%95%E7%AB%99%E7%82%B9');
    expect(first!.headers.authorization).toBe(`Basic ${Buffer.from('deploy:pässwörd', 'utf8').toString('base64')}`);
    const log = (await app.logs(webhook._id)).items;
    expect(log.map((e) => [e.url, e.requestHeaders['x-site-name']])).toEqual([
      [webhook.url, '%E6%B5%8B%E8%AF%95%E7%AB%99%E7%82%B9'],
      [webhook.url, '%E6%B5%8B%E8%AF%95%E7%AB%99%E7%82%B9'],
    ]);
  });

  // Cockpit drops both: PHP reads "0" as false (webhooks.php:56 `!$h['v']`, :85 `user && pass`).
  it('sends a header value "0" and a basic-auth password "0", which Cockpit drops', async () => {
    await cockpitWebhooks(app).create({
      name: 'Zero',
      url: receiver.url,
      auth: { user: 'deploy', pass: '0' },
      headers: [{ k: 'X-Build-Delay', v: '0' }],
      events: ['collections.save.after'],
    });
    await cockpitHost(app).trigger('collections.save.after', 'posts', { _id: 'e3' }, true);
    await app.drain({ timeoutMs: 20_000 });
    const [first] = receiver.received;
    expect(first!.headers['x-build-delay']).toBe('0');
    expect(first!.headers.authorization).toBe(`Basic ${Buffer.from('deploy:0').toString('base64')}`);
  });
});

describe("the order of a webhook's requests", () => {
  it('is trigger order, the plain name before its variant, once the webhook is FIFO (as Cockpit sends them, one after another)', async () => {
    const receiver = await startTestReceiver();
    const app = createHookwork({
      composers: [cockpitComposer(), { compose: (b) => b.webhookEvents().addCockpit((c) => c.addCollections()) }],
      settings: { ssrf: { allow: [new URL(receiver.url).host] } },
    });
    await app.start();
    try {
      const webhook = await cockpitWebhooks(app).create({ name: 'Ordered', url: receiver.url, events: ['collections.save.after', 'collections.save.after.posts'] });
      await app.webhooks.update(webhook._id, { fifo: true });
      const cockpit = cockpitHost(app);
      for (const id of ['1', '2', '3']) await cockpit.trigger('collections.save.after', 'posts', { _id: id }, false);
      await receiver.waitFor(6);
      const got = receiver.requests.map((r) => JSON.parse(r.text) as { event: string; args: [string, { _id: string }] });
      expect(got.map((b) => `${b.args[1]._id} ${b.event}`)).toEqual(['1', '2', '3'].flatMap((id) => [`${id} collections.save.after`, `${id} collections.save.after.posts`]));
    } finally {
      await app.stop();
      await receiver.close();
    }
  });
});
