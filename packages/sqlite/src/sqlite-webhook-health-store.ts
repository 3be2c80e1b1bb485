import { gcraStep, type TokenGrant, type TokenRate, type WebhookHealthRecord, type WebhookHealthState, type WebhookHealthStore } from '@hookwork/core';
import type { SqliteConnection } from './sqlite-connection';

interface Row {
  webhook_key: string;
  version: number;
  state: string;
}

const toRecord = (row: Row): WebhookHealthRecord => ({ webhookKey: row.webhook_key, version: row.version, state: JSON.parse(row.state) as WebhookHealthState });

/**
 * Webhook health in SQLite, shared by every process on the file: one JSON row per webhook
 * written by compare-and-set on its version (a single statement each, so atomic) or by an update
 * inside a write transaction (read, decide, write under the file's write lock), and the rate
 * limiter's `tat` per webhook, taken inside a `BEGIN IMMEDIATE` transaction so two processes
 * never hand out one slot twice.
 */
export class SqliteWebhookHealthStore implements WebhookHealthStore {
  constructor(private readonly connection: SqliteConnection) {}

  async get(webhookKey: string): Promise<WebhookHealthRecord | undefined> {
    const c = this.connection;
    const row = c.run(`reading the health of webhook ${webhookKey}`, () => c.statement('SELECT webhook_key, version, state FROM hookwork_webhook_health WHERE webhook_key = ?').get(webhookKey)) as Row | undefined;
    return row && toRecord(row);
  }

  async compareAndSet(webhookKey: string, expectedVersion: number, state: WebhookHealthState): Promise<WebhookHealthRecord | undefined> {
    const c = this.connection;
    const data = JSON.stringify(state);
    const changes = await c.write(
      `writing the health of webhook ${webhookKey}`,
      () =>
        expectedVersion === 0
          ? c.statement('INSERT INTO hookwork_webhook_health (webhook_key, version, state) VALUES (?, 1, ?) ON CONFLICT (webhook_key) DO NOTHING').run(webhookKey, data).changes
          : c.statement('UPDATE hookwork_webhook_health SET version = version + 1, state = ? WHERE webhook_key = ? AND version = ?').run(data, webhookKey, expectedVersion).changes,
      'one statement',
    );
    return changes === 1 ? { webhookKey, version: expectedVersion + 1, state: JSON.parse(data) as WebhookHealthState } : undefined;
  }

  /**
   * Read, decide and write in one `BEGIN IMMEDIATE` transaction: it holds the file's write lock
   * from the read on, so no other process writes between (a file locked by another process's
   * write is waited for, and `change` runs again on what that one left).
   */
  async update(webhookKey: string, change: (current: WebhookHealthRecord | undefined) => WebhookHealthState | undefined): Promise<WebhookHealthRecord | undefined> {
    const c = this.connection;
    return c.write(`writing the health of webhook ${webhookKey}`, () => {
      const row = c.statement('SELECT webhook_key, version, state FROM hookwork_webhook_health WHERE webhook_key = ?').get(webhookKey) as Row | undefined;
      const current = row && toRecord(row);
      const state = change(current);
      if (state === undefined) return current;
      const data = JSON.stringify(state);
      if (row) c.statement('UPDATE hookwork_webhook_health SET version = version + 1, state = ? WHERE webhook_key = ?').run(data, webhookKey);
      else c.statement('INSERT INTO hookwork_webhook_health (webhook_key, version, state) VALUES (?, 1, ?)').run(webhookKey, data);
      return { webhookKey, version: (row?.version ?? 0) + 1, state: JSON.parse(data) as WebhookHealthState };
    });
  }

  async takeToken(webhookKey: string, rate: TokenRate, now: Date): Promise<TokenGrant> {
    const c = this.connection;
    return c.write(`taking a rate-limit slot of webhook ${webhookKey}`, () => {
      const row = c.statement('SELECT tat FROM hookwork_webhook_rate WHERE webhook_key = ?').get(webhookKey) as { tat: number } | undefined;
      const { grant, tat } = gcraStep(row?.tat, rate, now.getTime());
      if (tat !== undefined) c.statement('INSERT INTO hookwork_webhook_rate (webhook_key, tat) VALUES (?, ?) ON CONFLICT (webhook_key) DO UPDATE SET tat = excluded.tat').run(webhookKey, tat);
      return grant;
    });
  }

  async list(): Promise<WebhookHealthRecord[]> {
    const c = this.connection;
    const rows = c.run('listing webhook health', () => c.statement('SELECT webhook_key, version, state FROM hookwork_webhook_health').all()) as Row[];
    return rows.map(toRecord);
  }

  async delete(webhookKey: string): Promise<void> {
    const c = this.connection;
    await c.write(`forgetting the health of webhook ${webhookKey}`, () => {
      c.statement('DELETE FROM hookwork_webhook_health WHERE webhook_key = ?').run(webhookKey);
      c.statement('DELETE FROM hookwork_webhook_rate WHERE webhook_key = ?').run(webhookKey);
    });
  }
}
