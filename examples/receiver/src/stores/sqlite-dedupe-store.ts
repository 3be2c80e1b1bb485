import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { DedupeClaim, DedupeStore } from '@hookwork/receiver';

/** The table a {@link sqliteDedupeStore} keeps its ids in; create it once (expires_at: ms since the epoch). */
export function sqliteDedupeTableDdl(table = 'webhook_receipts'): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  id         TEXT    PRIMARY KEY,
  state      TEXT    NOT NULL CHECK (state IN ('processing', 'done')),
  token      TEXT    NOT NULL,
  expires_at INTEGER NOT NULL
)`;
}

/**
 * A {@link DedupeStore} on SQLite (better-sqlite3, SQLite 3.35 and later for `RETURNING`), shared by
 * the processes of one machine that open the same file. The claim is one
 * `INSERT … ON CONFLICT DO UPDATE … WHERE expired`, as the PostgreSQL store's; times are this
 * machine's clock in ms. `table` is used as given: never build it from input.
 *
 * better-sqlite3 is synchronous: while another process holds the file's lock, each call blocks the
 * whole process for up to the database's busy timeout — which no receiver timer can cut short — and
 * then throws `SQLITE_BUSY`, answered 503 with Retry-After. Open the database with a short one,
 * `new Database(file, { timeout: 100 })` (better-sqlite3's default is 5 s), in WAL mode so readers
 * never wait for the writer.
 */
export function sqliteDedupeStore(db: Database, table = 'webhook_receipts'): DedupeStore {
  const claim = db.prepare<[string, string, number, number], { token: string }>(
    `INSERT INTO ${table} (id, state, token, expires_at) VALUES (?, 'processing', ?, ?)
     ON CONFLICT (id) DO UPDATE SET state = 'processing', token = excluded.token, expires_at = excluded.expires_at
     WHERE ${table}.expires_at <= ?
     RETURNING token`,
  );
  const stateOf = db.prepare<[string], { state: string }>(`SELECT state FROM ${table} WHERE id = ?`);
  const complete = db.prepare(`UPDATE ${table} SET state = 'done', expires_at = ? WHERE id = ? AND token = ? AND state = 'processing'`);
  const release = db.prepare(`DELETE FROM ${table} WHERE id = ? AND token = ? AND state = 'processing'`);
  return {
    async claim(id: string, leaseMs: number): Promise<DedupeClaim> {
      const token = randomUUID();
      const now = Date.now();
      if (claim.get(id, token, now + leaseMs, now) !== undefined) return { status: 'claimed', token };
      // No row: the claim that beat this one was released in between; the sender's retry will claim it.
      return stateOf.get(id)?.state === 'done' ? { status: 'done' } : { status: 'in-progress' };
    },
    async complete(id: string, token: string, retainMs: number): Promise<void> {
      complete.run(Date.now() + retainMs, id, token);
    },
    async release(id: string, token: string): Promise<void> {
      release.run(id, token);
    },
  };
}
