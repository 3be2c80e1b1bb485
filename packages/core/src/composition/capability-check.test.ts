import { createHookwork, isHookworkError, memoryStorage, type Hookwork, type Storage, type StorageBackend } from '../index';
import { recordingTransport } from '../testing';

/** The memory backend with a queue that cannot renew leases (as a third-party store might be). */
function storageWithoutRenewal(): StorageBackend {
  const inner = memoryStorage();
  return {
    name: 'no-renewal',
    capabilities: { ...inner.capabilities, leaseRenewal: false },
    async open(context): Promise<Storage> {
      const storage = await inner.open(context);
      return { ...storage, queue: Object.assign(Object.create(storage.queue) as object, { renew: undefined }) as Storage['queue'] };
    },
  };
}

describe('settings a queue cannot honour', () => {
  const started: Hookwork[] = [];
  afterEach(async () => {
    for (const app of started.splice(0)) await app.stop();
  });

  it('start() refuses a timeout longer than half the lease when the queue cannot renew, naming both keys', async () => {
    const app = createHookwork({ storage: storageWithoutRenewal(), transport: recordingTransport(), settings: { timeout: 8000, leaseDuration: 2000 } });
    const error = await app.start().then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_SETTINGS')).toBe(true);
    expect((error as Error).message).toMatch(/timeout \(8000 ms\) must be at most half of leaseDuration \(2000 ms\)/);
    expect((error as { details: { key: string }[] }).details.map((d) => d.key)).toEqual(['timeout', 'leaseDuration']);
    expect(app.state).toBe('created');
  });

  it('updateSettings() refuses the same combination and keeps the settings as they were', async () => {
    const app = createHookwork({ storage: storageWithoutRenewal(), transport: recordingTransport(), settings: { timeout: 1000, leaseDuration: 2000 } });
    await app.start();
    started.push(app);
    expect(() => app.updateSettings({ timeout: 8000 })).toThrow(/HOOKWORK_ERR_INVALID_SETTINGS: .*leaseDuration/);
    expect(app.settings.timeout).toBe(1000);
  });

  it('a queue that renews leases accepts a timeout longer than the lease', async () => {
    const app = createHookwork({ transport: recordingTransport(), settings: { timeout: 8000, leaseDuration: 2000 } });
    await app.start();
    started.push(app);
    expect(app.settings).toMatchObject({ timeout: 8000, leaseDuration: 2000 });
  });
});
