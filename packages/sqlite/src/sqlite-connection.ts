import type { Database, Statement, Transaction } from 'better-sqlite3';
import { toStorageError } from './sqlite-errors';
import type { SqliteFileIdentity } from './sqlite-file-identity';

/** A write waiting for the shared transaction of this event-loop turn (or for the file's write lock). */
interface GroupedWrite {
  doing: string;
  fn: () => unknown;
  /** `'one statement'`: no savepoint of its own in a group (see {@link WriteShape}). */
  shape: WriteShape;
  /** When the file was first found locked for this write: it fails as locked past this (epoch ms). */
  deadline?: number;
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
 * SQLite's own busy timeout on the connection once it is open, ms: the longest one statement
 * blocks the event loop waiting for another connection's lock. better-sqlite3 waits synchronously,
 * so a longer wait (it was `busyTimeoutMs`, 5 s by default) froze the whole process: responses
 * arrived but were not read, and their attempts timed out and were sent again.
 */
export const LOCK_SPIN_MS = 5;
/** The first wait before a write found the file locked is tried again, ms; it doubles up to {@link LOCK_RETRY_MAX_MS}. */
export const LOCK_RETRY_FIRST_MS = 5;
/** The longest wait between two tries of a locked write, ms. */
export const LOCK_RETRY_MAX_MS = 100;

/** True when SQLite refused for another connection's lock (nothing of the statement was done). */
export function isLockError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/**
 * Write transactions committed by every {@link SqliteConnection} of this process: another
 * connection's commit in the same turn (two stores on one file in one process) must make a kept
 * `data_version` stale (see {@link SqliteConnection.dataVersion}).
 */
let commitsInProcess = 0;

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
 * that fails (the disk is full) rejects every write of the group, and nothing of any of them is
 * stored. A write's promise resolves only after the commit that holds it.
 *
 * A locked file: SQLite waits at most {@link LOCK_SPIN_MS} (synchronously) for another
 * connection's write lock. A transaction refused for a lock is rolled back whole (nothing of it
 * stored) and tried again whole after a jittered, growing wait on a timer, so the event loop keeps
 * reading responses meanwhile; writes asked for while it waits queue behind it, in order. A write
 * still refused `busyTimeoutMs` after the first refusal fails with HOOKWORK_ERR_STORAGE_LOCKED.
 * The functions given to the write methods run SQL statements only (and may run again): nothing
 * else they do may outlive a rolled-back try.
 */
