import type { Logger } from '../observability/logger';
import { startTestReceiver } from '../testing/test-receiver';
import { startTestApp, ThingHappened } from '../test-support/test-app';
import { DeliveryFailureLog, type LoggedFailure } from './failure-log';

type Line = { level: 'debug' | 'info' | 'warn' | 'error'; message: string; meta?: Record<string, unknown> };

function capturingLogger(): { lines: Line[]; logger: Logger } {
  const lines: Line[] = [];
  const at = (level: Line['level']) => (message: string, meta?: Record<string, unknown>) => void lines.push({ level, message, ...(meta ? { meta } : {}) });
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

const SECRET_URL = 'https://hooks.example.com/services/T000/B000/SECRETTOKEN?token=SECRETQ';

function failure(requestId: string, overrides: Partial<LoggedFailure> = {}): LoggedFailure {
  return { webhookKey: 'wh', url: SECRET_URL, requestId, eventAlias: 'thing.happened', retryCount: 0, failure: 'HTTP 500', statusCode: 500, ...overrides };
}

describe('DeliveryFailureLog', () => {
  it('logs the first failed attempt of a webhook in full at info, counts the rest, and sums them up in one line', () => {
    const { lines, logger } = capturingLogger();
    const log = new DeliveryFailureLog(logger);
    const due = new Date('2026-01-01T00:00:01.000Z');
    for (let i = 0; i < 1000; i++) log.retrying(failure(`r${i}`), due);
    expect(lines).toEqual([
      {
        level: 'info',
        message: 'webhook wh (https://hooks.example.com/…): attempt 1 of request r0 (thing.happened) failed: HTTP 500; it is retried at 2026-01-01T00:00:01.000Z',
        meta: { webhookKey: 'wh', requestId: 'r0', eventAlias: 'thing.happened', retryCount: 0, statusCode: 500, nextDueAt: due },
      },
    ]);
    log.flush();
    expect(lines.slice(1)).toEqual([{ level: 'info', message: 'webhook wh (https://hooks.example.com/…): 999 more failed attempts within 1 min, each retried (the last: request r999, HTTP 500)', meta: { webhookKey: 'wh', failedAttempts: 999 } }]);
    log.flush();
    expect(lines).toHaveLength(2);
  });

  it('logs dead letters at warn, the first in full and the rest summed up, apart from the retries and per webhook', () => {
    const { lines, logger } = capturingLogger();
    const log = new DeliveryFailureLog(logger);
    log.retrying(failure('a'), new Date(0));
    log.deadLettered(failure('a', { retryCount: 5 }), 6, 'retries exhausted');
    log.deadLettered(failure('b', { retryCount: 5 }), 6, 'retries exhausted');
    log.deadLettered(failure('c', { webhookKey: 'other', failure: 'timeout: no response within 15000 ms', statusCode: undefined, errorKind: 'timeout' }), 1, 'not retryable');
    log.deadLettered(failure('d', { retryCount: 5 }), 6, 'retries exhausted');
    log.flush();
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['info', expect.stringMatching(/^webhook wh \(https:\/\/hooks\.example\.com\/…\): attempt 1 of request a /)],
      ['warn', "webhook wh (https://hooks.example.com/…): request a (thing.happened) was dead-lettered after 6 attempts (retries exhausted): HTTP 500; it is kept: app.redeliver({ ids: ['a'] }) sends it again"],
      ['warn', "webhook other (https://hooks.example.com/…): request c (thing.happened) was dead-lettered after 1 attempt (not retryable): timeout: no response within 15000 ms; it is kept: app.redeliver({ ids: ['c'] }) sends it again"],
      ['warn', "webhook wh (https://hooks.example.com/…): 2 more requests were dead-lettered within 1 min (the last: request d, HTTP 500); list them with app.deadLetters({ webhookKey: 'wh' })"],
    ]);
    expect(lines[2]!.meta).toEqual({ webhookKey: 'other', requestId: 'c', eventAlias: 'thing.happened', retryCount: 0, errorKind: 'timeout', attempts: 1 });
  });

  it('shows every URL in a failure without its path or query (a redirect names its target)', () => {
    const { lines, logger } = capturingLogger();
    const log = new DeliveryFailureLog(logger);
    log.retrying(failure('a', { failure: `HTTP 301: redirect to ${SECRET_URL} not followed` }), new Date(0));
    log.retrying(failure('b', { failure: 'HTTP 302: redirect to https://x.example/hook/SECRET2 not followed' }), new Date(0));
    log.flush();
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/SECRET/);
    expect(lines[0]!.message).toContain('redirect to https://hooks.example.com/… not followed');
    expect(lines[1]!.message).toContain('redirect to https://x.example/… not followed');
  });

  it('sums up when the window ends, and the next failure after it is logged in full again', async () => {
    const { lines, logger } = capturingLogger();
    const log = new DeliveryFailureLog(logger, 50);
    log.retrying(failure('a'), new Date(0));
    log.retrying(failure('b'), new Date(0));
    while (lines.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(lines[1]!.message).toBe('webhook wh (https://hooks.example.com/…): 1 more failed attempt within 50 ms, each retried (the last: request b, HTTP 500)');
    log.retrying(failure('c'), new Date(0));
    expect(lines[2]!.message).toMatch(/: attempt 1 of request c \(thing\.happened\) failed: HTTP 500;/);
    log.flush();
    expect(lines).toHaveLength(3);
  });
});

describe('an app whose receiver fails with many requests', () => {
  it('logs one failed attempt and one dead letter in full, and the rest as counts when it stops: no path, query or header value', async () => {
    const receiver = await startTestReceiver((_request, res) => void res.writeHead(500).end());
    const { lines, logger } = capturingLogger();
    const app = await startTestApp({ logger, settings: { maximumRetries: 1, retrySchedule: [10], breaker: { enabled: false } } });
    try {
      const webhook = await app.webhooks.create({ url: `${receiver.url}/SECRETPATH?token=SECRETQ`, events: ['thing.happened'], headers: { Authorization: { value: 'Bearer SUPERSECRET', sensitive: true } } });
      for (let i = 0; i < 40; i++) await app.publish(new ThingHappened(`t${i}`));
      await app.drain({ timeoutMs: 15_000 });
      expect((await app.deadLetters({ webhookKey: webhook.key })).total).toBe(40);
    } finally {
      await app.stop();
      await receiver.close();
    }
    const failures = lines.filter((l) => l.message.includes('failed') || l.message.includes('dead-lettered'));
    expect(failures.map((l) => l.level)).toEqual(expect.arrayContaining(['info', 'warn']));
    expect(failures).toHaveLength(4);
    expect(failures.filter((l) => l.level === 'info').map((l) => l.message)).toEqual([expect.stringMatching(/: attempt 1 of request .* failed: HTTP 500; it is retried at /), expect.stringMatching(/: 39 more failed attempts within 1 min, each retried/)]);
    expect(failures.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([expect.stringMatching(/was dead-lettered after 2 attempts \(retries exhausted\): HTTP 500/), expect.stringMatching(/: 39 more requests were dead-lettered within 1 min/)]);
    expect(JSON.stringify(lines)).not.toMatch(/SECRET/);
  });
});
