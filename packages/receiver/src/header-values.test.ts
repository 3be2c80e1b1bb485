import { createReceiver, type ReceiverAnswer } from './receiver';
import type { ReceivedEvent, WebhookEventShape } from './event-types';
import { readRetryCount } from './header-values';
import { decodeAttribute } from './cloud-event';
import { adapters, closeServers, sendRaw, type ServeWith } from './test-support/serve';
import { newSecret, signedRequest } from './test-support/signed-request';

// Every value the kit reads from a request's headers, malformed as senders and proxies malform
// them, sent over real HTTP through each adapter: each is refused 400 (415 for a CloudEvents
// version the kit does not read) with a code and a message naming the header and the fix —
// never dispatched, never read as `undefined`, never answered 200 unhandled — and each form
// HTTP allows is read.

const secret = newSecret();

afterEach(closeServers);

const binary = { 'ce-specversion': '1.0', 'ce-id': 'e1', 'ce-source': '/cms', 'ce-type': 'Umbraco.ContentPublish' };

/** A signed request with `changes` made to its headers (a Buffer: those bytes; undefined: left out), sent raw. */
function request(changes: Record<string, string | Buffer | undefined> = {}, body?: string) {
  const signed = signedRequest({ secrets: [secret], ...(body === undefined ? {} : { body }) });
  const headers: Record<string, string | Buffer | undefined> = { ...signed.headers, ...changes };
  const lines = Object.entries(headers).filter((entry): entry is [string, string | Buffer] => entry[1] !== undefined);
  return { id: signed.id, signature: signed.headers['webhook-signature']!, lines, body: signed.body };
}

async function serveRecording(serveWith: ServeWith, unsigned = false) {
  const seen: ReceivedEvent<WebhookEventShape, string | undefined>[] = [];
  const errors: { error: unknown; answer: ReceiverAnswer }[] = [];
  const handle = async (event: ReceivedEvent<WebhookEventShape, string | undefined>) => void seen.push(event);
  const onError = (error: unknown, answer: ReceiverAnswer) => void errors.push({ error, answer });
  const receiver = unsigned ? createReceiver({ unsigned: true, handle, onError }) : createReceiver({ secrets: secret, handle, onError });
  const url = await serveWith(receiver);
  const send = async (sent: ReturnType<typeof request>) => {
    const answered = await sendRaw(url, sent.lines, sent.body);
    // A refusal goes back to the sender's delivery log: never with a signature or the secret in it.
    expect(JSON.stringify(answered.body)).not.toContain(sent.signature.slice(3, 23));
    expect(JSON.stringify(answered.body)).not.toContain(secret.slice(6, 26));
    return answered;
  };
  return { send, seen, errors };
}

