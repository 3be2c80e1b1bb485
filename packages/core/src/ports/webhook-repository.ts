import type { PageRequest } from '../model/page';
import { createToken } from '../runtime/tokens';
import type { Webhook } from '../model/webhook';

/**
 * Stores webhook definitions. `getByAlias` is on the hot path of every notification: a backend
 * answers it from an index on the event aliases, never by scanning every webhook.
 * Validation happens before the repository (in WebhookService); a repository stores what it is given.
 */
export interface WebhookRepository {
  /** Stores a new webhook; HOOKWORK_ERR_WEBHOOK_EXISTS when the key is taken. */
  create(webhook: Webhook): Promise<void>;
  /** Replaces a stored webhook; HOOKWORK_ERR_WEBHOOK_NOT_FOUND when absent. */
  update(webhook: Webhook): Promise<void>;
  /** Deletes a webhook; false when it did not exist. */
  delete(key: string): Promise<boolean>;
  /** A webhook by key, or undefined. */
  get(key: string): Promise<Webhook | undefined>;
  /** Webhooks ordered by creation time; equal times in the order they were created. */
  list(page?: PageRequest): Promise<Webhook[]>;
  /** Webhooks (enabled or not) whose `events` contain exactly this alias, ordered as {@link list}. */
  getByAlias(alias: string): Promise<Webhook[]>;
  /** How many webhooks are stored. */
  count(): Promise<number>;
}

/** Injection token of the app's {@link WebhookRepository}. */
export const WebhookRepositoryToken = createToken<WebhookRepository>('hookwork.WebhookRepository');
