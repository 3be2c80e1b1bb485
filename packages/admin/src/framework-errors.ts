import type { FastifyError, FastifyServerOptions, RawServerBase, RawServerDefault } from 'fastify';
import { ADMIN_ERRORS } from './admin-errors';
import { checkOptions, type OptionSpec } from './admin-options';
import { PROBLEM_MEDIA_TYPE, toProblem } from './problem-details';

/** Options of {@link adminFrameworkErrors}. */
export interface AdminFrameworkErrorsOptions {
  /**
   * The prefix the admin is registered under (`/admin`, `/backoffice/webhooks`), as given to
   * `register(hookworkAdmin, { prefix })`. Paths under it are answered with the admin's problem
   * details; every other path is left to the host. `/` answers every path.
   */
  prefix: string;
}

/**
 * Fastify's `frameworkErrors` option for a Fastify of the server type `RawServer` (`http.Server`
 * by default, which an HTTPS Fastify takes too; an HTTP/2 one names its own, see
 * {@link adminFrameworkErrors}): what {@link adminFrameworkErrors} returns.
 */
export type AdminFrameworkErrors<RawServer extends RawServerBase = RawServerDefault> = NonNullable<FastifyServerOptions<RawServer>['frameworkErrors']>;

/** What the handler uses of Fastify's request and reply. */
interface RawRequest {
  readonly url: string;
}
interface ProblemReply {
  code(statusCode: number): unknown;
  header(name: string, value: string): unknown;
  type(contentType: string): unknown;
  send(payload?: unknown): unknown;
}

const OPTIONS: OptionSpec = {
  prefix: (v) => (typeof v === 'string' && v.startsWith('/') ? undefined : 'must be the path the admin is registered under, starting with / (as given to register(hookworkAdmin, { prefix }))'),
};

/** The longest path an answer echoes as its `instance`: a path over the router's limit may be megabytes. */
const LONGEST_ECHOED_PATH = 200;

/**
 * A handler for Fastify's `frameworkErrors` option, which answers the errors a host's router
 * raises before any route or plugin is reached — a path value longer than its `maxParamLength`
 * (`FST_ERR_MAX_PARAM_LENGTH`, Fastify's own answer a 414 echoing the whole path) and a path that
 * is not a valid URL (`FST_ERR_BAD_URL`, a bad percent-encoding such as `webhook/%ff`) — on
 * paths under the admin's prefix as the admin answers every other refusal: 400 problem details
 * (`application/problem+json`), `HOOKWORK_ERR_ADMIN_INVALID_REQUEST` with `errors: [{ in: 'path' }]`,
 * `Cache-Control: no-store` and `X-Content-Type-Options: nosniff`, the path echoed at most 200
 * characters long. A plugin cannot set this for its host: the host passes it when it creates its
 * Fastify. Other paths are left to the host: the error is sent as it came, to the host's error
 * handler (Fastify's own answer, by default).
 *
 * These answers come from the router, before any hook runs: they are given with or without a
 * token, and say nothing about what is stored. They are no audit record, a refused write's
 * neither: no route was reached, so there is no action to record (docs/admin.md); a host that
 * must log them does so in its own `frameworkErrors` before calling this one.
 *
 * ```ts
 * const fastify = Fastify({
 *   routerOptions: { maxParamLength: 200 },
 *   frameworkErrors: adminFrameworkErrors({ prefix: '/admin' }),
 * });
 * await fastify.register(hookworkAdmin, { prefix: '/admin', app, auth });
 * ```
 *
 * A host with a `frameworkErrors` of its own calls this one for the admin's paths from it. An
 * HTTP/2 host names its server type, which TypeScript does not infer through Fastify's overloads:
 * `adminFrameworkErrors<Http2Server>({ prefix })` (`Http2SecureServer` with `https`).
 *
 * @throws HookworkError HOOKWORK_ERR_ADMIN_INVALID_OPTIONS without a `prefix` starting with `/`,
 * or with an option it does not take.
 */
export function adminFrameworkErrors<RawServer extends RawServerBase = RawServerDefault>(options: AdminFrameworkErrorsOptions): AdminFrameworkErrors<RawServer> {
  options = checkOptions('adminFrameworkErrors', options, OPTIONS, { path: 'the admin\'s path is prefix: "/admin"' });
  if (options === undefined || typeof options.prefix !== 'string') {
    throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_INVALID_OPTIONS', 'adminFrameworkErrors needs { prefix }: the path the admin is registered under, as given to register(hookworkAdmin, { prefix })');
  }
  const prefix = options.prefix.replace(/\/+$/, '');
  const isAdminPath = (path: string) => prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
  const handler = (error: FastifyError, request: RawRequest, reply: ProblemReply): void => {
    const path = request.url.replace(/\?.*$/, '');
    if (!isAdminPath(path)) {
      reply.send(error);
      return;
    }
    const problem = toProblem(error, path.length > LONGEST_ECHOED_PATH ? `${path.slice(0, LONGEST_ECHOED_PATH)}…` : path);
    reply.code(problem.status);
    reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    reply.type(PROBLEM_MEDIA_TYPE);
    reply.send(problem);
  };
  return handler as AdminFrameworkErrors<RawServer>;
}
