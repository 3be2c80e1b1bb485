import type { InjectionToken } from 'tsyringe';

/**
 * A typed injection token: a symbol that remembers the type it stands for, so
 * `container.resolve(LoggerToken)` is a `Logger` without a cast at the call site.
 */
export type Token<T> = symbol & { readonly __tokenType?: T };

/** Makes a {@link Token}. The description shows in tsyringe's errors. */
export function createToken<T>(description: string): Token<T> {
  return Symbol(description) as Token<T>;
}

/** Narrows a {@link Token} to tsyringe's token type for `@inject()` and `register()`. */
export function asInjectionToken<T>(token: Token<T>): InjectionToken<T> {
  return token;
}

/** Resolves a {@link Token} from a tsyringe container with its type: `resolveToken(app.container, LoggerToken)`. */
export function resolveToken<T>(container: { resolve(token: symbol): unknown }, token: Token<T>): T {
  return container.resolve(token) as T;
}
