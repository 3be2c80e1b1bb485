import { ERROR_CODES, type HookworkErrorCode } from './error-codes';

/**
 * A plugin's own error code: its prefix, `_ERR_`, and a name (`ACME_COMMERCE_ERR_BAD_ORDER`).
 * Plugins document their codes themselves; core's catalogue lists only its own.
 */
export type PluginErrorCode = `${string}_ERR_${string}`;

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
  readonly code: HookworkErrorCode | PluginErrorCode;
  readonly details?: unknown;

  constructor(code: HookworkErrorCode | PluginErrorCode, message: string, options: HookworkErrorOptions = {}) {
    super(`${code}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** What the code means in general, from core's catalogue (undefined for a plugin's code). */
  get summary(): string | undefined {
    return (ERROR_CODES as Record<string, string>)[this.code];
  }
}

/** True when `error` is a {@link HookworkError}, optionally of the given code. */
export function isHookworkError(error: unknown, code?: HookworkErrorCode | PluginErrorCode): error is HookworkError {
  return error instanceof HookworkError && (code === undefined || error.code === code);
}
