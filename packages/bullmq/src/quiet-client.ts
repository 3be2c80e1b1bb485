import type { Redis } from 'ioredis';

/** Where {@link quietClient} sends what ioredis would print: the app's logger, once per kind. */
export type RedisNotice = (kind: RedisNoticeKind, message: string) => void;

/** The things ioredis and BullMQ would otherwise print with console.warn. */
export type RedisNoticeKind = 'password-not-needed' | 'auth-arguments' | 'info-denied';

/** ioredis's AUTH replies it prints a console.warn for, and goes on. */
const NO_PASSWORD = /no password is set|without any password configured for the default user/;
const AUTH_ARGUMENTS = /wrong number of arguments for 'auth' command/;

/**
 * Keeps ioredis and BullMQ from writing to the console past the app's logger, on a client
 * hookwork made (ioredis 5, BullMQ 5/6 print these with console.warn, which silentLogger cannot
 * silence and which a host's log collector does not see):
 * - ioredis's AUTH warnings ("Redis server does not require a password, but a password was
 *   supplied", the `default` user's variant, and "wrong number of arguments for 'auth'"): the
 *   reply is handed to `notice` and ioredis goes on as it would have (AUTH failed, no fatal error).
 * - ioredis's "Skipping the ready check because INFO command fails" (an ACL user without INFO):
 *   the same, through `notice`.
 * - BullMQ's "IMPORTANT! Eviction policy is …" (printed once per BullMQ connection, so four times
 *   a start): the `maxmemory_policy` line is left out of the full INFO reply BullMQ reads its
 *   version from. The engine's own durability check reads it (CONFIG GET, or `INFO memory`) and
 *   warns once through the logger, or not at all with `checkDurability: false`.
 * Patched on the instance: `ioredis` calls `this.auth(…)` and `this.info(…)` as it connects.
 */
export function quietClient(client: Redis, notice: RedisNotice): Redis {
  const auth = client.auth.bind(client) as (...args: unknown[]) => unknown;
  (client as { auth: unknown }).auth = (...args: unknown[]) => {
    const callback = args.at(-1);
    // Only ioredis's own AUTH as it connects passes a callback; a host's await-ed call is untouched.
    if (typeof callback !== 'function') return auth(...args);
    return auth(...args.slice(0, -1), (error: Error | null, result: unknown) => {
      const message = String(error?.message ?? '');
      if (error && NO_PASSWORD.test(message)) {
        notice('password-not-needed', message);
        return (callback as (e: null, r: unknown) => void)(null, 'OK');
      }
      if (error && AUTH_ARGUMENTS.test(message)) {
        notice('auth-arguments', message);
        return (callback as (e: null, r: unknown) => void)(null, 'OK');
      }
      return (callback as (e: Error | null, r: unknown) => void)(error, result);
    });
  };
  const info = client.info.bind(client) as (...args: unknown[]) => Promise<string>;
  (client as { info: unknown }).info = (...args: unknown[]) => {
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      // ioredis's ready check: INFO denied by an ACL is skipped (as ioredis does), and said once.
      return info(...args.slice(0, -1), (error: Error | null, result: unknown) => {
        if (error && String(error.message).includes('NOPERM')) {
          notice('info-denied', error.message);
          return (callback as (e: null, r: unknown) => void)(null, {});
        }
        return (callback as (e: Error | null, r: unknown) => void)(error, result);
      });
    }
    if (args.length > 0) return info(...args);
    // BullMQ's version check: the whole reply, without the line it prints its eviction warning for.
    return info().then((text) => (typeof text === 'string' ? text.replace(/^maxmemory_policy:.*(\r?\n|$)/m, '') : text));
  };
  return client;
}
