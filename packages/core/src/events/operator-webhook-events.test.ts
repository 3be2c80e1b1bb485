import { Webhook as StandardWebhook } from 'standardwebhooks';
import { createHookwork } from '../composition/create-hookwork';
import { operatorEventsComposer } from '../composition/operator-events-composer';
import type { Hookwork } from '../composition/hookwork-app';
import { startTestReceiver, type ReceivedRequest, type TestReceiver } from '../testing/test-receiver';
import { startTestApp, thingComposer, ThingHappened } from '../test-support/test-app';

const OPERATOR_ALIASES = ['breaker.opened', 'breaker.closed', 'webhook.recovered', 'webhook.disabled', 'request.exhausted'];

describe('operator events as signed webhooks', () => {
  let target: TestReceiver;
  let operator: TestReceiver;
  let app: Hookwork | undefined;

  beforeEach(async () => {
    target = await startTestReceiver();
    operator = await startTestReceiver();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await target.close();
    await operator.close();
  });

  /** Verifies a received operator webhook with the standardwebhooks package, as a receiver would, and returns its payload. */
  const verified = (secret: string, request: ReceivedRequest) =>
    new StandardWebhook(secret).verify(request.text, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    }) as { type: string; timestamp: string; data: Record<string, unknown> };

  it('a host lifecycle listener that throws, added before start(), silences neither the operator webhooks nor drain()', async () => {
    // eventemitter3 calls no listener after one that throws; hookwork's own were added by
    // start(), after the host's, so these went unsent and drain() stopped waiting.
    app = createHookwork({
      composers: [thingComposer, operatorEventsComposer()],
      settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, retryJitter: 0, period: 200, timeout: 2000, stopTimeout: 2000, maximumRetries: 0, breaker: { failureThreshold: 1 } },
    });
    const hostBug = () => {
      throw new Error('host bug');
    };
    app.lifecycle.on('enqueued', hostBug);
    app.lifecycle.on('operatorEvent', hostBug);
    await app.start();
    target.handler = (_request, res) => void setTimeout(() => res.writeHead(503).end(), 200);
    const ops = await app.webhooks.create({ url: operator.url, events: OPERATOR_ALIASES, secret: true });
    const failing = await app.webhooks.create({ url: target.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('t1'));
    await app.drain();
    expect((await app.logs(failing.key)).items).toMatchObject([{ outcome: 'dead', statusCode: 503 }]);
    const sent = await operator.waitFor(2);
    expect(sent.map((r) => verified(ops.secret!, r).type).sort()).toEqual(['breaker.opened', 'request.exhausted']);
  });

  it("sends the failing webhook's URL without its path or query (a Slack or Discord URL's secret), in the body and the operator webhook's log", async () => {
    app = await startTestApp({ composers: [thingComposer, operatorEventsComposer()], settings: { maximumRetries: 0, breaker: { failureThreshold: 1 } } });
    target.handler = (_request, res) => void res.writeHead(503).end();
    const seen: unknown[] = [];
    app.lifecycle.on('operatorEvent', (event) => seen.push(event.data.url));
    const ops = await app.webhooks.create({ url: operator.url, events: OPERATOR_ALIASES, secret: true });
    const failing = await app.webhooks.create({ url: `${target.origin}/services/T000/B000/s3cr3tToken?key=k3y`, events: ['thing.happened'] });
    await app.publish(new ThingHappened('t1'));
    await app.drain();
    const sent = await operator.waitFor(2);
    await app.drain();
    const bodies = sent.map((r) => verified(ops.secret!, r));
    expect(bodies.map((b) => [b.type, b.data.webhookKey, b.data.url]).sort()).toEqual([
      ['breaker.opened', failing.key, `${target.origin}/…`],
      ['request.exhausted', failing.key, `${target.origin}/…`],
    ]);
    const opsLog = (await app.logs(ops.key, { limit: 100 })).items;
    expect(JSON.stringify([sent.map((r) => r.text), opsLog])).not.toMatch(/s3cr3t|k3y/);
    // In the process, the lifecycle's operatorEvent carries the whole URL.
    expect(seen).toEqual([failing.url, failing.url]);
  });

  it("names a redirect's target in request.exhausted's lastError without its path (an http → https redirect repeats the secret one)", async () => {
    app = await startTestApp({ composers: [thingComposer, operatorEventsComposer()], settings: { maximumRetries: 0 } });
    target.handler = (request, res) => void res.writeHead(301, { location: `https://hooks.example.com${request.path}` }).end();
    const ops = await app.webhooks.create({ url: operator.url, events: ['request.exhausted'], secret: true });
    const failing = await app.webhooks.create({ url: `${target.origin}/services/T000/B000/s3cr3tToken`, events: ['thing.happened'] });
    await app.publish(new ThingHappened('t1'));
    await app.drain();
    const [exhausted] = await operator.waitFor(1);
    expect(verified(ops.secret!, exhausted!).data).toMatchObject({ webhookKey: failing.key, lastError: 'HTTP 301: redirect to https://hooks.example.com/… not followed; update the webhook URL' });
    expect(exhausted!.text).not.toContain('s3cr3t');
  });

  it('sends breaker.opened, breaker.closed, webhook.recovered and request.exhausted to an operator endpoint, signed, about the failing webhook only', async () => {
    app = await startTestApp({ composers: [thingComposer, operatorEventsComposer()], settings: { retrySchedule: [20], maximumRetries: 2, breaker: { failureThreshold: 2, coolDown: 300 }, concurrency: { global: 8, perWebhook: 1 } } });
    expect(app.events().map((e) => e.alias)).toEqual(['thing.happened', ...OPERATOR_ALIASES]);
    let healthy = false;
    target.handler = (request, res) => {
      const poison = (JSON.parse(request.text) as { id: string }).id === 'poison';
      res.statusCode = healthy && !poison ? 200 : poison ? 400 : 503;
      res.end();
    };
    const ops = await app.webhooks.create({ url: operator.url, events: OPERATOR_ALIASES, secret: true });
    const failing = await app.webhooks.create({ url: target.url, events: ['thing.happened'] });

    await app.publish(new ThingHappened('t1'));
    await app.publish(new ThingHappened('t2'));
    const [opened] = await operator.waitFor(1);
    expect(opened!.headers['hookwork-event']).toBe('breaker.opened');
    const openedBody = verified(ops.secret!, opened!);
    expect(openedBody).toMatchObject({ type: 'breaker.opened', data: { webhookKey: failing.key, url: `${target.origin}/…`, trigger: 'consecutive failures', consecutiveFailures: 2 } });
    expect(new Date(openedBody.timestamp).toString()).not.toBe('Invalid Date');
    expect(typeof openedBody.data.probeAt).toBe('string');

    healthy = true;
    await app.drain();
    await operator.waitFor(3);
    const bodies = operator.requests.map((r) => verified(ops.secret!, r));
    expect(bodies.map((b) => b.type)).toEqual(['breaker.opened', 'breaker.closed', 'webhook.recovered']);
    expect(bodies.every((b) => b.data.webhookKey === failing.key)).toBe(true);

    // A request the receiver refuses to the end (its failures open the breaker again on the way,
    // and the probe is its last attempt): request.exhausted, with its last error.
    await app.publish(new ThingHappened('poison'));
    let exhausted: ReceivedRequest | undefined;
    for (let n = 4; !exhausted; n++) exhausted = (await operator.waitFor(n)).find((r) => r.headers['hookwork-event'] === 'request.exhausted');
    expect(operator.requests.slice(3).map((r) => r.headers['hookwork-event'])).toEqual(['breaker.opened', 'request.exhausted']);
    expect(verified(ops.secret!, exhausted!)).toMatchObject({ type: 'request.exhausted', data: { webhookKey: failing.key, eventAlias: 'thing.happened', attempts: 3, statusCode: 400, lastError: 'HTTP 400', reason: 'retries exhausted' } });
  });

  it('without operatorEventsComposer nothing is sent, and an operator webhook is never told about itself', async () => {
    app = await startTestApp({ composers: [thingComposer, operatorEventsComposer()], settings: { retrySchedule: [20], breaker: { failureThreshold: 2, coolDown: 60_000 } } });
    // The operator endpoint is itself broken, and subscribes to thing.happened too: its own breaker opens.
    operator.handler = (_r, res) => void res.writeHead(503).end();
    const self = await app.webhooks.create({ url: operator.url, events: ['thing.happened', 'breaker.opened'] });
    const opened = new Promise((resolve) => app!.lifecycle.on('operatorEvent', (e) => e.type === 'breaker.opened' && resolve(e)));
    await app.publish(new ThingHappened('x'));
    expect(await opened).toMatchObject({ data: { webhookKey: self.key } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await app.queueCounts({ webhookKey: self.key })).toMatchObject({ pending: 1 });
    expect(operator.requests.every((r) => r.headers['hookwork-event'] === 'thing.happened')).toBe(true);

    await app.stop();
    app = await startTestApp({ settings: { retrySchedule: [20], breaker: { failureThreshold: 1, coolDown: 60_000 } } });
    expect(app.events().map((e) => e.alias)).toEqual(['thing.happened']);
    const events: string[] = [];
    app.lifecycle.on('operatorEvent', (e) => events.push(e.type));
    target.handler = (_r, res) => void res.writeHead(503).end();
    await app.webhooks.create({ url: target.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('y'));
    await target.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(events).toEqual(['breaker.opened']);
    expect(operator.requests.filter((r) => r.headers['hookwork-event'] !== 'thing.happened')).toEqual([]);
  });
});
