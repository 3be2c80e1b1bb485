import { requireJestGlobals } from './contract-subject';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { runInThisContext } from 'node:vm';
import { brotliCompressSync, constants as zlibConstants, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { createHookwork, type HookworkOptions } from '../composition/create-hookwork';
import type { Hookwork } from '../composition/hookwork-app';
import type { HostResolver, ResolvedAddress } from '../delivery/transport/ssrf-guard';
import type { TransportChoice } from '../delivery/transport/transport-choice';
import { malformedStatus, UNASKED_UPGRADE } from '../delivery/transport/transport-errors';
import { verifySignature } from '../delivery/signing';
import { WebhookEventBase } from '../events/webhook-event-base';
import { WebhookEvent } from '../events/webhook-event.decorator';
import { WebhookEventTypes } from '../events/webhook-event-types';
import type { LifecycleEvents } from '../observability/lifecycle-events';
import { REDACTED } from '../model/webhook';
import { WebhookRepositoryToken } from '../ports/webhook-repository';
import { resolveToken } from '../runtime/tokens';
import type { HookworkSettingsInput } from '../settings/settings';
import { startRawReceiver, type RawReceiver } from './raw-receiver';
import { TEST_RECEIVER_CERT, TEST_RECEIVER_KEY } from './test-certificate';
import { closedPort, startTestReceiver, type TestReceiver } from './test-receiver';
import { installTripwire, type Tripwire } from './tripwire';

/** The notification the contract publishes. */
class ContractHappened {
  constructor(readonly id: string) {}
}

@WebhookEvent('Transport Contract', WebhookEventTypes.Other, { alias: 'contract.happened', notification: ContractHappened })
class ContractHappenedEvent extends WebhookEventBase<ContractHappened> {
  override convertNotificationToRequestPayload(notification: ContractHappened) {
    return { id: notification.id, title: 'Hello, wörld' };
  }
}

const head = (status: string, ...headers: string[]) => `HTTP/1.1 ${status}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;

/** Resolves with the next emission of a lifecycle event. */
function nextLifecycle<E extends keyof LifecycleEvents>(app: Hookwork, event: E): Promise<Parameters<LifecycleEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const listener = ((...args: Parameters<LifecycleEvents[E]>) => {
      clearTimeout(timer);
      app.lifecycle.off(event, listener as never);
      resolve(args[0]);
    }) as LifecycleEvents[E];
    const timer = setTimeout(() => {
      app.lifecycle.off(event, listener as never);
      reject(new Error(`no ${event} within 10 s`));
    }, 10_000).unref();
    app.lifecycle.on(event, listener as never);
  });
}

/**
 * The delivery guarantees every transport keeps, run through a real app against real receivers
 * on 127.0.0.1 (http, https with a self-signed certificate, and raw sockets for answers node:http
 * would never write): the signed bytes as the body, the request headers logged as they arrived,
 * keep-alive, no redirects followed, the status line deciding the attempt whatever happens to
 * the body, the body cap, the total deadline, the failure kinds (timeout, refused, reset, dns,
 * tls, ssrf), the SSRF guard at connect time in every spelling, and TLS verification with a
 * custom CA. hookwork runs it for `'axios'` and `'undici'`; a host's own transport (a factory
 * given the app's settings, resolver and TLS trust) can run it too.
 *
 * Calls jest's globals: call it from a jest test file.
 *
 * @param name - shown in the describe title.
 * @param transport - gives the `transport` option of each app the suite creates (called per app).
 */
export function describeTransportContract(name: string, transport: () => TransportChoice): void {
  requireJestGlobals('describeTransportContract');
  describe(`transport contract: ${name}`, () => {
    let app: Hookwork | undefined;
    const closers: (() => Promise<unknown>)[] = [];

    afterEach(async () => {
      await app?.stop();
      app = undefined;
      for (const close of closers.splice(0).reverse()) await close();
    });

    async function startApp(options: { settings?: HookworkSettingsInput; delivery?: HookworkOptions['delivery'] } = {}): Promise<Hookwork> {
      const choice = transport();
      // A ready transport is the host's, which the app does not close: the suite closes it after the app.
      if (typeof choice === 'object') closers.push(() => choice.close());
      app = createHookwork({
        composers: [{ compose: (builder) => void builder.webhookEvents().add(ContractHappenedEvent) }],
        transport: choice,
        ...(options.delivery ? { delivery: options.delivery } : {}),
        settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, retrySchedule: [50, 100], retryJitter: 0, period: 200, timeout: 2000, stopTimeout: 2000, ...options.settings },
      });
      await app.start();
      return app;
    }
    async function receiver(handler?: Parameters<typeof startTestReceiver>[0]): Promise<TestReceiver> {
      const started = await startTestReceiver(handler);
      closers.push(() => started.close());
      return started;
    }
    async function rawReceiver(answer: RawReceiver['answer']): Promise<RawReceiver> {
      const started = await startRawReceiver(answer);
      closers.push(() => started.close());
      return started;
    }
    const logOf = async (key: string) => (await app!.logs(key, { limit: 100 })).items.reverse();
    /**
     * A receiver that keeps connections alive for 5 s, answering 200 `ok`: the ids of the bodies it
     * received, in order, and how many connections were opened to it.
     */
    async function keepAliveReceiver(): Promise<{ port: number; received: string[]; connections: () => number }> {
      let connections = 0;
      const received: string[] = [];
      const server = http.createServer((request, response) => {
        let text = '';
        request.on('data', (chunk: Buffer) => (text += chunk.toString()));
        request.on('end', () => {
          received.push(JSON.parse(text).id);
          response.end('ok');
        });
      });
      server.on('connection', () => connections++);
      server.keepAliveTimeout = 5000;
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      closers.push(() => {
        server.closeAllConnections();
        return new Promise((resolve) => server.close(resolve));
      });
      return { port: (server.address() as AddressInfo).port, received, connections: () => connections };
    }
    /** One publish to `url`; the log entries of its webhook, oldest first. */
    async function deliverOnce(url: string, settings: HookworkSettingsInput = {}, options: { secret?: boolean; delivery?: HookworkOptions['delivery'] } = {}) {
      await startApp({ settings: { maximumRetries: 2, ...settings }, ...(options.delivery ? { delivery: options.delivery } : {}) });
      const webhook = await app!.webhooks.create({ url, events: ['contract.happened'], ...(options.secret ? { secret: true } : {}) });
      await app!.publish(new ContractHappened('c1'));
      await app!.drain();
      return { webhook, log: await logOf(webhook.key) };
    }

    describe('on the wire', () => {
      it('POSTs the stored JSON bytes, signed over exactly those bytes', async () => {
        const target = await receiver();
        const { webhook, log } = await deliverOnce(target.url, {}, { secret: true });
        const [request] = target.requests;
        expect(request!.method).toBe('POST');
        expect(request!.path).toBe('/hook');
        expect(request!.body.equals(Buffer.from(JSON.stringify({ id: 'c1', title: 'Hello, wörld' }), 'utf8'))).toBe(true);
        expect(request!.headers['content-type']).toBe('application/json');
        const { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature } = request!.headers as Record<string, string>;
        // verifySignature takes the number, so the header's text is checked as receivers read it: plain digits.
        expect(timestamp).toMatch(/^[1-9]\d{0,11}$/);
        expect(verifySignature(webhook.secret!, id!, Number(timestamp), request!.body, signature!)).toBe(true);
        expect(log.map((e) => [e.statusCode, e.outcome])).toEqual([[200, 'delivered']]);
      });

      it('logs the request headers exactly as they arrived, the HTTP client’s own included', async () => {
        const target = await receiver();
        await startApp();
        const webhook = await app!.webhooks.create({
          url: target.url,
          events: ['contract.happened'],
          headers: { 'X-Tenant': 'acme corp', Authorization: { value: 'Bearer abc', sensitive: true } },
          secret: true,
        });
        await app!.publish(new ContractHappened('h0'));
        await app!.drain();
        const asArrived = Object.fromEntries(Object.entries(target.requests[0]!.headers).map(([n, v]) => [n, String(v)]));
        const [entry] = await logOf(webhook.key);
        expect(entry!.requestHeaders).toEqual({ ...asArrived, authorization: REDACTED, 'webhook-signature': REDACTED });
        expect(Object.keys(entry!.requestHeaders)).toEqual(expect.arrayContaining(['host', 'content-length', 'connection', 'x-tenant', 'accept-encoding']));
      });

      it('logs the headers a before-send hook adds with their values redacted, unless the host lists them in loggedHeaders', async () => {
        const target = await receiver();
        await startApp({
          delivery: {
            loggedHeaders: ['x-request-id'],
            beforeSend: (request) => {
              request.headers['X-Api-Key'] = 'h00k-key';
              request.headers['x-request-id'] = 'req-7';
              request.headers['x-tenant'] = 'acme';
            },
          },
        });
        const webhook = await app!.webhooks.create({ url: target.url, events: ['contract.happened'], headers: { 'X-Tenant': 'acme', 'x-secret': { value: 'w3bhook-secret', sensitive: true } } });
        await app!.publish(new ContractHappened('h1'));
        await app!.drain();
        await app!.sendTestEvent(webhook.key);
        expect(target.requests.map((r) => r.headers['x-api-key'])).toEqual(['h00k-key', 'h00k-key']);
        const entries = await logOf(webhook.key);
        expect(entries.map((e) => e.outcome)).toEqual(['delivered', 'test']);
        for (const entry of entries) expect(entry.requestHeaders).toMatchObject({ 'x-api-key': REDACTED, 'x-request-id': 'req-7', 'x-tenant': 'acme', 'x-secret': REDACTED, 'user-agent': expect.stringMatching(/^hookwork\//), 'hookwork-retry-count': '0' });
        expect(JSON.stringify(entries)).not.toMatch(/h00k-key|w3bhook-secret/);
      });

      it('logs the response: status, headers as they came, body', async () => {
        const target = await receiver((_r, res) => {
          res.statusCode = 202;
          res.setHeader('x-answer', ['a', 'b']);
          res.end('accepted');
        });
        const { log } = await deliverOnce(target.url);
        expect(log[0]).toMatchObject({ statusCode: 202, outcome: 'delivered', responseBody: 'accepted' });
        expect(log[0]!.responseHeaders).toMatchObject({ 'x-answer': 'a, b', 'content-length': '8' });
        expect(log[0]!.errorMessage).toBeUndefined();
      });

      it('logs response headers named like Object\'s own properties as the strings they are', async () => {
        const target = await receiver((_r, res) => {
          res.setHeader('constructor', 'c1');
          res.setHeader('__proto__', ['p1', 'p2']);
          res.end('ok');
        });
        const { log } = await deliverOnce(target.url);
        const headers = log[0]!.responseHeaders;
        expect([Object.hasOwn(headers, 'constructor'), headers.constructor, Object.hasOwn(headers, '__proto__'), headers['__proto__']]).toEqual([true, 'c1', true, 'p1, p2']);
        expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
      });

      it('redacts the credentials a receiver answers with, in the log and in a test send’s result', async () => {
        const target = await receiver((_r, res) => {
          res.setHeader('set-cookie', ['session=c00kie-value; HttpOnly', 'csrf=second-c00kie']);
          res.setHeader('authentication-info', 'nextnonce="n0nce-value"');
          res.setHeader('proxy-authentication-info', 'nextnonce="pr0xy-n0nce"');
          res.setHeader('www-authenticate', 'Bearer realm="hooks"');
          res.end('ok');
        });
        const { webhook, log } = await deliverOnce(target.url);
        const tested = await app!.sendTestEvent(webhook.key);
        const entries = await logOf(webhook.key);
        expect(entries).toHaveLength(2);
        expect(log[0]!.responseHeaders).toMatchObject({ 'set-cookie': REDACTED, 'authentication-info': REDACTED, 'proxy-authentication-info': REDACTED, 'www-authenticate': 'Bearer realm="hooks"' });
        expect(tested.headers).toMatchObject({ 'set-cookie': REDACTED, 'authentication-info': REDACTED, 'proxy-authentication-info': REDACTED });
        const shown = JSON.stringify([entries, tested]);
        for (const secret of ['c00kie', 'n0nce']) expect(shown).not.toContain(secret);
      });

      it('redacts in the response body the request header values it redacted, when an echo service repeats them', async () => {
        const target = await receiver((request, res) => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ headers: request.headers }));
        });
        await startApp();
        const webhook = await app!.webhooks.create({ url: target.url, events: ['contract.happened'], headers: { Authorization: { value: 'Bearer 3cho-t0ken-value', sensitive: true } }, secret: true });
        await app!.publish(new ContractHappened('e1'));
        await app!.drain();
        const tested = await app!.sendTestEvent(webhook.key);
        const entries = await logOf(webhook.key);
        const signatures = target.requests.map((r) => String(r.headers['webhook-signature']).slice(3));
        for (const body of [...entries.map((e) => e.responseBody), tested.body]) {
          expect(JSON.parse(body).headers).toMatchObject({ authorization: REDACTED, 'webhook-signature': REDACTED, 'hookwork-event': 'contract.happened' });
          expect(body).not.toContain('t0ken');
          for (const signature of signatures) expect(body).not.toContain(signature);
        }
      });

      it('keeps connections alive: deliveries one after another share one connection', async () => {
        const server = await keepAliveReceiver();
        await startApp();
        const webhook = await app!.webhooks.create({ url: `http://127.0.0.1:${server.port}/hook`, events: ['contract.happened'] });
        for (const id of ['k1', 'k2', 'k3']) {
          await app!.publish(new ContractHappened(id));
          await app!.drain();
        }
        expect((await logOf(webhook.key)).map((e) => e.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
        expect(server.connections()).toBe(1);
      });

      it('requests and logs the webhook’s URL in its canonical form', async () => {
        const target = await receiver();
        await startApp();
        const webhook = await app!.webhooks.create({ url: `http://127.0.0.1:${target.port}/a/../hook/ü?q=ä`, events: ['contract.happened'] });
        await app!.publish(new ContractHappened('u1'));
        await app!.drain();
        expect(target.requests.map((r) => r.path)).toEqual(['/hook/%C3%BC?q=%C3%A4']);
        expect((await logOf(webhook.key)).map((e) => e.url)).toEqual([webhook.url]);
      });
    });

    describe('the headers the transport writes itself', () => {
      // A before-send hook's Content-Length short of the body made axios send it (the rest of the
      // body read as a second request on the connection), Transfer-Encoding next to axios'
      // Content-Length, and Host another virtual host; undici ignored, failed or logged them wrong.
      it.each([
        ['Content-Length', '5'],
        ['Transfer-Encoding', 'chunked'],
        ['Host', 'evil.internal'],
        ['connection', 'close'],
        ['Trailer', 'x-checksum'],
        ['Expect', '100-continue'],
        ['Upgrade', 'websocket'],
        ['Keep-Alive', 'timeout=5'],
      ])('refuses a before-send hook that sets %s: not sent, invalid, not retried, the log naming the header and the hook', async (name, value) => {
        const target = await receiver();
        const { log } = await deliverOnce(target.url, {}, { delivery: { beforeSend: (r) => ({ ...r, headers: { ...r.headers, [name]: value } }) } });
        expect(target.requests).toHaveLength(0);
        expect(log.map((e) => [e.errorKind, e.outcome])).toEqual([['invalid', 'dead']]);
        expect(log[0]!.errorMessage).toContain("the beforeSend hook's request cannot go on the wire unchanged");
        expect(log[0]!.errorMessage).toContain(`header ${name} is the transport's own`);
      });

      it('refuses a hook that sets one header twice under names that differ only in case', async () => {
        const target = await receiver();
        const { log } = await deliverOnce(target.url, {}, { delivery: { beforeSend: (r) => ({ ...r, headers: { ...r.headers, 'X-Tenant': 'a', 'x-tenant': 'b' } }) } });
        expect(target.requests).toHaveLength(0);
        expect(log.map((e) => [e.errorKind, e.outcome])).toEqual([['invalid', 'dead']]);
        expect(log[0]!.errorMessage).toContain('header x-tenant is set twice under names that differ only in case');
      });

      it('replaces the signature headers a hook wrote in another case: one signature goes out, and it verifies', async () => {
        const target = await receiver();
        const { webhook, log } = await deliverOnce(
          target.url,
          {},
          { secret: true, delivery: { beforeSend: (r) => ({ ...r, headers: { ...r.headers, 'Webhook-Signature': 'v1,Zm9yZ2Vk', 'WEBHOOK-ID': 'msg_forged' } }) } },
        );
        const [request] = target.requests;
        const { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature } = request!.headers as Record<string, string>;
        expect(id).not.toContain('forged');
        expect(signature).not.toContain('Zm9yZ2Vk');
        // verifySignature takes the number, so the header's text is checked as receivers read it: plain digits.
        expect(timestamp).toMatch(/^[1-9]\d{0,11}$/);
        expect(verifySignature(webhook.secret!, id!, Number(timestamp), request!.body, signature!)).toBe(true);
        expect(log.map((e) => e.outcome)).toEqual(['delivered']);
        expect(log[0]!.requestHeaders['webhook-id']).toBe(id);
      });

      it('refuses a webhook stored with such a header (written to the store directly): invalid, not retried', async () => {
        const target = await receiver();
        await startApp({ settings: { maximumRetries: 2 } });
        const now = new Date();
        await resolveToken(app!.container, WebhookRepositoryToken).create({
          key: 'stored-trailer',
          url: target.url,
          events: ['contract.happened'],
          contentTypeKeys: [],
          headers: { Trailer: 'x-checksum' },
          sensitiveHeaders: [],
          enabled: true,
          secrets: [],
          createdAt: now,
          updatedAt: now,
        });
        await app!.publish(new ContractHappened('t1'));
        await app!.drain();
        expect(target.requests).toHaveLength(0);
        const log = await logOf('stored-trailer');
        expect(log.map((e) => [e.errorKind, e.outcome])).toEqual([['invalid', 'dead']]);
        expect(log[0]!.errorMessage).toContain("not sent: webhook stored-trailer holds what HTTP cannot carry unchanged (header trailer is the transport's own");
      });
    });

    describe('redirects are not followed', () => {
      it.each(['301 Moved Permanently', '302 Found', '307 Temporary Redirect', '308 Permanent Redirect'])('a %s is a failure naming the target, sent once', async (status) => {
        const raw = await rawReceiver((socket) => socket.end(head(status, 'Location: /v2/hook', 'Content-Length: 0')));
        const { log } = await deliverOnce(raw.url, { maximumRetries: 0 });
        expect(raw.arrivals).toBe(1);
        expect(log).toHaveLength(1);
        expect(log[0]).toMatchObject({ statusCode: Number(status.slice(0, 3)), outcome: 'dead', errorMessage: `HTTP ${status.slice(0, 3)}: redirect to ${raw.url.replace('/hook', '/v2/hook')} not followed; update the webhook URL` });
      });

      it('masks the credentials of a Location in the log, its error message and the dead letter', async () => {
        const raw = await rawReceiver((socket) => socket.end(head('301 Moved Permanently', 'Location: https://deploy:hunter2-pw@hooks.example.com/v2/hook', 'Content-Location: //deploy:hunter2-pw@hooks.example.com/x', 'Content-Length: 0')));
        const { log } = await deliverOnce(raw.url, { maximumRetries: 0 });
        expect(log[0]!.errorMessage).toBe('HTTP 301: redirect to https://***@hooks.example.com/v2/hook not followed; update the webhook URL');
        expect(log[0]!.responseHeaders).toMatchObject({ location: 'https://***@hooks.example.com/v2/hook', 'content-location': '//***@hooks.example.com/x' });
        const dead = (await app!.deadLetters()).items;
        expect(dead[0]!.lastError).toContain('https://***@hooks.example.com/v2/hook');
        expect(JSON.stringify([log, dead])).not.toContain('hunter2');
      });

      it('tells a relative UTF-8 Location as the absolute canonical URL', async () => {
        const raw = await rawReceiver((socket) => socket.end(Buffer.concat([Buffer.from('HTTP/1.1 301 Moved Permanently\r\nLocation: /v2/h'), Buffer.from('ö', 'utf8'), Buffer.from('ok?x=1\r\nContent-Length: 0\r\n\r\n')])));
        const { log } = await deliverOnce(raw.url, { maximumRetries: 0 });
        expect(log[0]!.errorMessage).toBe(`HTTP 301: redirect to ${raw.url.replace('/hook', '/v2/h%C3%B6ok?x=1')} not followed; update the webhook URL`);
      });
    });

    describe('status codes', () => {
      it('retries a 500 with an increasing retry-count header until a 2xx', async () => {
        const target = await receiver((_r, res, index) => {
          res.statusCode = index < 2 ? 500 : 204;
          res.end();
        });
        const { log } = await deliverOnce(target.url);
        expect(target.requests.map((r) => r.headers['hookwork-retry-count'])).toEqual(['0', '1', '2']);
        expect(log.map((e) => [e.retryCount, e.statusCode, e.outcome])).toEqual([
          [0, 500, 'retrying'],
          [1, 500, 'retrying'],
          [2, 204, 'delivered'],
        ]);
      });

      it('disables the webhook on 410 Gone without retrying', async () => {
        const target = await receiver((_r, res) => {
          res.statusCode = 410;
          res.end('gone');
        });
        const { webhook, log } = await deliverOnce(target.url);
        expect(log.map((e) => [e.statusCode, e.outcome])).toEqual([[410, 'dead']]);
        expect((await app!.webhooks.get(webhook.key))!.enabled).toBe(false);
      });

      it('reads Retry-After from the response headers', async () => {
        const target = await receiver((_r, res, index) => {
          res.statusCode = index === 0 ? 429 : 200;
          if (index === 0) res.setHeader('retry-after', '1');
          res.end();
        });
        const { log } = await deliverOnce(target.url);
        expect(log.map((e) => [e.statusCode, e.outcome])).toEqual([
          [429, 'retrying'],
          [200, 'delivered'],
        ]);
        // The retry waited for Retry-After (1 s), not the 50 ms schedule.
        expect(log[1]!.date.getTime() - log[0]!.date.getTime()).toBeGreaterThanOrEqual(900);
      });

      it('reads a Retry-After sent twice with one value (logged joined, "1, 1") as that value', async () => {
        const raw = await rawReceiver((s, index) => s.end(index === 0 ? head('503 Service Unavailable', 'Retry-After: 1', 'Retry-After: 1', 'Content-Length: 0') : head('200 OK', 'Content-Length: 0')));
        const { log } = await deliverOnce(raw.url);
        expect(log.map((e) => [e.statusCode, e.outcome])).toEqual([
          [503, 'retrying'],
          [200, 'delivered'],
        ]);
        expect(log[0]!.responseHeaders['retry-after']).toBe('1, 1');
        expect(log[1]!.date.getTime() - log[0]!.date.getTime()).toBeGreaterThanOrEqual(900);
      });
    });

    describe('failures without a response', () => {
      it('bounds the whole attempt by the timeout (a receiver that never answers): timeout, then retried', async () => {
        const target = await receiver((_r, res, index) => {
          if (index > 0) res.end('late but fine');
        });
        const { log } = await deliverOnce(target.url, { timeout: 300 });
        expect(log.map((e) => [e.retryCount, e.errorKind, e.outcome])).toEqual([
          [0, 'timeout', 'retrying'],
          [1, undefined, 'delivered'],
        ]);
        expect(log[0]!.errorMessage).toBe('no complete response within 300 ms (the timeout setting)');
      });

      it('bounds a response head that trickles in by the same deadline', async () => {
        const raw = await rawReceiver((socket) => socket.write('HTTP/1.1 200 OK\r\nX-Slow: 1\r\n'));
        const { log } = await deliverOnce(raw.url, { timeout: 300, maximumRetries: 0 });
        expect(log.map((e) => [e.errorKind, e.outcome, e.errorMessage])).toEqual([['timeout', 'dead', 'no complete response within 300 ms (the timeout setting)']]);
      });

      it('a connection closed before the answer is reset, then retried', async () => {
        const target = await receiver((_r, res, index) => {
          if (index === 0) res.socket?.destroy();
          else res.end();
        });
        const { log } = await deliverOnce(target.url);
        expect(log.map((e) => [e.retryCount, e.errorKind, e.outcome])).toEqual([
          [0, 'reset', 'retrying'],
          [1, undefined, 'delivered'],
        ]);
      });

      it.each([
        ['with an Upgrade header', head('101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade') + 'raw bytes of another protocol'],
        ['without one', head('101 Switching Protocols')],
      ])('a 101 Switching Protocols (%s) to a request that asked for no upgrade is a failure at once, then retried', async (_what, answer) => {
        // The connection stays open: only the transport's own decision can end the attempt.
        const raw = await rawReceiver((socket, index) => (index === 0 ? socket.write(answer) : socket.end(head('200 OK', 'Content-Length: 0'))));
        const { log } = await deliverOnce(raw.url, { timeout: 20_000 });
        expect(log.map((e) => [e.retryCount, e.statusCode, e.errorKind, e.outcome])).toEqual([
          [0, undefined, 'other', 'retrying'],
          [1, 200, undefined, 'delivered'],
        ]);
        expect(log[0]!.errorMessage).toBe(UNASKED_UPGRADE);
        expect(log[0]!.durationMs).toBeLessThan(10_000);
      });

      it.each(['000', '099'])('a status line with status %s (below 100) is malformed HTTP, not a response: a failure, then retried', async (status) => {
        const raw = await rawReceiver((socket, index) => socket.end(index === 0 ? head(`${status} Odd`, 'Content-Length: 2') + 'ok' : head('200 OK', 'Content-Length: 0')));
        const { log } = await deliverOnce(raw.url);
        expect(log.map((e) => [e.retryCount, e.statusCode, e.errorKind, e.outcome])).toEqual([
          [0, undefined, 'other', 'retrying'],
          [1, 200, undefined, 'delivered'],
        ]);
        expect(log[0]!.errorMessage).toBe(malformedStatus(Number(status)));
      });

      it('a refused connection is refused', async () => {
        const { log } = await deliverOnce(`http://127.0.0.1:${await closedPort()}/hook`, { maximumRetries: 0 });
        expect(log.map((e) => [e.errorKind, e.outcome])).toEqual([['refused', 'dead']]);
        expect(log[0]!.errorMessage).toContain('ECONNREFUSED');
      });

      it('a name that does not resolve is dns', async () => {
        const resolver: HostResolver = async (hostname) => {
          throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
        };
        const { log } = await deliverOnce('http://nowhere.invalid/hook', { maximumRetries: 0 }, { delivery: { resolver } });
        expect(log.map((e) => [e.errorKind, e.outcome])).toEqual([['dns', 'dead']]);
      });

      it('stopping the app aborts an attempt waiting for its answer', async () => {
        const target = await receiver(() => undefined);
        await startApp({ settings: { stopTimeout: 100, timeout: 10_000 } });
        await app!.webhooks.create({ url: target.url, events: ['contract.happened'] });
        // Released, not failed: it counts for nothing (see docs/delivery.md, outcomes).
        const released = nextLifecycle(app!, 'attemptReleased');
        await app!.publish(new ContractHappened('s0'));
        await target.waitFor(1);
        await app!.stop();
        app = undefined;
        expect(await released).toMatchObject({ errorKind: 'aborted', outcome: 'released' });
      });
    });

    /** Every way a response body can fail after the status line, and what the status decides. */
    describe('the status line decides', () => {
      it.each<[string, (socket: net.Socket) => void, string, HookworkSettingsInput]>([
        ['Content-Length 100, 2 bytes, then a closed connection', (s) => s.end(head('200 OK', 'Content-Length: 100') + 'ok'), 'response body: the connection closed before the body ended (2 bytes read)', {}],
        [
          'a reset (RST) in the middle of the body',
          (s) => s.write(head('200 OK', 'Content-Length: 100') + 'ok', () => setTimeout(() => s.resetAndDestroy(), 20)),
          'response body: the connection was reset before the body ended (2 bytes read)',
          {},
        ],
        ['chunks that stop without the last chunk, then a closed connection', (s) => s.end(head('200 OK', 'Transfer-Encoding: chunked') + '2\r\nok\r\n'), 'response body: the connection closed before the body ended (2 bytes read)', {}],
        ['malformed chunking', (s) => s.end(head('200 OK', 'Transfer-Encoding: chunked') + 'zz\r\nok\r\n0\r\n\r\n'), 'response body: the receiver sent malformed HTTP (HPE_INVALID_CHUNK_SIZE', {}],
        ['a gzip Content-Encoding whose body is not gzip', (s) => s.end(head('200 OK', 'Content-Encoding: gzip', 'Content-Length: 8') + 'not gzip'), 'response body: it could not be decoded as its Content-Encoding says (Z_DATA_ERROR', {}],
        [
          'a br Content-Encoding whose body is not brotli',
          (s) => s.end(head('200 OK', 'Content-Encoding: br', 'Content-Length: 29') + 'not brotli at all, really not'),
          'response body: it could not be decoded as its Content-Encoding says (ERR__ERROR_FORMAT_',
          {},
        ],
        [
          'a gzip body cut short',
          (s) => {
            const zipped = gzipSync(Buffer.alloc(10_000, 'x'));
            s.end(Buffer.concat([Buffer.from(head('200 OK', 'Content-Encoding: gzip', `Content-Length: ${zipped.length}`)), zipped.subarray(0, zipped.length - 10)]));
          },
          'response body: ',
          {},
        ],
        ['a body over maxResponseBodyBytes', (s) => s.end(head('200 OK', 'Content-Length: 1000') + 'x'.repeat(1000)), 'response body: cut at maxResponseBodyBytes; the rest was not read', { maxResponseBodyBytes: 10 }],
        [
          'a body still trickling in at the deadline',
          (s) => s.write(head('200 OK', 'Content-Length: 100') + 'ok'),
          'response body: no complete response within 500 ms (the timeout setting): the body did not end in time (2 bytes read)',
          { timeout: 500 },
        ],
        // Every row has all four entries: jest takes a test function with more parameters than the row for one that wants done().
      ])('a 2xx is delivered once whatever happens to its body: %s', async (_what, answer, note, settings) => {
        const raw = await rawReceiver(answer);
        const { log } = await deliverOnce(raw.url, settings);
        expect(raw.arrivals).toBe(1);
        expect(log.map((e) => [e.statusCode, e.outcome, e.errorKind])).toEqual([[200, 'delivered', undefined]]);
        expect(log[0]!.errorMessage).toContain(note);
        expect(await app!.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
      });

      it('cuts a body at maxResponseBodyBytes and keeps what fits', async () => {
        const target = await receiver((_r, res) => void res.end('0123456789abcdef'));
        const { log } = await deliverOnce(target.url, { maxResponseBodyBytes: 10 });
        expect(log[0]).toMatchObject({ statusCode: 200, outcome: 'delivered', responseBody: '0123456789', errorMessage: 'response body: cut at maxResponseBodyBytes; the rest was not read' });
      });

      it('cuts an encoded body by its bytes on the wire too: endless empty deflate blocks are not read to the deadline', async () => {
        // A zlib header, then empty stored blocks (not final) without end: bytes, nothing decoded.
        const emptyBlocks = Buffer.concat([Buffer.from([0x78, 0x01]), Buffer.alloc(5 * 20_000, Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]))]);
        const raw = await rawReceiver((s) => {
          s.write(head('200 OK', 'Content-Encoding: deflate', 'Transfer-Encoding: chunked'));
          // Held open after 100 KB: without the cap on the wire, the read ends only at the deadline.
          s.write(`${emptyBlocks.length.toString(16)}\r\n`);
          s.write(emptyBlocks);
          s.write('\r\n');
        });
        const { log } = await deliverOnce(raw.url, { maxResponseBodyBytes: 1024 });
        expect(log.map((e) => [e.statusCode, e.outcome, e.responseBody])).toEqual([[200, 'delivered', '']]);
        expect(log[0]!.errorMessage).toBe('response body: cut at maxResponseBodyBytes: its first 6144 bytes on the wire (twice maxResponseBodyBytes plus 4 KiB) decoded to fewer than that; the rest was not read (0 bytes read)');
      });

      it.each<[string, (data: string) => Buffer]>([
        ['gzip', gzipSync],
        ['deflate', deflateSync],
        // Quality 4: the default 11 takes seconds over 1 MB.
        ['br', (data) => brotliCompressSync(data, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } })],
      ])('cuts a %s body that decodes past maxResponseBodyBytes at the cap and keeps its first bytes decoded, though more than the cap on the wire arrived at once', async (encoding, compress) => {
        // 1.1 MB of JSON, 180-285 KB compressed: more than the cap on the wire (twice 64 KiB plus
        // 4 KiB), sent in one write. zlib decodes on the thread pool, so none of it was decoded yet
        // when the wire cap cut the body: the entry kept nothing and said it decoded to too little.
        const json = JSON.stringify(Array.from({ length: 40_000 }, (_, i) => ({ id: i, key: ((i * 2654435761) >>> 0).toString(36) })));
        const encoded = compress(json);
        expect(encoded.length).toBeGreaterThan(2 * 65536 + 4096);
        const raw = await rawReceiver((s) => s.end(Buffer.concat([Buffer.from(head('200 OK', `Content-Encoding: ${encoding}`, `Content-Length: ${encoded.length}`)), encoded])));
        const { log } = await deliverOnce(raw.url);
        expect(log.map((e) => [e.statusCode, e.outcome, e.errorMessage])).toEqual([[200, 'delivered', 'response body: cut at maxResponseBodyBytes; the rest was not read']]);
        expect(log[0]!.responseBody).toBe(json.slice(0, 65536));
      });

      it('keeps what arrived of a broken body', async () => {
        const raw = await rawReceiver((s) => s.end(head('200 OK', 'Content-Length: 55', 'X-Seen: 1') + 'hello'));
        const { log } = await deliverOnce(raw.url);
        expect(log[0]).toMatchObject({ statusCode: 200, outcome: 'delivered', responseBody: 'hello', errorMessage: 'response body: the connection closed before the body ended (5 bytes read)' });
        expect(log[0]!.responseHeaders).toMatchObject({ 'content-length': '55', 'x-seen': '1' });
      });

      it('logs the response headers as they came, content-encoding too, and the body decoded', async () => {
        const zipped = gzipSync('hello');
        const raw = await rawReceiver((s) => s.end(Buffer.concat([Buffer.from(head('200 OK', 'Content-Encoding: gzip', `Content-Length: ${zipped.length}`)), zipped])));
        const { log } = await deliverOnce(raw.url);
        expect(log[0]).toMatchObject({ statusCode: 200, outcome: 'delivered', responseBody: 'hello' });
        expect(log[0]!.responseHeaders).toMatchObject({ 'content-encoding': 'gzip', 'content-length': String(zipped.length) });
        expect(log[0]!.errorMessage).toBeUndefined();
      });

      // The receiver cuts the compressed body and sends a Content-Length that matches the cut:
      // HTTP sees a whole body, only the decoder can tell it stops short.
      it.each<[string, string, (text: string) => Buffer]>([
        ['gzip', 'gzip', gzipSync],
        ['deflate (zlib-wrapped)', 'deflate', deflateSync],
        ['deflate (raw)', 'deflate', deflateRawSync],
        ['br', 'br', brotliCompressSync],
      ])('notes a %s body whose compressed data stops short, its Content-Length met, and keeps what decoded', async (_what, encoding, compress) => {
        const text = Array.from({ length: 2000 }, (_, i) => `line ${i * 7919 % 10007};`).join('');
        const whole = compress(text);
        const cut = whole.subarray(0, Math.floor(whole.length * 0.9));
        const raw = await rawReceiver((s) => s.end(Buffer.concat([Buffer.from(head('200 OK', `Content-Encoding: ${encoding}`, `Content-Length: ${cut.length}`)), cut])));
        const { log } = await deliverOnce(raw.url);
        expect(log.map((e) => [e.statusCode, e.outcome, e.errorKind])).toEqual([[200, 'delivered', undefined]]);
        expect(log[0]!.errorMessage).toMatch(/^response body: it could not be decoded as its Content-Encoding says: the compressed data stops short of its end \(Z_BUF_ERROR: unexpected end of file\) \(\d+ bytes read\)$/);
        const body = log[0]!.responseBody ?? '';
        expect(body.length).toBeLessThan(text.length);
        expect(text.startsWith(body)).toBe(true);
      });

      it.each(['gzip', 'deflate', 'br'])('reads an empty body with Content-Encoding %s as empty, with nothing to note', async (encoding) => {
        const raw = await rawReceiver((s) => s.end(head('200 OK', `Content-Encoding: ${encoding}`, 'Content-Length: 0')));
        const { log } = await deliverOnce(raw.url);
        expect(log[0]).toMatchObject({ statusCode: 200, outcome: 'delivered', responseBody: '' });
        expect(log[0]!.errorMessage).toBeUndefined();
      });

      it('decodes a whole br body', async () => {
        const zipped = brotliCompressSync('hello, brotli');
        const raw = await rawReceiver((s) => s.end(Buffer.concat([Buffer.from(head('200 OK', 'Content-Encoding: br', `Content-Length: ${zipped.length}`)), zipped])));
        const { log } = await deliverOnce(raw.url);
        expect(log[0]).toMatchObject({ statusCode: 200, outcome: 'delivered', responseBody: 'hello, brotli' });
        expect(log[0]!.errorMessage).toBeUndefined();
      });

      it.each([
        ['zlib-wrapped, as HTTP says', deflateSync],
        ['raw, without its zlib header, as some servers send it', deflateRawSync],
      ])('decodes a deflate body %s', async (_what, deflate) => {
        const raw = deflate('hello, raw deflate');
        const receiverOf = await rawReceiver((s) => s.end(Buffer.concat([Buffer.from(head('200 OK', 'Content-Encoding: deflate', `Content-Length: ${raw.length}`)), raw])));
        const { log } = await deliverOnce(receiverOf.url);
        expect(log[0]).toMatchObject({ statusCode: 200, outcome: 'delivered', responseBody: 'hello, raw deflate' });
        expect(log[0]!.errorMessage).toBeUndefined();
      });

      it('a body longer than its Content-Length is complete at Content-Length: delivered, nothing to note', async () => {
        const raw = await rawReceiver((s) => s.end(head('200 OK', 'Content-Length: 2') + 'okEXTRA BYTES'));
        const { log } = await deliverOnce(raw.url);
        expect(raw.arrivals).toBe(1);
        expect(log.map((e) => [e.statusCode, e.outcome, e.responseBody, e.errorMessage])).toEqual([[200, 'delivered', 'ok', undefined]]);
      });

      it.each([
        ['204 No Content', 'delivered'],
        ['304 Not Modified', 'retrying'],
      ])('a %s has no body whatever its Content-Length says: nothing to note', async (status, outcome) => {
        // RFC 9110 §8.6: a 304 may carry the Content-Length of the representation it stands for; a 204 must not, but some do.
        const raw = await rawReceiver((s) => s.write(head(status, 'Content-Length: 10')));
        const { log } = await deliverOnce(raw.url, { maximumRetries: 1 });
        expect(log[0]).toMatchObject({ statusCode: Number(status.slice(0, 3)), outcome, responseBody: '' });
        expect(log[0]!.errorMessage ?? '').not.toContain('response body');
      });

      it('a body without a length, read until the connection closes, is complete when it closes', async () => {
        const raw = await rawReceiver((s) => s.end('HTTP/1.0 200 OK\r\n\r\nall of it'));
        const { log } = await deliverOnce(raw.url);
        expect(log.map((e) => [e.statusCode, e.outcome, e.responseBody, e.errorMessage])).toEqual([[200, 'delivered', 'all of it', undefined]]);
      });

      it('a non-2xx with a broken body still gets its status’s verdict: a 503 is retried, then dead', async () => {
        const raw = await rawReceiver((s) => s.end(head('503 Service Unavailable', 'Content-Length: 100') + 'busy'));
        const { log } = await deliverOnce(raw.url, { maximumRetries: 1 });
        expect(raw.arrivals).toBe(2);
        expect(log.map((e) => [e.statusCode, e.outcome])).toEqual([
          [503, 'retrying'],
          [503, 'dead'],
        ]);
        expect(log[0]!.errorMessage).toBe('HTTP 503; response body: the connection closed before the body ended (4 bytes read)');
      });

      it('a 410 with a broken body still disables the webhook', async () => {
        const raw = await rawReceiver((s) => s.end(head('410 Gone', 'Content-Length: 100') + 'gone'));
        const { webhook, log } = await deliverOnce(raw.url);
        expect(log.map((e) => [e.statusCode, e.outcome])).toEqual([[410, 'dead']]);
        expect((await app!.webhooks.get(webhook.key))!.enabled).toBe(false);
      });

      it('a 2xx whose body is still arriving when the app stops counts as delivered, not given back', async () => {
        const raw = await rawReceiver((s) => s.write(head('200 OK', 'Content-Length: 100') + 'ok'));
        await startApp({ settings: { stopTimeout: 200, timeout: 10_000 } });
        await app!.webhooks.create({ url: raw.url, events: ['contract.happened'] });
        const succeeded = nextLifecycle(app!, 'attemptSucceeded');
        await app!.publish(new ContractHappened('s1'));
        while (raw.arrivals === 0) await new Promise((resolve) => setTimeout(resolve, 10));
        await new Promise((resolve) => setTimeout(resolve, 50));
        await app!.stop();
        app = undefined;
        expect(await succeeded).toMatchObject({ statusCode: 200, outcome: 'delivered', errorMessage: expect.stringContaining('response body: reading stopped: the app is stopping') });
      });

      it('a test send reports the status’s verdict and notes the body', async () => {
        const raw = await rawReceiver((s) => s.end(head('200 OK', 'Content-Length: 100') + 'ok'));
        await startApp();
        const webhook = await app!.webhooks.create({ url: raw.url, events: ['contract.happened'] });
        const result = await app!.sendTestEvent(webhook.key);
        expect(result).toMatchObject({ ok: true, statusCode: 200, body: 'ok', errorMessage: 'response body: the connection closed before the body ended (2 bytes read)' });
      });
    });

    describe('the SSRF guard, at connect time', () => {
      let tripwire: Tripwire;
      let target: TestReceiver;
      const lookups: string[] = [];

      /** Made-up names; nothing here is ever resolved by a real DNS server. */
      function resolverFor(table: Record<string, ResolvedAddress[] | (() => ResolvedAddress[])>): HostResolver {
        return async (hostname) => {
          lookups.push(hostname);
          const entry = table[hostname];
          if (!entry) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
          return typeof entry === 'function' ? entry() : entry;
        };
      }

      beforeEach(async () => {
        lookups.length = 0;
        tripwire = installTripwire();
        // Closing each connection makes the next request connect (and look up) again.
        target = await receiver((_r, res) => {
          res.setHeader('connection', 'close');
          res.end('ok');
        });
      });
      afterEach(async () => {
        await app?.stop();
        app = undefined;
        tripwire.uninstall();
        // The tripwire fails the test if anything tried to reach a non-loopback address.
        expect(tripwire.violations).toEqual([]);
      });

      it.each([
        ['a private address', [{ address: '10.0.0.1', family: 4 }]],
        ['the cloud metadata address', [{ address: '169.254.169.254', family: 4 }]],
        ['a unique-local IPv6 address', [{ address: 'fd00::1', family: 6 }]],
        ['IPv4-mapped loopback when loopback is not allowed', [{ address: '::ffff:127.0.0.1', family: 6 }]],
      ] as [string, ResolvedAddress[]][])('refuses a name that resolves to %s, without retrying', async (_what, addresses) => {
        await startApp({ settings: { ssrf: { allowInternal: false, allow: [] } }, delivery: { resolver: resolverFor({ 'hooks.internal.test': addresses }) } });
        const webhook = await app!.webhooks.create({ url: `http://hooks.internal.test:${target.port}/hook`, events: ['contract.happened'] });
        await app!.publish(new ContractHappened('s1'));
        await app!.drain();
        expect(lookups).toContain('hooks.internal.test');
        const [entry] = await logOf(webhook.key);
        expect(entry).toMatchObject({ errorKind: 'ssrf', outcome: 'dead', retryCount: 0 });
        expect(entry!.errorMessage).toContain('HOOKWORK_ERR_SSRF_BLOCKED');
        expect(entry!.errorMessage).toContain('ssrf.allow');
        expect(await app!.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 1 });
        expect(target.requests).toHaveLength(0);
      });

      it('connects to a name only at the addresses its answer holds that are allowed: the refused ones are never tried', async () => {
        // The tripwire (afterEach) fails the test if anything but loopback is connected to or handed to a socket.
        const answer: ResolvedAddress[] = [
          { address: '10.0.0.1', family: 4 },
          { address: '::ffff:169.254.169.254', family: 6 },
          { address: '127.0.0.1', family: 4 },
        ];
        await startApp({ settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] } }, delivery: { resolver: resolverFor({ 'hooks.internal.test': answer }) } });
        const webhook = await app!.webhooks.create({ url: `http://hooks.internal.test:${target.port}/hook`, events: ['contract.happened'] });
        await app!.publish(new ContractHappened('mixed'));
        await app!.drain();
        expect((await logOf(webhook.key)).map((e) => [e.errorKind, e.outcome])).toEqual([[undefined, 'delivered']]);
        expect(target.requests).toHaveLength(1);
      });

      it('refuses a name answering an IPv4-mapped address under an IPv6 allow entry: ::/0 allows IPv6 addresses, not the IPv4 ones mapped into it', async () => {
        await startApp({ settings: { ssrf: { allowInternal: false, allow: ['::/0'] } }, delivery: { resolver: resolverFor({ 'hooks.internal.test': [{ address: '::ffff:127.0.0.1', family: 6 }] }) } });
        const webhook = await app!.webhooks.create({ url: `http://hooks.internal.test:${target.port}/hook`, events: ['contract.happened'] });
        expect(await app!.sendTestEvent(webhook.key)).toMatchObject({ ok: false, errorKind: 'ssrf' });
        expect(target.requests).toHaveLength(0);
      });

      it.each(['http://169.254.169.254/latest/meta-data/', 'http://10.1.2.3:8080/hook', 'http://[fd00::1]/hook', 'http://[::ffff:7f00:1]:9/hook', 'http://0.0.0.0:9/hook', 'http://2130706433:9/hook', 'http://0x7f.1:9/hook', 'http://[64:ff9b:1::a9fe:a9fe]/latest/meta-data/', 'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook', 'http://192.0.2.10/hook'])(
        'refuses the IP-literal URL %s before connecting',
        async (url) => {
          await startApp({ settings: { ssrf: { allowInternal: false, allow: [] } } });
          const webhook = await app!.webhooks.create({ url, events: ['contract.happened'] });
          await app!.publish(new ContractHappened('s2'));
          await app!.drain();
          expect((await logOf(webhook.key)).map((e) => [e.errorKind, e.outcome])).toEqual([['ssrf', 'dead']]);
        },
      );

      it.each([
        ['bare strings (as dns.promises.resolve4 gives)', ['127.0.0.1']],
        ['one address, not in a list', { address: '127.0.0.1', family: 4 }],
        ['a null entry', [null, { address: '127.0.0.1', family: 4 }]],
        ['something that is not an IP address', [{ address: 'nonsense', family: 4 }]],
      ])('a resolver answering %s fails the attempt with the coded error, not an unhandled rejection', async (_what, answer) => {
        const unhandled: unknown[] = [];
        const onUnhandled = (reason: unknown) => void unhandled.push(reason);
        process.on('unhandledRejection', onUnhandled);
        try {
          const resolver = (async () => answer) as unknown as HostResolver;
          await startApp({ settings: { maximumRetries: 0, timeout: 20_000 }, delivery: { resolver } });
          const webhook = await app!.webhooks.create({ url: `http://hooks.internal.test:${target.port}/hook`, events: ['contract.happened'] });
          await app!.publish(new ContractHappened('bad-answer'));
          await app!.drain();
          const [entry] = await logOf(webhook.key);
          expect(entry).toMatchObject({ errorKind: 'dns', outcome: 'dead' });
          expect(entry!.errorMessage).toMatch(/^HOOKWORK_ERR_INVALID_RESOLVER_ANSWER: delivery\.resolver answered hooks\.internal\.test with .*; it must resolve to an array of \{ address, family \}/);
          expect(target.requests).toHaveLength(0);
          await new Promise((resolve) => setImmediate(resolve));
          expect(unhandled).toEqual([]);
        } finally {
          process.off('unhandledRejection', onUnhandled);
        }
      });

      it('takes an answer’s family from its address, not from the resolver’s family field', async () => {
        const resolver = (async () => [{ address: '127.0.0.1', family: 0 }]) as unknown as HostResolver;
        await startApp({ delivery: { resolver } });
        const webhook = await app!.webhooks.create({ url: `http://hooks.internal.test:${target.port}/hook`, events: ['contract.happened'] });
        await app!.publish(new ContractHappened('family-0'));
        await app!.drain();
        expect((await logOf(webhook.key)).map((e) => [e.errorKind, e.outcome])).toEqual([[undefined, 'delivered']]);
      });

      it('refuses a rebinding name whose second answer turns internal', async () => {
        let calls = 0;
        await startApp({
          settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] } },
          delivery: { resolver: resolverFor({ 'rebind.test': () => [{ address: calls++ === 0 ? '127.0.0.1' : '10.0.0.1', family: 4 }] }) },
        });
        const webhook = await app!.webhooks.create({ url: `http://rebind.test:${target.port}/hook`, events: ['contract.happened'] });
        await app!.publish(new ContractHappened('first'));
        await app!.drain();
        await app!.publish(new ContractHappened('second'));
        await app!.drain();
        expect(target.requests.map((r) => JSON.parse(r.text).id)).toEqual(['first']);
        expect((await logOf(webhook.key)).map((e) => [e.errorKind, e.outcome])).toEqual([
          [undefined, 'delivered'],
          ['ssrf', 'dead'],
        ]);
        expect(calls).toBe(2);
      });

      it('judges a kept-alive connection again once the ssrf setting changes: a name it no longer allows gets nothing more over it', async () => {
        // Keeps its connections alive for 5 s (the suite's target closes each one; the test
        // receiver's 1 s is too short for the clients, which keep a second's margin).
        const kept = await keepAliveReceiver();
        const { received } = kept;
        await startApp({
          settings: { ssrf: { allowInternal: false, allow: ['hooks.internal.test'] } },
          delivery: { resolver: resolverFor({ 'hooks.internal.test': [{ address: '127.0.0.1', family: 4 }] }) },
        });
        const webhook = await app!.webhooks.create({ url: `http://hooks.internal.test:${kept.port}/hook`, events: ['contract.happened'] });
        await app!.publish(new ContractHappened('allowed'));
        await app!.drain();
        // Another setting changed: the connection is kept and used again, with no new lookup.
        app!.updateSettings({ maximumRetries: 2 });
        await app!.publish(new ContractHappened('kept'));
        await app!.drain();
        expect(lookups).toEqual(['hooks.internal.test']);
        // Before, the pooled connection carried this one too, though nothing allows the name any more.
        app!.updateSettings({ ssrf: { allowInternal: false, allow: [] } });
        await app!.publish(new ContractHappened('refused'));
        await app!.drain();
        expect(received).toEqual(['allowed', 'kept']);
        const log = await logOf(webhook.key);
        expect(log.map((e) => [e.errorKind, e.outcome])).toEqual([
          [undefined, 'delivered'],
          [undefined, 'delivered'],
          ['ssrf', 'dead'],
        ]);
        expect(log[2]!.errorMessage).toMatch(/^HOOKWORK_ERR_SSRF_BLOCKED: delivery to hooks\.internal\.test \(127\.0\.0\.1\) was refused: it is a loopback address/);
      });

      it('keeps its pooled connections when the ssrf setting only allows more, and judges them again when it forbids anything', async () => {
        const kept = await keepAliveReceiver();
        const { received } = kept;
        await startApp({
          settings: { ssrf: { allowInternal: false, allow: ['hooks.internal.test'] } },
          delivery: { resolver: resolverFor({ 'hooks.internal.test': [{ address: '127.0.0.1', family: 4 }] }) },
        });
        await app!.webhooks.create({ url: `http://hooks.internal.test:${kept.port}/hook`, events: ['contract.happened'] });
        const deliver = async (id: string) => {
          await app!.publish(new ContractHappened(id));
          await app!.drain();
        };
        await deliver('first');
        // Each change allows all the last one did, and more: the one connection carries them all.
        app!.updateSettings({ ssrf: { allowInternal: false, allow: ['hooks.internal.test', '10.0.0.0/8'] } });
        await deliver('entry-added');
        app!.updateSettings({ ssrf: { allowInternal: false, allow: ['10.0.0.0/8', 'hooks.internal.test', 'other.internal.test:8443'] } });
        await deliver('port-limited-entry-added');
        app!.updateSettings({ ssrf: { allowInternal: true, allow: [] } });
        await deliver('all-internal');
        expect([kept.connections(), lookups]).toEqual([1, ['hooks.internal.test']]);
        // allowInternal off again forbids much: the connection is judged again (still allowed by
        // name). The axios transport judges each pooled socket and keeps this one; undici cannot
        // judge a pooled connection, so it connects afresh under the new setting.
        app!.updateSettings({ ssrf: { allowInternal: false, allow: ['hooks.internal.test'] } });
        await deliver('narrowed');
        expect(received).toEqual(['first', 'entry-added', 'port-limited-entry-added', 'all-internal', 'narrowed']);
        expect(kept.connections()).toBe(name === 'undici' ? 2 : 1);
      });

      it('allows a listed host name, CIDR, or everything with allowInternal', async () => {
        await startApp({
          settings: { ssrf: { allowInternal: false, allow: ['hooks.internal.test'] } },
          delivery: { resolver: resolverFor({ 'hooks.internal.test': [{ address: '127.0.0.1', family: 4 }] }) },
        });
        await app!.webhooks.create({ url: `http://hooks.internal.test:${target.port}/hook`, events: ['contract.happened'] });
        await app!.publish(new ContractHappened('by-name'));
        await app!.drain();
        app!.updateSettings({ ssrf: { allowInternal: false, allow: ['127.0.0.0/8'] } });
        await app!.publish(new ContractHappened('by-cidr'));
        await app!.drain();
        app!.updateSettings({ ssrf: { allowInternal: true, allow: [] } });
        await app!.publish(new ContractHappened('all-internal'));
        await app!.drain();
        expect(target.requests.map((r) => JSON.parse(r.text).id)).toEqual(['by-name', 'by-cidr', 'all-internal']);
      });

      it('allows an entry limited to a port on that port only: an IP, and a name resolved at connect time', async () => {
        // Another local service: what a bare 127.0.0.1 entry would have let a webhook (and its test send) reach.
        const other = await receiver();
        await startApp({
          settings: { ssrf: { allowInternal: false, allow: [`127.0.0.1:${target.port}`, `hooks.internal.test:${target.port}`] }, maximumRetries: 2 },
          delivery: { resolver: resolverFor({ 'hooks.internal.test': [{ address: '127.0.0.1', family: 4 }] }) },
        });
        const byIp = await app!.webhooks.create({ url: target.url, events: ['contract.happened'] });
        const byName = await app!.webhooks.create({ url: `http://hooks.internal.test:${target.port}/hook`, events: ['contract.happened'] });
        const otherByIp = await app!.webhooks.create({ url: other.url, events: ['contract.happened'] });
        const otherByName = await app!.webhooks.create({ url: `http://hooks.internal.test:${other.port}/hook`, events: ['contract.happened'] });
        await app!.publish(new ContractHappened('port'));
        await app!.drain();
        expect(target.requests).toHaveLength(2);
        expect(other.requests).toHaveLength(0);
        for (const webhook of [byIp, byName]) expect((await logOf(webhook.key)).map((e) => e.outcome)).toEqual(['delivered']);
        for (const webhook of [otherByIp, otherByName]) {
          const log = await logOf(webhook.key);
          expect(log.map((e) => [e.errorKind, e.outcome])).toEqual([['ssrf', 'dead']]);
          expect(log[0]!.errorMessage).toContain(`127.0.0.1:${other.port}`);
        }
        const tested = await app!.sendTestEvent(otherByIp.key);
        expect(tested).toMatchObject({ ok: false, errorKind: 'ssrf' });
        expect(other.requests).toHaveLength(0);
      });

      it('refuses another port before connecting to it, by IP and by name: a refusal cannot tell open local ports from closed ones', async () => {
        let connections = 0;
        const listener = net.createServer((socket) => {
          connections++;
          socket.destroy();
        });
        await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
        closers.push(() => new Promise((resolve) => listener.close(resolve)));
        const port = (listener.address() as AddressInfo).port;
        await startApp({
          settings: { ssrf: { allowInternal: false, allow: [`127.0.0.1:${target.port}`, `hooks.internal.test:${target.port}`] }, maximumRetries: 0 },
          delivery: { resolver: resolverFor({ 'hooks.internal.test': [{ address: '127.0.0.1', family: 4 }] }) },
        });
        for (const url of [`http://127.0.0.1:${port}/hook`, `http://hooks.internal.test:${port}/hook`]) {
          const webhook = await app!.webhooks.create({ url, events: ['contract.happened'] });
          expect(await app!.sendTestEvent(webhook.key)).toMatchObject({ ok: false, errorKind: 'ssrf' });
        }
        expect(connections).toBe(0);
      });

      it('(the tripwire itself) blocks and records a connect the guard let through', async () => {
        await startApp({
          settings: { ssrf: { allowInternal: true, allow: [] }, maximumRetries: 0 },
          delivery: { resolver: resolverFor({ 'hooks.internal.test': [{ address: '10.0.0.1', family: 4 }] }) },
        });
        await app!.webhooks.create({ url: `http://hooks.internal.test:${target.port}/hook`, events: ['contract.happened'] });
        await app!.publish(new ContractHappened('tripped'));
        await app!.drain();
        expect(tripwire.violations).toEqual(['10.0.0.1']);
        tripwire.violations.length = 0;
      });

      it('refuses loopback by default, and sendTestEvent reports the refusal', async () => {
        await startApp({ settings: { ssrf: { allowInternal: false, allow: [] } } });
        const webhook = await app!.webhooks.create({ url: target.url, events: ['contract.happened'] });
        const result = await app!.sendTestEvent(webhook.key);
        expect(result).toMatchObject({ ok: false, errorKind: 'ssrf' });
        expect(target.requests).toHaveLength(0);
      });
    });

    describe('https receivers: certificates verified', () => {
      let url: string;
      let bodies: string[];

      beforeEach(async () => {
        bodies = [];
        const server = https.createServer({ cert: TEST_RECEIVER_CERT, key: TEST_RECEIVER_KEY }, (req, res) => {
          let body = '';
          req.on('data', (c: Buffer) => (body += c.toString()));
          req.on('end', () => {
            bodies.push(body);
            res.writeHead(200).end('ok');
          });
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        closers.push(() => {
          server.closeAllConnections();
          return new Promise((resolve) => server.close(resolve));
        });
        url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      });

      it('refuses a receiver whose certificate it cannot verify (Cockpit sends with verification off)', async () => {
        const { log } = await deliverOnce(url, { maximumRetries: 0 });
        expect(bodies).toEqual([]);
        expect(log[0]).toMatchObject({ errorKind: 'tls', outcome: 'dead' });
        expect(log[0]!.errorMessage).toMatch(/self.signed|certificate/i);
      });

      it('verifies certificates even with NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment', async () => {
        // The process's own environment, which Node's tls reads: jest gives a test a copy of it.
        const real = runInThisContext('process') as NodeJS.Process;
        const before = real.env.NODE_TLS_REJECT_UNAUTHORIZED;
        // Node warns once per process when it sees the variable; the warning is not this test's.
        const warn = real.emitWarning;
        real.emitWarning = () => undefined;
        real.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
        try {
          const { log } = await deliverOnce(url, { maximumRetries: 0 });
          expect(bodies).toEqual([]);
          expect(log[0]).toMatchObject({ errorKind: 'tls', outcome: 'dead' });
        } finally {
          if (before === undefined) delete real.env.NODE_TLS_REJECT_UNAUTHORIZED;
          else real.env.NODE_TLS_REJECT_UNAUTHORIZED = before;
          real.emitWarning = warn;
        }
      });

      it('delivers to a receiver behind an internal CA the host trusts with delivery.tls.ca', async () => {
        const { log } = await deliverOnce(url, {}, { delivery: { tls: { ca: TEST_RECEIVER_CERT } } });
        expect(bodies.map((b) => JSON.parse(b))).toEqual([{ id: 'c1', title: 'Hello, wörld' }]);
        expect(log.map((e) => e.outcome)).toEqual(['delivered']);
      });
    });
  });
}
