import { type TokenGrant, type TokenRate, type WebhookHealthRecord, type WebhookHealthState, type WebhookHealthStore } from '@hookwork/core';
import type { PostgresConnection } from './postgres-connection';
import { ListenedCache } from './listened-cache';
import { HEALTH_CHANGED, type PostgresListener } from './postgres-listener';

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
  /** webhook key → its row (undefined: none). */
  private readonly rows: ListenedCache<Row | undefined>;

  constructor(
    private readonly c: PostgresConnection,
    listener?: PostgresListener,
  ) {
    this.rows = new ListenedCache(listener, HEALTH_CHANGED);
  }

  /** Stops listening for other processes' writes (the store calls it on close). */
  close(): void {
    this.rows.close();
  }

  /**
   * Delivery asks for a webhook's health per attempt (core keeps it for a second): answered from
   * memory while the LISTEN connection is up, as the webhook repository's reads are, so core's
   * refresh costs no round trip on the send's path. Every change of a row notifies on commit (a
   * trigger, so a writer of any release is heard); every process drops what it holds when one
   * arrives, when the connection is lost or comes back, after 5 s at most ({@link ListenedCache}),
   * and for a key whose compare-and-set it lost.
   */
  async get(webhookKey: string): Promise<WebhookHealthRecord | undefined> {
    const { c } = this;
    const row = await this.rows.read(webhookKey, async () => (await c.query<Row>(`reading the health of webhook ${webhookKey}`, `SELECT webhook_key, version, state FROM ${c.s}.webhook_health WHERE webhook_key = $1`, [webhookKey])).rows[0]);
    return row && toRecord(row);
  }

  async compareAndSet(webhookKey: string, expectedVersion: number, state: WebhookHealthState): Promise<WebhookHealthRecord | undefined> {
    const { c } = this;
    const data = JSON.stringify(state);
    // Each change notifies on commit (a trigger, migration 4), so other processes drop their cached record at once.
    const result =
      expectedVersion === 0
        ? await c.query(`writing the health of webhook ${webhookKey}`, `INSERT INTO ${c.s}.webhook_health (webhook_key, version, state) VALUES ($1, 1, $2) ON CONFLICT (webhook_key) DO NOTHING`, [webhookKey, data])
        : await c.query(`writing the health of webhook ${webhookKey}`, `UPDATE ${c.s}.webhook_health SET version = version + 1, state = $2 WHERE webhook_key = $1 AND version = $3`, [webhookKey, data, expectedVersion]);
    // Written or not (another process wrote first: the next read must see its record), this key's answer is stale.
    this.rows.forget(webhookKey);
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
    await c.query(
      `forgetting the health of webhook ${webhookKey}`,
      `WITH health AS (DELETE FROM ${c.s}.webhook_health WHERE webhook_key = $1) DELETE FROM ${c.s}.webhook_rate WHERE webhook_key = $1`,
      [webhookKey],
    );
    this.rows.forget(webhookKey);
  }
}
