import { runInNewContext } from 'node:vm';
import { createReceiver, type ReceiverAnswer } from './receiver';
import { newSecret, signedRequest } from './test-support/signed-request';

// handle() reads the body by internal slots, not instanceof: bytes made in another realm (a vm
// context) are bytes, and a Proxy — which instanceof sees through and which throws on every probe
// once revoked — is refused coded with the fix, never RECEIVER_ERR_INTERNAL.
describe('handle() given bytes from another realm, or a Proxy, as the body', () => {
  const secret = newSecret();
  const errors: unknown[] = [];
  const receiver = createReceiver({ secrets: secret, dedupe: false, handle: async () => {}, onError: (error) => void errors.push(error) });
  const verdict = (answer: ReceiverAnswer) => [answer.status, answer.outcome, (JSON.parse(answer.body) as { error?: { code: string } }).error?.code];
  const foreign = runInNewContext('({ Uint8Array, DataView })') as { Uint8Array: Uint8ArrayConstructor; DataView: DataViewConstructor };
  const revoked = () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  };

  afterEach(() => void (errors.length = 0));

  it("gives another realm's Uint8Array, DataView and ArrayBuffer the verdict of the Buffer of the same bytes", async () => {
    for (const signed of [signedRequest({ secrets: [secret] }), signedRequest({ secrets: [newSecret()] })]) {
      const bytes = Buffer.from(signed.body);
      const copy = new foreign.Uint8Array(bytes);
      expect(copy instanceof Uint8Array).toBe(false);
      const expected = verdict(await receiver.handle({ headers: signed.headers, body: bytes }));
      for (const body of [copy, new foreign.DataView(copy.buffer), copy.buffer]) {
        expect(verdict(await receiver.handle({ headers: signed.headers, body }))).toEqual(expected);
      }
    }
  });

  it.each([
    ['a revoked Proxy', revoked],
    ['a Proxy around the Buffer of the signed bytes', () => new Proxy(Buffer.from('{"id":"doc-1"}'), {})],
  ])('refuses %s 500 RECEIVER_ERR_BODY_NOT_RAW naming it and the fix, not RECEIVER_ERR_INTERNAL', async (_, body) => {
    const signed = signedRequest({ secrets: [secret], body: '{"id":"doc-1"}' });
    const answer = await receiver.handle({ headers: signed.headers, body: body() as never });
    expect(verdict(answer)).toEqual([500, 'failed', 'RECEIVER_ERR_BODY_NOT_RAW']);
    expect(errors).toEqual([expect.objectContaining({ code: 'RECEIVER_ERR_BODY_NOT_RAW', message: expect.stringContaining('the body reached the receiver as a Proxy, not as the raw bytes that were signed') })]);
    expect((errors[0] as Error).message).toContain('pass the bytes themselves — a Buffer, Uint8Array, ArrayBuffer or string');
  });

  it('refuses a body that throws when read (an object whose prototype is a revoked Proxy) 500 RECEIVER_ERR_BODY_NOT_RAW, not RECEIVER_ERR_INTERNAL', async () => {
    const signed = signedRequest({ secrets: [secret] });
    const answer = await receiver.handle({ headers: signed.headers, body: Object.create(revoked() as object) as never });
    expect(verdict(answer)).toEqual([500, 'failed', 'RECEIVER_ERR_BODY_NOT_RAW']);
    expect((errors[0] as Error).message).toMatch(/the body reached the receiver as a value that threw when read \(.*revoked.*\), not as the raw bytes that were signed; pass the bytes themselves/);
  });
});
