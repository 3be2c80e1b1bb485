import { isHookworkError } from '../errors/hookwork-error';
import type { Webhook } from '../model/webhook';
import { MemoryWebhookRepository } from '../storage/memory/memory-webhook-repository';
import { contractWebhook } from '../testing/webhook-repository-contract';
import { WebhookChanges } from './webhook-changes';

/** A store without modify(), whose reads and writes are round trips: calls made at once interleave between them. */
function storeWithoutModify() {
  const inner = new MemoryWebhookRepository();
  const later = () => new Promise((resolve) => setImmediate(resolve));
  return {
    inner,
    repository: {
      get: async (key: string) => (await later(), inner.get(key)),
      update: async (webhook: Webhook) => (await later(), inner.update(webhook)),
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
