import { createReceiver, type ReceiverAnswer } from './receiver';
import { post } from './test-support/post';
import { closeServers, everyAdapter } from './test-support/serve';
import { newSecret, signedRequest } from './test-support/signed-request';

// Whatever a handler throws or rejects with is the handler's failure: 500 RECEIVER_ERR_HANDLER_FAILED,
// so the sender retries and onError names the handler — never the receiver's own RECEIVER_ERR_INTERNAL.

const secret = newSecret();

afterEach(closeServers);

const revoked = Proxy.revocable({}, {});
revoked.revoke();
const throwing = () => {
  throw new Error('trap');
};
const thrown: [string, () => unknown, RegExp][] = [
  ['an object whose toString throws', () => ({ toString: throwing }), /\(a thrown object that cannot be turned into text\)/],
  ['an error whose message getter throws', () => Object.defineProperty(new Error('hidden'), 'message', { get: throwing }), /\(a thrown object that cannot be turned into text\)/],
  ['a Proxy whose every trap throws', () => new Proxy({}, { get: throwing, getPrototypeOf: throwing, has: throwing, ownKeys: throwing, getOwnPropertyDescriptor: throwing, apply: throwing }), /\(a thrown object that cannot be turned into text\)/],
  ['a revoked Proxy', () => revoked.proxy, /\(a thrown object that cannot be turned into text\)/],
  ['a Symbol', () => Symbol('odd'), /failed for .*: Symbol\(odd\);/],
  ['null', () => null, /failed for .*: null;/],
  ['undefined', () => undefined, /failed for .*: undefined;/],
];

describe.each(everyAdapter)('a handler throwing anything, through %s', (_adapter, serveWith) => {
  it.each(thrown)('answers %s thrown or rejected with the handler-failure answer, naming the handler', async (_what, make, said) => {
    for (const how of ['throws', 'rejects'] as const) {
      const errors: unknown[] = [];
      const url = await serveWith(
        createReceiver({
          secrets: secret,
          onError: (error: unknown, answer: ReceiverAnswer) => void errors.push([answer.status, error]),
          handle: how === 'throws'
            ? () => {
                throw make();
              }
            : () => Promise.reject(make()),
        }),
      );
      const answered = await post(url, signedRequest({ secrets: [secret], payload: { id: 'doc-1' } }));
      // Before: RECEIVER_ERR_INTERNAL for the first four, as describing the thrown value threw.
      expect([how, answered.status, answered.body]).toEqual([how, 500, { outcome: 'failed', id: expect.any(String), error: { code: 'RECEIVER_ERR_HANDLER_FAILED' } }]);
      expect(errors).toHaveLength(1);
      const [status, error] = errors[0] as [number, Error & { code: string }];
      expect([status, error.code]).toEqual([500, 'RECEIVER_ERR_HANDLER_FAILED']);
      expect(error.message).toMatch(said);
      await closeServers();
    }
  });
});

describe("a handler's error of megabytes", () => {
  it('is quoted cut at 1,000 characters in RECEIVER_ERR_HANDLER_FAILED, saying how long it was, never inside a surrogate pair', async () => {
    for (const [what, message] of [
      ['a plain message', 'x'.repeat(5_000_000)],
      ['a message whose 1,000th character starts a surrogate pair', `${'x'.repeat(999)}${'😀'.repeat(10)}`],
    ] as const) {
      const errors: Error[] = [];
      const receiver = createReceiver({
        secrets: secret,
        onError: (error: unknown) => void errors.push(error as Error),
        handle: () => {
          throw new Error(message);
        },
      });
      const answered = await receiver.handle(signedRequest({ secrets: [secret], payload: { id: 'doc-1' } }));
      expect([what, answered.status, errors]).toEqual([what, 500, [expect.objectContaining({ code: 'RECEIVER_ERR_HANDLER_FAILED' })]]);
      const quoted = /failed for .*?: (.*); the sender will retry/s.exec(errors[0]!.message)![1]!;
      expect(quoted).toBe(`${message.slice(0, 999)}${what === 'a plain message' ? 'x' : ''}… (${message.length} characters)`);
      expect(errors[0]!.message.length).toBeLessThan(1_300);
    }
  });
});
