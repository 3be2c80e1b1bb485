import type { DeliveryVerdict, QueueEngine, Settlement, WebhookRequest } from '@hookwork/core';
import { engineRequest } from '@hookwork/core/testing';
import type { Redis } from 'ioredis';
import { bullmqQueue } from './bullmq-queue';
import type { RedisClients } from './redis-connection';
import { deleteKeys, standaloneEngineContext, TEST_REDIS_URL, uniquePrefix } from './testing/redis-test';

const prefix = uniquePrefix('retention');
let queues = 0;

afterAll(async () => {
  await deleteKeys(prefix);
});

/** A handler that dead-letters each request's first attempt and delivers the next, noting what arrived. */
function deadThenDelivered() {
  const arrived: string[] = [];
  const seen = new Map<string, number>();
  const waiters: Array<() => void> = [];
  return {
    arrived,
    handler: {
      async handle(request: WebhookRequest): Promise<Settlement> {
        const n = (seen.get(request.id) ?? 0) + 1;
        seen.set(request.id, n);
        const verdict: DeliveryVerdict = n === 1 ? { kind: 'dead', attempts: 1, lastError: 'HTTP 500' } : { kind: 'delivered' };
        if (n > 1) arrived.push(request.id);
        return { verdict, settled: () => waiters.splice(0).forEach((wake) => wake()) };
      },
    },
    async until(check: () => boolean | Promise<boolean>): Promise<void> {
      while (!(await check())) await new Promise<void>((resolve) => waiters.push(resolve) && setTimeout(resolve, 50));
    },
  };
}

describe('the BullMQ dead-letter retention', () => {
  it('never deletes a dead letter that a redelivery put back while the cleanup ran: what was redelivered arrives', async () => {
    const queueName = `q${++queues}`;
    const engine: QueueEngine<unknown> = await bullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName, checkDurability: false }).open(standaloneEngineContext());
    try {
      const { handler, arrived, until } = deadThenDelivered();
      await engine.start(handler);
      const request = engineRequest('old');
      await engine.enqueue([request]);
      engine.wake();
      await until(async () => (await engine.get(request.id))?.state === 'dead');

      // The race made certain: the first reply of the cleanup's that reads the dead letters is held
      // back until a redelivery of that dead letter has been made, so the cleanup goes on after it.
      const producer = (engine as unknown as { redis: RedisClients }).redis.producer as Redis;
      const failedKey = `${prefix}:${queueName}:failed`;
      const send = producer.sendCommand.bind(producer);
      const before = Date.now() + 60_000;
      const ofCleanup = (args: string[]) => args.includes(failedKey) && args.some((arg) => arg.endsWith(String(before)));
      let redelivered: string[] | undefined;
      producer.sendCommand = ((command: { args: unknown[] }, stream?: unknown) => {
        const reply = send(command as never, stream as never) as Promise<unknown>;
        if (redelivered !== undefined || !ofCleanup(command.args.map(String))) return reply;
        redelivered = [];
        return reply.then(async (result) => {
          redelivered = await engine.redeliver({ ids: [request.id] }, new Date());
          return result;
        });
      }) as typeof producer.sendCommand;

      const deleted = await engine.deleteDeadOlderThan(new Date(before), 100);
      producer.sendCommand = send;

      // Either the cleanup deleted the dead letter first (and the redelivery found nothing), or
      // the redelivery put it back and the cleanup left it: never both.
      expect(deleted + redelivered!.length).toBe(1);
      if (redelivered!.length === 1) {
        await until(() => arrived.includes(request.id));
        expect(arrived).toEqual([request.id]);
      } else {
        expect(await engine.get(request.id)).toBeUndefined();
      }
    } finally {
      await engine.close?.();
    }
  });
});
