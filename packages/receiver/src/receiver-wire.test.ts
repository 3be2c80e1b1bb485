import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { Webhook } from 'standardwebhooks';
import type { DedupeStore } from './dedupe/dedupe-store';
import { memoryDedupeStore } from './dedupe/memory-dedupe-store';
import express from 'express';
import { captureRawBody, expressReceiver } from './adapters/express';
import { readRawBody } from './adapters/raw-body';
import { createNodeHandler } from './adapters/node-http';
import { writeAnswer } from './adapters/adapter-support';
import { createReceiver, type AnyReceiver, type RawWebhookRequest, type ReceiverAnswer } from './receiver';
import { post } from './test-support/post';
import { adapters, closeServers, listen, sendRaw } from './test-support/serve';
import { newId, newSecret, signedOverText, signedRequest } from './test-support/signed-request';

// What real senders, stores and proxies hand a receiver, sent over real HTTP to a node:http server
// on 127.0.0.1. Each case here once got a wrong answer (see the commit that added it).

const secret = newSecret();

const serve = adapters[0]![1];

afterEach(closeServers);

describe('a dedupe store of your own', () => {
  it('whose methods are synchronous (better-sqlite3) — release() returning nothing — still gets the handler failure answered 500 and the retry processed', async () => {
    const states = new Map<string, string>();
    const store = {
      claim: (id: string) => (states.has(id) ? { status: states.get(id) } : (states.set(id, 'in-progress'), { status: 'claimed', token: `t-${id}` })),
      complete: (id: string) => void states.set(id, 'done'),
      release: (id: string) => void states.delete(id),
    } as unknown as DedupeStore;
    let failNext = true;
    const handled: unknown[] = [];
    const url = await serve(
      createReceiver({
        secrets: secret,
        dedupe: { store },
        onError: () => {},
        handle: async (event) => {
          if (failNext) {
            failNext = false;
            throw new Error('database down');
          }
          handled.push(event.payload);
        },
      }),
    );
    const request = signedRequest({ secrets: [secret], payload: { id: 'doc-1' } });
    // Before: release()'s missing promise threw inside handle(), which never answered.
    expect(await post(url, request)).toMatchObject({ status: 500, body: { outcome: 'failed', error: { code: 'RECEIVER_ERR_HANDLER_FAILED' } } });
    expect(await post(url, request)).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    expect(await post(url, request)).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
    expect(handled).toEqual([{ id: 'doc-1' }]);
  });

  // Stores as people write them before reading the contract: each made the receiver take every
  // delivery as "claimed, nothing to complete" — the handler ran on every redelivery, silently.
  const misanswers: [string, unknown, RegExp][] = [
    ['null', null, /resolved to null;/],
    ['true', true, /resolved to true;/],
    ["'claimed'", 'claimed', /resolved to "claimed";/],
    ['a claim without its token', { status: 'claimed' }, /resolved to \{ status: "claimed", token: undefined \};/],
    ['a status spelt otherwise', { status: 'processing' }, /resolved to \{ status: "processing" \};/],
  ];

  it.each(misanswers)('whose claim() answers %s is answered 500 RECEIVER_ERR_DEDUPE_STORE, and nothing is handled', async (_name, claimAnswer, message) => {
    let runs = 0;
    const completed: string[] = [];
    const store: DedupeStore = { claim: async () => claimAnswer as never, complete: async (id) => void completed.push(id), release: async () => {} };
    const errors: { error: unknown; answer: ReceiverAnswer }[] = [];
    const url = await serve(createReceiver({ secrets: secret, dedupe: { store }, handle: async () => void runs++, onError: (error, answer) => errors.push({ error, answer }) }));
    const request = signedRequest({ secrets: [secret], id: newId() });

    for (let delivery = 0; delivery < 2; delivery++) {
      expect(await post(url, request)).toMatchObject({ status: 500, body: { outcome: 'failed', id: request.id, error: { code: 'RECEIVER_ERR_DEDUPE_STORE' } } });
    }
    expect(runs).toBe(0);
    expect(completed).toEqual([]);
    expect(errors).toHaveLength(2);
    expect((errors[0]!.error as Error).message).toMatch(message);
    expect((errors[0]!.error as Error).message).toMatch(/must resolve to \{ status: 'claimed', token: <a non-empty string> \}, \{ status: 'in-progress' \} or \{ status: 'done' \}.*describeDedupeStoreContract/);
  });
});

