import { ERROR_CODES, type HookworkErrorCode } from './error-codes';

/** Options of a {@link HookworkError}. */
export interface HookworkErrorOptions {
  /** The error that caused this one. */
  cause?: unknown;
  /** Structured details for programs (e.g. every bad key of a settings object). */
  details?: unknown;
}

/**
 * Every error hookwork throws on purpose. `code` is stable (documented in docs/errors.md);
 * the message names the thing at fault and the fix, and starts with the code.
 */
export class HookworkError extends Error {
  override readonly name = 'HookworkError';
  readonly code: HookworkErrorCode;
  readonly details?: unknown;

  constructor(code: HookworkErrorCode, message: string, options: HookworkErrorOptions = {}) {
    super(`${code}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** What the code means in general, from the catalogue. */
  get summary(): string {
    return ERROR_CODES[this.code];
  }
}

/** True when `error` is a {@link HookworkError}, optionally of the given code. */
export function isHookworkError(error: unknown, code?: HookworkErrorCode): error is HookworkError {
  return error instanceof HookworkError && (code === undefined || error.code === code);
}
