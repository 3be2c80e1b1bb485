/**
 * What a contract suite's factory returns: a fresh, empty store to test, and how to dispose of it.
 * Each test calls the factory once, so no test sees another's data.
 */
export interface ContractSubject<T> {
  /** The port under test, on an empty store. */
  subject: T;
  /**
   * Opens a second handle on the same store (another connection, as a second process would
   * have). Backends shared between processes provide it, so the suite can check that two
   * handles never hand out the same request; in-memory backends leave it out.
   */
  openAnother?: () => Promise<T>;
  /** Closes every handle and removes what the store left behind (e.g. a temporary file). */
  cleanup?: () => Promise<void>;
}

/** Makes a fresh {@link ContractSubject} for one test. */
export type ContractFactory<T> = () => ContractSubject<T> | Promise<ContractSubject<T>>;

/**
 * Runs `body` with a fresh subject from `factory` and always cleans up, even when `body` fails,
 * so a failing contract test never leaves files or connections behind.
 */
export async function withSubject<T, R>(factory: ContractFactory<T>, body: (subject: ContractSubject<T>) => Promise<R>): Promise<R> {
  const made = await factory();
  try {
    return await body(made);
  } finally {
    await made.cleanup?.();
  }
}

/**
 * Refuses to define a contract suite outside jest (or a runner with jest's globals): under
 * node:test, `describe` is no global and the suite failed with a bare "ReferenceError: describe
 * is not defined" naming neither the suite nor the fix.
 */
export function requireJestGlobals(suite: string): void {
  const globals = globalThis as { describe?: unknown; it?: unknown; expect?: unknown };
  if (typeof globals.describe !== 'function' || typeof globals.it !== 'function' || typeof globals.expect !== 'function') {
    throw new TypeError(
      `${suite} defines jest tests: call it from a jest test file (its describe, it and expect globals are missing here — node:test and plain node have none; vitest needs globals: true)`,
    );
  }
}
