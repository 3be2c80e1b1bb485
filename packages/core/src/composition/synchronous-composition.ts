import { HookworkError } from '../errors/hookwork-error';
import { isThenable } from '../runtime/thenable';

/**
 * Refuses a promise where composition expects a finished step: a composer's `compose()`, a
 * builder extension method (`addCms()`), or the configure callback one takes (`cms => …`).
 *
 * TypeScript lets an `async` function stand where one returning `void` is expected, so
 * `async compose(builder) { await loadConfig(); builder.webhookEvents().add(…) }` compiles. But
 * `createHookwork()` freezes the collection as soon as `compose()` returns: what ran after the
 * `await` came too late, as an unhandled HOOKWORK_ERR_COLLECTION_FROZEN that ends the process,
 * while the app started without those events. Refused here, it is one error at
 * `createHookwork()` that names the step and the fix.
 *
 * @param result what the step returned.
 * @param step the step as the message names it, e.g. `MyComposer.compose()` or `addCms(configure)`.
 * @throws HookworkError HOOKWORK_ERR_ASYNC_COMPOSITION when `result` is a promise (any thenable).
 */
export function assertSynchronousComposition(result: unknown, step: string): void {
  if (!isThenable(result)) return;
  // Its late changes would only fail again, as an unhandled rejection: the error below is the one to act on.
  result.then(undefined, () => {});
  throw new HookworkError(
    'HOOKWORK_ERR_ASYNC_COMPOSITION',
    `${step} returned a promise (is it async?): composition runs synchronously, and the app is built as soon as it returns, so whatever it does after an await is lost. Do the asynchronous work before createHookwork() (load the configuration, then pass it to your composer) and make ${step} synchronous`,
  );
}
