import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { AxiosError, AxiosInstance, InternalAxiosRequestConfig } from 'axios';
import { createHookwork, type HookworkOptions } from '../../composition/create-hookwork';
import type { Hookwork } from '../../composition/hookwork-app';
import { startRawReceiver, type RawReceiver } from '../../testing/raw-receiver';
import { TEST_RECEIVER_CERT, TEST_RECEIVER_KEY } from '../../testing/test-certificate';
import { startTestReceiver, type TestReceiver } from '../../testing/test-receiver';
import { ThingHappened, thingComposer } from '../../testing/thing-event';
import { REDACTED } from '../../model/webhook';

/**
 * What a host does with `delivery.configureAxios` (docs/transport.md: "interceptors, defaults")
 * keeps working on the axios transport: a request interceptor's header goes out and is logged, a
 * retrying response interceptor (the way axios-retry works: `instance.request(error.config)`)
 * makes a second request under the same attempt and its answer decides it, and the host's own
 * `defaults.timeout` stops an attempt as a timeout. Real HTTP on 127.0.0.1.
 */

let app: Hookwork | undefined;
/** An https receiver on the test certificate (only its URL and close are used). */
interface HttpsReceiver {
  readonly https: true;
  readonly url: string;
  close(): Promise<void>;
}

let receiver: TestReceiver | RawReceiver | HttpsReceiver | undefined;

