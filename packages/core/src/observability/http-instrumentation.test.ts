import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { unsuppressTracing, W3CTraceContextPropagator } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Hookwork } from '../composition/hookwork-app';
import { createHttpTransport } from '../delivery/transport/http-transport';
import type { TransportName } from '../delivery/transport/transport-choice';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { startTestApp, ThingHappened } from '../test-support/test-app';
import { formatTraceparent, TRACER_NAME } from './tracing';

// A host as most Node OpenTelemetry setups are (auto-instrumentations-node): the SDK, a context
// manager, the W3C propagator, and the real HTTP instrumentations patching node:http and
// subscribing to undici's diagnostics channels. Each delivery used to make the instrumentation's
// own `POST` span in a new trace, with the webhook's secret path and query in its URL, and its
// traceparent replaced the one hookwork sends.
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();
// The receivers are in this process too: their server spans are not what is under test.
const instrumentations = [new HttpInstrumentation({ ignoreIncomingRequestHook: () => true }), new UndiciInstrumentation()];

describe('hookwork beside the HTTP instrumentations of the host', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;

  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    for (const instrumentation of instrumentations) instrumentation.setTracerProvider(provider);
    // instrumentation-http patches node:http and node:https through require-in-the-middle, whose
    // hook jest's module registry never calls (it hands the hook a `module` of its own): the
    // instrumentation's own patches are applied here, as a bundler's compile-time instrumentation
    // applies them (getModuleDefinitions). undici's is a diagnostics-channel subscriber: no patch.
    for (const definition of instrumentations[0]!.getModuleDefinitions()) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      definition.moduleExports = require(`node:${definition.name}`);
      definition.patch?.(definition.moduleExports, process.versions.node);
    }
  });
  afterAll(() => {
    for (const instrumentation of instrumentations) instrumentation.disable();
    propagation.disable();
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

  const hookworkSpans = (): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === TRACER_NAME);
  const othersSpans = (): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name !== TRACER_NAME);

  /** A request of the host's own, under a span of its own: the instrumentation traces it and injects its traceparent. */
  async function hostRequest(transport: TransportName, url: string): Promise<void> {
    const host = provider.getTracer('host');
    await host.startActiveSpan('host work', async (span) => {
      if (transport === 'undici') {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { request } = require('undici') as typeof import('undici');
        await (await request(url, { method: 'POST', body: '{}' })).body.text();
      } else {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const http = require('node:http') as typeof import('node:http');
        await new Promise<void>((resolve, reject) => http.request(url, { method: 'POST' }, (res) => res.resume().on('end', resolve)).on('error', reject).end('{}'));
      }
      span.end();
    });
  }

  it.each(['axios', 'undici'] as const)('%s: the attempt span is the request\'s only span, no URL secret reaches a span, and the receiver gets the attempt\'s traceparent', async (transport) => {
    app = await startTestApp({ transport, tracerProvider: provider, settings: { tracing: { traceparent: true } } });
    const webhook = await app.webhooks.create({ url: `${receiver.origin}/hooks/pathsecret?token=querysecret`, events: ['thing.happened'] });
    await app.publish(new ThingHappened('instrumented'));
    await app.drain();
    await app.sendTestEvent(webhook.key);

    // The instrumentation is live: a request of the host's own gets its span and its traceparent.
    await hostRequest(transport, `${receiver.origin}/host`);
    const [hostSpan] = othersSpans().filter((s) => s.kind === 2 /* CLIENT */);
    expect(hostSpan).toBeDefined();
    expect(receiver.requests[2]!.headers.traceparent).toBe(formatTraceparent(hostSpan!.spanContext()));
    expect(othersSpans()).toHaveLength(2); // the host's request's span and the host's own

    // hookwork's two requests made no span but hookwork's: a delivery and a test send.
    const attempts = hookworkSpans().filter((s) => s.name === 'POST');
    expect(attempts.map((s) => s.attributes['hookwork.test'] ?? false)).toEqual([false, true]);
    expect(JSON.stringify(exporter.getFinishedSpans().map((s) => [s.attributes, s.status, s.events]))).not.toMatch(/secret/);
    expect(receiver.requests.slice(0, 2).map((r) => r.headers.traceparent)).toEqual(attempts.map((a) => formatTraceparent(a.spanContext())));
  });

  it.each(['axios', 'undici'] as const)('%s: with tracing.traceparent off, no traceparent goes out (the instrumentation injects none)', async (transport) => {
    app = await startTestApp({ transport, tracerProvider: provider });
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('quiet'));
    await app.drain();
    expect(receiver.requests[0]!.headers.traceparent).toBeUndefined();
    // What the log shows went out: no traceparent there either.
    expect((await app.logs(webhook.key)).items[0]!.requestHeaders).not.toHaveProperty('traceparent');
    expect(othersSpans()).toEqual([]);
  });

  it('a custom transport sends with the attempt span active and tracing suppressed', async () => {
    const seen: { active?: string; inner?: boolean }[] = [];
    const tracer = provider.getTracer('custom transport');
    app = await startTestApp({
      tracerProvider: provider,
      transport: {
        async send() {
          // A span the transport (or an instrumentation under it) starts records nothing.
          const inner = tracer.startSpan('inner');
          seen.push({ active: trace.getActiveSpan()?.spanContext().spanId, inner: inner.isRecording() });
          inner.end();
          return { ok: true, response: { statusCode: 204, headers: {}, body: '', bodyTruncated: false }, durationMs: 1 };
        },
        close: async () => {},
      },
    });
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('custom'));
    await app.drain();
    const [attempt] = hookworkSpans().filter((s) => s.name === 'POST');
    expect(seen).toEqual([{ active: attempt!.spanContext().spanId, inner: false }]);
  });

  it("a host that lifts the suppression (docs/health.md) gets the instrumentation's span as the attempt's child, and its traceparent", async () => {
    app = await startTestApp({
      tracerProvider: provider,
      settings: { tracing: { traceparent: true } },
      transport: (options) => {
        const inner = createHttpTransport(options);
        return { send: (request, sendOptions) => context.with(unsuppressTracing(context.active()), () => inner.send(request, sendOptions)), close: () => inner.close() };
      },
    });
    await app.webhooks.create({ url: `${receiver.origin}/hooks/pathsecret`, events: ['thing.happened'] });
    await app.publish(new ThingHappened('both'));
    await app.drain();
    const [attempt] = hookworkSpans().filter((s) => s.name === 'POST');
    const [instrumented] = othersSpans();
    expect(instrumented!.parentSpanContext?.spanId).toBe(attempt!.spanContext().spanId);
    expect(receiver.requests[0]!.headers.traceparent).toBe(formatTraceparent(instrumented!.spanContext()));
  });
});
