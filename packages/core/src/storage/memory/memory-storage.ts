import { HookworkError } from '../../errors/hookwork-error';
import type { Webhook } from '../../webhooks/webhook';
import type { DeliveryLog, DeliveryLogEntry, DeliveryLogPage } from '../delivery-log';
import type {
  ClaimOptions,
  EnqueueOptions,
  NewWebhookRequest,
  QueueCounts,
  RedeliverSelector,
  RequestQueue,
  WebhookRequest,
} from '../request-queue';
import type { Storage, StorageBackend } from '../storage-backend';
import type { PageRequest, WebhookRepository } from '../webhook-repository';

const clone = <T>(value: T): T => structuredClone(value);

/** Webhooks in memory, with an alias index so getByAlias never scans. */
export class MemoryWebhookRepository implements WebhookRepository {
  private readonly byKey = new Map<string, Webhook>();
  private readonly byAlias = new Map<string, Set<string>>();

  async create(webhook: Webhook): Promise<void> {
    if (this.byKey.has(webhook.key)) throw new HookworkError('HOOKWORK_ERR_WEBHOOK_EXISTS', `a webhook with the key ${JSON.stringify(webhook.key)} already exists; choose another key or update it`);
    this.put(webhook);
  }

  async update(webhook: Webhook): Promise<void> {
    if (!this.byKey.has(webhook.key)) throw new HookworkError('HOOKWORK_ERR_WEBHOOK_NOT_FOUND', `no webhook has the key ${JSON.stringify(webhook.key)}`);
    this.unindex(webhook.key);
    this.put(webhook);
  }

  async delete(key: string): Promise<boolean> {
    if (!this.byKey.has(key)) return false;
    this.unindex(key);
    this.byKey.delete(key);
    return true;
  }

  async get(key: string): Promise<Webhook | undefined> {
    const webhook = this.byKey.get(key);
    return webhook && clone(webhook);
  }

  async list(page: PageRequest = {}): Promise<Webhook[]> {
    const offset = page.offset ?? 0;
    return [...this.byKey.values()].slice(offset, page.limit === undefined ? undefined : offset + page.limit).map(clone);
  }

  async getByAlias(alias: string): Promise<Webhook[]> {
    const keys = this.byAlias.get(alias);
    if (!keys) return [];
    // Map iteration keeps insertion (creation) order; the alias set only picks members.
    const result: Webhook[] = [];
    for (const key of keys) result.push(clone(this.byKey.get(key)!));
    return result.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async count(): Promise<number> {
    return this.byKey.size;
  }

  private put(webhook: Webhook): void {
    this.byKey.set(webhook.key, clone(webhook));
    for (const alias of webhook.events) {
      let keys = this.byAlias.get(alias);
      if (!keys) this.byAlias.set(alias, (keys = new Set()));
      keys.add(webhook.key);
    }
  }

  private unindex(key: string): void {
    for (const alias of this.byKey.get(key)?.events ?? []) this.byAlias.get(alias)?.delete(key);
  }
}

/** The request queue in memory: for tests and apps that accept losing queued requests on exit. */
export class MemoryRequestQueue implements RequestQueue {
  private readonly requests = new Map<string, WebhookRequest>();

  async enqueue(requests: readonly NewWebhookRequest[], options?: EnqueueOptions): Promise<void> {
    if (options?.transaction !== undefined) {
      throw new HookworkError('HOOKWORK_ERR_ENQUEUE_FAILED', 'the in-memory queue cannot enqueue inside a host transaction; use a backend that supports it (PostgreSQL) or publish without { transaction }');
    }
    for (const r of requests) {
      if (this.requests.has(r.id)) throw new HookworkError('HOOKWORK_ERR_ENQUEUE_FAILED', `a request with the id ${r.id} is already queued`);
    }
    for (const r of requests) this.requests.set(r.id, { ...clone(r), state: 'pending', retryCount: 0 });
  }

  async claim(options: ClaimOptions): Promise<WebhookRequest[]> {
    const now = options.now.getTime();
    const excluded = new Set(options.excludeWebhookKeys ?? []);
    const due = [...this.requests.values()]
      .filter((r) => !excluded.has(r.webhookKey))
      .filter((r) => (r.state === 'pending' && r.dueAt.getTime() <= now) || (r.state === 'inflight' && r.leaseExpiresAt!.getTime() <= now))
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())
      .slice(0, options.limit);
    for (const r of due) {
      r.state = 'inflight';
      r.leaseOwner = options.owner;
      r.leaseExpiresAt = new Date(now + options.leaseMs);
    }
    return due.map(clone);
  }

  async complete(id: string, owner: string): Promise<boolean> {
    if (!this.holds(id, owner)) return false;
    this.requests.delete(id);
    return true;
  }

  async reschedule(id: string, owner: string, update: { dueAt: Date; retryCount: number; lastError?: string }): Promise<boolean> {
    const r = this.holds(id, owner);
    if (!r) return false;
    Object.assign(r, { state: 'pending', dueAt: update.dueAt, retryCount: update.retryCount, lastError: update.lastError, leaseOwner: undefined, leaseExpiresAt: undefined });
    return true;
  }

