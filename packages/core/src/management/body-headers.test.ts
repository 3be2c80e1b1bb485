import { createHookwork } from '../composition/create-hookwork';
import type { Hookwork } from '../composition/hookwork-app';
import type { Webhook } from '../model/webhook';
import type { Logger } from '../observability/logger';
import { memoryStorage } from '../storage/memory/memory-storage';
import { WebhookRepositoryToken } from '../ports/webhook-repository';
import { resolveToken } from '../runtime/tokens';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { refusal, startTestApp, thingComposer, ThingHappened } from '../test-support/test-app';

// hookwork sends the body uncoded, as it signs it (and makes it anew for each request). A custom Content-Encoding labelled that JSON
// text as compressed: a receiver that decodes by it (Express's json() answered 400 "incorrect
// header check" for gzip, "Decompression failed" for br) refused every attempt, retried into a
// dead letter — the breakage Umbraco has with a custom Content-Type, which hookwork refuses.

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


describe('a custom Content-Encoding header', () => {
  it.each(['Content-Encoding', 'content-encoding', 'CONTENT-ENCODING'])('is refused on create as %s, naming it and the fix, nothing stored', async (name) => {
    app = await startTestApp();
    const error = await refusal(() => app!.webhooks.create({ key: 'gz', url: receiver.url, events: ['thing.happened'], headers: { [name]: 'gzip' } }));
    expect(error.code).toBe('HOOKWORK_ERR_INVALID_WEBHOOK');
    expect(error.details).toEqual([{ field: `headers.${name}`, problem: expect.stringMatching(/^describes the body's coding, which hookwork sets: it sends the body uncoded, as signed.*; remove it$/) }]);
    expect(await app.webhooks.get('gz')).toBeUndefined();
    expect(app.webhooks.check({ url: receiver.url, events: ['thing.happened'], headers: { [name]: 'br' } })).toHaveLength(1);
  });

  it('is refused on update, the webhook unchanged', async () => {
    app = await startTestApp();
    const created = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], headers: { 'X-Tenant': 'acme' } });
    const { secret: _secret, ...before } = created;
    const error = await refusal(() => app!.webhooks.update(created.key, { headers: { 'X-Tenant': 'acme', 'Content-Encoding': 'gzip' } }));
    expect(error.code).toBe('HOOKWORK_ERR_INVALID_WEBHOOK');
    expect(error.message).toContain('headers.Content-Encoding describes the body');
    expect(await app.webhooks.get(created.key)).toEqual(before);
  });

  it('stored before the rule (written to the store directly) is not sent: the receiver gets the body uncoded, unlabelled', async () => {
    app = await startTestApp();
    const now = new Date();
    const legacy: Webhook = { key: 'legacy', url: receiver.url, events: ['thing.happened'], contentTypeKeys: [], headers: { 'Content-Encoding': 'gzip', 'X-Tenant': 'acme' }, sensitiveHeaders: [], enabled: true, secrets: [], createdAt: now, updatedAt: now };
    await resolveToken(app.container, WebhookRepositoryToken).create(legacy);
    await app.publish(new ThingHappened('c1'));
    await app.drain();
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request!.headers['content-encoding']).toBeUndefined();
    expect(request!.headers['x-tenant']).toBe('acme');
    expect(JSON.parse(request!.text)).toEqual({ id: 'c1' });
    const [entry] = (await app.logs('legacy', { limit: 10 })).items;
    expect(entry).toMatchObject({ outcome: 'delivered' });
    expect(entry!.requestHeaders['content-encoding']).toBeUndefined();
  });

  it('stored before the rule is named at start, with the other names hookwork sets itself, one line per webhook', async () => {
    const now = new Date();
    const stored = (key: string, headers: Record<string, string>): Webhook => ({ key, url: receiver.url, events: ['thing.happened'], contentTypeKeys: [], headers, sensitiveHeaders: [], enabled: true, secrets: [], createdAt: now, updatedAt: now });
    const base = memoryStorage();
    const warnings: string[] = [];
    const logger: Logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (message) => void warnings.push(message) };
    app = createHookwork({
      composers: [thingComposer],
      logger,
      // The store as an earlier version left it.
      storage: { ...base, open: async (context) => {
        const storage = await base.open(context);
        await storage.webhooks.create(stored('gz', { 'Content-Encoding': 'gzip', 'X-Tenant': 'acme' }));
        await storage.webhooks.create(stored('traced', { tracestate: 'vendor=1', 'Content-MD5': 'abc' }));
        await storage.webhooks.create(stored('plain', { 'X-Tenant': 'acme' }));
        return storage;
      } },
    });
    await app.start();
    expect(warnings.filter((line) => /hookwork sets itself/.test(line))).toEqual([
      "webhook gz has the custom header Content-Encoding, a name hookwork sets itself or never lets a webhook send (stored before it was refused): it is left out of every request; remove it with app.webhooks.update() (docs/webhooks.md, custom headers)",
      "webhook traced has the custom headers tracestate, Content-MD5, names hookwork sets itself or never lets a webhook send (stored before they were refused): they are left out of every request; remove them with app.webhooks.update() (docs/webhooks.md, custom headers)",
    ]);
  });

  it('cannot be the name of the event or retry-count header either', () => {
    expect(() => createHookwork({ composers: [thingComposer], settings: { headers: { event: 'Content-Encoding' } } })).toThrow(/headers\.event is a header that describes the body hookwork makes/);
  });
});

