import { execFileSync } from 'node:child_process';
import { createHookwork, type HookworkOptions } from '../../composition/create-hookwork';
import type { Hookwork } from '../../composition/hookwork-app';
import { TransportToken } from '../../ports/transport';
import { resolveToken } from '../../runtime/tokens';
import { recordingTransport } from '../../testing/recording-transport';
import { startTestReceiver, type TestReceiver } from '../../testing/test-receiver';
import { startTestApp, ThingHappened } from '../../test-support/test-app';
import type { TransportContext } from './transport-choice';

describe('choosing the transport with createHookwork({ transport })', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;

  beforeEach(async () => {
    receiver = await startTestReceiver();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver.close();
  });

  const refusal = (options: unknown) => {
    try {
      createHookwork(options as HookworkOptions);
    } catch (error) {
      return error as { code: string; message: string; details: { key: string; problem: string }[] };
    }
    throw new Error('createHookwork accepted bad options');
  };

  it('refuses a transport name it does not know, naming the choices', () => {
    const error = refusal({ transport: 'fetch' });
    expect(error.code).toBe('HOOKWORK_ERR_INVALID_OPTIONS');
    expect(error.details).toEqual([{ key: 'transport', problem: expect.stringContaining(`must be 'axios' (the default) or 'undici'`) }]);
    expect(refusal({ transport: 'Undici' }).code).toBe('HOOKWORK_ERR_INVALID_OPTIONS');
    expect(refusal({ transport: { send() {} } }).code).toBe('HOOKWORK_ERR_INVALID_OPTIONS');
  });

  it('refuses configureAxios with a transport that is not axios, rather than ignore it', () => {
    const error = refusal({ transport: 'undici', delivery: { configureAxios: () => undefined } });
    expect(error.code).toBe('HOOKWORK_ERR_INVALID_OPTIONS');
    expect(error.message).toContain("delivery.configureAxios configures the axios transport, and transport is 'undici'; remove configureAxios or use transport: 'axios'");
    expect(() => createHookwork({ transport: 'axios', delivery: { configureAxios: () => undefined } })).not.toThrow();
  });

  it("uses undici for transport: 'undici'", async () => {
    app = await startTestApp({ transport: 'undici' });
    expect(resolveToken(app.container, TransportToken)).toHaveProperty('dispatcher');
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('u1'));
    await app.drain();
    expect(receiver.requests.map((r) => JSON.parse(r.text))).toEqual([{ id: 'u1' }]);
  });

  it('gives a transport factory the app’s settings, resolver and TLS trust, once', async () => {
    const contexts: TransportContext[] = [];
    const recorder = recordingTransport();
    const resolver = async () => [{ address: '127.0.0.1', family: 4 as const }];
    app = await startTestApp({
      transport: (context) => {
        contexts.push(context);
        return recorder;
      },
      delivery: { resolver, tls: { ca: 'PEM' } },
    });
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('f1'));
    await app.publish(new ThingHappened('f2'));
    await app.drain();
    expect(recorder.requests).toHaveLength(2);
    expect(contexts).toHaveLength(1);
    expect(contexts[0]!.settings.current.ssrf.allow).toEqual(['127.0.0.1']);
    expect(contexts[0]!.resolver).toBe(resolver);
    expect(contexts[0]!.tls).toEqual({ ca: 'PEM' });
  });

  it('sends a receiver the same request whichever built-in transport is chosen', async () => {
    const seen: Record<string, string[]> = {};
    for (const transport of ['axios', 'undici'] as const) {
      app = await startTestApp({ transport });
      await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], headers: { 'x-tenant': 'blue' }, secret: true });
      await app.publish(new ThingHappened(transport));
      await app.drain();
      await app.stop();
      app = undefined;
      seen[transport] = Object.keys(receiver.requests.at(-1)!.headers).sort();
    }
    expect(seen.undici).toEqual(seen.axios);
    expect(receiver.requests.map((r) => [r.method, r.path, r.headers['accept'], r.headers['accept-encoding']])).toEqual([
      ['POST', '/hook', receiver.requests[0]!.headers['accept'], receiver.requests[0]!.headers['accept-encoding']],
      ['POST', '/hook', receiver.requests[0]!.headers['accept'], receiver.requests[0]!.headers['accept-encoding']],
    ]);
  });
});

describe('loading undici', () => {
  // A child process of its own: jest's module registry is not Node's.
  const loaded = (script: string) => {
    const out = execFileSync(process.execPath, ['-e', `${script};console.log(JSON.stringify(Object.keys(require.cache).filter((k) => /node_modules[\\\\/]undici[\\\\/]/.test(k)).length))`], { cwd: __dirname, encoding: 'utf8' });
    return Number(out.trim());
  };

  it('happens when an undici transport is made, not when core is loaded (an app on axios never loads it)', () => {
    expect(loaded(`require('reflect-metadata'); require('@hookwork/core')`)).toBe(0);
    expect(loaded(`require('reflect-metadata'); const core = require('@hookwork/core'); core.createUndiciTransport({ settings: { current: core.resolveSettings({}) } }).close()`)).toBeGreaterThan(0);
  });
});
