import { HTTP, type CloudEvent } from 'cloudevents';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { Hookwork } from '../composition/hookwork-app';
import { isHookworkError } from '../errors/hookwork-error';
import type { WebhookFormat } from '../model/webhook';
import { headerRecord, startTestReceiver, type ReceivedRequest, type TestReceiver } from '../testing/test-receiver';
import { startTestApp, ThingHappened } from '../test-support/test-app';
import { CLOUD_EVENTS_MAX_ENVELOPE_BYTES, MAX_CLOUD_EVENTS_SUBJECT_LENGTH, percentEncode, subjectAt, toCloudEvent as formatCloudEvent } from './cloud-events';

// CloudEvents 1.0 as a per-webhook format, read at a real receiver with the official SDK's HTTP
// binding (`cloudevents`): every attribute in both modes, and the Standard Webhooks signature over
// the exact bytes that arrived.

const toCloudEvent = (request: ReceivedRequest) => HTTP.toEvent({ headers: headerRecord(request), body: request.text }) as CloudEvent<unknown>;

describe('CloudEvents format', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;

  beforeEach(async () => {
    receiver = await startTestReceiver();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver.close();
  });

  async function deliverOne(format: WebhookFormat, extra: Record<string, unknown> = { title: 'Hello, wörld' }) {
    app = await startTestApp();
    const created = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], secret: true, format });
    const before = Date.now();
    await app.publish(new ThingHappened('t-1', extra));
    const after = Date.now();
    const [request] = await receiver.waitFor(1);
    return { request: request!, secret: created.secret!, before, after };
  }

  it.each(['structured', 'binary'] as const)('%s mode: the SDK reads every attribute, the payload is the data, and standardwebhooks verifies the bytes', async (mode) => {
    const { request, secret, before, after } = await deliverOne({ type: 'cloudevents', mode, source: 'https://cms.example.com/sites/main', subjectFrom: '/id' });
    const event = toCloudEvent(request);
    const headers = headerRecord(request);
    expect(event.specversion).toBe('1.0');
    expect(event.id).toBe(headers['webhook-id']);
    expect(event.id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(event.type).toBe('thing.happened');
    expect(event.source).toBe('https://cms.example.com/sites/main');
    expect(event.subject).toBe('t-1');
    expect(event.datacontenttype).toBe('application/json');
    expect(event.data).toEqual({ id: 't-1', title: 'Hello, wörld' });
    expect(Date.parse(event.time!)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(event.time!)).toBeLessThanOrEqual(after);
    expect(event.validate()).toBe(true);
    // No attribute the test did not ask for (the SDK reads unknown ce-* headers and members as extensions).
    expect(Object.entries(event.toJSON()).filter(([, value]) => value !== undefined).map(([name]) => name).sort()).toEqual(['data', 'datacontenttype', 'id', 'source', 'specversion', 'subject', 'time', 'type']);
    // hookwork's own headers go along in every format.
    expect(headers).toMatchObject({ 'hookwork-event': 'thing.happened', 'hookwork-retry-count': '0' });
    expect(new StandardWebhook(secret).verify(request.text, headers)).toEqual(JSON.parse(request.text));
    if (mode === 'structured') {
      expect(headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
      expect(Object.keys(headers).filter((h) => h.startsWith('ce-'))).toEqual([]);
    } else {
      expect(headers['content-type']).toBe('application/json');
      // Binary mode keeps the stored body byte for byte.
      expect(request.text).toBe('{"id":"t-1","title":"Hello, wörld"}');
    }
  });

  it('time is the publish time: a retry carries the same time and id, while webhook-timestamp is signed afresh', async () => {
    app = await startTestApp({ settings: { retrySchedule: [1100] } });
    receiver.handler = (_request, response, index) => void response.writeHead(index === 0 ? 503 : 200).end();
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], secret: true, format: { type: 'cloudevents', mode: 'binary', source: '/sites/main', subject: 'main site' } });
    await app.publish(new ThingHappened('t-2'));
    const [first, second] = await receiver.waitFor(2);
    const [one, two] = [toCloudEvent(first!), toCloudEvent(second!)];
    expect(two.id).toBe(one.id);
    expect(two.time).toBe(one.time);
    expect(headerRecord(second!)['hookwork-retry-count']).toBe('1');
    expect(Number(headerRecord(second!)['webhook-timestamp'])).toBeGreaterThan(Number(headerRecord(first!)['webhook-timestamp']));
    // The HTTP binding percent-encodes a space in a header value; the SDK hands it over encoded.
    expect(headerRecord(first!)['ce-subject']).toBe('main%20site');
    expect(decodeURIComponent(one.subject!)).toBe('main site');
  });

  it('a test send goes out in the webhook format too, marked by hookwork-test', async () => {
    app = await startTestApp();
    const { key } = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], format: { type: 'cloudevents', mode: 'structured', source: 'urn:example:site' } });
    const result = await app.sendTestEvent(key);
    expect(result.ok).toBe(true);
    const [request] = await receiver.waitFor(1);
    const event = toCloudEvent(request!);
    expect(event).toMatchObject({ id: result.requestId, type: 'thing.happened', source: 'urn:example:site' });
    expect(event.subject).toBeUndefined();
    expect(request!.headers['hookwork-test']).toBe('true');
    // The log keeps the body as sent: the envelope.
    const [entry] = (await app.logs(key)).items;
    expect(JSON.parse(entry!.requestBody)).toMatchObject({ specversion: '1.0', id: result.requestId, data: { event: 'thing.happened', test: true } });
  });

  it('the default format is the stored JSON, and a webhook can switch format and back', async () => {
    app = await startTestApp();
    const { key, format } = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    expect(format).toEqual({ type: 'json' });
    expect((await app.webhooks.update(key, { format: { type: 'cloudevents', mode: 'structured', source: '/s' } })).format).toEqual({ type: 'cloudevents', mode: 'structured', source: '/s' });
    await app.publish(new ThingHappened('a'));
    await app.drain();
    expect((await app.webhooks.update(key, { format: { type: 'json' } })).format).toEqual({ type: 'json' });
    await app.publish(new ThingHappened('b'));
    await app.drain();
    const idOf = (r: ReceivedRequest) => (r.headers['content-type']!.startsWith('application/json') ? JSON.parse(r.text).id : toCloudEvent(r).subject ?? (toCloudEvent(r).data as { id: string }).id);
    expect(receiver.requests.map((r) => [r.headers['content-type'], idOf(r)])).toEqual([
      ['application/cloudevents+json; charset=utf-8', 'a'],
      ['application/json', 'b'],
    ]);
  });

  it.each<[string, unknown, RegExp]>([
    ['no source', { type: 'cloudevents', mode: 'binary' }, /format\.source is required for CloudEvents/],
    ['no mode', { type: 'cloudevents', source: '/s' }, /format\.mode is required for CloudEvents/],
    // Each says what was given, as the settings' refusals do: a string as itself (shortened), anything else by its kind.
    ['an unknown mode', { type: 'cloudevents', mode: 'batch', source: '/s' }, /format\.mode must be one of "structured", "binary" \(got "batch"\)/],
    ['an unknown type', { type: 'xml' }, /format\.type must be one of "json", "cloudevents" \(got "xml"\)/],
    ['a type that is a number', { type: 5 }, /format\.type must be one of "json", "cloudevents" \(got a number\)/],
    ['a mode that is a list', { type: 'cloudevents', mode: ['binary'], source: '/s' }, /format\.mode must be one of "structured", "binary" \(got an array\)/],
    ['a type of 10,000 characters', { type: 'x'.repeat(10_000) }, /format\.type must be one of "json", "cloudevents" \(got "x+… \(10002 characters\)\)/],
    ['a source with a space', { type: 'cloudevents', mode: 'binary', source: 'my site' }, /format\.source contains U\+0020 \(space\) at character 3; a URI-reference \(RFC 3986\) is letters, digits, .* percent-encode any other character \(a space is %20\)/],
    ['subject and subjectFrom', { type: 'cloudevents', mode: 'binary', source: '/s', subject: 'x', subjectFrom: '/id' }, /format\.subjectFrom goes without subject/],
    ['a pointer that is not one', { type: 'cloudevents', mode: 'binary', source: '/s', subjectFrom: 'id' }, /format\.subjectFrom must be a JSON Pointer \(RFC 6901\): empty for the whole payload, or starting with \//],
    ['a pointer with a ~ that is no escape', { type: 'cloudevents', mode: 'binary', source: '/s', subjectFrom: '/a~b' }, /format\.subjectFrom contains a ~ at character 3 that is no escape; in a JSON Pointer \(RFC 6901\) write ~ as ~0/],
    ['a subject with a line feed', { type: 'cloudevents', mode: 'binary', source: '/s', subject: 'a\nb' }, /format\.subject contains U\+000A \(line feed, LF\) at character 2; control characters .* cannot go out in the ce-subject header/],
    ['CloudEvents fields on json', { type: 'json', source: '/s' }, /format\.source is a CloudEvents field/],
    ['an unknown field', { type: 'cloudevents', mode: 'binary', source: '/s', sorce: '/t' }, /format\.sorce is not a webhook field/],
  ])('refuses a format with %s, storing nothing', async (_what, format, message) => {
    app = await startTestApp();
    const error = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], format: format as WebhookFormat }).catch((e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_WEBHOOK')).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect((await app.webhooks.list()).total).toBe(0);
  });

  it('refuses custom headers that would set a CloudEvents attribute', async () => {
    app = await startTestApp();
    const error = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], headers: { 'CE-Type': 'forged' } }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/headers\.CE-Type is set by hookwork itself/);
  });
});

