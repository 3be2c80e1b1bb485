import { HookworkError } from '../errors/hookwork-error';
import type { QueueEngine } from '../ports/queue-engine';
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
