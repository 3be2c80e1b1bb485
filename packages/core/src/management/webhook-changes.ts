import { HookworkError } from '../errors/hookwork-error';
import type { Webhook } from '../model/webhook';
import type { WebhookRepository } from '../ports/webhook-repository';
import { OneAtATime } from '../runtime/one-at-a-time';
import { quoted } from '../errors/visible-text';

/**
 * The one way a stored webhook is changed in an app — an operator's edit, a secret rotation, an
 * auto-disable — so that two changes made at once never undo each other. The changes of one
 * webhook run one after another in this app ({@link OneAtATime}), each reading what the one
 * before wrote. With a store that has {@link WebhookRepository.modify}, each read, change and
 * write is also one step against every other writer of the database (other processes); with
 * one that has not, they are a read then a write, and this ordering is what keeps them apart: two
 * admin tabs or a double click would both read the same webhook, and the second write silently
 * undid the first (a disable answered 200 that never happened, a rotated secret shown once and
 * never stored).
 *
 * Ordered with `modify` too: a backend whose `modify` compares and sets (PostgreSQL) reads again
 * and retries when another writer got there first, a bounded number of times; 64 changes of one
 * webhook made at once in one app each lost to the others until some gave up
 * (HOOKWORK_ERR_STORAGE), though no other process wrote. Ordered, a change can only lose to
 * another process. A conditional delete is the same, with {@link WebhookRepository.deleteIf}.
 */
export class WebhookChanges {
  private readonly ordered = new OneAtATime();

  constructor(private readonly repository: () => Pick<WebhookRepository, 'get' | 'update' | 'modify' | 'delete' | 'deleteIf'>) {}

  /**
   * Replaces webhook `key` with `change(current)` (`undefined`: left as it is) and resolves with
   * the webhook as stored; `change` may run more than once. HOOKWORK_ERR_WEBHOOK_NOT_FOUND when
   * absent; what `change` throws is thrown, with nothing stored.
   */
  modify(key: string, change: (current: Webhook) => Webhook | undefined): Promise<Webhook> {
    return this.ordered.run(key, async () => {
      const repository = this.repository();
      if (repository.modify) return repository.modify(key, change);
      const current = await repository.get(key);
      if (!current) throw new HookworkError('HOOKWORK_ERR_WEBHOOK_NOT_FOUND', `no webhook has the key ${quoted(key)}`);
      const next = change(current);
      if (next === undefined) return current;
      await repository.update(next);
      return next;
    });
  }

  /**
   * Deletes webhook `key` if `condition(current)` is true, and resolves true when it did; false
   * when there was none or `condition` returned false. `condition` may run more than once; what it
   * throws is thrown, with nothing deleted.
   */
  deleteIf(key: string, condition: (current: Webhook) => boolean): Promise<boolean> {
    return this.ordered.run(key, async () => {
      const repository = this.repository();
      if (repository.deleteIf) return repository.deleteIf(key, condition);
      const current = await repository.get(key);
      if (!current || !condition(current)) return false;
      return repository.delete(key);
    });
  }
}
