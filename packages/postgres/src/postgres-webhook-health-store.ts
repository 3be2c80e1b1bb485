import { type TokenGrant, type TokenRate, type WebhookHealthRecord, type WebhookHealthState, type WebhookHealthStore } from '@hookwork/core';
import type { PostgresConnection } from './postgres-connection';

interface Row {
  webhook_key: string;
  version: number;
  state: string;
}

const toRecord = (row: Row): WebhookHealthRecord => ({ webhookKey: row.webhook_key, version: row.version, state: JSON.parse(row.state) as WebhookHealthState });

/**
 * Webhook health in PostgreSQL, shared by every process on the schema: one JSON row per webhook
 * written by compare-and-set on its version, and the rate limiter's `tat` per webhook, taken by
 * one conditional upsert (the GCRA step of core's `gcraStep`, in SQL), so two processes never
 * hand out one slot twice and a granted token costs one statement.
 */
export class PostgresWebhookHealthStore implements WebhookHealthStore {
  constructor(private readonly c: PostgresConnection) {}

  async get(webhookKey: string): Promise<WebhookHealthRecord | undefined> {
    const { c } = this;
    const result = await c.query<Row>(`reading the health of webhook ${webhookKey}`, `SELECT webhook_key, version, state FROM ${c.s}.webhook_health WHERE webhook_key = $1`, [webhookKey]);
    const row = result.rows[0];
    return row && toRecord(row);
  }

  async compareAndSet(webhookKey: string, expectedVersion: number, state: WebhookHealthState): Promise<WebhookHealthRecord | undefined> {
    const { c } = this;
    const data = JSON.stringify(state);
    const result =
      expectedVersion === 0
        ? await c.query(`writing the health of webhook ${webhookKey}`, `INSERT INTO ${c.s}.webhook_health (webhook_key, version, state) VALUES ($1, 1, $2) ON CONFLICT (webhook_key) DO NOTHING`, [webhookKey, data])
        : await c.query(`writing the health of webhook ${webhookKey}`, `UPDATE ${c.s}.webhook_health SET version = version + 1, state = $2 WHERE webhook_key = $1 AND version = $3`, [webhookKey, data, expectedVersion]);
    return result.rowCount === 1 ? { webhookKey, version: expectedVersion + 1, state: JSON.parse(data) as WebhookHealthState } : undefined;
  }

  async takeToken(webhookKey: string, rate: TokenRate, now: Date): Promise<TokenGrant> {
    const { c } = this;
    const at = now.getTime();
    const tolerance = (Math.max(1, rate.burst) - 1) * rate.intervalMs;
    // Granted: t = max(tat, now) is within the tolerance, and tat moves to t + interval. A new row is always granted.
    const granted = await c.query(
      `taking a rate-limit slot of webhook ${webhookKey}`,
      `INSERT INTO ${c.s}.webhook_rate AS r (webhook_key, tat) VALUES ($1, $2::float8 + $3::float8)
       ON CONFLICT (webhook_key) DO UPDATE SET tat = greatest(r.tat, $2::float8) + $3::float8
       WHERE greatest(r.tat, $2::float8) - $2::float8 <= $4::float8`,
      [webhookKey, at, rate.intervalMs, tolerance],
      c.bookkeeping,
    );
    if (granted.rowCount === 1) return { granted: true };
    const result = await c.query<{ tat: number }>(`reading the rate of webhook ${webhookKey}`, `SELECT tat FROM ${c.s}.webhook_rate WHERE webhook_key = $1`, [webhookKey]);
    const tat = result.rows[0]?.tat ?? at;
    return { granted: false, retryAt: new Date(Math.ceil(Math.max(tat, at) - tolerance)) };
  }

  async list(): Promise<WebhookHealthRecord[]> {
    const { c } = this;
    const result = await c.query<Row>('listing webhook health', `SELECT webhook_key, version, state FROM ${c.s}.webhook_health`);
    return result.rows.map(toRecord);
  }

  async delete(webhookKey: string): Promise<void> {
    const { c } = this;
    await c.query(`forgetting the health of webhook ${webhookKey}`, `WITH health AS (DELETE FROM ${c.s}.webhook_health WHERE webhook_key = $1) DELETE FROM ${c.s}.webhook_rate WHERE webhook_key = $1`, [webhookKey]);
  }
}
