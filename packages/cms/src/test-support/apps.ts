// Test support: apps created through `testApp` are stopped after each test, even when an
// assertion failed half-way, so no dispatcher timer keeps jest alive.
import { createHookwork, type Composer, type Hookwork, type HookworkOptions } from '@hookwork/core';
import { capturingStorage, recordingTransport, type CapturingStorage } from '@hookwork/core/testing';

const running: Hookwork[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
});

/** An app on the in-memory storage, recording what it enqueues; nothing leaves the process. */
export function testApp(composers: Composer[], options: Omit<HookworkOptions, 'composers' | 'storage'> = {}): { app: Hookwork; storage: CapturingStorage } {
  const storage = capturingStorage();
  const app = createHookwork({ transport: recordingTransport(), ...options, composers, storage });
  running.push(app);
  return { app, storage };
}

/** A composer from a function, as an app would write it. */
export const composer = (compose: Composer['compose'], name = 'app'): Composer => ({ name, compose });
