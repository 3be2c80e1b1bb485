/**
 * @hookwork/admin — the management HTTP API of a hookwork app (a Fastify 5 plugin, or a server of
 * its own) and the admin page. It wraps `app.management` one to one; see docs/admin.md.
 */
export { hookworkAdmin, API_PATH, type AdminMetricsOption, type HookworkAdminOptions } from './admin-plugin';
export { adminFrameworkErrors, type AdminFrameworkErrors, type AdminFrameworkErrorsOptions } from './framework-errors';
export { startAdminServer, isLoopback, type AdminServer, type AdminServerOptions } from './admin-server';
export { MIN_TOKEN_LENGTH, type AdminAuthOptions, type AdminPrincipal, type AuthenticateHook } from './auth';
export { ADMIN_ERRORS, type AdminErrorCode } from './admin-errors';
export { PROBLEM_MEDIA_TYPE, problemDetailsSchema, type ProblemDetails } from './problem-details';
export type { FieldProblem } from './validation';
