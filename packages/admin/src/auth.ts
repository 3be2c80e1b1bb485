import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_ERRORS } from './admin-errors';

/** Who a request to the admin API is made by, as the host's authentication says. */
export interface AdminPrincipal {
  /** A stable id, recorded in the audit trail (a user id, a service name). */
  id: string;
  /** A name to show (the admin page's header). */
  name?: string;
}

/**
 * The host's own authentication: given the request (its cookies, headers, a session an outer
 * Fastify hook set), returns who made it, or undefined to refuse it with 401. It may throw a
 * HookworkError of its own status (e.g. 403 for a user without the right role).
 */
export type AuthenticateHook = (request: FastifyRequest) => AdminPrincipal | undefined | Promise<AdminPrincipal | undefined>;

/**
 * How the admin API authenticates; at least one is required — nothing is served without it. A
 * request with `Authorization: Bearer <token>` matching one of `token` is let in as
 * `token:<fingerprint>`; otherwise `authenticate` decides.
 */
export interface AdminAuthOptions {
  /** Bearer token(s) (RFC 6750), at least 16 characters each; compared in constant time. */
  token?: string | readonly string[];
  /** The host's own authentication. */
  authenticate?: AuthenticateHook;
  /**
   * Where the admin page's *Sign out* goes for someone `authenticate` let in: the host's own
   * sign-out address (`/logout`, or an `https:` URL), opened as a link (GET) in the tab. Without
   * it, the page offers no *Sign out* to such a user (it cannot end the host's session: it would
   * only look signed out until the next reload). Needs `authenticate`.
   */
  signOutUrl?: string;
}

/** How a request was let in: by one of `token`, or by the host's `authenticate`. */
export type AdminAuthMethod = 'token' | 'host';

