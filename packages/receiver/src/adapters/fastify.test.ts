import Fastify, { type FastifyInstance } from 'fastify';
import { createReceiver } from '../receiver';
import { post } from '../test-support/post';
import { newSecret, signedRequest } from '../test-support/signed-request';
import { fastifyReceiver } from './fastify';

describe('fastifyReceiver (Fastify 5)', () => {
  const secret = newSecret();
  const handled: unknown[] = [];
  const receiver = createReceiver({ secrets: secret, handle: async (event) => void handled.push(event.payload) });
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    app = Fastify();
    await app.register(fastifyReceiver, { receiver, prefix: '/webhooks', maxBodyBytes: 1000 });
    app.post('/api/echo', async (request) => request.body);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());
  beforeEach(() => {
    handled.length = 0;
  });

  it('verifies the raw bytes under its prefix, and leaves JSON parsing of the app’s other routes alone', async () => {
    const request = signedRequest({ secrets: [secret], body: '{"id": "doc-1", "title": "caf\\u00e9"}' });
    expect(await post(`${url}/webhooks`, request)).toMatchObject({ status: 200, body: { outcome: 'processed', id: request.id } });
    expect(await post(`${url}/webhooks/`, request)).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
    expect(handled).toEqual([{ id: 'doc-1', title: 'café' }]);
    expect((await post(`${url}/api/echo`, { headers: { 'content-type': 'application/json' }, body: '{"a":1}' })).body).toEqual({ a: 1 });
  });

  it('takes any content type (CloudEvents, none) as bytes', async () => {
    const request = signedRequest({ secrets: [secret], body: JSON.stringify({ specversion: '1.0', id: 'msg_ce', source: '/s', type: 'Umbraco.ContentPublish', data: { id: 'doc-1' } }) });
    expect(await post(`${url}/webhooks`, { ...request, headers: { ...request.headers, 'content-type': 'application/cloudevents+json' } })).toMatchObject({ status: 200 });
    const bare = signedRequest({ secrets: [secret] });
    delete bare.headers['content-type'];
    expect(await post(`${url}/webhooks`, bare)).toMatchObject({ status: 200 });
  });

  it('answers 401 to a forged request and 413 to a body over maxBodyBytes, with the kit’s codes', async () => {
    expect(await post(`${url}/webhooks`, signedRequest({ secrets: [newSecret()] }))).toMatchObject({ status: 401, body: { error: { code: 'RECEIVER_ERR_BAD_SIGNATURE' } } });
    const big = signedRequest({ secrets: [secret], payload: { text: 'x'.repeat(2000) } });
    expect(await post(`${url}/webhooks`, big)).toMatchObject({ status: 413, body: { outcome: 'rejected', error: { code: 'RECEIVER_ERR_BODY_TOO_LARGE' } } });
    expect(handled).toEqual([]);
  });

  it('answers 405 with Allow: POST to other methods on its route, as the other adapters do, and leaves other paths to Fastify', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const answered = await post(`${url}/webhooks`, { headers: {}, method });
      expect([method, answered.status, answered.headers.allow]).toEqual([method, 405, 'POST']);
    }
    // Coded, as every other refusal: it was { error: { message } } alone.
    expect((await post(`${url}/webhooks`, { headers: {}, method: 'GET' })).body).toEqual({ error: { code: 'RECEIVER_ERR_METHOD_NOT_ALLOWED', message: 'RECEIVER_ERR_METHOD_NOT_ALLOWED: GET is not how webhooks arrive: they are received with POST; send the request as a POST (Allow: POST)' } });
    expect((await post(`${url}/webhooks/elsewhere`, { headers: {}, method: 'GET' })).status).toBe(404);
    expect(handled).toEqual([]);
  });

  it('refuses an option it does not know, naming the nearest, and a path without a leading /', async () => {
    const typo = Fastify();
    await expect(typo.register(fastifyReceiver, { receiver, prefix: '/webhooks', maxBodyByte: 5 } as never).ready()).rejects.toMatchObject({
      code: 'RECEIVER_ERR_INVALID_OPTIONS',
      message: expect.stringContaining('fastifyReceiver does not know the option maxBodyByte (did you mean maxBodyBytes?)'),
    });
    await typo.close();
    const badPath = Fastify();
    await expect(badPath.register(fastifyReceiver, { receiver, path: 'cms' }).ready()).rejects.toMatchObject({ code: 'RECEIVER_ERR_INVALID_OPTIONS', message: expect.stringContaining('path is the string "cms"; give a route path under the prefix that starts with /') });
    await badPath.close();
    const numberPath = Fastify();
    await expect(numberPath.register(fastifyReceiver, { receiver, path: 5 } as never).ready()).rejects.toMatchObject({ code: 'RECEIVER_ERR_INVALID_OPTIONS', message: expect.stringContaining('path is 5; give') });
    await numberPath.close();
  });

  it('says how to register it when it is called with the receiver, or given the receiver as its options', async () => {
    const called = Fastify();
    await expect(called.register((fastifyReceiver as unknown as (r: unknown) => never)(receiver)).ready()).rejects.toMatchObject({
      code: 'RECEIVER_ERR_INVALID_OPTIONS',
      message: expect.stringContaining("fastifyReceiver is a Fastify plugin to register, not a function to call: app.register(fastifyReceiver, { receiver, prefix: '/webhooks' })"),
    });
    await called.close();
    const bare = Fastify();
    await expect(bare.register(fastifyReceiver, receiver as never).ready()).rejects.toMatchObject({ message: expect.stringContaining('fastifyReceiver was given the receiver as its options; give it as one of them') });
    await bare.close();
  });

  it('refuses to register without a receiver', async () => {
    const other = Fastify();
    await expect(other.register(fastifyReceiver, {} as never).ready()).rejects.toThrow(/fastifyReceiver needs a receiver/);
    await other.close();
  });
});
