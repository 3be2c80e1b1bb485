import { inject as tsyringeInject, injectable as tsyringeInjectable } from 'tsyringe';

/**
 * tsyringe's `@injectable()`, from the copy of tsyringe @hookwork/core builds its containers with.
 * Mark a host or plugin service whose constructor takes parameters with it; an event class needs
 * nothing more than `@WebhookEvent`. tsyringe records injectable classes in its own module, so one
 * marked by another copy of tsyringe (a plugin's own dependency) is unknown to the app's container:
 * import it from here, and a plugin needs no tsyringe dependency of its own.
 */
export const injectable: typeof tsyringeInjectable = tsyringeInjectable;

/**
 * tsyringe's `@inject(token)`, from @hookwork/core's copy: injects a constructor parameter by a
 * token — one of core's typed tokens (`@inject(LoggerToken)`) or a package's `createToken()` —
 * where the parameter's type is an interface, which constructor metadata cannot name.
 */
export const inject: typeof tsyringeInject = tsyringeInject;
