import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { isHookworkError, type HookworkError } from '../../errors/hookwork-error';
import { resolveSettings } from '../../settings/resolve-settings';
import { TEST_RECEIVER_CERT, TEST_RECEIVER_KEY } from '../../testing/test-certificate';
import type { Transport } from '../../ports/transport';
import { createHttpTransport, type HttpTransportOptions } from './http-transport';
import { createUndiciTransport } from './undici-transport';

/**
 * createHttpTransport() and createUndiciTransport(), exported for third parties, read their options
 * once, through readOrRefuse, as createHookwork() does: a getter or Proxy trap that throws is a coded
 * refusal naming the option, and a getter answering differently on a later read changes nothing the
 * transport does. Real HTTP and HTTPS on 127.0.0.1.
 */
const FACTORIES: ReadonlyArray<[string, (options: HttpTransportOptions) => Transport]> = [
  ['createHttpTransport()', createHttpTransport],
  ['createUndiciTransport()', createUndiciTransport],
];

const allowLocal = () => ({ current: resolveSettings({ ssrf: { allowInternal: false, allow: ['127.0.0.1'] } }) });

let plain: http.Server;
let secure: https.Server;
let plainUrl: string;
let secureUrl: string;
beforeAll(async () => {
  const answer = (request: http.IncomingMessage, response: http.ServerResponse) => {
    request.resume();
    request.on('end', () => response.end('ok'));
  };
  plain = http.createServer(answer);
  secure = https.createServer({ cert: TEST_RECEIVER_CERT, key: TEST_RECEIVER_KEY }, answer);
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
  plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/hook`;
  secureUrl = `https://127.0.0.1:${(secure.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  plain.closeAllConnections();
  secure.closeAllConnections();
  await new Promise((resolve) => plain.close(resolve));
  await new Promise((resolve) => secure.close(resolve));
});

