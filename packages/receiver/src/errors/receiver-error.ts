import { RECEIVER_ERROR_CODES, type ReceiverErrorCode } from './receiver-error-codes';

/**
 * The one error type of the receiver kit: a stable `code` (see docs/errors.md), a message that
 * starts with the code, names what is wrong and how to fix it, the HTTP `status` an adapter
 * answers with, and the underlying error as `cause` where there is one.
 *
 * Messages never contain a secret, a signature or the body: they go to logs, and their code and
 * message go back to the sender in the answer's body (so a sender's delivery log says why).
 */
export class ReceiverError extends Error {
  /** Always `ReceiverError`, as stack traces and `JSON.stringify` show it. */
  override readonly name = 'ReceiverError';
  /** The HTTP status an adapter answers with for this error. */
  readonly status: number;

  constructor(
    /** The stable code, e.g. `RECEIVER_ERR_BAD_SIGNATURE`. */
    readonly code: ReceiverErrorCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${code}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = RECEIVER_ERROR_CODES[code].status;
  }
}

/**
 * True when `error` is a {@link ReceiverError} (of `code`, when given). Never throws: for a value a
 * store or handler threw that cannot be asked (a revoked Proxy, a Proxy whose traps throw, on which
 * `instanceof` throws), it answers false, so the value is answered with its own code (a dedupe
 * store's failure, say) rather than the check's TypeError taking its place.
 */
export function isReceiverError(error: unknown, code?: ReceiverErrorCode): error is ReceiverError {
  try {
    return error instanceof ReceiverError && typeof error.code === 'string' && (code === undefined || error.code === code);
  } catch {
    return false;
  }
}
