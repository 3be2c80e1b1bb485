import type net from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Hookwork } from '../composition/hookwork-app';
import type { HookworkSettingsInput } from '../settings/settings';
import { startRawReceiver, type RawReceiver } from '../test-support/raw-receiver';
import { nextLifecycle, startTestApp, ThingHappened } from '../test-support/test-app';

const head = (status: string, ...headers: string[]) => `HTTP/1.1 ${status}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;

/** Every way a response body can fail after the status line, and what the status decides. */
describe('the status line decides', () => {
  let receiver: RawReceiver;
  let app: Hookwork | undefined;

  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver?.close();
  });

  /** One publish to a raw receiver answering with `answer`; the log entries of the webhook, oldest first. */
  async function deliverOnce(answer: (socket: net.Socket) => void, settings: HookworkSettingsInput = {}) {
    receiver = await startRawReceiver(answer);
    app = await startTestApp({ settings: { maximumRetries: 2, ...settings } });
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('b1'));
    await app.drain();
    return (await app.logs(webhook.key)).items.reverse();
  }

  it.each<[string, (socket: net.Socket) => void, string, HookworkSettingsInput]>([
    [
      'Content-Length 100, 2 bytes, then a closed connection',
      (s) => s.end(head('200 OK', 'Content-Length: 100') + 'ok'),
      'response body: the connection closed before the body ended (2 bytes read)',
      {},
    ],
    [
      'a reset (RST) in the middle of the body',
      (s) => s.write(head('200 OK', 'Content-Length: 100') + 'ok', () => setTimeout(() => s.resetAndDestroy(), 20)),
      'response body: the connection was reset before the body ended (2 bytes read)',
      {},
    ],
    [
      'chunks that stop without the last chunk, then a closed connection',
      (s) => s.end(head('200 OK', 'Transfer-Encoding: chunked') + '2\r\nok\r\n'),
      'response body: the connection closed before the body ended (2 bytes read)',
      {},
    ],
    [
      'malformed chunking',
      (s) => s.end(head('200 OK', 'Transfer-Encoding: chunked') + 'zz\r\nok\r\n0\r\n\r\n'),
      'response body: the receiver sent malformed HTTP (HPE_INVALID_CHUNK_SIZE',
      {},
    ],
    [
      'a gzip Content-Encoding whose body is not gzip',
      (s) => s.end(head('200 OK', 'Content-Encoding: gzip', 'Content-Length: 8') + 'not gzip'),
      'response body: it could not be decoded as its Content-Encoding says (Z_DATA_ERROR',
      {},
    ],
    [
      'a gzip body cut short',
      (s) => {
        const zipped = gzipSync(Buffer.alloc(10_000, 'x'));
        s.end(Buffer.concat([Buffer.from(head('200 OK', 'Content-Encoding: gzip', `Content-Length: ${zipped.length}`)), zipped.subarray(0, zipped.length - 10)]));
      },
      'response body: ',
      {},
    ],
    [
      'a body over maxResponseBodyBytes',
      (s) => s.end(head('200 OK', 'Content-Length: 1000') + 'x'.repeat(1000)),
      'response body: cut at maxResponseBodyBytes; the rest was not read',
      { maxResponseBodyBytes: 10 },
    ],
    [
      'a body still trickling in at the deadline',
      (s) => s.write(head('200 OK', 'Content-Length: 100') + 'ok'),
      'response body: no complete response within 500 ms (the timeout setting): the body did not end in time (2 bytes read)',
      { timeout: 500 },
    ],
    // Every row has all four entries: jest takes a test function with more parameters than the row for one that wants done().
  ])('a 2xx is delivered once whatever happens to its body: %s', async (_what, answer, note, settings) => {
    const log = await deliverOnce(answer, settings);
    expect(receiver.arrivals).toBe(1);
    expect(log.map((e) => [e.statusCode, e.outcome, e.errorKind])).toEqual([[200, 'delivered', undefined]]);
    expect(log[0]!.errorMessage).toContain(note);
    expect(await app!.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });

  it('keeps what arrived of a broken body', async () => {
    const log = await deliverOnce((s) => s.end(head('200 OK', 'Content-Length: 55', 'X-Seen: 1') + 'hello'));
    expect(log[0]).toMatchObject({ statusCode: 200, outcome: 'delivered', responseBody: 'hello', errorMessage: 'response body: the connection closed before the body ended (5 bytes read)' });
    expect(log[0]!.responseHeaders).toMatchObject({ 'content-length': '55', 'x-seen': '1' });
  });

  it('logs the response headers as they came, content-encoding too, and the body decoded', async () => {
    const zipped = gzipSync('hello');
    const log = await deliverOnce((s) => s.end(Buffer.concat([Buffer.from(head('200 OK', 'Content-Encoding: gzip', `Content-Length: ${zipped.length}`)), zipped])));
    expect(log[0]).toMatchObject({ statusCode: 200, outcome: 'delivered', responseBody: 'hello' });
    expect(log[0]!.responseHeaders).toMatchObject({ 'content-encoding': 'gzip', 'content-length': String(zipped.length) });
    expect(log[0]!.errorMessage).toBeUndefined();
  });

  it('a body longer than its Content-Length is complete at Content-Length: delivered, nothing to note', async () => {
    const log = await deliverOnce((s) => s.end(head('200 OK', 'Content-Length: 2') + 'okEXTRA BYTES'));
    expect(receiver.arrivals).toBe(1);
    expect(log.map((e) => [e.statusCode, e.outcome, e.responseBody, e.errorMessage])).toEqual([[200, 'delivered', 'ok', undefined]]);
  });

  it('a body without a length, read until the connection closes, is complete when it closes', async () => {
    const log = await deliverOnce((s) => s.end('HTTP/1.0 200 OK\r\n\r\nall of it'));
    expect(log.map((e) => [e.statusCode, e.outcome, e.responseBody, e.errorMessage])).toEqual([[200, 'delivered', 'all of it', undefined]]);
  });

  it('a non-2xx with a broken body still gets its status’s verdict: a 503 is retried, then dead', async () => {
    const log = await deliverOnce((s) => s.end(head('503 Service Unavailable', 'Content-Length: 100') + 'busy'), { maximumRetries: 1 });
    expect(receiver.arrivals).toBe(2);
    expect(log.map((e) => [e.statusCode, e.outcome])).toEqual([
      [503, 'retrying'],
      [503, 'dead'],
    ]);
    expect(log[0]!.errorMessage).toBe('HTTP 503; response body: the connection closed before the body ended (4 bytes read)');
    expect((await app!.deadLetters()).items[0]!.lastError).toBe('HTTP 503');
  });

  it('a 410 with a broken body still disables the webhook', async () => {
    const log = await deliverOnce((s) => s.end(head('410 Gone', 'Content-Length: 100') + 'gone'));
    expect(log.map((e) => [e.statusCode, e.outcome])).toEqual([[410, 'dead']]);
    expect((await app!.webhooks.list()).items[0]!.enabled).toBe(false);
  });

  it('a 2xx whose body is still arriving when the app stops counts as delivered, not given back', async () => {
    receiver = await startRawReceiver((s) => s.write(head('200 OK', 'Content-Length: 100') + 'ok'));
    app = await startTestApp({ settings: { stopTimeout: 200, timeout: 10_000 } });
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const succeeded = nextLifecycle(app, 'attemptSucceeded');
    await app.publish(new ThingHappened('s1'));
    while (receiver.arrivals === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await app.stop();
    app = undefined;
    expect(await succeeded).toMatchObject({ statusCode: 200, outcome: 'delivered', errorMessage: expect.stringContaining('response body: reading stopped: the app is stopping') });
  });

  it('a test send reports the status’s verdict and notes the body', async () => {
    receiver = await startRawReceiver((s) => s.end(head('200 OK', 'Content-Length: 100') + 'ok'));
    app = await startTestApp();
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const result = await app.sendTestEvent(webhook.key);
    expect(result).toMatchObject({ ok: true, statusCode: 200, body: 'ok', errorMessage: 'response body: the connection closed before the body ended (2 bytes read)' });
    expect(result.errorKind).toBeUndefined();
  });
});
