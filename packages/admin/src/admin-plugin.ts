import fastifySwagger from '@fastify/swagger';
import { guardedLogger, HOOKWORK_VERSION, LoggerToken, maskCredentials, resolveToken, type Hookwork, type Logger } from '@hookwork/core';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_ERRORS } from './admin-errors';
import { isApp, isAppUnavailable, managementOf, NOT_STARTED_RETRY_AFTER_SECONDS } from './app-availability';
import { checkOptions, is, type OptionHints, type OptionSpec } from './admin-options';
import { AuditTrail, type AuditConfig } from './audit';
import { AdminAuthenticator, checkSignOutUrl, refuseCrossSite, type AdminAuthMethod, type AdminAuthOptions, type AdminPrincipal } from './auth';
import { LONGEST_PATH_KEY } from './api-schemas';
import { answeredAs, refuseContentWhereNoneIsTaken, useJsonBodyParser } from './json-body';
import { loggedError } from './logged-error';
import { registerPage } from './page-routes';
import { fieldsOfSchema, PROBLEM_MEDIA_TYPE, toAnswer, toProblem } from './problem-details';
import { registerQueueRoutes } from './routes/queue-routes';
import { registerWebhookRoutes } from './routes/webhook-routes';
import { suggestRoute } from './route-suggestions';
import { adminCompilers } from './validation';

/** Options of {@link hookworkAdmin}. Fastify's own `prefix` goes beside them in `register()`. */
export interface HookworkAdminOptions {
  /** The app to manage: every route calls its `app.management` (any transaction type: the admin never publishes). */
  app: Hookwork<unknown>;
  /** How requests are authenticated: a bearer token, the host's own hook, or both. Required. */
  auth: AdminAuthOptions;
  /** Serve the admin page at the prefix (default true). */
  page?: boolean;
  /** Serve the OpenAPI reference page at `api/reference/` (default true). */
  apiReference?: boolean;
  /** Where audit lines and failures are written (default: the app's logger). */
  logger?: Logger;
  /** The page's title (default "hookwork admin"). */
  title?: string;
  /**
   * Serve the app's Prometheus metrics (`app.metrics`, a registry of the app's own) at
   * `<prefix>/metrics`: `true` (default) behind the same authentication as the API — Prometheus
   * sends the token with `authorization: { credentials: … }` in its scrape config; `'public'`
   * without authentication (e.g. behind a network policy); `false` not served.
   */
  metrics?: AdminMetricsOption;
}

/** Whether and how `/metrics` is served: `true` authenticated (default), `'public'` without authentication, `false` not at all. */
export type AdminMetricsOption = boolean | 'public';

/** Checks a {@link AdminMetricsOption}; undefined when it is one, else what it must be. */
export const checkMetricsOption = (value: unknown): string | undefined =>
  value === true || value === false || value === 'public' ? undefined : "must be true (served, authenticated), 'public' (served without authentication) or false (not served)";

