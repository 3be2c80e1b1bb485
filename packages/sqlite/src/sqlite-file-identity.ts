import { statSync } from 'node:fs';
import { SQLITE_ERRORS } from './sqlite-errors';

/**
 * The longest a store goes between two looks at its path, ms: a write transaction looks when the
 * last look is older (one `stat`, about 5 µs here, so a busy store pays it at most 20 times a
 * second, not at each of its thousands of commits), and so does the queue's `watch()` poll.
 */
export const FILE_CHECK_MS = 50;

/**
 * Whether the database file a store opened is still the one at its path. In WAL mode SQLite writes
 * on to a file that was deleted (`rm data/hookwork.db`, a temp-dir cleaner) or renamed over (a backup
 * restored in place) while open, without an error: every commit then went to a file no other
 * process sees, which is gone when this one exits — and each `publish()` resolved as durable. A
 * process opening the path meanwhile made a new store beside it (and, with the old `-wal` and `-shm`
 * left, shared them with the old file). Once the path names another file or none, each write fails
 * with HOOKWORK_ERR_STORAGE_FILE_GONE before it writes, and stays failing: the fix is a restart.
 */
export class SqliteFileIdentity {
  private checkedAt = 0;
  private gone: Error | undefined;

  private constructor(
    private readonly file: string,
    private readonly device: number,
    private readonly inode: number,
    /** Told once, when the file is first found gone (the store logs it). */
    private readonly onGone: (error: Error) => void,
  ) {}

  /** The identity of `file` as it is now (just opened), or none for `:memory:`. */
  static of(file: string, onGone: (error: Error) => void): SqliteFileIdentity | undefined {
    if (file === ':memory:') return undefined;
    const stats = statSync(file);
    return new SqliteFileIdentity(file, stats.dev, stats.ino, onGone);
  }

  /** Throws HOOKWORK_ERR_STORAGE_FILE_GONE when the path no longer names the opened file; looks at most every {@link FILE_CHECK_MS}. */
  check(): void {
    if (this.gone) throw this.gone;
    const now = Date.now();
    if (now - this.checkedAt < FILE_CHECK_MS) return;
    this.checkedAt = now;
    const stats = statSync(this.file, { throwIfNoEntry: false });
    if (stats && stats.ino === this.inode && stats.dev === this.device) return;
    this.gone = SQLITE_ERRORS.create(
      'HOOKWORK_ERR_STORAGE_FILE_GONE',
      `the SQLite store ${this.file} was deleted or replaced while this process had it open (${stats ? 'the path now names another file' : 'nothing is at the path now'}): SQLite would write on to the old file, which no other process sees and which is lost when this one exits, so no write is made any more. Restart the app to open the file at the path (restore the store from a backup first if it was deleted by mistake: a new, empty one is created otherwise); keep the file, its -wal and its -shm in place while any process has it open`,
    );
    this.onGone(this.gone);
    throw this.gone;
  }
}
