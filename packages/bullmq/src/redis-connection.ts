import { HookworkError, isHookworkError } from '@hookwork/core';
import { Redis, type RedisOptions } from 'ioredis';
import { BULLMQ_ERRORS } from './bullmq-errors';
import { QUEUE_SCRIPTS, type QueueScripts } from './queue-scripts';

/** Where Redis is: a `redis://` / `rediss://` URL, ioredis options, or an ioredis client (duplicated, never closed by hookwork). */
export type RedisConnectionInput = string | RedisOptions | Redis;

/** The Redis server of `input` for messages: `redis://host:port/db`, never a password. */
export function describeRedis(input: RedisConnectionInput): string {
  if (typeof input === 'string') {
    try {
      const url = new URL(input);
      return `${url.protocol}//${url.hostname}:${url.port || '6379'}${url.pathname && url.pathname !== '/' ? url.pathname : ''}`;
    } catch {
      return 'redis (unparsable URL)';
    }
  }
  const options = input instanceof Redis ? input.options : input;
  if (options.path) return `redis+unix://${options.path}`;
  return `redis://${options.host ?? '127.0.0.1'}:${options.port ?? 6379}${options.db ? `/${options.db}` : ''}`;
}

/** Reconnects after 50 ms, doubling up to 1 s: a Redis back from a restart is used within a second. */
const reconnect = (times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1000);

/**
 * The two ioredis clients of one engine, each made for its job:
 * - `producer` (enqueue, counts, dead letters) fails fast: no offline queue, no retry of a
 *   command cut off by a lost connection, a command deadline. While Redis is unreachable,
 *   publish() fails at once with HOOKWORK_ERR_ENQUEUE_FAILED instead of hanging.
 * - `worker` (given to BullMQ's Worker, which duplicates it for its blocking fetch) queues
 *   commands while reconnecting, so a completion made during a blip reaches Redis after it.
 * Both reconnect by themselves; neither needs a restart.
 */
export class RedisClients {
  readonly producer: Redis & QueueScripts;
  readonly worker: Redis;
  readonly where: string;

  constructor(input: RedisConnectionInput, name: string, commandTimeoutMs: number) {
    this.where = describeRedis(input);
    const producer: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: commandTimeoutMs,
      connectionName: `${name}:producer`,
      retryStrategy: reconnect,
    };
    const worker: RedisOptions = { lazyConnect: true, maxRetriesPerRequest: null, enableOfflineQueue: true, connectionName: `${name}:worker`, retryStrategy: reconnect };
    this.producer = make(input, producer) as Redis & QueueScripts;
    this.worker = make(input, worker);
    for (const [command, script] of Object.entries(QUEUE_SCRIPTS)) this.producer.defineCommand(command, script);
  }

  /** Connects both clients; HOOKWORK_ERR_REDIS_UNAVAILABLE (and both closed) when Redis cannot be reached. */
  async connect(): Promise<void> {
    try {
      await Promise.all([this.producer.connect(), this.worker.connect()]);
    } catch (error) {
      this.disconnect();
      throw BULLMQ_ERRORS.create(
        'HOOKWORK_ERR_REDIS_UNAVAILABLE',
        `the BullMQ queue could not connect to ${this.where} (${(error as Error)?.message ?? error}); start Redis or pass bullmqQueue({ connection }) the address of one`,
        { cause: error },
      );
    }
  }

  /** Runs a Redis operation, turning a failure into HOOKWORK_ERR_STORAGE that says what was being done. */
  async run<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (isHookworkError(error)) throw error;
      throw new HookworkError('HOOKWORK_ERR_STORAGE', `Redis at ${this.where} failed while ${doing} (${(error as Error)?.message ?? error}); it is retried by itself once Redis answers again`, { cause: error });
    }
  }

  /** Closes both clients, waiting for replies already on their way. */
  async close(): Promise<void> {
    await Promise.all([quit(this.producer), quit(this.worker)]);
  }

  disconnect(): void {
    this.producer.disconnect();
    this.worker.disconnect();
  }
}

function make(input: RedisConnectionInput, overrides: RedisOptions): Redis {
  if (input instanceof Redis) return input.duplicate(overrides);
  if (typeof input === 'string') return new Redis(input, overrides);
  return new Redis({ ...input, ...overrides });
}

async function quit(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') return client.disconnect();
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
