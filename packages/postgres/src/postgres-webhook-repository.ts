import { HookworkError, type PageRequest, type Webhook, type WebhookRepository } from '@hookwork/core';
import type { PostgresConnection } from './postgres-connection';

/** The stored JSON form of a webhook: dates as epoch milliseconds, so they round-trip exactly. */
function encode(webhook: Webhook): string {
  return JSON.stringify({
    ...webhook,
    createdAt: webhook.createdAt.getTime(),
    updatedAt: webhook.updatedAt.getTime(),
    secrets: webhook.secrets.map((s) => ({ ...s, createdAt: s.createdAt.getTime(), expiresAt: s.expiresAt?.getTime() })),
  });
}

function decode(data: string): Webhook {
  const raw = JSON.parse(data) as Omit<Webhook, 'createdAt' | 'updatedAt' | 'secrets'> & {
    createdAt: number;
    updatedAt: number;
    secrets: { id: string; secret: string; createdAt: number; expiresAt?: number }[];
  };
  return {
    ...raw,
    createdAt: new Date(raw.createdAt),
    updatedAt: new Date(raw.updatedAt),
    secrets: raw.secrets.map(({ expiresAt, ...s }) => ({ ...s, createdAt: new Date(s.createdAt), ...(expiresAt === undefined ? {} : { expiresAt: new Date(expiresAt) }) })),
  };
}

/**
 * Webhooks in PostgreSQL. Each webhook is one row holding its JSON (new fields need no
 * migration) and its event aliases as a `text[]` under a GIN index, so getByAlias is an index
 * lookup (`events @> ARRAY[alias]`) and every write is one statement.
 */
export class PostgresWebhookRepository implements WebhookRepository {
  constructor(private readonly c: PostgresConnection) {}

  async create(webhook: Webhook): Promise<void> {
    const { c } = this;
    const result = await c.query(
      `creating webhook ${webhook.key}`,
      `INSERT INTO ${c.s}.webhooks (key, created_at, events, data) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING`,
      [webhook.key, webhook.createdAt.getTime(), [...new Set(webhook.events)], encode(webhook)],
    );
    if (result.rowCount !== 1) throw new HookworkError('HOOKWORK_ERR_WEBHOOK_EXISTS', `a webhook with the key ${JSON.stringify(webhook.key)} already exists; choose another key or update it`);
  }

  async update(webhook: Webhook): Promise<void> {
    const { c } = this;
    const result = await c.query(
      `updating webhook ${webhook.key}`,
      `UPDATE ${c.s}.webhooks SET created_at = $2, events = $3, data = $4 WHERE key = $1`,
      [webhook.key, webhook.createdAt.getTime(), [...new Set(webhook.events)], encode(webhook)],
    );
    if (result.rowCount !== 1) throw new HookworkError('HOOKWORK_ERR_WEBHOOK_NOT_FOUND', `no webhook has the key ${JSON.stringify(webhook.key)}`);
  }

  async delete(key: string): Promise<boolean> {
    const { c } = this;
    const result = await c.query(`deleting webhook ${key}`, `DELETE FROM ${c.s}.webhooks WHERE key = $1`, [key]);
    return result.rowCount === 1;
  }

  async get(key: string): Promise<Webhook | undefined> {
    const { c } = this;
    const result = await c.query<{ data: string }>(`reading webhook ${key}`, `SELECT data FROM ${c.s}.webhooks WHERE key = $1`, [key]);
    const row = result.rows[0];
    return row && decode(row.data);
  }

  async list(page: PageRequest = {}): Promise<Webhook[]> {
    const { c } = this;
    const result = await c.query<{ data: string }>('listing webhooks', `SELECT data FROM ${c.s}.webhooks ORDER BY created_at, seq LIMIT $1 OFFSET $2`, [page.limit ?? null, page.offset ?? 0]);
    return result.rows.map((row) => decode(row.data));
  }

  async getByAlias(alias: string): Promise<Webhook[]> {
    const { c } = this;
    const result = await c.query<{ data: string }>(`looking up webhooks of ${alias}`, `SELECT data FROM ${c.s}.webhooks WHERE events @> ARRAY[$1::text] ORDER BY created_at, seq`, [alias]);
    return result.rows.map((row) => decode(row.data));
  }

  async count(): Promise<number> {
    const { c } = this;
    const result = await c.query<{ n: string }>('counting webhooks', `SELECT count(*) AS n FROM ${c.s}.webhooks`);
    return Number(result.rows[0]!.n);
  }
}
