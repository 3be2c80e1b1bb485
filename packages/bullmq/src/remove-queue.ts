import type { QueueCounts } from '@hookwork/core';
import { Queue } from 'bullmq';
import { checkOptions, type BullmqQueueOptions, type OptionsCaller } from './bullmq-queue';
import { EPHEMERAL, storeMarkerKey } from './queue-claim';
import { RedisClients } from './redis-connection';

/** removeBullmqQueue's options, for the messages of its checks (the queue's, without bullmqQueue's checkDurability). */
const REMOVE_OPTIONS: OptionsCaller = { name: 'removeBullmqQueue()', keys: ['connection', 'queueName', 'prefix', 'commandTimeoutMs'] };

/** Which queue {@link removeBullmqQueue} removes: as it was given to bullmqQueue(). */
export type RemoveBullmqQueueOptions = Pick<BullmqQueueOptions, 'connection' | 'queueName' | 'prefix' | 'commandTimeoutMs'>;

/** What {@link removeBullmqQueue} did, and what it found. */
export interface RemovedBullmqQueue {
  /** True when the queue's keys were deleted; false when it held requests or an app runs on it, and it was kept. */
  removed: boolean;
  /** The requests the queue held: all 0 when it was removed. */
  counts: QueueCounts;
  /**
   * True when an app runs on the queue, and it was kept: Redis lists a connection of one (a
   * hookwork app's, or any BullMQ Worker's of the queue), or — where CLIENT LIST is denied — the
   * claim of an app on a memory store is there. Stop its apps first.
   */
  inUse: boolean;
}

/**
 * Deletes a BullMQ queue's keys from Redis — what BullMQ keeps beside the jobs (`meta`, the id
 * counter, the events stream, …), the deduplication keys keyed publishes left for 24 hours
 * (`<prefix>:<queue>:de:<id>`, the queue's own) and the record of the webhook store its apps use — when it holds
 * no request (none pending, delayed included, in flight or dead-lettered) and no app runs on it.
 * A queue holding any is kept, and the counts say what it holds: they are requests an app on the
 * queue will deliver, or dead letters an operator may redeliver. A queue an app runs on is kept
 * too (`inUse`): deleting the record of its store under it let another store's app start on the
 * queue — the two drop each other's requests — and an app on a memory store wrote its claim back
 * at its next renewal anyway.
 *
 * For a queue one app or tool owns alone (a demo's, a test's, a decommissioned app's), once its
 * apps have stopped. The quickstart calls it as it ends. An app that starts on the queue while it
 * is being removed is not seen.
 *
 * @throws HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS for options of the wrong kind;
 * HOOKWORK_ERR_REDIS_UNAVAILABLE when Redis cannot be reached; HOOKWORK_ERR_STORAGE when a
 * command fails (a request came into the queue in flight meanwhile, among others).
 */
export async function removeBullmqQueue(options: RemoveBullmqQueueOptions): Promise<RemovedBullmqQueue> {
  const { connection, queueName, prefix, commandTimeoutMs } = checkOptions(options, REMOVE_OPTIONS);
  const redis = new RedisClients(connection, `${prefix}:${queueName}:hookwork-remove`, commandTimeoutMs, undefined, 'removeBullmqQueue');
  await redis.connect();
  const queue = new Queue(queueName, { connection: redis.producer, prefix });
  try {
    return await redis.run(`removing the BullMQ queue ${queueName}`, async () => {
      const jobs = await queue.getJobCounts('wait', 'prioritized', 'delayed', 'waiting-children', 'active', 'failed');
      const counts = {
        pending: (jobs.wait ?? 0) + (jobs.prioritized ?? 0) + (jobs.delayed ?? 0) + (jobs['waiting-children'] ?? 0),
        inFlight: jobs.active ?? 0,
        dead: jobs.failed ?? 0,
      };
      const inUse = await appsRun(redis, prefix, queueName);
      if (counts.pending + counts.inFlight + counts.dead > 0 || inUse) return { removed: false, counts, inUse };
      // Not forced: BullMQ refuses while a job is active, so one taken meanwhile is never lost.
      await queue.obliterate();
      // Not one of BullMQ's keys: another store's apps may use the queue name from now on.
      await redis.producer.del(storeMarkerKey(prefix, queueName));
      await deleteDeduplicationKeys(redis, `${prefix}:${queueName}:`);
      return { removed: true, counts, inUse: false };
    });
  } finally {
    await queue.close();
    await redis.close();
  }
}

