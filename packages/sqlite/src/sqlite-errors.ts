import { HookworkError, isHookworkError, type HookworkErrorCode } from '@hookwork/core';

/** The SQLite result code of a better-sqlite3 error (`SQLITE_BUSY`, `SQLITE_CONSTRAINT_UNIQUE`, …). */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** True for a unique or primary-key violation. */
export function isUniqueViolation(error: unknown): boolean {
  const code = sqliteCode(error);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

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
    message = `${where} stayed locked by another connection for longer than the busy timeout (${context.busyTimeoutMs} ms) while ${context.doing}; stop the program holding it (an open transaction, a backup tool, a DB browser) or raise busyTimeoutMs`;
  } else if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    hookworkCode = 'HOOKWORK_ERR_STORAGE_CORRUPT';
    message = `${where} is not a database hookwork can read (${reason}) while ${context.doing}; point \`file\` at another path, or restore the file from a backup`;
  } else if (context.opening) {
    hookworkCode = 'HOOKWORK_ERR_STORAGE_OPEN_FAILED';
    message = `${where} could not be opened (${code || 'error'}: ${reason}); check that its directory exists and is writable and that the path is not a directory`;
  } else {
    hookworkCode = 'HOOKWORK_ERR_STORAGE';
    message = `${where} failed while ${context.doing} (${code || 'error'}: ${reason})`;
  }
  return new HookworkError(hookworkCode, message, { cause: error });
}
