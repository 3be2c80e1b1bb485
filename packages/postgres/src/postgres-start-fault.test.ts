import { createHookwork, isHookworkError, type StorageBackend } from '@hookwork/core';
import { thingComposer } from '@hookwork/core/testing';
import { postgresStorage, type PostgresTransaction } from './index';
import { TcpProxy } from './testing/tcp-proxy';
import { TEST_PG_URL } from './testing/test-database';
import { withTestDatabase } from './testing/test-schema';

const db = withTestDatabase('startfault');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A schema of this test's own and a TCP proxy to the server in front of it, both undone after the test. */
async function schemaBehindProxy(): Promise<{ schema: string; proxy: TcpProxy; url: string }> {
  const schema = db.schema();
  cleanups.push(() => db.drop(schema));
  const target = new URL(TEST_PG_URL);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  await proxy.up();
  cleanups.push(() => proxy.down());
  const url = new URL(TEST_PG_URL);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return { schema, proxy, url: url.toString() };
}

describe('a store failure while start() runs', () => {
  it('rejects saying which step failed, that the app is back in `created` and nothing retries it — not that hookwork reconnects by itself — and a second start() passes', async () => {
    const { schema, proxy, url } = await schemaBehindProxy();
    const backend = postgresStorage({ connectionString: url, schema, poolSize: 3, connectTimeoutMs: 1000 });
    let opens = 0;
    const storage: StorageBackend<PostgresTransaction> = {
      ...backend,
      async open(context) {
        const opened = await backend.open(context);
        // The server ends every connection the store has open as start() goes on to its first
        // statements (pg_terminate_backend, a failover): their answer is the FATAL 57P01.
        if (++opens === 1) proxy.terminateUnheard();
        return opened;
      },
    };
    const app = createHookwork({ composers: [thingComposer], storage, settings: { stopTimeout: 2000 } });
    cleanups.push(() => app.stop());

    const error = await app.start().then(() => undefined, (e: unknown) => e);
    expect(proxy.sentToTerminated).toBeGreaterThan(0);
    expect(isHookworkError(error, 'HOOKWORK_ERR_STORAGE')).toBe(true);
    const { message, cause } = error as Error;
    expect(message).toMatch(/^HOOKWORK_ERR_STORAGE: start\(\) failed while reading the webhooks: PostgreSQL .* could not be reached while .*57P01.*; the app is not started but back in `created`, and nothing retries the start: call start\(\) again once the store answers$/);
    expect(message).not.toMatch(/reconnects by itself/);
    // The store's own error, as it says it of a running app, is kept as the cause.
    expect(isHookworkError(cause, 'HOOKWORK_ERR_STORAGE')).toBe(true);
    expect(String((cause as Error).message)).toMatch(/57P01.*hookwork reconnects by itself/);
    expect(app.state).toBe('created');

    // What the message says works: the server answers, and start() again starts the app.
    await app.start();
    expect(app.state).toBe('started');
  });
});
