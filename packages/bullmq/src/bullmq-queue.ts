import { isPlainObject, nearestName, objectKind, readOrRefuse, shownList, shownValue, type QueueEngineProvider } from '@hookwork/core';
import type { RedisOptions } from 'ioredis';
import { BULLMQ_ERRORS } from './bullmq-errors';
import { BullmqQueueEngine } from './bullmq-queue-engine';
import { finishedWithin } from './finished-within';
import { clientOptions, isRedisCluster, RedisClients, type RedisConnectionInput } from './redis-connection';
import { checkRedisDurability } from './redis-durability';
import { redisOptionsProblem, redisUrlProblem } from './redis-url';

/** Options of {@link bullmqQueue}. */
export interface BullmqQueueOptions {
  /**
   * Where Redis is: a `redis://` or `rediss://` URL, ioredis options (`{ host, port, password, tls, … }`),
   * or an ioredis client (of any copy of ioredis) — hookwork makes its connections with its
   * options (it never uses or closes yours) and uses no `keyPrefix` (use `prefix`). Not an ioredis
   * Cluster. A database index the server lacks fails start(), and so does a scheme the server does
   * not speak (`rediss://` or a `tls` option at a plain Redis, `redis://` at a TLS port), within
   * about a second, naming the scheme to use.
   */
  connection: RedisConnectionInput;
  /** The BullMQ queue's name. Default `hookwork`. Apps that share a Redis but not their webhooks need names of their own: start() refuses an app of another webhook store on a queue (of a memory store: while an app of another runs). No `:`, control character or space at either end (HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS). */
  queueName?: string;
  /** BullMQ's key prefix: keys are `<prefix>:<queueName>:…`. Default `bull`, BullMQ's own (so dashboards such as bull-board find the queue). No control character or space at either end. */
  prefix?: string;
  /** A Redis command of publish() or of management (counts, dead letters) fails after this long, ms. Default 5000. */
  commandTimeoutMs?: number;
  /** Read the server's persistence and eviction settings at start and warn when they can lose requests (docs/bullmq.md). Default true. */
  checkDurability?: boolean;
}

const OPTION_KEYS = new Set(['connection', 'queueName', 'prefix', 'commandTimeoutMs', 'checkDurability']);

/**
 * The BullMQ queue engine on Redis, for `createHookwork({ storage, queue: bullmqQueue({ connection }) })`:
 * requests live in Redis as BullMQ jobs (id = `webhook-id`) while webhooks and the delivery
 * log stay in the storage backend. Core's retry policy, signing, log and lifecycle apply as
 * on every engine. Three Redis connections per app, whatever the number of webhooks (a
 * producer, BullMQ's worker and its blocking fetch). See docs/bullmq.md.
 *
 * @throws HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS at once for options of the wrong kind; the app's
 * start() fails with HOOKWORK_ERR_REDIS_UNAVAILABLE when Redis cannot be reached, and with
 * HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS when the server cannot run the queue as given (a TLS scheme
 * the server does not speak, a database it lacks, a cluster node or replica) or the queue is used
 * by apps of another webhook store (docs/bullmq.md#several-processes).
 */
export function bullmqQueue(options: BullmqQueueOptions): QueueEngineProvider<never> {
  const checked = checkOptions(options);
  return {
    name: 'bullmq',
    async open(context) {
      const { storage: _storage, storageBackend: _backend, ...rest } = context;
      const redis = new RedisClients(checked.connection, `${checked.prefix}:${checked.queueName}:hookwork`, checked.commandTimeoutMs, (message) => context.logger.warn(message));
      await redis.connect();
      if (checked.checkDurability) {
        for (const finding of await checkRedisDurability(redis.producer, redis.where)) context.logger[finding.level](finding.message);
      }
      const engine = new BullmqQueueEngine(redis, rest, { queueName: checked.queueName, prefix: checked.prefix, storeId: context.storage?.id, formerStoreIds: context.storage?.formerIds, store: context.storage });
      try {
        await engine.ready();
      } catch (error) {
        // The server did not answer in time, or the connection went: no graceful goodbye, which
        // would wait for that same server (a QUIT has no deadline of its own). Drop the
        // connections, then let BullMQ's objects close over them, for at most the same deadline.
        redis.disconnect();
        await finishedWithin(engine.close().catch(() => {}), checked.commandTimeoutMs);
        throw error;
      }
      return engine;
    },
  };
}

/**
 * A queue name or prefix shown as it is written: no control characters (a newline would split
 * every log line that names it) and no space at either end (invisible in logs and dashboards,
 * so `"orders "` and `"orders"` would look like one queue).
 */
function isPlainName(name: string): boolean {
  // A lone surrogate: Redis keys are UTF-8 bytes, and it would become U+FFFD in the key.
  return !/[\p{Cc}\p{Cs}]/u.test(name) && name.trim() === name;
}

