import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { createReceiver, DEFAULT_RETRY_AFTER_SECONDS, type ReceiverAnswer } from '../receiver';
import { ReceiverError } from '../errors/receiver-error';
import type { DedupeStore } from './dedupe-store';
import { isStoreUnavailable } from './store-unavailable';
import { memoryDedupeStore } from './memory-dedupe-store';
import { post } from '../test-support/post';
import { closeServers, everyAdapter } from '../test-support/serve';
import { newSecret, signedRequest } from '../test-support/signed-request';

// A dedupe store whose backend is down is an outage, not a bug: the receiver answers 503 with
// Retry-After (RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE) so the sender backs off and succeeds once the
// backend is back, through every adapter, over real HTTP on 127.0.0.1. A store that fails in its
// own code is still 500 RECEIVER_ERR_DEDUPE_STORE, to be fixed.

afterEach(async () => {
  await closeServers();
});

const secret = newSecret();

/** A port of 127.0.0.1 nothing listens on: taken, then let go. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A store whose claim() talks to its backend at `port` over TCP, as a Redis or SQL client does: with the backend down, the connection is refused. */
function networkStore(port: number): DedupeStore {
  const reach = () =>
    new Promise<never>((_resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', reject);
      socket.on('connect', () => (socket.destroy(), reject(new Error('this test expects the backend to be down'))));
    });
  return { claim: reach, complete: reach, release: reach };
}

function receiverWith(store: DedupeStore, retryAfterSeconds?: number) {
  let handled = 0;
  const told: { error: unknown; answer: ReceiverAnswer }[] = [];
  const receiver = createReceiver({
    secrets: secret,
    dedupe: { store },
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    onError: (error, answer) => void told.push({ error, answer }),
    handle: async () => void handled++,
  });
  return { receiver, told, handled: () => handled };
}