/** The status `transport` got for one POST to `url`, or its error. */
async function statusOf(transport: Transport, url: string): Promise<number | string> {
  const result = await transport.send({ url, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') }, { timeoutMs: 10_000, maxResponseBodyBytes: 1024 });
  return result.ok ? result.response.statusCode : `${result.errorKind}: ${result.message}`;
}

/** What `make()` threw, which must be a HookworkError. */
function refusalOf(make: () => unknown): HookworkError {
  try {
    make();
  } catch (error) {
    if (isHookworkError(error)) return error;
    throw error;
  }
  throw new Error('the options were not refused');
}

describe.each(FACTORIES)('%s reads its options once', (call, create) => {
  it('refuses an option whose getter throws with HOOKWORK_ERR_INVALID_OPTIONS naming it, down to tls.ca', () => {
    const byGetter = refusalOf(() =>
      create({
        settings: allowLocal(),
        get maxSockets(): number {
          throw new Error('no pool size today');
        },
      }),
    );
    expect([byGetter.code, byGetter.message, byGetter.details]).toEqual([
      'HOOKWORK_ERR_INVALID_OPTIONS',
      `HOOKWORK_ERR_INVALID_OPTIONS: ${call} was given bad options: maxSockets could not be read: its getter threw (no pool size today); give a plain value (an object literal, not one with getters or a Proxy)`,
      [{ key: 'maxSockets', problem: expect.stringContaining('its getter threw') }],
    ]);
    const byCa = refusalOf(() =>
      create({
        settings: allowLocal(),
        tls: {
          get ca(): string {
            throw new Error('vault sealed');
          },
        },
      }),
    );
    expect([byCa.code, byCa.message]).toEqual(['HOOKWORK_ERR_INVALID_OPTIONS', expect.stringContaining(`${call} was given bad options: tls.ca could not be read: its getter threw (vault sealed)`)]);
    const byEntry = refusalOf(() => create({ settings: allowLocal(), tls: { ca: new Proxy([TEST_RECEIVER_CERT, TEST_RECEIVER_CERT], { get: (target, key) => (key === '1' ? (() => { throw new Error('second CA gone'); })() : Reflect.get(target, key)) }) } }));
    expect(byEntry.message).toContain(`${call} was given bad options: tls.ca[1] could not be read: its getter threw (second CA gone)`);
  });

  it('refuses options behind a Proxy whose trap throws, naming the option; a Proxy that answers is read like an object', async () => {
    const trapped = refusalOf(() =>
      create(
        new Proxy({ settings: allowLocal(), tls: { ca: TEST_RECEIVER_CERT } }, {
          get: (target, key) => {
            if (key === 'tls') throw new Error('trap sprung');
            return Reflect.get(target, key);
          },
        }),
      ),
    );
    expect([trapped.code, trapped.details]).toEqual(['HOOKWORK_ERR_INVALID_OPTIONS', [{ key: 'tls', problem: expect.stringContaining('its getter threw (trap sprung)') }]]);
    const listing = refusalOf(() => create(new Proxy({ settings: allowLocal() }, { ownKeys: () => { throw new Error('no keys'); } })));
    expect([listing.code, listing.message]).toEqual(['HOOKWORK_ERR_INVALID_OPTIONS', expect.stringContaining(`${call} was given bad options: the options could not be read: listing its keys threw (no keys)`)]);

    const transport = create(new Proxy({ settings: allowLocal(), tls: { ca: TEST_RECEIVER_CERT } }, {}));
    try {
      expect(await statusOf(transport, secureUrl)).toBe(200);
    } finally {
      await transport.close();
    }
  });

  it('uses what it read first when a getter answers differently later: the TLS CA, the pool size', async () => {
    const reads = { ca: 0, maxSockets: 0 };
    const settings = allowLocal();
    const transport = create({
      settings,
      get maxSockets(): number {
        return ++reads.maxSockets === 1 ? 4 : Number.NaN;
      },
      tls: {
        // The receiver's CA at the first read, something that is no certificate after.
        get ca(): string {
          return ++reads.ca === 1 ? TEST_RECEIVER_CERT : 'not a certificate';
        },
      },
    });
    try {
      expect(await statusOf(transport, secureUrl)).toBe(200);
      expect(await statusOf(transport, plainUrl)).toBe(200);
      // A narrower ssrf setting: the undici transport makes a new agent, with the pool size read at first.
      settings.current = resolveSettings({ ssrf: { allowInternal: false, allow: [`127.0.0.1:${(secure.address() as AddressInfo).port}`] } });
      expect(await statusOf(transport, secureUrl)).toBe(200);
      expect(reads).toEqual({ ca: 1, maxSockets: 1 });
    } finally {
      await transport.close();
    }
  });
});

describe.each(FACTORIES)("%s's send() options", (_name, make) => {
  // A server that takes the request and never answers: the deadline ends the attempt.
  let silent: http.Server;
  let silentUrl: string;
  beforeAll(async () => {
    silent = http.createServer((request) => request.resume());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });

  /** Send options whose every read is counted. */
  const counted = (timeoutMs: number) => {
    const reads = { timeoutMs: 0, maxResponseBodyBytes: 0, signal: 0 };
    const signal = new AbortController().signal;
    const options = {
      get timeoutMs() {
        reads.timeoutMs++;
        return timeoutMs;
      },
      get maxResponseBodyBytes() {
        reads.maxResponseBodyBytes++;
        return 1024;
      },
      get signal() {
        reads.signal++;
        return signal;
      },
    };
    return { reads, options };
  };

  it('are read once per send, answered or timed out', async () => {
    const transport = make({ settings: allowLocal() });
    try {
      const answered = counted(10_000);
      const result = await transport.send({ url: plainUrl, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') }, answered.options);
      expect(result.ok && result.response.statusCode).toBe(200);
      // Before: the axios transport read timeoutMs twice for its deadline.
      expect(answered.reads).toEqual({ timeoutMs: 1, maxResponseBodyBytes: 1, signal: 1 });
      const timedOut = counted(50);
      const late = await transport.send({ url: silentUrl, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') }, timedOut.options);
      expect(late.ok ? 'answered' : late.errorKind).toBe('timeout');
      // Before: the undici transport read timeoutMs again when its deadline passed, for the message.
      expect(timedOut.reads).toEqual({ timeoutMs: 1, maxResponseBodyBytes: 1, signal: 1 });
    } finally {
      await transport.close();
    }
  });
});
