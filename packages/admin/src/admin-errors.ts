import { defineErrorCodes } from '@hookwork/core';

/**
 * @hookwork/admin's own error codes (documented in docs/errors.md). Errors of the management
 * service keep core's codes (HOOKWORK_ERR_…); these are the HTTP boundary's.
 */
export const ADMIN_ERRORS = defineErrorCodes('@hookwork/admin', {
  HOOKWORK_ERR_ADMIN_NO_AUTHENTICATION: { summary: 'The admin plugin or server was set up without a way to authenticate requests (a token or an authenticate hook).', status: 500 },
  HOOKWORK_ERR_ADMIN_INSECURE_BIND: { summary: 'The standalone admin server was asked to listen on a non-loopback address without a token or authenticate hook given.', status: 500 },
  HOOKWORK_ERR_ADMIN_INVALID_OPTIONS: { summary: 'The admin plugin or server was given an option it does not take (a misspelt or misplaced key) or one of the wrong kind (a short token, a port out of range, an app that is not a hookwork app).', status: 500 },
  HOOKWORK_ERR_ADMIN_ADDRESS_IN_USE: { summary: 'The standalone admin server could not listen on its host:port because another process listens there.', status: 500 },
  HOOKWORK_ERR_ADMIN_LISTEN_FAILED: { summary: 'The standalone admin server could not listen on its host:port: a port this process may not bind, or an address that is not this machine\'s.', status: 500 },
  HOOKWORK_ERR_ADMIN_UNAUTHORIZED: { summary: 'A request to the admin API carried no credentials, or credentials that do not authenticate.', status: 401 },
  HOOKWORK_ERR_ADMIN_CROSS_SITE: { summary: 'A write to the admin API came from another site (Sec-Fetch-Site or Origin), which a browser session must never be made to do.', status: 403 },
  HOOKWORK_ERR_ADMIN_INVALID_REQUEST: { summary: 'A request to the admin API does not match its schema (a body, query or path value); the problem details name each field.', status: 400 },
  HOOKWORK_ERR_ADMIN_UNSUPPORTED_MEDIA_TYPE: { summary: 'A request body to the admin API was sent with a content type other than application/json (a form, text/plain); nothing was read or changed.', status: 415 },
  HOOKWORK_ERR_ADMIN_BODY_TOO_LARGE: { summary: 'A request body to the admin API is larger than the server accepts (Fastify\'s bodyLimit, 1 MiB by default); nothing was read or changed.', status: 413 },
  HOOKWORK_ERR_ADMIN_NOT_FOUND: { summary: 'No admin API route has the method and path asked for.', status: 404 },
  HOOKWORK_ERR_ADMIN_METHOD_NOT_ALLOWED: { summary: 'An admin route has the path asked for, but not the method: the Allow header and the detail name the methods it takes.', status: 405 },
  HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED: { summary: 'A change to a webhook was sent with an If-Match that is not its current ETag (it was changed since it was read), or an If-None-Match that names its state or is *; nothing was changed. A read of one sent with such an If-Match too.', status: 412 },
  HOOKWORK_ERR_ADMIN_PAGE_NOT_BUILT: { summary: 'The admin page is served but its assets were not built (run npm run build).', status: 500 },
  HOOKWORK_ERR_ADMIN_REQUEST_REFUSED: { summary: 'Fastify, a plugin the admin uses or the HTTP server refused the request with a client error of its own (a Range the file does not hold, a precondition on a static file, a path that is not a file, headers too large, a request that is not HTTP); the answer keeps that 4xx status.', status: 400 },
  HOOKWORK_ERR_ADMIN_INTERNAL: { summary: 'The admin API failed on something that is not a coded hookwork error; the server log has the cause.', status: 500 },
});

/** A code of {@link ADMIN_ERRORS}. */
export type AdminErrorCode = keyof typeof ADMIN_ERRORS.codes;