/**
 * Deletes the queue's deduplication keys (`<prefix>:<queue>:de:<id>`): an idempotent enqueue (a
 * publish with an idempotencyKey) sets one per request for 24 hours, and they outlive the jobs
 * (delivered jobs are removed at once), so BullMQ's obliterate — which deletes the keys of the jobs
 * it finds — left them, and a new queue of that name skipped a publish made again within the day.
 * They are the queue's own: a queue name holds no ":", so no other queue under the prefix writes
 * under `<prefix>:<queue>:de:`. Only a prefix that itself continues with ":<queue>" (prefix
 * `bull:orders` with a queue `de`) puts keys there; a key is deleted only when it is what BullMQ's
 * deduplication writes — a string, named `de:<id>` with no ":" in the id, whose value is that id —
 * which neither such a queue's job hashes nor its counters (`…:de:id`, a number) are.
 */
async function deleteDeduplicationKeys(redis: RedisClients, base: string): Promise<void> {
  const pattern = `${globEscaped(`${base}de:`)}*`;
  let cursor = '0';
  do {
    const [next, keys] = await redis.producer.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    const candidates = keys.filter((key) => !key.slice(base.length + 3).includes(':'));
    if (candidates.length > 0) await redis.producer.eval(DELETE_DEDUPLICATION_KEYS, candidates.length, ...candidates, ...candidates.map((key) => key.slice(base.length + 3)));
  } while (cursor !== '0');
}

/** Deletes each KEYS[i] that is a string holding ARGV[i] (a deduplication key names its job id and holds it). */
const DELETE_DEDUPLICATION_KEYS = `
local deleted = 0
for i, key in ipairs(KEYS) do
  if redis.call('TYPE', key).ok == 'string' and redis.call('GET', key) == ARGV[i] then
    deleted = deleted + redis.call('DEL', key)
  end
end
return deleted`;

/** `text` matched literally in a SCAN MATCH pattern (a prefix or queue name may hold `*`, `?`, `[` or `\`). */
function globEscaped(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * Whether an app runs on the queue: Redis lists a connection of a hookwork engine on it
 * (`<prefix>:<queue>:hookwork:producer` / `:worker`) or of a BullMQ Worker of it
 * (`<prefix>:<base64 queue>`, or `…:w:<name>`). Where CLIENT LIST is refused (an ACL, a managed
 * Redis without it), a claim of an app on a memory store (see QueueClaim) says one runs — or ran
 * until at most its TTL ago; an app on a store with an id is then not seen.
 */
async function appsRun(redis: RedisClients, prefix: string, queueName: string): Promise<boolean> {
  const engine = `${prefix}:${queueName}:hookwork:`;
  const worker = `${prefix}:${Buffer.from(queueName).toString('base64')}`;
  let list: string;
  try {
    list = String(await redis.producer.client('LIST', 'TYPE', 'NORMAL'));
  } catch (error) {
    if ((error as Error)?.name !== 'ReplyError') throw error;
    return (await redis.producer.get(storeMarkerKey(prefix, queueName)))?.startsWith(EPHEMERAL) === true;
  }
  return list.split('\n').some((line) => {
    const name = / name=(\S*)/.exec(line)?.[1] ?? '';
    return name.startsWith(engine) || name === worker || name.startsWith(`${worker}:w:`);
  });
}