describe.each(adapters)('malformed header values, through %s', (_adapter, serveWith) => {
  describe('the retry-count header', () => {
    it.each([
      ['hookwork-retry-count', '-1', 'a negative number'],
      ['hookwork-retry-count', '+1', 'a number with a plus sign'],
      ['hookwork-retry-count', '1.5', 'a fraction'],
      ['hookwork-retry-count', '1e3', 'a number in exponent form'],
      ['hookwork-retry-count', 'abc', 'not a number'],
      ['hookwork-retry-count', '99999999999999999999', `a number of 20 digits, past the largest a count is read exactly to (${Number.MAX_SAFE_INTEGER})`],
      ['umb-webhook-retrycount', '-1', 'a negative number'],
    ])('%s: %s is refused 400 naming the header and its form, never handed over as undefined', async (name, value, form) => {
      const { send, seen, errors } = await serveRecording(serveWith);
      const sent = request({ 'hookwork-retry-count': undefined, [name]: value });
      const answered = await send(sent);
      expect(answered).toMatchObject({ status: 400, body: { outcome: 'rejected', id: sent.id, error: { code: 'RECEIVER_ERR_INVALID_HEADER' } } });
      expect(answered.body.error!.message).toContain(`the ${name} header of ${sent.id} is "${value}", ${form}: it counts the retries before this attempt (0 on the first), sent as plain digits; the sender (or a proxy that rewrites it) must send a whole number from 0, or no such header`);
      expect(seen).toEqual([]);
      expect(errors.map(({ answer }) => answer.status)).toEqual([400]);
    });

    it('is read as the count it is: plain digits (a leading zero too), spaces around them dropped as HTTP drops them, a repeat with one value; absent, undefined', async () => {
      const { send, seen } = await serveRecording(serveWith);
      for (const value of ['0', '  3  ', '007']) expect(await send(request({ 'hookwork-retry-count': value }))).toMatchObject({ status: 200, body: { outcome: 'processed' } });
      const repeated = request({ 'hookwork-retry-count': undefined });
      repeated.lines.push(['hookwork-retry-count', '2'], ['hookwork-retry-count', '2']);
      expect(await send(repeated)).toMatchObject({ status: 200 });
      expect(await send(request({ 'hookwork-retry-count': undefined }))).toMatchObject({ status: 200 });
      expect(seen.map((event) => event.retryCount)).toEqual([0, 3, 7, 2, undefined]);
    });

    it('of an unsigned receiver (Umbraco) is read by the same rule', async () => {
      const { send, seen } = await serveRecording(serveWith, true);
      const lines: [string, string][] = [['umb-webhook-event', 'Umbraco.ContentPublish'], ['umb-webhook-retrycount', '-1']];
      expect(await send({ id: '', signature: 'v1,(no signature sent)', lines, body: '{}' })).toMatchObject({ status: 400, body: { error: { code: 'RECEIVER_ERR_INVALID_HEADER', message: expect.stringContaining('the umb-webhook-retrycount header of the request is "-1", a negative number') } } });
      expect(seen).toEqual([]);
    });
  });

  describe('a binary-mode CloudEvent', () => {
    it.each([
      ['a bad percent escape', 'com.example%ZZ', 'holds a bad percent escape, "%ZZ" at character 12 ("com.example%ZZ")'],
      ['a lone %', 'com.example%', 'holds a bad percent escape, "%" at character 12'],
      ['an escape cut short', 'com.example%4', 'holds a bad percent escape, "%4" at character 12'],
    ])('whose ce-type holds %s is refused 400 naming the header and the fix, not answered 200 unhandled', async (_what, type, said) => {
      const { send, seen, errors } = await serveRecording(serveWith);
      const sent = request({ ...binary, 'ce-type': type, 'hookwork-event': undefined });
      const answered = await send(sent);
      expect(answered).toMatchObject({ status: 400, body: { outcome: 'rejected', id: sent.id, error: { code: 'RECEIVER_ERR_INVALID_HEADER' } } });
      expect(answered.body.error!.message).toContain(`the ce-type header of ${sent.id} ${said}`);
      expect(answered.body.error!.message).toContain('the sender must encode a literal "%" as %25');
      expect(seen).toEqual([]);
      expect(errors.map(({ error }) => (error as { code?: string }).code)).toEqual(['RECEIVER_ERR_INVALID_HEADER']);
    });

    it.each([
      ['ce-type', '%E9t%E9', 'holds percent escapes that decode to no UTF-8 text ("%E9t%E9")'],
      ['ce-type', Buffer.from('Umbraco.ContentPublish·é', 'utf8'), 'holds a character outside ASCII (U+00C2 at character 23'],
      ['ce-subject', 'a%00b', 'decodes to text with a control character (U+0000 at character 2'],
      ['ce-subject', '50%', 'holds a bad percent escape, "%" at character 3'],
      ['ce-source', '/cms%2', 'holds a bad percent escape, "%2" at character 5'],
    ])('whose %s is %s is refused 400 naming the header', async (name, value, said) => {
      const { send, seen } = await serveRecording(serveWith);
      const sent = request({ ...binary, [name]: value });
      const answered = await send(sent);
      expect(answered).toMatchObject({ status: 400, body: { outcome: 'rejected', error: { code: 'RECEIVER_ERR_INVALID_HEADER' } } });
      expect(answered.body.error!.message).toContain(`the ${name} header of ${sent.id} ${said}`);
      expect(seen).toEqual([]);
    });

    it.each([
      ['without ce-specversion (a proxy dropped it): its ce-type was ignored and the event dispatched by hookwork-event', { 'ce-specversion': undefined }, 'without a ce-specversion header (or with it empty)'],
      ['without ce-type: it had no alias of its own', { 'ce-type': undefined }, 'without a ce-type header (or with it empty)'],
      ['with ce-id and ce-source empty', { 'ce-id': '', 'ce-source': '' }, 'without the ce-id, ce-source headers (or with them empty)'],
    ])('%s — refused 400 naming what is missing', async (_what, changes, said) => {
      const { send, seen } = await serveRecording(serveWith);
      const sent = request({ ...binary, ...changes });
      const answered = await send(sent);
      expect(answered).toMatchObject({ status: 400, body: { error: { code: 'RECEIVER_ERR_INVALID_HEADER', message: expect.stringContaining(`${sent.id} is a binary-mode CloudEvent ${said}, and CloudEvents 1.0 requires ce-specversion, ce-id, ce-source and ce-type of every event`) } } });
      expect(seen).toEqual([]);
    });

    it('of another ce-specversion is refused 415, and a ce-time that is no timestamp 400', async () => {
      const { send, seen } = await serveRecording(serveWith);
      expect(await send(request({ ...binary, 'ce-specversion': '0.3' }))).toMatchObject({ status: 415, body: { error: { code: 'RECEIVER_ERR_UNSUPPORTED_CLOUDEVENT', message: expect.stringContaining('is a binary-mode CloudEvent of ce-specversion "0.3", and the kit reads CloudEvents 1.0') } } });
      for (const time of ['yesterday', '2026-13-01T00:00:00Z', '1795337400']) {
        expect(await send(request({ ...binary, 'ce-time': time }))).toMatchObject({ status: 400, body: { error: { code: 'RECEIVER_ERR_INVALID_HEADER', message: expect.stringContaining(`ce-time header of msg_`) } } });
      }
      expect(seen).toEqual([]);
    });

    it('is read when well-formed: escapes decoded, a literal space and spaces around values taken as HTTP and the binding allow, an empty optional header as none', async () => {
      const { send, seen } = await serveRecording(serveWith);
      const sent = request({ ...binary, 'ce-type': 'Umbraco%2EContentPublish', 'ce-subject': '  caf%C3%A9 au lait%25 ', 'ce-time': '2026-11-22T08:30:00.000Z', 'ce-dataschema': '' });
      expect(await send(sent)).toMatchObject({ status: 200, body: { outcome: 'processed' } });
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ alias: 'Umbraco.ContentPublish', eventHeader: 'ce-type' });
      expect(seen[0]!.cloudEvent).toEqual({ specversion: '1.0', id: 'e1', source: '/cms', type: 'Umbraco.ContentPublish', subject: 'café au lait%', time: '2026-11-22T08:30:00.000Z', datacontenttype: 'application/json' });
    });
  });

  describe('a structured-mode CloudEvent', () => {
    const envelope = (fields: Record<string, unknown>) => JSON.stringify({ specversion: '1.0', id: 'e1', source: '/cms', type: 'Umbraco.ContentPublish', data: { id: 'doc-1' }, ...fields });
    const structured = { 'content-type': 'application/cloudevents+json' };

    it.each([
      ['without source', { source: undefined }, 400, 'RECEIVER_ERR_INVALID_JSON', 'without "source" as a non-empty string, which CloudEvents 1.0 requires'],
      ['without specversion and id', { specversion: undefined, id: '' }, 400, 'RECEIVER_ERR_INVALID_JSON', 'without "specversion", "id" as non-empty strings'],
      ['with a time that is no timestamp', { time: 'yesterday' }, 400, 'RECEIVER_ERR_INVALID_JSON', 'whose "time" is "yesterday", not an RFC 3339 timestamp'],
      ['with a subject that is no string', { subject: 42 }, 400, 'RECEIVER_ERR_INVALID_JSON', 'whose "subject" is a number'],
      ['of specversion 0.3', { specversion: '0.3' }, 415, 'RECEIVER_ERR_UNSUPPORTED_CLOUDEVENT', 'is a CloudEvent of specversion "0.3", and the kit reads CloudEvents 1.0'],
    ])('%s is refused by the rules binary mode follows', async (_what, fields, status, code, said) => {
      const { send, seen } = await serveRecording(serveWith);
      const answered = await send(request(structured, envelope(fields)));
      expect(answered).toMatchObject({ status, body: { outcome: 'rejected', error: { code } } });
      expect(answered.body.error!.message).toContain(said);
      expect(seen).toEqual([]);
      // Well-formed, it is handled.
      expect(await send(request(structured, envelope({ time: '2026-11-22T08:30:00+01:00', subject: 'doc-1' })))).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    });
  });

  describe('the event header', () => {
    it('holding UTF-8 (read as Latin-1, garbled) is refused 400 naming the header, not answered 200 unhandled', async () => {
      const { send, seen, errors } = await serveRecording(serveWith);
      const sent = request({ 'hookwork-event': Buffer.from('Umbraco.ContentPublishé', 'utf8') });
      const answered = await send(sent);
      expect(answered).toMatchObject({ status: 400, body: { error: { code: 'RECEIVER_ERR_INVALID_HEADER', message: expect.stringContaining(`the event alias in the hookwork-event header of ${sent.id} holds a character outside ASCII (U+00C3 at character 23`) } } });
      expect(seen).toEqual([]);
      expect(errors.map(({ error }) => (error as { code?: string }).code)).toEqual(['RECEIVER_ERR_INVALID_HEADER']);
    });

    it('of more than 256 characters is refused 400, quoting only its start', async () => {
      const { send, seen } = await serveRecording(serveWith);
      const answered = await send(request({ 'hookwork-event': `Umbraco.${'x'.repeat(300)}` }));
      expect(answered).toMatchObject({ status: 400, body: { error: { code: 'RECEIVER_ERR_INVALID_HEADER', message: expect.stringContaining('is 308 characters') } } });
      expect(answered.body.error!.message).not.toContain('x'.repeat(61));
      expect(seen).toEqual([]);
    });

    it('with spaces around the alias is read as the alias', async () => {
      const { send, seen } = await serveRecording(serveWith);
      expect(await send(request({ 'hookwork-event': '   Umbraco.ContentPublish   ' }))).toMatchObject({ status: 200, body: { outcome: 'processed' } });
      expect(seen.map((event) => event.alias)).toEqual(['Umbraco.ContentPublish']);
    });
  });

  describe("the alias in the body's type (a Standard Webhooks envelope, signed)", () => {
    it.each([
      ['a control character', 'contact.created\n', 'holds a control character (U+000A at character 16'],
      ['more than 256 characters', `contact.${'x'.repeat(300)}`, 'is 308 characters'],
    ])('holding %s is refused 400 by the rule the headers follow', async (_what, type, said) => {
      const { send, seen } = await serveRecording(serveWith);
      const body = JSON.stringify({ type, timestamp: '2026-11-22T08:30:00Z', data: { id: 'c1' } });
      const answered = await send(request({ 'hookwork-event': undefined }, body));
      expect(answered).toMatchObject({ status: 400, body: { error: { code: 'RECEIVER_ERR_INVALID_HEADER', message: expect.stringContaining(`the event alias in the body's type of msg_`) } } });
      expect(answered.body.error!.message).toContain(said);
      expect(seen).toEqual([]);
    });
  });

  describe('content-encoding', () => {
    it('naming a long made-up coding is refused 415 naming it cut short, not echoed whole to the sender', async () => {
      const { send } = await serveRecording(serveWith);
      const answered = await send(request({ 'content-encoding': `x${'z'.repeat(2000)}` }));
      expect(answered).toMatchObject({ status: 415, body: { error: { code: 'RECEIVER_ERR_UNSUPPORTED_ENCODING', message: expect.stringContaining(`content-encoding: x${'z'.repeat(19)}…, and the receiver decodes only`) } } });
      expect(answered.body.error!.message).not.toContain('z'.repeat(40));
    });
  });

  describe('the webhook-id', () => {
    it('holding UTF-8 is refused 400 naming the header before the signature is blamed, and is not echoed back', async () => {
      const { send, seen } = await serveRecording(serveWith);
      const answered = await send(request({ 'webhook-id': Buffer.from('msg_café', 'utf8') }));
      expect(answered).toMatchObject({ status: 400, body: { outcome: 'rejected', error: { code: 'RECEIVER_ERR_INVALID_HEADER', message: expect.stringContaining('the webhook-id header holds a character outside ASCII (U+00C3 at character 8') } } });
      expect(answered.body).not.toHaveProperty('id');
      expect(seen).toEqual([]);
    });
  });
});

