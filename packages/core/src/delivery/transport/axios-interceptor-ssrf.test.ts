import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { LookupFunction } from 'node:net';
import type { AxiosInstance } from 'axios';
import { createHookwork } from '../../composition/create-hookwork';
import type { Hookwork } from '../../composition/hookwork-app';
import { startTestReceiver, type TestReceiver } from '../../testing/test-receiver';
import { ThingHappened, thingComposer } from '../../testing/thing-event';

/**
 * Whatever a host's axios interceptor does to a request (docs/transport.md), the connection is
 * judged by the SSRF guard where it is made: a URL rewritten to an IP literal, a proxy, a Unix
 * socket, an agent with its own lookup, another adapter. The webhook's URL names
 * `receiver.test`, which the ssrf.allow setting allows by name (the resolver answers 127.0.0.1);
 * 127.0.0.1 itself is not allowed. Real HTTP on 127.0.0.1.
 */

let app: Hookwork | undefined;
let receiver: TestReceiver | undefined;
const closers: (() => unknown)[] = [];

afterEach(async () => {
  await app?.stop();
  await receiver?.close();
  for (const close of closers.splice(0)) await close();
  app = undefined;
  receiver = undefined;
});

/** Delivers one event to `http://receiver.test:<port>/hook` through an axios instance the host configured; the log, oldest first. */
async function deliverOnce(configureAxios: (instance: AxiosInstance, port: number) => void, retries: { maximumRetries: number; retrySchedule?: number[] } = { maximumRetries: 0 }) {
  receiver = await startTestReceiver();
  const port = receiver.port;
  app = createHookwork({
    composers: [thingComposer],
    transport: 'axios',
    delivery: { configureAxios: (instance) => configureAxios(instance, port), resolver: async () => [{ address: '127.0.0.1', family: 4 }] },
    settings: { ssrf: { allowInternal: false, allow: ['receiver.test'] }, ...retries, retryJitter: 0, timeout: 2_000, stopTimeout: 2_000 },
  });
  await app.start();
  const webhook = await app.webhooks.create({ url: `http://receiver.test:${port}/hook`, events: ['thing.happened'] });
  await app.publish(new ThingHappened('s1'));
  await app.drain();
  return (await app.logs(webhook.key, { limit: 100 })).items.reverse();
}