/** Who checks options, for {@link checkOptions}'s messages: its name and the options it takes. */
export interface OptionsCaller {
  /** `bullmqQueue()` or `removeBullmqQueue()`. */
  name: string;
  /** The option names it takes. */
  keys: readonly string[];
}

const BULLMQ_QUEUE: OptionsCaller = { name: 'bullmqQueue()', keys: [...OPTION_KEYS] };

/**
 * Checks bullmqQueue() options (or `caller`'s: removeBullmqQueue's are a part of them) and fills
 * in the defaults; HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS naming `caller` and each problem. Plain
 * ioredis options are returned as a copy: the object checked is the object used, whatever the
 * host does to its own afterwards.
 */
export function checkOptions(options: BullmqQueueOptions, caller: OptionsCaller = BULLMQ_QUEUE): Required<BullmqQueueOptions> {
  const problems: string[] = [];
  // Read once, ioredis options within (a client is kept as given): a getter or Proxy trap that
  // throws is refused naming it, and what is checked is what connects.
  options = readOrRefuse(options, (path, problem) => {
    const text = `${path || 'the options'} ${problem}`;
    return BULLMQ_ERRORS.create('HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS', `${caller.name} was given bad options: ${text}`, { details: [text] });
  }, 3);
  if (!isPlainObject(options)) {
    throw BULLMQ_ERRORS.create('HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS', `${caller.name} takes a plain options object such as { connection: "redis://127.0.0.1:6379" }${options !== null && typeof options === 'object' ? `; got ${objectKind(options)}` : ''}`);
  }
  for (const key of Object.keys(options)) {
    if (caller.keys.includes(key)) continue;
    const near = nearestName(key, [...caller.keys]);
    problems.push(`${key} is not an option${near ? ` (did you mean ${near}?)` : ''} (the options are ${caller.keys.join(', ')})`);
  }
  const { queueName = 'hookwork', prefix = 'bull', commandTimeoutMs = 5000, checkDurability = true } = options;
  let { connection } = options;
  const client = clientOptions(connection);
  if (typeof connection === 'string') {
    const problem = redisUrlProblem(connection);
    if (problem) problems.push(problem);
  } else if (connection === undefined) {
    problems.push('connection is required: a redis:// URL, ioredis options such as { host, port } or an ioredis client');
  } else if (connection === null || typeof connection !== 'object') {
    problems.push(`connection must be a redis:// or rediss:// URL, ioredis options such as { host, port } or an ioredis client; got ${shownValue(connection)}`);
  } else if (isRedisCluster(connection)) {
    // Spread as options, a Cluster would connect to 127.0.0.1:6379, whatever its nodes.
    problems.push('connection is an ioredis Cluster, which the BullMQ queue does not support: give it one Redis server (a redis:// URL, { host, port } or an ioredis Redis client)');
  } else if (client === undefined && !isPlainObject(connection)) {
    // ioredis reads an array or a Date as options holding none, and connects to 127.0.0.1:6379.
    problems.push(`connection must be a redis:// or rediss:// URL, ioredis options such as { host, port } or an ioredis client; got ${Array.isArray(connection) ? 'an array' : `a ${Object.prototype.toString.call(connection).slice(8, -1)}`}`);
  } else if ((client ?? (connection as RedisOptions)).keyPrefix) {
    problems.push('connection has an ioredis keyPrefix, which BullMQ cannot use; pass prefix instead');
  } else {
    // A client's options too: ioredis made them from what it was given, unchecked (db: 'one' is NaN there).
    const problem = redisOptionsProblem((client ?? connection) as Record<string, unknown>, client ? 'connection.options' : 'connection', client !== undefined);
    if (problem) problems.push(problem);
    if (client === undefined) connection = { ...(connection as RedisOptions) };
  }
  if (typeof queueName !== 'string' || queueName === '' || queueName.includes(':') || !isPlainName(queueName)) problems.push(`queueName must be a non-empty string without ":", control characters, lone surrogates or spaces at either end; got ${JSON.stringify(queueName)}`);
  if (typeof prefix !== 'string' || prefix === '' || !isPlainName(prefix)) problems.push(`prefix must be a non-empty string without control characters, lone surrogates or spaces at either end; got ${JSON.stringify(prefix)}`);
  if (!Number.isInteger(commandTimeoutMs) || commandTimeoutMs <= 0) problems.push(`commandTimeoutMs must be a whole number of ms above 0; got ${shownValue(commandTimeoutMs)}`);
  if (typeof checkDurability !== 'boolean') problems.push(`checkDurability must be true or false; got ${JSON.stringify(checkDurability)}`);
  if (problems.length > 0) throw BULLMQ_ERRORS.create('HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS', `${caller.name} was given bad options: ${shownList(problems, { show: (problem) => problem, separator: '; ' })}`, { details: problems });
  return { connection, queueName, prefix, commandTimeoutMs, checkDurability };
}
