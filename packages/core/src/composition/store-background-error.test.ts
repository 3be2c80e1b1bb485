import { createHookwork, memoryStorage, type Logger, type StorageBackend, type StorageContext } from '../index';

// A store's own work in the background (a connection it listens on, a checkpoint thread) fails on
// no call of the app's: a store had only the logger to say so, which app.lifecycle's
// backgroundError and hookwork_background_errors_total do not see.

/** The memory store, keeping the context the app opened it with. */
function keepingContext(): { backend: StorageBackend; context: () => StorageContext } {
  const memory = memoryStorage();
  let kept: StorageContext | undefined;
  return {
    backend: { ...memory, name: 'third-party', open: (context) => memory.open((kept = context)) },
    context: () => kept!,
  };
}

describe("StorageContext.backgroundError: a store's background failure reported through the app", () => {
  it('is logged with what the store did instead, emitted as backgroundError and counted in hookwork_background_errors_total', async () => {
    const errors: string[] = [];
    const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (message: string) => void errors.push(message) };
    const { backend, context } = keepingContext();
    const app = createHookwork({ storage: backend, logger });
    const told: { task: string; error: unknown }[] = [];
    app.lifecycle.on('backgroundError', (info) => void told.push(info));
    await app.start();
    try {
      const lost = new Error('connection reset');
      context().backgroundError?.('the change feed of the third-party store', lost, 'it reconnects by itself; changes meanwhile are found by the sweep');
      expect(told).toEqual([{ task: 'the change feed of the third-party store', error: lost }]);
      expect(errors).toContain('the change feed of the third-party store failed: connection reset; it reconnects by itself; changes meanwhile are found by the sweep');
      expect((await app.metrics.scrape()).text).toMatch(/^hookwork_background_errors_total 1$/m);
    } finally {
      await app.stop();
    }
  });
});
