import { startRawReceiver, type RawReceiver } from '../../testing/raw-receiver';
import type { Transport } from '../../ports/transport';
import { createHttpTransport } from './http-transport';
import { UNASKED_CONTINUE } from './transport-errors';
import { createUndiciTransport } from './undici-transport';

const head = (status: string, ...headers: string[]) => `HTTP/1.1 ${status}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;
const settings = { current: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] } } };
const send = (transport: Transport, url: string) => transport.send({ url, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') }, { timeoutMs: 5000, maxResponseBodyBytes: 1000 });

// 1xx answers before the final one (RFC 9110 §15.2: a client must parse them even unasked).
describe('informational (1xx) answers before the response', () => {
  let raw: RawReceiver | undefined;
  let transport: Transport | undefined;
  afterEach(async () => {
    await transport?.close();
    await raw?.close();
    transport = raw = undefined;
  });

  it.each([
    ['axios', createHttpTransport],
    ['undici', createUndiciTransport],
  ])('%s reads past a 103 Early Hints to the response', async (_name, create) => {
    raw = await startRawReceiver((socket) => socket.end(head('103 Early Hints', 'Link: </style.css>; rel=preload') + head('200 OK', 'Content-Length: 2') + 'ok'));
    transport = create({ settings });
    expect(await send(transport, raw.url)).toMatchObject({ ok: true, response: { statusCode: 200, body: 'ok' } });
  });

  it('axios reads past a 100 Continue the request did not ask for', async () => {
    raw = await startRawReceiver((socket) => socket.end(head('100 Continue') + head('200 OK', 'Content-Length: 2') + 'ok'));
    transport = createHttpTransport({ settings });
    expect(await send(transport, raw.url)).toMatchObject({ ok: true, response: { statusCode: 200, body: 'ok' } });
  });

  it('undici cannot (it drops the connection at the 100): a failure of kind other that says so and names the fix, not a reset', async () => {
    raw = await startRawReceiver((socket) => socket.end(head('100 Continue') + head('200 OK', 'Content-Length: 2') + 'ok'));
    transport = createUndiciTransport({ settings });
    expect(await send(transport, raw.url)).toMatchObject({ ok: false, errorKind: 'other', message: UNASKED_CONTINUE });
    expect(UNASKED_CONTINUE).toContain("transport: 'axios'");
  });
});
