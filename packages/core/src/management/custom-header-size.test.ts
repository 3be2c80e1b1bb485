import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHookwork } from '../composition/create-hookwork';
import type { Hookwork } from '../composition/hookwork-app';
import { MAX_CUSTOM_HEADER_BYTES } from '../model/framework-headers';
import type { Webhook } from '../model/webhook';
import type { Logger } from '../observability/logger';
import { WebhookRepositoryToken } from '../ports/webhook-repository';
import { resolveToken } from '../runtime/tokens';
import { memoryStorage } from '../storage/memory/memory-storage';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { refusal, startTestApp, thingComposer, ThingHappened } from '../test-support/test-app';

// Each custom header value could be 8,192 characters and a webhook 50 of them, about 414 KB of
// headers; receivers refuse far less (Node's http server: 16 KiB in all, 431; Tomcat and Jetty
// 8 KiB), before any code of theirs runs, so every attempt was refused and retried into a dead
// letter. A webhook's custom headers now hold at most 4,096 bytes in all (names and values).

jest.setTimeout(30_000);

let app: Hookwork | undefined;
let receiver: TestReceiver;
beforeEach(async () => {
  receiver = await startTestReceiver();
});
afterEach(async () => {
  await app?.stop();
  app = undefined;
  await receiver.close();
});


/** Headers named X-Fill-1… whose names and values hold exactly `bytes` in all, in `count` headers. */
function headersOf(bytes: number, count: number): Record<string, string> {
  const headers: Record<string, string> = {};
  let left = bytes;
  for (let i = 1; i <= count; i++) {
    const name = `X-Fill-${i}`;
    const share = i === count ? left : Math.floor(bytes / count);
    headers[name] = 'v'.repeat(share - name.length);
    left -= share;
  }
  return headers;
}

const legacyWebhook = (key: string, url: string, headers: Record<string, string>, sensitiveHeaders: string[] = []): Webhook => {
  const now = new Date();
  return { key, url, events: ['thing.happened'], contentTypeKeys: [], headers, sensitiveHeaders, enabled: true, secrets: [], createdAt: now, updatedAt: now };
};

const CAP_PROBLEM = /^hold ([\d,]+) bytes in all \(names and values\), more than the 4,096 a webhook's custom headers may hold: receivers refuse a request whose headers pass their limit .*Shorten or remove some \(the largest, in bytes: (.*)\)$/;

