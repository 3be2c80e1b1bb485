import { maskUrlCredentials } from '@hookwork/core';

/**
 * What is wrong with a `connection` URL, before ioredis reads it, or undefined when it will do.
 * ioredis parses it with WHATWG `new URL()` as it makes a client, so an unparsable one (nearly
 * always a password with a character URLs reserve, unencoded) used to surface from start() as a
 * bare `TypeError: Invalid URL`; and it reads the path as the database with `parseInt`, so
 * `/abc` selected database NaN (a ReplyError) and `/1/x` database 1. The URL is shown with its
 * credentials masked: a URL of the wrong scheme, or one that does not parse, may still hold a password.
 */
export function redisUrlProblem(url: string): string | undefined {
  const shown = `"${maskUrlCredentials(url)}"`;
  if (!/^rediss?:\/\//.test(url)) return `connection must be a redis:// or rediss:// URL, ioredis options or an ioredis client; got ${shown}`;
  let parsed: URL;
  try {
    if (/\s/.test(url)) throw new TypeError('white space');
    parsed = new URL(url);
  } catch {
    return `connection is not a valid URL: ${shown}; percent-encode the characters of the user and password that URLs reserve (@ %40, # %23, / %2F, ? %3F, : %3A, space %20 — encodeURIComponent does it), e.g. redis://:p%40ss@127.0.0.1:6379, and give a port from 1 to 65535`;
  }
  if (!/^(\/\d*)?$/.test(parsed.pathname)) return `connection names the database after the port, as a number from 0 (redis://127.0.0.1:6379/0); got ${shown}`;
  return undefined;
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
 * What is wrong with ioredis options given as `connection`, before ioredis ignores it, or
 * undefined: a key of another client's options, or a URL given as `host` (which ioredis looks up
 * as a host name, failing with "ENOTFOUND redis://…" at start).
 */
export function redisOptionsProblem(options: Record<string, unknown>): string | undefined {
  const foreign = Object.keys(options).filter((key) => Object.hasOwn(FOREIGN_KEYS, key));
  if (foreign.length > 0) return `connection has ${foreign.map((key) => `${key}, which ioredis does not know and would ignore, connecting to 127.0.0.1:6379 instead: ${FOREIGN_KEYS[key]}`).join('; ')}`;
  if (typeof options.host === 'string' && options.host.includes('://')) return `connection.host is a URL (${JSON.stringify(maskUrlCredentials(options.host))}); pass the URL itself as connection (connection: "redis://host:port"), or the host name alone as host`;
  return undefined;
}
