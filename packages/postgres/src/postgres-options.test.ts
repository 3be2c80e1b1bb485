import { isHookworkError } from '@hookwork/core';
import { postgresStorage } from './index';

// Options are checked when postgresStorage() is called, before any server is reached: no database needed.
describe('postgresStorage() options, without a server', () => {
  it('says a connectionString given as undefined (an unset environment variable) is undefined', () => {
    const unset: string | undefined = process.env.HOOKWORK_TEST_SURELY_UNSET_VARIABLE;
    let error: unknown;
    try {
      postgresStorage({ connectionString: unset });
    } catch (e) {
      error = e;
    }
    expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_STORAGE_OPTIONS')).toBe(true);
    expect((error as Error).message).toMatch(/`connectionString` is undefined — an environment variable that is not set \(such as DATABASE_URL\)\?/);
  });

  it('refuses connectTimeoutMs beside a pool of the host, as it refuses poolSize, instead of ignoring it', () => {
    const pool = { connect: () => undefined, query: () => undefined } as never;
    expect(() => postgresStorage({ pool, connectTimeoutMs: 2000 })).toThrow(/`connectTimeoutMs` applies to the pool hookwork makes from `connectionString`; with your own `pool`, set its connectionTimeoutMillis/);
    expect(() => postgresStorage({ pool, poolSize: 4 })).toThrow(/`poolSize` sizes the pool hookwork makes/);
    expect(() => postgresStorage({ pool })).not.toThrow();
  });

  it('still asks for one of connectionString or pool when neither is named', () => {
    expect(() => postgresStorage({})).toThrow(/give either `connectionString`.*or `pool`.*not neither/);
  });
});
