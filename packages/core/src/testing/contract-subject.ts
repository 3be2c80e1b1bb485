import type { EnqueueResult } from '../ports/request-queue';

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

/** What `promise` rejected with, for a contract to check its code and words; a promise that resolves fails here. */
export async function rejection(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeDefined();
  return error as { code?: string; message: string };
}

/**
 * The ids an enqueue reported stored, sorted (the contracts ask for them in any order). A store or
 * engine that reports nothing fails here: core would count what it skipped as enqueued.
 */
export function storedIds(result: EnqueueResult | void): string[] {
  expect(result).toMatchObject({ stored: expect.any(Array) });
  return [...(result as EnqueueResult).stored].sort();
}
