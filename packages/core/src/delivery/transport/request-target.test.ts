import { startTestReceiver, type TestReceiver } from '../../testing/test-receiver';
import { createHttpTransport } from './http-transport';
import type { SsrfPolicySource } from './ssrf-guard';
import { createUndiciTransport } from './undici-transport';

// The app refuses a URL with credentials before an attempt (wire-fidelity.test.ts); these are the
// transports as a host calls them itself.
describe.each([
  ['axios', createHttpTransport],
  ['undici', createUndiciTransport],
] as const)('the %s transport called directly', (_name, create) => {
  let receiver: TestReceiver;
  const settings: SsrfPolicySource = { current: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] } } };

  beforeEach(async () => {
    receiver = await startTestReceiver();
  });
  afterEach(() => receiver.close());

  it('sends nothing to a URL with credentials, and never shows them: axios sent them as Basic authorization, undici dropped them', async () => {
    const transport = create({ settings });
    try {
      const url = `http://hook-user:s3cret@127.0.0.1:${receiver.port}/hook`;
      const result = await transport.send({ url, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') }, { timeoutMs: 2000, maxResponseBodyBytes: 1024 });
      expect(result).toMatchObject({ ok: false, errorKind: 'invalid' });
      const message = (result as { message: string }).message;
      expect(message).toBe(
        `not sent: http://***@127.0.0.1:${receiver.port}/hook holds credentials (user:password@), which a transport never sends from a URL (axios sent them as Basic authorization, undici dropped them); send them in a header such as Authorization`,
      );
      expect(receiver.requests).toHaveLength(0);
      // The same receiver without them is reached: the refusal is the credentials'.
      const plain = await transport.send({ url: receiver.url, headers: {}, body: Buffer.from('{}') }, { timeoutMs: 2000, maxResponseBodyBytes: 1024 });
      expect(plain).toMatchObject({ ok: true, response: { statusCode: 200 } });
    } finally {
      await transport.close();
    }
  });

  it('masks the credentials of a URL it cannot parse', async () => {
    const transport = create({ settings });
    try {
      const result = await transport.send({ url: 'http://user:pw@exa mple.com:99999/', headers: {}, body: Buffer.from('{}') }, { timeoutMs: 2000, maxResponseBodyBytes: 1024 });
      expect(result).toMatchObject({ ok: false, errorKind: 'invalid', message: 'http://***@exa mple.com:99999/ is not an absolute URL' });
    } finally {
      await transport.close();
    }
  });
});
