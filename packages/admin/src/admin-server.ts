import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Hookwork, Logger } from '@hookwork/core';
import { compile as compileProxyAddresses } from '@fastify/proxy-addr';
import Fastify, { type FastifyInstance } from 'fastify';
import { ADMIN_ERRORS } from './admin-errors';
import { checkOptions, is, type OptionHints, type OptionSpec } from './admin-options';
import { checkMetricsOption, hookworkAdmin, type AdminMetricsOption } from './admin-plugin';
import { isApp } from './app-availability';
import { checkSignOutUrl, isAcceptedToken, MIN_TOKEN_LENGTH, tokenProblem, type AuthenticateHook } from './auth';
import { adminClientErrorHandler } from './client-errors';
import { adminFrameworkErrors } from './framework-errors';
import { LONGEST_PATH_KEY } from './api-schemas';

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
  /** Where the page's *Sign out* goes for someone `authenticate` let in (the plugin's `auth.signOutUrl`); needs `authenticate`. */
  signOutUrl?: string;
  /** Path prefix of the page and API (default "/"). */
  prefix?: string;
  /** TLS key and certificate (PEM), to serve HTTPS (advised on any non-loopback address). */
  https?: { key: string | Buffer; cert: string | Buffer };
  /**
   * The proxy in front of the server, whose `X-Forwarded-Proto` and `X-Forwarded-Host` are then
   * believed (Fastify's `trustProxy`): its address or CIDR range (`'127.0.0.1'`, `'10.0.0.0/8'`,
   * proxy-addr's `'loopback'`), a list of them, or `true` for any. Needed behind a proxy that ends
   * TLS: the admin compares a browser's `Origin` with its own scheme, host and port, and without it
   * sees http where the browser used https. Default: none trusted.
   */
  trustProxy?: true | string | readonly string[];
  /** Where the URL and a generated token are printed (default console.log); `false` prints nothing. */
  print?: ((line: string) => void) | false;
  /** Where audit lines and failures go (default: the app's logger). */
  logger?: Logger;
  /** Serve the admin page (default true). */
  page?: boolean;
  /** Serve the API reference page (default true). */
  apiReference?: boolean;
  /**
   * Serve the app's Prometheus metrics at `<prefix>metrics` (default true: behind the same
   * authentication as the API; `'public'`: without; `false`: not served). See docs/health.md.
   */
  metrics?: AdminMetricsOption;
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

