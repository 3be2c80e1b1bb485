import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { Hookwork } from '../composition/hookwork-app';
import { REDACTED } from '../model/webhook';
import { headerRecord, startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { nextLifecycle, startTestApp, ThingHappened } from '../test-support/test-app';

describe('delivery on the wire', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;

  beforeEach(async () => {
    receiver = await startTestReceiver();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver.close();
  });

  it('POSTs the stored JSON with the framework headers, the custom headers and a signature standardwebhooks verifies', async () => {
    app = await startTestApp();
    const created = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], headers: { 'x-tenant': 'blue' }, secret: true });
    await app.publish(new ThingHappened('t1', { title: 'Hello, wörld' }));
    const [request] = await receiver.waitFor(1);
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/hook');
    expect(JSON.parse(request!.text)).toEqual({ id: 't1', title: 'Hello, wörld' });
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'hookwork/0.1.0',
      'hookwork-event': 'thing.happened',
      'hookwork-retry-count': '0',
      'x-tenant': 'blue',
    });
    expect(request!.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    const verified = new StandardWebhook(created.secret!).verify(request!.text, headerRecord(request!));
    expect(verified).toEqual({ id: 't1', title: 'Hello, wörld' });
  });

  it('signs every retry afresh with the same webhook-id, and standardwebhooks verifies the retry too', async () => {
    app = await startTestApp();
    receiver.handler = (_r, res, index) => {
      res.statusCode = index === 0 ? 500 : 200;
      res.end();
    };
    const created = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], secret: true });
    await app.publish(new ThingHappened('t2'));
    const [first, retry] = await receiver.waitFor(2);
    const verifier = new StandardWebhook(created.secret!);
    expect(() => verifier.verify(first!.text, headerRecord(first!))).not.toThrow();
    expect(verifier.verify(retry!.text, headerRecord(retry!))).toEqual({ id: 't2' });
    expect(retry!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(retry!.headers['hookwork-retry-count']).toBe('1');
    await app.drain();
  });

  it('signs with every secret during a rotation, and a receiver holding either secret verifies', async () => {
    app = await startTestApp();
    const created = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], secret: true });
    const rotated = await app.webhooks.rotateSecret(created.key);
    await app.publish(new ThingHappened('t3'));
    const [request] = await receiver.waitFor(1);
    expect(String(request!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [created.secret!, rotated.secret]) {
      expect(() => new StandardWebhook(secret).verify(request!.text, headerRecord(request!))).not.toThrow();
    }
  });

  it('stops signing with a rotated-out secret once its grace period is over', async () => {
    // Svix's server went on signing with expired secrets (svix/svix-webhooks#613): a receiver that
    // still accepted the old one went on accepting requests signed with a secret meant to be dead.
    app = await startTestApp();
    const created = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], secret: true });
    const rotated = await app.webhooks.rotateSecret(created.key, { gracePeriodMs: 300 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    await app.publish(new ThingHappened('after-grace'));
    const [request] = await receiver.waitFor(1);
    expect(String(request!.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => new StandardWebhook(rotated.secret).verify(request!.text, headerRecord(request!))).not.toThrow();
    expect(() => new StandardWebhook(created.secret!).verify(request!.text, headerRecord(request!))).toThrow();
  });

  it('sends webhook-id and webhook-timestamp but no signature for a webhook without secrets', async () => {
    app = await startTestApp();
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('t4'));
    const [request] = await receiver.waitFor(1);
    expect(request!.headers['webhook-signature']).toBeUndefined();
    expect(request!.headers['webhook-id']).toMatch(/^msg_/);
    expect(Number(request!.headers['webhook-timestamp'])).toBeGreaterThan(1_600_000_000);
  });

  it("uses Umbraco's header names with headers.style umbraco", async () => {
    app = await startTestApp({ settings: { headers: { style: 'umbraco', event: 'umb-webhook-event', retryCount: 'umb-webhook-retrycount' } } });
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('t5'));
    const [request] = await receiver.waitFor(1);
    expect(request!.headers).toMatchObject({ 'umb-webhook-event': 'thing.happened', 'umb-webhook-retrycount': '0' });
  });

  it('logs the attempt with the signature and sensitive headers redacted, and the response', async () => {
    app = await startTestApp();
    receiver.handler = (_r, res) => {
      res.setHeader('x-receiver', 'yes');
      res.end('thanks');
    };
    const created = await app.webhooks.create({
      url: receiver.url,
      events: ['thing.happened'],
      headers: { authorization: { value: 'Bearer s3cr3t-token', sensitive: true }, 'x-plain': 'visible' },
      secret: true,
    });
    await app.publish(new ThingHappened('t6'));
    await app.drain();
    const [request] = receiver.requests;
    expect(request!.headers.authorization).toBe('Bearer s3cr3t-token');
    const { items, total } = await app.logs(created.key);
    expect(total).toBe(1);
    const entry = items[0]!;
    expect(entry).toMatchObject({ outcome: 'delivered', statusCode: 200, retryCount: 0, url: receiver.url, eventAlias: 'thing.happened', responseBody: 'thanks', requestBody: request!.text });
    expect(entry.requestId).toBe(request!.headers['webhook-id']);
    expect(entry.responseHeaders['x-receiver']).toBe('yes');
    expect(entry.requestHeaders.authorization).toBe(REDACTED);
    expect(entry.requestHeaders['webhook-signature']).toBe(REDACTED);
    expect(entry.requestHeaders['x-plain']).toBe('visible');
    const serialized = JSON.stringify(items);
    expect(serialized).not.toContain('s3cr3t-token');
    expect(serialized).not.toContain(String(request!.headers['webhook-signature']).slice(3, 20));
    expect(serialized).not.toContain(created.secret!.slice(6));
  });

  it('lets a before-send hook change the URL, headers and body, and signs the body it produced', async () => {
    const other = await startTestReceiver();
    try {
      app = await startTestApp({
        delivery: {
          beforeSend(request, context) {
            request.url = other.url + '?tenant=blue';
            request.headers['x-auth'] = `token-for-${context.eventAlias}`;
            return { ...request, body: JSON.stringify({ wrapped: JSON.parse(request.body) }) };
          },
        },
      });
      const created = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], secret: true });
      await app.publish(new ThingHappened('t7'));
      const [request] = await other.waitFor(1);
      expect(receiver.requests).toHaveLength(0);
      expect(request!.path).toBe('/hook?tenant=blue');
      expect(request!.headers['x-auth']).toBe('token-for-thing.happened');
      expect(new StandardWebhook(created.secret!).verify(request!.text, headerRecord(request!))).toEqual({ wrapped: { id: 't7' } });
    } finally {
      await app?.stop();
      app = undefined;
      await other.close();
    }
  });

  it('logs the query values a before-send hook adds to the URL as [redacted], and the webhook URL’s own query as it is', async () => {
    app = await startTestApp({
      delivery: {
        beforeSend(request) {
          request.url = `${request.url}&token=h00k-t0ken&flag`;
        },
      },
    });
    const created = await app.webhooks.create({ url: `${receiver.url}?tenant=blue`, events: ['thing.happened'] });
    await app.publish(new ThingHappened('t8'));
    await app.drain();
    await app.sendTestEvent(created.key);
    expect(receiver.requests.map((r) => r.path)).toEqual(['/hook?tenant=blue&token=h00k-t0ken&flag', '/hook?tenant=blue&token=h00k-t0ken&flag']);
    const { items } = await app.logs(created.key);
    expect(items.map((e) => e.url)).toEqual([`${receiver.url}?tenant=blue&token=${REDACTED}&${REDACTED}`, `${receiver.url}?tenant=blue&token=${REDACTED}&${REDACTED}`]);
    expect(JSON.stringify(items)).not.toContain('h00k-t0ken');
  });

  it('sendTestEvent sends one signed example now, returns the answer, logs it as test and queues nothing', async () => {
    app = await startTestApp();
    receiver.handler = (_r, res) => {
      res.statusCode = 202;
      res.setHeader('x-seen', '1');
      res.end('accepted');
    };
    const created = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], secret: true, enabled: false });
    const result = await app.sendTestEvent(created.key);
    expect(result).toMatchObject({ ok: true, statusCode: 202, body: 'accepted' });
    expect(result.headers['x-seen']).toBe('1');
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    const [request] = receiver.requests;
    const payload = new StandardWebhook(created.secret!).verify(request!.text, headerRecord(request!)) as Record<string, unknown>;
    expect(payload).toMatchObject({ event: 'thing.happened', test: true });
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    const { items } = await app.logs(created.key);
    expect(items.map((e) => e.outcome)).toEqual(['test']);
    await expect(app.sendTestEvent('no-such-webhook')).rejects.toMatchObject({ code: 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND' });
  });

  it('sendTestEvent reports a failure once, without retrying', async () => {
    app = await startTestApp();
    receiver.handler = (_r, res) => {
      res.statusCode = 500;
      res.end('boom');
    };
    const created = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const result = await app.sendTestEvent(created.key, { alias: 'thing.happened' });
    expect(result).toMatchObject({ ok: false, statusCode: 500, body: 'boom' });
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests).toHaveLength(1);
  });

  it('emits attemptSucceeded with the status', async () => {
    app = await startTestApp();
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const succeeded = nextLifecycle(app, 'attemptSucceeded');
    await app.publish(new ThingHappened('t8'));
    expect(await succeeded).toMatchObject({ statusCode: 200, outcome: 'delivered', retryCount: 0, eventAlias: 'thing.happened' });
  });
});
