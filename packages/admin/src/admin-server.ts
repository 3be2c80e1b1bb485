import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Hookwork, Logger } from '@hookwork/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { ADMIN_ERRORS } from './admin-errors';
import { hookworkAdmin } from './admin-plugin';
import type { AuthenticateHook } from './auth';

/** Options of {@link startAdminServer}. */
export interface AdminServerOptions {
  /** TCP port (default 0: a free one, see `url` in the result). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). A non-loopback one needs `token` or `authenticate`. */
  host?: string;
  /**
   * The bearer token to accept. When neither it nor `authenticate` is given, a random token
   * (256 bits) is generated and printed — on a loopback address only.
   */
  token?: string;
  /** The host's own authentication instead of (or beside) a token. */
  authenticate?: AuthenticateHook;
  /** Path prefix of the page and API (default "/"). */
  prefix?: string;
  /** TLS key and certificate (PEM), to serve HTTPS (advised on any non-loopback address). */
  https?: { key: string | Buffer; cert: string | Buffer };
  /** Where the URL and a generated token are printed (default console.log); `false` prints nothing. */
  print?: ((line: string) => void) | false;
  /** Where audit lines and failures go (default: the app's logger). */
  logger?: Logger;
  /** Serve the admin page (default true). */
  page?: boolean;
  /** Serve the API reference page (default true). */
  apiReference?: boolean;
}

/** A running admin server. */
export interface AdminServer {
  /** The page's URL, e.g. `http://127.0.0.1:43127/`. */
  readonly url: string;
  /** The token requests must carry (the given one, or the generated one). */
  readonly token: string | undefined;
  /** The page's URL with the token in its fragment: opening it signs the page in (the fragment never reaches a server or a log). */
  readonly signInUrl: string | undefined;
  /** The Fastify instance (for inject() in tests, or more routes). */
  readonly fastify: FastifyInstance;
  /** Stops listening and closes open connections. The app is not stopped: it is the host's. */
  close(): Promise<void>;
}

/** True for an address that only this machine can reach. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/**
 * The admin page and API on a server of their own, for hosts without Fastify. Nothing is served
 * without authentication: with no `token` and no `authenticate`, a token is generated and
 * printed with the URL — and only on a loopback address; asking for any other address without
 * one of them is refused before anything listens (HOOKWORK_ERR_ADMIN_INSECURE_BIND).
 */
export async function startAdminServer(app: Hookwork<unknown>, options: AdminServerOptions = {}): Promise<AdminServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (typeof host !== 'string' || host.length === 0) throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_INVALID_OPTIONS', `host must be an address such as 127.0.0.1; got ${String(host)}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_INVALID_OPTIONS', `port must be a whole number from 0 to 65535 (0: a free port); got ${String(port)}`);
  const given = options.token !== undefined || options.authenticate !== undefined;
  if (!given && !isLoopback(host)) {
    throw ADMIN_ERRORS.create(
      'HOOKWORK_ERR_ADMIN_INSECURE_BIND',
      `refusing to serve the admin API on ${host} without authentication: pass { token } (and https) or { authenticate }, or listen on 127.0.0.1 where a token is generated for you`,
    );
  }
  const token = options.token ?? (options.authenticate ? undefined : randomBytes(32).toString('base64url'));
  const prefix = options.prefix ?? '/';
  const fastify = Fastify({ logger: false, ...(options.https ? { https: options.https } : {}) });
  try {
    await fastify.register(hookworkAdmin, {
      prefix,
      app,
      auth: { ...(token !== undefined ? { token } : {}), ...(options.authenticate ? { authenticate: options.authenticate } : {}) },
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.page !== undefined ? { page: options.page } : {}),
      ...(options.apiReference !== undefined ? { apiReference: options.apiReference } : {}),
    });
    await fastify.listen({ port, host });
  } catch (error) {
    await fastify.close();
    throw error;
  }
  const address = fastify.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const shownHost = isIP(host) === 6 ? `[${host}]` : host;
  const url = `${options.https ? 'https' : 'http'}://${shownHost}:${boundPort}${prefix.replace(/\/?$/, '/')}`;
  const signInUrl = token !== undefined ? `${url}#token=${encodeURIComponent(token)}` : undefined;
  const print = options.print === false ? undefined : (options.print ?? ((line: string) => console.log(line)));
  if (print) {
    print(`hookwork admin: ${url}`);
    if (token !== undefined && options.token === undefined) print(`  token (generated for this run): ${token}`);
    if (signInUrl && options.token === undefined) print(`  open signed in: ${signInUrl}`);
  }
  return {
    url,
    token,
    signInUrl,
    fastify,
    close: () => fastify.close(),
  };
}
