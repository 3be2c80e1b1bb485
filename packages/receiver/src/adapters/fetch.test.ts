import { request as httpRequest, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { createReceiver, type ReceiverAnswer } from '../receiver';
import { post } from '../test-support/post';
import { serveFetch } from '../test-support/serve-fetch';
import { newSecret, signedRequest } from '../test-support/signed-request';
import { createFetchHandler } from './fetch';

describe('createFetchHandler (a fetch Request: Hono, Next.js route handlers, Bun, Deno)', () => {
  const secret = newSecret();
  const handled: unknown[] = [];
  const errors: ReceiverAnswer[] = [];
  const receiver = createReceiver({ secrets: secret, handle: async (event) => void handled.push(event.payload), onError: (_, answer) => errors.push(answer) });
  const servers: Server[] = [];
  const serve = async (...args: Parameters<typeof serveFetch>) => {
    const { url, server } = await serveFetch(...args);
    servers.push(server);
    return url;
  };
  afterEach(async () => {
    handled.length = 0;
    errors.length = 0;
    await Promise.all(
      servers.splice(0).map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
  });

  it('verifies the raw bytes as sent and answers 200 processed, then 200 duplicate', async () => {
    const url = await serve(createFetchHandler(receiver));
    const request = signedRequest({ secrets: [secret], body: '{ "id" : "doc-1",\n  "title": "caf\\u00e9 ✓" }' });
    expect(await post(url, request)).toMatchObject({ status: 200, body: { outcome: 'processed', id: request.id } });
    expect(await post(url, request)).toMatchObject({ status: 200, body: { outcome: 'duplicate', id: request.id } });
    expect(handled).toEqual([{ id: 'doc-1', title: 'café ✓' }]);
  });

  it('answers a body over maxBodyBytes 413 by its content-length, and a chunked one as soon as it passes the cap — without waiting for a body that never ends', async () => {
    const url = await serve(createFetchHandler(receiver, { maxBodyBytes: 1000 }));
    const big = signedRequest({ secrets: [secret], payload: { text: 'x'.repeat(2000) } });
    expect(await post(url, big)).toMatchObject({ status: 413, body: { outcome: 'rejected', error: { code: 'RECEIVER_ERR_BODY_TOO_LARGE' } } });
    // 1500 bytes and the request left open: `await request.arrayBuffer()` waits for the rest for ever.
    const streamed = await new Promise<number>((resolve, reject) => {
      const open = httpRequest(url, { method: 'POST', headers: big.headers, agent: false }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
        open.destroy();
      });
      open.on('error', reject);
      open.write(big.body.slice(0, 1500));
    });
    expect(streamed).toBe(413);
    expect(handled).toEqual([]);
    expect(errors.map((answer) => answer.error)).toEqual([expect.objectContaining({ code: 'RECEIVER_ERR_BODY_TOO_LARGE' }), expect.objectContaining({ code: 'RECEIVER_ERR_BODY_TOO_LARGE' })]);
  });

  it('decodes a gzip body and verifies what it decodes to, capped at maxBodyBytes (a small gzip of a large body is 413)', async () => {
    const url = await serve(createFetchHandler(receiver, { maxBodyBytes: 1000 }));
    const request = signedRequest({ secrets: [secret], payload: { id: 'doc-gz' } });
    expect(await post(url, { headers: { ...request.headers, 'content-encoding': 'gzip' }, body: gzipSync(request.body) })).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    expect(handled).toEqual([{ id: 'doc-gz' }]);
    const bomb = signedRequest({ secrets: [secret], payload: { text: 'x'.repeat(100_000) } });
    const compressed = gzipSync(bomb.body);
    expect(compressed.length).toBeLessThan(1000);
    expect(await post(url, { headers: { ...bomb.headers, 'content-encoding': 'gzip' }, body: compressed })).toMatchObject({ status: 413, body: { error: { code: 'RECEIVER_ERR_BODY_TOO_LARGE' } } });
  });

  it('answers anything but POST 405 with Allow: POST, as the other adapters do', async () => {
    const url = await serve(createFetchHandler(receiver));
    const answered = await post(url, { headers: {}, method: 'GET' });
    expect(answered.status).toBe(405);
    expect(answered.headers.allow).toBe('POST');
    expect(answered.body.error?.code).toBe('RECEIVER_ERR_METHOD_NOT_ALLOWED');
  });

  it('refuses a Request whose body a middleware already read 500 BODY_NOT_RAW with the fix, so the sender retries once it is fixed', async () => {
    const url = await serve(createFetchHandler(receiver), (request) => request.json());
    const answered = await post(url, signedRequest({ secrets: [secret] }));
    expect(answered).toMatchObject({ status: 500, body: { outcome: 'failed', error: { code: 'RECEIVER_ERR_BODY_NOT_RAW' } } });
    expect((errors[0]?.error as Error).message).toContain('hand over the request before anything reads its body, or request.clone() before reading it');
    expect(handled).toEqual([]);
  });

  it('refuses a Request whose body a middleware holds a reader on 500 BODY_NOT_RAW with the fix, rather than throw a TypeError with no code', async () => {
    const url = await serve(createFetchHandler(receiver), async (request) => request.body?.getReader());
    const answered = await post(url, signedRequest({ secrets: [secret] }));
    expect(answered).toMatchObject({ status: 500, body: { outcome: 'failed', error: { code: 'RECEIVER_ERR_BODY_NOT_RAW' } } });
    expect((errors[0]?.error as Error).message).toContain('its body locked to a reader');
    expect(handled).toEqual([]);
  });

  it("says what to pass when given Hono's context or its request wrapper instead of the Request", async () => {
    const raw = new Request('http://127.0.0.1/webhooks', { method: 'POST', body: '{}' });
    const handler = createFetchHandler(receiver);
    const answered = await handler({ req: { raw } } as never);
    expect(answered.status).toBe(500);
    expect(await answered.json()).toMatchObject({ error: { code: 'RECEIVER_ERR_BODY_NOT_RAW' } });
    expect((errors[0]?.error as Error).message).toContain('(a Hono context: pass c.req.raw)');
    await handler({ raw } as never);
    expect((errors[1]?.error as Error).message).toContain('(it holds one as .raw: pass c.req.raw)');
  });

  it('refuses options it cannot use, as the other adapters do', () => {
    expect(() => createFetchHandler(receiver, { maxBodyBytes: '1mb' } as never)).toThrow(expect.objectContaining({ code: 'RECEIVER_ERR_INVALID_OPTIONS', message: expect.stringContaining('maxBodyBytes is the string "1mb"') }));
    expect(() => createFetchHandler({ receiver } as never)).toThrow(expect.objectContaining({ message: expect.stringContaining('pass the receiver itself, createFetchHandler(receiver)') }));
  });
});