export class SqliteConnection {
  /** Prepared statements by mode (rows as objects, `pluck`, `raw`), then by SQL text. */
  private readonly statements = { object: new Map<string, Statement>(), pluck: new Map<string, Statement>(), raw: new Map<string, Statement>() };
  private pending: GroupedWrite[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  /** Set while the pending writes wait for another connection's lock. */
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = LOCK_RETRY_FIRST_MS;
  /** Called once no write is pending any more (see {@link settle}). */
  private idle: (() => void)[] = [];
  /**
   * Runs a function in a transaction (`.immediate`: `BEGIN IMMEDIATE`) or, called inside one, in
   * a savepoint. Made once: `db.transaction(fn)` builds four wrapper functions per call, about
   * 1 % of a delivery's CPU on SQLite when every write made its own.
   */
  private readonly inTransaction: Transaction<(fn: () => unknown) => unknown>;
  /**
   * {@link inTransaction} for a write transaction of its own (`.immediate`): once the lock is taken,
   * it looks whether the path still names the opened file ({@link SqliteFileIdentity}) and rolls
   * back, writing nothing, when it does not. A savepoint inside it needs no look of its own.
   */
  private readonly inWriteTransaction: Transaction<(fn: () => unknown) => unknown>;
  /** `PRAGMA data_version` as last read by {@link dataVersion}, valid while {@link versionKnown}. */
  private version: unknown;
  private versionKnown = false;
  /** {@link commitsInProcess} when {@link version} was read, moved along by this connection's own commits. */
  private versionAt = 0;
  private readonly forgetVersion = () => {
    this.versionKnown = false;
  };

  constructor(
    readonly db: Database,
    readonly file: string,
    readonly busyTimeoutMs: number,
    /** Told of each write transaction committed (the background checkpointer starts after a few). */
    private readonly onCommit: () => void = () => undefined,
    /** Whether the path still names the opened file (none for `:memory:`). */
    readonly identity?: SqliteFileIdentity,
  ) {
    this.inTransaction = db.transaction((fn: () => unknown) => fn());
    this.inWriteTransaction = identity
      ? db.transaction((fn: () => unknown) => {
          identity.check();
          return fn();
        })
      : this.inTransaction;
  }

  /**
   * A prepared statement, prepared once per connection (and per mode). `pluck` returns each row's
   * first column and `raw` each row as an array, instead of an object: on Node 20, better-sqlite3
   * builds a row object by setting one property at a time, which costs more than the values.
   */
  statement(sql: string, mode?: 'pluck' | 'raw'): Statement {
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

  /**
   * Runs `fn` (reads), turning any failure into a coded error that says what was being done. In
   * WAL mode a read never waits for a writer; writes go through {@link write}, which waits for a
   * lock without blocking the event loop.
   */
  run<T>(doing: string, fn: () => T): T {
    // What a read returns may be newer than the data version read before it (see dataVersion()).
    this.versionKnown = false;
    return this.runKeepingVersion(doing, fn);
  }

  /**
   * {@link run} for the webhook repository's kept answers, checked by {@link dataVersion}: the
   * version read in this turn stays known (a read that fills the kept answers is checked by it).
   */
  runKeepingVersion<T>(doing: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw this.coded(error, doing);
    }
  }

  /**
   * `PRAGMA data_version` (a counter that moves when another connection commits to the file), read
   * at most once per turn of the event loop: the webhook repository checks its kept answers with it
   * once per publish and once per attempt, and with one awaiting publisher the publish, its handoff
   * and the attempt's webhook lookup run in one turn. The value read is kept until the turn's
   * microtasks are done (`process.nextTick`, before any other I/O callback, timer or immediate
   * runs, so before anything another process says can reach this one), or until this connection
   * runs a read that can return rows other connections wrote — {@link run}, a claim, a
   * redelivery, a discard (see {@link forgetDataVersion}) — after which a kept answer older than
   * those rows must not be served, or until another connection of this process commits (two stores
   * on one file in one process can both write within a turn): the next call reads the pragma
   * again. This connection's own commits never move the version, so they leave it known.
   */
  dataVersion(): unknown {
    if (this.versionKnown && this.versionAt === commitsInProcess) return this.version;
    this.version = this.statement('PRAGMA data_version', 'pluck').get();
    this.versionKnown = true;
    this.versionAt = commitsInProcess;
    process.nextTick(this.forgetVersion);
    return this.version;
  }

  /** The next {@link dataVersion} reads the pragma again: called by writes that return rows other connections may have written. */
  forgetDataVersion(): void {
    this.versionKnown = false;
  }

  /**
   * Runs `fn` in a `BEGIN IMMEDIATE` transaction now: the write lock is taken first, so it never
   * fails halfway on a lock upgrade. Writes waiting for the turn's group commit join this
   * transaction (one commit instead of two). When another connection holds the lock, it waits
   * (off the event loop) behind the writes already waiting.
   */
  write<T>(doing: string, fn: () => T, shape: WriteShape = 'statements'): Promise<T> {
    if (this.pending.length === 0 && !this.retryTimer) return this.transactionNow(doing, fn, shape);
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ doing, fn, shape, resolve: resolve as (value: unknown) => void, reject });
      if (!this.retryTimer) this.flush();
    });
  }

  /** `fn` in a `BEGIN IMMEDIATE` transaction now; when the file is locked, it waits (off the event loop) for the lock. */
  private transactionNow<T>(doing: string, fn: () => T, shape: WriteShape): Promise<T> {
    try {
      const value = this.inWriteTransaction.immediate(fn) as T;
      this.noteOwnCommit();
      return Promise.resolve(value);
    } catch (error) {
      if (!isLockError(error)) return Promise.reject(this.coded(error, doing));
      return new Promise<T>((resolve, reject) => this.waitForLock([{ doing, fn, shape, resolve: resolve as (value: unknown) => void, reject }], error));
    }
  }

  /**
   * Runs `fn` in a `BEGIN IMMEDIATE` transaction of its own now, ahead of the writes waiting for
   * the group commit (which stay waiting): for a write that must see the file as it is before them.
   * While the file is locked, it goes first among the waiting writes (still ahead of them).
   */
  writeAlone<T>(doing: string, fn: () => T): Promise<T> {
    if (!this.retryTimer) return this.transactionNow(doing, fn, 'statements');
    // The file is locked: first among the waiting writes (still ahead of them).
    return new Promise<T>((resolve, reject) => void this.pending.unshift({ doing, fn, shape: 'statements', resolve: resolve as (value: unknown) => void, reject }));
  }

  /**
   * Runs `fn` (synchronous statements) in the shared transaction of this event-loop turn; resolves
   * with its result once that transaction committed. Rejects with a coded error when `fn` throws
   * (its own statements undone, the others' kept) or when the commit fails (nothing stored).
   */
  writeGrouped<T>(doing: string, fn: () => T, shape: WriteShape = 'statements'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ doing, fn, shape, resolve: resolve as (value: unknown) => void, reject });
      // After the I/O of this turn, so every response and publish of the turn is in. While the
      // file is locked, the retry timer commits it with the others.
      if (!this.retryTimer) this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /**
   * Commits the writes waiting for the group commit now, and resolves once none is left: those
   * waiting for another connection's lock committed or failed as locked (before the connection
   * closes).
   */
  async settle(): Promise<void> {
    if (this.pending.length === 0) return;
    const settled = new Promise<void>((resolve) => this.idle.push(resolve));
    if (!this.retryTimer) this.flush();
    await settled;
  }

  private coded(error: unknown, doing: string) {
    return toStorageError(error, { file: this.file, busyTimeoutMs: this.busyTimeoutMs, doing });
  }

  private flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const group = this.pending;
    this.pending = [];
    if (group.length === 0) return this.becameIdle();
    if (group.length === 1) {
      // Alone in its turn: no savepoint needed.
      const write = group[0]!;
      let value: unknown;
      try {
        value = this.inWriteTransaction.immediate(write.fn);
      } catch (error) {
        if (isLockError(error)) return this.waitForLock(group, error);
        write.reject(this.coded(error, write.doing));
        return this.committed();
      }
      this.noteOwnCommit();
      write.resolve(value);
      return this.committed();
    }
    const outcomes: Outcome[] = [];
    try {
      this.inWriteTransaction.immediate(() => {
        for (const write of group) {
          try {
            // A nested better-sqlite3 transaction is a savepoint: a failing write is undone alone
            // (a single statement is undone alone by SQLite itself).
            outcomes.push({ ok: true, value: write.shape === 'one statement' ? write.fn() : this.inTransaction(write.fn) });
          } catch (error) {
            // Some errors (a full disk, an I/O error) make SQLite roll the whole transaction
            // back: then nothing of the group is stored, and every write of it fails. A lock
            // refused midway: the whole group is rolled back and tried again whole.
            if (!this.db.inTransaction || isLockError(error)) throw error;
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      if (isLockError(error)) return this.waitForLock(group, error);
      for (const write of group) write.reject(this.coded(error, write.doing));
      return this.committed();
    }
    this.noteOwnCommit();
    group.forEach((write, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(this.coded(outcome.error, write.doing));
    });
    this.committed();
  }

  /**
   * The file is locked by another connection: nothing of `group` was stored. Those past their
   * deadline fail as locked; the others wait for a timer (jittered, so processes waiting for one
   * lock do not try again in step), ahead of the writes asked for meanwhile.
   */
  private waitForLock(group: GroupedWrite[], error: unknown): void {
    // The writes waiting for this turn's group commit wait with these, for the one retry timer.
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const now = Date.now();
    const waiting: GroupedWrite[] = [];
    let first = Infinity;
    for (const write of group) {
      write.deadline ??= now + this.busyTimeoutMs;
      if (write.deadline <= now) write.reject(this.coded(error, write.doing));
      else {
        waiting.push(write);
        first = Math.min(first, write.deadline);
      }
    }
    this.pending = waiting.concat(this.pending);
    if (this.pending.length === 0) return this.committed();
    // The last try at the first deadline itself, so no write fails before busyTimeoutMs has passed.
    const delay = Math.min(this.retryDelayMs * (0.5 + Math.random()), Math.max(0, first - now));
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, LOCK_RETRY_MAX_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.flush();
    }, delay);
  }

  /** A write transaction of this connection committed. */
  private noteOwnCommit(): void {
    commitsInProcess++;
    // Its own commit leaves the kept data version valid, unless another connection committed too.
    if (this.versionAt === commitsInProcess - 1) this.versionAt = commitsInProcess;
    this.onCommit();
  }

  /** A try ended without waiting for a lock: the next refusal starts at the shortest wait again. */
  private committed(): void {
    this.retryDelayMs = LOCK_RETRY_FIRST_MS;
    // Writes asked for while this group waited for the lock.
    if (this.pending.length > 0) {
      this.scheduled ??= setImmediate(() => this.flush());
      return;
    }
    this.becameIdle();
  }

  private becameIdle(): void {
    if (this.idle.length === 0) return;
    const idle = this.idle;
    this.idle = [];
    for (const resolve of idle) resolve();
  }
}
