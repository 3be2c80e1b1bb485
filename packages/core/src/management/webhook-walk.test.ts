import { contractWebhook } from '../testing';
import { MemoryWebhookRepository } from '../storage/memory/memory-storage';
import type { WebhookRepository } from '../ports/webhook-repository';
import { webhookPages } from './webhook-walk';

/** 600 webhooks (two pages of the walk), and a repository that deletes the oldest once the first page is read. */
async function deletingAfterFirstPage(withListPage: boolean) {
  const memory = new MemoryWebhookRepository();
  const keys: string[] = [];
  for (let i = 0; i < 600; i++) {
    const key = `w${String(i).padStart(3, '0')}`;
    keys.push(key);
    await memory.create(contractWebhook(key, { createdAt: new Date(Date.UTC(2030, 0, 1) + i) }));
  }
  let reads = 0;
  const afterRead = async <T>(answer: T): Promise<T> => {
    if (++reads === 1) await memory.delete(keys[0]!);
    return answer;
  };
  const repository: Pick<WebhookRepository, 'list' | 'listPage'> = {
    list: async (page) => afterRead(await memory.list(page)),
    ...(withListPage ? { listPage: async (query) => afterRead(await memory.listPage(query)) } : {}),
  };
  return { repository, keys };
}

describe('webhookPages(): core\'s walk of every webhook', () => {
  it('visits every webhook stored throughout once when one is deleted between its pages (by position)', async () => {
    const { repository, keys } = await deletingAfterFirstPage(true);
    const visited: string[] = [];
    for await (const page of webhookPages(repository)) visited.push(...page.map((w) => w.key));
    // The deleted one was visited on the first page; none after it was passed over.
    expect(visited).toEqual(keys);
  });

  it('walks a repository without listPage() by offset, as it pages (and misses one when one before the offset is deleted)', async () => {
    const { repository, keys } = await deletingAfterFirstPage(false);
    const visited: string[] = [];
    for await (const page of webhookPages(repository)) visited.push(...page.map((w) => w.key));
    expect(visited).toEqual(keys.filter((key) => key !== keys[500]));
  });
});
