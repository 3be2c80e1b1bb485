import { memoryStorage } from '../storage/memory/memory-storage';
import type { EnqueueClaim, EnqueueOptions } from '../ports/request-queue';
import type { NewWebhookRequest } from '../model/webhook-request';
import type { Storage, StorageBackend } from '../ports/storage-backend';

/** A {@link StorageBackend} that also keeps every request enqueued through it. */
export interface CapturingStorage extends StorageBackend {
  /** Every request enqueued, in order, with its JSON body — kept even after delivery. */
  readonly enqueued: NewWebhookRequest[];
  /** The bodies parsed, for assertions. */
  payloads(): unknown[];
}

/**
 * The in-memory backend, recording what was enqueued: lets a test of an event class assert
 * the exact requests (alias, webhook, body) a publish produced, whatever the dispatcher did
 * with them afterwards. Optionally wraps another backend.
 */
export function capturingStorage(inner: StorageBackend = memoryStorage()): CapturingStorage {
  const enqueued: NewWebhookRequest[] = [];
  return {
    name: `capturing(${inner.name})`,
    capabilities: inner.capabilities,
    enqueued,
    payloads: () => enqueued.map((r) => JSON.parse(r.body) as unknown),
    async open(context): Promise<Storage> {
      const storage = await inner.open(context);
      const queue = storage.queue;
      return {
        ...storage,
        webhooks: storage.webhooks,
        deliveryLog: storage.deliveryLog,
        close: () => storage.close(),
        queue: new Proxy(queue, {
          get(target, property, receiver) {
            if (property === 'enqueue') {
              return async (requests: readonly NewWebhookRequest[], options?: EnqueueOptions<never>) => {
                const result = await target.enqueue(requests, options);
                enqueued.push(...requests.map((r) => ({ ...r })));
                return result;
              };
            }
            // The engine hands requests published in this process straight to its dispatcher
            // through enqueueClaimed when the queue has it: those are enqueued too.
            if (property === 'enqueueClaimed' && target.enqueueClaimed) {
              const enqueueClaimed = target.enqueueClaimed.bind(target);
              return async (requests: readonly NewWebhookRequest[], claim: EnqueueClaim) => {
                const claimed = await enqueueClaimed(requests, claim);
                enqueued.push(...requests.map((r) => ({ ...r })));
                return claimed;
              };
            }
            const value = Reflect.get(target, property, receiver) as unknown;
            return typeof value === 'function' ? value.bind(target) : value;
          },
        }),
      };
    },
  };
}
