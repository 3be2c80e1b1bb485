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
