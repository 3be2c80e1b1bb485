import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { generateSecret, signatureHeader } from '@hookwork/core';
import { createNodeHandler, createReceiver, TIMESTAMP_TOLERANCE_SECONDS, type ReceiverAnswer } from '@hookwork/receiver';

// Wire compatibility in both directions, over real HTTP on 127.0.0.1: a request signed by hookwork's
// sender (core's signatureHeader) or by the official Standard Webhooks library (`standardwebhooks`,
// Webhook.sign) is sent byte for byte to two servers — @hookwork/receiver behind createNodeHandler,
// and a plain node:http server that verifies with the library — and both must reach the same verdict.
// (reference-compat.test.ts in the package compares header forms in process; this one is what a
// receiver team meets: another signer, the real wire, rotation, the clock's edges, non-ASCII bodies.)

const closers: (() => Promise<unknown>)[] = [];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
}

async function rawBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The library as a receiver writes it with it: raw bytes and the request's headers, 204 or 401. */
function referenceServer(secrets: string[]): Promise<string> {
  return listen(
    createServer((request, response) => {
      void rawBody(request).then((body) => {
        const accepted = secrets.some((secret) => {
          try {
            new Webhook(secret).verify(body, request.headers as Record<string, string>, { jsonParse: false });
            return true;
          } catch {
            return false;
          }
        });
        response.writeHead(accepted ? 204 : 401).end();
      });
    }),
  );
}

interface Served {
  kit: string;
  reference: string;
  answers: ReceiverAnswer[];
  handled: unknown[];
}

async function serveBoth(secrets: string[]): Promise<Served> {
  const answers: ReceiverAnswer[] = [];
  const handled: unknown[] = [];
  const receiver = createReceiver({
    secrets,
    dedupe: false,
    onError: () => {},
    handle: (event) => void handled.push(event.payload),
  });
  const kit = await listen(createServer(createNodeHandler(receiver)));
  return { kit, reference: await referenceServer(secrets), answers, handled };
}

interface Sent {
  id: string;
  timestamp: number;
  signature: string;
  body: Buffer;
}

async function post(url: string, { id, timestamp, signature, body }: Sent): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature, 'hookwork-event': 'Umbraco.ContentPublish' },
    body,
  });
  return { status: response.status, body: await response.text() };
}

/** Sent to both servers: whether each accepted it (the kit's answer beside it, for its code). */
async function verdicts(served: Served, sent: Sent): Promise<{ kit: number; reference: boolean; answer: string }> {
  const [kit, reference] = await Promise.all([post(served.kit, sent), post(served.reference, sent)]);
  return { kit: kit.status, reference: reference.status === 204, answer: kit.body };
}

/** Signers of `id.timestamp.body` under several secrets, as each writes webhook-signature. */
const signers: [string, (secrets: string[], id: string, timestamp: number, body: Buffer) => string][] = [
  ['hookwork (core signatureHeader)', (secrets, id, timestamp, body) => signatureHeader(secrets, id, timestamp, body)],
  // The library signs a string or a Buffer, one secret at a time; a rotating sender joins them with a space.
  ['the standardwebhooks library (Webhook.sign)', (secrets, id, timestamp, body) => secrets.map((secret) => new Webhook(secret).sign(id, new Date(timestamp * 1000), body)).join(' ')],
];

// One frozen clock for the test process: the kit, the library and the signers all read Date.now(),
// so a timestamp exactly at the tolerance is exactly there for each of them, however busy the machine.
const NOW_SECONDS = 1_795_337_400;
let sequence = 0;
const nextId = () => `msg_interop_${++sequence}`;

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW_SECONDS * 1000 + 500);
});

