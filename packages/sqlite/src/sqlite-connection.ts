import type Database from 'better-sqlite3';
import { toStorageError } from './sqlite-errors';

/**
 * One open better-sqlite3 connection shared by the three ports of a store, with prepared
 * statements cached by SQL text and errors turned into coded HookworkErrors.
 */
export class SqliteConnection {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    readonly db: Database.Database,
    readonly file: string,
    readonly busyTimeoutMs: number,
  ) {}

  /** A prepared statement, prepared once per connection. */
  statement(sql: string): Database.Statement {
    let prepared = this.statements.get(sql);
    if (!prepared) this.statements.set(sql, (prepared = this.db.prepare(sql)));
    return prepared;
  }

  /** Runs `fn`, turning any failure into a coded error that says what was being done. */
  run<T>(doing: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw toStorageError(error, { file: this.file, busyTimeoutMs: this.busyTimeoutMs, doing });
    }
  }

  /** Runs `fn` in a `BEGIN IMMEDIATE` transaction: the write lock is taken first, so it never fails halfway on a lock upgrade. */
  write<T>(doing: string, fn: () => T): T {
    return this.run(doing, () => this.db.transaction(fn).immediate());
  }
}
