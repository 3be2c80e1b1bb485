import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DedupeStore } from './dedupe/dedupe-store';
import { createNodeHandler } from './adapters/node-http';
import { createReceiver, type AnyReceiver, type ReceiverAnswer } from './receiver';
import { post } from './test-support/post';
import { newId, newSecret, signedRequest } from './test-support/signed-request';

// What real senders, stores and proxies hand a receiver, sent over real HTTP to a node:http server
// on 127.0.0.1. Each case here once got a wrong answer (see the commit that added it).

const secret = newSecret();
const servers: Server[] = [];

async function serve(receiver: AnyReceiver): Promise<string> {
  const server = createServer(createNodeHandler(receiver));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
}

afterEach(() => Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve())))));

describe('a dedupe store of your own', () => {
  // Stores as people write them before reading the contract: each made the receiver take every
  // delivery as "claimed, nothing to complete" — the handler ran on every redelivery, silently.
  const misanswers: [string, unknown, RegExp][] = [
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
