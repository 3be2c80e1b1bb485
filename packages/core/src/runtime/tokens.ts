/**
 * A typed injection token: a symbol that remembers the type it stands for. tsyringe takes it
 * as it is (`@inject(LoggerToken)`, `registerInstance(LoggerToken, …)`); {@link resolveToken}
 * resolves it with its type, where tsyringe's own `resolve` would give `unknown`.
 */
export type Token<T> = symbol & { readonly __tokenType?: T };

/** Makes a {@link Token}. The description shows in tsyringe's errors. */
export function createToken<T>(description: string): Token<T> {
  return Symbol(description) as Token<T>;
}

/** Resolves a {@link Token} from a tsyringe container with its type: `resolveToken(app.container, LoggerToken)`. */
export function resolveToken<T>(container: { resolve(token: symbol): unknown }, token: Token<T>): T {
  return container.resolve(token) as T;
}
