import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { createHookwork, memoryStorage, pinoLogger } from '@hookwork/core';
import { startTestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';

/** A Fastify app whose logger (pino) writes its JSON lines into `lines`. */
function fastifyWithLines() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { fastify: Fastify({ logger: { level: 'debug', stream } }), lines };
}

describe("hookwork's log lines through Fastify's logger (pino), with pinoLogger()", () => {
  it('a dead letter is a warn line whose fields name the webhook and the request', async () => {
    const { fastify, lines } = fastifyWithLines();
    const receiver = await startTestReceiver((_request, res) => {
      res.statusCode = 500;
      res.end();
    });
    const app = createHookwork({
      composers: [thingComposer],
      storage: memoryStorage(),
      logger: pinoLogger(fastify.log),
      settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, maximumRetries: 0 },
    });
    try {
      await app.start();
      const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await app.publish(new ThingHappened('t1'));
      await app.drain({ timeoutMs: 10_000 });
      const [dead] = await app.deadLetters({ webhookKey: webhook.key }).then((page) => page.items);
      const line = lines.find((l) => typeof l.msg === 'string' && l.msg.includes('dead-lettered'));
      expect(line).toMatchObject({ level: 40, webhookKey: webhook.key, requestId: dead!.id, statusCode: 500 });
    } finally {
      await app.stop();
      await receiver.close();
      await fastify.close();
    }
  });

  it("an error line carries the error's type, message and stack (pino's err serializer), and a line without meta its message", async () => {
    const { fastify, lines } = fastifyWithLines();
    const logger = pinoLogger(fastify.log);
    logger.error('a background task failed', { task: 'log cleanup', error: new TypeError('disk full') });
    logger.info('100% of 3 requests sent');
    expect(lines).toEqual([
      expect.objectContaining({ level: 50, msg: 'a background task failed', task: 'log cleanup', err: expect.objectContaining({ type: 'TypeError', message: 'disk full', stack: expect.stringContaining('TypeError: disk full') }) }),
      expect.objectContaining({ level: 30, msg: '100% of 3 requests sent' }),
    ]);
    await fastify.close();
  });
});
