import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createReceiver, type ReceiverAnswer } from '../receiver';
import { post } from '../test-support/post';
import { newSecret, signedRequest } from '../test-support/signed-request';
import { createNodeHandler } from './node-http';

describe('createNodeHandler (node:http)', () => {
  const secret = newSecret();
  const handled: unknown[] = [];
  const errors: ReceiverAnswer[] = [];
  const receiver = createReceiver({ secrets: secret, handle: async (event) => void handled.push(event.payload), onError: (_, answer) => errors.push(answer) });
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer(createNodeHandler(receiver, { maxBodyBytes: 1000 }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    handled.length = 0;
    errors.length = 0;
  });

  it('refuses a maxBodyBytes given as text, showing it as a string', () => {
    expect(() => createNodeHandler(receiver, { maxBodyBytes: '1mb' } as never)).toThrow(expect.objectContaining({ code: 'RECEIVER_ERR_INVALID_OPTIONS', message: expect.stringContaining('maxBodyBytes is the string "1mb"; use a whole number of bytes') }));
  });

  it('verifies the raw bytes as sent — spacing and escapes that re-serialising would change — and answers 200, then 200 duplicate', async () => {
    const request = signedRequest({ secrets: [secret], body: '{ "id" : "doc-1",\n  "title": "caf\\u00e9 ✓" }' });
    expect(await post(url, request)).toMatchObject({ status: 200, body: { outcome: 'processed', id: request.id } });
    expect(await post(url, request)).toMatchObject({ status: 200, body: { outcome: 'duplicate', id: request.id } });
    expect(handled).toEqual([{ id: 'doc-1', title: 'café ✓' }]);
  });

  it('reads a chunked body (no content-length)', async () => {
    const request = signedRequest({ secrets: [secret], payload: { id: 'doc-2', text: 'x'.repeat(300) } });
    const chunks = [request.body.slice(0, 100), request.body.slice(100, 250), request.body.slice(250)];
    expect(await post(url, { headers: request.headers, chunks })).toMatchObject({ status: 200, body: { outcome: 'processed' } });
  });

  it('answers 401 with the cause to a forged request', async () => {
    const forged = signedRequest({ secrets: [newSecret()] });
    const answered = await post(url, forged);
    expect(answered).toMatchObject({ status: 401, body: { outcome: 'rejected', error: { code: 'RECEIVER_ERR_BAD_SIGNATURE' } } });
    expect(handled).toEqual([]);
  });

  it('answers 413 to a body over maxBodyBytes, by its content-length or once read, and closes the connection', async () => {
    const big = signedRequest({ secrets: [secret], payload: { text: 'x'.repeat(2000) } });
    const declared = await post(url, big);
    expect(declared).toMatchObject({ status: 413, body: { outcome: 'rejected', error: { code: 'RECEIVER_ERR_BODY_TOO_LARGE' } } });
    expect(declared.headers.connection).toBe('close');
    const streamed = await post(url, { headers: big.headers, chunks: [big.body.slice(0, 900), big.body.slice(900)] });
    expect(streamed).toMatchObject({ status: 413, body: { error: { code: 'RECEIVER_ERR_BODY_TOO_LARGE' } } });
    // Its size unknown (no content-length): said once, not "is over 1000 bytes, more than the 1000 bytes".
    expect(streamed.body.error!.message).toMatch(/^RECEIVER_ERR_BODY_TOO_LARGE: the body passed the 1000 bytes this receiver accepts \(maxBodyBytes\) and was read no further; raise maxBodyBytes/);
    expect(handled).toEqual([]);
    expect(errors.map((a) => a.status)).toEqual([413, 413]);
  });

  describe('a request some code before the handler paused or read from', () => {
    const others: Server[] = [];
    const serveWith = async (listener: (request: IncomingMessage, response: ServerResponse) => void) => {
      const other = createServer(listener);
      others.push(other);
      await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(other.address() as AddressInfo).port}/webhooks`;
    };
    afterEach(async () => {
      for (const other of others.splice(0)) {
        other.closeAllConnections();
        await new Promise<void>((resolve) => other.close(() => resolve()));
      }
    });
    const handler = createNodeHandler(receiver);

    it('reads one paused by a middleware that awaited something (an auth check) — it waited for ever before', async () => {
      const url = await serveWith((request, response) => {
        request.pause();
        setImmediate(() => handler(request, response));
      });
      const request = signedRequest({ secrets: [secret], payload: { id: 'doc-paused' } });
      expect(await post(url, request)).toMatchObject({ status: 200, body: { outcome: 'processed', id: request.id } });
      expect(handled).toEqual([{ id: 'doc-paused' }]);
    });

    it("refuses one whose body a 'data' listener already took part of 500 BODY_NOT_RAW with the fix, not 401 blaming the secret", async () => {
      // A middleware that peeks at the first chunk, then hands the request on.
      const url = await serveWith((request, response) => void request.once('data', () => handler(request, response)));
      const request = signedRequest({ secrets: [secret], payload: { id: 'doc-peeked', text: 'x'.repeat(300) } });
      expect(await post(url, { headers: request.headers, chunks: [request.body.slice(0, 100), request.body.slice(100)] })).toMatchObject({ status: 500, body: { outcome: 'failed', error: { code: 'RECEIVER_ERR_BODY_NOT_RAW' } } });
      expect(handled).toEqual([]);
      expect(errors).toEqual([expect.objectContaining({ error: expect.objectContaining({ message: expect.stringContaining('a request whose body was partly read already') }) })]);
    });
  });

  it('answers 405 to anything but POST', async () => {
    const answered = await post(url, { headers: {}, method: 'PUT' });
    expect(answered.status).toBe(405);
    expect(answered.headers.allow).toBe('POST');
    // Coded, as every other refusal: it was { error: { message } } alone.
    expect(answered.body).toEqual({ error: { code: 'RECEIVER_ERR_METHOD_NOT_ALLOWED', message: 'RECEIVER_ERR_METHOD_NOT_ALLOWED: PUT is not how webhooks arrive: they are received with POST; send the request as a POST (Allow: POST)' } });
  });

  it('refuses options it cannot use', () => {
    expect(() => createNodeHandler(receiver, { maxBodyBytes: 0 })).toThrow(expect.objectContaining({ code: 'RECEIVER_ERR_INVALID_OPTIONS' }));
    expect(() => createNodeHandler({} as never)).toThrow(/needs a receiver made by createReceiver/);
    // A typo must not leave the default limit in place silently.
    expect(() => createNodeHandler(receiver, { maxBodySize: 10 } as never)).toThrow(expect.objectContaining({ code: 'RECEIVER_ERR_INVALID_OPTIONS', message: expect.stringMatching(/createNodeHandler\(\) does not know the option maxBodySize \(did you mean maxBodyBytes\?\)/) }));
  });
});