const PLUGIN_OPTIONS: OptionSpec = {
  app: is.anything,
  auth: is.anything,
  page: is.boolean,
  apiReference: is.boolean,
  logger: (v) => (v !== null && typeof v === 'object' && ['debug', 'info', 'warn', 'error'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function') ? undefined : 'must be a Logger: an object with debug, info, warn and error functions'),
  title: is.string,
  metrics: checkMetricsOption,
  // Fastify's own register() options, which it passes on to the plugin.
  prefix: is.anything,
  logLevel: is.anything,
  logSerializers: is.anything,
};

const PLUGIN_HINTS: OptionHints = {
  token: 'the token goes in auth: { token }',
  authenticate: 'the hook goes in auth: { authenticate }',
  port: 'the plugin is served where your Fastify app listens; for a server of its own use startAdminServer(app, { port, host })',
  host: 'the plugin is served where your Fastify app listens; for a server of its own use startAdminServer(app, { port, host })',
  https: 'TLS is your Fastify app\'s own option; for a server of its own use startAdminServer(app, { https: { key, cert } })',
  authentication: 'it is auth: { token } or auth: { authenticate }',
};

const AUTH_OPTIONS: OptionSpec = { token: is.anything, authenticate: is.anything, signOutUrl: checkSignOutUrl };
const AUTH_HINTS: OptionHints = {
  tokens: 'token takes one token or a list: auth: { token: [a, b] }',
  bearer: 'the bearer token is auth: { token }',
  hook: 'the hook is auth: { authenticate }',
  logoutUrl: "the host's sign-out address is auth: { signOutUrl }",
  signOut: "the host's sign-out address is auth: { signOutUrl }",
};

/** The path of the API under the plugin's prefix. */
export const API_PATH = '/api/v1';

/** The methods the admin's routes are registered with (HEAD beside each GET), in the order an Allow header lists them. */
const ROUTE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** The name the OpenAPI generator is decorated under, apart from a host's own @fastify/swagger. */
const OPENAPI_DECORATOR = 'hookworkAdminOpenApi';

/**
 * The management HTTP API and the admin page, as a Fastify 5 plugin a host registers under its
 * own prefix with its own authentication:
 *
 * ```ts
 * await fastify.register(hookworkAdmin, { prefix: '/admin', app, auth: { authenticate: (req) => req.user && { id: req.user.id } } });
 * ```
 *
 * Under the prefix: the page (`/`), the API (`/api/v1/…`, Umbraco's webhook routes and what
 * Umbraco lacks — see docs/admin.md), its OpenAPI 3.1 document (`/api/v1/openapi.json`) and a
 * local API reference page (`/api/reference/`). Every API route authenticates first; bodies,
 * queries and answers are validated with core's JSON Schemas; errors are RFC 9457 problem
 * details with hookwork's code; every write is audited (the app's `audit` lifecycle event and
 * the logger). The plugin is encapsulated: its hooks, error handler and compilers touch only its
 * own routes.
 *
 * @throws HookworkError HOOKWORK_ERR_ADMIN_NO_AUTHENTICATION without `auth`; HOOKWORK_ERR_ADMIN_INVALID_OPTIONS for
 * an option it does not take (named, with where that setting goes), an app that is not one, a short token or
 * another value of the wrong kind; HOOKWORK_ERR_ADMIN_PAGE_NOT_BUILT when the page's assets were
 * not built.
 */
export const hookworkAdmin: FastifyPluginAsync<HookworkAdminOptions> = async (fastify, options) => {
  // From here on, the options as read once: what is checked is what is used.
  options = checkOptions('hookworkAdmin', options, PLUGIN_OPTIONS, PLUGIN_HINTS);
  const { app } = options ?? ({} as HookworkAdminOptions);
  if (!isApp(app)) {
    throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_INVALID_OPTIONS', 'hookworkAdmin needs { app } — the app createHookwork() returned');
  }
  if (options.auth !== undefined && (options.auth === null || typeof options.auth !== 'object' || Array.isArray(options.auth))) {
    throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_INVALID_OPTIONS', 'hookworkAdmin: auth must be an object: auth: { token } or auth: { authenticate }');
  }
  const authenticator = new AdminAuthenticator(checkOptions('hookworkAdmin auth', options.auth, AUTH_OPTIONS, AUTH_HINTS));
  // A logger of the host's own that throws must not cost the audit event after it (nor a request).
  const logger = options.logger ? guardedLogger(options.logger) : resolveToken(app.container, LoggerToken);
  const audit = new AuditTrail(app, logger);
  const principals = new WeakMap<FastifyRequest, { principal: AdminPrincipal; via: AdminAuthMethod }>();
  const prefix = fastify.prefix.replace(/\/$/, '');

  warnIfShortParams(fastify, logger);
  useJsonBodyParser(fastify);
  fastify.setErrorHandler((thrown, request, reply) => {
    const error = answeredAs(thrown, request);
    const { problem, headers } = toAnswer(error, request.url.replace(/\?.*$/, ''), { bodyLimit: request.routeOptions.bodyLimit, contentType: request.headers['content-type'], fields: fieldsOfSchema(request.routeOptions.schema) });
    // A plugin's client error says how to ask again in its headers (416's Content-Range: bytes */size).
    reply.headers(headers);
    if (isAppUnavailable(error)) {
      // 503 with Retry-After (RFC 9110 §10.2.3): the app is expected up once the host's start() resolves.
      if (problem.code === 'HOOKWORK_ERR_APP_NOT_STARTED') reply.header('retry-after', String(NOT_STARTED_RETRY_AFTER_SECONDS));
    } else if (problem.status >= 500) {
      // What failed may be the host's own code (its authenticate hook) quoting a connection string
      // or a token: the log gets it masked, the client none of it (the problem says where to look).
      logger.error(`admin: ${request.method} ${request.url} failed: ${maskCredentials(String((error as Error | undefined)?.message ?? error))}`, { error: loggedError(error) });
    }
    return noSniffNoStore(reply).code(problem.status).type(PROBLEM_MEDIA_TYPE).send(problem);
  });
  fastify.setNotFoundHandler((request, reply) => {
    const path = request.url.replace(/\?.*$/, '');
    // A path a route has, asked with another method (GET cleanup, POST webhook/{id}): 405 with
    // Allow (RFC 9110 §15.5.6), so the caller learns the method, not that the route is missing.
    const allowed = ROUTE_METHODS.filter((method) => fastify.findRoute({ method, url: path }) !== null);
    // A route of this very method sent the request here itself (a static file that is not there,
    // under `assets/*`): the path is missing, not the method.
    if (allowed.length > 0 && !allowed.includes(request.method as (typeof ROUTE_METHODS)[number])) {
      const problem = toProblem(ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_METHOD_NOT_ALLOWED', `${path} does not take ${request.method}; it takes ${allowed.join(', ')}. The routes are listed at ${prefix}${API_PATH}/openapi.json`), path);
      return noSniffNoStore(reply).code(405).header('allow', allowed.join(', ')).type(PROBLEM_MEDIA_TYPE).send(problem);
    }
    const suggestion = suggestRoute(request.method, path, prefix, API_PATH);
    const problem = toProblem(ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_NOT_FOUND', `no admin route is ${request.method} ${path}; ${suggestion ? `${suggestion}${/[.?!]$/.test(suggestion) ? '' : '.'} The routes` : 'the routes'} are listed at ${prefix}${API_PATH}/openapi.json`), path);
    return noSniffNoStore(reply).code(404).type(PROBLEM_MEDIA_TYPE).send(problem);
  });

  await fastify.register(fastifySwagger, {
    decorator: OPENAPI_DECORATOR,
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'hookwork management API',
        version: HOOKWORK_VERSION,
        description:
          "Webhooks, their delivery log, dead letters, test sends and secrets of one hookwork app. Umbraco's management API routes where Umbraco has them (skip/take paging, 201 with Location); errors are RFC 9457 problem details carrying hookwork's error code.",
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The token the admin server printed at start, or the one the host configured.' } } },
      security: [{ bearer: [] }],
    },
  });

  await fastify.register(
    async (api: FastifyInstance) => {
      // Compilers of this registration's own: see adminCompilers() for what module-level ones kept.
      const compilers = adminCompilers();
      api.setValidatorCompiler(compilers.validatorCompiler);
      api.setSerializerCompiler(compilers.serializerCompiler);
      api.addHook('onRequest', async (request, reply) => {
        noSniffNoStore(reply);
        refuseCrossSite(request);
        principals.set(request, await authenticator.identify(request, reply));
      });
      api.addHook('onResponse', async (request, reply) => {
        const config = request.routeOptions.config as { audit?: AuditConfig };
        const write = request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'OPTIONS';
        if (!write) return;
        audit.record(request, reply, config.audit ?? { action: `${request.method} ${request.url.replace(/\?.*$/, '')}` }, principals.get(request)?.principal, codes.get(request));
      });
      // The problem's code, for the audit record of a refused write.
      const codes = new WeakMap<FastifyRequest, string>();
      api.addHook('onError', async (request, _reply, error) => {
        codes.set(request, toProblem(answeredAs(error, request), '').code);
      });
      refuseContentWhereNoneIsTaken(api);
      const context = { management: () => managementOf(app), audit, principal: (request: FastifyRequest) => principals.get(request)?.principal, via: (request: FastifyRequest) => principals.get(request)?.via };
      registerWebhookRoutes(api, context);
      registerQueueRoutes(api, context);
      api.get('/openapi.json', { schema: { hide: true } }, () => (fastify as unknown as Record<string, (o?: object) => unknown>)[OPENAPI_DECORATOR]!());
    },
    { prefix: API_PATH },
  );

  const metrics = options.metrics ?? true;
  if (metrics !== false) {
    await fastify.register(async (scope: FastifyInstance) => {
      if (metrics !== 'public') {
        scope.addHook('onRequest', async (request, reply) => {
          reply.header('cache-control', 'no-store');
          await authenticator.authenticate(request, reply);
        });
      }
      // The app's own registry (never prom-client's global one), so two apps never mix.
      scope.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
        const { contentType, text } = await app.metrics.scrape();
        // Text with the app's event aliases in it: read as text/plain, never sniffed as a page.
        return noSniffNoStore(reply).type(contentType).send(text);
      });
    });
  }

  await registerPage(fastify, { page: options.page ?? true, apiReference: options.apiReference ?? true, title: options.title ?? 'hookwork admin', auth: { methods: authenticator.methods, signOutUrl: authenticator.signOutUrl } });
};

/**
 * Every problem answer, wherever it comes from (a route's error, a path no route has, the metrics'
 * 401): never cached, and never read as anything but its media type — it echoes the path as sent.
 */
const noSniffNoStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');

/**
 * The host's router decides how long a path value may be (Fastify's `maxParamLength`, 100 by
 * default), and the plugin cannot change it: a webhook whose key is longer could not be read,
 * changed or deleted here (the router answers its path, see adminFrameworkErrors), so the host is
 * told once, with the fix, as the plugin registers.
 */
function warnIfShortParams(fastify: FastifyInstance, logger: Logger): void {
  const config = fastify.initialConfig as { maxParamLength?: number; routerOptions?: { maxParamLength?: number } };
  const limit = config.routerOptions?.maxParamLength ?? config.maxParamLength ?? 100;
  if (limit >= LONGEST_PATH_KEY) return;
  logger.warn(
    `hookworkAdmin: this Fastify routes path values of at most ${limit} characters (maxParamLength), and a webhook key may have ${LONGEST_PATH_KEY}: a webhook with a longer key cannot be read, changed or deleted here, as its path is answered by the router before the admin (Fastify's own 414, or the admin's 400 problem details when the Fastify is created with frameworkErrors: adminFrameworkErrors({ prefix })). Create the Fastify with { routerOptions: { maxParamLength: ${LONGEST_PATH_KEY} } }`,
  );
}