describe("the total size of a webhook's custom headers", () => {
  it('is refused past 4,096 bytes on create and check(), naming the total, the cap and the largest headers; the cap itself is taken', async () => {
    app = await startTestApp();
    expect(MAX_CUSTOM_HEADER_BYTES).toBe(4096);
    const over = { ...headersOf(4096, 3), 'X-One': 'x' };
    const error = await refusal(() => app!.webhooks.create({ key: 'big', url: receiver.url, events: ['thing.happened'], headers: over }));
    expect(error.code).toBe('HOOKWORK_ERR_INVALID_WEBHOOK');
    expect(error.details).toEqual([{ field: 'headers', problem: expect.stringMatching(CAP_PROBLEM) }]);
    const [, total, largest] = CAP_PROBLEM.exec((error.details as { problem: string }[])[0]!.problem)!;
    expect(total).toBe('4,102');
    expect(largest).toBe('X-Fill-3 1,366, X-Fill-1 1,365, X-Fill-2 1,365');
    expect(error.message).toContain('headers hold 4,102 bytes in all');
    expect(await app.webhooks.get('big')).toBeUndefined();
    // A sensitive header's value counts as any other.
    expect(app.webhooks.check({ url: receiver.url, events: ['thing.happened'], headers: { ...headersOf(4000, 1), 'X-Key': { value: 'k'.repeat(100), sensitive: true } } })).toEqual([{ field: 'headers', problem: expect.stringMatching(CAP_PROBLEM) }]);
    const atCap = await app.webhooks.create({ key: 'cap', url: receiver.url, events: ['thing.happened'], headers: headersOf(4096, 50) });
    expect(Object.keys(atCap.headers)).toHaveLength(50);
  });

  it('is refused past the cap on update, counting the stored values a "[redacted]" placeholder keeps; the webhook unchanged', async () => {
    app = await startTestApp();
    const created = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], headers: { Authorization: { value: `Bearer ${'t'.repeat(3900)}`, sensitive: true } } });
    const { secret: _secret, ...before } = created;
    // An edit form sends the view back: the token as "[redacted]", which stands for 3,907 bytes of value.
    const error = await refusal(() => app!.webhooks.update(created.key, { headers: { Authorization: '[redacted]', 'X-Note': 'n'.repeat(300) } }));
    expect(error.code).toBe('HOOKWORK_ERR_INVALID_WEBHOOK');
    expect(error.details).toEqual([{ field: 'headers', problem: expect.stringMatching(CAP_PROBLEM) }]);
    expect(error.message).toContain('headers hold 4,226 bytes in all');
    expect(await app.webhooks.get(created.key)).toEqual(before);
    await app.webhooks.update(created.key, { headers: { Authorization: '[redacted]', 'X-Note': 'n'.repeat(100) } });
    expect((await app.webhooks.get(created.key))!.headers).toEqual({ Authorization: '[redacted]', 'X-Note': 'n'.repeat(100) });
  });

  it('stored over the cap before it: named at start, still read and sent as it is, edited as ever, and an edit that gives headers must bring them under the cap', async () => {
    const legacy = legacyWebhook('legacy', receiver.url, headersOf(6000, 3), ['x-fill-2']);
    const base = memoryStorage();
    const warnings: string[] = [];
    const logger: Logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (message) => void warnings.push(message) };
    app = createHookwork({
      composers: [thingComposer],
      logger,
      settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, retrySchedule: [50], retryJitter: 0 },
      // The store as an earlier version left it.
      storage: { ...base, open: async (context) => {
        const storage = await base.open(context);
        await storage.webhooks.create(legacy);
        return storage;
      } },
    });
    await app.start();
    expect(warnings.filter((line) => /custom headers of/.test(line))).toEqual([
      'webhook legacy has custom headers of 6,000 bytes in all (names and values), more than the 4,096 a webhook may now hold: it was stored before the cap and is sent as it is, but most receivers refuse headers that large (Node 16 KiB in all, Tomcat and Jetty 8 KiB; 431 or 400) on every attempt. Shorten or remove some with app.webhooks.update() (an update that gives headers must bring them under the cap)',
    ]);
    const view = (await app.webhooks.get('legacy'))!;
    expect(view.headers['X-Fill-1']).toBe(legacy.headers['X-Fill-1']);
    expect(view.headers['X-Fill-2']).toBe('[redacted]');
    expect((await app.webhooks.list()).items.map((w) => w.key)).toEqual(['legacy']);
    // Sent as it is: this receiver (Node's 16 KiB) takes 6,000 bytes.
    await app.publish(new ThingHappened('c1'));
    await app.drain();
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.headers['x-fill-3']).toBe(legacy.headers['X-Fill-3']);
    // Edits that leave the headers as they are go through.
    await app.webhooks.update('legacy', { enabled: false, name: 'renamed' });
    expect(await app.webhooks.get('legacy')).toMatchObject({ enabled: false, name: 'renamed' });
    // Giving the headers back as the edit form does (the sensitive one as the placeholder) is refused while over.
    const error = await refusal(() => app!.webhooks.update('legacy', { headers: view.headers }));
    expect(error.details).toEqual([{ field: 'headers', problem: expect.stringMatching(CAP_PROBLEM) }]);
    expect(error.message).toContain('headers hold 6,000 bytes in all');
    await app.webhooks.update('legacy', { headers: { 'X-Fill-1': view.headers['X-Fill-1']!, 'X-Fill-2': '[redacted]' } });
    const stored = (await resolveToken(app.container, WebhookRepositoryToken).get('legacy'))!;
    expect(stored.headers).toEqual({ 'X-Fill-1': legacy.headers['X-Fill-1'], 'X-Fill-2': legacy.headers['X-Fill-2'] });
  });
});

