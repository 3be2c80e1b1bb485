import { createReceiver, DEFAULT_RETRY_AFTER_SECONDS, type AnyReceiver } from '../receiver';
import { memoryDedupeStore } from '../dedupe/memory-dedupe-store';
import { post } from '../test-support/post';
import { closeServers, everyAdapter } from '../test-support/serve';
import { newSecret, signedRequest } from '../test-support/signed-request';

// Every 503 a receiver answers carries Retry-After (RFC 9110 §10.2.3), through every adapter, over
// real HTTP on 127.0.0.1: a sender that honours it (hookwork holds the webhook until then) backs
// off instead of retrying on its own schedule into the same busy or full receiver.

/** Every gate a test made, opened after it: a test that fails before its open() must not leave a handler waiting. */
const gates: (() => void)[] = [];

afterEach(async () => {
  for (const open of gates.splice(0)) open();
  await closeServers();
});

const secret = newSecret();

/** A receiver whose handler waits for `open()` on the first request, so a retry meanwhile is in-progress. */
function slowReceiver(options: { retryAfterSeconds?: number; maxEntries?: number } = {}) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  gates.push(open);
  let started = false;
  const receiver = createReceiver({
    secrets: secret,
    ...(options.retryAfterSeconds !== undefined ? { retryAfterSeconds: options.retryAfterSeconds } : {}),
    ...(options.maxEntries !== undefined ? { dedupe: { store: memoryDedupeStore({ maxEntries: options.maxEntries }) } } : {}),
    onError: () => {},
    handle: async () => {
      started = true;
      await gate;
    },
  });
  const running = async () => {
    while (!started) await new Promise((resolve) => setImmediate(resolve));
  };
  return { receiver: receiver as AnyReceiver, open, running };
}

describe.each(everyAdapter)('Retry-After on a 503, through %s', (_name, serve) => {
  it('answers a delivery of an id being handled 503 in-progress with Retry-After (default 5 s)', async () => {
    const { receiver, open, running } = slowReceiver();
    const url = await serve(receiver);
    const request = signedRequest({ secrets: [secret] });
    const first = post(url, request);
    first.catch(() => {});
    await running();
    const retry = await post(url, signedRequest({ secrets: [secret], id: request.id, retryCount: 1 }));
    expect(retry).toMatchObject({ status: 503, body: { outcome: 'in-progress', id: request.id } });
    expect(retry.headers['retry-after']).toBe(String(DEFAULT_RETRY_AFTER_SECONDS));
    open();
    const done = await first;
    expect(done.status).toBe(200);
    // Only a 503 asks the sender to wait.
    expect(done.headers['retry-after']).toBeUndefined();
  });

  it('sends the configured retryAfterSeconds, also when the memory dedupe store is full (503 RECEIVER_ERR_DEDUPE_STORE_FULL)', async () => {
    const { receiver, open, running } = slowReceiver({ retryAfterSeconds: 7, maxEntries: 1 });
    const url = await serve(receiver);
    const first = post(url, signedRequest({ secrets: [secret] }));
    first.catch(() => {});
    await running();
    const other = await post(url, signedRequest({ secrets: [secret] }));
    expect(other).toMatchObject({ status: 503, body: { outcome: 'failed', error: { code: 'RECEIVER_ERR_DEDUPE_STORE_FULL' } } });
    expect(other.headers['retry-after']).toBe('7');
    open();
    expect((await first).status).toBe(200);
  });
});

describe('retryAfterSeconds', () => {
  it('refuses a value that is no whole number of seconds from 1 to a day, naming it', () => {
    for (const retryAfterSeconds of [0, -1, 1.5, 86_401, Number.NaN, '30']) {
      expect(() => createReceiver({ secrets: secret, handle: async () => {}, retryAfterSeconds: retryAfterSeconds as number })).toThrow(
        expect.objectContaining({ code: 'RECEIVER_ERR_INVALID_OPTIONS', message: expect.stringContaining('retryAfterSeconds is') }),
      );
    }
  });

  it('is on the answer receiver.handle() gives, for a flow of your own', async () => {
    const { receiver, open, running } = slowReceiver({ retryAfterSeconds: 12 });
    // What an adapter adds to a 503 its framework answers by itself (Fastify's, while closing).
    expect(receiver.retryAfterSeconds).toBe(12);
    expect(slowReceiver().receiver.retryAfterSeconds).toBe(DEFAULT_RETRY_AFTER_SECONDS);
    const request = signedRequest({ secrets: [secret] });
    const first = receiver.handle(request);
    await running();
    expect(await receiver.handle(request)).toMatchObject({ status: 503, outcome: 'in-progress', headers: { 'retry-after': '12' } });
    open();
    expect((await first).headers['retry-after']).toBeUndefined();
  });
});
