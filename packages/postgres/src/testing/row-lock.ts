import pg from 'pg';
import { quoteIdentifier } from '../postgres-connection';

/**
 * A webhook's row held locked (`SELECT … FOR UPDATE` in an open transaction), as a slow writer in
 * another process would: reads go on, every write of the row waits. A test starts the writes it
 * wants to race, waits until they are all parked on the lock — so each has read what it read
 * before any of them writes, whatever the machine's speed — then releases them together.
 */
export class HeldRow {
  private constructor(
    private readonly client: pg.Client,
    private readonly schema: string,
  ) {}

  /** Locks webhook `key`'s row of `schema`. */
  static async lock(url: string, schema: string, key: string): Promise<HeldRow> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('BEGIN');
    const { rowCount } = await client.query(`SELECT 1 FROM ${quoteIdentifier(schema)}.webhooks WHERE key = $1 FOR UPDATE`, [key]);
    if (rowCount !== 1) throw new Error(`no webhook ${key} in ${schema} to lock`);
    return new HeldRow(client, schema);
  }

  /**
   * Resolves once `count` statements wait, directly or behind one another, for this lock (fails
   * after `timeoutMs`, 60 s by default: on a machine busy with other test files a write can take
   * many seconds to reach the lock). Counted from pg_blocking_pids, not from the statement text: a statement queued
   * behind the first waiter waits for that one's tuple lock, not for this transaction.
   */
  async waiters(count: number, timeoutMs = 60_000): Promise<void> {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
      const { rows } = await this.client.query<{ pid: number; blockers: number[]; me: number }>(
        'SELECT pid, pg_blocking_pids(pid) AS blockers, pg_backend_pid() AS me FROM pg_stat_activity WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0',
      );
      const behind = new Set<number>();
      for (let grown = true; grown; ) {
        grown = false;
        for (const row of rows) {
          if (behind.has(row.pid) || !row.blockers.some((pid) => pid === row.me || behind.has(pid))) continue;
          behind.add(row.pid);
          grown = true;
        }
      }
      if (behind.size >= count) return;
    }
    // What the database's other sessions were doing, for the failure to say why.
    const { rows: sessions } = await this.client.query<{ pid: number; state: string; wait: string; blockers: number[]; query: string }>(
      `SELECT pid, state, coalesce(wait_event_type || ':' || wait_event, '') AS wait, pg_blocking_pids(pid) AS blockers, left(query, 120) AS query
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`,
    );
    throw new Error(`fewer than ${count} writes of ${this.schema}.webhooks came to wait for the held row in ${timeoutMs / 1000} s; active sessions: ${JSON.stringify(sessions)}`);
  }

  /** Ends the transaction: the waiting writes go on, one after another. */
  async release(): Promise<void> {
    await this.client.query('COMMIT');
    await this.client.end();
  }
}
