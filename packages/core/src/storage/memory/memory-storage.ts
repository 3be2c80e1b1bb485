import type { Storage, StorageBackend } from '../../ports/storage-backend';
import { MemoryDeliveryLog } from './memory-delivery-log';
import { MemoryRequestQueue } from './memory-request-queue';
import { MemoryWebhookHealthStore } from './memory-webhook-health-store';
import { MemoryWebhookRepository } from './memory-webhook-repository';

export { MemoryWebhookRepository } from './memory-webhook-repository';
export { MemoryRequestQueue } from './memory-request-queue';
export { MemoryDeliveryLog } from './memory-delivery-log';
export { MemoryWebhookHealthStore } from './memory-webhook-health-store';

const MEMORY_CAPABILITIES = Object.freeze({ transactionalEnqueue: false, leaseRenewal: true, shared: false, crossProcessWake: false, fifo: true, webhookHealth: true });

/** The in-memory backend (the default of createHookwork): nothing survives the process. */
export function memoryStorage(): StorageBackend {
  return {
    name: 'memory',
    capabilities: MEMORY_CAPABILITIES,
    async open(): Promise<Storage> {
      return {
        webhooks: new MemoryWebhookRepository(),
        queue: new MemoryRequestQueue(),
        deliveryLog: new MemoryDeliveryLog(),
        health: new MemoryWebhookHealthStore(),
        async close() {},
      };
    },
  };
}
