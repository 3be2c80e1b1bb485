/**
 * Whether a dedupe store's failure is its backend being unreachable or busy for now — Redis or
 * PostgreSQL down, restarting, refusing connections, out of connections, SQLite locked — rather
 * than a fault in the store's code (a TypeError, a SQL error, a table that does not exist).
 *
 * The first is answered 503 with Retry-After (RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE): the sender
 * backs off and the same request succeeds once the backend is back, with no change on the
 * receiver's side. The second stays 500 (RECEIVER_ERR_DEDUPE_STORE): a bug someone must fix.
 *
 * Read from the error and what it wraps (`cause`, an AggregateError's `errors`), by what the
 * libraries give to be read, in this order:
 * 1. codes: Node's network error codes (what pg, node-redis and fetch-based clients pass on),
 *    PostgreSQL's SQLSTATEs of a server that can't serve now (pg's `DatabaseError.code`), SQLite's
 *    busy and locked codes, and Redis's error replies that say "later" (`LOADING`, `BUSY`,
 *    `MASTERDOWN`, `READONLY` after a failover, … — the first word of an ioredis `ReplyError` or a
 *    node-redis `ErrorReply`, which is the code the Redis protocol gives);
 * 2. error classes, by name: ioredis's `MaxRetriesPerRequestError`, node-redis's connection errors,
 *    `AbortSignal.timeout()`'s `TimeoutError`;
 * 3. as a fallback only, the messages of the connection errors that ioredis and pg throw as plain
 *    `Error`s with neither code nor class (the list below) — a store that can, says so
 *    itself: the example Redis store reads its client's connection state and throws a `ReceiverError`
 *    with RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE, which the receiver answers 503 whatever the message.
 */
export function isStoreUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0 && seen.size < 16) {
    const current = pending.shift();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    // A value that cannot be read (a revoked Proxy, a getter or trap that throws) signals nothing:
    // the check goes on with the rest, and never throws in place of the store's failure.
    try {
      if (signalsUnavailable(current as ErrorLike)) return true;
      const { cause, errors } = current as ErrorLike;
      if (cause !== undefined) pending.push(cause);
      if (Array.isArray(errors)) pending.push(...errors);
    } catch {
      continue;
    }
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
 * admin_shutdown (57P01, also what `pg_terminate_backend` ends a session with), crash_shutdown,
 * cannot_connect_now (starting up, recovering), idle_session_timeout (57P05), too_many_connections;
 * the two a retry of the same statement resolves (serialization_failure, deadlock_detected); and
 * the two that end a wait the server bounded — lock_not_available (55P03: `lock_timeout` passed, a
 * row locked by another transaction) and query_canceled (57014: `statement_timeout`).
 */
const SQLSTATE_UNAVAILABLE = /^(08[0-9A-Z]{3}|57P0[1235]|53300|40001|40P01|55P03|57014)$/;

/**
 * Redis's error replies (their first word is the reply's code) of a server that can't serve now:
 * loading its data after a restart, running a slow script, a replica whose master is down, a
 * replica that was a master before a failover (READONLY: the client still points at the old one),
 * a cluster reconfiguring or down, too few replicas, out of memory under `maxmemory`.
 */
const REDIS_REPLIES_UNAVAILABLE = new Set(['LOADING', 'BUSY', 'MASTERDOWN', 'READONLY', 'TRYAGAIN', 'CLUSTERDOWN', 'NOREPLICAS', 'OOM']);

/** The classes of Redis error replies: ioredis's (from redis-errors) and node-redis's. */
const REDIS_REPLY_NAMES = new Set(['ReplyError', 'ErrorReply']);

/** Names given to connection failures by clients that set no code (ioredis, node-redis) and by AbortSignal.timeout(). */
const UNAVAILABLE_NAMES = new Set(['MaxRetriesPerRequestError', 'ConnectionTimeoutError', 'SocketClosedUnexpectedlyError', 'ClientOfflineError', 'TimeoutError']);

/**
 * The fallback: messages of connection failures that come with neither code nor class of their own
 * (ioredis, pg, pg-pool throw these as plain `Error`s), matched at their start. Read last, only when
 * no code and no name decided; a store that knows its client's state says so instead (see above).
 */
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
  if (typeof name === 'string') {
    if (UNAVAILABLE_NAMES.has(name)) return true;
    // A Redis error reply carries its code as the first word of its message, as the protocol sends it.
    if (REDIS_REPLY_NAMES.has(name) && typeof message === 'string') return REDIS_REPLIES_UNAVAILABLE.has(message.split(' ', 1)[0]!);
  }
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((start) => message.startsWith(start));
}
