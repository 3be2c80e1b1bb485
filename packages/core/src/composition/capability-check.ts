import { HookworkError } from '../errors/hookwork-error';
import type { QueueEngine } from '../ports/queue-engine';
import type { WebhookRepository } from '../ports/webhook-repository';
import { webhookPages } from '../management/webhook-walk';
import type { HookworkSettings } from '../settings/settings';

/**
 * Refuses settings the app's queue engine cannot honour, at start() and on updateSettings(),
 * instead of failing (or silently sending twice) later:
 * - without lease renewal, an attempt (up to `timeout`) that starts after waiting for a slot
 *   (up to half the lease) must end before its lease does, or another process may send the same
 *   request while it runs. So `timeout` must be at most half of `leaseDuration`.
 */
export function checkCapabilities(engine: Pick<QueueEngine<unknown>, 'name' | 'capabilities'>, settings: Pick<HookworkSettings, 'timeout' | 'leaseDuration'>): void {
  if (!engine.capabilities.leaseRenewal && settings.timeout > settings.leaseDuration / 2) {
    throw new HookworkError(
      'HOOKWORK_ERR_INVALID_SETTINGS',
      `invalid settings: timeout (${settings.timeout} ms) must be at most half of leaseDuration (${settings.leaseDuration} ms) with the ${engine.name} queue, which cannot renew the lease of a running attempt; lower timeout or raise leaseDuration`,
      { details: [{ key: 'timeout', problem: `must be at most half of leaseDuration with ${engine.name}`, value: settings.timeout }, { key: 'leaseDuration', problem: 'must be at least twice timeout', value: settings.leaseDuration }] },
    );
  }
}

/**
 * Refuses to start when a stored webhook asks for FIFO delivery and the queue cannot keep
 * that order (HOOKWORK_ERR_CAPABILITY_MISSING), instead of delivering out of order silently.
 */
export async function checkFifoWebhooks(engine: Pick<QueueEngine<unknown>, 'name' | 'capabilities'>, webhooks: Pick<WebhookRepository, 'list' | 'listPage'>): Promise<void> {
  if (engine.capabilities.fifo) return;
  const ordered: string[] = [];
  for await (const page of webhookPages(webhooks)) for (const webhook of page) if (webhook.fifo) ordered.push(webhook.key);
  if (ordered.length === 0) return;
  throw new HookworkError(
    'HOOKWORK_ERR_CAPABILITY_MISSING',
    `webhook${ordered.length > 1 ? 's' : ''} ${ordered.slice(0, 5).join(', ')}${ordered.length > 5 ? ', …' : ''} ask${ordered.length > 1 ? '' : 's'} for FIFO delivery, which the ${engine.name} queue cannot keep; turn fifo off for ${ordered.length > 1 ? 'them' : 'it'} (app.webhooks.update(key, { fifo: false }) on a queue that can) or use a storage whose queue declares fifo (memory, SQLite, PostgreSQL)`,
    { details: ordered.map((key) => ({ webhookKey: key, capability: 'fifo' })) },
  );
}
