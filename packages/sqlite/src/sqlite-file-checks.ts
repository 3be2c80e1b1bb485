// The checks a SQLite store's open makes of its path before SQLite opens the file (which would
// change it, or say what is wrong in words that send the operator the wrong way), and the record of
// the files this process has a store open on, which one of them needs.
import { closeSync, existsSync, lstatSync, openSync, readFileSync, readlinkSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { HookworkError } from '@hookwork/core';

/**
 * Refuses, before SQLite opens it, a path that names no regular file and none SQLite can create:
 * SQLite's own words sent the operator the wrong way — a directory "could not be opened … check
 * that its directory exists", a FIFO or `/dev/null` a "disk I/O error" (a full disk, said the
 * message), a symbolic link to a path whose directory is missing the same as a directory. A path
 * that does not exist yet, or a link to a file yet to be made in an existing directory, passes
 * (SQLite creates the file).
 */
export function refuseNonFile(file: string): void {
  const refuse = (what: string, fix: string) => new HookworkError('HOOKWORK_ERR_STORAGE_OPEN_FAILED', `the SQLite store ${file} cannot be opened: it is ${what}; ${fix}`);
  let stats;
  try {
    stats = statSync(file, { throwIfNoEntry: false });
  } catch {
    return; // Not searchable, a loop of links: SQLite's error says it, coded as it is.
  }
  if (stats === undefined) {
    const link = lstatSync(file, { throwIfNoEntry: false });
    if (!link?.isSymbolicLink()) return;
    // Relative to the directory the link really is in, as the kernel and SQLite read it: through a
    // linked directory, `..` is the real one's parent, not the one the path spells.
    const target = resolve(realpathSync(dirname(file)), readlinkSync(file));
    if (existsSync(dirname(target))) return;
    throw refuse(`a symbolic link to ${target}, whose directory ${dirname(target)} does not exist`, 'create that directory, point the link at an existing path, or point `file` at another path');
  }
  if (stats.isFile()) return;
  if (stats.isDirectory()) throw refuse('a directory, not a database file', `point \`file\` at a file in it (${join(file, 'hookwork.db')}) or at another path`);
  const kind = stats.isFIFO() ? 'a FIFO (named pipe)' : stats.isSocket() ? 'a socket' : 'a device';
  throw refuse(`${kind}, not a regular file`, 'point `file` at a regular file, or at a path where none exists yet (the store creates it)');
}

/**
 * Refuses a database file that is not in WAL mode with a `-wal` of frames beside it. A store is
 * in WAL mode from its first open on, and SQLite deletes the `-wal` when a file leaves WAL mode, so
 * such a `-wal` is another file's: the file was replaced — a `VACUUM INTO` backup restored (it
 * writes a file in rollback mode) — while the `-wal` a killed process left, or one a running
 * process still writes, stayed. SQLite would replay it onto this file at the next open, writing
 * the other file's pages over its own: a damaged store that opens without an error. Read-only; the
 * `-wal` is looked at before the header, so one made meanwhile by a process that has just switched
 * this file to WAL mode is found with the header it wrote. (A file copied in WAL mode — `cp` of a
 * stopped store, SQLite's `.backup` — cannot be told from the `-wal`'s own file.)
 */
export function refuseForeignWal(file: string): void {
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return; // Not there yet: SQLite creates it.
  }
  // SQLite names the -wal after the file a link resolves to.
  const wal = `${real}-wal`;
  const walSize = statSync(wal, { throwIfNoEntry: false })?.size ?? 0;
  if (walSize <= WAL_HEADER_BYTES) return;
  // Read by hand only when no SQLite connection of this process has the file open: closing the
  // descriptor drops every POSIX lock this process holds on the file (the kernel's rule, not
  // SQLite's), among them the read lock an open connection keeps in WAL mode — and a program in
  // exclusive locking mode then took the file under it. One open in WAL mode (a store of this
  // process, the host's own connection to its database) vouches for the file: it passes.
  if (isHeldInProcess(real) || lockedByThisProcess(real)) return;
  const header = Buffer.alloc(100);
  let read: number;
  try {
    const fd = openSync(real, 'r');
    try {
      read = readSync(fd, header, 0, 100, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return; // SQLite's own open says what is wrong with it.
  }
  if (read < 100 || header.toString('latin1', 0, 16) !== 'SQLite format 3\0') return;
  // Bytes 18 and 19: the file format's write and read versions, 2 in WAL mode, 1 in rollback mode.
  if (header[18] === 2 && header[19] === 2) return;
  throw new HookworkError(
    'HOOKWORK_ERR_STORAGE_OPEN_FAILED',
    `the SQLite store ${file} is not in WAL mode, yet ${wal} lies beside it (${walSize} bytes): that -wal is another file's — the file was replaced (a backup restored, a VACUUM INTO copy) while the -wal of the one before it stayed, left by a process that was killed or one still running on it — and SQLite would replay it onto this file, writing the other file's pages over its own. Nothing was opened or changed. If this file is the one to keep (a restore): stop every process using it, delete ${wal} and ${real}-shm (the replaced file's last commits, not this one's), and start again`,
  );
}

/**
 * The files this process has a store open on, by device and inode, with how many: shared by every
 * copy of this package in the process (a registered symbol), as the POSIX locks are.
 */
function openFiles(): Map<string, number> {
  const holder = globalThis as unknown as Record<symbol, Map<string, number> | undefined>;
  return (holder[OPEN_FILES] ??= new Map());
}
const OPEN_FILES = Symbol.for('hookwork:sqlite-open-files');

/** `file`'s device and inode, or none when it is not there or cannot be looked at (SQLite's open then says why). */
function fileKey(file: string): string | undefined {
  try {
    const stats = statSync(file, { throwIfNoEntry: false });
    return stats === undefined ? undefined : `${stats.dev}:${stats.ino}`;
  } catch {
    return undefined;
  }
}

/** True when a store of this process has `file` open (see {@link refuseForeignWal}). */
function isHeldInProcess(file: string): boolean {
  const key = fileKey(file);
  return key !== undefined && (openFiles().get(key) ?? 0) > 0;
}

/**
 * True when this process holds a POSIX lock on `file` — a SQLite connection has it open (in WAL
 * mode one keeps a read lock while open): a store of this process or one the host opened itself,
 * which {@link isHeldInProcess} does not know of. Linux lists locks in /proc/locks (`1: POSIX
 * ADVISORY READ <pid> <major>:<minor>:<inode> <start> <end>`); elsewhere false.
 */
function lockedByThisProcess(file: string): boolean {
  let inode: string;
  let locks: string;
  try {
    inode = statSync(file, { bigint: true }).ino.toString();
    locks = readFileSync('/proc/locks', 'latin1');
  } catch {
    return false;
  }
  const pid = String(process.pid);
  for (const line of locks.split('\n')) {
    const match = /^\d+:\s+(?:->\s+)?\S+\s+\S+\s+\S+\s+(-?\d+)\s+[0-9a-f]+:[0-9a-f]+:(\d+)\s/.exec(line);
    if (match?.[1] === pid && match[2] === inode) return true;
  }
  return false;
}

/** Notes an opened store's file as held by this process; the function returned (once) lets it go. */
export function holdFile(file: string): () => void {
  const held = fileKey(file);
  if (held === undefined) return () => {};
  openFiles().set(held, (openFiles().get(held) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (openFiles().get(held) ?? 1) - 1;
    if (left > 0) openFiles().set(held, left);
    else openFiles().delete(held);
  };
}

/** The length of a `-wal` file's header: a longer one holds frames SQLite may replay. */
const WAL_HEADER_BYTES = 32;
