import { createHookwork, isHookworkError, type Hookwork, type Logger } from '@hookwork/core';
import { bullmqQueue } from './bullmq-queue';
import { thingComposer } from './test-fixtures/thing-event';
import { startPrivateRedis, type PrivateRedis } from './testing/private-redis';
import { uniquePrefix } from './testing/redis-test';

// Redis unreachable, at start and while running, on a redis-server of the test's own: the process
// must not crash, ioredis must print nothing past the host's logger, and an outage is one coded
// error and one line when it is over — not a line per reconnect attempt (one a second, for as
// long as Redis is away).

jest.setTimeout(60_000);

const prefix = uniquePrefix('outage');

function recordingLogger(): Logger & { lines: { level: string; message: string; data: unknown }[] } {
  const lines: { level: string; message: string; data: unknown }[] = [];
  const record = (level: string) => (message: string, data?: unknown) => void lines.push({ level, message, data });
  return { lines, debug: () => {}, info: record('info'), warn: record('warn'), error: record('error') };
}

async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the BullMQ queue when Redis cannot be reached', () => {
  let server: PrivateRedis | undefined;
  let app: Hookwork | undefined;
  let consoleError: jest.SpyInstance;
  beforeEach(() => {
    consoleError = jest.spyOn(console, 'error');
  });
  afterEach(async () => {
    consoleError.mockRestore();
    await app?.stop();
    app = undefined;
    await server?.remove();
    server = undefined;
  });

  it('start() fails with one coded error saying why (the refused connection), and ioredis prints nothing', async () => {
    server = await startPrivateRedis();
    await server.kill();
    const logger = recordingLogger();
    app = createHookwork({ composers: [thingComposer], logger, queue: bullmqQueue({ connection: server.url, prefix, queueName: 'refused', checkDurability: false }) });
    const error = await app.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    app = undefined;
    expect(isHookworkError(error, 'HOOKWORK_ERR_REDIS_UNAVAILABLE' as never)).toBe(true);
    expect((error as Error).message).toMatch(new RegExp(`could not connect to redis://127\\.0\\.0\\.1:${server.port} \\(connect ECONNREFUSED`));
    // Give ioredis the time of a reconnect attempt or two: it must stay quiet.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(consoleError.mock.calls.map((c) => String(c[0]))).toEqual([]);
  });

  it('an outage while running is one HOOKWORK_ERR_REDIS_UNAVAILABLE and one line when it is back, whatever the reconnect attempts', async () => {
    server = await startPrivateRedis();
    const logger = recordingLogger();
    app = createHookwork({ composers: [thingComposer], logger, queue: bullmqQueue({ connection: server.url, prefix, queueName: 'outage', checkDurability: false }) });
    await app.start();
    await server.kill('SIGKILL');
    const lost = () => logger.lines.filter((l) => l.level === 'error' && /HOOKWORK_ERR_REDIS_UNAVAILABLE/.test(l.message));
    await until('the outage to be reported', () => lost().length > 0);
    // Long enough for several reconnect attempts (50 ms, doubling to 1 s), each an error event.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await server.restart();
    const back = () => logger.lines.filter((l) => /is back after/.test(l.message));
    await until('the return to be reported', () => back().length > 0);
    expect(lost()).toHaveLength(1);
    expect(lost()[0]!.message).toMatch(new RegExp(`lost the connection to redis://127\\.0\\.0\\.1:${server.port} .*reconnecting by itself`));
    expect(back()).toHaveLength(1);
    expect(back()[0]).toMatchObject({ level: 'warn', message: expect.stringMatching(/more connection errors? while it was away, not logged one by one/) });
    // Nothing else about the connection was logged, and nothing reached the console.
    expect(logger.lines.filter((l) => /redis connection|bullmq worker/.test(l.message))).toHaveLength(1);
    expect(consoleError.mock.calls.map((c) => String(c[0]))).toEqual([]);
    // And it works again.
    await expect(app.queueCounts()).resolves.toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });
});
