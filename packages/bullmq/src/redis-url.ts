import { MAX_TIMER_MS, maskUrlCredentials, misreadConnectionString, nearestName, shownList, valueKind } from '@hookwork/core';
import type { RedisOptions } from 'ioredis';

/** How to write a password (or user) with characters URLs reserve, for every message about one. */
const ENCODE_HINT =
  'percent-encode the characters of the user and password that URLs reserve (@ %40, # %23, / %2F, ? %3F, : %3A, space %20 — encodeURIComponent does it), e.g. redis://:p%40ss@127.0.0.1:6379, and give a port from 1 to 65535';

/** The query parameters of a `connection` URL hookwork takes (ioredis would take any option there, over hookwork's own). */
const URL_QUERY_KEYS = ['db', 'family'] as const;

/**
 * A `connection` URL as messages show it: no password, even one whose unencoded `@`, `#`, `/` or
 * `?` makes parsers cut the URL elsewhere (core's masking goes by the authority as parsers cut it,
 * and `redis://:p@ss#w@host` would show `ss#w`): everything before the last `@` is masked. No
 * query or fragment either (a query may hold a password too); messages name what is wrong there.
 */
export function shownUrl(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0];
  const at = url.lastIndexOf('@');
  // Without a scheme ("user:pw@host:6379"), too: core's masking finds no URL there.
  const masked = at >= 0 ? `${scheme ?? ''}***${url.slice(at)}` : maskUrlCredentials(url);
  return `"${scheme !== undefined ? masked.replace(/[?#].*$/s, '') : masked}"`;
}

/**
 * What is wrong with a `connection` URL, before ioredis reads it, or undefined when it will do.
 * ioredis parses it with WHATWG `new URL()` as it makes a client, and takes it as written where
 * the user meant something else:
 * - an unparsable one (nearly always a password with a character URLs reserve, unencoded) used to
 *   surface from start() as a bare `TypeError: Invalid URL`;
 * - one that parses, but not as meant — a `#` or `?` in the password ends the authority there, so
 *   `redis://:p@ss#w@127.0.0.1` is host `ss` — used to fail start() with "could not connect to
 *   redis://ss:6379", part of the password shown as the host. Refused: any `#` (a Redis URL has
 *   no fragment), or an `@` past the host (several `@` before the host are read as meant: the
 *   last one ends the user part, as in every URL parser);
 * - the database, read from the path or from `?db=` with `parseInt`: `/abc` and `?db=` selected
 *   database NaN (an unhandled ReplyError from ioredis, which ended the process), `/1/x` database 1;
 * - any other query parameter, which ioredis takes as an option over hookwork's own (`?keyPrefix=`,
 *   `?lazyConnect=`, `?maxRetriesPerRequest=`): refused but for `db` and `family`.
 * The URL is never shown with its password ({@link shownUrl}).
 */
