import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Hookwork } from '../composition/hookwork-app';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { startTestApp, ThingHappened } from '../test-support/test-app';
import { resolveToken } from '../runtime/tokens';
import { formatTraceparent, parseTraceparent, TracerToken } from './tracing';

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

  it('traces publish → enqueue → each attempt in one trace, and sends the attempt\'s traceparent when asked', async () => {
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
    const attempts = named('hookwork.attempt');
    expect(publish).toBeDefined();
    expect(publish!.attributes).toMatchObject({ 'hookwork.notification': 'ThingHappened' });
    expect(enqueue!.kind).toBe(SpanKind.PRODUCER);
    expect(enqueue!.attributes).toMatchObject({ 'messaging.batch.message_count': 1 });
    expect(parentOf(enqueue!)).toBe(publish!.spanContext().spanId);
    expect(attempts).toHaveLength(2);
    for (const attempt of attempts) {
      expect(attempt.kind).toBe(SpanKind.CLIENT);
      expect(attempt.spanContext().traceId).toBe(publish!.spanContext().traceId);
      expect(parentOf(attempt)).toBe(enqueue!.spanContext().spanId);
      // Neither the path nor the query: a token in either must not end up in a trace backend.
      expect(attempt.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.full': `${receiver.origin}/REDACTED`, 'server.address': '127.0.0.1', 'server.port': Number(new URL(receiver.origin).port), 'hookwork.webhook.key': webhook.key });
      expect(JSON.stringify(attempt.attributes)).not.toMatch(/secret/);
    }
    expect(attempts[0]!.attributes).toMatchObject({ 'http.response.status_code': 503, 'error.type': '503', 'hookwork.outcome': 'retrying', 'hookwork.retry_count': 0 });
    expect(attempts[0]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(attempts[1]!.attributes).toMatchObject({ 'http.response.status_code': 200, 'hookwork.outcome': 'delivered', 'hookwork.retry_count': 1 });
    expect(attempts[1]!.status.code).toBe(SpanStatusCode.UNSET);

    // The receiver joins the trace: each attempt carries its own span as the parent.
    expect(receiver.requests.map((r) => r.headers.traceparent)).toEqual(attempts.map((a) => formatTraceparent(a.spanContext())));
    expect(parseTraceparent(String(receiver.requests[0]!.headers.traceparent))).toMatchObject({ traceId: publish!.spanContext().traceId, isRemote: true });
    expect(await app.logs(webhook.key)).toMatchObject({ items: [{ requestHeaders: expect.objectContaining({ traceparent: expect.any(String) }) }, expect.anything()] });
  });

  it("keeps a redirect target's path out of an attempt's status message (an http → https redirect repeats the secret one)", async () => {
    app = await startTestApp({ tracerProvider: provider, settings: { maximumRetries: 0 } });
    receiver.handler = (request, res) => void res.writeHead(301, { location: `https://hooks.example.com${request.path}` }).end();
    const webhook = await app.webhooks.create({ url: `${receiver.origin}/services/T0001/B0001/pathsecret?token=querysecret`, events: ['thing.happened'] });
    await app.publish(new ThingHappened('redirected'));
    await app.drain();
    const [attempt] = named('hookwork.attempt');
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
    expect(() => app!.updateSettings({ headers: { event: 'traceparent' } })).toThrow(/headers\.event names traceparent, a header hookwork sets itself/);
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('plain'));
    await app.drain();
    expect(receiver.requests[0]!.headers.traceparent).toBeUndefined();
    app.updateSettings({ tracing: { traceparent: true } });
    await app.publish(new ThingHappened('on'));
    await app.drain();
    expect(receiver.requests[1]!.headers.traceparent).toBe(formatTraceparent(named('hookwork.attempt')[1]!.spanContext()));
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

  it('parses and formats W3C traceparent values, refusing invalid ones', () => {
    const value = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(formatTraceparent(parseTraceparent(value)!)).toBe(value);
    for (const bad of ['', '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01']) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
  });
});