/** A lookup that answers every name with 127.0.0.1, in both shapes Node asks for. */
const toLoopback: LookupFunction = (_hostname, options, callback) => {
  if (typeof options === 'object' && options?.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

describe("the SSRF guard under a host's axios interceptors", () => {
  it('delivers to the allowed name when no interceptor changes the target (the control)', async () => {
    const log = await deliverOnce(() => undefined);
    expect(log.map((e) => [e.outcome, e.statusCode])).toEqual([['delivered', 200]]);
  });

  it.each([
    ['rewrites the URL to an IP literal', (instance: AxiosInstance, port: number) => instance.interceptors.request.use((config) => ({ ...config, url: `http://127.0.0.1:${port}/hook` }))],
    ['sends through a proxy at an internal address', (instance: AxiosInstance, port: number) => instance.interceptors.request.use((config) => ({ ...config, proxy: { protocol: 'http', host: '127.0.0.1', port } }))],
    // internal.test is not allowed by name: the guard's lookup would refuse it.
    ['rewrites the URL to another name and gives an agent with its own lookup', (instance: AxiosInstance, port: number) => instance.interceptors.request.use((config) => ({ ...config, url: `http://internal.test:${port}/hook`, httpAgent: new http.Agent({ lookup: toLoopback }) }))],
    ['rewrites the URL to another name and gives a lookup of its own, and an agent without one', (instance: AxiosInstance, port: number) => instance.interceptors.request.use((config) => ({ ...config, url: `http://internal.test:${port}/hook`, httpAgent: new http.Agent(), lookup: toLoopback as never }))],
    ['sends with the fetch adapter', (instance: AxiosInstance, port: number) => instance.interceptors.request.use((config) => ({ ...config, adapter: 'fetch', url: `http://127.0.0.1:${port}/hook` }))],
    ['asks for HTTP/2', (instance: AxiosInstance, port: number) => instance.interceptors.request.use((config) => ({ ...config, httpVersion: 2, url: `http://127.0.0.1:${port}/hook` }))],
    // Registered synchronous, as the transport's own guard is: axios then runs the whole chain in the caller's turn.
    ['(synchronous) rewrites the URL to an IP literal', (instance: AxiosInstance, port: number) => instance.interceptors.request.use((config) => ({ ...config, url: `http://127.0.0.1:${port}/hook` }), undefined, { synchronous: true })],
    ['(synchronous) sends with the fetch adapter', (instance: AxiosInstance, port: number) => instance.interceptors.request.use((config) => ({ ...config, adapter: 'fetch', url: `http://127.0.0.1:${port}/hook` }), undefined, { synchronous: true })],
  ])('refuses a request whose interceptor %s, and nothing reaches the receiver', async (_case, configure) => {
    const log = await deliverOnce(configure);
    expect(log.map((e) => [e.outcome, e.errorKind])).toEqual([['dead', 'ssrf']]);
    expect(log[0]!.errorMessage).toMatch(/^HOOKWORK_ERR_SSRF_BLOCKED: delivery (to 127\.0\.0\.1|to internal\.test \(127\.0\.0\.1\)|was refused)/);
    expect(receiver!.requests).toEqual([]);
  });

  it('refuses a request an interceptor sends to a Unix socket', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookwork-ssrf-'));
    const socketPath = path.join(dir, 'receiver.sock');
    const arrived: string[] = [];
    const local = http.createServer((request, response) => {
      arrived.push(request.url ?? '');
      response.end('ok');
    });
    await new Promise<void>((resolve) => local.listen(socketPath, resolve));
    closers.push(() => new Promise((resolve) => local.close(resolve)), () => fs.rmSync(dir, { recursive: true, force: true }));
    const log = await deliverOnce((instance) => instance.interceptors.request.use((config) => ({ ...config, socketPath })));
    expect(log.map((e) => [e.outcome, e.errorKind])).toEqual([['dead', 'ssrf']]);
    expect(log[0]!.errorMessage).toContain(`delivery through the Unix socket ${socketPath} was refused`);
    expect(arrived).toEqual([]);
  });

  /** A forward proxy on 127.0.0.1 that answers 200 to whatever reaches it, and records it. */
  async function startProxy(): Promise<{ url: string; arrived: string[] }> {
    const arrived: string[] = [];
    const proxy = http.createServer((request, response) => {
      arrived.push(`${request.method} ${request.url}`);
      request.resume();
      response.end('proxied');
    });
    proxy.on('connect', (request, socket) => {
      arrived.push(`CONNECT ${request.url}`);
      socket.destroy();
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => proxy.close(resolve)));
    return { url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`, arrived };
  }

  describe('with a proxy named in the environment', () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const name of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY']) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    });

    it.each(['http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY'])('delivers direct, never through the proxy %s names', async (variable) => {
      const proxy = await startProxy();
      process.env[variable] = proxy.url;
      const log = await deliverOnce(() => undefined);
      expect(log.map((e) => [e.outcome, e.statusCode])).toEqual([['delivered', 200]]);
      expect(receiver!.requests).toHaveLength(1);
      expect(proxy.arrived).toEqual([]);
    });

    it('delivers direct when the proxy variable appears only after the first request (the check is made per request)', async () => {
      const proxy = await startProxy();
      const log = await deliverOnce(() => undefined);
      process.env.HTTP_PROXY = proxy.url;
      await app!.publish(new ThingHappened('s2'));
      await app!.drain();
      expect(log.map((e) => e.outcome)).toEqual(['delivered']);
      expect(receiver!.requests).toHaveLength(2);
      expect(proxy.arrived).toEqual([]);
    });

    it('refuses a request axios would send through a proxy hookwork did not see, and sends direct from then on', async () => {
      const proxy = await startProxy();
      // axios runs transformRequest after every interceptor, and the error interceptor after the
      // attempt: the variable is there only while axios connects, as one hookwork does not check
      // would be at all times.
      const log = await deliverOnce(
        (instance) => {
          instance.defaults.transformRequest = [
            (data: unknown) => {
              process.env.HTTP_PROXY = proxy.url;
              return data;
            },
          ];
          instance.interceptors.response.use(undefined, (error: unknown) => {
            delete process.env.HTTP_PROXY;
            throw error;
          });
        },
        { maximumRetries: 1, retrySchedule: [50] },
      );
      expect(log.map((e) => [e.outcome, e.errorKind ?? null])).toEqual([
        ['retrying', 'other'],
        ['delivered', null],
      ]);
      expect(log[0]!.errorMessage).toContain("axios found a proxy in the environment after hookwork had left the request's proxy unset");
      expect(receiver!.requests).toHaveLength(1);
      expect(proxy.arrived).toEqual([]);
    });

    it('sends through a proxy an interceptor sets, judged by the guard (an internal proxy refused)', async () => {
      const proxy = await startProxy();
      const port = Number(new URL(proxy.url).port);
      const log = await deliverOnce((instance) => instance.interceptors.request.use((config) => ({ ...config, proxy: { protocol: 'http', host: '127.0.0.1', port } })));
      expect(log.map((e) => [e.outcome, e.errorKind])).toEqual([['dead', 'ssrf']]);
      expect(proxy.arrived).toEqual([]);
    });
  });

  it("does not take the answer of a request sent past hookwork's connection (its own interceptor removed)", async () => {
    const log = await deliverOnce((instance, port) => {
      instance.interceptors.request.clear();
      instance.interceptors.request.use((config) => ({ ...config, adapter: 'fetch', url: `http://127.0.0.1:${port}/hook` }));
    });
    expect(log.map((e) => [e.outcome, e.errorKind])).toEqual([['dead', 'ssrf']]);
    expect(log[0]!.errorMessage).toMatch(/^HOOKWORK_ERR_SSRF_BLOCKED: delivery was refused: the response did not come through its guarded connection/);
  });
});
