/**
 * Whether a dedupe store's failure is its backend being unreachable or busy for now — Redis or
 * PostgreSQL down, restarting, refusing connections, out of connections, SQLite locked — rather
 * than a fault in the store's code (a TypeError, a SQL error, a table that does not exist).
 *
 * The first is answered 503 with Retry-After (RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE): the sender
 * backs off and the same request succeeds once the backend is back, with no change on the
 * receiver's side. The second stays 500 (RECEIVER_ERR_DEDUPE_STORE): a bug someone must fix.
 *
 * Read from the error and what it wraps (`cause`, an AggregateError's `errors`): Node's network
 * error codes (what pg, node-redis and fetch-based clients pass on), PostgreSQL's SQLSTATEs of an
 * unavailable server, SQLite's busy and locked codes, and the connection errors of ioredis,
 * node-redis and pg, which carry no code (by name or message). A store whose client fails
 * otherwise throws a `ReceiverError` with RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE itself.
 */
export function isStoreUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0 && seen.size < 16) {
    const current = pending.shift();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    if (signalsUnavailable(current as ErrorLike)) return true;
    const { cause, errors } = current as ErrorLike;
    if (cause !== undefined) pending.push(cause);
    if (Array.isArray(errors)) pending.push(...errors);
  }
  return false;
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** Node's (and undici's) codes of a connection that could not be made, or broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN',
  'ENOTFOUND', 'EAI_AGAIN', 'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED',
]);

/**
 * PostgreSQL's SQLSTATEs of a server that can't serve now: class 08 (connection exception),
 * admin_shutdown, crash_shutdown, cannot_connect_now (starting up, recovering), too_many_connections,
 * and the two a retry of the same statement resolves (serialization_failure, deadlock_detected).
 */
const SQLSTATE_UNAVAILABLE = /^(08[0-9A-Z]{3}|57P0[123]|53300|40001|40P01)$/;

/** Names given to connection failures by clients that set no code (ioredis, node-redis) and by AbortSignal.timeout(). */
const UNAVAILABLE_NAMES = new Set(['MaxRetriesPerRequestError', 'ConnectionTimeoutError', 'SocketClosedUnexpectedlyError', 'ClientOfflineError', 'TimeoutError']);

/** Messages of connection failures that come with neither code nor name (ioredis, pg, pg-pool). */
const UNAVAILABLE_MESSAGES = [
  "Stream isn't writeable and enableOfflineQueue options is false", // ioredis, disconnected with enableOfflineQueue: false
  'Connection is closed.', // ioredis
  'Command timed out', // ioredis's commandTimeout
  'Query read timeout', // pg's query_timeout
  'Connection terminated', // pg: "… unexpectedly", "… due to connection timeout"
  'timeout exceeded when trying to connect', // pg-pool's connectionTimeoutMillis
];

function signalsUnavailable({ name, code, message }: ErrorLike): boolean {
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || SQLSTATE_UNAVAILABLE.test(code)) return true;
    if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED' || code.startsWith('SQLITE_LOCKED_')) return true;
  }
  if (typeof name === 'string' && UNAVAILABLE_NAMES.has(name)) return true;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((start) => message.startsWith(start));
}
