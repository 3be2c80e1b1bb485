import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import { defineErrorCodes, HookworkError, isHookworkError, type HookworkErrorCode } from '@hookwork/core';

/**
 * @hookwork/sqlite's own error codes (documented in docs/errors.md under `@hookwork/sqlite`).
 * Everything else uses core's codes: HOOKWORK_ERR_STORAGE_OPEN_FAILED, _LOCKED, _CORRUPT,
 * _SCHEMA_TOO_NEW and HOOKWORK_ERR_STORAGE. Both codes here start with HOOKWORK_ERR_STORAGE, so the
 * app treats it as a store failure (publish() throws). @hookwork/postgres raises PERMISSION_DENIED
 * for the same fault (the store refuses hookwork's writes for want of a permission); FILE_GONE is
 * SQLite's alone (see sqlite-file-identity.ts).
 */
export const SQLITE_ERRORS = defineErrorCodes('@hookwork/sqlite', {
  HOOKWORK_ERR_STORAGE_PERMISSION_DENIED: {
    summary: 'The SQLite file (or its directory) cannot be written by the user the process runs as.',
    status: 500,
  },
  HOOKWORK_ERR_STORAGE_FILE_GONE: {
    summary: 'The SQLite file was deleted or replaced while the store had it open; it writes no more until the app restarts.',
    status: 500,
  },
});

/**
 * True when loading better-sqlite3's native module failed (not the file): the `bindings` package
 * found no built `better_sqlite3.node` (its install script did not run), or Node could not load
 * the one it found (ERR_DLOPEN_FAILED: built for another Node version or platform).
 */
export function isMissingNativeModule(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code === 'ERR_DLOPEN_FAILED') return true;
  return typeof message === 'string' && (message.startsWith('Could not locate the bindings file') || message.includes('NODE_MODULE_VERSION'));
}

/** The SQLite result code of a better-sqlite3 error (`SQLITE_BUSY`, `SQLITE_CONSTRAINT_UNIQUE`, …). */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/**
 * The paths of a store this process may not write (`access(W_OK)`): the file, its `-wal` and `-shm`
 * where they exist, and its directory (where SQLite creates them). Asked only once a write was refused.
 */
export function unwritablePaths(file: string): string[] {
  if (file === ':memory:') return [];
  return [file, `${file}-wal`, `${file}-shm`, dirname(file)].filter((path) => {
    try {
      accessSync(path, constants.W_OK);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code !== 'ENOENT';
    }
  });
}

/** What this process may not write of the store, and the fix. */
function mayNotWrite(unwritable: string[]): string {
  return `this process (uid ${process.getuid?.() ?? '?'}) may not write ${unwritable.join(', ')}; let the user it runs as write ${unwritable.length > 1 ? 'them' : 'it'} (chmod u+w / chown)${unwritable.some((path) => path.endsWith('-wal') || path.endsWith('-shm')) ? ' — a -wal and -shm made by another user\'s process are theirs while any process has the store open: run every process on the store as one user' : ''}`;
}

/**
 * Refuses, before SQLite opens it, an existing store this process may not write: the file, or a
 * `-wal` or `-shm` beside it (the directory too is named then; alone it is left to SQLite, which
 * needs it only to create those two). SQLite opens such a file read-only without a word, and in a directory this process may
 * write it creates the `-wal` and `-shm` as this user, and leaves them when the connection closes:
 * a refused start of a tool run as the wrong user left files the store's own user then may not write.
 */
export function refuseUnwritable(file: string): void {
  const unwritable = unwritablePaths(file);
  // The directory alone: SQLite writes an existing file and its existing -wal and -shm without it.
  if (unwritable.every((path) => path === dirname(file))) return;
  throw SQLITE_ERRORS.create(
    'HOOKWORK_ERR_STORAGE_PERMISSION_DENIED',
    `the SQLite store ${file} cannot be written by this process (uid ${process.getuid?.() ?? '?'}), found before opening it: ${mayNotWrite(unwritable)}, or point \`file\` at a writable path`,
  );
}

/**
 * A holder of the write lock an operator does not think of: a process on the store frozen in a
 * write transaction (a paused container, a debugger) holds the lock until it runs again, and every
 * other process's writes fail meanwhile. Tried: stopped at random while publishing, it held the
 * lock in 7 stops of 20.
 */