/** Checks an {@link AdminAuthOptions.signOutUrl}; undefined when it is one, else what it must be. */
export const checkSignOutUrl = (value: unknown): string | undefined =>
  // Visible ASCII only (no space or control character: a header, a log line, a link carry it as is).
  typeof value === 'string' && /^[\x21-\x7e]+$/.test(value) && ((value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\')) || /^https?:\/\/./i.test(value))
    ? undefined
    : 'must be the host\'s sign-out address: a path on this server such as /logout, or an http(s) URL';

/** The shortest bearer token accepted. */
export const MIN_TOKEN_LENGTH = 16;

/**
 * Whether `token` is a bearer token the admin accepts: {@link MIN_TOKEN_LENGTH} characters or more,
 * each visible ASCII. A header carries no other: `fetch` (the admin page) refuses to send "€",
 * and curl's UTF-8 bytes are read back as other characters, so such a token could never sign in.
 */
export function isAcceptedToken(token: unknown): boolean {
  return typeof token === 'string' && token.length >= MIN_TOKEN_LENGTH && /^[\x21-\x7e]+$/.test(token);
}

/** What is wrong with a string that {@link isAcceptedToken} refuses, without echoing it. */
export const tokenProblem = (token: string): string =>
  /\s/.test(token) ? ' with whitespace' : /[^\x21-\x7e]/.test(token) ? ' with a character that is not visible ASCII (a header cannot carry it)' : '';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Authenticates admin API requests. A token is compared by its SHA-256 digest with
 * timingSafeEqual, so neither its content nor its length shows in the time taken.
 */
export class AdminAuthenticator {
  private readonly tokens: { digest: Buffer; principal: AdminPrincipal }[];
  private readonly authenticateHook: AuthenticateHook | undefined;
  /** The ways a request may be let in, in the order they are tried. */
  readonly methods: readonly AdminAuthMethod[];
  /** Where the page's Sign out goes for someone the host let in, if the host gave it. */
  readonly signOutUrl: string | undefined;

  constructor(options: AdminAuthOptions | undefined) {
    const tokens = options?.token === undefined ? [] : typeof options.token === 'string' ? [options.token] : [...options.token];
    for (const token of tokens) {
      if (!isAcceptedToken(token)) {
        throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_INVALID_OPTIONS', `auth.token must be a string of at least ${MIN_TOKEN_LENGTH} visible ASCII characters (no spaces); generate one with crypto.randomBytes(32).toString('base64url')`);
      }
    }
    if (options?.authenticate !== undefined && typeof options.authenticate !== 'function') {
      throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_INVALID_OPTIONS', 'auth.authenticate must be a function (request) => principal | undefined');
    }
    if (options?.signOutUrl !== undefined) {
      const problem = checkSignOutUrl(options.signOutUrl);
      if (problem) throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_INVALID_OPTIONS', `auth.signOutUrl ${problem}`);
      if (!options.authenticate) throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_INVALID_OPTIONS', "auth.signOutUrl ends the host's session that auth.authenticate reads, and there is no authenticate: pass it with authenticate, or leave it out (the page signs a token out by forgetting it)");
    }
    if (tokens.length === 0 && !options?.authenticate) {
      throw ADMIN_ERRORS.create(
        'HOOKWORK_ERR_ADMIN_NO_AUTHENTICATION',
        'the admin API serves nothing without authentication: pass auth: { token } (a bearer token) or auth: { authenticate: (request) => principal | undefined } (your own)',
      );
    }
    this.tokens = tokens.map((token) => {
      const d = digest(token);
      return { digest: d, principal: { id: `token:${d.toString('hex').slice(0, 8)}`, name: 'token holder' } };
    });
    this.authenticateHook = options?.authenticate;
    this.methods = [...(tokens.length > 0 ? (['token'] as const) : []), ...(options?.authenticate ? (['host'] as const) : [])];
    this.signOutUrl = options?.signOutUrl;
  }

  /** Who made `request`; throws HOOKWORK_ERR_ADMIN_UNAUTHORIZED (and sets WWW-Authenticate) when no one did. */
  async authenticate(request: FastifyRequest, reply: FastifyReply): Promise<AdminPrincipal> {
    return (await this.identify(request, reply)).principal;
  }

  /**
   * Who made `request` and how they were let in; throws HOOKWORK_ERR_ADMIN_UNAUTHORIZED (and sets
   * WWW-Authenticate) when no one did, saying what this admin takes: a bearer token, the host's
   * sign-in, or either.
   */
  async identify(request: FastifyRequest, reply: FastifyReply): Promise<{ principal: AdminPrincipal; via: AdminAuthMethod }> {
    const header = request.headers.authorization;
    const bearer = typeof header === 'string' && /^Bearer\s+/i.test(header) ? header.replace(/^Bearer\s+/i, '').trim() : undefined;
    if (bearer !== undefined && this.tokens.length > 0) {
      const given = digest(bearer);
      // Every token is compared (no early exit), so the time taken does not say which matched.
      let match: AdminPrincipal | undefined;
      for (const token of this.tokens) if (timingSafeEqual(given, token.digest)) match = token.principal;
      if (match) return { principal: match, via: 'token' };
    }
    if (this.authenticateHook) {
      const principal = await this.authenticateHook(request);
      if (principal && typeof principal.id === 'string' && principal.id.length > 0) return { principal, via: 'host' };
    }
    const wrong = bearer !== undefined;
    const takesToken = this.tokens.length > 0;
    // A challenge is required with a 401 (RFC 9110 §11.6.1). Bearer only where a token is taken: a
    // host-only admin names its own sign-in instead, so no client is sent looking for a token.
    reply.header('www-authenticate', takesToken ? `Bearer realm="hookwork-admin"${wrong ? ', error="invalid_token"' : ''}` : 'Session realm="hookwork-admin"');
    throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_UNAUTHORIZED', this.refusal(wrong));
  }

  /** Why a request was not let in, in the terms of what this admin takes. */
  private refusal(sentToken: boolean): string {
    const hostSignIn = "the host application's own sign-in (its session)";
    if (!this.authenticateHook) return sentToken ? 'the bearer token is not one this admin API accepts; use the token it was started with' : 'this admin API needs authentication: send Authorization: Bearer <token>';
    if (this.tokens.length === 0) {
      return sentToken
        ? `this admin API takes no bearer token: it authenticates through ${hostSignIn}, which did not let this request in; sign in to the host application, then try again`
        : `this admin API authenticates through ${hostSignIn}, which did not let this request in (not signed in, or the session ended); sign in to the host application, then try again`;
    }
    return sentToken
      ? `the bearer token is not one this admin API accepts, and ${hostSignIn} did not let the request in either; use the token it was started with, or sign in to the host application`
      : `this admin API needs authentication: send Authorization: Bearer <token>, or sign in to the host application (its own sign-in, which did not let this request in)`;
  }
}

/**
 * Refuses a write that a browser made on behalf of another site (CSRF), which matters when the
 * host authenticates by cookie: a browser says where a request came from in Sec-Fetch-Site, or
 * at least in Origin (`null` for an opaque origin — a sandboxed frame, a data: page — is refused
 * too). Requests without either (curl, servers) are not from a browser page.
 *
 * An Origin is compared whole — scheme, host and port — with this server's origin as Fastify
 * reads it: `request.protocol` (https on a TLS socket; behind a proxy, X-Forwarded-Proto only when
 * the host's Fastify trusts the proxy, `trustProxy`) and `request.host` (the Host header, or
 * X-Forwarded-Host from a trusted proxy). A page served over http is another origin than the same
 * host and port over https (RFC 6454): a script on it, which a network attacker can write, must
 * not write through the https admin's cookies.
 */
export function refuseCrossSite(request: FastifyRequest): void {
  if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return;
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_CROSS_SITE', `a ${request.method} from another site (Sec-Fetch-Site: ${site}) is refused; call the admin API from its own page or from a server`);
  }
  const origin = request.headers.origin;
  // "null" is an opaque origin: a sandboxed iframe, a data: or file: page, a cross-origin
  // redirect. The admin page is never one, so a write that says it is came from another page.
  if (site === undefined && origin === 'null') {
    throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_CROSS_SITE', `a ${request.method} from an opaque origin (Origin: null: a sandboxed frame, a data: or file: page, or a redirect from another site) is refused; call the admin API from its own page or from a server`);
  }
  if (site === undefined && typeof origin === 'string') {
    const given = originOf(origin);
    // No Host header (HTTP/1.0): this server has no origin to compare with, and the detail says so.
    const own = request.host ? originOf(`${request.protocol}://${request.host}`) : undefined;
    if (given === undefined || given !== own) {
      // The same host and port by another scheme: most often an https page whose TLS a proxy ends,
      // in front of a Fastify that does not trust the proxy's X-Forwarded-Proto.
      const sameButScheme = given !== undefined && own !== undefined && given.replace(/^[a-z]+:/, '') === own.replace(/^[a-z]+:/, '');
      const proxyHint = sameButScheme && request.protocol === 'http' ? '; if a proxy in front of this server ends TLS, have Fastify trust it (trustProxy: its address — an option of Fastify() and of startAdminServer) so it reads the scheme from X-Forwarded-Proto' : '';
      throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_CROSS_SITE', `a ${request.method} from origin ${origin} is refused: it is not this server's origin (${own ?? (request.host ? `${request.protocol}://${request.host}, not a URL` : 'no Host header')}; scheme, host and port are compared)${proxyHint}`);
    }
  }
}

/** The origin of a URL (`https://host:port`, default ports dropped) as URL serialises it, or undefined. */
function originOf(url: string): string | undefined {
  try {
    const { origin, host } = new URL(url);
    return origin === 'null' || !host ? undefined : origin;
  } catch {
    return undefined;
  }
}
