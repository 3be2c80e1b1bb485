import { HookworkError } from '../../errors/hookwork-error';
import type { Webhook } from '../../model/webhook';
import type { WebhookListQuery, WebhookRepository } from '../../ports/webhook-repository';
import type { PageRequest, PositionedPage } from '../../model/page';
import { positionSequence } from '../../model/list-cursor';
import { copyWebhook } from './clone-data';
import { quoted } from '../../errors/visible-text';

/** Webhooks in memory, with an alias index so getByAlias never scans. */
export class MemoryWebhookRepository implements WebhookRepository {
  private readonly byKey = new Map<string, Webhook>();
  private readonly byAlias = new Map<string, Set<string>>();
  /** Creation order, kept across updates: breaks ties between equal creation times. */
  private readonly seqOf = new Map<string, number>();
  private seq = 0;
  private readonly byCreation = (a: Webhook, b: Webhook) => a.createdAt.getTime() - b.createdAt.getTime() || this.seqOf.get(a.key)! - this.seqOf.get(b.key)!;

  async create(webhook: Webhook): Promise<void> {
    if (this.byKey.has(webhook.key)) throw new HookworkError('HOOKWORK_ERR_WEBHOOK_EXISTS', `a webhook with the key ${quoted(webhook.key)} already exists; choose another key or update it`);
    this.seqOf.set(webhook.key, this.seq++);
    this.put(webhook);
  }

  async update(webhook: Webhook): Promise<void> {
    if (!this.byKey.has(webhook.key)) throw new HookworkError('HOOKWORK_ERR_WEBHOOK_NOT_FOUND', `no webhook has the key ${quoted(webhook.key)}`);
    this.unindex(webhook.key);
    this.put(webhook);
  }

  async modify(key: string, change: (current: Webhook) => Webhook | undefined): Promise<Webhook> {
    const stored = this.byKey.get(key);
    if (!stored) throw new HookworkError('HOOKWORK_ERR_WEBHOOK_NOT_FOUND', `no webhook has the key ${quoted(key)}`);
    // Read, change and write in one synchronous step: no other change runs in between.
    const next = change(copyWebhook(stored));
    if (next === undefined) return copyWebhook(stored);
    const replacement = next.key === key ? next : { ...next, key };
    this.unindex(key);
    this.put(replacement);
    return copyWebhook(replacement);
  }

  async delete(key: string): Promise<boolean> {
    if (!this.byKey.has(key)) return false;
    this.unindex(key);
    this.byKey.delete(key);
    this.seqOf.delete(key);
    return true;
  }

  async deleteIf(key: string, condition: (current: Webhook) => boolean): Promise<boolean> {
    const stored = this.byKey.get(key);
    // Read, decide and delete in one synchronous step, as modify().
    if (!stored || !condition(copyWebhook(stored))) return false;
    return this.delete(key);
  }

  async get(key: string): Promise<Webhook | undefined> {
    const webhook = this.byKey.get(key);
    return webhook && copyWebhook(webhook);
  }

  /** The stored object itself: each write stores a new copy, so an object handed out never changes. */
  async getShared(key: string): Promise<Webhook | undefined> {
    return this.byKey.get(key);
  }

  async list(page: PageRequest = {}): Promise<Webhook[]> {
    const offset = page.offset ?? 0;
    return [...this.byKey.values()]
      .sort(this.byCreation)
      .slice(offset, page.limit === undefined ? undefined : offset + page.limit)
      .map(copyWebhook);
  }

  /** By (createdAt, creation sequence): the sequence is never reused, so a position stays a place in the order after its webhook is deleted. */
  async listPage(query: WebhookListQuery = {}): Promise<PositionedPage<Webhook>> {
    const after = query.afterPosition && { at: query.afterPosition.at, seq: Number(positionSequence('webhooks.list', query.afterPosition.tie)) };
    const ordered = [...this.byKey.values()].sort(this.byCreation);
    const rest = after ? ordered.filter((w) => w.createdAt.getTime() > after.at || (w.createdAt.getTime() === after.at && this.seqOf.get(w.key)! > after.seq)) : ordered.slice(query.offset ?? 0);
    const limit = query.limit ?? rest.length;
    const items = rest.slice(0, limit);
    const last = items[items.length - 1];
    return last && rest.length > limit ? { items: items.map(copyWebhook), total: ordered.length, nextPosition: { at: last.createdAt.getTime(), tie: String(this.seqOf.get(last.key)!) } } : { items: items.map(copyWebhook), total: ordered.length };
  }

  async getByAlias(alias: string): Promise<Webhook[]> {
    return (await this.getSharedByAlias(alias)).map(copyWebhook);
  }

  /** The stored objects themselves: each write stores a new copy, so an object handed out never changes. */
  async getSharedByAlias(alias: string): Promise<Webhook[]> {
    const keys = this.byAlias.get(alias);
    if (!keys) return [];
    const result: Webhook[] = [];
    for (const key of keys) result.push(this.byKey.get(key)!);
    return result.sort(this.byCreation);
  }

  async count(): Promise<number> {
    return this.byKey.size;
  }

  private put(webhook: Webhook): void {
    this.byKey.set(webhook.key, copyWebhook(webhook));
    for (const alias of webhook.events) {
      let keys = this.byAlias.get(alias);
      if (!keys) this.byAlias.set(alias, (keys = new Set()));
      keys.add(webhook.key);
    }
  }

  private unindex(key: string): void {
    for (const alias of this.byKey.get(key)?.events ?? []) {
      const keys = this.byAlias.get(alias);
      keys?.delete(key);
      if (keys?.size === 0) this.byAlias.delete(alias);
    }
  }
}
