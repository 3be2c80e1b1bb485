/**
 * @hookwork/bullmq — a queue engine for hookwork on Redis with BullMQ. Requests are BullMQ jobs
 * (id = `webhook-id`); core's retry policy, signing, delivery log and lifecycle apply as on
 * every engine. See docs/bullmq.md.
 */
export { bullmqQueue, type BullmqQueueOptions } from './bullmq-queue';
export { BULLMQ_ERRORS } from './bullmq-errors';
export { IDEMPOTENCY_WINDOW_MS } from './bullmq-queue-engine';
export { removeBullmqQueue, type RemoveBullmqQueueOptions, type RemovedBullmqQueue } from './remove-queue';
export { checkRedisDurability, type DurabilityFinding } from './redis-durability';
export type { RedisConnectionInput } from './redis-connection';