describe('the cap against real receivers', () => {
  /** A Node http server that answers 200, with `options` (default: Node's own limits). */
  async function nodeServer(options: http.ServerOptions = {}): Promise<{ url: string; headers: http.IncomingHttpHeaders[]; close: () => Promise<void> }> {
    const headers: http.IncomingHttpHeaders[] = [];
    const server = http.createServer(options, (request, response) => {
      headers.push(request.headers);
      request.resume().on('end', () => response.end('ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, headers, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  it("Node's http server (16 KiB of headers by default) refuses the old maximum (50 values of 8,192) with 431 and takes the cap with hookwork's own headers; a receiver of 8 KiB in all (Tomcat's, Jetty's) takes them too", async () => {
    const defaults = await nodeServer();
    const tight = await nodeServer({ maxHeaderSize: 8192 });
    try {
      app = await startTestApp({ settings: { tracing: { traceparent: true } } });
      const oldMaximum = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`X-Header-${i}`, 'v'.repeat(8192)]));
      const error = await refusal(() => app!.webhooks.create({ url: defaults.url, events: ['thing.happened'], headers: oldMaximum }));
      expect(error.details).toEqual([{ field: 'headers', problem: expect.stringMatching(/^hold 410,140 bytes in all/) }]);
      // Stored before the cap, it reaches a receiver that refuses it before its code runs.
      await resolveToken(app.container, WebhookRepositoryToken).create(legacyWebhook('old-maximum', `${defaults.url}/hooks`, oldMaximum));
      const refused = await app.sendTestEvent('old-maximum');
      expect(refused).toMatchObject({ ok: false, statusCode: 431 });
      expect(defaults.headers).toHaveLength(0);
      await app.webhooks.delete('old-maximum');
      // The 8 KiB receiver is that tight: twice the cap (8,192 bytes of custom headers) is refused.
      await resolveToken(app.container, WebhookRepositoryToken).create(legacyWebhook('twice-the-cap', `${tight.url}/hooks`, headersOf(2 * MAX_CUSTOM_HEADER_BYTES, 2)));
      expect(await app.sendTestEvent('twice-the-cap')).toMatchObject({ ok: false, statusCode: 431 });
      expect(tight.headers).toHaveLength(0);
      await app.webhooks.delete('twice-the-cap');
      // At the cap, with what hookwork adds: a signature per secret (two, mid-rotation),
      // CloudEvents attributes, traceparent, the event and retry-count headers, and a long path.
      const path = `/hooks/${'p'.repeat(1000)}`;
      for (const [key, server] of [['defaults', defaults], ['tight', tight]] as const) {
        await app.webhooks.create({ key, url: `${server.url}${path}`, events: ['thing.happened'], secret: true, format: { type: 'cloudevents', mode: 'binary', source: `https://cms.example.com/${'s'.repeat(200)}`, subject: 'main site' }, headers: headersOf(MAX_CUSTOM_HEADER_BYTES, 50) });
        await app.webhooks.rotateSecret(key);
      }
      await app.publish(new ThingHappened('c1'));
      await app.drain();
      for (const [key, server] of [['defaults', defaults], ['tight', tight]] as const) {
        expect(server.headers).toHaveLength(1);
        expect(server.headers[0]!['x-fill-50']).toBe(headersOf(MAX_CUSTOM_HEADER_BYTES, 50)['X-Fill-50']);
        expect(String(server.headers[0]!['webhook-signature']).split(' ')).toHaveLength(2);
        expect(server.headers[0]!['ce-source']).toBeDefined();
        const [entry] = (await app.logs(key, { limit: 10 })).items;
        expect(entry).toMatchObject({ outcome: 'delivered', statusCode: 200 });
      }
    } finally {
      await app?.stop();
      app = undefined;
      await defaults.close();
      await tight.close();
    }
  });
});
