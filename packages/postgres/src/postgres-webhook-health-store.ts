import { type TokenGrant, type TokenRate, type WebhookHealthRecord, type WebhookHealthState, type WebhookHealthStore } from '@hookwork/core';
import type { PostgresConnection } from './postgres-connection';
import { ListenedCache } from './listened-cache';
import { HEALTH_CHANGED, type PostgresListener } from './postgres-listener';

/** How long a health update waits for another process's lock on the webhook's row, ms (`lock_timeout`). */
export const HEALTH_LOCK_TIMEOUT_MS = 2000;
/** How long a health update's transaction may sit idle between its statements before the server ends it, ms (`idle_in_transaction_session_timeout`). */
export const HEALTH_IDLE_TIMEOUT_MS = 5000;

interface Row {
  webhook_key: string;
  version: number;
  state: string;
}

const toRecord = (row: Row): WebhookHealthRecord => ({ webhookKey: row.webhook_key, version: row.version, state: JSON.parse(row.state) as WebhookHealthState });

/**
 * Webhook health in PostgreSQL, shared by every process on the schema: one JSON row per webhook
 * written by compare-and-set on its version, or by an update holding its row lock (what core
 * writes with once another process wrote first), and the rate limiter's `tat` per webhook, taken by
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
   * The webhook's health as stored now, read from its row — never from the cache, which holds
   * another process's write only once its notification arrived (milliseconds after the commit, more
   * under load; up to `LISTENED_CACHE_TTL_MS` should the LISTEN connection die unnoticed).
   * Management reads through it (`app.health()`, the admin API's `GET webhook/{id}/health` and
   * `GET webhook/health`): two instances behind a load balancer answered one webhook's failing
   * streak 17 apart while it failed under load, the reading one from its cached row. Delivery reads
   * through {@link getShared}, cached.
   */
  async get(webhookKey: string): Promise<WebhookHealthRecord | undefined> {
    const row = await this.load(webhookKey);
    return row && toRecord(row);
  }

  /**
   * Delivery asks for a webhook's health per attempt (core keeps it for a second): answered from
   * memory while the LISTEN connection is up, as the webhook repository's `getShared` is, so core's
   * refresh costs no round trip on the send's path. Every change of a row notifies on commit (a
   * trigger, so a writer of any release is heard); every process drops what it holds when one
   * arrives, when the connection is lost or comes back, after 5 s at most ({@link ListenedCache}),
   * and for a key it wrote (or whose compare-and-set it lost).
   */
  async getShared(webhookKey: string): Promise<WebhookHealthRecord | undefined> {
    const row = await this.rows.read(webhookKey, () => this.load(webhookKey));
    return row && toRecord(row);
  }

  private async load(webhookKey: string): Promise<Row | undefined> {
    const { c } = this;
    return (await c.query<Row>(`reading the health of webhook ${webhookKey}`, `SELECT webhook_key, version, state FROM ${c.s}.webhook_health WHERE webhook_key = $1`, [webhookKey])).rows[0];
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

  /**
   * Read, decide and write in one transaction holding the webhook's row lock (`SELECT … FOR
   * UPDATE`): a writer of another process waits for it, then decides on what it wrote. A webhook
   * without a row has nothing to lock: its first record is inserted where none is, and when another
   * transaction inserted one meanwhile, that one is locked and `change` decides again on it.
   *
   * The lock is waited for at most {@link HEALTH_LOCK_TIMEOUT_MS} (then HOOKWORK_ERR_STORAGE_LOCKED;
   * core keeps the outcomes and tries again), and a transaction left idle for
   * {@link HEALTH_IDLE_TIMEOUT_MS} — its process frozen, stopped (SIGSTOP) or cut off between two of
   * its statements — is ended by the server, so it never holds every other process's health
   * writes for longer.
   */
  async update(webhookKey: string, change: (current: WebhookHealthRecord | undefined) => WebhookHealthState | undefined): Promise<WebhookHealthRecord | undefined> {
    const { c } = this;
    try {
      return await c.transaction(`writing the health of webhook ${webhookKey}`, { lock_timeout: HEALTH_LOCK_TIMEOUT_MS, idle_in_transaction_session_timeout: HEALTH_IDLE_TIMEOUT_MS }, async (query) => {
        for (;;) {
          const row = (await query<Row>(`SELECT webhook_key, version, state FROM ${c.s}.webhook_health WHERE webhook_key = $1 FOR UPDATE`, [webhookKey])).rows[0];
          const current = row && toRecord(row);
          const state = change(current);
          if (state === undefined) return current;
          const data = JSON.stringify(state);
          if (row) {
            await query(`UPDATE ${c.s}.webhook_health SET version = version + 1, state = $2 WHERE webhook_key = $1`, [webhookKey, data]);
            return { webhookKey, version: row.version + 1, state: JSON.parse(data) as WebhookHealthState };
          }
          // Waits for another transaction inserting the key, and inserts nothing once it committed:
          // the next SELECT (a new snapshot, READ COMMITTED) sees its row and locks it.
          const inserted = await query(`INSERT INTO ${c.s}.webhook_health (webhook_key, version, state) VALUES ($1, 1, $2) ON CONFLICT (webhook_key) DO NOTHING`, [webhookKey, data]);
          if (inserted.rowCount === 1) return { webhookKey, version: 1, state: JSON.parse(data) as WebhookHealthState };
        }
      });
    } finally {
      // Written or not, this key's answer may be stale (another process wrote before the lock was had).
      this.rows.forget(webhookKey);
    }
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
