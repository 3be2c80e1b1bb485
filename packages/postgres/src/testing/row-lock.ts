import pg from 'pg';
import { quoteIdentifier } from '../postgres-connection';

/**
 * A webhook's row held locked (`SELECT … FOR UPDATE` in an open transaction), as a slow writer in
 * another process would: reads go on, every write of the row waits. A test starts the writes it
 * wants to race, waits until they are all parked on the lock — so each has read what it read
 * before any of them writes, whatever the machine's speed — then releases them together.
 *
 * The waiting writes are watched on a second connection, outside the transaction: PostgreSQL
 * keeps one snapshot of pg_stat_activity for a whole transaction (taken at its first read), so
 * watched from the holding one, a write sent on a connection opened after that read was never
 * seen waiting, however long it waited.
 */
export class HeldRow {
  private constructor(
    private readonly holder: pg.Client,
    private readonly holderPid: number,
    private readonly watcher: pg.Client,
    private readonly what: string,
  ) {}

  /**
   * Locks webhook `key`'s row of `schema`; with `changed`, by writing it (`UPDATE … SET data =
   * data`: a new version of the row, which a write waiting for it then meets as a concurrent
   * update), as another instance's edit would.
   */
  static async lock(url: string, schema: string, key: string, changed = false): Promise<HeldRow> {
    const holder = new pg.Client({ connectionString: url, application_name: 'hookwork-test-held-row' });
    const watcher = new pg.Client({ connectionString: url, application_name: 'hookwork-test-held-row-watcher' });
    try {
      await holder.connect();
      await watcher.connect();
      await holder.query('BEGIN');
      const { rowCount } = await holder.query(
        changed ? `UPDATE ${quoteIdentifier(schema)}.webhooks SET data = data WHERE key = $1` : `SELECT 1 FROM ${quoteIdentifier(schema)}.webhooks WHERE key = $1 FOR UPDATE`,
        [key],
      );
      if (rowCount !== 1) throw new Error(`no webhook ${key} in ${schema} to lock`);
      const { rows } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      return new HeldRow(holder, rows[0]!.pid, watcher, `${schema}.webhooks row ${key}`);
    } catch (error) {
      await Promise.all([holder.end().catch(() => {}), watcher.end().catch(() => {})]);
      throw error;
    }
  }

  /**
   * Resolves once `count` statements wait, directly or behind one another, for this lock (fails
   * after `timeoutMs`, 20 s by default, saying what the database's sessions were doing). Counted
   * from pg_blocking_pids, not from the statement text: a statement queued behind the first waiter
   * waits for that one's tuple lock, not for this transaction.
   */
  async waiters(count: number, timeoutMs = 20_000): Promise<void> {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
      const { rows } = await this.watcher.query<{ pid: number; blockers: number[] }>(
        'SELECT pid, pg_blocking_pids(pid) AS blockers FROM pg_stat_activity WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0',
      );
      const behind = new Set<number>();
      for (let grown = true; grown; ) {
        grown = false;
        for (const row of rows) {
          if (behind.has(row.pid) || !row.blockers.some((pid) => pid === this.holderPid || behind.has(pid))) continue;
          behind.add(row.pid);
          grown = true;
        }
      }
      if (behind.size >= count) return;
    }
    const { rows: sessions } = await this.watcher.query<{ pid: number; state: string; wait: string; blockers: number[]; query: string }>(
      `SELECT pid, state, coalesce(wait_event_type || ':' || wait_event, '') AS wait, pg_blocking_pids(pid) AS blockers, left(query, 120) AS query
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`,
    );
    throw new Error(`fewer than ${count} writes came to wait for the held ${this.what} (held by pid ${this.holderPid}) in ${timeoutMs / 1000} s; active sessions: ${JSON.stringify(sessions)}`);
  }

  /** Ends the transaction: the waiting writes go on, one after another. */
  async release(): Promise<void> {
    try {
      await this.holder.query('COMMIT');
    } finally {
      await Promise.all([this.holder.end(), this.watcher.end()]);
    }
  }
}