// The body is made anew for every request: a custom checksum of it (RFC 9530 Content-Digest and
// Repr-Digest, RFC 3230 Digest, RFC 1864 Content-MD5) is a fixed value that matches none, and a
// receiver that checks it (Mastodon's Digest, an RFC 9421 verifier's content-digest, S3's
// Content-MD5: 400 BadDigest) refused every request, retried into a dead letter.
describe.each(['Content-Digest', 'Repr-Digest', 'Digest', 'Content-MD5'])('a custom %s header', (name) => {
  const value = name === 'Content-MD5' ? 'Q2hlY2sgSW50ZWdyaXR5IQ==' : name === 'Digest' ? 'SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=' : 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:';

  it('is refused on create, check() and update, naming it and the fix, nothing stored or changed', async () => {
    app = await startTestApp();
    const error = await refusal(() => app!.webhooks.create({ key: 'digest', url: receiver.url, events: ['thing.happened'], headers: { [name.toLowerCase()]: value } }));
    expect(error.code).toBe('HOOKWORK_ERR_INVALID_WEBHOOK');
    expect(error.details).toEqual([{ field: `headers.${name.toLowerCase()}`, problem: expect.stringMatching(/^is a checksum of the body \(RFC \d+\), which hookwork makes anew for every request and signs: a fixed value matches no body it sends, .*; remove it \(a before-send hook, which sees the body, may compute one\)$/) }]);
    expect(await app.webhooks.get('digest')).toBeUndefined();
    expect(app.webhooks.check({ url: receiver.url, events: ['thing.happened'], headers: { [name]: value } })).toEqual([{ field: `headers.${name}`, problem: expect.stringMatching(/^is a checksum of the body/) }]);
    // What describes the body's audience or place, not its bytes, stays a header like any other.
    expect(app.webhooks.check({ url: receiver.url, events: ['thing.happened'], headers: { 'Content-Language': 'de', 'Content-Location': '/posts/1' } })).toEqual([]);
    const created = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], headers: { 'X-Tenant': 'acme' } });
    const { secret: _secret, ...before } = created;
    const update = await refusal(() => app!.webhooks.update(created.key, { headers: { 'X-Tenant': 'acme', [name]: { value, sensitive: true } } }));
    expect(update.message).toContain(`headers.${name} is a checksum of the body`);
    expect(await app.webhooks.get(created.key)).toEqual(before);
  });

  it('stored before the rule (written to the store directly) is not sent', async () => {
    app = await startTestApp();
    const now = new Date();
    const legacy: Webhook = { key: 'legacy', url: receiver.url, events: ['thing.happened'], contentTypeKeys: [], headers: { [name]: value, 'X-Tenant': 'acme' }, sensitiveHeaders: [], enabled: true, secrets: [], createdAt: now, updatedAt: now };
    await resolveToken(app.container, WebhookRepositoryToken).create(legacy);
    await app.publish(new ThingHappened('c1'));
    await app.drain();
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request!.headers[name.toLowerCase()]).toBeUndefined();
    expect(request!.headers['x-tenant']).toBe('acme');
    const [entry] = (await app.logs('legacy', { limit: 10 })).items;
    expect(entry).toMatchObject({ outcome: 'delivered' });
    expect(entry!.requestHeaders[name.toLowerCase()]).toBeUndefined();
  });

  it('cannot be the name of the event or retry-count header', () => {
    expect(() => createHookwork({ composers: [thingComposer], settings: { headers: { retryCount: name } } })).toThrow(/headers\.retryCount is a header that describes the body hookwork makes/);
  });
});
