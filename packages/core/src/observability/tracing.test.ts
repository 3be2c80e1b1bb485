import { context, createTraceState, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SamplingDecision, SimpleSpanProcessor, type ReadableSpan, type Sampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Hookwork } from '../composition/hookwork-app';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { startTestApp, ThingHappened } from '../test-support/test-app';
import { resolveToken } from '../runtime/tokens';
import { WebhookFiringService } from '../firing/webhook-firing-service';
import { formatTraceparent, formatTracestate, parseTraceparent, TracerToken } from './tracing';

describe('OpenTelemetry spans', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const contextManager = new AsyncLocalStorageContextManager();

  beforeAll(() => {
    // What every Node SDK registers: the active span follows async work (publish → enqueue).
    context.setGlobalContextManager(contextManager.enable());
  });
  afterAll(() => {
    context.disable();
  });
  beforeEach(async () => {
    exporter.reset();
    receiver = await startTestReceiver();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver.close();
  });

  const named = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name);
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

  it('traces publish → enqueue in one trace, each attempt in a trace of its own linked to the enqueue span, and sends the attempt\'s traceparent when asked', async () => {
    app = await startTestApp({ tracerProvider: provider, settings: { tracing: { traceparent: true }, retrySchedule: [20] } });
    receiver.handler = (_r, res, index) => {
      res.statusCode = index === 0 ? 503 : 200;
      res.end();
    };
    // A path that is the secret, as Slack's and Discord's webhook URLs are, and a token in the query.
    const webhook = await app.webhooks.create({ url: `${receiver.origin}/services/T0001/B0001/pathsecret?token=querysecret`, events: ['thing.happened'] });
    await app.publish(new ThingHappened('traced'));
    await app.drain();

    const [publish] = named('hookwork.publish');
    const [enqueue] = named('hookwork.enqueue');
    const attempts = named('POST');
    expect(publish).toBeDefined();
    expect(publish!.attributes).toMatchObject({ 'hookwork.notification': 'ThingHappened' });
    expect(enqueue!.kind).toBe(SpanKind.PRODUCER);
    const [request] = (await app.logs(webhook.key)).items;
    // Messaging conventions: one message sent to the alias the webhooks subscribe to, by its id.
    expect(enqueue!.attributes).toEqual({ 'messaging.system': 'hookwork', 'messaging.operation.type': 'send', 'messaging.operation.name': 'enqueue', 'messaging.destination.name': 'thing.happened', 'messaging.message.id': request!.requestId });
    expect(parentOf(enqueue!)).toBe(publish!.spanContext().spanId);
    expect(attempts).toHaveLength(2);
    for (const attempt of attempts) {
      expect(attempt.kind).toBe(SpanKind.CLIENT);
      // Its own trace, linked to the message's creation context (the enqueue span).
      expect(parentOf(attempt)).toBeUndefined();
      expect(attempt.spanContext().traceId).not.toBe(publish!.spanContext().traceId);
      expect(attempt.links.map((l) => l.context)).toEqual([expect.objectContaining({ traceId: enqueue!.spanContext().traceId, spanId: enqueue!.spanContext().spanId })]);
      // Neither the path nor the query: a token in either must not end up in a trace backend.
      expect(attempt.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.full': `${receiver.origin}/REDACTED`, 'server.address': '127.0.0.1', 'server.port': Number(new URL(receiver.origin).port), 'hookwork.webhook.key': webhook.key, 'messaging.message.id': request!.requestId });
      expect(JSON.stringify(attempt.attributes)).not.toMatch(/secret/);
    }
    expect(attempts[0]!.attributes).toMatchObject({ 'http.response.status_code': 503, 'error.type': '503', 'hookwork.outcome': 'retrying', 'hookwork.retry_count': 0 });
    // HTTP conventions: resend_count only on a request sent again.
    expect(attempts[0]!.attributes).not.toHaveProperty('http.request.resend_count');
    expect(attempts[0]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(attempts[1]!.attributes).toMatchObject({ 'http.response.status_code': 200, 'hookwork.outcome': 'delivered', 'hookwork.retry_count': 1, 'http.request.resend_count': 1 });
    expect(attempts[1]!.status.code).toBe(SpanStatusCode.UNSET);

    // The receiver joins the attempt's trace: each attempt carries its own span as the parent.
    expect(receiver.requests.map((r) => r.headers.traceparent)).toEqual(attempts.map((a) => formatTraceparent(a.spanContext())));
    expect(parseTraceparent(String(receiver.requests[0]!.headers.traceparent))).toMatchObject({ traceId: attempts[0]!.spanContext().traceId, isRemote: true });
    expect(await app.logs(webhook.key)).toMatchObject({ items: [{ requestHeaders: expect.objectContaining({ traceparent: expect.any(String) }) }, expect.anything()] });
  });

  it('names a batch by its size and its alias, and none when a batch mixes aliases', async () => {
    app = await startTestApp({ tracerProvider: provider });
    const firing = app.container.resolve(WebhookFiringService);
    await app.webhooks.create({ key: 'a', url: receiver.url, events: ['thing.happened'] });
    await firing.fireMany([
      { webhook: { key: 'a' }, alias: 'thing.happened', payload: 1 },
      { webhook: { key: 'a' }, alias: 'thing.happened', payload: 2 },
    ]);
    await firing.fireMany([
      { webhook: { key: 'a' }, alias: 'thing.happened', payload: 3 },
      { webhook: { key: 'a' }, alias: 'thing.other', payload: 4 },
    ]);
    expect(named('hookwork.enqueue').map((s) => s.attributes)).toEqual([
      { 'messaging.system': 'hookwork', 'messaging.operation.type': 'send', 'messaging.operation.name': 'enqueue', 'messaging.destination.name': 'thing.happened', 'messaging.batch.message_count': 2 },
      { 'messaging.system': 'hookwork', 'messaging.operation.type': 'send', 'messaging.operation.name': 'enqueue', 'messaging.batch.message_count': 2 },
    ]);
    await app.drain();
  });

  it("gives a test send an attempt's span, a child of the caller's", async () => {
    app = await startTestApp({ tracerProvider: provider, settings: { tracing: { traceparent: true } } });
    receiver.handler = (_r, res) => void res.writeHead(500).end();
    const webhook = await app.webhooks.create({ url: `${receiver.origin}/hooks/pathsecret`, events: ['thing.happened'] });
    await provider.getTracer('admin').startActiveSpan('admin request', async (admin) => {
      await app!.sendTestEvent(webhook.key);
      admin.end();
    });
    const [test] = named('POST');
    expect(parentOf(test!)).toBe(named('admin request')[0]!.spanContext().spanId);
    expect(test!.attributes).toMatchObject({ 'hookwork.test': true, 'hookwork.outcome': 'test', 'http.response.status_code': 500, 'error.type': '500', 'url.full': `${receiver.origin}/REDACTED` });
    expect(test!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'HTTP 500' });
    expect(receiver.requests[0]!.headers.traceparent).toBe(formatTraceparent(test!.spanContext()));
  });

  it("keeps a redirect target's path out of an attempt's status message (an http → https redirect repeats the secret one)", async () => {
    app = await startTestApp({ tracerProvider: provider, settings: { maximumRetries: 0 } });
    receiver.handler = (request, res) => void res.writeHead(301, { location: `https://hooks.example.com${request.path}` }).end();
    const webhook = await app.webhooks.create({ url: `${receiver.origin}/services/T0001/B0001/pathsecret?token=querysecret`, events: ['thing.happened'] });
    await app.publish(new ThingHappened('redirected'));
    await app.drain();
    const [attempt] = named('POST');
    expect(attempt!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'HTTP 301: redirect to https://hooks.example.com/… not followed; update the webhook URL' });
    expect(JSON.stringify([attempt!.attributes, attempt!.status, attempt!.events])).not.toMatch(/secret/);
    // The delivery log, for the operator who owns the webhook, names the target whole.
    expect((await app.logs(webhook.key)).items[0]!.errorMessage).toContain('pathsecret');
  });

  it('sends no traceparent by default; a custom header or a header setting cannot take its name, so one goes only when it is on', async () => {
    app = await startTestApp({ tracerProvider: provider });
    // traceparent is a header hookwork sets: as a custom header (or headers.event) it went out as
    // the webhook's with tracing off, and was replaced, or replaced the event alias, with it on.
    await expect(app.webhooks.create({ url: receiver.url, events: ['thing.happened'], headers: { TraceParent: 'custom' } })).rejects.toThrow(/headers\.TraceParent is set by hookwork itself/);
    expect(() => app!.updateSettings({ headers: { event: 'traceparent' } })).toThrow(/headers\.event is a header hookwork sets itself; choose another name \(got "traceparent"\)/);
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('plain'));
    await app.drain();
    expect(receiver.requests[0]!.headers.traceparent).toBeUndefined();
    app.updateSettings({ tracing: { traceparent: true } });
    await app.publish(new ThingHappened('on'));
    await app.drain();
    expect(receiver.requests[1]!.headers.traceparent).toBe(formatTraceparent(named('POST')[1]!.spanContext()));
  });

  it('a span processor that throws costs spans, never a publish or a delivery', async () => {
    // The SDK lets a processor's exception out of startSpan() and span.end(): one that threw at
    // the end made publish() reject after storing its requests, and every attempt fail after
    // it was sent (so it was sent again at each lease's end).
    const logged: { level: string; message: string }[] = [];
    const log = (level: string) => (message: string) => void logged.push({ level, message });
    const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
    for (const throwsIn of ['onStart', 'onEnd'] as const) {
      logged.length = 0;
      const faulty: SpanProcessor = {
        onStart: () => {
          if (throwsIn === 'onStart') throw new Error('exporter bug');
        },
        onEnd: () => {
          if (throwsIn === 'onEnd') throw new Error('exporter bug');
        },
        forceFlush: async () => {},
        shutdown: async () => {},
      };
      const faultyProvider = new BasicTracerProvider({ spanProcessors: [faulty, new SimpleSpanProcessor(exporter)] });
      app = await startTestApp({ tracerProvider: faultyProvider, logger, settings: { tracing: { traceparent: true } } });
      const failures: unknown[] = [];
      app.lifecycle.on('backgroundError', (info) => failures.push(info.error));
      const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await app.publish(new ThingHappened(`through ${throwsIn}`));
      await app.drain();
      expect(failures).toEqual([]);
      expect((await app.logs(webhook.key)).items).toMatchObject([{ outcome: 'delivered' }]);
      expect(await app.management.queueCounts()).toMatchObject({ pending: 0, inFlight: 0 });
      // Logged once as an error, then quietly: a broken exporter must not flood the log.
      expect(logged.filter((l) => l.level === 'error')).toEqual([{ level: 'error', message: expect.stringContaining('exporter bug') }]);
      expect(logged.filter((l) => l.level === 'debug').length).toBeGreaterThan(0);
      await app.stop();
      app = undefined;
    }
    expect(receiver.requests).toHaveLength(2);
  });

  it('the app\'s tracer (TracerToken) starts active spans as the API says, in every overload', async () => {
    app = await startTestApp({ tracerProvider: provider });
    const tracer = resolveToken(app.container, TracerToken);
    const outer = tracer.startActiveSpan('outer', (span) => {
      expect(trace.getActiveSpan()).toBe(span);
      tracer.startActiveSpan('inner', { kind: SpanKind.INTERNAL }, (inner) => inner.end());
      tracer.startActiveSpan('detached', { kind: SpanKind.INTERNAL }, context.active(), (detached) => detached.end());
      span.end();
      return span.spanContext().spanId;
    });
    expect(named('outer')).toHaveLength(1);
    expect(parentOf(named('inner')[0]!)).toBe(outer);
    expect(parentOf(named('detached')[0]!)).toBe(outer);
  });

  it("keeps the publish's tracestate for the attempt's link, and sends the attempt span's own tracestate with its traceparent", async () => {
    // A sampler that sets vendor state on the attempt's span (as consistent-probability samplers do).
    const sampler: Sampler = {
      shouldSample: (_context, _traceId, name) => ({ decision: SamplingDecision.RECORD_AND_SAMPLED, ...(name === 'POST' ? { traceState: createTraceState('ot=th:0,attempt=a1') } : {}) }),
      toString: () => 'attempt-state',
    };
    const stated = new BasicTracerProvider({ sampler, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    app = await startTestApp({ tracerProvider: stated, settings: { tracing: { traceparent: true } } });
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    // The host's incoming request carried vendors' state: a remote parent, as a propagator extracts it.
    const tracestate = 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE';
    const remote = trace.wrapSpanContext({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED, isRemote: true, traceState: createTraceState(tracestate) });
    await app.publish(new ThingHappened('stated'), { traceContext: trace.setSpan(ROOT_CONTEXT, remote) });
    await app.drain();
    const [enqueue] = named('hookwork.enqueue');
    const [attempt] = named('POST');
    expect(attempt!.links).toHaveLength(1);
    expect(attempt!.links[0]!.context).toMatchObject({ traceId: enqueue!.spanContext().traceId, spanId: enqueue!.spanContext().spanId });
    expect(attempt!.links[0]!.context.traceState?.serialize()).toBe(tracestate);
    // The receiver's tracestate is the attempt span's, the one its traceparent names.
    expect(receiver.requests[0]!.headers.traceparent).toBe(formatTraceparent(attempt!.spanContext()));
    expect(receiver.requests[0]!.headers.tracestate).toBe('ot=th:0,attempt=a1');
  });

  it('sends no tracestate when the attempt span has none, and a custom header cannot take its name', async () => {
    app = await startTestApp({ tracerProvider: provider, settings: { tracing: { traceparent: true } } });
    await expect(app.webhooks.create({ url: receiver.url, events: ['thing.happened'], headers: { TraceState: 'vendor=custom' } })).rejects.toThrow(/headers\.TraceState is set by hookwork itself/);
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('plain'));
    await app.drain();
    expect(receiver.requests[0]!.headers.traceparent).toBe(formatTraceparent(named('POST')[0]!.spanContext()));
    expect(receiver.requests[0]!.headers).not.toHaveProperty('tracestate');
  });

  it('bounds a tracestate as W3C asks: 32 members, 512 characters, long members cut first, then from the end', () => {
    const of = (value: string) => formatTracestate({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, traceState: { serialize: () => value } as never });
    expect(of('')).toBeUndefined();
    expect(of('a=1,b=2')).toBe('a=1,b=2');
    const many = Array.from({ length: 40 }, (_, i) => `k${i}=v`);
    expect(of(many.join(','))).toBe(many.slice(0, 32).join(','));
    const long = `big=${'x'.repeat(200)}`;
    const fifty = Array.from({ length: 30 }, (_, i) => `m${String(i).padStart(2, '0')}=${'y'.repeat(11)}`);
    // 30 members of 15 characters (479 with commas) and one of 204: the long one goes, the rest fit.
    expect(of([fifty[0], long, ...fifty.slice(1)].join(','))).toBe(fifty.join(','));
    const wide = Array.from({ length: 20 }, (_, i) => `w${String(i).padStart(2, '0')}=${'z'.repeat(40)}`);
    const cut = of(wide.join(','))!;
    expect(cut.length).toBeLessThanOrEqual(512);
    expect(wide.join(',').startsWith(cut)).toBe(true);
    expect(cut.split(',')).toHaveLength(11);
  });

  it('parses and formats W3C traceparent values, refusing invalid ones', () => {
    const value = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(formatTraceparent(parseTraceparent(value)!)).toBe(value);
    for (const bad of ['', '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01']) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
  });

  describe('without a context manager (a tracerProvider given, no SDK registered)', () => {
    beforeAll(() => {
      context.disable();
    });
    afterAll(() => {
      context.setGlobalContextManager(contextManager.enable());
    });

    it('keeps publish and enqueue in one trace, and the attempt linked to it', async () => {
      app = await startTestApp({ tracerProvider: provider });
      await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await app.publish(new ThingHappened('no context manager'));
      await app.drain();
      const [publish] = named('hookwork.publish');
      const [enqueue] = named('hookwork.enqueue');
      expect(parentOf(enqueue!)).toBe(publish!.spanContext().spanId);
      expect(enqueue!.spanContext().traceId).toBe(publish!.spanContext().traceId);
      expect(named('POST')[0]!.links.map((l) => l.context.spanId)).toEqual([enqueue!.spanContext().spanId]);
    });

    it("nests the publish in the host's span given as { traceContext }, and refuses what is no context", async () => {
      app = await startTestApp({ tracerProvider: provider });
      const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      const host = provider.getTracer('host').startSpan('host request');
      await app.publish(new ThingHappened('nested'), { traceContext: trace.setSpan(ROOT_CONTEXT, host) });
      host.end();
      expect(parentOf(named('hookwork.publish')[0]!)).toBe(host.spanContext().spanId);
      await expect(app.publish(new ThingHappened('refused'), { traceContext: { spanId: 'x' } as never })).rejects.toMatchObject({
        code: 'HOOKWORK_ERR_INVALID_ARGUMENT',
        message: expect.stringContaining('traceContext') as string,
      });
      await app.drain();
      expect((await app.logs(webhook.key)).items).toHaveLength(1);
    });
  });
});
