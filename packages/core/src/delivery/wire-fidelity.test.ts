import type { Hookwork } from '../composition/hookwork-app';
import type { Webhook } from '../model/webhook';
import { WebhookRepositoryToken } from '../ports/webhook-repository';
import { resolveToken } from '../runtime/tokens';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import type { BeforeSendHook } from './delivery-options';
import { startTestApp, ThingHappened } from '../test-support/test-app';

/** What goes on the wire is what was validated and what the log shows. */
describe('what is sent is what is stored and logged', () => {
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

  const logOf = async (key: string) => (await app!.logs(key, { limit: 100 })).items.reverse();

  /** Publishes once with `beforeSend` and returns the single log entry and dead letter. */
  async function sendThroughHook(beforeSend: BeforeSendHook) {
    app = await startTestApp({ delivery: { beforeSend } });
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('h1'));
    await app.drain();
    const log = await logOf(webhook.key);
    const dead = (await app.deadLetters()).items;
    return { log, dead };
  }

  it.each([
    ['Chinese text', 'x-site-name', '测试站点', 'header x-site-name value contains "测" (U+6D4B) at character 1'],
    ['a euro sign in a credential', 'authorization', 'Bearer k€y-42', 'header authorization value contains "€" (U+20AC) at character 9'],
    ['a control character', 'x-flags', 'a\u0001b', 'header x-flags value contains U+0001 at character 2'],
    ['a line break', 'x-flags', 'a\r\nX-Injected: 1', 'header x-flags value contains U+000D (carriage return, CR) at character 2 (a line break would end the header: header injection)'],
  ])('does not send what a before-send hook set when a header value holds %s: a dead letter with a clear error, not retried', async (_what, name, value, problem) => {
    const { log, dead } = await sendThroughHook((request) => {
      request.headers[name] = value;
    });
    expect(receiver.requests).toHaveLength(0);
    expect(log.map((e) => [e.errorKind, e.outcome, e.retryCount])).toEqual([['invalid', 'dead', 0]]);
    expect(log[0]!.errorMessage).toContain(`not sent: the beforeSend hook's request cannot go on the wire unchanged (${problem}; header values are visible ASCII, space and tab (RFC 9110 §5.5)`);
    expect(log[0]!.errorMessage).not.toContain('k€y');
    expect(dead).toHaveLength(1);
    expect(dead[0]!.lastError).toMatch(/^invalid: not sent: the beforeSend hook's request/);
  });

  it('does not send a before-send hook’s body holding a lone surrogate, which UTF-8 would turn into U+FFFD', async () => {
    const { log } = await sendThroughHook((request) => ({ ...request, body: JSON.stringify({ note: 'x' }).replace('x', '\ud800') }));
    expect(receiver.requests).toHaveLength(0);
    expect(log.map((e) => [e.errorKind, e.outcome])).toEqual([['invalid', 'dead']]);
    expect(log[0]!.errorMessage).toContain('body contains a lone surrogate (U+D800), which UTF-8 cannot carry');
  });

  it('does not send to a before-send hook’s URL holding a tab (a URL parser would drop it), and says why', async () => {
    const { log } = await sendThroughHook((request) => {
      request.url = `${receiver.origin}/ho\tok`;
    });
    expect(receiver.requests).toHaveLength(0);
    expect(log.map((e) => [e.errorKind, e.outcome])).toEqual([['invalid', 'dead']]);
    expect(log[0]!.errorMessage).toContain('url contains U+0009 (tab) at character');
    expect(log[0]!.url).toBe(`${receiver.origin}/ho\tok`);
  });

  it.each([
    ['in the usual form', (origin: string) => origin.replace('http://', 'http://hook-user:s3cr3t-pass@')],
    ['in a form a URL parser repairs (no slashes)', (origin: string) => origin.replace('http://', 'http:hook-user:s3cr3t-pass@')],
  ])('does not send to a before-send hook’s URL holding credentials %s, and logs neither them nor the URL with them', async (_form, withCredentials) => {
    const { log, dead } = await sendThroughHook((request) => {
      request.url = `${withCredentials(receiver.origin)}/hook`;
    });
    expect(receiver.requests).toHaveLength(0);
    expect(log.map((e) => [e.errorKind, e.outcome])).toEqual([['invalid', 'dead']]);
    expect(log[0]!.errorMessage).toContain('url must not hold credentials');
    expect(log[0]!.url).toMatch(/^http:(\/\/)?\*\*\*@127\.0\.0\.1:\d+\/hook$/);
    expect(JSON.stringify([log, dead])).not.toMatch(/s3cr3t|hook-user/);
  });

  it('requests and logs a before-send hook’s URL in its canonical form', async () => {
    const { log } = await sendThroughHook((request) => {
      request.url = `HTTP://127.0.0.1:${receiver.port}/a/../hook/ü?q=ä`;
    });
    expect(receiver.requests.map((r) => r.path)).toEqual(['/hook/%C3%BC?q=%C3%A4']);
    // The query parameter is the hook's, not the webhook's: its value is not logged.
    expect(log.map((e) => [e.url, e.outcome])).toEqual([[`http://127.0.0.1:${receiver.port}/hook/%C3%BC?q=[redacted]`, 'delivered']]);
  });

  it('stores, shows, requests and logs one URL string', async () => {
    app = await startTestApp();
    const webhook = await app.webhooks.create({ url: `http://127.0.0.1:${receiver.port}/a/../hook/ü?q=ä`, events: ['thing.happened'] });
    expect(webhook.url).toBe(`http://127.0.0.1:${receiver.port}/hook/%C3%BC?q=%C3%A4`);
    expect((await app.webhooks.get(webhook.key))!.url).toBe(webhook.url);
    await app.publish(new ThingHappened('u1'));
    await app.drain();
    expect(receiver.requests.map((r) => `http://127.0.0.1:${receiver.port}${r.path}`)).toEqual([webhook.url]);
    expect((await logOf(webhook.key)).map((e) => e.url)).toEqual([webhook.url]);
  });

  it('refuses to send a webhook stored before the rules (written to the store directly) rather than altering it', async () => {
    app = await startTestApp();
    const now = new Date();
    const legacy: Webhook = {
      key: 'legacy',
      url: ` ${receiver.url}`,
      events: ['thing.happened'],
      contentTypeKeys: [],
      headers: { 'X-Site-Name': '测试站点' },
      sensitiveHeaders: [],
      enabled: true,
      secrets: [],
      createdAt: now,
      updatedAt: now,
    };
    await resolveToken(app.container, WebhookRepositoryToken).create(legacy);
    await app.publish(new ThingHappened('l1'));
    await app.drain();
    expect(receiver.requests).toHaveLength(0);
    const [entry] = await logOf('legacy');
    expect(entry).toMatchObject({ errorKind: 'invalid', outcome: 'dead' });
    expect(entry!.errorMessage).toContain('not sent: webhook legacy holds what HTTP cannot carry unchanged (url contains U+0020 (space) at character 1');
    expect(entry!.errorMessage).toContain('header x-site-name value contains "测" (U+6D4B)');
    expect(entry!.errorMessage).toContain('fix it with app.webhooks.update()');
  });

  it('refuses a user agent HTTP cannot carry at updateSettings, and sends the accepted one as set', async () => {
    app = await startTestApp();
    expect(() => app!.updateSettings({ headers: { userAgent: 'Site 测试/1.0' } })).toThrow(/HOOKWORK_ERR_INVALID_SETTINGS: invalid settings: headers.userAgent contains "测" \(U\+6D4B\)/);
    app.updateSettings({ headers: { userAgent: 'Site%20%E6%B5%8B/1.0 (+https://example.com)' } });
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('ua'));
    await app.drain();
    expect(receiver.requests.map((r) => r.headers['user-agent'])).toEqual(['Site%20%E6%B5%8B/1.0 (+https://example.com)']);
    expect((await logOf(webhook.key))[0]!.requestHeaders['user-agent']).toBe('Site%20%E6%B5%8B/1.0 (+https://example.com)');
  });

  it('a test send goes through the same checks', async () => {
    app = await startTestApp({
      delivery: {
        beforeSend(request) {
          request.headers['x-site-name'] = '测试站点';
        },
      },
    });
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const result = await app.sendTestEvent(webhook.key);
    expect(result).toMatchObject({ ok: false, errorKind: 'invalid' });
    expect(result.errorMessage).toContain('header x-site-name value contains "测" (U+6D4B)');
    expect(receiver.requests).toHaveLength(0);
  });
});