describe.each(adapters)('a verified body that is not JSON, through %s', (_adapter, serveWith) => {
  async function send(body: Buffer | string): Promise<{ answered: Awaited<ReturnType<typeof post>>; logged: string[]; handled: unknown[] }> {
    const handled: unknown[] = [];
    const logged: string[] = [];
    const url = await serveWith(createReceiver({ secrets: secret, handle: async (event) => void handled.push(event.payload), onError: (error) => logged.push((error as Error).message) }));
    // Signed over the bytes as the reference library signs a Buffer (its UTF-8 reading of them).
    const request = signedRequest({ secrets: [secret], body: Buffer.isBuffer(body) ? body.toString('utf8') : body });
    const answered = await post(url, { headers: request.headers, body });
    return { answered, logged, handled };
  }

  it('is refused 400 saying where it breaks, without quoting the body into the answer and the log', async () => {
    const { answered, logged, handled } = await send('{"email":"alice@example.com","verified":tru}');
    expect(answered).toMatchObject({ status: 400, body: { outcome: 'rejected', error: { code: 'RECEIVER_ERR_INVALID_JSON' } } });
    // With what the sender must do: a message that only said "is not JSON: Unexpected token" left the fix to guess.
    expect(answered.body.error!.message).toMatch(/is not JSON: Unexpected token '\}'; the sender must send its payload as JSON$/);
    expect(JSON.stringify(answered.body)).not.toContain('alice');
    expect(logged.join('\n')).not.toContain('alice');
    expect(handled).toEqual([]);
  });

  it('is refused 400 when it is empty, saying so and what the sender must send', async () => {
    const { answered } = await send('');
    expect(answered).toMatchObject({ status: 400, body: { error: { code: 'RECEIVER_ERR_INVALID_JSON', message: expect.stringMatching(/the body of msg_\S+ \(Umbraco\.ContentPublish\) is empty, not JSON: the sender sent no payload \(a request made without its body\?\) and must send its payload as JSON$/) } } });
  });

  it('is refused 400 when it is not UTF-8, instead of handing the handler U+FFFD in place of its bytes', async () => {
    const { answered, handled } = await send(Buffer.from('{"title":"caf\xe9"}', 'latin1'));
    expect(answered).toMatchObject({ status: 400, body: { error: { code: 'RECEIVER_ERR_INVALID_JSON', message: expect.stringContaining('is not UTF-8 text, and JSON is sent as UTF-8 (RFC 8259)') } } });
    expect(handled).toEqual([]);
  });

  it('is refused 400 when it is not UTF-8 and signed over its bytes, as the specification words it (and Go senders sign), not 401 blaming the secret', async () => {
    const logged: string[] = [];
    const url = await serveWith(createReceiver({ secrets: secret, handle: async () => {}, onError: (error) => logged.push((error as Error).message) }));
    const body = Buffer.from('{"title":"caf\xe9"}', 'latin1');
    const request = signedRequest({ secrets: [secret] });
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    const signature = createHmac('sha256', key).update(Buffer.concat([Buffer.from(`${request.id}.${request.headers['webhook-timestamp']}.`), body])).digest('base64');
    const answered = await post(url, { headers: { ...request.headers, 'webhook-signature': `v1,${signature}` }, body });
    expect(answered).toMatchObject({ status: 400, body: { outcome: 'rejected', error: { code: 'RECEIVER_ERR_INVALID_JSON', message: expect.stringContaining('is not UTF-8 text') } } });
    expect(logged.join('\n')).not.toMatch(/secret is not the webhook's/);
  });

  it('is read when it starts with a byte order mark, as RFC 8259 lets a parser (a .NET writer may put one first)', async () => {
    const { answered, handled } = await send('\ufeff{"id":"doc-1"}');
    expect(answered).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    expect(handled).toEqual([{ id: 'doc-1' }]);
  });
});

describe('a router of your own that hands receiver.handle() the body', () => {
  // As docs/receiver.md shows for "anything else": your server reads the request, the kit answers.
  async function serveOwn(toBody: (request: import('node:http').IncomingMessage) => Promise<RawWebhookRequest['body']>, receiver: AnyReceiver): Promise<string> {
    return listen(createServer((request, response) => void (async () => writeAnswer(response, await receiver.handle({ headers: request.headers, body: await toBody(request) })))()));
  }

  it('as the ArrayBuffer a fetch-style `await request.arrayBuffer()` gives: verified and handled', async () => {
    const handled: unknown[] = [];
    const receiver = createReceiver({ secrets: secret, handle: async (event) => void handled.push(event.payload), onError: () => {} });
    const url = await serveOwn(async (request) => {
      const bytes = await readRawBody(request);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer; // what fetch's arrayBuffer() gives
    }, receiver);
    expect(await post(url, signedRequest({ secrets: [secret], payload: { id: 'doc-1' } }))).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    expect(handled).toEqual([{ id: 'doc-1' }]);
  });

  it('read with readRawBody() after a body parser read the stream (express.json() mounted app-wide): 500 BODY_NOT_RAW with the fix, instead of waiting for ever', async () => {
    const logged: string[] = [];
    const receiver = createReceiver({ secrets: secret, handle: async () => {}, onError: (error) => logged.push((error as Error).message) });
    const app = express();
    app.use(express.json());
    app.post('/webhooks', (request, response) => {
      readRawBody(request)
        .then((body) => receiver.handle({ headers: request.headers, body }))
        .then(
          (answer) => writeAnswer(response, answer),
          (error: unknown) => writeAnswer(response, receiver.refuse(error, request.headers)),
        );
    });
    const url = await listen(createServer(app));
    expect(await post(url, signedRequest({ secrets: [secret] }))).toMatchObject({ status: 500, body: { outcome: 'failed', error: { code: 'RECEIVER_ERR_BODY_NOT_RAW' } } });
    expect(logged).toEqual([expect.stringContaining('readRawBody() was given a request whose body was already read (a body parser such as express.json() ran first)')]);
  });

  it('read with readRawBody() after request.setEncoding() (a body collector of old tutorials, a tracing middleware): the bytes sent, not a crash of the process', async () => {
    const handled: unknown[] = [];
    const receiver = createReceiver({ secrets: secret, handle: async (event) => void handled.push(event.payload), onError: () => {} });
    const url = await listen(
      createServer((request, response) => {
        request.setEncoding('utf8');
        readRawBody(request)
          .then((body) => receiver.handle({ headers: request.headers, body }))
          .then(
            (answer) => writeAnswer(response, answer),
            (error: unknown) => writeAnswer(response, receiver.refuse(error, request.headers)),
          );
      }),
    );
    const request = signedRequest({ secrets: [secret], body: '{"title":"café ✓"}' });
    expect(await post(url, request)).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    expect(handled).toEqual([{ title: 'café ✓' }]);
  });

  it("as Express 5's req.body with no body parser (undefined): 500 BODY_NOT_RAW saying no body was given and how to read it, not blame on a JSON parser there is none of", async () => {
    const logged: string[] = [];
    const receiver = createReceiver({ secrets: secret, handle: async () => {}, onError: (error) => logged.push((error as Error).message) });
    const app = express();
    app.post('/webhooks', (request, response) => void receiver.handle({ headers: request.headers, body: request.body as never }).then((answer) => writeAnswer(response, answer)));
    const url = await listen(createServer(app));
    expect(await post(url, signedRequest({ secrets: [secret] }))).toMatchObject({ status: 500, body: { outcome: 'failed', error: { code: 'RECEIVER_ERR_BODY_NOT_RAW' } } });
    expect(logged).toEqual([expect.stringContaining('the receiver was given no body (undefined): the request\'s bytes were never read, or not passed')]);
    expect(logged[0]).toContain('body: await readRawBody(req)');
    expect(logged[0]).not.toMatch(/JSON body parser/);
  });

  it('as the request stream itself, unread: 500 BODY_NOT_RAW with the fix for a stream, not blame on a JSON parser there is none of', async () => {
    const logged: string[] = [];
    const receiver = createReceiver({ secrets: secret, handle: async () => {}, onError: (error) => logged.push((error as Error).message) });
    const url = await serveOwn(async (request) => request as never, receiver);
    expect(await post(url, signedRequest({ secrets: [secret] }))).toMatchObject({ status: 500, body: { outcome: 'failed', error: { code: 'RECEIVER_ERR_BODY_NOT_RAW' } } });
    expect(logged).toEqual([expect.stringContaining('the body reached the receiver as a stream (or a request) whose bytes were not read; read them first and pass those: node:http, `body: await readRawBody(req)`')]);
    expect(logged[0]).not.toMatch(/JSON body parser/);
  });

  it('as a Blob (await request.blob()): 500 BODY_NOT_RAW naming the Blob and the read that gives its bytes, not a JSON parser there is none of; its bytes are received', async () => {
    const logged: string[] = [];
    const receiver = createReceiver({ secrets: secret, handle: async () => {}, onError: (error) => logged.push((error as Error).message) });
    const url = await serveOwn(async (request) => new Blob([await readRawBody(request)]) as never, receiver);
    expect(await post(url, signedRequest({ secrets: [secret] }))).toMatchObject({ status: 500, body: { outcome: 'failed', error: { code: 'RECEIVER_ERR_BODY_NOT_RAW' } } });
    expect(logged).toEqual([expect.stringContaining('the body reached the receiver as a Blob, whose bytes are read asynchronously; read them first and pass those: `body: new Uint8Array(await blob.arrayBuffer())`')]);
    const read = await serveOwn(async (request) => new Uint8Array(await new Blob([await readRawBody(request)]).arrayBuffer()), receiver);
    expect(await post(read, signedRequest({ secrets: [secret] }))).toMatchObject({ status: 200, body: { outcome: 'processed' } });
  });
});

describe('a processed request replayed while its signature still verifies', () => {
  // The sender's clock 4 minutes ahead: its request verifies from arrival until 9 minutes later
  // (5 minutes past its timestamp), and a replay within that is answered only by the dedupe store.
  async function replayed(retainMs: number, afterMs: number): Promise<string[]> {
    let clock = Date.now();
    const handled: unknown[] = [];
    const url = await serve(createReceiver({ secrets: secret, handle: async (event) => void handled.push(event.id), dedupe: { store: memoryDedupeStore({ now: () => clock }), retainMs } }));
    const request = signedRequest({ secrets: [secret], timestamp: Math.floor(Date.now() / 1000) + 240 });
    const outcomes = [(await post(url, request)).body.outcome!];
    clock += afterMs; // the store's clock only: the signature verifies now as it would then
    outcomes.push((await post(url, request)).body.outcome!, String(handled.length));
    return outcomes;
  }

  it('is answered duplicate: a retainMs shorter than the 10 minutes a signature stays verifiable is refused when the receiver is made, as the replay was processed again', async () => {
    // 5 minutes, "as long as the tolerance": a replay 5 min 1 s after arrival verified and was processed.
    expect(() => createReceiver({ secrets: secret, handle: async () => {}, dedupe: { retainMs: 5 * 60_000 } })).toThrow(
      expect.objectContaining({ code: 'RECEIVER_ERR_INVALID_OPTIONS', message: expect.stringContaining('dedupe.retainMs is 300000, less than the 600000 ms (10 minutes) a signed request stays verifiable') }),
    );
    expect(await replayed(10 * 60_000, 5 * 60_000 + 1_000)).toEqual(['processed', 'duplicate', '1']);
    expect(await replayed(10 * 60_000, 9 * 60_000 - 1_000)).toEqual(['processed', 'duplicate', '1']);
  });
});

describe.each(adapters)('a forged request whose body decodes to 1 MiB from 28 bytes of brotli, through %s', (_adapter, serveWith) => {
  // The reference package's HMAC is pure JavaScript: 13 ms per MiB per secret on the event loop, so
  // 28 bytes that anyone can send cost a receiver with two secrets about 35 ms — some 30 such
  // requests a second kept its event loop busy. node:crypto does the same in about a millisecond.
  it('is refused 401 without the pure-JavaScript HMAC running; a genuine one is still verified by the reference package, once', async () => {
    const rotated = newSecret();
    const handled: unknown[] = [];
    const url = await serveWith(createReceiver({ secrets: [rotated, secret], handle: async (event) => void handled.push(event.id), onError: () => {} }), 2 * 1024 * 1024);
    const body = JSON.stringify({ text: 'x'.repeat(1024 * 1024 - 20) });
    const forged = signedRequest({ secrets: [newSecret()], body });
    const genuine = signedRequest({ secrets: [secret], body });
    const referenceHmac = jest.spyOn(Webhook.prototype, 'sign');
    try {
      const compressed = brotliCompressSync(Buffer.from(body));
      expect(compressed.length).toBeLessThan(100);
      expect(await post(url, { headers: { ...forged.headers, 'content-encoding': 'br' }, body: compressed })).toMatchObject({ status: 401, body: { error: { code: 'RECEIVER_ERR_BAD_SIGNATURE' } } });
      expect(referenceHmac).not.toHaveBeenCalled();
      expect(await post(url, { headers: { ...genuine.headers, 'content-encoding': 'br' }, body: compressed })).toMatchObject({ status: 200, body: { outcome: 'processed' } });
      expect(referenceHmac).toHaveBeenCalledTimes(1);
      expect(handled).toEqual([genuine.id]);
    } finally {
      referenceHmac.mockRestore();
    }
  });
});

describe('a request answered 200 without a handler, captured and replayed with its unsigned headers changed', () => {
  // Only the id, timestamp and body are signed. Seen once on the wire (plain HTTP), such a request
  // could be sent again within its 10 verifiable minutes with another event header, or without
  // hookwork-test: as its id was never recorded, the replay was handled as the event it now names.
  it('is answered duplicate when it was unhandled: a ContentPublish replayed as a ContentDelete deletes nothing', async () => {
    const deleted: unknown[] = [];
    type SiteEvent = { alias: 'Umbraco.ContentPublish'; payload: { id: string } } | { alias: 'Umbraco.ContentDelete'; payload: { id: string } };
    const url = await serve(createReceiver<SiteEvent>({ secrets: secret, handlers: { 'Umbraco.ContentDelete': async (event) => void deleted.push(event.payload) }, onError: () => {} }));
    const published = signedRequest({ secrets: [secret], alias: 'Umbraco.ContentPublish', payload: { id: 'home-page' } });
    expect(await post(url, published)).toMatchObject({ status: 200, body: { outcome: 'unhandled', id: published.id } });
    const replayed = await post(url, { ...published, headers: { ...published.headers, 'hookwork-event': 'Umbraco.ContentDelete' } });
    expect(replayed).toMatchObject({ status: 200, body: { outcome: 'duplicate', id: published.id } });
    expect(deleted).toEqual([]);
  });

  it('is answered duplicate when it was a test send acknowledged unhandled: its example data is not handled as a real event', async () => {
    const handled: unknown[] = [];
    const url = await serve(createReceiver({ secrets: secret, testSends: 'acknowledge', handle: async (event) => void handled.push(event.payload), onError: () => {} }));
    const test = signedRequest({ secrets: [secret], test: true, payload: { id: 'example-document' } });
    expect(await post(url, test)).toMatchObject({ status: 200, body: { outcome: 'test', id: test.id } });
    const { 'hookwork-test': _flag, ...unflagged } = test.headers;
    expect(await post(url, { ...test, headers: unflagged })).toMatchObject({ status: 200, body: { outcome: 'duplicate', id: test.id } });
    expect(handled).toEqual([]);
  });
});

describe('readRawBody() given a limit it cannot use', () => {
  // A limit as Express writes it, and Number(process.env.MAX_BODY) with the variable unset.
  it.each([['100kb', 'the string "100kb"'], [Number.NaN, 'NaN']])('(%p) refuses the request 500 INVALID_OPTIONS naming it, instead of reading the body with no cap', async (limit, shown) => {
    const handled: unknown[] = [];
    const receiver = createReceiver({ secrets: secret, handle: async (event) => void handled.push(event.payload), onError: () => {} });
    const url = await listen(
      createServer((request, response) => {
        readRawBody(request, limit as number)
          .then((body) => receiver.handle({ headers: request.headers, body }))
          .then(
            (answer) => writeAnswer(response, answer),
            (error: unknown) => writeAnswer(response, receiver.refuse(error, request.headers)),
          );
      }),
    );
    const answered = await post(url, signedRequest({ secrets: [secret], payload: { text: 'x'.repeat(200_000) } }));
    expect(answered).toMatchObject({ status: 500, body: { outcome: 'failed', error: { code: 'RECEIVER_ERR_INVALID_OPTIONS' } } });
    expect(handled).toEqual([]);
    await expect(readRawBody({ headers: {} } as never, limit as number)).rejects.toThrow(`readRawBody() was given maxBytes ${shown}; use a whole number of bytes from 1`);
  });
});

describe('a hostile sender whose webhook-timestamp or retry count is a long run of digits', () => {
  // The form readers once tried a run of digits with no exponent after it every way it splits
  // (quadratic): at Node's default 16 KiB header limit 0.15-0.4 s of event loop per request, read
  // before any signature is checked; behind a raised maxHeaderSize (or a fetch-style server that
  // takes more) these 150,000 digits held it about 25 s per header. Now microseconds: the 5 s
  // bound is far from both.
  const digits = `${'1'.repeat(150_000)}x`;
  const serveBig = (receiver: AnyReceiver) => listen(createServer({ maxHeaderSize: 1024 * 1024 }, createNodeHandler(receiver)));

  it('is refused at once — 401 INVALID_TIMESTAMP signed, 400 INVALID_HEADER for the retry count — without holding the event loop', async () => {
    const signed = await serveBig(createReceiver({ secrets: secret, handle: async () => {}, onError: () => {} }));
    const unsigned = await serveBig(createReceiver({ unsigned: true, handle: async () => {}, onError: () => {} }));
    const request = signedRequest({ secrets: [secret] });
    const started = Date.now();
    const timestamp = await post(signed, { ...request, headers: { ...request.headers, 'webhook-timestamp': digits } });
    const retryCount = await post(unsigned, { headers: { 'hookwork-event': 'Umbraco.ContentPublish', 'hookwork-retry-count': digits }, body: '{"id":"doc-1"}' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(timestamp).toMatchObject({ status: 401, body: { error: { code: 'RECEIVER_ERR_INVALID_TIMESTAMP' } } });
    expect(retryCount).toMatchObject({ status: 400, body: { error: { code: 'RECEIVER_ERR_INVALID_HEADER', message: expect.stringContaining('not a number') } } });
  }, 600_000);

  it('still tells the exponent form it was written to tell', async () => {
    const unsigned = await serveBig(createReceiver({ unsigned: true, handle: async () => {}, onError: () => {} }));
    for (const [value, form] of [['1.7953374e9', 'it is in exponent form'], ['17e8', 'it is in exponent form'], ['.5e1', 'it is in exponent form'], ['1.e3', 'it is in exponent form']] as const) {
      const answered = await post(unsigned, { headers: { 'hookwork-event': 'Umbraco.ContentPublish', 'webhook-timestamp': value }, body: '{"id":"doc-1"}' });
      expect([value, answered.body.error?.message]).toEqual([value, expect.stringContaining(form)]);
      const count = await post(unsigned, { headers: { 'hookwork-event': 'Umbraco.ContentPublish', 'hookwork-retry-count': value }, body: '{"id":"doc-1"}' });
      expect([value, count.body.error?.message]).toEqual([value, expect.stringContaining('a number in exponent form')]);
    }
  });
});

describe.each(adapters)('an unsigned receiver (Umbraco) given a webhook-timestamp that is no time, through %s', (_adapter, serveWith) => {
  it('refuses it 400 naming the header and its form, rather than hand the handler timestamp undefined (or an Invalid Date that throws in it)', async () => {
    const seen: (Date | undefined)[] = [];
    const url = await serveWith(createReceiver({ unsigned: true, handle: async (event) => void seen.push(event.timestamp), onError: () => {} }));
    const headers = { 'content-type': 'application/json', 'umb-webhook-event': 'Umbraco.ContentPublish', 'umb-webhook-retrycount': '0' };
    const answered = await post(url, { headers: { ...headers, 'webhook-timestamp': '99999999999999999999' }, body: '{"id":"doc-1"}' });
    expect(answered).toMatchObject({ status: 400, body: { outcome: 'rejected', error: { code: 'RECEIVER_ERR_INVALID_HEADER', message: expect.stringContaining('the webhook-timestamp header of the request is not a whole number of Unix seconds: it has 20 digits') } } });
    expect(await post(url, { headers: { ...headers, 'webhook-timestamp': ' 1795337400 ' }, body: '{"id":"doc-1"}' })).toMatchObject({ status: 200 });
    expect(await post(url, { headers, body: '{"id":"doc-1"}' })).toMatchObject({ status: 200 });
    expect(seen).toEqual([new Date(1795337400 * 1000), undefined]);
  });

  it('reads it as a signed receiver does: a leading zero, a sign or an exponent is no time either', async () => {
    const seen: (Date | undefined)[] = [];
    const url = await serveWith(createReceiver({ unsigned: true, handle: async (event) => void seen.push(event.timestamp), onError: () => {} }));
    const headers = { 'content-type': 'application/json', 'umb-webhook-event': 'Umbraco.ContentPublish' };
    for (const [timestamp, form] of [['01795337400', 'it has a leading zero'], ['+1795337400', 'it has a plus sign'], ['1.7953374e9', 'it is in exponent form'], ['-1', 'it has a minus sign']]) {
      const answered = await post(url, { headers: { ...headers, 'webhook-timestamp': timestamp! }, body: '{"id":"doc-1"}' });
      expect(answered).toMatchObject({ status: 400, body: { error: { code: 'RECEIVER_ERR_INVALID_HEADER', message: expect.stringContaining(`not a whole number of Unix seconds: ${form}`) } } });
    }
    expect(seen).toEqual([]);
  });
});

describe.each(adapters)('a hand-written Standard Webhooks sender, through %s', (_adapter, serveWith) => {
  let url: string;
  beforeEach(async () => {
    url = await serveWith(createReceiver({ secrets: secret, handle: async () => {}, onError: () => {} }));
  });

  it('that sends webhook-timestamp in milliseconds is told so (401), not only that it is no whole number of seconds', async () => {
    const request = signedRequest({ secrets: [secret] });
    request.headers['webhook-timestamp'] = String(Date.now());
    expect(await post(url, request)).toMatchObject({
      status: 401,
      body: { error: { code: 'RECEIVER_ERR_INVALID_TIMESTAMP', message: expect.stringContaining('it has 13 digits, milliseconds — Standard Webhooks sends seconds (Math.floor(Date.now() / 1000))') } },
    });
  });

  const now = () => String(Math.floor(Date.now() / 1000));
  it.each([
    ['a leading zero', () => `0${now()}`, 'it has a leading zero'],
    ['a plus sign', () => `+${now()}`, 'it has a plus sign'],
    ['exponent form', () => `${Number(now()) / 1e9}e9`, 'it is in exponent form'],
    ['a fraction', () => `${now()}.0`, 'it has a fraction'],
    ['spaces between its digits', () => `${now().slice(0, 4)} ${now().slice(4)}`, 'it has spaces between its digits'],
    ['the form of an ISO 8601 date', () => new Date().toISOString(), 'it is a date written out (ISO 8601 or an HTTP date), not Unix seconds'],
    ['the form of an HTTP date', () => new Date().toUTCString(), 'it is a date written out (ISO 8601 or an HTTP date), not Unix seconds'],
  ])('whose webhook-timestamp has %s — signed over that text — is told so (401), not that the secret is wrong', async (_form, timestamp, said) => {
    const answered = await post(url, signedOverText(secret, timestamp()));
    expect(answered).toMatchObject({ status: 401, body: { error: { code: 'RECEIVER_ERR_INVALID_TIMESTAMP' } } });
    expect(answered.body.error!.message).toContain(`${said}, and Standard Webhooks sends integer seconds as plain digits (String(Math.floor(Date.now() / 1000))). The signature covers the header as sent`);
  });

  it('whose webhook-timestamp has spaces around it is verified: HTTP drops them on the way, and the signature is over the digits', async () => {
    const request = signedOverText(secret, now());
    expect(await post(url, { ...request, headers: { ...request.headers, 'webhook-timestamp': `  ${request.headers['webhook-timestamp']} ` } })).toMatchObject({ status: 200, body: { outcome: 'processed' } });
  });

  it('that signs with v1a (the asymmetric scheme) is told the kit verifies v1 only (401)', async () => {
    const request = signedRequest({ secrets: [secret] });
    request.headers['webhook-signature'] = `v1a,${Buffer.alloc(64, 7).toString('base64')}`;
    expect(await post(url, request)).toMatchObject({
      status: 401,
      body: { error: { code: 'RECEIVER_ERR_BAD_SIGNATURE', message: expect.stringContaining("holds only v1a signatures — Standard Webhooks' asymmetric (ed25519, whpk_ public key) scheme, which this kit does not verify") } },
    });
  });
});

describe.each(adapters)('a hand-written sender whose signature has the right HMAC in the wrong form, through %s', (_adapter, serveWith) => {
  let url: string;
  beforeEach(async () => {
    url = await serveWith(createReceiver({ secrets: secret, handle: async () => {}, onError: () => {} }));
  });

  /** The HMAC-SHA256 of the request as the specification signs it, with the secret the receiver has. */
  const digest = (request: { id: string; body: string; headers: Record<string, string> }) =>
    createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64')).update(`${request.id}.${request.headers['webhook-timestamp']}.${request.body}`).digest();

  it.each<[string, (mac: Buffer, good: string) => string, string]>([
    ['a hex digest', (mac) => `v1,${mac.toString('hex')}`, 'its v1 entry is 64 hex digits — a hex HMAC-SHA256, where the signature is its base64 (digest("base64"), not "hex")'],
    ['base64 without its padding', (mac) => `v1,${mac.toString('base64').replace(/=+$/, '')}`, 'its v1 entry has 43 characters and no trailing "=", base64 without its padding'],
    ['base64url', (mac) => `v1,${mac.toString('base64url')}`, 'its v1 entry is base64url (it has - or _)'],
    ['its version in upper case', (_mac, good) => good.replace('v1,', 'V1,'), 'its version is written "V1", and versions are lower case: "v1,"'],
    ['entries separated by a tab', (_mac, good) => `v1,${Buffer.alloc(32, 9).toString('base64')}\t${good}`, 'its entries are separated by tabs or line breaks, and verifiers split the header on spaces only'],
    ["GitHub's sha256= form", (mac) => `sha256=${mac.toString('hex')}`, "it is written in another scheme's form (name=value"],
  ])('(%s) is refused 401, told the form — not that the secret is wrong, and as the reference library refuses it', async (_form, write, said) => {
    // A request whose HMAC's base64url has a - or _ (about 3 in 4 do), so that form shows in the text.
    let request = signedRequest({ secrets: [secret] });
    while (!/[-_]/.test(digest(request).toString('base64url'))) request = signedRequest({ secrets: [secret] });
    const mac = digest(request);
    // Each form is one the Standard Webhooks reference library refuses too: it compares the text.
    const signature = write(mac, request.headers['webhook-signature']!);
    expect(() => new Webhook(secret).verify(request.body, { ...request.headers, 'webhook-signature': signature })).toThrow('No matching signature found');
    const answered = await post(url, { ...request, headers: { ...request.headers, 'webhook-signature': signature } });
    expect(answered).toMatchObject({ status: 401, body: { outcome: 'rejected', error: { code: 'RECEIVER_ERR_BAD_SIGNATURE' } } });
    expect(answered.body.error!.message).toContain(`the webhook-signature of ${request.id} holds no v1,<base64> signature: ${said}`);
    expect(answered.body.error!.message).not.toContain('does not match');
    // Its shape only: no part of the signature is echoed.
    expect(answered.body.error!.message).not.toContain(mac.toString('base64').slice(0, 12));
    expect(answered.body.error!.message).not.toContain(mac.toString('hex').slice(0, 12));
  });

  it('a well-formed v1 signature beside a malformed one is verified, and one made with another secret still blames the secret', async () => {
    const request = signedRequest({ secrets: [secret] });
    const mac = digest(request);
    expect(await post(url, { ...request, headers: { ...request.headers, 'webhook-signature': `v1,${mac.toString('hex')} ${request.headers['webhook-signature']!}` } })).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    const other = signedRequest({ secrets: [newSecret()] });
    const answered = await post(url, { ...other, headers: { ...other.headers, 'webhook-signature': `v1,${digest(other).toString('hex')} ${other.headers['webhook-signature']!}` } });
    expect(answered).toMatchObject({ status: 401, body: { error: { code: 'RECEIVER_ERR_BAD_SIGNATURE', message: expect.stringContaining('does not match the configured secret') } } });
  });
});

describe.each(adapters)('a CloudEvent whose type and event header name different events (a proxy changed one), through %s', (_adapter, serveWith) => {
  const binary = { 'ce-specversion': '1.0', 'ce-id': 'e1', 'ce-source': '/s' };
  const envelope = (type: string) => JSON.stringify({ specversion: '1.0', id: 'e1', source: '/s', type, datacontenttype: 'application/json', data: { id: 'doc-1' } });

  it.each<[string, (alias: string) => { headers: Record<string, string>; body: string; id: string }, string]>([
    ['binary mode (neither is signed)', (alias) => { const request = signedRequest({ secrets: [secret] }); return { ...request, headers: { ...request.headers, ...binary, 'ce-type': alias } }; }, 'its ce-type header'],
    ['structured mode', (alias) => { const request = signedRequest({ secrets: [secret], body: envelope(alias) }); return { ...request, headers: { ...request.headers, 'content-type': 'application/cloudevents+json' } }; }, 'in its signed envelope'],
  ])('%s: refused 400 naming both, never dispatched as either; agreeing, handled', async (_mode, request, where) => {
    const seen: string[] = [];
    const url = await serveWith(createReceiver({ secrets: secret, handle: async (event) => void seen.push(event.alias), onError: () => {} }));
    const answered = await post(url, request('Umbraco.ContentDelete'));
    expect(answered).toMatchObject({ status: 400, body: { outcome: 'rejected', error: { code: 'RECEIVER_ERR_INVALID_HEADER' } } });
    expect(answered.body.error!.message).toContain(`is a CloudEvent of type "Umbraco.ContentDelete" (${where}) and carries hookwork-event: "Umbraco.ContentPublish", which disagree`);
    const umbraco = request('Umbraco.ContentDelete');
    delete umbraco.headers['hookwork-event'];
    umbraco.headers['umb-webhook-event'] = 'Umbraco.ContentPublish';
    expect(await post(url, umbraco)).toMatchObject({ status: 400, body: { error: { code: 'RECEIVER_ERR_INVALID_HEADER' } } });
    expect(seen).toEqual([]);
    expect(await post(url, request('Umbraco.ContentPublish'))).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    const alone = request('Umbraco.ContentDelete');
    delete alone.headers['hookwork-event'];
    expect(await post(url, alone)).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    expect(seen).toEqual(['Umbraco.ContentPublish', 'Umbraco.ContentDelete']);
  });
});

describe('an async onError that rejects (a log shipper that is down)', () => {
  it('changes no answer and leaves no unhandled rejection, which would end the process', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const url = await serve(createReceiver({ secrets: secret, handle: async () => {}, onError: async () => Promise.reject(new Error('log shipper down')) }));
      expect(await post(url, signedRequest({ secrets: [newSecret()] }))).toMatchObject({ status: 401, body: { error: { code: 'RECEIVER_ERR_BAD_SIGNATURE' } } });
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });
});

describe.each(adapters)('a header sent twice (a proxy that adds it again), through %s: the same rule for every header the kit reads', (_adapter, serveWith) => {
  /** Sends a signed request with `extra` header lines after its own: raw HTTP, as node:http's client can't repeat a header. */
  async function sendWith(url: string, extra: (request: ReturnType<typeof signedRequest>) => [string, string][], drop: string[] = []) {
    const request = signedRequest({ secrets: [secret] });
    const lines = Object.entries(request.headers).filter(([key]) => !drop.includes(key));
    return { id: request.id, ...(await sendRaw(url, [...lines, ...extra(request)], request.body)) };
  }

  async function serveRecording() {
    const seen: { alias: string; test: boolean }[] = [];
    const url = await serveWith(createReceiver({ secrets: secret, testSends: 'acknowledge', handle: async (event) => void seen.push({ alias: event.alias, test: event.test }), onError: () => {} }));
    return { url, seen };
  }

  it.each([
    ['webhook-id', (r: ReturnType<typeof signedRequest>) => [['webhook-id', r.id]]],
    ['webhook-timestamp', (r: ReturnType<typeof signedRequest>) => [['webhook-timestamp', r.headers['webhook-timestamp']!]]],
    ['hookwork-event', (r: ReturnType<typeof signedRequest>) => [['hookwork-event', r.headers['hookwork-event']!]]],
    ['hookwork-retry-count', () => [['hookwork-retry-count', '0']]],
    // (Node itself keeps the first of two content-types; fetch Headers join them, see receiver.test.ts.)
    ['content-type', () => [['content-type', 'application/json']]],
  ] as const)('%s twice with one value: read as that value, and the event processed', async (_name, extra) => {
    const { url, seen } = await serveRecording();
    const answered = await sendWith(url, extra as never);
    expect(answered).toMatchObject({ status: 200, body: { outcome: 'processed', id: answered.id } });
    expect(seen).toEqual([{ alias: 'Umbraco.ContentPublish', test: false }]);
  });

  it('hookwork-test twice, or in another case: a test send, acknowledged — never its example data handled as a real event', async () => {
    const { url, seen } = await serveRecording();
    for (const extra of [[['hookwork-test', 'true'], ['hookwork-test', 'true']], [['hookwork-test', 'True']], [['hookwork-test', 'TRUE']]] as [string, string][][]) {
      expect(await sendWith(url, () => extra)).toMatchObject({ status: 200, body: { outcome: 'test' } });
    }
    expect(seen).toEqual([]);
  });

  it.each([
    ['webhook-id', (r: ReturnType<typeof signedRequest>) => [['webhook-id', `${r.id}-other`]], 'the webhook-id header arrived 2 times with different values'],
    ['hookwork-event', () => [['hookwork-event', 'Umbraco.ContentDelete']], 'the hookwork-event header arrived 2 times with different values ("Umbraco.ContentPublish", "Umbraco.ContentDelete")'],
    ['hookwork-event and umb-webhook-event', () => [['umb-webhook-event', 'Umbraco.ContentDelete']], 'carries hookwork-event: "Umbraco.ContentPublish" and umb-webhook-event: "Umbraco.ContentDelete", which disagree'],
    ['hookwork-test', () => [['hookwork-test', 'true'], ['hookwork-test', 'false']], 'the hookwork-test header arrived 2 times with different values'],
    ['hookwork-test', () => [['hookwork-test', 'yes']], 'the hookwork-test header of msg_'],
    ['ce-type', () => [['ce-specversion', '1.0'], ['ce-type', 'a'], ['ce-type', 'b']], 'the ce-type header arrived 2 times with different values'],
  ] as const)('%s with values that differ: refused 400 RECEIVER_ERR_INVALID_HEADER naming the header, nothing handled', async (_name, extra, said) => {
    const { url, seen } = await serveRecording();
    const answered = await sendWith(url, extra as never);
    expect(answered).toMatchObject({ status: 400, body: { outcome: 'rejected', error: { code: 'RECEIVER_ERR_INVALID_HEADER' } } });
    expect(answered.body.error!.message).toContain(said);
    expect(seen).toEqual([]);
  });

  it('webhook-timestamp with values that differ: refused 401 by the timestamp reader, saying it was sent twice rather than blaming the clock', async () => {
    const { url } = await serveRecording();
    const answered = await sendWith(url, (r) => [['webhook-timestamp', String(Number(r.headers['webhook-timestamp']) + 1)]]);
    expect(answered).toMatchObject({ status: 401, body: { error: { code: 'RECEIVER_ERR_INVALID_TIMESTAMP' } } });
    expect(answered.body.error!.message).toContain('the header was sent 2 times (a proxy or middleware that adds it again?)');
  });

  it('webhook-signature twice: its copies are one list of signatures, as the specification lets a header hold several (a forged one beside them changes nothing)', async () => {
    const { url, seen } = await serveRecording();
    const bogus = await sendWith(url, () => [['webhook-signature', 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=']]);
    expect(bogus).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    const forgedOnly = await sendWith(url, () => [['webhook-signature', 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='], ['webhook-signature', 'v1,BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=']], ['webhook-signature']);
    expect(forgedOnly).toMatchObject({ status: 401, body: { error: { code: 'RECEIVER_ERR_BAD_SIGNATURE' } } });
    expect(seen).toHaveLength(1);
  });

  it('a webhook-id over 256 characters: refused 400 at the door, never stored or echoed back', async () => {
    const { url, seen } = await serveRecording();
    const answered = await sendWith(url, () => [['webhook-id', 'x'.repeat(257)]], ['webhook-id']);
    expect(answered).toMatchObject({ status: 400, body: { outcome: 'rejected', error: { code: 'RECEIVER_ERR_INVALID_HEADER', message: expect.stringContaining('the webhook-id is 257 characters') } } });
    expect(answered.body).not.toHaveProperty('id');
    expect(JSON.stringify(answered.body)).not.toContain('x'.repeat(61));
    expect(seen).toEqual([]);
  });
});

describe('the default memory store of an unsigned receiver, which takes ids from anyone', () => {
  it('remembers at most maxEntries ids, however young: past them the oldest is forgotten (and handled again), so the memory stays bounded', async () => {
    const handled: (string | undefined)[] = [];
    const url = await serve(createReceiver({ unsigned: true, dedupe: { store: memoryDedupeStore({ maxEntries: 100 }) }, handle: async (event) => void handled.push(event.id), onError: () => {} }));
    const send = (id: string) => post(url, { headers: { 'content-type': 'application/json', 'umb-webhook-event': 'Umbraco.ContentPublish', 'webhook-id': id }, body: '{}' });
    for (let i = 0; i < 300; i++) expect((await send(`id-${i}`)).body.outcome).toBe('processed');
    expect((await send('id-299')).body.outcome).toBe('duplicate');
    expect((await send('id-0')).body.outcome).toBe('processed');
    expect(handled.filter((id) => id === 'id-0')).toHaveLength(2);
  });
});

describe('the default memory store, full while a handler runs', () => {
  it('keeps the running claim: a retry of its id is answered 503 in-progress, not handled beside it, and it is remembered when done', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const runs: string[] = [];
    const url = await serve(
      createReceiver({
        secrets: secret,
        dedupe: { store: memoryDedupeStore({ maxEntries: 2 }) },
        onError: () => {},
        handle: async (event) => {
          runs.push(event.id);
          if (event.id === slow.id) await gate;
        },
      }),
    );
    const slow = signedRequest({ secrets: [secret] });
    const first = post(url, slow);
    first.catch(() => {}); // awaited below; if an expectation fails first, the clean-up cuts it off
    while (runs.length === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(await post(url, signedRequest({ secrets: [secret] }))).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    // Full: the running claim and a processed id whose request still verifies, neither forgotten for room.
    expect(await post(url, signedRequest({ secrets: [secret] }))).toMatchObject({ status: 503, body: { outcome: 'failed', error: { code: 'RECEIVER_ERR_DEDUPE_STORE_FULL' } } });
    expect(await post(url, slow)).toMatchObject({ status: 503, body: { outcome: 'in-progress' } });
    open();
    expect(await first).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    expect(await post(url, slow)).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
    expect(runs.filter((id) => id === slow.id)).toHaveLength(1);
  });
});

describe('the default memory store, above maxEntries requests within the replay window', () => {
  it('answers a replayed signed request duplicate however many came since: past maxEntries it refuses new ids 503 with Retry-After rather than forget one that still verifies', async () => {
    const runs: string[] = [];
    const url = await serve(createReceiver({ secrets: secret, retryAfterSeconds: 20, dedupe: { store: memoryDedupeStore({ maxEntries: 5 }) }, onError: () => {}, handle: async (event) => void runs.push(event.id) }));
    const captured = signedRequest({ secrets: [secret] });
    expect(await post(url, captured)).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    // The sender's own traffic, more ids than the store holds, all within the 5-minute tolerance.
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await post(url, signedRequest({ secrets: [secret] })));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 503, 503, 503, 503]);
    expect(answers[4]).toMatchObject({ body: { error: { code: 'RECEIVER_ERR_DEDUPE_STORE_FULL' } } });
    expect(answers[4]!.headers['retry-after']).toBe('20');
    // The captured copy, replayed byte for byte while it still verifies: recognised, not run again.
    expect(await post(url, captured)).toMatchObject({ status: 200, body: { outcome: 'duplicate', id: captured.id } });
    expect(runs.filter((id) => id === captured.id)).toHaveLength(1);
  });
});

/** The adapters, and Express behind the body parsers docs/receiver.md shows (which decode bodies themselves). */
const withBodyParsers: typeof adapters = [
  ...adapters,
  [
    'Express behind express.json({ verify: captureRawBody })',
    (receiver) => {
      const app = express();
      app.use(express.json({ verify: captureRawBody }));
      app.post('/webhooks', expressReceiver(receiver));
      return listen(createServer(app));
    },
  ],
  [
    'Express behind express.raw()',
    (receiver) => {
      const app = express();
      app.post('/webhooks', express.raw({ type: '*/*' }), expressReceiver(receiver));
      return listen(createServer(app));
    },
  ],
];

describe.each(withBodyParsers)('a body compressed on the way (content-encoding), through %s', (_adapter, serveWith) => {
  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const)('%s: decoded and verified over the bytes that were signed, as Standard Webhooks senders sign them', async (coding, compress) => {
    const handled: unknown[] = [];
    const url = await serveWith(createReceiver({ secrets: secret, handle: async (event) => void handled.push([event.payload, event.headers['content-encoding']]), onError: () => {} }));
    const request = signedRequest({ secrets: [secret], payload: { id: 'doc-1', text: 'x'.repeat(500) } });
    const answered = await post(url, { headers: { ...request.headers, 'content-encoding': coding }, body: compress(Buffer.from(request.body)) });
    expect(answered).toMatchObject({ status: 200, body: { outcome: 'processed', id: request.id } });
    // The handler sees the body it decodes, with no content-encoding claiming otherwise.
    expect(handled).toEqual([[{ id: 'doc-1', text: 'x'.repeat(500) }, undefined]]);
  });
});

describe.each(adapters)('a body compressed on the way, read by the adapter itself (%s)', (_adapter, serveWith) => {
  async function send(headers: Record<string, string>, body: Buffer, maxBodyBytes?: number) {
    const handled: unknown[] = [];
    const logged: string[] = [];
    const receiver = createReceiver({ secrets: secret, handle: async (event) => void handled.push(event.payload), onError: (error) => logged.push((error as Error).message) });
    const url = await serveWith(receiver, maxBodyBytes);
    return { answered: await post(url, { headers, body }), handled, logged };
  }

  it('in deflate without its zlib wrapper (raw deflate, as some senders send it), or x-gzip: decoded too', async () => {
    const request = signedRequest({ secrets: [secret] });
    expect((await send({ ...request.headers, 'content-encoding': 'deflate' }, deflateRawSync(Buffer.from(request.body)))).answered).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    const again = signedRequest({ secrets: [secret] });
    expect((await send({ ...again.headers, 'content-encoding': 'x-gzip' }, gzipSync(Buffer.from(again.body)))).answered).toMatchObject({ status: 200, body: { outcome: 'processed' } });
  });

  it('in a coding it does not decode: 415 naming the coding and the ones it decodes, not blame on the secret', async () => {
    const request = signedRequest({ secrets: [secret] });
    const { answered, handled } = await send({ ...request.headers, 'content-encoding': 'compress' }, Buffer.from(request.body));
    expect(answered).toMatchObject({
      status: 415,
      body: { outcome: 'rejected', error: { code: 'RECEIVER_ERR_UNSUPPORTED_ENCODING', message: expect.stringContaining('the body is sent with content-encoding: compress, and the receiver decodes only gzip, x-gzip, deflate, br') } },
    });
    expect(handled).toEqual([]);
  });

  it('already decoded by a proxy that left content-encoding: taken as given when it verifies as given, as before the adapters decoded', async () => {
    const request = signedRequest({ secrets: [secret] });
    const { answered, handled } = await send({ ...request.headers, 'content-encoding': 'gzip' }, Buffer.from(request.body));
    expect(answered).toMatchObject({ status: 200, body: { outcome: 'processed', id: request.id } });
    expect(handled).toEqual([JSON.parse(request.body)]);
  });

  it('that is not what its content-encoding says and does not verify as given either: 400 saying so', async () => {
    const request = signedRequest({ secrets: [newSecret()] });
    const { answered, handled } = await send({ ...request.headers, 'content-encoding': 'gzip' }, Buffer.from(request.body));
    expect(answered).toMatchObject({ status: 400, body: { error: { code: 'RECEIVER_ERR_BAD_ENCODING', message: expect.stringContaining('the body is not gzip data, as its content-encoding: gzip says') } } });
    expect(answered.body.error!.message).toContain('a proxy decoded it and left the header');
    expect(handled).toEqual([]);
  });

  it('listing a coding twice or more than two codings: 415 before decoding anything (each decode costs the shared thread pool)', async () => {
    const request = signedRequest({ secrets: [secret] });
    const twice = await send({ ...request.headers, 'content-encoding': 'gzip, gzip' }, gzipSync(gzipSync(Buffer.from(request.body))));
    expect(twice.answered).toMatchObject({ status: 415, body: { error: { code: 'RECEIVER_ERR_UNSUPPORTED_ENCODING', message: expect.stringContaining('the receiver decodes at most 2 codings, none of them twice') } } });
    const many = await send({ ...request.headers, 'content-encoding': Array.from({ length: 300 }, () => 'gzip').join(', ') }, Buffer.from(request.body));
    expect(many.answered).toMatchObject({ status: 415, body: { error: { message: expect.stringContaining('gzip, gzip, gzip, gzip, gzip, … (300 codings)') } } });
    expect([...twice.handled, ...many.handled]).toEqual([]);
    // A proxy's gzip over a sender's br is two codings, both decoded.
    const layered = signedRequest({ secrets: [secret] });
    expect((await send({ ...layered.headers, 'content-encoding': 'br, gzip' }, gzipSync(brotliCompressSync(Buffer.from(layered.body))))).answered).toMatchObject({ status: 200, body: { outcome: 'processed' } });
  });

  it('that is empty: received as the empty body it is (nothing to decode), like any empty body', async () => {
    const request = signedRequest({ secrets: [secret], body: '' });
    const { answered } = await send({ ...request.headers, 'content-encoding': 'gzip' }, Buffer.alloc(0));
    expect(answered).toMatchObject({ status: 400, body: { error: { code: 'RECEIVER_ERR_INVALID_JSON', message: expect.stringContaining('is empty, not JSON') } } });
  });

  it('that decodes to more than maxBodyBytes (a zip bomb): 413, without decoding it whole', async () => {
    const request = signedRequest({ secrets: [secret], payload: { text: 'x'.repeat(50_000) } });
    const compressed = gzipSync(Buffer.from(request.body));
    expect(compressed.length).toBeLessThan(1000);
    const { answered, handled } = await send({ ...request.headers, 'content-encoding': 'gzip' }, compressed, 1000);
    expect(answered).toMatchObject({ status: 413, body: { error: { code: 'RECEIVER_ERR_BODY_TOO_LARGE', message: expect.stringContaining('the body decoded from gzip is more than the 1000 bytes this receiver accepts') } } });
    expect(handled).toEqual([]);
  });
});

describe('a router of your own that hands receiver.handle() a body still content-encoded', () => {
  it('is refused 415 with the fix — decode it, or use an adapter — not 401 blaming the secret; one already decoded is taken as given', async () => {
    const receiver = createReceiver({ secrets: secret, handle: async () => {}, onError: () => {} });
    const request = signedRequest({ secrets: [secret] });
    const answer = await receiver.handle({ headers: { ...request.headers, 'content-encoding': 'GZIP' }, body: gzipSync(Buffer.from(request.body)) });
    expect(answer).toMatchObject({ status: 415, outcome: 'rejected', error: { code: 'RECEIVER_ERR_UNSUPPORTED_ENCODING' } });
    expect((answer.error as Error).message).toContain('reached the receiver with content-encoding: gzip and no signature matches it as given: receiver.verify() and handle() take the decoded bytes');
    // Decoded by the host's own code that kept the header (NestJS's rawBody, Koa's raw-body): taken as given.
    const decoded = signedRequest({ secrets: [secret] });
    expect(await receiver.handle({ headers: { ...decoded.headers, 'content-encoding': 'gzip' }, body: decoded.body })).toMatchObject({ status: 200, outcome: 'processed' });
    // Decoded, but signed with another secret: the secret is blamed, not the encoding.
    const other = signedRequest({ secrets: [newSecret()] });
    expect(await receiver.handle({ headers: { ...other.headers, 'content-encoding': 'gzip' }, body: other.body })).toMatchObject({ status: 401, error: { code: 'RECEIVER_ERR_BAD_SIGNATURE' } });
    // identity is no coding at all.
    expect(await receiver.handle({ headers: { ...request.headers, 'content-encoding': 'identity' }, body: request.body })).toMatchObject({ status: 200 });
  });
});

describe.each(adapters)('a content-type no parser reads (a hand-written sender, a proxy that adds the header again), through %s', (_adapter, serveWith) => {
  it.each(['json', '', 'application/json, application/json', 'application/json; charset'])('"%s": verified and handled like any other, the same answer from every adapter', async (contentType) => {
    const handled: unknown[] = [];
    const url = await serveWith(createReceiver({ secrets: secret, handle: async (event) => void handled.push(event.payload), onError: () => {} }));
    const request = signedRequest({ secrets: [secret] });
    expect(await post(url, { ...request, headers: { ...request.headers, 'content-type': contentType } })).toMatchObject({ status: 200, body: { outcome: 'processed', id: request.id } });
    expect(await post(url, { headers: { ...signedRequest({ secrets: [newSecret()] }).headers, 'content-type': contentType }, body: '{}' })).toMatchObject({ status: 401, body: { outcome: 'rejected', error: { code: 'RECEIVER_ERR_BAD_SIGNATURE' } } });
    expect(handled).toEqual([{ id: 'doc-1' }]);
  });

  it('and a body over maxBodyBytes: 413 as with any content type', async () => {
    const url = await serveWith(createReceiver({ secrets: secret, handle: async () => {}, onError: () => {} }), 1000);
    const request = signedRequest({ secrets: [secret], payload: { text: 'x'.repeat(2000) } });
    expect(await post(url, { ...request, headers: { ...request.headers, 'content-type': 'json' } })).toMatchObject({ status: 413, body: { outcome: 'rejected', error: { code: 'RECEIVER_ERR_BODY_TOO_LARGE' } } });
  });
});

describe('a CloudEvents sender that sets no webhook-id (Knative, Azure Event Grid), received unsigned', () => {
  it('has a re-send of one event — the same source and id — answered duplicate, in binary and in structured mode; another source or id is another event', async () => {
    const handled: unknown[] = [];
    const url = await serve(createReceiver({ unsigned: true, handle: async (event) => void handled.push(event.payload) }));
    const binary = (source: string, id: string) =>
      post(url, { headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': source, 'ce-type': 'com.example.order.created' }, body: JSON.stringify({ order: `${source} ${id}` }) });
    const structured = (source: string, id: string) =>
      post(url, { headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify({ specversion: '1.0', id, source, type: 'com.example.order.created', data: { order: `${source} ${id} structured` } }) });
    expect(await binary('/shop', 'A-1')).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    expect(await binary('/shop', 'A-1')).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
    expect(await binary('/other-shop', 'A-1')).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    expect(await structured('/shop', 'A-2')).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    expect(await structured('/shop', 'A-2')).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
    // One event, whichever mode carries it.
    expect(await binary('/shop', 'A-2')).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
    expect(handled).toEqual([{ order: '/shop A-1' }, { order: '/other-shop A-1' }, { order: '/shop A-2 structured' }]);
  });

  it('has the event handled again after its handler failed (the claim released), and names the CloudEvent in the failure', async () => {
    let calls = 0;
    const errors: string[] = [];
    const url = await serve(
      createReceiver({
        unsigned: true,
        handle: async () => {
          calls += 1;
          if (calls === 1) throw new Error('index down');
        },
        onError: (error) => void errors.push((error as Error).message),
      }),
    );
    const send = () => post(url, { headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': 'B-1', 'ce-source': '/shop', 'ce-type': 'com.example.order.created' }, body: '{}' });
    expect(await send()).toMatchObject({ status: 500, body: { outcome: 'failed' } });
    expect(await send()).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    expect(await send()).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
    expect(calls).toBe(2);
    expect(errors).toEqual([expect.stringContaining('failed for the CloudEvent "B-1" of "/shop": index down')]);
  });
});
