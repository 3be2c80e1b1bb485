import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newWebhookInfo } from '../model/webhook-info';
import { createHookwork, REDACTED, resolveToken, WebhookEvent, WebhookEventBase, WebhookEventTypes, WebhookRepositoryToken, type Hookwork, type HookworkError, type WebhookInput } from '../index';

// What a webhook's secrets are exposed to by whoever may edit it but never saw them: a sensitive
// header value must not follow the webhook to another origin, a credential header is sensitive
// whatever its mark, a brought secret anyone can guess is refused, and a header HTTP clients
// own per connection is refused before it dead-letters every request.

class Saved {}
@WebhookEvent('Saved', WebhookEventTypes.Other, { alias: 'saved', notification: Saved })
class SavedEvent extends WebhookEventBase<Saved> {}

/** A node:http receiver on 127.0.0.1 that keeps the headers of each request. */
interface Receiver {
  url: string;
  received: IncomingHttpHeaders[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received: IncomingHttpHeaders[] = [];
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received.push(request.headers);
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let app: Hookwork;
let legit: Receiver;
let attacker: Receiver;
beforeEach(async () => {
  [legit, attacker] = await Promise.all([startReceiver(), startReceiver()]);
  app = createHookwork({ composers: [{ compose: (b) => b.webhookEvents().add(SavedEvent) }], settings: { ssrf: { allow: ['127.0.0.1'] } } });
  await app.start();
});
afterEach(async () => {
  await app.stop();
  await Promise.all([legit.close(), attacker.close()]);
});

/** The webhook as stored (values in clear), as delivery reads it. */
const stored = (key: string) => resolveToken(app.container, WebhookRepositoryToken).get(key);
const refusedWith = async (promise: Promise<unknown>): Promise<HookworkError> => (await promise.then(() => undefined, (error: HookworkError) => error))!;

describe('a sensitive header value does not follow its webhook to another origin', () => {
  const apiKey = 'Bearer CRM-API-KEY-123';
  const create = () => app.webhooks.create({ url: legit.url, events: ['saved'], headers: { Authorization: { value: apiKey, sensitive: true }, 'X-Api-Key': { value: 'k-456', sensitive: true }, 'X-Plain': 'shown' } });

  it('refuses a new URL that keeps the stored values, whether left out or sent back as the placeholder, naming the headers and the fix', async () => {
    const created = await create();
    const before = await stored(created.key);
    const elsewhere = attacker.url.replace('/hook', '/other');
    for (const patch of [{ url: elsewhere }, { url: elsewhere, headers: created.headers }, { url: elsewhere, headers: { Authorization: REDACTED } }]) {
      const error = await refusedWith(app.webhooks.update(created.key, patch));
      expect(error.code).toBe('HOOKWORK_ERR_SECRET_HEADERS_ORIGIN_CHANGED');
      expect(error.message).toMatch(/give their values again in this update .*, or remove them/);
      expect(error.message).not.toContain('CRM-API-KEY');
      expect(await stored(created.key)).toEqual(before);
    }
    const error = await refusedWith(app.webhooks.update(created.key, { url: elsewhere }));
    expect(error.details).toEqual({ key: created.key, from: new URL(legit.url).origin, to: new URL(attacker.url).origin, headers: ['Authorization', 'X-Api-Key'] });

    // The next test send still goes to the receiver the values were given for.
    await app.sendTestEvent(created.key);
    expect(attacker.received).toEqual([]);
    expect(legit.received.map((h) => h.authorization)).toEqual([apiKey]);
  });

  it('takes values given again in the same update, and a removal, and keeps them on a move within the origin', async () => {
    const created = await create();
    // Within the origin (another path): kept, as before.
    await app.webhooks.update(created.key, { url: legit.url.replace('/hook', '/v2/hook'), headers: created.headers });
    expect((await stored(created.key))!.headers).toMatchObject({ Authorization: apiKey, 'X-Api-Key': 'k-456' });

    // Another origin: one given again, the other removed.
    const moved = await app.webhooks.update(created.key, { url: attacker.url, headers: { Authorization: { value: 'Bearer for-the-new-one', sensitive: true }, 'X-Plain': 'shown' } });
    expect(moved.headers).toEqual({ Authorization: REDACTED, 'X-Plain': 'shown' });
    await app.sendTestEvent(created.key);
    expect(attacker.received.map((h) => [h.authorization, h['x-api-key']])).toEqual([['Bearer for-the-new-one', undefined]]);
  });

  it('counts a change of scheme or port as another origin', async () => {
    const created = await create();
    const https = legit.url.replace('http:', 'https:');
    await expect(app.webhooks.update(created.key, { url: https })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_SECRET_HEADERS_ORIGIN_CHANGED' });
    await expect(app.webhooks.update(created.key, { url: legit.url.replace(/:\d+\//, ':1/') })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_SECRET_HEADERS_ORIGIN_CHANGED' });
    // A webhook without sensitive headers moves freely.
    const plain = await app.webhooks.create({ url: legit.url, events: ['saved'], headers: { 'X-Plain': 'shown' } });
    await expect(app.webhooks.update(plain.key, { url: attacker.url })).resolves.toMatchObject({ url: attacker.url });
  });
});

describe('credential headers are sensitive whatever their mark', () => {
  it('redacts an unmarked Authorization, Proxy-Authorization and Cookie in every view, and stores them sensitive', async () => {
    const created = await app.webhooks.create({ url: legit.url, events: ['saved'], headers: { Authorization: 'Bearer plain-given', 'Proxy-Authorization': { value: 'Basic cHJveHk=', sensitive: false }, Cookie: 'sid=abc123', 'X-Plain': 'shown' } });
    const expected = { Authorization: REDACTED, 'Proxy-Authorization': REDACTED, Cookie: REDACTED, 'X-Plain': 'shown' };
    expect(created.headers).toEqual(expected);
    expect((await app.webhooks.get(created.key))!.headers).toEqual(expected);
    expect(JSON.stringify(await app.webhooks.list())).not.toMatch(/plain-given|cHJveHk|abc123/);
    expect((await stored(created.key))!.sensitiveHeaders.sort()).toEqual(['authorization', 'cookie', 'proxy-authorization']);
    await app.sendTestEvent(created.key);
    expect(legit.received[0]).toMatchObject({ authorization: 'Bearer plain-given', cookie: 'sid=abc123' });
  });

  it('covers a webhook stored before: redacted, kept by the placeholder round trip, and not taken to another origin', async () => {
    const created = await app.webhooks.create({ url: legit.url, events: ['saved'] });
    // As an earlier hookwork stored it: a credential header not marked sensitive.
    const repository = resolveToken(app.container, WebhookRepositoryToken);
    await repository.update({ ...(await stored(created.key))!, headers: { Authorization: 'Bearer old-plain' }, sensitiveHeaders: [] });
    const view = (await app.webhooks.get(created.key))!;
    expect(view.headers).toEqual({ Authorization: REDACTED });
    expect(view.sensitiveHeaders).toEqual(['authorization']);
    await app.webhooks.update(created.key, { headers: view.headers, name: 'renamed' });
    expect((await stored(created.key))!.headers).toEqual({ Authorization: 'Bearer old-plain' });
    await expect(app.webhooks.update(created.key, { url: attacker.url, headers: view.headers })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_SECRET_HEADERS_ORIGIN_CHANGED' });
  });

  it('lists such a header among the sensitive ones of what event classes see, as views do', async () => {
    const info = newWebhookInfo({ key: 'k', url: legit.url, events: ['saved'], contentTypeKeys: [], headers: { Cookie: 'sid=old', 'X-Key': 'v' }, sensitiveHeaders: ['x-key'], enabled: true });
    expect(info.headers).toEqual({ Cookie: REDACTED, 'X-Key': REDACTED });
    expect(info.sensitiveHeaders).toEqual(['x-key', 'cookie']);
  });
});

describe('headers a webhook cannot carry, and secrets anyone can guess', () => {
  const valid: WebhookInput = { url: 'https://example.com/hooks', events: ['saved'] };

  it.each(['Trailer', 'Keep-Alive', 'Upgrade', 'Expect', 'TE', 'Proxy-Connection', 'Connection', 'Transfer-Encoding'])('refuses %s on create and update, naming the rule', async (name) => {
    const error = await refusedWith(app.webhooks.create({ ...valid, headers: { [name]: 'x' } }));
    expect(error).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_WEBHOOK', details: [{ field: `headers.${name}`, problem: expect.stringMatching(/is a hop-by-hop \(connection-control\) header, .*RFC 9110 §7\.6\.1\); remove it$/) }] });
    expect(app.webhooks.check({ ...valid, headers: { [name.toLowerCase()]: 'x' } })).toHaveLength(1);
    const created = await app.webhooks.create(valid);
    await expect(app.webhooks.update(created.key, { headers: { [name]: 'x' } })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_WEBHOOK' });
    expect((await stored(created.key))!.headers).toEqual({});
  });

  it.each([
    ['all zero bytes', `whsec_${'A'.repeat(22)}`],
    ['one byte repeated', `whsec_${Buffer.alloc(24, 0x41).toString('base64')}`],
    ['three values alternating', `whsec_${Buffer.from('abcabcabcabcabcabcabcabc').toString('base64')}`],
  ])('refuses a brought secret of %s, and stores nothing', async (_, secret) => {
    const error = await refusedWith(app.webhooks.create({ ...valid, secret }));
    expect(error).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_WEBHOOK', details: [{ field: 'secret', problem: expect.stringMatching(/which anyone can guess and sign requests with; bring a secret of random bytes/) }] });
    expect((await app.webhooks.list()).total).toBe(0);
  });

  it('takes a brought secret of random bytes', async () => {
    const created = await app.webhooks.create({ ...valid, secret: `whsec_${Buffer.from('0123456789abcdef').toString('base64')}` });
    expect(created.secrets).toHaveLength(1);
  });
});

describe('revoking the last signing secret', () => {
  it('is done at once, and says that requests go out unsigned from now on', async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} };
    const own = createHookwork({ composers: [{ compose: (b) => b.webhookEvents().add(SavedEvent) }], logger, settings: { ssrf: { allow: ['127.0.0.1'] } } });
    await own.start();
    try {
      const created = await own.webhooks.create({ url: legit.url, events: ['saved'], secret: true });
      const rotated = await own.webhooks.rotateSecret(created.key);
      // One of two revoked: the other still signs, nothing to say.
      await own.webhooks.revokeSecret(created.key, rotated.secretId);
      expect(warnings).toEqual([]);
      await own.webhooks.revokeSecret(created.key, created.secrets[0]!.id);
      expect(warnings).toEqual([expect.stringMatching(new RegExp(`^webhook ${created.key} has no signing secret left .*sent unsigned .*rotateSecret\\(key, \\{ gracePeriodMs: 0 \\}\\)`))]);
      await own.sendTestEvent(created.key);
      expect(legit.received.map((h) => h['webhook-signature'])).toEqual([undefined]);
    } finally {
      await own.stop();
    }
  });
});
