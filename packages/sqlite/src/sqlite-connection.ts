import type Database from 'better-sqlite3';
import { toStorageError } from './sqlite-errors';

/** A write waiting for the shared transaction of this event-loop turn. */
interface GroupedWrite {
  doing: string;
  fn: () => unknown;
  /** `'one statement'`: no savepoint of its own in a group (see {@link WriteShape}). */
  shape: WriteShape;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * `'one statement'`: the write runs a single SQL statement and nothing after it that can throw.
 * SQLite undoes a failing statement alone and keeps the transaction (ABORT, its default conflict
 * resolution), so such a write needs no savepoint of its own in a group: a savepoint's `SAVEPOINT`
 * and `RELEASE` cost about 1.4 µs per write here, as much as some of the statements they guard.
 */
export type WriteShape = 'one statement' | 'statements';

/** What one write of a group did. */
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * One open better-sqlite3 connection shared by the three ports of a store, with prepared
 * statements cached by SQL text and errors turned into coded HookworkErrors.
 *
 * Group commit: writes asked for with {@link writeGrouped} in one turn of the event loop
 * (publishes, completions, delivery log rows, reschedules) share one `BEGIN IMMEDIATE`
 * transaction, committed after the I/O of the turn. In WAL mode a commit is the costly part of a
 * small write (the WAL frame, the lock, with `synchronous: 'full'` an fsync), so sixteen
 * publishers or a round of responses pay for one commit instead of one each. Each write runs in
 * a savepoint of its own (a write of one statement needs none: SQLite undoes a failing statement
 * alone): one that fails (a duplicate id) is undone and rejects alone; a commit
 * that fails (the disk is full, the file stays locked past the busy timeout) rejects every write
 * of the group, and nothing of any of them is stored. A write's promise resolves only after the
 * commit that holds it.
 */
export class SqliteConnection {
  /** Prepared statements by mode (rows as objects, `pluck`, `raw`), then by SQL text. */
  private readonly statements = { object: new Map<string, Database.Statement>(), pluck: new Map<string, Database.Statement>(), raw: new Map<string, Database.Statement>() };
  private pending: GroupedWrite[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  /**
   * Runs a function in a transaction (`.immediate`: `BEGIN IMMEDIATE`) or, called inside one, in
   * a savepoint. Made once: `db.transaction(fn)` builds four wrapper functions per call, about
   * 1 % of a delivery's CPU on SQLite when every write made its own.
   */
  private readonly inTransaction: Database.Transaction<(fn: () => unknown) => unknown>;

  constructor(
    readonly db: Database.Database,
    readonly file: string,
    readonly busyTimeoutMs: number,
    /** Told of each write transaction committed (the background checkpointer starts after a few). */
    private readonly onCommit: () => void = () => undefined,
  ) {
    this.inTransaction = db.transaction((fn: () => unknown) => fn());
  }

  /**
   * A prepared statement, prepared once per connection (and per mode). `pluck` returns each row's
   * first column and `raw` each row as an array, instead of an object: on Node 20, better-sqlite3
   * builds a row object by setting one property at a time, which costs more than the values.
   */
  statement(sql: string, mode?: 'pluck' | 'raw'): Database.Statement {
    // By mode, then by the text itself: no key string built per call on the hot path.
    const prepared = this.statements[mode ?? 'object'];
    let statement = prepared.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      if (mode === 'pluck') statement.pluck();
      if (mode === 'raw') statement.raw();
      prepared.set(sql, statement);
    }
    return statement;
  }

  /** Runs `fn`, turning any failure into a coded error that says what was being done. */
  run<T>(doing: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw toStorageError(error, { file: this.file, busyTimeoutMs: this.busyTimeoutMs, doing });
    }
  }

  /**
   * Runs `fn` in a `BEGIN IMMEDIATE` transaction now: the write lock is taken first, so it never
   * fails halfway on a lock upgrade. Writes waiting for the turn's group commit join this
   * transaction (one commit instead of two).
   */
  write<T>(doing: string, fn: () => T, shape: WriteShape = 'statements'): T {
    if (this.pending.length === 0) {
      const value = this.run(doing, () => this.inTransaction.immediate(fn) as T);
      this.onCommit();
      return value;
    }
    let result: Outcome | undefined;
    this.flush({ doing, fn, shape, resolve: (value) => (result = { ok: true, value }), reject: (error) => (result = { ok: false, error }) });
    if (!result!.ok) throw result!.error;
    return result!.value as T;
  }

  /**
   * Runs `fn` in a `BEGIN IMMEDIATE` transaction of its own now, ahead of the writes waiting for
   * the group commit (which stay waiting): for a write that must see the file as it is before them.
   */
  writeAlone<T>(doing: string, fn: () => T): T {
    const value = this.run(doing, () => this.inTransaction.immediate(fn) as T);
    this.onCommit();
    return value;
  }

  /**
   * Runs `fn` (synchronous statements) in the shared transaction of this event-loop turn; resolves
   * with its result once that transaction committed. Rejects with a coded error when `fn` throws
   * (its own statements undone, the others' kept) or when the commit fails (nothing stored).
   */
  writeGrouped<T>(doing: string, fn: () => T, shape: WriteShape = 'statements'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ doing, fn, shape, resolve: resolve as (value: unknown) => void, reject });
      // After the I/O of this turn, so every response and publish of the turn is in.
      this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Commits the writes waiting for the group commit now (before the connection closes). */
  flushPending(): void {
    if (this.pending.length > 0) this.flush();
  }

  private flush(extra?: GroupedWrite): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const group = this.pending;
    this.pending = [];
    if (extra) group.push(extra);
    if (group.length === 0) return;
    const coded = (error: unknown, write: GroupedWrite) => toStorageError(error, { file: this.file, busyTimeoutMs: this.busyTimeoutMs, doing: write.doing });
    if (group.length === 1) {
      // Alone in its turn: no savepoint needed.
      const write = group[0]!;
      let value: unknown;
      try {
        value = this.inTransaction.immediate(write.fn);
      } catch (error) {
        return write.reject(coded(error, write));
      }
      this.onCommit();
      return write.resolve(value);
    }
    const outcomes: Outcome[] = [];
    try {
      this.inTransaction.immediate(() => {
        for (const write of group) {
          try {
            // A nested better-sqlite3 transaction is a savepoint: a failing write is undone alone
            // (a single statement is undone alone by SQLite itself).
            outcomes.push({ ok: true, value: write.shape === 'one statement' ? write.fn() : this.inTransaction(write.fn) });
          } catch (error) {
            // Some errors (a full disk, an I/O error) make SQLite roll the whole transaction
            // back: then nothing of the group is stored, and every write of it fails.
            if (!this.db.inTransaction) throw error;
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      for (const write of group) write.reject(coded(error, write));
      return;
    }
    this.onCommit();
    group.forEach((write, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(coded(outcome.error, write));
    });
  }
}