/** Starts an https receiver on 127.0.0.1 with the test certificate; `onBody` sees each request body. */
async function startHttpsReceiver(onBody: (body: string) => void = () => undefined): Promise<HttpsReceiver> {
  const server = https.createServer({ cert: TEST_RECEIVER_CERT, key: TEST_RECEIVER_KEY }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      onBody(body);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    https: true,
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

afterEach(async () => {
  await app?.stop();
  await receiver?.close();
  app = undefined;
  receiver = undefined;
});

/** An interceptor that sends a failed request once more, the way axios-retry does. */
function retryOnce(instance: AxiosInstance, seen: string[] = []): void {
  instance.interceptors.response.use(undefined, (error: AxiosError) => {
    const config = error.config as (InternalAxiosRequestConfig & { hostRetried?: boolean }) | undefined;
    seen.push(error.code ?? 'no code');
    if (!config || config.hostRetried) throw error;
    config.hostRetried = true;
    return instance.request(config);
  });
}

/** Starts an app on the axios transport configured by `configureAxios`, publishes (once by default), drains; the webhook's log, oldest first. */
async function deliverOnce(configureAxios: NonNullable<HookworkOptions['delivery']>['configureAxios'], settings: { timeout?: number } = {}, publishes = 1, loggedHeaders?: string[]) {
  app = createHookwork({
    composers: [thingComposer],
    transport: 'axios',
    delivery: { configureAxios, ...(loggedHeaders ? { loggedHeaders } : {}) },
    settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, maximumRetries: 0, timeout: 2_000, stopTimeout: 2_000, ...settings },
  });
  await app.start();
  const webhook = await app.webhooks.create({ url: receiver!.url, events: ['thing.happened'] });
  for (let i = 1; i <= publishes; i++) await app.publish(new ThingHappened(`h${i}`));
  await app.drain();
  return (await app.logs(webhook.key, { limit: 100 })).items.reverse();
}

describe("a host's axios configuration (delivery.configureAxios)", () => {
  it("sends a request interceptor's headers and logs them, their values redacted unless the host lists them in loggedHeaders", async () => {
    receiver = await startTestReceiver();
    const log = await deliverOnce(
      (instance) => {
        instance.defaults.headers.common['X-Default-Key'] = 'd3fault-key';
        instance.interceptors.request.use((config) => {
          config.headers.set('x-host-trace', 'trace-42');
          config.headers.set('x-api-key', 'k3y-from-interceptor');
          return config;
        });
      },
      {},
      1,
      ['X-Host-Trace'],
    );
    expect(receiver.requests.map((r) => [r.headers['x-host-trace'], r.headers['x-api-key'], r.headers['x-default-key']])).toEqual([['trace-42', 'k3y-from-interceptor', 'd3fault-key']]);
    expect(log.map((e) => [e.outcome, e.statusCode])).toEqual([['delivered', 200]]);
    expect(log[0]!.requestHeaders).toMatchObject({ 'x-host-trace': 'trace-42', 'x-api-key': REDACTED, 'x-default-key': REDACTED, 'hookwork-event': 'thing.happened', accept: expect.any(String) });
    expect(JSON.stringify(log)).not.toMatch(/k3y-from-interceptor|d3fault-key/);
  });

  it('lets a retrying response interceptor (axios-retry style) send again within the attempt; the second answer decides it', async () => {
    // The first connection is reset before any answer; the second request is answered 200.
    receiver = await startTestReceiver((_request, response, index) => {
      if (index === 0) response.socket?.destroy();
      else response.end('second');
    });
    const seen: string[] = [];
    const log = await deliverOnce((instance) => retryOnce(instance, seen));
    expect(seen).toEqual(['ECONNRESET']);
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1]!.headers['webhook-id']).toBe(receiver.requests[0]!.headers['webhook-id']);
    expect(log.map((e) => [e.outcome, e.statusCode, e.responseBody])).toEqual([['delivered', 200, 'second']]);
  });

  it.each([
    ['received in full (drained, the connection reused)', 'busy'],
    ['still arriving (dropped with its connection)', 'x'.repeat(4 * 1024 * 1024)],
  ])('frees the connection of a response a success interceptor retried past without reading it: a body %s', async (_case, busyBody) => {
    // hookwork accepts every status (the verdict is its own), so a host retrying a 503 does it in a
    // success interceptor, and the 503's body is never read.
    // Each request is answered 503 the first time its webhook-id arrives, 200 the second.
    const seen = new Set<unknown>();
    receiver = await startTestReceiver((request, response) => {
      const first = !seen.has(request.headers['webhook-id']);
      seen.add(request.headers['webhook-id']);
      response.writeHead(first ? 503 : 200).end(first ? busyBody : 'ok');
    });
    let agent: http.Agent | undefined;
    const log = await deliverOnce((instance) => {
      agent = instance.defaults.httpAgent as http.Agent;
      instance.interceptors.response.use((response) => {
        const config = response.config as InternalAxiosRequestConfig & { hostRetried?: boolean };
        if (response.status !== 503 || config.hostRetried) return response;
        config.hostRetried = true;
        return instance.request(config);
      });
    }, {}, 10);
    expect(log.map((e) => e.statusCode)).toEqual(Array(10).fill(200));
    // Every socket is back in the pool or closed: none is held by an unread 503.
    const inUse = Object.values(agent!.sockets).reduce((n, sockets) => n + (sockets?.length ?? 0), 0);
    expect(inUse).toBe(0);
  });

  it("names the retried request's own body failure, not the first request's reset", async () => {
    // First connection: reset. Second: a 200 whose body stops at 2 of its 10 bytes.
    receiver = await startRawReceiver((socket, index) => {
      if (index === 0) socket.resetAndDestroy();
      else socket.end('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nok');
    });
    const log = await deliverOnce((instance) => retryOnce(instance));
    expect(receiver.arrivals).toBe(2);
    expect(log.map((e) => [e.outcome, e.statusCode, e.responseBody])).toEqual([['delivered', 200, 'ok']]);
    expect(log[0]!.errorMessage).toBe('response body: the connection closed before the body ended (2 bytes read)');
  });

  it("stops an attempt at the host's shorter defaults.timeout, as a timeout", async () => {
    // The receiver never answers; the app's own deadline (10 s) is far off: only the host's 100 ms can end the attempt.
    receiver = await startTestReceiver(() => undefined);
    const log = await deliverOnce(
      (instance) => {
        instance.defaults.timeout = 100;
      },
      { timeout: 10_000 },
    );
    expect(log.map((e) => [e.outcome, e.errorKind])).toEqual([['dead', 'timeout']]);
    expect(log[0]!.errorMessage).toContain('timeout of 100ms exceeded');
  });

  it('sends the default headers a host sets for all methods and for POST, and keeps a group it filled for another method', async () => {
    receiver = await startTestReceiver();
    let instance: AxiosInstance | undefined;
    const log = await deliverOnce((axios) => {
      instance = axios;
      axios.defaults.headers.common['x-tenant'] = 'acme';
      axios.defaults.headers.post['x-route'] = 'webhooks';
      axios.defaults.headers.put['x-unused'] = 'kept';
    });
    expect(log.map((e) => e.outcome)).toEqual(['delivered']);
    const sent = (receiver as TestReceiver).requests[0]!.headers;
    expect([sent['x-tenant'], sent['x-route'], sent['x-unused']]).toEqual(['acme', 'webhooks', undefined]);
    // The empty groups of the other methods are dropped (axios copied each at every request); the filled one stays.
    const groups = instance!.defaults.headers as unknown as Record<string, unknown>;
    expect(Object.keys(groups).sort()).toEqual(['common', 'post', 'put']);
  });

  it("shows an error interceptor hookwork's own deadline as the AxiosError's cause", async () => {
    receiver = await startTestReceiver(() => undefined);
    const causes: unknown[] = [];
    const log = await deliverOnce(
      (instance) => {
        instance.interceptors.response.use(undefined, (error: AxiosError) => {
          causes.push((error.cause as Error | undefined)?.message);
          throw error;
        });
      },
      { timeout: 300 },
    );
    expect(causes).toEqual(['no complete response within 300 ms (the timeout setting)']);
    expect(log.map((e) => [e.outcome, e.errorKind, e.errorMessage])).toEqual([['dead', 'timeout', 'no complete response within 300 ms (the timeout setting)']]);
  });

  it("refuses an https request whose agent, an interceptor's, turns certificate verification off: nothing is sent", async () => {
    // Node merges an agent's options over the request's, so the agent's rejectUnauthorized: false
    // won over the true hookwork sets on each request, and the self-signed receiver got the delivery.
    const bodies: string[] = [];
    receiver = await startHttpsReceiver((body) => bodies.push(body));
    const log = await deliverOnce((instance) => {
      instance.interceptors.request.use((config) => {
        config.httpsAgent = new https.Agent({ rejectUnauthorized: false });
        return config;
      });
    });
    expect(bodies).toEqual([]);
    expect(log.map((e) => [e.outcome, e.errorKind])).toEqual([['dead', 'tls']]);
    expect(log[0]!.errorMessage).toBe(
      "not sent: the https agent an axios interceptor gave the request sets rejectUnauthorized to false, which turns certificate verification off, and hookwork always verifies; trust the receiver's CA with delivery.tls.ca (or the agent's ca option) instead of turning verification off",
    );
  });

  it("delivers through an interceptor's https agent that trusts the receiver's CA: verification on, with the host's own trust", async () => {
    receiver = await startHttpsReceiver();
    const log = await deliverOnce((instance) => {
      instance.interceptors.request.use((config) => {
        config.httpsAgent = new https.Agent({ ca: TEST_RECEIVER_CERT });
        return config;
      });
    });
    expect(log.map((e) => [e.outcome, e.statusCode])).toEqual([['delivered', 200]]);
  });
});