export function redisUrlProblem(url: string): string | undefined {
  const shown = shownUrl(url);
  if (!/^rediss?:\/\//.test(url)) return `connection must be a redis:// or rediss:// URL, ioredis options or an ioredis client; got ${shown}`;
  const cut = misreadConnectionString(url);
  const misread =
    /\s/.test(url) ? 'it holds white space'
    : cut === 'fragment' ? 'it holds a "#", which ends a URL\'s host and starts a fragment a Redis URL has none of'
    : cut === 'at-past-host' ? 'an "@" comes after a "/" or "?", which end the host'
    : undefined;
  if (misread) return `connection is not a URL ioredis reads as written: ${shown} (${misread}); ${ENCODE_HINT}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `connection is not a valid URL: ${shown}; ${ENCODE_HINT}`;
  }
  if (parsed.port === '0') return `connection's URL gives port 0, where no server listens: give a port from 1 to 65535 (redis://127.0.0.1:6379); got ${shown}`;
  if (!/^(\/\d*)?$/.test(parsed.pathname)) return `connection names the database after the port, as a whole number from 0 (redis://127.0.0.1:6379/0); got ${shown} with the path ${JSON.stringify(parsed.pathname)}`;
  const problems: string[] = [];
  for (const [key, value] of parsed.searchParams) {
    if (!(URL_QUERY_KEYS as readonly string[]).includes(key)) {
      problems.push(`connection's URL has the query parameter ${JSON.stringify(key)}, which hookwork does not take (only ${URL_QUERY_KEYS.join(' and ')}): give other ioredis options as an object ({ host, port, password, … }) instead of a URL`);
    } else if (key === 'db' && !/^\d+$/.test(value)) {
      problems.push(`connection's URL gives ?db=${JSON.stringify(value)}: the database must be a whole number from 0 (redis://127.0.0.1:6379/0)`);
    } else if (key === 'db' && parsed.pathname.length > 1) {
      problems.push(`connection's URL names the database twice, in its path (${parsed.pathname}) and as ?db=${value}: keep one`);
    } else if (key === 'family' && !/^[046]$/.test(value)) {
      problems.push(`connection's URL gives ?family=${JSON.stringify(value)}: the IP family must be 4, 6 or 0 (either)`);
    }
  }
  if (parsed.searchParams.getAll('db').length > 1 || parsed.searchParams.getAll('family').length > 1) problems.push(`connection's URL repeats a query parameter: give each once`);
  return problems.length > 0 ? shownList(problems, { show: (problem) => problem, separator: '; ' }) : undefined;
}

/**
 * Keys of other Redis clients' options (node-redis, Bull's `{ url }`) that ioredis does not know:
 * it ignores them and connects to its default, 127.0.0.1:6379 database 0 — another app's Redis
 * and queue, perhaps — without a word. Each with the ioredis spelling.
 */
const FOREIGN_KEYS: Readonly<Record<string, string>> = {
  url: 'pass the URL itself as connection (connection: "redis://…"), not { url }',
  uri: 'pass the URL itself as connection (connection: "redis://…"), not { uri }',
  connectionString: 'pass the URL itself as connection (connection: "redis://…"), not { connectionString }',
  socket: "node-redis's { socket: { host, port, tls } } is ioredis's { host, port, tls } at the top level",
  database: 'ioredis calls it db ({ db: 1 })',
  user: 'ioredis calls it username',
  auth_pass: 'ioredis calls it password',
  hostname: 'ioredis calls it host',
};

/**
 * Every option name ioredis reads (its `RedisOptions`: the client's, Sentinel's, and the address —
 * `host`, `port`, `family`, `path`, `tls`; no other socket option reaches its connection). It
 * ignores any other key without a word, so a typo (`{ hots: 'redis.internal' }`, `{ prot: 6380 }`)
 * connected to its default 127.0.0.1:6379 — another Redis, or another app's queue on it. Typed
 * as every key of `RedisOptions`: an ioredis that adds one fails to compile until it is listed.
 */
const IOREDIS_OPTIONS: Readonly<Record<keyof RedisOptions, true>> = {
  host: true, port: true, family: true, path: true, tls: true, disconnectTimeout: true,
  Connector: true, retryStrategy: true, commandTimeout: true, blockingTimeout: true, blockingTimeoutGrace: true, socketTimeout: true,
  keepAlive: true, noDelay: true, connectionName: true, disableClientInfo: true, clientInfoTag: true, username: true, password: true, db: true,
  autoResubscribe: true, autoResendUnfulfilledCommands: true, reconnectOnError: true, readOnly: true, stringNumbers: true, connectTimeout: true,
  monitor: true, maxRetriesPerRequest: true, maxLoadingRetryTime: true, enableAutoPipelining: true, autoPipeliningIgnoredCommands: true,
  offlineQueue: true, commandQueue: true, enableOfflineQueue: true, enableReadyCheck: true, lazyConnect: true, scripts: true,
  keyPrefix: true, showFriendlyErrorStack: true,
  name: true, role: true, sentinelUsername: true, sentinelPassword: true, sentinels: true, sentinelRetryStrategy: true, sentinelReconnectStrategy: true,
  preferredSlaves: true, sentinelCommandTimeout: true, enableTLSForSentinelMode: true, sentinelTLS: true, natMap: true, updateSentinels: true,
  sentinelMaxConnections: true, failoverDetector: true,
};
const IOREDIS_OPTION_NAMES = Object.keys(IOREDIS_OPTIONS);

/** A whole number from `min` to `max`, or a string of decimal digits holding one (as an environment variable gives it; ioredis reads it with parseInt). */
function isWholeNumber(value: unknown, min: number, max: number): boolean {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= min && number <= max;
}

/** A value as messages show it: a password never. */
function shown(key: string, value: unknown): string {
  if (key === 'password') return `a ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  // "an object", "a Map" (it said "a Object").
  return valueKind(value);
}

/**
 * The fields of ioredis options hookwork documents and passes on, each with what it must be.
 * ioredis checks none of them: it reads `port: '6379x'` as 6379 and `db: ''` or `db: 'one'` as
 * database NaN (an unhandled ReplyError from its SELECT, which ended the process), and sends
 * `password: 42` as the text "42".
 */
const FIELD_RULES: Readonly<Record<string, { ok(value: unknown): boolean; want: string }>> = {
  host: { ok: (v) => typeof v === 'string' && v.trim() !== '', want: 'a host name or IP address' },
  port: { ok: (v) => isWholeNumber(v, 1, 65535), want: 'a whole number from 1 to 65535' },
  db: { ok: (v) => isWholeNumber(v, 0, Number.MAX_SAFE_INTEGER), want: 'a whole number from 0 (the database index)' },
  username: { ok: (v) => typeof v === 'string', want: 'a string' },
  password: { ok: (v) => typeof v === 'string', want: 'a string' },
  path: { ok: (v) => typeof v === 'string' && v !== '', want: 'the path of a Unix socket' },
  family: { ok: (v) => v === 0 || v === 4 || v === 6, want: '4, 6 or 0 (either)' },
  connectTimeout: { ok: (v) => isWholeNumber(v, 1, MAX_TIMER_MS) && typeof v === 'number', want: 'a whole number of ms above 0' },
  tls: {
    ok: (v) => typeof v === 'boolean' || (typeof v === 'object' && v !== null && !Array.isArray(v)) || v === 'RedisCloudFixed' || v === 'RedisCloudFlexible',
    want: "TLS options ({} for the defaults, or { ca, servername, … }), true, or an ioredis TLS profile name ('RedisCloudFixed', 'RedisCloudFlexible')",
  },
};

/**
 * What is wrong with ioredis options given as `connection` (or the options of a client given as
 * `connection`), before ioredis ignores or misreads it, or undefined: a key of another client's
 * options, a URL given as `host` (which ioredis looks up as a host name, failing with "ENOTFOUND
 * redis://…" at start), or a field hookwork passes on of the wrong type ({@link FIELD_RULES}; a
 * field left undefined or null is ioredis's default). `source` names the options in messages.
 */
export function redisOptionsProblem(options: Record<string, unknown>, source = 'connection', client = false): string | undefined {
  const foreign = Object.keys(options).filter((key) => Object.hasOwn(FOREIGN_KEYS, key));
  if (foreign.length > 0) return `${source} has ${foreign.map((key) => `${key}, which ioredis does not know and would ignore, connecting to 127.0.0.1:6379 instead: ${FOREIGN_KEYS[key]}`).join('; ')}`;
  // Options only: a client's were read by ioredis already (and it may keep names of its own there).
  const unknown = client ? [] : Object.keys(options).filter((key) => !Object.hasOwn(IOREDIS_OPTIONS, key));
  if (unknown.length > 0) {
    return unknown
      .map((key) => {
        const near = nearestName(key, IOREDIS_OPTION_NAMES);
        return `${source}.${key} is not an ioredis option${near ? ` (did you mean ${near}?)` : ''}, and ioredis would ignore it without a word (a host or port misspelt connects to 127.0.0.1:6379): use ioredis's names (host, port, password, db, tls, …), or give the connection as a redis:// URL`;
      })
      .join('; ');
  }
  if (typeof options.host === 'string' && options.host.includes('://')) return `${source}.host is a URL (${JSON.stringify(maskUrlCredentials(options.host))}); pass the URL itself as connection (connection: "redis://host:port"), or the host name alone as host`;
  const wrong = Object.entries(FIELD_RULES)
    .filter(([key, rule]) => options[key] !== undefined && options[key] !== null && !rule.ok(options[key]))
    .map(([key, rule]) => `${source}.${key} must be ${rule.want}; got ${shown(key, options[key])}`);
  return wrong.length > 0 ? wrong.join('; ') : undefined;
}