describe('CloudEvents helpers', () => {
  it('percent-encodes what the HTTP binding requires, and nothing else', () => {
    expect(percentEncode('https://cms.example.com/a?b=c')).toBe('https://cms.example.com/a?b=c');
    expect(percentEncode('a b"c%d')).toBe('a%20b%22c%25d');
    expect(percentEncode('ünï ✓')).toBe('%C3%BCn%C3%AF%20%E2%9C%93');
    expect(decodeURIComponent(percentEncode('ünï "✓" 100%'))).toBe('ünï "✓" 100%');
  });

  it('reads a subject by RFC 6901 JSON Pointer: strings and numbers only', () => {
    const body = JSON.stringify({ id: 'doc-1', n: 7, nested: { 'a/b': { '~k': 'deep' } }, list: ['x'], empty: '', obj: {} });
    expect(subjectAt(body, '/id')).toBe('doc-1');
    expect(subjectAt(body, '/n')).toBe('7');
    expect(subjectAt(body, '/nested/a~1b/~0k')).toBe('deep');
    expect(subjectAt(body, '/list/0')).toBe('x');
    expect([subjectAt(body, '/missing'), subjectAt(body, '/obj'), subjectAt(body, '/empty'), subjectAt(body, '/id/x'), subjectAt('[', '/id')]).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('leaves out a subject from the payload longer than a fixed subject may be, so the envelope (and the ce-subject header) stays bounded', () => {
    const at = 'x'.repeat(MAX_CLOUD_EVENTS_SUBJECT_LENGTH);
    expect(subjectAt(JSON.stringify({ id: at }), '/id')).toBe(at);
    expect(subjectAt(JSON.stringify({ id: `${at}x` }), '/id')).toBeUndefined();
    const payload = JSON.stringify({ id: 'y'.repeat(100_000) });
    for (const mode of ['structured', 'binary'] as const) {
      const event = formatCloudEvent({ format: { type: 'cloudevents', mode, source: '/s', subjectFrom: '/id' }, id: 'msg_x', type: 'a', time: new Date(0), body: payload });
      expect(event.headers['ce-subject']).toBeUndefined();
      expect(event.body.length).toBeLessThan(payload.length + 200);
    }
  });

  it('adds at most CLOUD_EVENTS_MAX_ENVELOPE_BYTES around the payload in structured mode, whatever the attributes hold', () => {
    // The longest attributes a webhook may have, in the characters that cost most as JSON in
    // UTF-8: control characters (6 bytes each, \u0001), in the alias and the subject read from the payload.
    const payload = JSON.stringify({ id: '\u0001'.repeat(MAX_CLOUD_EVENTS_SUBJECT_LENGTH), rest: 'z'.repeat(1000) });
    const longest = {
      format: { type: 'cloudevents' as const, mode: 'structured' as const, source: `https://cms.example.com/${'s'.repeat(2048 - 24)}`, subjectFrom: '/id' },
      id: `msg_${'f'.repeat(32)}`,
      type: '\u0001'.repeat(200),
      time: new Date(Date.UTC(275760, 8, 13)),
      body: payload,
    };
    const event = formatCloudEvent(longest);
    expect(JSON.parse(event.body).subject).toHaveLength(MAX_CLOUD_EVENTS_SUBJECT_LENGTH);
    const added = Buffer.byteLength(event.body) - Buffer.byteLength(payload);
    expect(added).toBeGreaterThan(15_000);
    expect(added).toBeLessThanOrEqual(CLOUD_EVENTS_MAX_ENVELOPE_BYTES);
    // A fixed subject of the most costly characters a webhook may hold (3 bytes each) costs less.
    const fixed = formatCloudEvent({ ...longest, format: { type: 'cloudevents', mode: 'structured', source: longest.format.source, subject: '✓'.repeat(2048) } });
    expect(Buffer.byteLength(fixed.body) - Buffer.byteLength(payload)).toBeLessThanOrEqual(CLOUD_EVENTS_MAX_ENVELOPE_BYTES);
  });
});
