import type { Storage, StorageBackend } from '../ports/storage-backend';
import type { WebhookHealthStore } from '../ports/webhook-health-store';

/**
 * `backend`, opened with one member of its storage (`health`, `queue`) replaced by what `wrap`
 * makes of it; every other member goes to the opened storage, so one the port gains later is not
 * left out. A storage without that member is left as it is.
 */
export function withStorageMember<TTransaction, K extends 'health' | 'queue'>(backend: StorageBackend<TTransaction>, member: K, wrap: (value: NonNullable<Storage<TTransaction>[K]>) => NonNullable<Storage<TTransaction>[K]>): StorageBackend<TTransaction> {
  return {
    name: backend.name,
    capabilities: backend.capabilities,
    async open(context): Promise<Storage<TTransaction>> {
      const storage = await backend.open(context);
      const value = storage[member];
      if (value === undefined || value === null) return storage;
      const wrapped = wrap(value as NonNullable<Storage<TTransaction>[K]>);
      return new Proxy(storage, {
        get(target, property, receiver) {
          if (property === member) return wrapped;
          const found = Reflect.get(target, property, receiver) as unknown;
          return typeof found === 'function' ? found.bind(target) : found;
        },
      });
    },
  };
}

/** `backend`, opened with its health store replaced by what `wrap` makes of it (a store without one is left as it is). */
function withHealth<TTransaction>(backend: StorageBackend<TTransaction>, wrap: (health: WebhookHealthStore) => WebhookHealthStore): StorageBackend<TTransaction> {
  return withStorageMember(backend, 'health', wrap);
}

/**
 * `backend` with its health store's optional `update` left out, as a store of another party's may
 * have none: core then writes each webhook's health by compare-and-set alone, reading again and
 * trying again after a round lost to another process. For tests of that path on a real store
 * (nothing of the store is replaced: every other call goes to it).
 */
export function withoutHealthUpdate<TTransaction>(backend: StorageBackend<TTransaction>): StorageBackend<TTransaction> {
  // Every other member passes through, so a method the port gains later is not left out.
  return withHealth(backend, (health) => new Proxy(health, { get: (target, property, receiver) => (property === 'update' ? undefined : Reflect.get(target, property, receiver)) }));
}

/** What {@link countingHealthWrites} counted so far, over every store the backend opened. */
export interface HealthWriteCounts {
  /** Compare-and-sets answered. */
  compareAndSets: number;
  /** Of those, the ones that found another version stored (lost to another writer). */
  lostCompareAndSets: number;
  /** Updates (`update`) resolved. */
  updates: number;
}

/**
 * `backend` with its health store's writes counted, not changed: how many compare-and-sets were
 * lost to another writer, how many updates were made. Lets a test see that the writes it checks
 * really met other writers (or really met none).
 */
export function countingHealthWrites<TTransaction>(backend: StorageBackend<TTransaction>): { storage: StorageBackend<TTransaction>; counts: HealthWriteCounts } {
  const counts: HealthWriteCounts = { compareAndSets: 0, lostCompareAndSets: 0, updates: 0 };
  const storage = withHealth(
    backend,
    (health) =>
      new Proxy(health, {
        get(target, property, receiver) {
          if (property === 'compareAndSet') {
            return async (...args: Parameters<WebhookHealthStore['compareAndSet']>) => {
              const written = await target.compareAndSet(...args);
              counts.compareAndSets++;
              if (!written) counts.lostCompareAndSets++;
              return written;
            };
          }
          if (property === 'update' && target.update) {
            const update = target.update.bind(target);
            return async (...args: Parameters<NonNullable<WebhookHealthStore['update']>>) => {
              const record = await update(...args);
              counts.updates++;
              return record;
            };
          }
          const value = Reflect.get(target, property, receiver) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
  );
  return { storage, counts };
}