afterEach(async () => {
  jest.restoreAllMocks();
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe.each(signers)('signed by %s, sent over HTTP to @hookwork/receiver and to the standardwebhooks library', (_signer, sign) => {
  const signed = (secrets: string[], body: string | Buffer, timestamp = NOW_SECONDS): Sent => {
    const id = nextId();
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    return { id, timestamp, body: bytes, signature: sign(secrets, id, timestamp, bytes) };
  };

  it('one secret: both accept, and the handler gets the payload', async () => {
    const secret = generateSecret();
    const served = await serveBoth([secret]);
    expect(await verdicts(served, signed([secret], '{"id":"doc-1"}'))).toMatchObject({ kit: 200, reference: true });
    expect(served.handled).toEqual([{ id: 'doc-1' }]);
  });

  it('a secret rotation (two space-separated v1 signatures): a receiver knowing the old, the new or both accepts; one knowing neither refuses', async () => {
    const [oldSecret, newSecret, unrelated] = [generateSecret(), generateSecret(), generateSecret()];
    const sent = signed([newSecret, oldSecret], '{"id":"doc-rotated"}');
    expect(sent.signature.split(' ')).toHaveLength(2);
    for (const knows of [[oldSecret], [newSecret], [newSecret, oldSecret], [oldSecret, newSecret]]) {
      expect(await verdicts(await serveBoth(knows), sent)).toMatchObject({ kit: 200, reference: true });
    }
    const stranger = await verdicts(await serveBoth([unrelated]), sent);
    expect(stranger).toMatchObject({ kit: 401, reference: false });
    expect(JSON.parse(stranger.answer)).toMatchObject({ error: { code: 'RECEIVER_ERR_BAD_SIGNATURE' } });
  });

  it.each<[string, number, number, string | undefined]>([
    [`exactly ${TIMESTAMP_TOLERANCE_SECONDS} s old`, -TIMESTAMP_TOLERANCE_SECONDS, 200, undefined],
    [`exactly ${TIMESTAMP_TOLERANCE_SECONDS} s ahead (a sender whose clock runs fast)`, TIMESTAMP_TOLERANCE_SECONDS, 200, undefined],
    [`${TIMESTAMP_TOLERANCE_SECONDS + 1} s old`, -(TIMESTAMP_TOLERANCE_SECONDS + 1), 401, 'RECEIVER_ERR_STALE_TIMESTAMP'],
    [`${TIMESTAMP_TOLERANCE_SECONDS + 1} s ahead`, TIMESTAMP_TOLERANCE_SECONDS + 1, 401, 'RECEIVER_ERR_STALE_TIMESTAMP'],
    ['an hour ahead', 3_600, 401, 'RECEIVER_ERR_STALE_TIMESTAMP'],
  ])('a timestamp %s: the same verdict from both', async (_, offset, status, code) => {
    const secret = generateSecret();
    const served = await serveBoth([secret]);
    const result = await verdicts(served, signed([secret], '{"id":"doc-1"}', NOW_SECONDS + offset));
    expect(result).toMatchObject({ kit: status, reference: status === 200 });
    if (code) expect(JSON.parse(result.answer)).toMatchObject({ outcome: 'rejected', error: { code } });
  });

  it.each([
    ['Latin-1 letters', '{"title":"Crème brûlée à la française"}'],
    ['CJK and emoji (4-byte UTF-8)', '{"title":"日本語のタイトル 😀🎉"}'],
    ['U+2028 and U+2029, raw in the JSON text', '{"title":"line\u2028separator\u2029paragraph"}'],
    ['escapes written by the sender (\\u00e9), left as sent', '{"title":"caf\\u00e9","emoji":"\\ud83d\\ude00"}'],
    ['a byte order mark first (a .NET writer)', '\ufeff{"title":"bom"}'],
  ])('a non-ASCII body, %s: both accept the bytes as sent', async (_, body) => {
    const secret = generateSecret();
    const served = await serveBoth([secret]);
    expect(await verdicts(served, signed([secret], body))).toMatchObject({ kit: 200, reference: true });
    expect(served.handled).toEqual([JSON.parse(body.replace(/^\ufeff/, ''))]);
  });

  it('an empty body: the signature verifies for both, and the kit refuses it 400 as no JSON, never 401 blaming the secret', async () => {
    const secret = generateSecret();
    const served = await serveBoth([secret]);
    const result = await verdicts(served, signed([secret], ''));
    expect(result).toMatchObject({ kit: 400, reference: true });
    expect(JSON.parse(result.answer)).toMatchObject({ error: { code: 'RECEIVER_ERR_INVALID_JSON', message: expect.stringContaining('is empty') } });
  });

  it.each([
    ['spacing', '{ "id": "doc-1", "n": 1 }'],
    ['key order kept, but an escape a parser writes back as the character', '{"title":"caf\\u00e9"}'],
    ['a number a parser writes back otherwise', '{"price":1.50}'],
  ])('a body re-serialised by a JSON parser (%s) after signing: both refuse it, and the kit says to verify the raw bytes', async (_, body) => {
    const secret = generateSecret();
    const served = await serveBoth([secret]);
    const original = signed([secret], body);
    const reserialised = { ...original, body: Buffer.from(JSON.stringify(JSON.parse(body))) };
    expect(reserialised.body.equals(original.body)).toBe(false);
    const result = await verdicts(served, reserialised);
    expect(result).toMatchObject({ kit: 401, reference: false });
    expect(JSON.parse(result.answer)).toMatchObject({ error: { code: 'RECEIVER_ERR_BAD_SIGNATURE', message: expect.stringContaining('verify the raw bytes, never re-serialised JSON') } });
    expect(served.handled).toEqual([]);
  });
});

describe('the two signers', () => {
  it('write the same webhook-signature for the same secrets, id, timestamp and bytes — non-ASCII included', () => {
    const secrets = [generateSecret(), generateSecret()];
    for (const body of ['{"id":"doc-1"}', '{"title":"日本語 😀 é"}', '']) {
      const [hookwork, library] = signers.map(([, sign]) => sign(secrets, 'msg_same', NOW_SECONDS, Buffer.from(body)));
      expect(hookwork).toBe(library);
    }
  });
});
