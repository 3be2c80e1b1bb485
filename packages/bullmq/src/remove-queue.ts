import type { QueueCounts } from '@hookwork/core';
import { Queue } from 'bullmq';
import { checkOptions, type BullmqQueueOptions, type OptionsCaller } from './bullmq-queue';
import { storeMarkerKey } from './queue-claim';
import { RedisClients } from './redis-connection';

/** removeBullmqQueue's options, for the messages of its checks (the queue's, without bullmqQueue's checkDurability). */
const REMOVE_OPTIONS: OptionsCaller = { name: 'removeBullmqQueue()', keys: ['connection', 'queueName', 'prefix', 'commandTimeoutMs'] };

/** Which queue {@link removeBullmqQueue} removes: as it was given to bullmqQueue(). */
export type RemoveBullmqQueueOptions = Pick<BullmqQueueOptions, 'connection' | 'queueName' | 'prefix' | 'commandTimeoutMs'>;

/** What {@link removeBullmqQueue} did, and the requests it found. */
export interface RemovedBullmqQueue {
  /** True when the queue's keys were deleted; false when it held requests and was kept. */
  removed: boolean;
  /** The requests the queue held: all 0 when it was removed. */
  counts: QueueCounts;
}

/**
 * Deletes a BullMQ queue's keys from Redis — what BullMQ keeps beside the jobs (`meta`, the id
 * counter, the events stream, …) — when it holds no request: none pending (delayed included), in
 * flight or dead-lettered. A queue holding any is kept, and the counts say what it holds: they
 * are requests an app on the queue will deliver, or dead letters an operator may redeliver.
 *
 * For a queue one app or tool owns alone (a demo's, a test's, a decommissioned app's), once its
 * apps have stopped: an app still running on the queue would find its keys gone. The quickstart
 * calls it as it ends.
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
      if (counts.pending + counts.inFlight + counts.dead > 0) return { removed: false, counts };
      // Not forced: BullMQ refuses while a job is active, so one taken meanwhile is never lost.
      await queue.obliterate();
      // Not one of BullMQ's keys: another store's apps may use the queue name from now on.
      await redis.producer.del(storeMarkerKey(prefix, queueName));
      return { removed: true, counts };
    });
  } finally {
    await queue.close();
    await redis.close();
  }
}
