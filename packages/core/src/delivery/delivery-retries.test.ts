import type { Hookwork } from '../composition/hookwork-app';
import type { Clock } from '../runtime/clock';
import { DeliveryLogToken } from '../ports/delivery-log';
import type { MemoryDeliveryLog } from '../storage/memory/memory-delivery-log';
import { resolveToken } from '../runtime/tokens';
import { silentLogger } from '../observability/logger';
import { closedPort, startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { nextLifecycle, queueOf, startTestApp, ThingHappened } from '../test-support/test-app';

describe('retries, dead letters and failure kinds', () => {
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

  it('retries a 500 with an increasing retry-count header until a 2xx', async () => {
    app = await startTestApp();
    receiver.handler = (_r, res, index) => {
      res.statusCode = index < 2 ? 500 : 204;
      res.end();
    };
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('r1'));
    await app.drain();
    expect(receiver.requests.map((r) => r.headers['hookwork-retry-count'])).toEqual(['0', '1', '2']);
    expect((await logOf(webhook.key)).map((e) => [e.retryCount, e.statusCode, e.outcome])).toEqual([
      [0, 500, 'retrying'],
      [1, 500, 'retrying'],
      [2, 204, 'delivered'],
    ]);
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });

  it('retries a refused connection and dead-letters it when retries are exhausted', async () => {
    app = await startTestApp({ settings: { maximumRetries: 2 } });
    const port = await closedPort();
    const webhook = await app.webhooks.create({ url: `http://127.0.0.1:${port}/hook`, events: ['thing.happened'] });
    const dead = nextLifecycle(app, 'deadLettered');
    await app.publish(new ThingHappened('r4'));
    expect(await dead).toMatchObject({ errorKind: 'refused', retryCount: 2, outcome: 'dead' });
    await app.drain();
    expect((await logOf(webhook.key)).map((e) => [e.retryCount, e.errorKind, e.outcome])).toEqual([
      [0, 'refused', 'retrying'],
      [1, 'refused', 'retrying'],
      [2, 'refused', 'dead'],
    ]);
    const [letter] = (await app.deadLetters({ webhookKey: webhook.key })).items;
    expect(letter).toMatchObject({ state: 'dead', attempts: 3, webhookKey: webhook.key });
    expect(letter!.lastError).toMatch(/^refused/);
  });

  it('keeps a dead letter and redelivers it on demand, to a receiver that is back', async () => {
    app = await startTestApp({ settings: { maximumRetries: 0 } });
    receiver.handler = (_r, res, index) => {
      res.statusCode = index === 0 ? 503 : 200;
      res.end();
    };
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], secret: true });
    await app.publish(new ThingHappened('r5'));
    await app.drain();
    const [letter] = (await app.deadLetters()).items;
    expect(letter).toMatchObject({ webhookKey: webhook.key, attempts: 1 });
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 1 });

    // Held back, so the request put back waits in the queue while it is asked for again.
    app.updateSettings({ enabled: false });
    expect(await app.redeliver({ ids: [letter!.id] })).toEqual({ redelivered: 1, skipped: 0 });
    // Asked for alone again (another tab, a log entry of its dead attempt): said, not { redelivered: 0 }.
    await expect(app.redeliver({ ids: [letter!.id] })).rejects.toMatchObject({
      code: 'HOOKWORK_ERR_REQUEST_NOT_DEAD',
      message: expect.stringMatching(new RegExp(`^HOOKWORK_ERR_REQUEST_NOT_DEAD: request ${letter!.id} was not redelivered: it is not a dead letter but still in the queue, waiting for its next attempt \\(due `)),
      details: { id: letter!.id, state: 'pending' },
    });
    expect(await app.queueCounts()).toEqual({ pending: 1, inFlight: 0, dead: 0 });
    app.updateSettings({ enabled: true });
    await app.drain();
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    const [first, again] = receiver.requests;
    expect(again!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(again!.text).toBe(first!.text);
    expect(again!.headers['hookwork-retry-count']).toBe('0');

    // Asked again once it was delivered (a second operator, another instance, a retried call): the
    // log knows the id, so it is no typo: alone it is said (not answered { redelivered: 0 }), and
    // in a list it is no unknown id (only the typo is named).
    await expect(app.redeliver({ ids: [letter!.id] })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_REQUEST_NOT_DEAD', details: { id: letter!.id, state: 'gone' } });
    await expect(app.redeliver({ ids: [letter!.id, 'msg_never'] })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_REQUEST_NOT_FOUND', details: [{ field: 'ids', ids: ['msg_never'] }] });
    expect(receiver.requests).toHaveLength(2);
  });

  it('redelivers all of a webhook’s dead letters since a time, and refuses a selector without ids or webhook', async () => {
    app = await startTestApp({ settings: { maximumRetries: 0 } });
    receiver.handler = (_r, res, index) => {
      res.statusCode = index < 3 ? 500 : 200;
      res.end();
    };
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const before = new Date(Date.now() - 1000);
    for (const id of ['a', 'b', 'c']) await app.publish(new ThingHappened(id));
    await app.drain();
    expect((await app.queueCounts()).dead).toBe(3);
    await expect(app.redeliver({})).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR' });
    // The selector field at fault is named, as every coded input refusal names its field (an API puts it beside the input).
    await expect(app.redeliver({ ids: ['msg_nope'] })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_REQUEST_NOT_FOUND', details: [{ field: 'ids', problem: expect.stringMatching(/^holds "msg_nope", which no queued or dead-lettered request has/), ids: ['msg_nope'] }] });
    // A list is held to the rule one id is: an unknown id refuses the whole list, naming it, and nothing is put back.
    const [dead] = (await app.deadLetters()).items;
    await expect(app.redeliver({ ids: [dead!.id, 'msg_nope', 'msg_nah'] })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_REQUEST_NOT_FOUND', message: expect.stringContaining('"msg_nope", "msg_nah"; nothing was redelivered'), details: [{ field: 'ids', problem: expect.stringMatching(/^holds "msg_nope", "msg_nah", which/), ids: ['msg_nope', 'msg_nah'] }] });
    // Only the documented forms: ids stand alone, all stands alone.
    for (const [selector, fields] of [
      [{ ids: [dead!.id], webhookKey: webhook.key }, ['ids', 'webhookKey']],
      [{ ids: [dead!.id], deadSince: before }, ['ids', 'deadSince']],
      [{ ids: [dead!.id], webhookKey: webhook.key, deadSince: before }, ['ids', 'webhookKey', 'deadSince']],
      [{ all: true, deadSince: before }, ['all', 'deadSince']],
    ] as const) {
      await expect(app.redeliver(selector)).rejects.toMatchObject({
        code: 'HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR',
        message: expect.stringContaining('pass exactly one of { ids: [...] }, { webhookKey, deadSince?, deadUntil? }, { deadSince, deadUntil? } or { all: true, deadUntil? }'),
        details: fields.map((field) => ({ field, problem: expect.any(String) })),
      });
    }
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 3 });
    expect(await app.redeliver({ webhookKey: webhook.key, deadSince: new Date(Date.now() + 60_000) })).toEqual({ redelivered: 0, skipped: 0 });
    expect(await app.redeliver({ webhookKey: webhook.key, deadSince: before })).toEqual({ redelivered: 3, skipped: 0 });
    await app.drain();
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    expect(receiver.requests).toHaveLength(6);
  });

  it('honours Retry-After on 429 (seconds) and 503 (HTTP date) in the stored due time, capped at maxRetryAfter', async () => {
    const now = new Date('2030-01-01T00:00:00.000Z');
    const clock: Clock = { now: () => now };
    // The request's own due time is what this checks; holding the whole webhook on Retry-After
    // (throttleOnRetryAfter) would keep the next requests from being attempted: see health tests.
    app = await startTestApp({ clock, settings: { maxRetryAfter: 600_000, throttleOnRetryAfter: false } });
    const answers = [
      { status: 429, retryAfter: '120' },
      { status: 503, retryAfter: new Date(now.getTime() + 90_000).toUTCString() },
      { status: 429, retryAfter: '86400' },
      { status: 500, retryAfter: '120' },
    ];
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const queue = queueOf(app);
    const dueTimes: number[] = [];
    for (const [i, answer] of answers.entries()) {
      receiver.handler = (_r, res) => {
        res.statusCode = answer.status;
        res.setHeader('retry-after', answer.retryAfter);
        res.end();
      };
      const failed = nextLifecycle(app, 'attemptFailed');
      await app.publish(new ThingHappened(`ra${i}`));
      const attempt = await failed;
      const stored = await queue.get(attempt.requestId);
      expect(stored).toMatchObject({ state: 'pending', attempts: 1 });
      expect(attempt.nextDueAt?.getTime()).toBe(stored!.dueAt.getTime());
      dueTimes.push(stored!.dueAt.getTime() - now.getTime());
    }
    // 500 ignores Retry-After: the schedule's first delay (50 ms, no jitter in tests).
    expect(dueTimes).toEqual([120_000, 90_000, 600_000, 50]);
    expect(webhook.key).toBeDefined();
  });

  it('never lets Retry-After: 0 shorten the wait: a 503 that says "now" is retried per the schedule (1.5 s), not milliseconds later', async () => {
    app = await startTestApp({ settings: { retrySchedule: [1500], retryJitter: 0, maximumRetries: 2 } });
    const arrivals: number[] = [];
    receiver.handler = (_r, res) => {
      arrivals.push(Date.now());
      res.statusCode = 503;
      res.setHeader('retry-after', '0');
      res.end();
    };
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const dead = nextLifecycle(app, 'deadLettered', () => true, 15_000);
    await app.publish(new ThingHappened('down'));
    await dead;
    await app.drain();
    expect(arrivals).toHaveLength(3);
    // Each retry is due 1.5 s after the previous answer, which came after its arrival.
    for (let i = 1; i < arrivals.length; i++) expect(arrivals[i]! - arrivals[i - 1]!).toBeGreaterThanOrEqual(1490);
    expect((await logOf(webhook.key)).map((e) => [e.statusCode, e.outcome])).toEqual([
      [503, 'retrying'],
      [503, 'retrying'],
      [503, 'dead'],
    ]);
  });

  it('disables the webhook on 410 Gone and dead-letters the request without retrying', async () => {
    app = await startTestApp();
    receiver.handler = (_r, res) => {
      res.statusCode = 410;
      res.end('gone');
    };
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const disabled = nextLifecycle(app, 'webhookDisabled');
    await app.publish(new ThingHappened('g1'));
    // The shape docs/delivery.md gives: reason the enum, message the words (reason carried the words).
    expect(await disabled).toEqual({ webhookKey: webhook.key, reason: 'gone', message: expect.stringMatching(/^the receiver answered 410 Gone to request msg_/) });
    await app.drain();
    expect((await app.webhooks.get(webhook.key))!.enabled).toBe(false);
    expect(receiver.requests).toHaveLength(1);
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 1 });
    expect((await logOf(webhook.key)).map((e) => [e.statusCode, e.outcome])).toEqual([[410, 'dead']]);
  });

  it('a 410 from the URL a webhook was moved away from while the attempt ran neither disables it nor dead-letters the request: the request goes to the new URL at once, that attempt not counted', async () => {
    app = await startTestApp();
    // The old receiver is gone (410), and slow to say so; the webhook is pointed at the new one meanwhile.
    let answerOld: (() => void) | undefined;
    receiver.handler = (_r, res) => {
      answerOld = () => void res.writeHead(410).end('gone');
    };
    const moved = await startTestReceiver();
    const deadLettered: string[] = [];
    app.lifecycle.on('deadLettered', (info) => void deadLettered.push(info.requestId));
    try {
      const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await app.publish(new ThingHappened('to-old'));
      await receiver.waitFor(1);
      await app.webhooks.update(webhook.key, { url: moved.url });
      answerOld!();
      const [resent] = await moved.waitFor(1);
      expect([JSON.parse(resent!.text).id, resent!.headers['hookwork-retry-count']]).toEqual(['to-old', '0']);
      await app.publish(new ThingHappened('to-new'));
      await app.drain();
      expect((await app.webhooks.get(webhook.key))!.enabled).toBe(true);
      expect(moved.requests.map((r) => JSON.parse(r.text).id)).toEqual(['to-old', 'to-new']);
      expect(deadLettered).toEqual([]);
      // The old URL's answer is logged as it came, with why it decided nothing.
      const atOld = (await app.logs(webhook.key)).items.find((entry) => entry.statusCode === 410)!;
      expect([atOld.outcome, atOld.errorMessage]).toEqual(['retrying', expect.stringMatching(/no longer the webhook's URL: sent again at once to its new one, this attempt not counted$/)]);
    } finally {
      await moved.close();
    }
  });

  it('dead-letters other 4xx at once when retryClientErrors is false, but still retries 429', async () => {
    app = await startTestApp({ settings: { retryClientErrors: false } });
    receiver.handler = (r, res) => {
      const id = JSON.parse(r.text).id;
      res.statusCode = id === 'bad' ? 400 : r.headers['hookwork-retry-count'] === '0' ? 429 : 200;
      res.end();
    };
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('bad'));
    await app.publish(new ThingHappened('busy'));
    await app.drain();
    expect(receiver.requests.map((r) => [JSON.parse(r.text).id, r.headers['hookwork-retry-count']]).sort()).toEqual([
      ['bad', '0'],
      ['busy', '0'],
      ['busy', '1'],
    ]);
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 1 });
  });

  it('does not follow a redirect: a 3xx is a failure logged with its Location', async () => {
    const target = await startTestReceiver();
    try {
      app = await startTestApp({ settings: { maximumRetries: 0 } });
      receiver.handler = (_r, res) => {
        res.statusCode = 301;
        res.setHeader('location', target.url);
        res.end();
      };
      const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await app.publish(new ThingHappened('m1'));
      await app.drain();
      expect(target.requests).toHaveLength(0);
      const [entry] = await logOf(webhook.key);
      expect(entry).toMatchObject({ statusCode: 301, outcome: 'dead' });
      expect(entry!.responseHeaders.location).toBe(target.url);
      expect(entry!.errorMessage).toContain(target.url);
    } finally {
      await app?.stop();
      app = undefined;
      await target.close();
    }
  });

  it('stores exactly maxResponseBodyBytes of a 10 MiB 200 response, and counts it delivered', async () => {
    app = await startTestApp({ settings: { maxResponseBodyBytes: 64 * 1024 } });
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    receiver.handler = async (_r, res) => {
      res.setHeader('content-type', 'text/plain');
      for (let i = 0; i < 10 && !res.destroyed; i++) {
        if (!res.write(chunk)) await new Promise((resolve) => { res.once('drain', resolve); res.once('close', resolve); });
      }
      res.end();
    };
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('big'));
    await app.drain();
    const [entry] = await logOf(webhook.key);
    expect(entry).toMatchObject({ statusCode: 200, outcome: 'delivered' });
    expect(entry!.responseBody).toHaveLength(64 * 1024);
    expect(entry!.responseBody).toBe('x'.repeat(64 * 1024));
  });

  it('a failing delivery log never changes delivery state', async () => {
    const errors: string[] = [];
    app = await startTestApp({ logger: { ...silentLogger, error: (message) => void errors.push(message) } });
    const log = resolveToken(app.container, DeliveryLogToken) as MemoryDeliveryLog;
    log.append = async () => {
      throw new Error('disk full');
    };
    // A delivered request's entry is written with its completion (the queue's completeAndLog): that write fails too, and the request is completed alone.
    log.add = () => {
      throw new Error('disk full');
    };
    const failures: string[] = [];
    app.lifecycle.on('logWriteFailed', (info) => failures.push(info.requestId));
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('l1'));
    await app.drain();
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.requests).toHaveLength(1);
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    expect(failures).toEqual([receiver.requests[0]!.headers['webhook-id']]);
    // The combined write's failure says what was done at once instead; nothing tries it again.
    expect(errors).toContainEqual('completing delivered requests with their log entries in one write failed: disk full; written apart instead: a keyed request’s entry before its removal, the others’ after');
    expect(errors.filter((line) => line.includes('it will be tried again'))).toEqual([]);
  });
});