describe('headers as AWS API Gateway (HTTP APIs) and Lambda function URLs hand them over: a record, a repeated header joined with "," alone', () => {
  // No HTTP server in the process: a Lambda handler passes event.headers to receiver.handle().
  async function handleWith(changes: Record<string, string>) {
    const seen: unknown[] = [];
    const receiver = createReceiver({ secrets: secret, handle: async (event) => void seen.push(event.alias), onError: () => {} });
    const signed = signedRequest({ secrets: [secret] });
    const answer = await receiver.handle({ headers: { ...signed.headers, ...changes }, body: Buffer.from(signed.body) });
    return { answer, seen, id: signed.id };
  }

  it.each([
    ['hookwork-event', 'Umbraco.ContentPublish,Umbraco.ContentPublish', 'the hookwork-event header of msg_'],
    ['hookwork-retry-count', '2,2', 'the hookwork-retry-count header of msg_'],
    ['hookwork-test', 'true,true', 'the hookwork-test header of msg_'],
  ])('%s repeated (%s) is refused 400 saying it was sent twice, not answered 200 unhandled or read as undefined', async (name, value, said) => {
    const { answer, seen } = await handleWith({ [name]: value });
    expect(answer).toMatchObject({ status: 400, outcome: 'rejected', error: { code: 'RECEIVER_ERR_INVALID_HEADER' } });
    expect((answer.error as Error).message).toContain(`${said}`);
    expect((answer.error as Error).message).toContain(`is "${value}": the header sent 2 times and joined with commas (a proxy that adds it again; AWS API Gateway HTTP APIs and Lambda function URLs join a repeated header so); the request must carry it once`);
    expect(seen).toEqual([]);
  });

  it('webhook-id repeated is refused 400 before the signature is blamed', async () => {
    const signed = signedRequest({ secrets: [secret] });
    const receiver = createReceiver({ secrets: secret, handle: async () => {}, onError: () => {} });
    const answer = await receiver.handle({ headers: { ...signed.headers, 'webhook-id': `${signed.id},${signed.id}` }, body: signed.body });
    expect(answer).toMatchObject({ status: 400, error: { code: 'RECEIVER_ERR_INVALID_HEADER', message: expect.stringContaining(`the webhook-id is "${signed.id},${signed.id}": the header sent 2 times`) } });
  });
});

describe('readRetryCount()', () => {
  it('reads the largest count it can read exactly, and refuses the next', () => {
    expect(readRetryCount({ name: 'x-retry', value: String(Number.MAX_SAFE_INTEGER) }, 'msg_1')).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => readRetryCount({ name: 'x-retry', value: String(Number.MAX_SAFE_INTEGER + 1) }, 'msg_1')).toThrow(/^RECEIVER_ERR_INVALID_HEADER: the x-retry header of msg_1 is "9007199254740992", a number of 16 digits, past the largest/);
  });
});

describe('decodeAttribute()', () => {
  it('decodes what hookwork (encodeURIComponent-like) encodes, and takes a literal space and " leniently', () => {
    expect(decodeAttribute('ce-subject', 'caf%C3%A9%20%22x%22%25', 'msg_1')).toBe('café "x"%');
    expect(decodeAttribute('ce-subject', 'a b"c', 'msg_1')).toBe('a b"c');
  });
});