  async deadLetter(id: string, owner: string, update: { retryCount: number; lastError?: string; now: Date }): Promise<boolean> {
    const r = this.holds(id, owner);
    if (!r) return false;
    Object.assign(r, { state: 'dead', retryCount: update.retryCount, lastError: update.lastError, deadAt: update.now, leaseOwner: undefined, leaseExpiresAt: undefined });
    return true;
  }

  async release(owner: string, ids?: readonly string[]): Promise<number> {
    let released = 0;
    for (const r of this.requests.values()) {
      if (r.state !== 'inflight' || r.leaseOwner !== owner || (ids && !ids.includes(r.id))) continue;
      Object.assign(r, { state: 'pending', leaseOwner: undefined, leaseExpiresAt: undefined });
      released++;
    }
    return released;
  }

  async redeliver(selector: RedeliverSelector, now: Date): Promise<number> {
    let count = 0;
    for (const r of this.requests.values()) {
      if (r.state !== 'dead') continue;
      if (selector.ids && !selector.ids.includes(r.id)) continue;
      if (selector.webhookKey !== undefined && r.webhookKey !== selector.webhookKey) continue;
      if (selector.deadSince && r.deadAt! < selector.deadSince) continue;
      Object.assign(r, { state: 'pending', dueAt: now, retryCount: 0, deadAt: undefined });
      count++;
    }
    return count;
  }

  async listDead(query: { webhookKey?: string; limit?: number; offset?: number } = {}): Promise<WebhookRequest[]> {
    const offset = query.offset ?? 0;
    return [...this.requests.values()]
      .filter((r) => r.state === 'dead' && (query.webhookKey === undefined || r.webhookKey === query.webhookKey))
      .sort((a, b) => b.deadAt!.getTime() - a.deadAt!.getTime())
      .slice(offset, query.limit === undefined ? undefined : offset + query.limit)
      .map(clone);
  }

  async get(id: string): Promise<WebhookRequest | undefined> {
    const r = this.requests.get(id);
    return r && clone(r);
  }

  async counts(): Promise<QueueCounts> {
    const counts: QueueCounts = { pending: 0, inFlight: 0, dead: 0 };
    for (const r of this.requests.values()) {
      if (r.state === 'pending') counts.pending++;
      else if (r.state === 'inflight') counts.inFlight++;
      else counts.dead++;
    }
    return counts;
  }

  async nextDueAt(): Promise<Date | undefined> {
    let next: number | undefined;
    for (const r of this.requests.values()) {
      const at = r.state === 'pending' ? r.dueAt.getTime() : r.state === 'inflight' ? r.leaseExpiresAt!.getTime() : undefined;
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next === undefined ? undefined : new Date(next);
  }

  async deleteDeadOlderThan(before: Date, limit: number): Promise<number> {
    let deleted = 0;
    for (const r of [...this.requests.values()]) {
      if (deleted >= limit) break;
      if (r.state === 'dead' && r.deadAt! < before) {
        this.requests.delete(r.id);
        deleted++;
      }
    }
    return deleted;
  }

  private holds(id: string, owner: string): WebhookRequest | undefined {
    const r = this.requests.get(id);
    return r && r.state === 'inflight' && r.leaseOwner === owner ? r : undefined;
  }
}

/** The delivery log in memory. */
export class MemoryDeliveryLog implements DeliveryLog {
  private entries: DeliveryLogEntry[] = [];

  async append(entries: readonly DeliveryLogEntry[]): Promise<void> {
    this.entries.push(...entries.map(clone));
  }

  async list(webhookKey: string, page: { limit?: number; offset?: number } = {}): Promise<DeliveryLogPage> {
    // Stable newest first: by date descending, later appends first among equal dates.
    const matching = this.entries
      .map((entry, seq) => ({ entry, seq }))
      .filter(({ entry }) => entry.webhookKey === webhookKey)
      .sort((a, b) => b.entry.date.getTime() - a.entry.date.getTime() || b.seq - a.seq)
      .map(({ entry }) => entry);
    const offset = page.offset ?? 0;
    const limit = page.limit ?? 50;
    return { items: matching.slice(offset, offset + limit).map(clone), total: matching.length };
  }

  async deleteOlderThan(before: Date, limit: number): Promise<number> {
    let deleted = 0;
    this.entries = this.entries.filter((entry) => {
      if (deleted < limit && entry.date < before) {
        deleted++;
        return false;
      }
      return true;
    });
    return deleted;
  }
}

/** The in-memory backend (the default of createHookwork): nothing survives the process. */
export function memoryStorage(): StorageBackend {
  return {
    name: 'memory',
    async open(): Promise<Storage> {
      return {
        webhooks: new MemoryWebhookRepository(),
        queue: new MemoryRequestQueue(),
        deliveryLog: new MemoryDeliveryLog(),
        async close() {},
      };
    },
  };
}
