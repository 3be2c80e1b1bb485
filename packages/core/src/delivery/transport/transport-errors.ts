import { isHookworkError } from '../../errors/hookwork-error';
import type { DeliveryErrorKind } from '../../model/delivery-log-entry';
import { UnsendableHeaderError } from './transport-owned-headers';

// What both built-in transports (axios and undici) say about failures, so a delivery log entry
// reads the same whichever one sent it.

const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS|ERR_SSL|EPROTO|HOSTNAME_MISMATCH|ERR_CERT)/;

/**
 * Maps a network error (as axios or undici wraps it) to a delivery error kind. undici reports a
 * connection the receiver closed before answering as `UND_ERR_SOCKET` ("other side closed"),
 * where Node's http says "socket hang up": both are `reset`.
 */
export function errorKindOf(error: unknown): DeliveryErrorKind {
  for (let e = error as { code?: string; cause?: unknown; message?: string } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (isHookworkError(e, 'HOOKWORK_ERR_SSRF_BLOCKED')) return 'ssrf';
    if (e instanceof UnsendableHeaderError) return 'invalid';
    if (isHookworkError(e, 'HOOKWORK_ERR_INVALID_RESOLVER_ANSWER')) return 'dns';
    const code = e.code ?? '';
    if (code === 'ECONNREFUSED') return 'refused';
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || /socket hang up/i.test(e.message ?? '')) return 'reset';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') return 'dns';
    if (code === 'ETIMEDOUT' || code === 'ECONNABORTED' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'timeout';
    if (TLS_CODES.test(code)) return 'tls';
  }
  return 'other';
}

/**
 * llhttp's reasons for the parse errors a response body can hit, with their codes. undici 7 drops
 * the code (it looks the errno up in a name → number table), so it is recovered from the reason
 * to log what Node's http logs: `HPE_INVALID_CHUNK_SIZE: Parse Error: Invalid character in chunk size`.
 */
const LLHTTP_REASON_CODES: Readonly<Record<string, string>> = {
  'Invalid character in chunk size': 'HPE_INVALID_CHUNK_SIZE',
  'Chunk size overflow': 'HPE_INVALID_CHUNK_SIZE',
  'Invalid character in chunk extensions': 'HPE_INVALID_CHUNK_SIZE',
  'Expected LF after chunk size': 'HPE_STRICT',
  'Expected LF after chunk data': 'HPE_STRICT',
  'Invalid header value char': 'HPE_INVALID_HEADER_TOKEN',
  'Invalid header token': 'HPE_INVALID_HEADER_TOKEN',
  'Invalid header field char': 'HPE_INVALID_HEADER_TOKEN',
  'Invalid character in Content-Length': 'HPE_INVALID_CONTENT_LENGTH',
  'Content-Length overflow': 'HPE_INVALID_CONTENT_LENGTH',
  'Duplicate Content-Length': 'HPE_UNEXPECTED_CONTENT_LENGTH',
  'Data after `Connection: close`': 'HPE_CLOSED_CONNECTION',
};

/** An undici parse error in Node's http spelling: its code (recovered when undici lost it) and `Parse Error: <reason>`. */
function asNodeParseError(error: { name?: string; code?: string; message?: string }): { code?: string; message?: string } {
  if (error.name !== 'HTTPParserError') return error;
  const reason = /\((.*)\)$/.exec(error.message ?? '')?.[1] ?? error.message ?? '';
  return { code: error.code ?? LLHTTP_REASON_CODES[reason], message: `Parse Error: ${reason}` };
}

/** One line for an error that ended a response body (Node's http and undici's spellings alike). */
export function bodyErrorText(error: unknown): string {
  const { cause } = (error ?? {}) as { cause?: unknown };
  const { code, message } = asNodeParseError((error ?? {}) as { name?: string; code?: string; message?: string });
  if ((cause as { code?: string } | undefined)?.code === 'ECONNRESET') return bodyErrorText(cause);
  if (message === 'aborted' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') return 'the connection closed before the body ended';
  if (code === 'ECONNRESET') return 'the connection was reset before the body ended';
  // zlib's and brotli's decoders both say this when the body ends before its compressed data does.
  if (code === 'Z_BUF_ERROR' && message === 'unexpected end of file') return `it could not be decoded as its Content-Encoding says: the compressed data stops short of its end (${code}: ${message})`;
  // zlib's codes (Z_DATA_ERROR), and brotli's decoder errors as Node names them (ERR__ERROR_FORMAT_PADDING_2).
  if (code?.startsWith('Z_') || code?.startsWith('ERR__ZLIB') || code?.startsWith('ERR__ERROR_') || code === 'ERR_BROTLI_DECOMPRESSION_FAILED') return `it could not be decoded as its Content-Encoding says (${code}: ${message})`;
  if (code?.startsWith('HPE_')) return `the receiver sent malformed HTTP (${code}: ${message})`;
  if ((error as { name?: string } | undefined)?.name === 'HTTPParserError') return `the receiver sent malformed HTTP (${message})`;
  return code ? `${code}: ${message}` : (message ?? String(error));
}

/**
 * The failure of a `101 Switching Protocols` answer to a delivery, which asks for no upgrade: the
 * connection now speaks another protocol and no HTTP status will follow. Node's http would leave
 * the request pending for ever (it hands a 101 only to an `upgrade` listener); undici calls it a
 * socket error ("bad upgrade"). Both transports report this instead.
 */
export const UNASKED_UPGRADE = 'the receiver answered 101 Switching Protocols, though the request asked for no upgrade: no HTTP status follows on that connection; a webhook receiver must answer with a final status (2xx for success)';

/**
 * The undici transport's failure at a `100 Continue` the request did not ask for (it sends no
 * `Expect`). HTTP lets a receiver, or a proxy before it, send one anyway (RFC 9110 §15.2) and
 * Node's http reads past it; undici drops the connection there ("bad response"), so the final
 * status is lost though the receiver may have handled the request.
 */
export const UNASKED_CONTINUE = "the receiver answered 100 Continue, which the request did not ask for, and the undici transport cannot read the response after it (undici drops the connection there), so the receiver may have handled the request; use transport: 'axios', which reads past it, or stop the receiver (or a proxy before it) sending 100 Continue to requests without Expect";

/**
 * The failure of a status line whose code is below 100. A status code has three digits, the
 * first 1 to 5 (RFC 9110 §15); Node's http takes any three digits as a response, undici fails an
 * assertion on them: both transports report this instead.
 */
export function malformedStatus(statusCode: number): string {
  return `the receiver sent malformed HTTP (status code ${String(statusCode).padStart(3, '0')}; a status code is 100 or more)`;
}

/**
 * Why a response head is no answer, or undefined when it is one: a 101 the request did not ask
 * for, a status below 100. Both transports fail the attempt with it.
 */
export function notAnAnswer(statusCode: number): string | undefined {
  if (statusCode === 101) return UNASKED_UPGRADE;
  return statusCode < 100 ? malformedStatus(statusCode) : undefined;
}

/** Statuses whose response never has a body, whatever its headers say. */
export const NO_BODY_STATUSES: ReadonlySet<number> = new Set([204, 304]);

/** The reason an attempt is aborted at its total deadline (the `timeout` setting). */
export class DeadlineError extends Error {
  readonly code = 'ETIMEDOUT';
}

/** The first error in `error`'s cause chain that passes `test`. */
export function findCause(error: unknown, test: (e: unknown) => boolean): unknown {
  for (let e = error as { cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) if (test(e)) return e;
  return undefined;
}
