import type { Clock } from '../runtime/clock';
import type { Logger } from '../observability/logger';
import type { DeliveryLog } from './delivery-log';
import type { RequestQueue } from './request-queue';
import type { WebhookRepository } from './webhook-repository';

/** An opened store: the three ports, and how to close them. */
export interface Storage {
  readonly webhooks: WebhookRepository;
  readonly queue: RequestQueue;
  readonly deliveryLog: DeliveryLog;
  close(): Promise<void>;
}

/** What a backend gets when the app opens it. */
export interface StorageContext {
  logger: Logger;
  clock: Clock;
}

/**
 * A storage backend, passed as `createHookwork({ storage })`: in-memory (the default),
 * SQLite (`@hookwork/sqlite`), later PostgreSQL and BullMQ. `open` fails with a coded error
 * (HOOKWORK_ERR_STORAGE_*) at start, not later.
 */
export interface StorageBackend {
  readonly name: string;
  open(context: StorageContext): Promise<Storage>;
}