const SERVER_OPTIONS: OptionSpec = {
  port: (v) => (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535 ? undefined : 'must be a whole number from 0 to 65535 (0: a free port, see url in the result)'),
  host: (v) => (typeof v === 'string' && v.length > 0 && !/[\s/]/.test(v) ? undefined : 'must be an address such as 127.0.0.1, ::1 or 0.0.0.0 (no scheme, no port)'),
  token: (v) => (typeof v === 'string' ? undefined : "must be a string (one token; the plugin's auth.token takes several)"),
  authenticate: is.function,
  signOutUrl: checkSignOutUrl,
  // Segments of plain characters only: the router reads `:id` as a parameter and `*` as a wildcard
  // (`/admin/*` threw inside Fastify's boot and ended the process), a `%` escape matches no
  // request (`/%zz`: every one answered 400), and `//` is an empty segment.
  prefix: (v) =>
    typeof v === 'string' && /^(\/[A-Za-z0-9._~-]+)*\/?$/.test(v)
      ? undefined
      : 'must be a path starting with / such as /admin or /ops/webhooks: letters, digits and - . _ ~ between single slashes (no : or *, which the router reads as a parameter or a wildcard, and no % escapes)',
  https: (v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).every((k) => k === 'key' || k === 'cert') && isPem((v as { key?: unknown }).key) && isPem((v as { cert?: unknown }).cert)
      ? undefined
      : 'must be { key, cert } with both PEM strings or Buffers (e.g. readFileSync("key.pem"))',
  trustProxy: (v) => (v === true || (typeof v === 'string' && isProxyList(v)) || (Array.isArray(v) && v.length > 0 && v.every((item) => typeof item === 'string' && isProxyList(item))) ? undefined : "must be the proxy's address or CIDR range ('127.0.0.1', '10.0.0.0/8', 'loopback'), a list of them, or true (any)"),
  print: (v) => (v === false || typeof v === 'function' ? undefined : 'must be a function (line) => void, or false to print nothing'),
  logger: (v) => (v !== null && typeof v === 'object' && ['debug', 'info', 'warn', 'error'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function') ? undefined : 'must be a Logger: an object with debug, info, warn and error functions'),
  page: is.boolean,
  apiReference: is.boolean,
  metrics: checkMetricsOption,
};

/**
 * An address, a CIDR range or netmask, or a range name (`loopback`), or several of them separated
 * by commas: what Fastify's trustProxy takes, judged by the library Fastify compiles it with
 * (@fastify/proxy-addr), so a value it would throw on at Fastify() (`10.0.0.0/999`) is refused here,
 * coded, and every form it takes is taken.
 */
const isProxyList = (value: string) =>
  value.split(',').every((item) => {
    try {
      compileProxyAddresses(item.trim());
      return true;
    } catch {
      return false;
    }
  });

const isPem = (value: unknown) => (typeof value === 'string' && value.length > 0) || (Buffer.isBuffer(value) && value.length > 0);

/** What users write by habit (from the plugin's options, or other servers), and what startAdminServer takes instead. */
const SERVER_HINTS: OptionHints = {
  auth: 'startAdminServer takes token and authenticate at the top level: startAdminServer(app, { token }) — auth: { token } is the Fastify plugin\'s option',
  tokens: 'one token is token: "…"; for several, register the hookworkAdmin plugin with auth: { token: [...] }',
  bearer: 'the bearer token is token: "…"',
  address: 'the address to listen on is host: "127.0.0.1"',
  hostname: 'the address to listen on is host: "127.0.0.1"',
  tls: 'TLS is https: { key, cert }',
  ssl: 'TLS is https: { key, cert }',
  proxy: "the proxy in front, whose X-Forwarded-Proto is believed, is trustProxy: '127.0.0.1'",
  trustedProxies: "the proxies whose X-Forwarded-Proto is believed are trustProxy: ['10.0.0.1', '10.0.0.2']",
  basePath: 'the path prefix is prefix: "/admin"',
  path: 'the path prefix is prefix: "/admin"',
  log: 'audit lines go to logger: a Logger; the URL and token are printed by print',
  silent: 'print: false prints nothing',
  quiet: 'print: false prints nothing',
  app: 'the app is the first argument: startAdminServer(app, { port })',
};

/**
 * A failure to listen, as a coded error naming host:port and the fix: the port taken by another
 * process, a port this user may not bind, an address that is not this machine's. Anything else
 * is passed on as it came.
 */
function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as { code?: unknown })?.code;
  const where = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_ADDRESS_IN_USE', `cannot listen on ${where}: another process is listening there; stop it, choose another port, or pass port: 0 for a free one (see url in the result)`, { cause: error });
    case 'EACCES':
    case 'EPERM':
      return ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_LISTEN_FAILED', `cannot listen on ${where}: this process may not bind that port (${String(code)}; ports below 1024 need privileges); choose a port from 1024, or port: 0 for a free one`, { cause: error });
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_LISTEN_FAILED', `cannot listen on ${where}: ${host} is not an address of this machine (${String(code)}); use 127.0.0.1, 0.0.0.0 (every interface) or one of this machine's addresses`, { cause: error });
    default:
      return error;
  }
}

/** True for an address that only this machine can reach. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/**
 * The admin page and API on a server of their own, for hosts without Fastify. No data is served
 * without authentication (the page's shell loads without it, as a login page does): with no
 * `token` and no `authenticate`, a token is generated and printed with the URL — and only on a
 * loopback address; asking for any other address without one of them is refused before anything
 * listens (HOOKWORK_ERR_ADMIN_INSECURE_BIND).
 *
 * @throws HookworkError HOOKWORK_ERR_ADMIN_INVALID_OPTIONS for an option it does not take (named, with the
 * fix: `auth: { token }` is the plugin's shape, here it is `token`) or of the wrong kind;
 * HOOKWORK_ERR_ADMIN_INSECURE_BIND as above; HOOKWORK_ERR_ADMIN_ADDRESS_IN_USE when another process
 * listens on host:port; HOOKWORK_ERR_ADMIN_LISTEN_FAILED for a port it may not bind or a host that is
 * not this machine's. Nothing listens after any of them.
 */
export async function startAdminServer(app: Hookwork<unknown>, options: AdminServerOptions = {}): Promise<AdminServer> {
  if (!isApp(app)) {
    // It used to be the plugin's "hookworkAdmin needs { app }": a name and a shape this call does not have.
    const optionsFirst = app !== null && typeof app === 'object' && ('app' in app || 'port' in app || 'host' in app || 'token' in app);
    throw ADMIN_ERRORS.create(
      'HOOKWORK_ERR_ADMIN_INVALID_OPTIONS',
      `startAdminServer(app, options) takes the app createHookwork() returned first${optionsFirst ? ', and was given options there: startAdminServer(app, { port })' : `; got ${app === null ? 'null' : typeof app}`}`,
    );
  }
  options = checkOptions('startAdminServer', options, SERVER_OPTIONS, SERVER_HINTS);
  if (options.token !== undefined && !isAcceptedToken(options.token)) {
    // Named as this function's `token` (not the plugin's auth.token), and never echoed: it may be a real one.
    throw ADMIN_ERRORS.create(
      'HOOKWORK_ERR_ADMIN_INVALID_OPTIONS',
      `startAdminServer: token must be at least ${MIN_TOKEN_LENGTH} visible ASCII characters (no spaces); got a string of ${options.token.length} characters${tokenProblem(options.token)}. Generate one with crypto.randomBytes(32).toString('base64url'), or leave token out on 127.0.0.1 to have one generated`,
    );
  }
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const given = options.token !== undefined || options.authenticate !== undefined;
  if (!given && !isLoopback(host)) {
    throw ADMIN_ERRORS.create(
      'HOOKWORK_ERR_ADMIN_INSECURE_BIND',
      `refusing to serve the admin API on ${host} without authentication: pass { token } (and https) or { authenticate }, or listen on 127.0.0.1 where a token is generated for you`,
    );
  }
  const token = options.token ?? (options.authenticate ? undefined : randomBytes(32).toString('base64url'));
  const prefix = options.prefix ?? '/';
  const fastify = Fastify({
    logger: false,
    ...(options.https ? { https: options.https } : {}),
    ...(options.trustProxy !== undefined ? { trustProxy: typeof options.trustProxy === 'string' || options.trustProxy === true ? options.trustProxy : [...options.trustProxy] } : {}),
    // Fastify routes path values up to 100 characters by default; a webhook key may have 200.
    routerOptions: { maxParamLength: LONGEST_PATH_KEY },
    // A path the router cannot take (a segment over that, bad percent-encoding) gets
    // problem details with a code like every other refusal, not Fastify's own error body.
    frameworkErrors: adminFrameworkErrors({ prefix: '/' }),
    // A request the HTTP parser cannot read (headers too large, not HTTP): problem details too.
    clientErrorHandler: adminClientErrorHandler,
  });
  try {
    await fastify.register(hookworkAdmin, {
      prefix,
      app,
      auth: { ...(token !== undefined ? { token } : {}), ...(options.authenticate ? { authenticate: options.authenticate } : {}), ...(options.signOutUrl !== undefined ? { signOutUrl: options.signOutUrl } : {}) },
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.page !== undefined ? { page: options.page } : {}),
      ...(options.apiReference !== undefined ? { apiReference: options.apiReference } : {}),
      ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
    });
    await fastify.listen({ port, host });
  } catch (error) {
    await fastify.close();
    throw listenError(error, host, port);
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
    const metrics = options.metrics ?? true;
    if (metrics !== false) print(`  Prometheus metrics: ${url}metrics${metrics === 'public' ? ' (no authentication)' : ' (the same token, as a bearer token)'}`);
    // Serving first and starting after is allowed (a host's boot order); the host should know what callers meet meanwhile.
    if (app.state === 'created' || app.state === 'starting') print(`  the app is not started yet: the API answers 503 (HOOKWORK_ERR_APP_NOT_STARTED, Retry-After) until app.start() resolves`);
  }
  return {
    url,
    token,
    signInUrl,
    fastify,
    close: () => fastify.close(),
  };
}
