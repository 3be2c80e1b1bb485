import type { QueueEngine } from '@hookwork/core';
import { engineRequest } from '@hookwork/core/testing';
import type { Redis } from 'ioredis';
import type { Socket } from 'node:net';
import { bullmqQueue } from './bullmq-queue';
import type { RedisClients } from './redis-connection';
import { deleteKeys, standaloneEngineContext, TEST_REDIS_URL, uniquePrefix } from './testing/redis-test';

// A publish sends two commands on the producer connection: the held check (EXISTS), then BullMQ's
// add a few promise steps later. They go to Redis in one write (two cost a system call more on
// each side), and that write is made as soon as the add is, within the same run of microtasks.
// Held to the end of the event loop's turn instead, a publish made while the worker's HTTP
// responses were being read waited for every one of them to be handled; a host awaiting each
// publish in turn then published slower than the worker delivered (hookwork on BullMQ fell from
// about 0.9 × the plain BullMQ worker to 0.63 ×). Nothing here is timed: the test looks at the
// producer's socket the moment the add was handed to it.

const prefix = uniquePrefix('writes');
let engine: QueueEngine<unknown>;

beforeAll(async () => {
  engine = await bullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName: 'q', checkDurability: false }).open(standaloneEngineContext());
});
afterAll(async () => {
  await engine.close?.();
  await deleteKeys(prefix);
});

/** The producer's commands as they are handed to its socket, and the writes the socket makes (commands in each). */
function watchProducer() {
  const producer = (engine as unknown as { redis: RedisClients }).redis.producer as Redis;
  const socket = (producer as unknown as { stream: Socket & { _write: Function; _writev: Function } }).stream;
  const writes: number[] = [];
  const write = socket._write;
  const writev = socket._writev;
  socket._write = function (this: Socket, ...args: unknown[]) {
    writes.push(1);
    return write.apply(this, args);
  };
  socket._writev = function (this: Socket, chunks: unknown[], callback: unknown) {
    writes.push(chunks.length);
    return writev.call(this, chunks, callback);
  };
  const commands: string[] = [];
  /** Per command handed over: the writes made by then and whether the socket still held some back, read in the next microtask. */
  const seen: Promise<{ command: string; writes: number[]; corked: boolean }>[] = [];
  const send = producer.sendCommand;
  producer.sendCommand = function (this: Redis, command: Parameters<Redis['sendCommand']>[0], stream?: Parameters<Redis['sendCommand']>[1]) {
    const result = send.call(this, command, stream);
    commands.push(command.name);
    seen.push(Promise.resolve().then(() => ({ command: command.name, writes: [...writes], corked: socket.writableCorked > 0 })));
    return result;
  };
  return {
    writes,
    commands,
    seen,
    restore() {
      producer.sendCommand = send;
      socket._write = write;
      socket._writev = writev;
    },
  };
}

describe("a publish on BullMQ, at the producer's socket", () => {
  it('its held check and its add go to Redis in one write, made as soon as the add is handed over (not at the end of the turn)', async () => {
    // BullMQ's script loaded once (a first add may be sent again as EVAL after NOSCRIPT).
    await engine.enqueue([engineRequest('warm')]);
    const watch = watchProducer();
    try {
      const request = engineRequest('first');
      const stored = engine.enqueue([request]);
      expect(await stored).toEqual({ stored: [request.id] });
      expect(watch.commands).toEqual(['exists', 'evalsha']);
      // The add's write was made by the time the add's microtask ran: nothing waits for the turn to end.
      expect(await Promise.all(watch.seen)).toEqual([
        { command: 'exists', writes: [], corked: true },
        { command: 'evalsha', writes: [2], corked: false },
      ]);
      expect((await engine.get(request.id))?.state).toBe('pending');
    } finally {
      watch.restore();
    }
  });

  it('twenty publishes awaited in turn make twenty writes, one per publish, each with both commands', async () => {
    const watch = watchProducer();
    try {
      for (let i = 0; i < 20; i++) await engine.enqueue([engineRequest(`each-${i}`)]);
      expect(watch.writes).toEqual(Array.from({ length: 20 }, () => 2));
      expect(watch.commands).toEqual(Array.from({ length: 20 }, () => ['exists', 'evalsha']).flat());
    } finally {
      watch.restore();
    }
  });
});
