import type { DeliveryLogEntry } from '../model/delivery-log-entry';
import { createToken } from '../runtime/tokens';

/** A page of log entries. */
export interface DeliveryLogPage {
  items: DeliveryLogEntry[];
  total: number;
}

/**
 * The delivery log. Listing is per webhook, newest first (ties broken by the order of append,
 * later first), paged. A backend must store any length of header or body text: a log write
 * must never fail because of a value's size.
 */
export interface DeliveryLog {
  append(entries: readonly DeliveryLogEntry[]): Promise<void>;
  list(webhookKey: string, page?: { limit?: number; offset?: number }): Promise<DeliveryLogPage>;
  /** Deletes up to `limit` entries dated before `before`; returns how many. */
  deleteOlderThan(before: Date, limit: number): Promise<number>;
}

/** Injection token of the app's {@link DeliveryLog}. */
export const DeliveryLogToken = createToken<DeliveryLog>('hookwork.DeliveryLog');
