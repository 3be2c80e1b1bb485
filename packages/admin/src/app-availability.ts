import { HookworkError, isHookworkError, type Hookwork, type Management } from '@hookwork/core';

/** How long a client is asked to wait (Retry-After, seconds) while the app is not started yet. */
export const NOT_STARTED_RETRY_AFTER_SECONDS = 5;

/**
 * The app's management service, or the 503 that says why there is none, in the API's terms.
 * Core's own refusal names the fix as a call in the host's code ("await app.start() before
 * managing webhooks or publishing"), which a caller of the API cannot make; and while the app was
 * `starting` the routes answered as soon as its storage was open, before its checks had passed.
 * Every route answers from the same state: not before `start()` has resolved, not after `stop()`.
 */
export function managementOf(app: Hookwork<unknown>): Management {
  const state = app.state;
  if (state === 'created' || state === 'starting') {
    throw new HookworkError(
      'HOOKWORK_ERR_APP_NOT_STARTED',
      `the hookwork app behind this admin API is ${state === 'created' ? 'not started yet' : 'still starting'}: its routes answer 503 until the host's app.start() has resolved; try again shortly (Retry-After). Host: await app.start() before serving the admin, or let it answer 503 meanwhile`,
    );
  }
  if (state === 'stopping' || state === 'stopped') {
    throw new HookworkError(
      'HOOKWORK_ERR_APP_STOPPED',
      `the hookwork app behind this admin API was stopped (it is ${state}): nothing can be managed through it. Host: close the admin server with the app (server.close()), or serve the app that replaced it`,
    );
  }
  return app.management;
}

/**
 * True for the 503 of an app that is not started or was stopped: the app's state, not a fault
 * of the request or the server, so it is answered without an error line (and a stack) per request.
 */
export function isAppUnavailable(error: unknown): boolean {
  return isHookworkError(error, 'HOOKWORK_ERR_APP_NOT_STARTED') || isHookworkError(error, 'HOOKWORK_ERR_APP_STOPPED');
}

/** True for what createHookwork() returns (as far as the admin uses it): the check of the plugin's `app` and startAdminServer()'s first argument. */
export function isApp(value: unknown): boolean {
  const app = value as { events?: unknown; container?: unknown } | null | undefined;
  return !!app && typeof app === 'object' && typeof app.events === 'function' && !!app.container;
}
