import { Webhook } from 'standardwebhooks';
import type { DedupeStore } from './dedupe/dedupe-store';
import { memoryDedupeStore } from './dedupe/memory-dedupe-store';
import { isReceiverError } from './errors/receiver-error';
import type { ReceivedEvent } from './event-types';
import { createReceiver, type ReceiverAnswer } from './receiver';
import { newId, newSecret, signedRequest } from './test-support/signed-request';

type Events = { alias: 'Umbraco.ContentPublish'; payload: { id: string } } | { alias: 'Umbraco.ContentDelete'; payload: { id: string } };

const secret = newSecret();
const bodyOf = (answer: ReceiverAnswer) => JSON.parse(answer.body) as { outcome: string; id?: string; error?: { code: string; message?: string } };

function recording() {
  const seen: ReceivedEvent<Events>[] = [];
  const errors: { error: unknown; answer: ReceiverAnswer }[] = [];
  const handler = async (event: ReceivedEvent<Events>) => {
    seen.push(event);
  };
  return { seen, errors, handler, onError: (error: unknown, answer: ReceiverAnswer) => errors.push({ error, answer }) };
}

describe('createReceiver().handle()', () => {
  it('verifies, parses and hands the handler of its alias a typed event with the request metadata; answers 200 processed', async () => {
    const { seen, handler } = recording();
    const receiver = createReceiver<Events>({ secrets: secret, handlers: { 'Umbraco.ContentPublish': handler } });
    const request = signedRequest({ secrets: [secret], payload: { id: 'doc-1' }, retryCount: 2, timestamp: Math.floor(Date.now() / 1000) - 5 });
    const answer = await receiver.handle(request);
    expect(answer).toMatchObject({ status: 200, outcome: 'processed', id: request.id, headers: { 'content-type': 'application/json' } });
    expect(bodyOf(answer)).toEqual({ outcome: 'processed', id: request.id });
    expect(seen).toHaveLength(1);
    const [event] = seen;
    expect(event).toMatchObject({ alias: 'Umbraco.ContentPublish', payload: { id: 'doc-1' }, id: request.id, retryCount: 2, test: false, eventHeader: 'hookwork-event' });
    expect(event!.timestamp).toEqual(new Date(Number(request.headers['webhook-timestamp']) * 1000));
    expect(event!.headers['webhook-id']).toBe(request.id);
    expect(event!.rawBody.toString()).toBe(request.body);
  });

  it("reads the alias and retry count from Umbraco's headers too, and from custom names", async () => {
    const { seen, handler } = recording();
    const receiver = createReceiver<Events>({ secrets: secret, handle: handler });
    await receiver.handle(signedRequest({ secrets: [secret], style: 'umbraco', alias: 'Umbraco.ContentDelete', retryCount: 4 }));
    expect(seen[0]).toMatchObject({ alias: 'Umbraco.ContentDelete', retryCount: 4, eventHeader: 'umb-webhook-event' });

    // Both styles naming one event is that event; naming two, neither is guessed (a publish handled as a delete).
    const agreeing = signedRequest({ secrets: [secret], alias: 'Umbraco.ContentPublish' });
    agreeing.headers['umb-webhook-event'] = 'Umbraco.ContentPublish';
    await receiver.handle(agreeing);
    expect(seen[1]).toMatchObject({ alias: 'Umbraco.ContentPublish', eventHeader: 'hookwork-event' });
    const both = signedRequest({ secrets: [secret], alias: 'Umbraco.ContentPublish' });
    both.headers['umb-webhook-event'] = 'Umbraco.ContentDelete';
    const refused = await createReceiver<Events>({ secrets: secret, handle: handler, onError: () => {} }).handle(both);
    expect(refused).toMatchObject({ status: 400, outcome: 'rejected', id: both.id, error: { code: 'RECEIVER_ERR_INVALID_HEADER', message: expect.stringContaining('carries hookwork-event: "Umbraco.ContentPublish" and umb-webhook-event: "Umbraco.ContentDelete", which disagree') } });
    expect(seen).toHaveLength(2);

    const custom = createReceiver({ secrets: secret, headerNames: { event: ['X-Event'] }, handle: async (event) => void seen.push(event as never) });
    const request = signedRequest({ secrets: [secret] });
    request.headers['x-event'] = 'shop.orderPlaced';
    await custom.handle(request);
    expect(seen[2]).toMatchObject({ alias: 'shop.orderPlaced', eventHeader: 'x-event', retryCount: 0 });
  });

  it("receives another Standard Webhooks sender, which names the event in the body's type (the specification's payload structure), signed by the reference library", async () => {
    // The secret and id of the specification's test vector; the vector's own 2021 timestamp is stale by design.
    const vectorSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
    const body = JSON.stringify({ type: 'contact.created', timestamp: '2026-12-01T04:00:00Z', data: { id: 'c-1' } });
    const now = new Date();
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': new Webhook(vectorSecret).sign(id, now, body) };
    const seen: unknown[] = [];
    const receiver = createReceiver<{ alias: 'contact.created'; payload: { type: string; data: { id: string } } }>({ secrets: vectorSecret, handlers: { 'contact.created': async (event) => void seen.push(event) } });
    expect(await receiver.handle({ headers, body })).toMatchObject({ status: 200, outcome: 'processed', id });
    expect(seen).toEqual([expect.objectContaining({ alias: 'contact.created', eventHeader: 'type', payload: JSON.parse(body), id })]);
    expect(await receiver.handle({ headers, body })).toMatchObject({ status: 200, outcome: 'duplicate' });
    expect(seen).toHaveLength(1);

    // An event header, when there is one, names the event; a body that is no envelope is refused with the fix.
    const both = signedRequest({ secrets: [secret], alias: 'Umbraco.ContentPublish', payload: { type: 'other', timestamp: '2026-12-01T04:00:00Z', data: {} } });
    const any = createReceiver({ secrets: secret, handle: async (event) => void seen.push(event) });
    await any.handle(both);
    expect(seen[1]).toMatchObject({ alias: 'Umbraco.ContentPublish', eventHeader: 'hookwork-event' });
    const untyped = signedRequest({ secrets: [secret], payload: { type: 7, timestamp: '2026-12-01T04:00:00Z', data: {} } });
    delete untyped.headers['hookwork-event'];
    expect(() => any.verify(untyped)).toThrow(/RECEIVER_ERR_NO_EVENT_ALIAS: .*its body is no Standard Webhooks envelope \(\{ "type", "timestamp", "data" \}\) naming the event; set headerNames\.event/);
  });

  it('takes the alias from the body only for a whole Standard Webhooks envelope: a payload with a type field of its own, sent without the event header the receiver reads, is refused 400 (retried, then a dead letter the sender sees), never answered 200 unhandled and dropped', async () => {
    const seen: unknown[] = [];
    const errors: unknown[] = [];
    const receiver = createReceiver({ secrets: secret, handlers: { 'test.big': async (event) => void seen.push(event.payload) }, onError: (error) => void errors.push(error) });
    const half = [
      { id: 'order-1', type: 'order' },
      { type: 'order', timestamp: '2026-12-01T04:00:00Z' },
      { type: 'order', data: { id: 'order-1' } },
      { type: 'order', timestamp: 'yesterday', data: { id: 'order-1' } },
      { type: 'order', timestamp: '2026-12-01T04:00:00Z', data: 'order-1' },
    ];
    for (const payload of half) {
      // A sender that renamed its event header (settings.headers.event) to one the receiver was not told of.
      const request = signedRequest({ secrets: [secret], payload });
      request.headers['x-cms-event'] = request.headers['hookwork-event']!;
      delete request.headers['hookwork-event'];
      const answer = await receiver.handle(request);
      expect([payload, answer.status, answer.outcome, (answer.error as { code?: string }).code]).toEqual([payload, 400, 'rejected', 'RECEIVER_ERR_NO_EVENT_ALIAS']);
      // Not recorded: once the receiver is told the header's name, the sender's retry is handled.
      expect(await createReceiver({ secrets: secret, headerNames: { event: ['x-cms-event'] }, handle: async (event) => void seen.push(event.alias) }).handle(request)).toMatchObject({ status: 200, outcome: 'processed' });
    }
    expect(seen).toEqual(half.map(() => 'Umbraco.ContentPublish'));
    expect(errors).toHaveLength(half.length);
  });

  it("receives a Svix-branded request (svix-id, svix-timestamp, svix-signature), as Svix's own library does", async () => {
    const seen: (string | undefined)[] = [];
    const receiver = createReceiver({ secrets: secret, handle: async (event) => void seen.push(event.id) });
    const request = signedRequest({ secrets: [secret] });
    const { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature, ...rest } = request.headers;
    const svix = { ...request, headers: { ...rest, 'svix-id': id!, 'svix-timestamp': timestamp!, 'svix-signature': signature! } };
    expect(await receiver.handle(svix)).toMatchObject({ status: 200, outcome: 'processed', id });
    expect(await receiver.handle(svix)).toMatchObject({ status: 200, outcome: 'duplicate', id });
    expect(seen).toEqual([id]);
    const forged = { ...svix, headers: { ...svix.headers, 'svix-signature': signedRequest({ secrets: [newSecret()], id }).headers['webhook-signature']! } };
    expect(await receiver.handle(forged)).toMatchObject({ status: 401, error: { code: 'RECEIVER_ERR_BAD_SIGNATURE' } });
  });

  it('reads an event header sent twice (a proxy that adds it again) as the alias it names, instead of answering 200 unhandled and dropping the event', async () => {
    const seen: string[] = [];
    const receiver = createReceiver<Events>({ secrets: secret, handlers: { 'Umbraco.ContentPublish': async (event) => void seen.push(event.alias) }, onError: () => {} });
    const request = signedRequest({ secrets: [secret] });
    // Node joins a repeated header with ", ", as normalizeHeaders does a list.
    expect(await receiver.handle({ ...request, headers: { ...request.headers, 'hookwork-event': ['Umbraco.ContentPublish', 'Umbraco.ContentPublish'] } })).toMatchObject({ status: 200, outcome: 'processed' });
    expect(seen).toEqual(['Umbraco.ContentPublish']);
    const mixed = signedRequest({ secrets: [secret] });
    const answer = await receiver.handle({ ...mixed, headers: { ...mixed.headers, 'hookwork-event': 'Umbraco.ContentPublish, Umbraco.ContentDelete' } });
    expect(answer).toMatchObject({ status: 400, outcome: 'rejected', id: mixed.id, error: { code: 'RECEIVER_ERR_INVALID_HEADER' } });
    expect((answer.error as Error).message).toContain('the hookwork-event header arrived 2 times with different values ("Umbraco.ContentPublish", "Umbraco.ContentDelete")');
    expect(seen).toHaveLength(1);
  });

  it('refuses a batch of CloudEvents saying it is one, not that the request is no CloudEvent', async () => {
    const receiver = createReceiver({ secrets: secret, handle: async () => {}, onError: () => {} });
    const body = JSON.stringify([{ specversion: '1.0', id: 'e1', source: '/s', type: 'Umbraco.ContentPublish', data: { id: 'doc-1' } }]);
    const request = signedRequest({ secrets: [secret], body });
    delete (request.headers as Record<string, string>)['hookwork-event'];
    const answer = await receiver.handle({ ...request, headers: { ...request.headers, 'content-type': 'application/cloudevents-batch+json' } });
    expect(answer).toMatchObject({ status: 415, error: { code: 'RECEIVER_ERR_UNSUPPORTED_CLOUDEVENT' } });
    expect((answer.error as Error).message).toContain('is a batch of CloudEvents (application/cloudevents-batch+json), which the kit does not read: have the sender send one event per request');
  });

  it('reads a content-type a fetch Headers joined by the same rule as every header: one value repeated is that value, two that differ are refused', async () => {
    const { seen, handler } = recording();
    const receiver = createReceiver<Events>({ secrets: secret, handle: handler, onError: () => {} });
    const body = JSON.stringify({ specversion: '1.0', id: 'e1', source: '/s', type: 'Umbraco.ContentDelete', data: { id: 'doc-1' } });
    // hookwork-event names the type too, as hookwork sends it (one that names another is refused).
    const same = signedRequest({ secrets: [secret], body, alias: 'Umbraco.ContentDelete' });
    const headers = new Headers(same.headers);
    headers.set('content-type', 'application/cloudevents+json');
    headers.append('content-type', 'application/cloudevents+json');
    expect(await receiver.handle({ headers, body: same.body })).toMatchObject({ status: 200, outcome: 'processed' });
    expect(seen[0]).toMatchObject({ alias: 'Umbraco.ContentDelete', eventHeader: 'type', payload: { id: 'doc-1' } });
    const differing = signedRequest({ secrets: [secret], body, alias: 'Umbraco.ContentDelete' });
    const mixed = new Headers(differing.headers);
    mixed.append('content-type', 'application/cloudevents+json');
    const answer = await receiver.handle({ headers: mixed, body: differing.body });
    expect(answer).toMatchObject({ status: 400, error: { code: 'RECEIVER_ERR_INVALID_HEADER', message: expect.stringContaining('the content-type header arrived 2 times with different values ("application/json", "application/cloudevents+json")') } });
    expect(seen).toHaveLength(1);
  });

  it.each([
    ['with data_base64 (binary data)', { data_base64: Buffer.from('{"id":"doc-1"}').toString('base64') }, 'with data_base64 — binary data —'],
    ['with no data', {}, 'with no data;'],
  ])('refuses a structured CloudEvent %s 415, rather than hand the handler an undefined payload and answer 200', async (_what, data, said) => {
    const { seen, handler, errors, onError } = recording();
    const receiver = createReceiver<Events>({ secrets: secret, handle: handler, onError });
    const request = signedRequest({ secrets: [secret], body: JSON.stringify({ specversion: '1.0', id: 'e1', source: '/s', type: 'Umbraco.ContentPublish', ...data }) });
    const answer = await receiver.handle({ ...request, headers: { ...request.headers, 'content-type': 'application/cloudevents+json' } });
    expect(answer).toMatchObject({ status: 415, outcome: 'rejected', error: { code: 'RECEIVER_ERR_UNSUPPORTED_CLOUDEVENT', message: expect.stringContaining(said) } });
    expect(seen).toEqual([]);
    expect(errors).toHaveLength(1);
    // A data of null is data: handed over as it is.
    const nullData = signedRequest({ secrets: [secret], body: JSON.stringify({ specversion: '1.0', id: 'e2', source: '/s', type: 'Umbraco.ContentPublish', data: null }) });
    expect(await receiver.handle({ ...nullData, headers: { ...nullData.headers, 'content-type': 'application/cloudevents+json' } })).toMatchObject({ status: 200, outcome: 'processed' });
    expect(seen.map((event) => event.payload)).toEqual([null]);
  });

  it('refuses a binary-mode CloudEvent whose ce-* headers pass 16 KiB 400, naming the longest, and takes one just under', async () => {
    const { seen, handler, errors, onError } = recording();
    const receiver = createReceiver<Events>({ secrets: secret, handle: handler, onError });
    const ce = { 'ce-specversion': '1.0', 'ce-id': 'e1', 'ce-source': '/s', 'ce-type': 'Umbraco.ContentPublish' };
    const room = 16 * 1024 - Object.entries(ce).reduce((sum, [name, value]) => sum + name.length + value.length, 0) - 'ce-subject'.length;
    const request = signedRequest({ secrets: [secret] });
    const answer = await receiver.handle({ ...request, headers: { ...request.headers, ...ce, 'ce-subject': 's'.repeat(room + 1) } });
    expect(answer).toMatchObject({ status: 400, outcome: 'rejected', error: { code: 'RECEIVER_ERR_INVALID_HEADER', message: expect.stringContaining(`are 16385 characters, more than the 16384 the receiver takes (ce-subject alone is ${room + 1}:`) } });
    expect(seen).toEqual([]);
    expect(errors).toHaveLength(1);
    const fits = signedRequest({ secrets: [secret] });
    expect(await receiver.handle({ ...fits, headers: { ...fits.headers, ...ce, 'ce-subject': 's'.repeat(room) } })).toMatchObject({ status: 200, outcome: 'processed' });
    expect(seen[0]?.cloudEvent?.subject).toHaveLength(room);
  });

  it('keeps ce-__proto__, ce-constructor and ce-prototype as attributes of a binary-mode CloudEvent, polluting no prototype', async () => {
    const { seen, handler, onError } = recording();
    const receiver = createReceiver<Events>({ secrets: secret, handle: handler, onError });
    const request = signedRequest({ secrets: [secret] });
    const ce = { 'ce-specversion': '1.0', 'ce-id': 'e1', 'ce-source': '/s', 'ce-type': 'Umbraco.ContentPublish' };
    const answer = await receiver.handle({ ...request, headers: [...Object.entries(request.headers), ...Object.entries(ce), ['ce-__proto__', '%7B%7D'], ['ce-constructor', 'c'], ['ce-prototype', 'p']] });
    expect(answer).toMatchObject({ status: 200, outcome: 'processed' });
    const attributes = seen[0]!.cloudEvent as unknown as Record<string, unknown>;
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
    expect(Object.entries(attributes)).toEqual(expect.arrayContaining([['__proto__', '{}'], ['constructor', 'c'], ['prototype', 'p']]));
    expect(({} as Record<string, unknown>).prototype).toBeUndefined();
  });

  it('refuses a binary-mode CloudEvent with no data (an empty body) 415, saying so', async () => {
    const receiver = createReceiver<Events>({ secrets: secret, handle: async () => {}, onError: () => {} });
    const request = signedRequest({ secrets: [secret], body: '' });
    const answer = await receiver.handle({ ...request, headers: { ...request.headers, 'ce-specversion': '1.0', 'ce-id': 'e1', 'ce-source': '/s', 'ce-type': 'Umbraco.ContentPublish' } });
    expect(answer).toMatchObject({ status: 415, error: { code: 'RECEIVER_ERR_UNSUPPORTED_CLOUDEVENT', message: expect.stringContaining('is a binary-mode CloudEvent ("Umbraco.ContentPublish") with no data (an empty body)') } });
  });

  it('takes headers as a Map, [name, value] pairs or Node\'s flat rawHeaders as well, and refuses other shapes with the fix (500, not 401 blaming the sender)', async () => {
    const { seen, handler, errors, onError } = recording();
    const receiver = createReceiver<Events>({ secrets: secret, handle: handler, onError });
    for (const shape of [(h: Record<string, string>) => new Map(Object.entries(h)), (h: Record<string, string>) => Object.entries(h), (h: Record<string, string>) => Object.entries(h).flat()]) {
      const request = signedRequest({ secrets: [secret] });
      expect(await receiver.handle({ headers: shape(request.headers), body: request.body })).toMatchObject({ status: 200, outcome: 'processed', id: request.id });
    }
    expect(seen).toHaveLength(3);
    const request = signedRequest({ secrets: [secret] });
    const shapes: [unknown, string][] = [
      [undefined, 'the receiver was given no headers;'],
      ['webhook-id: x', 'the receiver was given headers as a string;'],
      [{ pipe: () => {}, headers: request.headers }, 'the receiver was given the request itself as its headers;'],
      [[['webhook-id']], 'headers as an array that is neither [name, value] pairs nor a flat [name, value, name, value, …] list'],
    ];
    for (const [headers, said] of shapes) {
      const answer = await receiver.handle({ headers: headers as never, body: request.body });
      expect(answer).toMatchObject({ status: 500, outcome: 'failed', error: { code: 'RECEIVER_ERR_HEADERS_SHAPE', message: expect.stringContaining(said) } });
      expect((answer.error as Error).message).toContain("pass the request's headers as Node's req.headers (a record), a fetch Headers object, a Map, [name, value] pairs or req.rawHeaders");
    }
    expect(errors).toHaveLength(shapes.length);
    expect(seen).toHaveLength(3);
  });

  it('takes fetch Headers, Uint8Array and string bodies', async () => {
    const { seen, handler } = recording();
    const receiver = createReceiver<Events>({ secrets: secret, handle: handler });
    const request = signedRequest({ secrets: [secret] });
    expect((await receiver.handle({ headers: new Headers(request.headers), body: new TextEncoder().encode(request.body) })).status).toBe(200);
    const second = signedRequest({ secrets: [secret] });
    expect((await receiver.handle({ headers: second.headers, body: second.body })).status).toBe(200);
    expect(seen).toHaveLength(2);
  });

  describe('deduplication by webhook-id', () => {
    it('answers a redelivery of a processed id 200 duplicate without running the handler again', async () => {
      const { seen, handler } = recording();
      const receiver = createReceiver<Events>({ secrets: secret, handle: handler });
      const id = newId();
      expect((await receiver.handle(signedRequest({ secrets: [secret], id }))).outcome).toBe('processed');
      // A redelivery is signed afresh (new timestamp, retry count) but keeps its id.
      const again = await receiver.handle(signedRequest({ secrets: [secret], id, retryCount: 1, timestamp: Math.floor(Date.now() / 1000) + 1 }));
      expect(again).toMatchObject({ status: 200, outcome: 'duplicate', id });
      expect(seen).toHaveLength(1);
    });

    it('releases the id when the handler fails: 500, and the retry is processed', async () => {
      const { errors, onError } = recording();
      let calls = 0;
      const receiver = createReceiver<Events>({
        secrets: secret,
        onError,
        handle: async () => {
          calls += 1;
          if (calls === 1) throw new Error('database is down at db-7.internal');
        },
      });
      const id = newId();
      const failed = await receiver.handle(signedRequest({ secrets: [secret], id }));
      expect(failed).toMatchObject({ status: 500, outcome: 'failed', id });
      // The sender sees the code, not the handler's own message.
      expect(bodyOf(failed)).toEqual({ outcome: 'failed', id, error: { code: 'RECEIVER_ERR_HANDLER_FAILED' } });
      expect(failed.body).not.toContain('db-7');
      expect(errors).toHaveLength(1);
      expect(isReceiverError(errors[0]!.error, 'RECEIVER_ERR_HANDLER_FAILED')).toBe(true);
      expect((errors[0]!.error as Error).cause).toEqual(new Error('database is down at db-7.internal'));

      expect((await receiver.handle(signedRequest({ secrets: [secret], id, retryCount: 1 }))).outcome).toBe('processed');
      expect((await receiver.handle(signedRequest({ secrets: [secret], id, retryCount: 2 }))).outcome).toBe('duplicate');
      expect(calls).toBe(2);
    });

    it('answers 503 in-progress while another delivery of the id is being handled', async () => {
      let finish!: () => void;
      const started: string[] = [];
      const receiver = createReceiver<Events>({
        secrets: secret,
        handle: (event) => {
          started.push(event.id);
          return new Promise<void>((resolve) => (finish = resolve));
        },
      });
      const id = newId();
      const first = receiver.handle(signedRequest({ secrets: [secret], id }));
      await new Promise((resolve) => setImmediate(resolve));
      expect(await receiver.handle(signedRequest({ secrets: [secret], id, retryCount: 1 }))).toMatchObject({ status: 503, outcome: 'in-progress', id });
      finish();
      expect((await first).outcome).toBe('processed');
      expect((await receiver.handle(signedRequest({ secrets: [secret], id, retryCount: 2 }))).outcome).toBe('duplicate');
      expect(started).toEqual([id]);
    });

    it('claims nothing for a request that does not verify, so a forged id cannot block the real request', async () => {
      const { seen, handler } = recording();
      const receiver = createReceiver<Events>({ secrets: secret, handle: handler });
      const id = newId();
      expect((await receiver.handle(signedRequest({ secrets: [newSecret()], id }))).status).toBe(401);
      expect((await receiver.handle(signedRequest({ secrets: [secret], id }))).outcome).toBe('processed');
      expect(seen).toHaveLength(1);
    });

    it('uses the store given, with the lease and retention given', async () => {
      const calls: string[] = [];
      const inner = memoryDedupeStore();
      const store: DedupeStore = {
        claim: (id, leaseMs) => (calls.push(`claim ${leaseMs}`), inner.claim(id, leaseMs)),
        complete: (id, token, retainMs) => (calls.push(`complete ${retainMs}`), inner.complete(id, token, retainMs)),
        release: (id, token) => (calls.push('release'), inner.release(id, token)),
      };
      const receiver = createReceiver<Events>({ secrets: secret, dedupe: { store, leaseMs: 1234, retainMs: 600_000 }, handle: async () => {} });
      await receiver.handle(signedRequest({ secrets: [secret] }));
      expect(calls).toEqual(['claim 1234', 'complete 600000']);
    });

    it('answers 500 when the store cannot claim through a failure that is no outage (the sender retries), and 200 when it fails only to mark done', async () => {
      const { seen, handler, errors, onError } = recording();
      const broken = (method: keyof DedupeStore): DedupeStore => {
        const inner = memoryDedupeStore();
        return { ...inner, [method]: async () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379')) };
      };
      const claimFails = createReceiver<Events>({ secrets: secret, dedupe: { store: broken('claim') }, handle: handler, onError });
      const answer = await claimFails.handle(signedRequest({ secrets: [secret] }));
      expect(answer).toMatchObject({ status: 500, outcome: 'failed' });
      expect(bodyOf(answer).error).toEqual({ code: 'RECEIVER_ERR_DEDUPE_STORE' });
      expect(seen).toHaveLength(0);

      const completeFails = createReceiver<Events>({ secrets: secret, dedupe: { store: broken('complete') }, handle: handler, onError });
      expect(await completeFails.handle(signedRequest({ secrets: [secret] }))).toMatchObject({ status: 200, outcome: 'processed' });
      expect(seen).toHaveLength(1);
      expect(errors.map((e) => (e.error as { code?: string }).code)).toEqual(['RECEIVER_ERR_DEDUPE_STORE', 'RECEIVER_ERR_DEDUPE_STORE']);
    });

    it.each([
      ['a revoked Proxy', () => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; }],
      ['a Proxy whose traps throw', () => new Proxy({}, { getPrototypeOf: () => { throw new Error('trap'); }, get: () => { throw new Error('trap'); } })],
    ])('answers 500 RECEIVER_ERR_DEDUPE_STORE, not RECEIVER_ERR_INTERNAL, when the store throws %s (which instanceof throws on)', async (_, thrown) => {
      const { seen, handler, errors, onError } = recording();
      const value = thrown();
      expect(isReceiverError(value)).toBe(false);
      expect(isReceiverError(value, 'RECEIVER_ERR_DEDUPE_STORE')).toBe(false);
      const store: DedupeStore = { ...memoryDedupeStore(), claim: async () => Promise.reject(value) };
      const receiver = createReceiver<Events>({ secrets: secret, dedupe: { store }, handle: handler, onError });
      const answer = await receiver.handle(signedRequest({ secrets: [secret] }));
      expect(answer).toMatchObject({ status: 500, outcome: 'failed' });
      expect(bodyOf(answer).error).toEqual({ code: 'RECEIVER_ERR_DEDUPE_STORE' });
      expect((answer.error as Error | undefined)?.message).toContain('(a thrown object that cannot be turned into text)');
      expect(seen).toHaveLength(0);
      expect(errors.map((e) => (e.error as { code?: string }).code)).toEqual(['RECEIVER_ERR_DEDUPE_STORE']);
    });

    it('can be turned off', async () => {
      const { seen, handler } = recording();
      const receiver = createReceiver<Events>({ secrets: secret, dedupe: false, handle: handler });
      const id = newId();
      await receiver.handle(signedRequest({ secrets: [secret], id }));
      expect((await receiver.handle(signedRequest({ secrets: [secret], id }))).outcome).toBe('processed');
      expect(seen).toHaveLength(2);
    });
  });

  describe('dispatch', () => {
    it('answers 200 unhandled for an alias without a handler, or runs `unhandled`', async () => {
      const { seen, handler } = recording();
      const plain = createReceiver<Events>({ secrets: secret, handlers: { 'Umbraco.ContentPublish': handler } });
      expect(await plain.handle(signedRequest({ secrets: [secret], alias: 'Umbraco.ContentDelete' }))).toMatchObject({ status: 200, outcome: 'unhandled' });
      // An alias named like an Object member finds no handler either.
      expect((await plain.handle(signedRequest({ secrets: [secret], alias: 'constructor' }))).outcome).toBe('unhandled');
      expect(seen).toHaveLength(0);

      const withFallback = createReceiver<Events>({ secrets: secret, handlers: {}, unhandled: handler });
      expect((await withFallback.handle(signedRequest({ secrets: [secret], alias: 'Umbraco.ContentDelete' }))).outcome).toBe('processed');
      expect(seen.map((e) => e.alias)).toEqual(['Umbraco.ContentDelete']);
    });

    it('never drops an unhandled event silently: onError is told (RECEIVER_ERR_UNHANDLED_EVENT) with the 200 answer, and the default onError writes a line', async () => {
      const { errors, onError, handler } = recording();
      const receiver = createReceiver<Events>({ secrets: secret, handlers: { 'Umbraco.ContentPublish': handler }, onError });
      const request = signedRequest({ secrets: [secret], alias: 'Umbraco.ContentDelete' });
      const answer = await receiver.handle(request);
      expect(answer).toMatchObject({ status: 200, outcome: 'unhandled', id: request.id });
      expect(bodyOf(answer)).toEqual({ outcome: 'unhandled', id: request.id });
      expect(errors).toHaveLength(1);
      expect(errors[0]!.answer).toBe(answer);
      expect(errors[0]!.error).toMatchObject({ code: 'RECEIVER_ERR_UNHANDLED_EVENT', status: 200, message: expect.stringContaining(`no handler for Umbraco.ContentDelete (from hookwork-event), so ${request.id} was answered 200 unhandled and will not be retried; add a handler for it`) });
      // A duplicate of it was reported once already: not again.
      expect(await receiver.handle(request)).toMatchObject({ outcome: 'duplicate' });
      expect(errors).toHaveLength(1);

      const lines: unknown[] = [];
      const spy = jest.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(line));
      const env = process.env.NODE_ENV;
      process.env.NODE_ENV = 'production';
      try {
        await createReceiver<Events>({ secrets: secret, handlers: { 'Umbraco.ContentPublish': handler } }).handle(signedRequest({ secrets: [secret], alias: 'Umbraco.ContentDelete' }));
      } finally {
        process.env.NODE_ENV = env;
        spy.mockRestore();
      }
      expect(lines).toEqual([expect.stringMatching(/^@hookwork\/receiver: answered 200 \(unhandled\): RECEIVER_ERR_UNHANDLED_EVENT: no handler for Umbraco.ContentDelete/)]);
    });

    it('records an unhandled id only for the 10 minutes a copy stays verifiable: a replay meanwhile is a duplicate, a redelivery once a handler is deployed is handled', async () => {
      let now = Date.now();
      const store = memoryDedupeStore({ now: () => now });
      const { seen, handler } = recording();
      const before = createReceiver<Events>({ secrets: secret, handlers: { 'Umbraco.ContentPublish': handler }, dedupe: { store }, onError: () => {} });
      const request = signedRequest({ secrets: [secret], alias: 'Umbraco.ContentDelete' });
      expect((await before.handle(request)).outcome).toBe('unhandled');
      // Replayed as another alias within the window: answered, not handled as that event.
      expect((await before.handle({ ...request, headers: { ...request.headers, 'hookwork-event': 'Umbraco.ContentPublish' } })).outcome).toBe('duplicate');
      expect(seen).toEqual([]);
      now += 10 * 60_000;
      // The operator redelivers it (signed afresh, the same id) to the receiver that now handles it.
      const after = createReceiver<Events>({ secrets: secret, handle: handler, dedupe: { store } });
      expect(await after.handle(signedRequest({ secrets: [secret], alias: 'Umbraco.ContentDelete', id: request.id }))).toMatchObject({ status: 200, outcome: 'processed' });
      expect(seen.map((event) => event.id)).toEqual([request.id]);
      // A processed id is kept for retainMs (24 hours), as before.
      now += 60 * 60_000;
      expect((await after.handle(signedRequest({ secrets: [secret], alias: 'Umbraco.ContentDelete', id: request.id }))).outcome).toBe('duplicate');
    });

    it('hands test sends over marked, or acknowledges them without handling', async () => {
      const { seen, handler } = recording();
      const handles = createReceiver<Events>({ secrets: secret, handle: handler });
      expect((await handles.handle(signedRequest({ secrets: [secret], test: true }))).outcome).toBe('processed');
      expect(seen[0]!.test).toBe(true);
      const acknowledges = createReceiver<Events>({ secrets: secret, testSends: 'acknowledge', handle: handler });
      expect(await acknowledges.handle(signedRequest({ secrets: [secret], test: true }))).toMatchObject({ status: 200, outcome: 'test' });
      expect(seen).toHaveLength(1);
    });
  });

  describe('refusals', () => {
    const cases: [string, (r: ReturnType<typeof signedRequest>) => { headers: Record<string, string>; body: unknown }, number, string][] = [
      ['unsigned', (r) => ({ ...r, headers: { ...r.headers, 'webhook-signature': '' } }), 401, 'RECEIVER_ERR_MISSING_HEADER'],
      ['stale', () => ({ ...signedRequest({ secrets: [secret], timestamp: Math.floor(Date.now() / 1000) - 3600 }) }), 401, 'RECEIVER_ERR_STALE_TIMESTAMP'],
      ['forged', (r) => ({ ...r, body: r.body.replace('doc-1', 'doc-2') }), 401, 'RECEIVER_ERR_BAD_SIGNATURE'],
      ['without an event header', (r) => ({ ...r, headers: { ...r.headers, 'hookwork-event': '' } }), 400, 'RECEIVER_ERR_NO_EVENT_ALIAS'],
      ['not JSON', () => signedRequest({ secrets: [secret], body: '<xml/>' }), 400, 'RECEIVER_ERR_INVALID_JSON'],
      ['parsed already', (r) => ({ ...r, body: JSON.parse(r.body) as unknown }), 500, 'RECEIVER_ERR_BODY_NOT_RAW'],
    ];
    it.each(cases)('answers a request %s with its status and code, says why, and tells onError', async (_, make, status, code) => {
      const { seen, handler, errors, onError } = recording();
      const receiver = createReceiver<Events>({ secrets: secret, handle: handler, onError });
      const request = make(signedRequest({ secrets: [secret], payload: { id: 'doc-1' } }));
      const answer = await receiver.handle(request as never);
      expect(answer.status).toBe(status);
      expect(answer.outcome).toBe(status === 500 ? 'failed' : 'rejected');
      expect(bodyOf(answer).error?.code).toBe(code);
      if (status < 500) expect(bodyOf(answer).error?.message).toMatch(new RegExp(`^${code}: `));
      expect(errors.map((e) => (e.error as { code?: string }).code)).toEqual([code]);
      expect(seen).toHaveLength(0);
      expect(() => receiver.verify(request as never)).toThrow(expect.objectContaining({ code }));
    });

    it('tells how to fix a body that a JSON parser already parsed', () => {
      const receiver = createReceiver<Events>({ secrets: secret, handle: async () => {} });
      expect(() => receiver.verify({ headers: {}, body: { id: 'doc-1' } as never })).toThrow(/express\.raw\(.*captureRawBody.*fastifyReceiver/s);
    });

    it('takes any view of the bytes (a DataView, a typed array) as the bytes, and names what else it got in good English', async () => {
      const receiver = createReceiver<Events>({ secrets: secret, handle: async () => {}, dedupe: false });
      const request = signedRequest({ secrets: [secret] });
      const bytes = Buffer.from(request.body);
      expect((await receiver.handle({ headers: request.headers, body: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) })).status).toBe(200);
      expect(() => receiver.verify({ headers: request.headers, body: 5 as never })).toThrow(/the body reached the receiver as a number, not as the raw bytes/);
    });

    it('refuses a call without a request with the shape it takes, not as a failure inside the kit', async () => {
      const receiver = createReceiver<Events>({ secrets: secret, handle: async () => {}, onError: () => {} });
      expect(() => receiver.verify(undefined as never)).toThrow(expect.objectContaining({ code: 'RECEIVER_ERR_BODY_NOT_RAW', message: expect.stringContaining('the receiver was given no request; pass the request as { headers, body }') }));
      expect(await receiver.handle(undefined as never)).toMatchObject({ status: 500, error: { code: 'RECEIVER_ERR_BODY_NOT_RAW' } });
    });

    it('answers even when onError throws', async () => {
      const receiver = createReceiver<Events>({
        secrets: secret,
        handle: async () => {},
        onError: () => {
          throw new Error('logger down');
        },
      });
      expect((await receiver.handle(signedRequest({ secrets: [newSecret()] }))).status).toBe(401);
    });
  });

  describe('unsigned mode (explicit)', () => {
    it('accepts requests without signatures, deduplicating those that carry a webhook-id', async () => {
      const seen: (string | undefined)[] = [];
      const receiver = createReceiver<Events>({ unsigned: true, handle: async (event) => void seen.push(event.id) });
      const umbraco = signedRequest({ style: 'umbraco' });
      delete umbraco.headers['webhook-id'];
      expect((await receiver.handle(umbraco)).outcome).toBe('processed');
      expect((await receiver.handle(umbraco)).outcome).toBe('processed');
      const withId = signedRequest({});
      expect((await receiver.handle(withId)).outcome).toBe('processed');
      expect((await receiver.handle(withId)).outcome).toBe('duplicate');
      expect(seen).toEqual([undefined, undefined, withId.id]);
    });
  });

  describe('options', () => {
    const handle = async () => {};
    it.each([
      ['no secrets', { handle }, /no secrets/],
      ['secrets and unsigned', { secrets: secret, unsigned: true, handle }, /both secrets and unsigned/],
      ['unsigned not true', { unsigned: 'yes', handle }, /unsigned is "yes"/],
      ['no handler', { secrets: secret }, /no handlers/],
      ['handlers and handle', { secrets: secret, handlers: {}, handle }, /both handlers and handle/],
      ['a handler that is not a function', { secrets: secret, handlers: { a: 'b' } }, /handler of a is not a function/],
      ['unhandled with handle', { secrets: secret, handle, unhandled: handle }, /unhandled goes with handlers/],
      ['a lease of 0', { secrets: secret, handle, dedupe: { leaseMs: 0 } }, /dedupe.leaseMs is 0/],
      ['a lease given as text', { secrets: secret, handle, dedupe: { leaseMs: '5000' } }, /dedupe.leaseMs is the string "5000"; use a whole number of milliseconds/],
      ['a store timeout of 0', { secrets: secret, handle, dedupe: { timeoutMs: 0 } }, /dedupe.timeoutMs is 0; use a whole number of milliseconds from 1 to 2147483647 \(default 5000\)/],
      ['a store timeout given as text', { secrets: secret, handle, dedupe: { timeoutMs: '5s' } }, /dedupe.timeoutMs is the string "5s"; use a whole number of milliseconds/],
      // Past Node's longest timer, setTimeout fires after 1 ms: every claim would have been answered 503.
      ['a store timeout past the longest timer', { secrets: secret, handle, dedupe: { timeoutMs: 2 ** 31 } }, /dedupe.timeoutMs is 2147483648; use a whole number of milliseconds from 1 to 2147483647/],
      ['the store factory itself instead of a store', { secrets: secret, handle, dedupe: { store: memoryDedupeStore } }, /dedupe.store is a function \(memoryDedupeStore\), not a store; call it — store: memoryDedupeStore\(…\)/],
      ['secrets from an unset environment variable (secrets: process.env.WEBHOOK_SECRET!)', { secrets: undefined, handle }, /no secrets \(secrets is undefined: an environment variable that is not set\?\): give the webhook's whsec_… secret/],
      ['a store without release', { secrets: secret, handle, dedupe: { store: { claim: handle, complete: handle } } }, /no release\(\) method/],
      ['an unknown testSends', { secrets: secret, handle, testSends: 'skip' }, /testSends is "skip"/],
      ['an empty secret list', { secrets: [], handle }, /secrets is empty/],
      ['a secret from an unset environment variable', { secrets: [secret, undefined], handle }, /: secret #2 is undefined \(an environment variable that is not set\?\); give the whsec_… string the sender shows$/],
      ['a secret that is not a string', { secrets: 42, handle }, /: secret is a number; give the whsec_… string/],
      ['a secret that is not base64', { secrets: 'whsec_notbase64!', handle }, /secret has a character that is not base64 at character 16 of 16/],
      ['the second secret of a rotation malformed', { secrets: [secret, 'hunter2?'], handle }, /secret #2 has a character that is not base64 at character 8 of 8/],
      ['a placeholder secret that happens to be base64', { secrets: 'nope', handle }, /secret is the base64 of 3 bytes, .* 16 to 128 .*placeholder/],
      ['a secret of too few bytes', { secrets: [secret, `whsec_${Buffer.from('short').toString('base64')}`], handle }, /secret #2 is the base64 of 5 bytes/],
      ['an unknown option (a typo)', { secret, handle }, /createReceiver\(\) does not know the option secret \(did you mean secrets\?\); its options are secrets, unsigned/],
      ['an unknown option beside valid ones', { secrets: secret, handle, dedup: false }, /does not know the option dedup \(did you mean dedupe\?\)/],
      // Every unknown key was named: an object of 100,000 made a message of megabytes.
      ['100,000 unknown options: the first ten named, the rest counted', { secrets: secret, handle, ...Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, 1])) }, /does not know the options k0, k1, .*k9 and 99990 more; its options are/],
      ['onError that is not a function', { secrets: secret, handle, onError: 'console' }, /onError is a string; give a function/],
      ['headerNames.event as a string', { secrets: secret, handle, headerNames: { event: 'x-event' } }, /headerNames.event is the string "x-event"; give a list of header names tried in order, e.g. \["x-event"\]/],
      ['an empty headerNames.event', { secrets: secret, handle, headerNames: { event: [] } }, /headerNames.event is empty/],
      ['a header name with a space', { secrets: secret, handle, headerNames: { retryCount: ['x retry'] } }, /headerNames.retryCount\[0\] is "x retry", not a header name/],
      // Quoted raw, a U+202E reversed the rest of the log line and a zero-width space was unseen.
      ['a header name with a bidi override', { secrets: secret, handle, headerNames: { event: ['x-\u202eevent'] } }, /headerNames.event\[0\] is "x-\\u202eevent", not a header name/],
      ['headerNames.event as a string with a zero-width space', { secrets: secret, handle, headerNames: { event: 'x-event\u200b' } }, /headerNames.event is the string "x-event\\u200b"; give a list/],
      ['an unknown headerNames key', { secrets: secret, handle, headerNames: { alias: ['x-event'] } }, /headerNames does not know the option alias/],
      ['dedupe: true', { secrets: secret, handle, dedupe: true }, /dedupe is true; leave it out \(deduplication is on by default\)/],
      ['an unknown dedupe key', { secrets: secret, handle, dedupe: { lease: 1000 } }, /dedupe does not know the option lease \(did you mean leaseMs\?\)/],
      ['options that are an array', [], /needs an options object/],
      // Read through Object.keys, a Map held no options: every one its default, no secrets checked.
      ['options that are a Map', new Map([['unsigned', true]]), /needs an options object with secrets and handlers; got a Map/],
      ['dedupe as a Map', { secrets: secret, handle, dedupe: new Map([['leaseMs', 1]]) }, /dedupe is a Map; leave it out/],
      ['headerNames as a Map', { secrets: secret, handle, headerNames: new Map([['event', ['x-e']]]) }, /headerNames is a Map/],
      ['handlers given as an array of functions', { secrets: secret, handlers: [handle] }, /handlers is an array; give an object of alias → handler function/],
      ['handlers that are empty (every event would be dropped as unhandled)', { secrets: secret, handlers: {} }, /handlers is empty, so every event would be answered 200 unhandled and never retried; give a handler per alias, handle/],
      ['a secret in quotes (docker --env-file keeps them)', { secrets: `"${secret}"`, handle }, /: secret is wrapped in quotes — an env file read without unquoting \(docker --env-file, a systemd EnvironmentFile\) keeps them; remove the quotes/],
      ['secrets as a Set', { secrets: new Set([secret]), handle }, /secrets is a Set; give the whsec_… string, or an array of them during a rotation/],
      ['a secret that is an object', { secrets: [{ secret }], handle }, /: secret is an object; give the whsec_… string/],
    ])('refuses %s with RECEIVER_ERR_INVALID_OPTIONS', (_, options, message) => {
      expect(() => createReceiver(options as never)).toThrow(expect.objectContaining({ code: 'RECEIVER_ERR_INVALID_OPTIONS', message: expect.stringMatching(message) }));
    });

    it('never echoes a malformed secret in the error', () => {
      const leaked = 'whsec_sup3r-s3cret!';
      expect(() => createReceiver({ secrets: leaked, handle })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('sup3r') }));
    });
  });

  describe('unexpected failures', () => {
    it('answer RECEIVER_ERR_INTERNAL (500, code only) with the original as cause, not a handler failure', async () => {
      const { errors, onError } = recording();
      const receiver = createReceiver<Events>({ secrets: secret, handle: async () => {}, onError });
      const boom = new Error('headers exploded');
      const headers = new Proxy({}, { ownKeys: () => { throw boom; } });
      const answer = await receiver.handle({ headers, body: '{}' });
      expect(answer).toMatchObject({ status: 500, outcome: 'failed' });
      expect(bodyOf(answer)).toEqual({ outcome: 'failed', error: { code: 'RECEIVER_ERR_INTERNAL' } });
      expect(errors).toHaveLength(1);
      expect(errors[0]!.error).toMatchObject({ code: 'RECEIVER_ERR_INTERNAL', cause: boom });
    });

    it('refuse() of an error that is not a ReceiverError is RECEIVER_ERR_INTERNAL', () => {
      const receiver = createReceiver<Events>({ secrets: secret, handle: async () => {}, onError: () => {} });
      const answer = receiver.refuse(new TypeError('x is undefined'));
      expect(answer.status).toBe(500);
      expect(bodyOf(answer).error).toEqual({ code: 'RECEIVER_ERR_INTERNAL' });
      expect(isReceiverError(answer.error, 'RECEIVER_ERR_INTERNAL')).toBe(true);
    });
  });
});
