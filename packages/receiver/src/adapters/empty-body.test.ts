import { createReceiver } from '../receiver';
import { post } from '../test-support/post';
import { closeServers, everyAdapter } from '../test-support/serve';
import { newSecret, signedRequest } from '../test-support/signed-request';

// A request signed over its payload that arrives with no body — a sender's fetch(url, { method:
// 'POST', headers }) without it, or a body lost on the way; gzip-labelled too, which decodes to the
// empty body it is — over real HTTP through every adapter: 401 saying the body is empty, where it
// blamed the secret.

afterEach(closeServers);

const secret = newSecret();

describe.each(everyAdapter)('a signed request that arrives with an empty body, through %s', (_name, serve) => {
  it.each([
    ['no content-encoding', {}],
    ['content-encoding: gzip', { 'content-encoding': 'gzip' }],
  ])('with %s: 401 BAD_SIGNATURE saying the body is empty, not blaming the secret', async (_label, extra) => {
    const messages: string[] = [];
    const url = await serve(createReceiver({ secrets: secret, handle: async () => {}, onError: (error) => void messages.push((error as Error).message) }));
    const signed = signedRequest({ secrets: [secret], payload: { id: 'doc-1' } });
    const answered = await post(url, { headers: { ...signed.headers, ...extra }, body: '' });
    expect(answered).toMatchObject({ status: 401, body: { outcome: 'rejected', error: { code: 'RECEIVER_ERR_BAD_SIGNATURE', message: expect.stringContaining('and the request has an empty body') } } });
    expect(messages).toEqual([expect.not.stringContaining('the secret is not the webhook')]);
  });
});
