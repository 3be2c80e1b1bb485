import { connect, createServer, type Server, type Socket } from 'node:net';
import { createHookwork, isHookworkError, keyedMessageId, type Hookwork, type Logger } from '@hookwork/core';
import { bullmqQueue } from './bullmq-queue';
import { startTestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { startPrivateRedis, within, type PrivateRedis } from './testing/private-redis';
import { reconnected, uniquePrefix } from './testing/redis-test';

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

/**
 * A TCP proxy to a Redis on `port` that cuts the connection of the app's producer (named
 * `…:producer` in its CLIENT SETNAME) at the first chunk it sends for which `cut(sent)` is true,
 * `sent` being all it has sent on that connection so far: a connection lost at an exact moment.
 * `cutAny` does the same on whichever connection first sends such a chunk (BullMQ's own).
 */
async function startCuttingProxy(
  port: number,
): Promise<{
  url: string;
  cut: ((sent: string) => boolean) | undefined;
  cutAny: ((sent: string) => boolean) | undefined;
  loseAnswer: ((sent: string) => boolean) | undefined;
  answersLost: number;
  hushWhen: ((sent: string) => boolean) | undefined;
  hushed: boolean;
  cuts: number;
  producerSent: string;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  const proxy = {
    url: '',
    cut: undefined as ((sent: string) => boolean) | undefined,
    cutAny: undefined as ((sent: string) => boolean) | undefined,
    /** Like `cut`, but the chunk reaches Redis, which runs it; its answer is dropped and the connection cut: a command done with its answer lost. */
    loseAnswer: undefined as ((sent: string) => boolean) | undefined,
    answersLost: 0,
    /** Like `cut`, but from then on nothing passes either way on any connection, and none closes: a wedged server. */
    hushWhen: undefined as ((sent: string) => boolean) | undefined,
    hushed: false,
    cuts: 0,
    /** Everything the producer sent, on all its connections. */
    producerSent: '',
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server: Server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    let sent = '';
    let producer = false;
    let dropAnswer = false;
    client.on('data', (chunk) => {
      sent += chunk.toString('latin1');
      producer ||= /:producer\r\n/.test(sent);
      if (producer) proxy.producerSent += chunk.toString('latin1');
      if (producer && proxy.hushWhen?.(sent)) proxy.hushed = true;
      if (proxy.hushed) return;
      if ((producer && proxy.cut?.(sent)) || proxy.cutAny?.(sent)) {
        if (producer && proxy.cut?.(sent)) proxy.cut = undefined;
        else proxy.cutAny = undefined;
        proxy.cuts++;
        client.destroy();
        upstream.destroy();
        return;
      }
      if (producer && proxy.loseAnswer?.(sent)) {
        proxy.loseAnswer = undefined;
        proxy.answersLost++;
        dropAnswer = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (dropAnswer) {
        client.destroy();
        upstream.destroy();
        return;
      }
      if (!proxy.hushed) client.write(chunk);
    });
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => {
        sockets.delete(a);
        b.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `redis://127.0.0.1:${(server.address() as { port: number }).port}`;
  return proxy;
}

/** How many INFO commands the RESP text `sent` holds (ioredis's ready check sends one, BullMQ's version check one per Queue and FlowProducer). */
const infos = (sent: string) => sent.match(/\r\ninfo\r\n/gi)?.length ?? 0;

describe('the BullMQ queue when Redis cannot be reached', () => {
  let server: PrivateRedis | undefined;
  let app: Hookwork | undefined;
  let consoleError: jest.SpyInstance;
  beforeEach(() => {
    consoleError = jest.spyOn(console, 'error');
  });
  afterEach(async () => {
    consoleError.mockRestore();
    // Each step is bounded and says what it waited on, and the server is removed whatever the
    // app's stop did: an abandoned clean-up (jest's hook timeout abandons, it does not cancel)
    // used to leave the redis-server running and the test process unable to exit.
    const stopping = app;
    const removing = server;
    app = undefined;
    server = undefined;
    try {
      if (stopping) await within(stopping.stop(), 20_000, () => `app.stop() (active resources: ${process.getActiveResourcesInfo().join(', ')})`);
    } finally {
      await removing?.remove();
    }
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

  it('stop() while Redis is down ends without waiting for Redis: the Worker\'s blocking fetch, queued to be sent again, is cut', async () => {
    server = await startPrivateRedis();
    const logger = recordingLogger();
    // A stopTimeout longer than this test's own timeout: a stop that waited for Redis would fail it.
    app = createHookwork({ composers: [thingComposer], logger, settings: { stopTimeout: 120_000 }, queue: bullmqQueue({ connection: server.url, prefix, queueName: 'stop-while-down', checkDurability: false }) });
    await app.start();
    await server.kill('SIGKILL');
    await until('the outage to be reported', () => logger.lines.some((l) => /HOOKWORK_ERR_REDIS_UNAVAILABLE/.test(l.message)));
    await app.stop();
    app = undefined;
    expect(consoleError.mock.calls.map((c) => String(c[0]))).toEqual([]);
  });

  it('stop() while an attempt\'s completion waits for Redis ends once stopTimeout is spent, rather than never', async () => {
    // The completion waits in the worker connection's offline queue while it reconnects. The stop
    // cuts the connections after stopTimeout; ioredis's disconnect() of a client between two
    // reconnect attempts only cleared its timer, so the completion (and the stop) waited for ever.
    server = await startPrivateRedis();
    const receiver = await startTestReceiver();
    try {
      const held: Array<() => void> = [];
      receiver.handler = (_request, res) => void held.push(() => res.writeHead(204).end());
      app = createHookwork({
        composers: [thingComposer],
        logger: recordingLogger(),
        settings: { stopTimeout: 1000, ssrf: { allow: ['127.0.0.1'] } },
        queue: bullmqQueue({ connection: server.url, prefix, queueName: 'stop-with-completion-waiting', checkDurability: false }),
      });
      await app.start();
      await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await app.publish(new ThingHappened('held'));
      await receiver.waitFor(1);
      await server.kill('SIGKILL');
      for (const answer of held.splice(0)) answer();
      // Long enough for the reconnect delay to reach its 1 s ceiling.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const stopping = app;
      app = undefined;
      await within(stopping.stop(), 15_000, () => 'app.stop() with a completion waiting for Redis');
    } finally {
      await receiver.close();
    }
  });

  it('a connection lost while start() sets BullMQ up fails start() with HOOKWORK_ERR_REDIS_UNAVAILABLE, rather than leaving a queue that fails for good', async () => {
    // BullMQ's Queue keeps the outcome of its first command (its INFO version check) for good: had
    // start() resolved before it was answered, a Redis lost at that moment left every later
    // publish() and management call failing, even once Redis was back.
    server = await startPrivateRedis();
    const proxy = await startCuttingProxy(server.port);
    try {
      // The producer's first INFO is ioredis's ready check, the second the engine's check of the
      // server (cluster mode, version); the next are BullMQ's.
      proxy.cut = (sent) => infos(sent) >= 3;
      const logger = recordingLogger();
      app = createHookwork({ composers: [thingComposer], logger, queue: bullmqQueue({ connection: proxy.url, prefix, queueName: 'cut-at-start', checkDurability: false }) });
      const error = await app.start().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(proxy.cuts).toBe(1);
      expect(isHookworkError(error, 'HOOKWORK_ERR_REDIS_UNAVAILABLE' as never)).toBe(true);
      expect((error as Error).message).toMatch(/could not start on redis:\/\/127\.0\.0\.1:\d+ \(Reached the max retries per request limit.*connection was lost while it started/);
      app = undefined;
      // Started again, it works.
      app = createHookwork({ composers: [thingComposer], logger, queue: bullmqQueue({ connection: proxy.url, prefix, queueName: 'cut-at-start', checkDurability: false }) });
      await app.start();
      await expect(app.queueCounts()).resolves.toEqual({ pending: 0, inFlight: 0, dead: 0 });
      await app.stop();
      app = undefined;
      expect(consoleError.mock.calls.map((c) => String(c[0]))).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('a connection lost while the Worker connects its blocking connection heals: requests published afterwards are delivered, not left pending for good', async () => {
    // BullMQ's Worker makes its blocking connection (a duplicate of the worker client) as it is
    // made, in start(), and keeps the outcome of that connection's setup for good, as the Queue
    // does its version check. The duplicate of a lazyConnect client was connected by BullMQ's
    // connect(), which rejects at the first lost connection: a Redis restarted (or a connection
    // cut) in that moment left the Worker failing every fetch and completion with "Connection is
    // closed." while ioredis itself had long reconnected — the Worker's slots stayed taken and
    // nothing was delivered until the app was restarted.
    server = await startPrivateRedis();
    const proxy = await startCuttingProxy(server.port);
    const receiver = await startTestReceiver();
    try {
      const queueName = 'cut-blocking-at-start';
      // BullMQ names the blocking connection <prefix>:<base64 of the queue name> (CLIENT SETNAME).
      const blockingName = `${prefix}:${Buffer.from(queueName).toString('base64')}`;
      proxy.cutAny = (sent) => sent.includes(blockingName);
      const logger = recordingLogger();
      app = createHookwork({
        composers: [thingComposer],
        logger,
        settings: { ssrf: { allow: ['127.0.0.1'] }, concurrency: { global: 2, perWebhook: 2 } },
        queue: bullmqQueue({ connection: proxy.url, prefix, queueName, checkDurability: false }),
      });
      await app.start();
      await until('the blocking connection to be cut as it connects', () => proxy.cutAny === undefined);
      await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      for (let i = 0; i < 4; i++) await app.publish(new ThingHappened(`n${i}`));
      await app.drain({ all: true, timeoutMs: 15_000 });
      expect(receiver.requests.map((r) => (JSON.parse(r.text) as { id: string }).id).sort()).toEqual(['n0', 'n1', 'n2', 'n3']);
      await expect(app.queueCounts()).resolves.toEqual({ pending: 0, inFlight: 0, dead: 0 });
      expect(consoleError.mock.calls.map((c) => String(c[0]))).toEqual([]);
    } finally {
      await proxy.close();
      await receiver.close();
    }
  });

  it.each([
    ["the engine's check of the server (cluster mode, version)", 2],
    ["BullMQ's version check", 3],
  ])('a server that stops answering while start() sets BullMQ up, at %s: start() fails after commandTimeoutMs, without waiting for a goodbye it will never get', async (_at, info) => {
    server = await startPrivateRedis();
    const proxy = await startCuttingProxy(server.port);
    try {
      // After ioredis's ready check (the first INFO), nothing is answered and no connection closes
      // (a wedged server, or a network partition without a reset): the INFO waits forever.
      proxy.hushWhen = (sent) => infos(sent) >= info;
      app = createHookwork({ composers: [thingComposer], logger: recordingLogger(), queue: bullmqQueue({ connection: proxy.url, prefix, queueName: 'hushed-at-start', checkDurability: false, commandTimeoutMs: 1000 }) });
      // A start() that closed gracefully would wait here for the QUIT's answer until this test's timeout.
      const error = await app.start().then(
        () => undefined,
        (e: unknown) => e,
      );
      app = undefined;
      expect(proxy.hushed).toBe(true);
      expect(isHookworkError(error, 'HOOKWORK_ERR_REDIS_UNAVAILABLE' as never)).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('a server that stops answering while running: publish() and queueCounts() fail with their coded errors after commandTimeoutMs, one command or many', async () => {
    server = await startPrivateRedis();
    const proxy = await startCuttingProxy(server.port);
    try {
      app = createHookwork({ composers: [thingComposer], logger: recordingLogger(), queue: bullmqQueue({ connection: proxy.url, prefix, queueName: 'hushed-while-running', checkDurability: false, commandTimeoutMs: 1000 }) });
      await app.start();
      await app.webhooks.create({ url: 'http://127.0.0.1:9/', events: ['thing.happened'] });
      await app.publish(new ThingHappened('answered'));
      // From the producer's next command on, nothing is answered and no connection closes.
      proxy.hushWhen = () => true;
      const started = Date.now();
      const outcomes = await Promise.all([
        ...['one', 'two', 'three'].map((name) => app!.publish(new ThingHappened(name)).then(() => undefined, (e: unknown) => e)),
        app.queueCounts().then(() => undefined, (e: unknown) => e),
      ]);
      const elapsed = Date.now() - started;
      expect(proxy.hushed).toBe(true);
      // Sent and never answered: Redis may have run them, so a publish says it cannot tell.
      expect(outcomes.map((e) => (isHookworkError(e) ? e.code : e))).toEqual(['HOOKWORK_ERR_ENQUEUE_UNCERTAIN', 'HOOKWORK_ERR_ENQUEUE_UNCERTAIN', 'HOOKWORK_ERR_ENQUEUE_UNCERTAIN', 'HOOKWORK_ERR_STORAGE']);
      expect(outcomes.map((e) => String(((e as Error).cause as Error)?.message))).toEqual(['Command timed out', 'Command timed out', 'Command timed out', 'Command timed out']);
      for (const outcome of outcomes) expect((outcome as Error).message).toMatch(/Redis did not answer within 1000 ms/);
      expect(elapsed).toBeGreaterThanOrEqual(950);
      expect(elapsed).toBeLessThan(3000);
      // A command sent later has a deadline of its own, counted from when it was sent.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const later = Date.now();
      const error = await app.publish(new ThingHappened('later')).then(() => undefined, (e: unknown) => e);
      expect(isHookworkError(error, 'HOOKWORK_ERR_ENQUEUE_UNCERTAIN')).toBe(true);
      expect(Date.now() - later).toBeGreaterThanOrEqual(950);
      expect(consoleError.mock.calls.map((c) => String(c[0]))).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('a connection lost in the middle of any command: every public call fails with a coded error, never a raw ioredis one', async () => {
    server = await startPrivateRedis();
    const proxy = await startCuttingProxy(server.port);
    try {
      const logger = recordingLogger();
      app = createHookwork({ composers: [thingComposer], logger, queue: bullmqQueue({ connection: proxy.url, prefix, queueName: 'cut-mid-command', checkDurability: false }) });
      await app.start();
      const webhook = await app.webhooks.create({ url: 'http://127.0.0.1:9/', events: ['thing.happened'] });
      // The app's first log cleanup round (a second after start) deletes old dead letters with the
      // producer too: let it pass, so that each cut below hits the call it is armed for.
      await until('the first log cleanup round', () => /zrangebyscore/i.test(proxy.producerSent), 10_000);
      await app.runCleanup();
      const calls: [string, string, () => Promise<unknown>][] = [
        // Written to the socket before the cut: this end cannot know that Redis never read it.
        ['publish', 'HOOKWORK_ERR_ENQUEUE_UNCERTAIN', () => app!.publish(new ThingHappened('one'))],
        ['queueCounts', 'HOOKWORK_ERR_STORAGE', () => app!.queueCounts()],
        ['queueCounts of a webhook', 'HOOKWORK_ERR_STORAGE', () => app!.queueCounts({ webhookKey: webhook.key })],
        ['deadLetters', 'HOOKWORK_ERR_STORAGE', () => app!.deadLetters()],
        ['redeliver one', 'HOOKWORK_ERR_STORAGE', () => app!.redeliver({ ids: ['msg_nothing'] })],
        ['redeliver of a webhook', 'HOOKWORK_ERR_STORAGE', () => app!.redeliver({ webhookKey: webhook.key })],
      ];
      for (const [name, code, call] of calls) {
        // Once the producer answers again, its next command is cut before Redis sees it.
        await reconnected(app, 20_000);
        const before = proxy.cuts;
        proxy.cut = () => true;
        const error = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect([name, proxy.cuts - before]).toEqual([name, 1]);
        expect([name, isHookworkError(error) ? error.code : error]).toEqual([name, code]);
        expect((error as Error).cause).toBeDefined();
        // Nothing makes a failed call again behind its caller's back: the message said it was "retried by itself".
        if (code === 'HOOKWORK_ERR_STORAGE') expect([name, (error as Error).message]).toEqual([name, expect.stringContaining('this call is not made again: make it again once Redis answers')]);
      }
      expect(consoleError.mock.calls.map((c) => String(c[0]))).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
  it('a publish Redis stored whose answer was lost is HOOKWORK_ERR_ENQUEUE_UNCERTAIN in hookwork\'s words; published again with its idempotencyKey, it is delivered once, under one webhook-id', async () => {
    server = await startPrivateRedis();
    const proxy = await startCuttingProxy(server.port);
    const receiver = await startTestReceiver();
    try {
      app = createHookwork({
        composers: [thingComposer],
        logger: recordingLogger(),
        settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] } },
        queue: bullmqQueue({ connection: proxy.url, prefix, queueName: 'answer-lost', checkDurability: false }),
      });
      await app.start();
      const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await app.publish(new ThingHappened('before'));
      await receiver.waitFor(1);
      // The job's data carries the body: Redis adds the job, and its answer never comes back.
      proxy.loseAnswer = (sent) => sent.includes('answer-lost');
      const error = await app.publish(new ThingHappened('answer-lost'), { idempotencyKey: 'change-17' }).then(() => undefined, (e: unknown) => e);
      expect(proxy.answersLost).toBe(1);
      expect(isHookworkError(error, 'HOOKWORK_ERR_ENQUEUE_UNCERTAIN')).toBe(true);
      const message = (error as Error).message;
      expect(message).toMatch(/were sent to Redis at redis:\/\/127\.0\.0\.1:\d+, but the connection to Redis was lost before it answered \(it is being made again by itself\): Redis runs what it read, so they may or may not be stored; publish the same notification again with the same idempotencyKey \("change-17"\)/);
      // ioredis's own words stay in the cause, out of the message.
      expect(message).not.toMatch(/maxRetriesPerRequest|max retries/);
      expect(String(((error as Error).cause as Error).message)).toMatch(/max retries per request/);
      // It was stored: it is delivered.
      await receiver.waitFor(2);
      await reconnected(app, 20_000);
      await app.drain({ all: true, timeoutMs: 10_000 });
      // The host does what the message says, once Redis answers: nothing is stored twice, though the job is gone.
      await app.publish(new ThingHappened('answer-lost'), { idempotencyKey: 'change-17' });
      await app.publish(new ThingHappened('after'));
      await receiver.waitFor(3);
      await app.drain({ all: true, timeoutMs: 10_000 });
      expect(receiver.requests.map((r) => (JSON.parse(r.text) as { id: string }).id)).toEqual(['before', 'answer-lost', 'after']);
      expect(receiver.requests[1]!.headers['webhook-id']).toBe(keyedMessageId('change-17', webhook.key, 'thing.happened', 0));
    } finally {
      await proxy.close();
      await receiver.close();
    }
  });
});
