import { HookworkError } from '../../errors/hookwork-error';
import { readOrRefuse } from '../../model/caller-input';
import { isPlainObject } from '../../model/plain-object';

/**
 * A transport's options as read once, where `createHttpTransport()` or `createUndiciTransport()`
 * takes them ({@link readOrRefuse}): each option a single time, and `tls` down to each entry of
 * `tls.ca`. A getter or Proxy trap that throws is HOOKWORK_ERR_INVALID_OPTIONS naming it
 * (`maxSockets`, `tls.ca`, `tls.ca[1]`), as createHookwork()'s options are, rather than a bare
 * Error out of the factory; a getter answering differently on a second read cannot make what is
 * looked at (is there a CA?) differ from what the agents are made with, nor a later agent (the
 * undici transport makes one after an `ssrf` change) get another pool size than the first.
 * `settings`, `resolver` and `configureAxios` are kept as given: `settings.current` is meant to be
 * read at every connection, so a settings change applies at once.
 */
export function readTransportOptions<T>(given: T, call: string): T {
  const refusal = (path: string, problem: string) =>
    new HookworkError('HOOKWORK_ERR_INVALID_OPTIONS', `${call} was given bad options: ${path || 'the options'} ${problem}`, { details: [{ key: path || '(root)', problem }] });
  const options = readOrRefuse(given, refusal, 1);
  if (!isPlainObject(options)) return options;
  const read = options as Record<string, unknown>;
  // Own keys only: a `tls` up the prototype chain is no option given.
  if (Object.hasOwn(read, 'tls') && isPlainObject(read.tls)) read.tls = readOrRefuse(read.tls, (path, problem) => refusal(path === '' ? 'tls' : `tls.${path}`, problem), 2);
  return read as T;
}
