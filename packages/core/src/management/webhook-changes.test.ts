import { isHookworkError } from '../errors/hookwork-error';
import type { Webhook } from '../model/webhook';
import { MemoryWebhookRepository } from '../storage/memory/memory-webhook-repository';
import { contractWebhook } from '../testing/webhook-repository-contract';
import { WebhookChanges } from './webhook-changes';

/** A store without modify() and deleteIf(), whose reads and writes are round trips: calls made at once interleave between them. */
function storeWithoutModify() {
  const inner = new MemoryWebhookRepository();
  const later = () => new Promise((resolve) => setImmediate(resolve));
  return {
    inner,
    repository: {
      get: async (key: string) => (await later(), inner.get(key)),
      update: async (webhook: Webhook) => (await later(), inner.update(webhook)),
      delete: async (key: string) => (await later(), inner.delete(key)),
    },
  };
}

describe('WebhookChanges with a store that has no modify()', () => {
  it('runs the changes of one webhook made at once one after another: none is lost', async () => {
    const { inner, repository } = storeWithoutModify();
    await inner.create(contractWebhook('w'));
    const changes = new WebhookChanges(() => repository);
    const added = Array.from({ length: 10 }, (_, i) => `ct-${i}`);
    await Promise.all(added.map((ct) => changes.modify('w', (current) => ({ ...current, contentTypeKeys: [...current.contentTypeKeys, ct] }))));
    expect((await inner.get('w'))!.contentTypeKeys).toEqual(added);
  });

  it('leaves the webhook as it is when the change returns undefined, and names a missing one', async () => {
    const { inner, repository } = storeWithoutModify();
    const webhook = contractWebhook('w');
    await inner.create(webhook);
    const changes = new WebhookChanges(() => repository);
    expect(await changes.modify('w', () => undefined)).toEqual(webhook);
    const missing = await changes.modify('nope', (current) => current).then(() => undefined, (error: unknown) => error);
    expect(isHookworkError(missing, 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND')).toBe(true);
  });
});

describe('WebhookChanges with a store that has no deleteIf()', () => {
  it('runs a conditional delete after the changes of that webhook made before it, so its condition sees them', async () => {
    const { inner, repository } = storeWithoutModify();
    await inner.create(contractWebhook('w', { name: 'Orders' }));
    const changes = new WebhookChanges(() => repository);
    // A rename, then "delete it if it is still named Orders", sent at once: the delete must see the rename.
    const [renamed, deleted] = await Promise.all([changes.modify('w', (current) => ({ ...current, name: 'Renamed' })), changes.deleteIf('w', (current) => current.name === 'Orders')]);
    expect([renamed.name, deleted]).toEqual(['Renamed', false]);
    expect((await inner.get('w'))!.name).toBe('Renamed');
    expect(await changes.deleteIf('w', (current) => current.name === 'Renamed')).toBe(true);
    expect(await changes.deleteIf('w', () => true)).toBe(false);
    expect(await inner.get('w')).toBeUndefined();
  });
});