describe.each(everyAdapter)('a dedupe store that fails, through %s', (_name, serve) => {
  it('whose backend refuses connections (down) is answered 503 RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE with Retry-After, and nothing is handled', async () => {
    const { receiver, told, handled } = receiverWith(networkStore(await closedPort()));
    const url = await serve(receiver);
    const request = signedRequest({ secrets: [secret] });
    const answered = await post(url, request);
    expect(answered).toMatchObject({ status: 503, body: { outcome: 'failed', id: request.id, error: { code: 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE' } } });
    expect(answered.headers['retry-after']).toBe(String(DEFAULT_RETRY_AFTER_SECONDS));
    // The sender sees the code only: the store's address stays the receiver's business.
    expect(answered.body.error).toEqual({ code: 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE' });
    expect(handled()).toBe(0);
    expect(told).toHaveLength(1);
    expect((told[0]!.error as Error).message).toMatch(
      new RegExp(`^RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE: could not claim ${request.id}: the dedupe store is unavailable \\(connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+\\); answered 503 with Retry-After 5 s.*check that the store's backend is up`),
    );
    expect((told[0]!.error as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('sends the configured retryAfterSeconds with it', async () => {
    const { receiver } = receiverWith(networkStore(await closedPort()), 20);
    const answered = await post(await serve(receiver), signedRequest({ secrets: [secret] }));
    expect(answered.status).toBe(503);
    expect(answered.headers['retry-after']).toBe('20');
  });

  it('that says so itself (a ReceiverError with RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE) is answered 503 with Retry-After', async () => {
    const throttled: DedupeStore = {
      claim: async () => {
        throw new ReceiverError('RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE', 'the table is throttled');
      },
      complete: async () => {},
      release: async () => {},
    };
    const { receiver, handled } = receiverWith(throttled);
    const answered = await post(await serve(receiver), signedRequest({ secrets: [secret] }));
    expect(answered).toMatchObject({ status: 503, body: { error: { code: 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE' } } });
    expect(answered.headers['retry-after']).toBe(String(DEFAULT_RETRY_AFTER_SECONDS));
    expect(handled()).toBe(0);
  });

  it('with a fault of its own (a TypeError) is still answered 500 RECEIVER_ERR_DEDUPE_STORE, without Retry-After, saying how to tell an outage', async () => {
    const buggy: DedupeStore = {
      claim: async () => (undefined as unknown as { eval: () => never }).eval(),
      complete: async () => {},
      release: async () => {},
    };
    const { receiver, told, handled } = receiverWith(buggy);
    const answered = await post(await serve(receiver), signedRequest({ secrets: [secret] }));
    expect(answered).toMatchObject({ status: 500, body: { outcome: 'failed', error: { code: 'RECEIVER_ERR_DEDUPE_STORE' } } });
    expect(answered.headers['retry-after']).toBeUndefined();
    expect(handled()).toBe(0);
    expect((told[0]!.error as Error).message).toMatch(/no outage the kit recognises .* have it throw a ReceiverError with RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE/);
  });
});

describe.each(everyAdapter)('a dedupe store that goes down after the claim, through %s', (_name, serve) => {
  /** Claims in memory; complete() and release() reach a backend that is down. */
  async function downAfterClaim(): Promise<DedupeStore> {
    const inner = memoryDedupeStore();
    const down = networkStore(await closedPort());
    return { claim: (id, leaseMs) => inner.claim(id, leaseMs), complete: down.complete, release: down.release };
  }

  it('answers a processed event 200 and tells onError RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE when it cannot be marked done', async () => {
    const { receiver, told, handled } = receiverWith(await downAfterClaim());
    const request = signedRequest({ secrets: [secret] });
    const answered = await post(await serve(receiver), request);
    expect(answered).toMatchObject({ status: 200, body: { outcome: 'processed', id: request.id } });
    expect(handled()).toBe(1);
    expect(told.map(({ error }) => (error as ReceiverError).code)).toEqual(['RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE']);
    expect((told[0]!.error as Error).message).toMatch(/was processed but could not be marked done in the dedupe store: connect ECONNREFUSED/);
  });

  it("tells onError, when a failed handler's claim cannot be released, that the retries are answered in-progress until the lease runs out", async () => {
    const down = await downAfterClaim();
    const told: Error[] = [];
    const receiver = createReceiver({
      secrets: secret,
      dedupe: { store: down, leaseMs: 60_000 },
      onError: (error) => void told.push(error as Error),
      handle: async () => {
        throw new Error('search index down');
      },
    });
    const url = await serve(receiver);
    const request = signedRequest({ secrets: [secret] });
    expect(await post(url, request)).toMatchObject({ status: 500, body: { outcome: 'failed', error: { code: 'RECEIVER_ERR_HANDLER_FAILED' } } });
    expect(told[0]!.message).toMatch(
      /search index down; the sender will retry; its claim could not be released in the dedupe store \(connect ECONNREFUSED [^)]+\), so the sender's retries are answered 503 in-progress until the claim's lease \(60000 ms\) runs out$/,
    );
    const retry = await post(url, signedRequest({ secrets: [secret], id: request.id, retryCount: 1 }));
    expect(retry).toMatchObject({ status: 503, body: { outcome: 'in-progress' } });
    expect(retry.headers['retry-after']).toBe(String(DEFAULT_RETRY_AFTER_SECONDS));
  });
});

describe('isStoreUnavailable', () => {
  const withFields = (fields: Record<string, unknown>, message = 'failed') => Object.assign(new Error(message), fields);

  it.each([
    ['a refused connection', withFields({ code: 'ECONNREFUSED' })],
    ['a reset one', withFields({ code: 'ECONNRESET' })],
    ['a host name that does not resolve for now', withFields({ code: 'EAI_AGAIN' })],
    ["fetch's TypeError wrapping a refused connection (an HTTP-based store)", new TypeError('fetch failed', { cause: withFields({ code: 'ECONNREFUSED' }) })],
    ["Node's AggregateError of every address refused", Object.assign(new AggregateError([withFields({ code: 'ECONNREFUSED' }), withFields({ code: 'ECONNREFUSED' })], ''), { code: 'ECONNREFUSED' })],
    ['an AggregateError without a code of its own', new AggregateError([withFields({ code: 'ETIMEDOUT' })], '')],
    ['PostgreSQL shutting down (57P01)', withFields({ code: '57P01' }, 'terminating connection due to administrator command')],
    ['PostgreSQL starting up (57P03)', withFields({ code: '57P03' }, 'the database system is starting up')],
    ['PostgreSQL out of connections (53300)', withFields({ code: '53300' }, 'sorry, too many clients already')],
    ['a PostgreSQL connection exception (08006)', withFields({ code: '08006' })],
    ['SQLite busy', withFields({ code: 'SQLITE_BUSY' }, 'database is locked')],
    ["ioredis without its offline queue", new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ["ioredis's retries used up", withFields({ name: 'MaxRetriesPerRequestError' }, 'Reached the max retries per request limit (which is 1).')],
    ["pg's connection lost", new Error('Connection terminated unexpectedly')],
    ["pg-pool's connect timeout", new Error('timeout exceeded when trying to connect')],
    ["pg's query_timeout", new Error('Query read timeout')],
    ["ioredis's commandTimeout", new Error('Command timed out')],
    ['AbortSignal.timeout()', new DOMException('The operation was aborted due to timeout', 'TimeoutError')],
    ["PostgreSQL's lock_timeout (55P03)", withFields({ code: '55P03' }, 'canceling statement due to lock timeout')],
    ["PostgreSQL's statement_timeout (57014)", withFields({ code: '57014' }, 'canceling statement due to statement timeout')],
    ["a Redis replica after a failover (ioredis's ReplyError READONLY)", withFields({ name: 'ReplyError' }, "READONLY You can't write against a read only replica.")],
    ["Redis loading its data (node-redis's ErrorReply LOADING)", withFields({ name: 'ErrorReply' }, 'LOADING Redis is loading the dataset in memory')],
  ])('is true of %s', (_name, error) => {
    expect(isStoreUnavailable(error)).toBe(true);
  });

  it.each([
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'eval')")],
    ['a table that does not exist (42P01)', withFields({ code: '42P01' }, 'relation "webhook_receipts" does not exist')],
    ['a SQL syntax error (42601)', withFields({ code: '42601' })],
    ['a Redis script error', withFields({ name: 'ReplyError' }, 'ERR Error compiling script')],
    // A reply code read as a code: not a word the message happens to contain, nor one of another class.
    ['a Redis reply that is no outage, though it names one', withFields({ name: 'ReplyError' }, 'ERR BUSY is not a command')],
    ['a Redis script missing (NOSCRIPT)', withFields({ name: 'ReplyError' }, 'NOSCRIPT No matching script. Please use EVAL.')],
    ['an error of another class whose message starts with a Redis code', new Error('BUSY doing something else')],
    ['a message that only mentions a code', new Error('ECONNREFUSED 127.0.0.1:6379')],
    ['no error at all', undefined],
    ['a string', 'ECONNREFUSED'],
  ])('is false of %s', (_name, error) => {
    expect(isStoreUnavailable(error)).toBe(false);
  });

  it('ends on an error that is its own cause', () => {
    const looped = new Error('loop');
    (looped as { cause?: unknown }).cause = looped;
    expect(isStoreUnavailable(looped)).toBe(false);
  });
});