export const PAUSED_HOLDER = 'a process on the file that is paused or stopped (docker pause, SIGSTOP, a debugger) holds it until it is resumed: resume it';

/** Where an error happened: while opening (start) or during an operation. */
export interface ErrorContext {
  file: string;
  busyTimeoutMs: number;
  /** What hookwork was doing, e.g. "claiming requests". */
  doing: string;
  opening?: boolean;
}

/**
 * Turns a better-sqlite3 error into a coded HookworkError naming the file and the fix. At open,
 * a path that cannot be opened is HOOKWORK_ERR_STORAGE_OPEN_FAILED; during operations other
 * failures are HOOKWORK_ERR_STORAGE. Locks and corruption have their own codes either way.
 */
export function toStorageError(error: unknown, context: ErrorContext): HookworkError {
  if (isHookworkError(error)) return error;
  const code = sqliteCode(error) ?? '';
  const reason = (error as Error)?.message ?? String(error);
  const where = `the SQLite store ${context.file}`;
  let hookworkCode: HookworkErrorCode;
  let message: string;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    hookworkCode = 'HOOKWORK_ERR_STORAGE_LOCKED';
    message = `${where} stayed locked by another connection for longer than the busy timeout (${context.busyTimeoutMs} ms) while ${context.doing}; stop the program holding it (an open transaction, a backup tool, a DB browser; ${PAUSED_HOLDER}) or raise busyTimeoutMs`;
  } else if (code.startsWith('SQLITE_READONLY') || (context.opening && code === 'SQLITE_CANTOPEN' && unwritablePaths(context.file).length > 0)) {
    // SQLite does not say which of its files it could not write: a -wal and -shm left by a process
    // of another user (a migration run with sudo) made a writable file in a writable directory
    // "read-only"; a new file in a directory the user may not write could "not be opened".
    const unwritable = unwritablePaths(context.file);
    const which = unwritable.length > 0 ? mayNotWrite(unwritable) : 'it is read-only for this process; let the user the process runs as write the file and its directory (chmod u+w / chown)';
    return SQLITE_ERRORS.create('HOOKWORK_ERR_STORAGE_PERMISSION_DENIED', `${where} refused a write while ${context.doing} (${code}: ${reason}): ${which}, or point \`file\` at a writable path`, { cause: error });
  } else if (isMissingNativeModule(error)) {
    hookworkCode = 'HOOKWORK_ERR_STORAGE_OPEN_FAILED';
    message = `better-sqlite3's native module is not built or does not fit this Node (${reason.split('\n')[0]}), so ${where} could not be opened: allow its install script (npm 11: see docs/host-setup.md) or run \`npm rebuild better-sqlite3\``;
  } else if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    hookworkCode = 'HOOKWORK_ERR_STORAGE_CORRUPT';
    message = `${where} is not a database hookwork can read (${reason}) while ${context.doing}; point \`file\` at another path, or restore the file from a backup`;
  } else if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')) {
    // The disk said no: SQLite's "disk I/O error" names no cause a user can act on.
    hookworkCode = context.opening ? 'HOOKWORK_ERR_STORAGE_OPEN_FAILED' : 'HOOKWORK_ERR_STORAGE';
    const why =
      code === 'SQLITE_FULL'
        ? 'the disk or quota holding it is full'
        : 'the operating system refused a read or write of it: a full disk, a file-size limit (ulimit -f, a container\'s), a quota, or a failing disk (see the system log)';
    message = `${where} failed while ${context.doing} (${code}: ${reason}): ${why}; free space there or lift the limit, or point \`file\` at a disk with room`;
  } else if (context.opening) {
    hookworkCode = 'HOOKWORK_ERR_STORAGE_OPEN_FAILED';
    message = `${where} could not be opened (${code || 'error'}: ${reason}); check that its directory exists and is writable and that the path is not a directory`;
  } else {
    hookworkCode = 'HOOKWORK_ERR_STORAGE';
    message = `${where} failed while ${context.doing} (${code || 'error'}: ${reason})`;
  }
  return new HookworkError(hookworkCode, message, { cause: error });
}
