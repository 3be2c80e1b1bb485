import { defineErrorCodes } from '@hookwork/core';

/**
 * @hookwork/bullmq's own error codes (documented in docs/errors.md under `@hookwork/bullmq`).
 * Enqueue failures use core's HOOKWORK_ERR_ENQUEUE_FAILED (nothing stored) or
 * HOOKWORK_ERR_ENQUEUE_UNCERTAIN (the batch was sent, the answer lost), and failures of other operations
 * (counts, dead letters) core's HOOKWORK_ERR_STORAGE, as every queue does.
 */
export const BULLMQ_ERRORS = defineErrorCodes('@hookwork/bullmq', {
  HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS: {
    summary: 'bullmqQueue() was given options it does not understand (a connection, queue name or prefix of the wrong kind), or its connection names a server it cannot run on (a database index the server refuses, a Redis Cluster node, a replica, a Redis older than 6.2, a scheme that does not match the server — rediss:// at a plain Redis, redis:// at a TLS one —, a queue of another webhook store\'s apps).',
    status: 500,
  },
  HOOKWORK_ERR_REDIS_UNAVAILABLE: {
    summary: 'The BullMQ queue engine could not reach Redis when the app started, or lost it while running (reported once per outage).',
    status: 503,
  },
});
