import { isPlainObject, objectKind } from '../../model/plain-object';
import { HookworkError, shownValue } from '../../errors/hookwork-error';
import { unknownOption } from '../../errors/nearest-name';
import { readOrRefuse } from '../../model/caller-input';
import type { Storage, StorageBackend } from '../../ports/storage-backend';
import { MemoryDeliveryLog } from './memory-delivery-log';
import { MemoryRequestQueue } from './memory-request-queue';
import { MemoryWebhookHealthStore } from './memory-webhook-health-store';
import { MemoryWebhookRepository } from './memory-webhook-repository';

export { MemoryWebhookRepository } from './memory-webhook-repository';
export { MemoryRequestQueue } from './memory-request-queue';
export { MemoryDeliveryLog } from './memory-delivery-log';
export { MemoryWebhookHealthStore } from './memory-webhook-health-store';

const MEMORY_CAPABILITIES = Object.freeze({ transactionalEnqueue: false, leaseRenewal: true, shared: false, crossProcessWake: false, fifo: true, webhookHealth: true, volatile: true });

/** Options of {@link memoryStorage}. */
export interface MemoryStorageOptions {
  /**
   * The most delivery log entries kept (one per attempt, about 2–3 KB each with a small body);
   * past it, the entries appended earliest are dropped. Default 10,000 (a few tens of MB).
   * `Infinity` keeps every entry until `keepLogsForDays` removes it. The queue (pending and
   * dead-lettered requests) is never capped: those are requests, not a record of them.
   */
  maxLogEntries?: number;
}

/** The delivery log entries the in-memory backend keeps by default. */
export const DEFAULT_MEMORY_LOG_ENTRIES = 10_000;

const KNOWN_OPTIONS: readonly string[] = ['maxLogEntries'] satisfies (keyof MemoryStorageOptions)[];

function checkOptions(given: MemoryStorageOptions): Required<MemoryStorageOptions> {
  const bad = (what: string) => new HookworkError('HOOKWORK_ERR_INVALID_STORAGE_OPTIONS', `memoryStorage(): ${what}`);
  // Read once, as every other store's options: a throwing getter is refused with the code, and a
  // getter answering differently cannot make the limit checked differ from the limit used.
  const options = readOrRefuse(given, (path, problem) => bad(`${path ? `\`${path}\`` : 'the options'} ${problem}`), 1);
  if (!isPlainObject(options)) throw bad(`takes an options object or nothing, e.g. memoryStorage({ maxLogEntries: 10000 }); got ${options !== null && typeof options === 'object' ? objectKind(options) : shownValue(options)}`);
  const unknown = unknownOption(options, KNOWN_OPTIONS);
  if (unknown) throw bad(unknown.text);
  const maxLogEntries = options.maxLogEntries ?? DEFAULT_MEMORY_LOG_ENTRIES;
  if (maxLogEntries !== Infinity && (!Number.isInteger(maxLogEntries) || maxLogEntries < 1)) {
    throw bad(`\`maxLogEntries\` must be a whole number of entries >= 1, or Infinity to keep every entry; got ${shownValue(options.maxLogEntries)}`);
  }
  return { maxLogEntries };
}

/**
 * The in-memory backend (the default of createHookwork): nothing survives the process. The
 * delivery log keeps the newest `maxLogEntries` entries (default {@link DEFAULT_MEMORY_LOG_ENTRIES}).
 * A bad option throws HOOKWORK_ERR_INVALID_STORAGE_OPTIONS at once.
 */
export function memoryStorage(options: MemoryStorageOptions = {}): StorageBackend {
  const { maxLogEntries } = checkOptions(options);
  return {
    name: 'memory',
    capabilities: MEMORY_CAPABILITIES,
    async open(): Promise<Storage> {
      const deliveryLog = new MemoryDeliveryLog(maxLogEntries);
      return {
        webhooks: new MemoryWebhookRepository(),
        queue: new MemoryRequestQueue(deliveryLog),
        deliveryLog,
        health: new MemoryWebhookHealthStore(),
        async close() {},
      };
    },
  };
}
